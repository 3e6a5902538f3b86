"""The archive's owner during a run: ``ArchiveExtension``.

Built by Scrapy ``from_crawler`` before the spider's middlewares and
pipelines, it opens the archive once (one SQLite connection for the whole run)
and the run's ``crawls`` row. The spider asks it for the crawl state
(``crawl_state``, plain data) and sends it the frontier's new URLs, cleared
failures and the set of URLs it schedules (``account_for``); the WARC middleware
(captures) and the store pipeline (articles, failures) write through it:
``archive_of(crawler)``. No other component holds the archive. What it knows of
the run (its sites, its mode) is the run's ``RunConfig`` (``kazscraper.crawler.config``).
When the engine stops it checks that every article URL the spider scheduled ended
as an article or a failure, computes the verdict (``kazscraper.crawler.verdict``)
and writes the whole ``crawls`` row once.

Schema migrations are not its business: the runner (``kazscraper.crawler.runner``)
upgrades the file under the run lock and sets ``KAZSCRAPER_ARCHIVE_READY``; a
crawler built without the runner (tests) migrates here.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from kazscraper.archive import Archive
from kazscraper.crawler.config import run_config
from kazscraper.crawler.frontier import ArchiveState, ScheduledUrls
from kazscraper.crawler.signals import stop_on_archive_error
from kazscraper.crawler.url_set import KnownArticles
from kazscraper.crawler.verdict import crawl_summary, run_verdict, status_of

logger = logging.getLogger(__name__)

KNOWN_CHUNK = 5000  # archived URLs read at a time into the run's ``known``


def known_articles(archive: Archive) -> KnownArticles:
    """The archive's article URLs (aliases too) with each one's date and ETag, as the
    run's ``known``: read ``KNOWN_CHUNK`` rows at a time into a table sized for all."""
    return KnownArticles.from_chunks(
        archive.archived_article_urls(KNOWN_CHUNK), expected=archive.count("article_urls")
    )


UNACCOUNTED_SHOWN = 5  # unaccounted URLs named in the log


class ArchiveExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        path = settings.get("KAZSCRAPER_DB")
        if not path:
            raise NotConfigured("no archive (KAZSCRAPER_DB) for this crawler")
        self.crawler = crawler
        self.config = run_config(settings)
        # crawls.site names every site of the run (a site's label)
        self.archive: Archive | None = Archive(
            path, site=self.config.label, migrate=not settings.getbool("KAZSCRAPER_ARCHIVE_READY")
        )
        self.crawl_id = self.archive.begin_crawl(
            settings.get("KAZSCRAPER_COMMAND", "crawl"),
            dict(settings.getdict("KAZSCRAPER_ARGUMENTS")),
        )
        assert crawler.stats is not None
        crawler.stats.set_value("kazscraper/crawl_id", self.crawl_id)
        crawler.signals.connect(self.finish, signal=signals.engine_stopped)
        self._state_refused = False  # a crawl-state write failed: no more of them this run
        self._scheduled: ScheduledUrls = set()  # the spider's, once it has started
        self._excused: set[str] = set()  # scheduled, refused by robots.txt (not held against)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveExtension:
        return cls(crawler)

    # -- the crawl state the spider asks for (the spider itself holds no archive) ----------

    def crawl_state(self) -> ArchiveState | None:
        """What the archive knows, as plain data for the spider's frontier: archived URLs
        with their date and ETag, the frontier of an unfinished run, earlier failures."""
        if self.archive is None:
            return None
        return ArchiveState(
            known=known_articles(self.archive),
            frontier=self.archive.frontier_urls(),
            retries=self.archive.failed_urls(),
            failed_discovery=self.archive.discovery_failures(),
        )

    def account_for(self, scheduled: ScheduledUrls) -> None:
        """The article URLs the run schedules (the spider's frontier's), each of which must
        end as an article or a failure: checked when the engine stops."""
        self._scheduled = scheduled

    def excuse(self, url: str) -> None:
        """A scheduled article URL the site's robots.txt disallows: counted by the spider,
        neither an article nor a failure, and not held against the run."""
        self._excused.add(url)

    def add_to_frontier(self, urls: list[str]) -> None:
        """Article URLs found but not yet stored: a killed run's next run takes them up."""
        if urls:
            self._state_write(lambda archive: archive.add_to_frontier(urls))

    def clear_failure(self, url: str) -> None:
        """A listing or sitemap that failed on an earlier run worked now."""
        self._state_write(lambda archive: archive.clear_failure(url))

    def _state_write(self, write: Any) -> None:
        """A crawl-state write; a refused one (disk full) stops the crawl, and no further
        state write is tried this run (the articles' batches decide for themselves)."""
        if self.archive is None or self._state_refused:
            return
        try:
            write(self.archive)
        except sqlite3.Error as exc:
            self._state_refused = True
            stop_on_archive_error(self.crawler, self.crawler.settings.get("KAZSCRAPER_DB"), exc)

    def finish(self) -> None:
        """Account for the scheduled URLs, judge the run, write its ``crawls`` row, close."""
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        archive = self.archive
        config = self.config
        if archive is not None and config.accounts_scheduled:
            self._account(archive, self._scheduled, stats.get_stats())
        values = stats.get_stats()
        exit_code, reason = run_verdict(values, config)
        stats.set_value("kazscraper/exit_code", exit_code)
        stats.set_value("kazscraper/verdict", reason)
        if archive is None:
            return
        self.archive = None
        try:
            archive.finish_crawl(
                self.crawl_id,
                status=status_of(exit_code),
                finish_reason=values.get("finish_reason"),
                exit_code=exit_code,
                verdict=reason,
                **crawl_summary(values),
            )
        except sqlite3.Error as exc:  # the disk is still full: the verdict goes to the log
            logger.error("could not record the run's verdict in the archive: %s", exc)
        finally:
            archive.close()

    def _account(self, archive: Archive, scheduled: ScheduledUrls, values: dict[str, Any]) -> None:
        """Every article URL the spider scheduled must end as an article or a failure (or,
        when the run was interrupted, still wait in the frontier for the next run)."""
        assert self.crawler.stats is not None
        interrupted = values.get("finish_reason") != "finished"
        try:
            # streamed (a crawl's scheduled URLs may be on disk: no list of them all here)
            missing = sorted(
                archive.unaccounted(
                    (u for u in scheduled if u not in self._excused),
                    frontier_counts=interrupted,
                )
            )
        except (sqlite3.Error, OSError) as exc:  # the archive, or the scheduled URLs' file
            logger.error("could not check the run's scheduled URLs: %s", exc)
            return
        self.crawler.stats.set_value("kazscraper/scheduled_articles", len(scheduled))
        self.crawler.stats.set_value("kazscraper/unaccounted", len(missing))
        if missing:
            logger.error(
                "%d scheduled article URL(s) ended neither as an article nor as a failure: %s",
                len(missing),
                ", ".join(missing[:UNACCOUNTED_SHOWN]) + (" …" if len(missing) > 5 else ""),
            )


def archive_of(crawler: Crawler) -> ArchiveExtension | None:
    """The run's archive owner, or None when the crawler has no archive."""
    return crawler.get_extension(ArchiveExtension)
