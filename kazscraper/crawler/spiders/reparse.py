"""The reparse spider: article pages read back from the WARC files, no network.

Each capture is read with the profile of the site it belongs to (by its host; the
sites of a several-site archive come from its crawls' options, ``crawled_sites``).
It yields the same items the news spider yields (a ``PageItem`` per archived
article response, ``NotModified`` for a 304 revisit), in capture order, so the
unchanged pipelines rebuild the article tables from the raw archive alone:
after an extractor fix, ``kazscraper reparse`` improves every stored article.
Each capture's bytes become a ``PageItem`` through ``kazscraper.intake``, as in
the crawl, and the mirror-host links of every captured page are reported as the
crawl reported them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy import signals

from kazscraper.compat import close_after_start_items
from kazscraper.crawler.config import RunConfig, run_config
from kazscraper.crawler.frontier import MirrorAliases
from kazscraper.crawler.signals import alias_found, page_failed
from kazscraper.intake.links import MAX_LINKS_PER_PAGE, anchor_hrefs
from kazscraper.intake.page import Refused, page_item
from kazscraper.items import NotModified, PageItem
from kazscraper.sites import SiteProfile
from kazscraper.sites.url_rules import canonical_url, classify_url
from kazscraper.urls import join_url
from kazscraper.warc.limits import DEFAULT_RECORD_MAX
from kazscraper.warc.replay import StoredPage, read_captures


class ReparseSpider(scrapy.Spider):
    name = "reparse"

    def __init__(self, config: RunConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if config.warc_dir is None:
            raise ValueError("a reparse reads a WARC folder: RunConfig.warc_dir is not set")
        self.config = config
        # several sites: each capture is read with its own site's profile (by its host)
        self.sites = config.sites
        self.profile = config.profile
        self.warc_dir = config.warc_dir
        self.warc_name = config.warc_name  # only this archive's files (others may share it)
        self.aliases = MirrorAliases()  # reported once each, as the crawl's frontier does

    @classmethod
    def from_crawler(
        cls, crawler: scrapy.crawler.Crawler, *args: Any, **kwargs: Any
    ) -> ReparseSpider:
        """The spider of the run configured in the crawler's settings (``RunConfig``)."""
        spider: ReparseSpider = super().from_crawler(
            crawler, run_config(crawler.settings), *args, **kwargs
        )
        crawler.signals.connect(spider.on_opened, signal=signals.spider_opened)
        return spider

    def on_opened(self) -> None:
        """Items come from ``start()``, not from responses: the scraper must finish closing
        when the last of them is done (SIGTERM hung the reparse for ever without it)."""
        assert self.crawler.engine is not None
        close_after_start_items(self.crawler.engine.scraper)

    async def start(self) -> AsyncIterator[PageItem | NotModified]:
        max_bytes = self.settings.getint("DOWNLOAD_MAXSIZE") or DEFAULT_RECORD_MAX
        pages = read_captures(
            self.warc_dir, max_bytes, self.on_skipped, self.warc_name, self.config.warc_named
        )
        for page in pages:
            self.crawler.stats.inc_value("kazscraper/reparse/read")  # claimed by a site or not
            item = self.item_for(page)
            if item is not None:
                self.crawler.stats.inc_value("kazscraper/reparse/records")
                yield item

    def on_skipped(self, kind: str, where: str, reason: str) -> None:
        """A WARC record that cannot be read back (damaged, too large to read) or that the
        crawl refused as well (``refused``: a gzip bomb, a URL no table keeps): counted,
        logged, and reading goes on. A refused capture is no damage: the crawl stored no
        article from it, and the safety net (``lost_articles``) sees any article lost."""
        self.crawler.stats.inc_value(f"kazscraper/reparse/{kind}")
        log = self.logger.warning if kind == "refused" else self.logger.error  # 'missing' too
        log("WARC record skipped (%s): %s: %s", kind, where, reason)

    def item_for(self, page: StoredPage) -> PageItem | NotModified | None:
        """The item the crawl made of this capture: its mirror-host links reported (any
        captured page), then a ``PageItem`` for an article page, ``NotModified`` for a 304;
        an article page the intake refuses is a failure, as in the crawl."""
        capture = page.capture
        profile = self.sites.for_url(capture.url)
        if profile is None:
            if len(self.sites) > 1:  # a page of no site of the archive
                return None
            profile = self.sites.first  # one site: read as ever (its links may be the site's)
        # a URL past URLLENGTH_LIMIT (a redirect hop to it) is no article for the crawl
        too_long = len(capture.url) > self.settings.getint("URLLENGTH_LIMIT", 2_083) > 0
        is_article = not too_long and classify_url(capture.url, profile) == "article"
        if capture.status == 304:
            if not is_article:
                return None
            return NotModified(
                url=canonical_url(capture.url, profile), fetched_at=capture.fetched_at
            )
        if not 200 <= capture.status < 300:
            return None
        item = page_item(capture.url, page.headers, page.body, capture.fetched_at, capture.status)
        if isinstance(item, Refused):
            if is_article:
                self.crawler.signals.send_catch_log(
                    page_failed,
                    url=item.url,
                    stage=item.stage,
                    reason=item.reason,
                    http_status=None,
                )
            return None
        if len(self.sites) > 1:  # several sites: each record carries its own
            item.site = profile.label
        limit = self.settings.getint("KAZSCRAPER_MAX_LINKS_PER_PAGE", MAX_LINKS_PER_PAGE)
        self.report_aliases(profile, item.url, anchor_hrefs(item.html, limit))
        return item if is_article else None

    def report_aliases(self, profile: SiteProfile, page_url: str, hrefs: Iterable[str]) -> None:
        """The mirror-host addresses among a captured page's article links (``hrefs``),
        reported once each (``alias_found``), as the crawl's frontier reported them."""
        for href in hrefs:
            url = join_url(page_url, href)  # None: a link urllib cannot parse, skipped
            if url is None or classify_url(url, profile) != "article":
                continue
            canonical = canonical_url(url, profile)
            alias = self.aliases.new(url, canonical, profile)
            if alias is not None:
                self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)
