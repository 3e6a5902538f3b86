"""Item pipelines: extract → clean → validate → dedup → store.

Each pipeline is a thin adapter over pure code (``extract/``, ``clean/``) or
the archive; order and numbers are in ``settings.ITEM_PIPELINES``. A page that
cannot become an article is dropped with ``PageRejected`` (a ``DropItem``
carrying the URL, stage and reason), which the store pipeline records in the
``failures`` table; the crawl goes on. Everything is counted in the crawler
stats under ``kazscraper/``. The store pipeline writes through the run's
archive owner (``kazscraper.extension``); it opens no connection of its own.
In a crawl of several sites each item carries its site's label (``PageItem.site``,
``Article.site``) and every stage reads it with that site's profile (``profile_for``);
the store writes each record's own site.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import Response
from scrapy.settings import Settings
from twisted.python.failure import Failure

from kazscraper.archive import Archive, content_hash, utc_now
from kazscraper.archive.values import storable_article
from kazscraper.clean.article import clean_article
from kazscraper.extension import archive_of
from kazscraper.extract.article import NotHtmlError, PageTooComplex, extract_article
from kazscraper.intake.page import with_page
from kazscraper.items import Article, NotModified, PageItem
from kazscraper.signals import alias_found, page_failed, stop_on_archive_error
from kazscraper.sites import SiteProfile, Sites, get_profile
from kazscraper.sites.urls import canonical_url
from kazscraper.spiders.news import redirected_failure
from kazscraper.verdict import REPORTED_FIELDS, crawl_summary, site_stats_prefix

__all__ = ["REPORTED_FIELDS", "crawl_summary"]  # with the pipelines below

logger = logging.getLogger(__name__)

REQUIRED_FIELDS = ("title", "body")


class PageRejected(DropItem):
    """A fetched page that did not yield a valid article."""

    def __init__(self, url: str, stage: str, reason: str) -> None:
        super().__init__(f"{stage} failed for {url}: {reason}", log_level="WARNING")
        self.url, self.stage, self.reason = url, stage, reason


class DuplicatePage(DropItem):
    """A second page in this run whose canonical URL was already seen."""

    def __init__(self, url: str, canonical: str) -> None:
        super().__init__(f"duplicate of {canonical}: {url}", log_level="DEBUG")
        self.url, self.canonical = url, canonical


#: records a failure: (url, stage, reason, http_status)
RecordFailure = Callable[[str, str, str, "int | None"], None]


def record_dropped(
    response: Response | None,
    exception: Exception,
    failure: RecordFailure,
    alias: Callable[[str, str], None],
) -> None:
    """What a dropped item leaves behind (the last pipeline of a local crawl and of a
    worker): a rejected page is a failure with its stage and reason, a duplicate page
    an alias of its canonical URL."""
    if isinstance(exception, PageRejected):
        status = response.status if response is not None else None
        url, reason = asked_url(response, exception.url, exception.reason)
        failure(url, exception.stage, reason, status)
    elif isinstance(exception, DuplicatePage):
        alias(exception.url, exception.canonical)


def record_error(
    item: Any, response: Response | None, error: Failure, failure: RecordFailure
) -> None:
    """A pipeline that raised on ``item``: its URL is a failure (stage ``pipeline``) with
    the error, so no URL is lost to a bug."""
    url = getattr(item, "fetched_url", None) or getattr(item, "url", None)
    if not isinstance(url, str):
        return
    status = response.status if response is not None else None
    exc = error.value
    url, reason = asked_url(response, url, f"{type(exc).__name__}: {exc}")
    failure(url, "pipeline", reason, status)


def asked_url(response: Response | None, url: str, reason: str) -> tuple[str, str]:
    """(URL, reason) of a failure of the page fetched at ``url``: when the response came
    after redirects, the URL asked for (the one scheduled, and to account for) is the one
    that failed, and the reason says where the redirects led (as the spider's errback)."""
    try:
        hops = response.meta.get("redirect_urls") if response is not None else None
    except AttributeError:  # a response tied to no request (reparse reads WARC records)
        hops = None
    if hops and hops[0] == url:
        return url, reason
    return redirected_failure(hops, url, reason)


class _CrawlerPipeline:
    """Built by Scrapy with the crawler; the site profiles come from the spider."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> _CrawlerPipeline:
        return cls(crawler)

    @property
    def profile(self) -> SiteProfile:
        """The spider's profile (no spider, a pipeline alone: the default site's)."""
        found = getattr(self.crawler.spider, "profile", None)
        return found if isinstance(found, SiteProfile) else get_profile("qazdauiri")

    @property
    def sites(self) -> Sites:
        """The crawl's sites (a spider of one site: that one; no spider: the default site)."""
        found = getattr(self.crawler.spider, "sites", None)
        return found if isinstance(found, Sites) else Sites.single(self.profile)

    def profile_for(self, url: str, site: str = "") -> SiteProfile:
        """The profile of a record of site ``site`` (its label) fetched at ``url``."""
        return self.sites.profile_of(url, site)


