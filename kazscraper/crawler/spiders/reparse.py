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

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import Any, TypeAlias

import scrapy
from scrapy import signals

from kazscraper.compat import close_after_start_items
from kazscraper.crawler.config import RunConfig, run_config
from kazscraper.crawler.frontier import MirrorAliases
from kazscraper.crawler.pipelines.extract import extraction_pool
from kazscraper.crawler.pipelines.extract_pool import (
    ExtractWorkers,
    PreparedCapture,
    prepare_capture,
    prepare_captures,
)
from kazscraper.crawler.signals import alias_found, page_failed
from kazscraper.intake.links import MAX_LINKS_PER_PAGE, anchor_hrefs
from kazscraper.intake.page import Refused, page_item
from kazscraper.items import NotModified, PageItem
from kazscraper.sites import SiteProfile
from kazscraper.sites.url_rules import canonical_url, classify_url
from kazscraper.urls import join_url
from kazscraper.warc.limits import DEFAULT_RECORD_MAX
from kazscraper.warc.replay import StoredPage, read_captures

#: what the spider makes of a capture before its page is read: a 304's item, or the
#: profile to read the page with and whether it is an article page
Claim: TypeAlias = "NotModified | tuple[SiteProfile, bool]"
#: pages sent to a worker in one call (one round trip: the crawl process's cost per page)
BATCH_PAGES = 4
#: pages read ahead per extraction worker (``reparse --workers``), and payload bytes at most
WINDOW_PAGES = 3 * BATCH_PAGES
#: a page of the window: the capture, its claim, its worker's task (None: a 304's item)
_Ahead: TypeAlias = "tuple[StoredPage, Claim, asyncio.Future[PreparedCapture] | None]"
WINDOW_BYTES = 32 * 1024 * 1024


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

    async def start(self) -> AsyncIterator[PageItem | NotModified | PreparedCapture]:
        max_bytes = self.settings.getint("DOWNLOAD_MAXSIZE") or DEFAULT_RECORD_MAX
        pages = read_captures(
            self.warc_dir, max_bytes, self.on_skipped, self.warc_name, self.config.warc_named
        )
        pool = extraction_pool(self.crawler)
        if pool is not None:
            async for item in self._in_workers(pages, pool):
                yield item
            return
        for page in pages:
            self.crawler.stats.inc_value("kazscraper/reparse/read")  # claimed by a site or not
            record = self.item_for(page)
            if record is not None:
                self._count_record()
                yield record

    @cached_property
    def _link_limit(self) -> int:
        return self.settings.getint("KAZSCRAPER_MAX_LINKS_PER_PAGE", MAX_LINKS_PER_PAGE)

    @cached_property
    def _url_limit(self) -> int:
        """URLLENGTH_LIMIT: a longer URL (a redirect hop to it) is no article for the crawl."""
        return self.settings.getint("URLLENGTH_LIMIT", 2_083)

    def _count_record(self) -> None:
        self.crawler.stats.inc_value("kazscraper/reparse/records")

    async def _in_workers(
        self, pages: Iterator[StoredPage], pool: ExtractWorkers
    ) -> AsyncIterator[NotModified | PreparedCapture]:
        """The items of ``pages`` with the intake, the links and the extraction of each page
        done in the pool's worker processes, ``BATCH_PAGES`` pages a call, and yielded in
        capture order (the archive's versions, aliases and near-duplicates depend on it).
        At most ``WINDOW_PAGES`` per worker and ``WINDOW_BYTES`` of payload are read ahead:
        memory stays flat however large the archive."""
        self.crawler.stats.set_value("kazscraper/reparse/workers", pool.workers)
        window: deque[_Ahead] = deque()
        most = WINDOW_PAGES * pool.workers
        ahead = 0  # payload bytes in the window
        batch: list[tuple[tuple[Any, ...], asyncio.Future[PreparedCapture]]] = []
        sent: set[asyncio.Future[None]] = set()

        def send() -> None:  # the pages gathered, to a worker in one call
            if batch:
                task = asyncio.ensure_future(self._prepare(pool, batch.copy()))
                sent.add(task)
                task.add_done_callback(sent.discard)
                batch.clear()

        try:
            for page in pages:
                self.crawler.stats.inc_value("kazscraper/reparse/read")
                claim = self._claim(page)
                if claim is None:
                    continue
                future = None
                if not isinstance(claim, NotModified):
                    future = asyncio.get_running_loop().create_future()
                    batch.append((self._job(page, claim), future))
                    ahead += len(page.body)
                    if len(batch) >= BATCH_PAGES:
                        send()
                window.append((page, claim, future))
                while window and (
                    len(window) >= most or ahead > WINDOW_BYTES or _done(window[0][2])
                ):
                    head = window.popleft()
                    ahead -= len(head[0].body) if head[2] is not None else 0
                    if not _done(head[2]):
                        send()  # it may be in the batch being gathered
                    item = await self._item_of(*head)
                    if item is not None:
                        yield item
            send()
            while window:
                item = await self._item_of(*window.popleft())
                if item is not None:
                    yield item
        finally:
            left: list[asyncio.Future[Any]] = [*sent]
            left += [future for _, _, future in window if future is not None]
            for future in left:
                future.cancel()  # stopped early (SIGTERM): the rest is not read

    def _job(self, page: StoredPage, claim: Claim) -> tuple[Any, ...]:
        """The arguments of ``prepare_capture`` for this page."""
        assert not isinstance(claim, NotModified)
        profile, is_article = claim
        capture = page.capture
        site = profile.label if len(self.sites) > 1 else ""
        args = (capture.url, page.headers, page.body, capture.fetched_at, capture.status)
        return (*args, site, is_article, self._link_limit)

    async def _prepare(
        self,
        pool: ExtractWorkers,
        batch: list[tuple[tuple[Any, ...], asyncio.Future[PreparedCapture]]],
    ) -> None:
        """Pages prepared in one worker call (one round trip for several pages); when that
        call fails (a worker died on one of them, twice), each page alone, so that only
        the page that kills its worker is lost, as a failure."""
        jobs = [job for job, _ in batch]
        results: list[PreparedCapture | BaseException]
        try:
            results = list(await pool.call(prepare_captures, jobs))
        except Exception as exc:
            if len(jobs) == 1:
                results = [exc]
            else:
                results = []
                for job in jobs:
                    try:
                        results.append(await pool.call(prepare_capture, *job))
                    except Exception as alone:
                        results.append(alone)
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # cancelled: the run is stopping
                continue
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _item_of(
        self,
        page: StoredPage,
        claim: Claim,
        task: asyncio.Future[PreparedCapture] | None,
    ) -> NotModified | PreparedCapture | None:
        """The item of a page of the window, its worker's work done: as ``item_for``."""
        if isinstance(claim, NotModified):
            self._count_record()
            return claim
        assert task is not None
        profile, is_article = claim
        capture = page.capture
        try:
            prepared = await task
        except Exception as exc:  # its worker died twice (WorkerDied): never a lost page
            if not is_article:
                self.logger.error("captured page not read (%s): %s", exc, capture.url)
                return None
            site = profile.label if len(self.sites) > 1 else ""
            lost = PageItem(url=capture.url, html="", status=capture.status, site=site)
            lost.fetched_at = capture.fetched_at
            prepared = PreparedCapture(lost, error=exc)
        if isinstance(prepared.page, Refused):
            self._refused(prepared.page, is_article)
            return None
        self.report_aliases(profile, prepared.page.url, prepared.hrefs)
        if not is_article:
            return None
        self._count_record()
        return prepared

    def on_skipped(self, kind: str, where: str, reason: str) -> None:
        """A WARC record that cannot be read back (damaged, too large to read) or that the
        crawl refused as well (``refused``: a gzip bomb, a URL no table keeps): counted,
        logged, and reading goes on. A refused capture is no damage: the crawl stored no
        article from it, and the safety net (``lost_articles``) sees any article lost."""
        self.crawler.stats.inc_value(f"kazscraper/reparse/{kind}")
        log = self.logger.warning if kind == "refused" else self.logger.error  # 'missing' too
        log("WARC record skipped (%s): %s: %s", kind, where, reason)

    def _claim(self, page: StoredPage) -> Claim | None:
        """What this capture is to the crawl: a ``NotModified`` (a 304 of an article), a
        page to read with its site's profile (and whether it is an article page), or None
        (a page of no site of the archive, an error status)."""
        capture = page.capture
        profile = self.sites.for_url(capture.url)
        if profile is None:
            if len(self.sites) > 1:  # a page of no site of the archive
                return None
            profile = self.sites.first  # one site: read as ever (its links may be the site's)
        # a URL past URLLENGTH_LIMIT (a redirect hop to it) is no article for the crawl
        too_long = len(capture.url) > self._url_limit > 0
        is_article = not too_long and classify_url(capture.url, profile) == "article"
        if capture.status == 304:
            if not is_article:
                return None
            return NotModified(
                url=canonical_url(capture.url, profile), fetched_at=capture.fetched_at
            )
        if not 200 <= capture.status < 300:
            return None
        return profile, is_article

    def item_for(self, page: StoredPage) -> PageItem | NotModified | None:
        """The item the crawl made of this capture: its mirror-host links reported (any
        captured page), then a ``PageItem`` for an article page, ``NotModified`` for a 304;
        an article page the intake refuses is a failure, as in the crawl."""
        claim = self._claim(page)
        if claim is None or isinstance(claim, NotModified):
            return claim
        profile, is_article = claim
        capture = page.capture
        item = page_item(capture.url, page.headers, page.body, capture.fetched_at, capture.status)
        if isinstance(item, Refused):
            self._refused(item, is_article)
            return None
        if len(self.sites) > 1:  # several sites: each record carries its own
            item.site = profile.label
        self.report_aliases(profile, item.url, anchor_hrefs(item.html, self._link_limit))
        return item if is_article else None

    def _refused(self, refused: Refused, is_article: bool) -> None:
        """An article page the intake refuses is a failure, as in the crawl."""
        if is_article:
            self.crawler.signals.send_catch_log(
                page_failed,
                url=refused.url,
                stage=refused.stage,
                reason=refused.reason,
                http_status=None,
            )

    def report_aliases(self, profile: SiteProfile, page_url: str, hrefs: Iterable[str]) -> None:
        """The mirror-host addresses among a captured page's article links (``hrefs``),
        reported once each (``alias_found``), as the crawl's frontier reported them.

        A link that stays on the page's own scheme and host is another address of an
        article only when the page itself is on one (a mirror, the other scheme): on a page
        of the site's own address such links (most of a page's) are not looked at."""
        if canonical_url(page_url, profile, map_mirrors=False) == canonical_url(page_url, profile):
            hrefs = [href for href in hrefs if may_leave_its_host(href)]
        for href in hrefs:
            url = join_url(page_url, href)  # None: a link urllib cannot parse, skipped
            if url is None or classify_url(url, profile) != "article":
                continue
            canonical = canonical_url(url, profile)
            alias = self.aliases.new(url, canonical, profile)
            if alias is not None:
                self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)


#: what urllib removes from a URL wherever it is (WHATWG: tab and newlines)
_URL_REMOVED = str.maketrans("", "", "\t\r\n")


def may_leave_its_host(href: str) -> bool:
    """Whether a link may resolve to another scheme or host than its page's: it names a
    scheme (``:``) or a host (``//``, once tabs and newlines are removed as urllib does).
    Any other link resolves to the page's own scheme and host (``urljoin``)."""
    if ":" in href or "//" in href:
        return True
    return ("\t" in href or "\n" in href or "\r" in href) and "//" in href.translate(_URL_REMOVED)


def _done(task: asyncio.Future[Any] | None) -> bool:
    return task is None or task.done()