_worker_sites: Sites | None = None  # in a worker process: the crawl's sites


def _start_worker(sites: Sites) -> None:
    global _worker_sites
    _worker_sites = sites


def extract_and_clean(html: str, url: str, fetched_at: str, site: str = "") -> Article:
    """Extraction and cleaning of one page: what a worker process runs (picklable in and out).

    The sites' profiles are sent once, when the worker starts, not with every page; ``site``
    (the page's site label) picks the profile."""
    assert _worker_sites is not None, "worker started without a profile"
    profile = _worker_sites.profile_of(url, site)
    return clean_article(extract_article(html, url, profile, fetched_at), profile)


def extract_workers(settings: Settings) -> int:
    """Extraction processes of the run (``KAZSCRAPER_EXTRACT_WORKERS``, ``crawl --workers``).

    With workers, each page is extracted and cleaned in one worker call (the second core
    does both); the clean stage, which reads the same setting, then only counts."""
    return settings.getint("KAZSCRAPER_EXTRACT_WORKERS", 0)


class WorkerDied(Exception):
    """The extraction worker process died (killed, crashed) on this page, twice."""


class ExtractWorkers:
    """A pool of extraction processes that outlives its workers.

    A worker that dies (a crash in a C parser, the OOM killer) breaks Python's whole pool:
    every page in flight fails with ``BrokenProcessPool`` and so would every later one. The
    broken pool is replaced at once and each of those pages is tried once more, alone, in a
    one-process pool: a bystander succeeds, and a page that kills that worker too raises
    ``WorkerDied``, which becomes a failure row; the other pages go on.
    """

    def __init__(
        self,
        workers: int,
        profile: SiteProfile | Sites,
        function: Callable[..., Article] | None = None,
    ) -> None:
        self.workers = workers
        self.sites = profile if isinstance(profile, Sites) else Sites.single(profile)
        self.function = function or extract_and_clean
        self.pool = self._new_pool(workers)
        self.alone: ProcessPoolExecutor | None = None  # the one-process pool for second tries
        self._alone_lock: asyncio.Lock | None = None
        self.replaced = 0  # broken pools replaced

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=get_context("forkserver"),
            initializer=_start_worker,
            initargs=(self.sites,),
        )
        # Every worker starts with the first page, none later: a worker spawned on demand
        # while a broken pool is torn down is never stopped, and joining it hangs for ever
        # (CPython 3.11); 'fork' pools always work this way.
        pool._safe_to_dynamically_spawn_children = False  # type: ignore[attr-defined]
        return pool

    @staticmethod
    def _discard(pool: ProcessPoolExecutor) -> None:
        """Stop a broken pool without blocking the crawl: kill what is left of it."""
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False)

    async def run(self, html: str, url: str, fetched_at: str, site: str = "") -> Article:
        args = (html, url, fetched_at, site) if site else (html, url, fetched_at)
        pool = self.pool
        try:
            return await asyncio.wrap_future(pool.submit(self.function, *args))
        except BrokenProcessPool:
            if self.pool is pool:  # the first page to see it replaces it, for every page
                self.pool = self._new_pool(self.workers)
                self.replaced += 1
                self._discard(pool)
        if self._alone_lock is None:
            self._alone_lock = asyncio.Lock()
        async with self._alone_lock:
            if self.alone is None:
                self.alone = self._new_pool(1)
            try:
                future = self.alone.submit(self.function, *args)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._discard(self.alone)
                self.alone = None
                raise WorkerDied(
                    "the extraction worker process died on this page twice "
                    "(crashed or killed); not extracted"
                ) from None

    def close(self) -> None:
        for pool in (self.pool, self.alone):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self.alone = None


class ExtractPipeline(_CrawlerPipeline):
    """HTML → Article, in this process or, with ``KAZSCRAPER_EXTRACT_WORKERS`` > 0, in a pool
    of worker processes (the second core: the crawl process keeps fetching meanwhile).

    ``process_item`` is a coroutine: a page sent to the pool is awaited, and pages in flight
    overlap (Scrapy 2.19 warns that a Deferred returned by a pipeline is deprecated)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.workers = extract_workers(crawler.settings)
        self.pool: ExtractWorkers | None = None
        if self.workers:
            crawler.signals.connect(self._open_pool, signal=signals.spider_opened)
            crawler.signals.connect(self._close_pool, signal=signals.spider_closed)

    def _open_pool(self) -> None:
        self.pool = ExtractWorkers(self.workers, self.sites)

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.stats.set_value("kazscraper/worker_pools_replaced", self.pool.replaced)
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            return item
        self._count_page(item, 1)  # before extraction: a page that raises is a page
        if self.pool is None:
            return self._finish(item, lambda: extract_article(*self._args(item)))
        with self._rejections(item):
            article = await self.pool.run(item.html, item.url, item.fetched_at, item.site)
        return with_page(article, item)

    def _count_page(self, item: PageItem, step: int) -> None:
        """The health check's page count, of the whole run and (several sites) of its site."""
        self.stats.inc_value("kazscraper/extracted", step)
        if len(self.sites) > 1:
            label = self.profile_for(item.url, item.site).label
            self.stats.inc_value(f"{site_stats_prefix(label)}extracted", step)

    def _args(self, item: PageItem) -> tuple[str, str, SiteProfile, str]:
        return item.html, item.url, self.profile_for(item.url, item.site), item.fetched_at

    def _finish(self, item: PageItem, extract: Callable[[], Article]) -> Article:
        with self._rejections(item):
            article = extract()
        return with_page(article, item)

    @contextmanager
    def _rejections(self, item: PageItem) -> Iterator[None]:
        """An extraction that fails makes the page a ``PageRejected`` with the reason."""
        try:
            yield
        except WorkerDied as exc:
            # no extractor saw the page: it says nothing about the layout (the health check)
            self._count_page(item, -1)
            self.stats.inc_value("kazscraper/worker_deaths")
            raise PageRejected(item.url, "extract", str(exc)) from None
        except PageTooComplex as exc:
            # refused before any layer read it: it says nothing about the layout
            self._count_page(item, -1)
            self.stats.inc_value("kazscraper/pages_too_complex")
            raise PageRejected(item.url, "extract", str(exc)) from exc
        except NotHtmlError as exc:
            raise PageRejected(item.url, "extract", str(exc)) from exc
        except Exception as exc:
            # A page that breaks the extractor is a finding to record, not a reason to
            # lose the page silently: keep the URL and the error for a later reparse.
            self.stats.inc_value("kazscraper/extract_errors")
            logger.exception("extractor error on %s", item.url)
            raise PageRejected(item.url, "extract", f"{type(exc).__name__}: {exc}") from exc


class CleanPipeline(_CrawlerPipeline):
    """Cleans, and counts which fields each article page yielded (the health check's input).

    With extraction workers the worker has cleaned the article already (``extract_workers``
    says so to both stages): then this stage only makes it storable and counts."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.cleaned_upstream = extract_workers(crawler.settings) > 0

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        profile = self.profile_for(item.fetched_url, item.site)
        article = item if self.cleaned_upstream else clean_article(item, profile)
        # what SQLite cannot store (a lone surrogate, a 2^70 counter) is made storable here,
        # before dedup hashes the text and the store writes it (the store checks again)
        if storable_article(article):
            self.stats.inc_value("kazscraper/values_made_storable")
        # several sites: each site's counts too, for its own health check (verdict.py)
        prefixes = ["kazscraper/"]
        if len(self.sites) > 1:  # its pages counted by ExtractPipeline, as the whole run's
            prefixes.append(site_stats_prefix(profile.label))
        for name in REPORTED_FIELDS:
            if getattr(article, name):
                layer = article.extraction.get(name, "").split(" ")[0]
                for prefix in prefixes:
                    self.stats.inc_value(f"{prefix}filled/{name}")
                    self.stats.inc_value(f"{prefix}layer/{name}:{layer}")
        return article


class ValidatePipeline(_CrawlerPipeline):
    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
        if missing:
            reasons = "; ".join(
                f"{name}: {item.extraction.get(name, 'missing')}" for name in missing
            )
            raise PageRejected(item.fetched_url, "validate", f"not an article page ({reasons})")
        self.stats.inc_value("kazscraper/articles_valid")
        return item


class DedupPipeline(_CrawlerPipeline):
    """Drops a second article with the same canonical URL within one run, and refuses a
    declared canonical that names another article with different content.

    A page's URL is its declared canonical only when that names an article whose
    text this run has seen to be the same (then the page is an alias of it). Any
    other claim to another article's URL (not met yet, or met with another text)
    is refused: the page keeps its own URL, so it can neither replace that
    article's text nor be dropped as its duplicate. Identical texts under two URLs
    still end as one row: the archive makes the second an alias by content.

    A spider whose items are successive captures of the same pages (reparse)
    sets ``dedup_within_run = False``: there a second capture is a later version.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.seen: dict[str, str] = {}  # canonical URL -> content hash, this run

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        digest = content_hash(item.title, item.body)[:16]
        own = canonical_url(item.fetched_url, self.profile_for(item.fetched_url, item.site))
        if item.url != own and self.seen.get(item.url) != digest:
            self.stats.inc_value("kazscraper/canonical_refused")
            item.extraction["canonical"] = f"refused: {item.url} (another article's URL)"
            item.url = own
        if item.url in self.seen and getattr(self.crawler.spider, "dedup_within_run", True):
            self.stats.inc_value("kazscraper/duplicates")
            raise DuplicatePage(item.fetched_url, item.url)
        self.seen[item.url] = digest
        return item


class StorePipeline(_CrawlerPipeline):
    """Writes articles in batched transactions; records failures and aliases."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.db_path = settings.get("KAZSCRAPER_DB")
        self.batch_size = settings.getint("KAZSCRAPER_BATCH_SIZE", 100)
        self.pending: dict[str, tuple[Article, set[str]]] = {}
        # aliases found before their article was stored, by canonical URL
        self.waiting_aliases: dict[str, set[str]] = {}
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.run_starts: list[str] = []
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_item_error, signal=signals.item_error)
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_alias_found, signal=alias_found)

    def open_spider(self) -> None:
        owner = archive_of(self.crawler)
        if owner is not None and owner.archive is not None:
            self.archive, self.crawl_id = owner.archive, owner.crawl_id
            if getattr(self.crawler.spider, "dedup_within_run", True):
                self.run_starts = [self.archive.crawl_started_at(self.crawl_id)]
            else:  # reparse: the captures of every earlier crawl, each with its own run
                self.run_starts = self.archive.crawl_starts()

    def run_start(self, fetched_at: str) -> str:
        """When the run that fetched a capture at ``fetched_at`` began."""
        index = bisect.bisect_right(self.run_starts, fetched_at) - 1
        return self.run_starts[index] if index >= 0 else ""

    def process_item(self, item: Any) -> Any:
        with self._writing():
            if isinstance(item, (NotModified, Article)) and item.url in self.pending:
                # reparse: an earlier capture of this URL is still in this batch; it is
                # written first, so a later capture is its next version, not its replacement
                self.flush()
            touched = (
                isinstance(item, NotModified)
                and self.archive is not None
                and self.archive.touch_article(item.url, item.fetched_at)
            )
            if touched:
                self.stats.inc_value("kazscraper/articles_unchanged")
            if isinstance(item, Article):
                aliases = self.waiting_aliases.pop(item.url, set()) | (
                    {item.fetched_url} - {item.url}
                )
                self.pending[item.url] = (item, aliases)
                if len(self.pending) >= self.batch_size:
                    self.flush()
        return item

    def flush(self) -> None:
        if not self.pending or self.archive is None:
            return
        batch = list(self.pending.values())
        # a record that breaks the batch costs no other: it becomes a failure row
        outcomes, refused = self.archive.write_each(
            batch, crawl_id=self.crawl_id, run_start=self.run_start
        )
        self.pending.clear()  # only now: every record is stored or refused
        for outcome in outcomes:
            self.stats.inc_value(f"kazscraper/articles_{outcome}")
        aliases_of = {article.url: aliases for article, aliases in batch}
        for article, reason in refused:
            self.stats.inc_value("kazscraper/store_errors")
            self._failure(article.fetched_url, "store", reason, None)
            # its other addresses (a URL that redirected to it, a mirror's) are not stored
            # either: each is a failure too, retried next run
            for alias in sorted(aliases_of.get(article.url, set()) - {article.fetched_url}):
                self._failure(alias, "store", f"{reason} (an address of {article.url})", None)
        # revisits that were garbage (kept as stored) or lost fields (kept field by field)
        self.stats.set_value("kazscraper/anomalies", self.archive.anomalies_of(self.crawl_id))

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write the archive refuses (disk full, read-only file, I/O error) stops the crawl.

        The transaction is rolled back by SQLite, so the file stays consistent and holds
        every batch committed before; the pages not stored are fetched again next run.
        """
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            self.pending.clear()
            self.archive = None  # no more writes this run
            stop_on_archive_error(self.crawler, str(self.db_path), exc)

    def on_item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        record_dropped(response, exception, self._failure, self.on_alias_found)

    def on_item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        """A pipeline that raised (a bug, not a verdict on the page) loses no URL: it is a
        failure row with the error, retried next run."""
        record_error(item, response, failure, self._failure)

    def on_alias_found(self, url: str, canonical: str) -> None:
        if canonical in self.pending:
            self.pending[canonical][1].add(url)
            return
        with self._writing():
            if self.archive is None or not self.archive.record_alias(url, canonical, utc_now()):
                self.waiting_aliases.setdefault(canonical, set()).add(url)

    def on_page_failed(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self._failure(url, stage, reason, http_status)

    def _failure(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self.stats.inc_value("kazscraper/failures")
        with self._writing():
            if self.archive is not None:
                self.archive.record_failure(url, stage, reason, http_status, self.crawl_id)

    def _resolve_waiting_aliases(self) -> None:
        """Aliases whose article was stored under another address than the one they named
        (a redirect to a page that is itself an alias of an article met earlier): written
        now that every article of the run is stored; the others name no stored article."""
        waiting, self.waiting_aliases = self.waiting_aliases, {}
        for canonical, urls in waiting.items():
            for url in sorted(urls):
                if self.archive is None or not self.archive.record_alias(url, canonical, utc_now()):
                    self.waiting_aliases.setdefault(canonical, set()).add(url)

    def close_spider(self) -> None:
        if self.archive is None:
            return
        archive = self.archive
        with self._writing():
            self.flush()
            self._resolve_waiting_aliases()
            archive.link_related_articles()
            archive.prune_frontier()
        self.archive = None  # the archive extension writes the crawls row and closes the file
