"""The news spider: discovery and fetching only, driven by a site profile.

It starts from the profile's home page, sitemap and RSS feed, follows the
listing pages (categories and their numbered pagination) and the article
links on article pages, and yields one ``PageItem`` per article page. Every
link is canonicalised before it is requested, so an article reachable from
several listings, the sitemap, the mirror host or with tracking parameters is
fetched once. It extracts no fields: that is the pipelines' job.

Scheduled crawls are incremental. Articles already in the archive are not
fetched again, except those published in the last ``revisit_days`` (asked
with a conditional GET, to catch edits); a category's pagination is walked
until ``stop_after`` pages in a row bring nothing new; ``full`` walks and
revisits everything; ``since`` bounds a backfill by date. Article URLs found
but not yet stored wait in the archive's ``frontier`` table, so a killed run
resumes where it stopped.

Discovery is bounded whatever the site serves: listing pages per run
(``KAZSCRAPER_MAX_LISTING_PAGES``), sitemaps per run and their nesting depth and
size (``KAZSCRAPER_MAX_SITEMAPS``, ``KAZSCRAPER_SITEMAP_MAX_DEPTH``,
``KAZSCRAPER_SITEMAP_MAX_BYTES``, gzipped ones inflated up to that size), links
read per page (``KAZSCRAPER_MAX_LINKS_PER_PAGE``); ``max_articles`` stops
discovery once that many articles are scheduled. Every article URL asked for
ends the run as an article or a recorded failure: one the crawl machinery
dropped without an answer is recorded when the crawl goes idle.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from lxml import etree
from parsel import Selector
from scrapy import signals
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from kazscraper.archive import Archive
from kazscraper.clean.encoding import UndecodablePage, decode_page
from kazscraper.clean.markup import markup_problem
from kazscraper.clean.urls import UrlKind, canonical_url, classify_url, is_site_url, url_origin
from kazscraper.extension import archive_of
from kazscraper.extract.blocks import node_text
from kazscraper.extract.dates import find_date_in_text
from kazscraper.items import NotModified, PageItem
from kazscraper.signals import alias_found, page_failed, stop_on_archive_error
from kazscraper.sites import SiteProfile, get_profile

FRONTIER_FLUSH = 200  # new article URLs per frontier write
CLASSIFY_CACHE = 10_000  # classified URLs kept (the cache is emptied when full: memory stays flat)
SITEMAP_MAX_ENTRIES = 50_000  # per sitemap file (the sitemaps.org limit)
LISTING_DATE_CHARS = 500  # of a listing item's text searched for its date (--since)
# discovery limits; each is a Scrapy setting of the same name (defaults in settings.py)
LIMITS = {
    "max_listing_pages": ("KAZSCRAPER_MAX_LISTING_PAGES", 10_000),
    "max_sitemaps": ("KAZSCRAPER_MAX_SITEMAPS", 1_000),
    "sitemap_max_depth": ("KAZSCRAPER_SITEMAP_MAX_DEPTH", 3),
    "sitemap_max_bytes": ("KAZSCRAPER_SITEMAP_MAX_BYTES", 50 * 1024 * 1024),
    "max_links": ("KAZSCRAPER_MAX_LINKS_PER_PAGE", 5_000),
}


class NewsSpider(scrapy.Spider):
    name = "news"
    # the discovery limits, set from LIMITS: the defaults, then the crawler's settings
    max_listing_pages: int
    max_sitemaps: int
    sitemap_max_depth: int
    sitemap_max_bytes: int
    max_links: int

    def __init__(
        self,
        site: str = "qazdauiri",
        start_url: str | None = None,
        mirrors: str = "",
        max_articles: int | str | None = None,
        profile: SiteProfile | None = None,
        full: bool | str = False,
        since: str | None = None,
        revisit_days: int | str = 7,
        stop_after: int | str = 2,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        base = profile or get_profile(site)
        mirror_origins = tuple(m for m in mirrors.split(",") if m)
        if start_url and (start_url.rstrip("/") != base.origin or mirror_origins):
            base = base.rebased(url_origin(start_url), mirror_origins)
        self.profile = base
        # redirects off the site are not followed (Scrapy's offsite middleware reads this)
        hosts = {urlsplit(f"//{netloc}").hostname for netloc in base.site_netlocs}
        self.allowed_domains = sorted(h for h in hosts if h)
        self.start_urls = [start_url] if start_url else base.start_urls()
        self.max_articles = int(max_articles) if max_articles not in (None, "", 0, "0") else None
        self.full = full in (True, "1", "true", "True")
        self.since = date.fromisoformat(since) if since else None
        self.revisit_days = int(revisit_days)
        self.stop_after = int(stop_after)
        self.scheduled_articles: set[str] = set()
        self._classified: dict[str, tuple[UrlKind | None, str]] = {}
        self.reported_aliases: set[str] = set()
        self.known: dict[str, tuple[str | None, str | None]] = {}  # url -> (published, etag)
        self.frontier: list[str] = []
        self.new_frontier: list[str] = []
        self.retries: list[str] = []
        self.failed_discovery: set[str] = set()
        self.archive: Archive | None = None
        # article URLs asked for and not yet answered (response or error), by canonical URL
        self.awaited_articles: set[str] = set()
        self.listing_pages = 0  # listing requests made this run
        self.sitemaps = 0  # sitemap requests made this run
        for name, (_setting, default) in LIMITS.items():
            setattr(self, name, default)

    @classmethod
    def from_crawler(cls, crawler: scrapy.crawler.Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        for name, (setting, default) in LIMITS.items():
            setattr(spider, name, crawler.settings.getint(setting, default))
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    # -- what the archive already has ------------------------------------------------

    def _open_archive(self) -> None:
        owner = archive_of(self.crawler)
        if owner is None or owner.archive is None:
            return
        self.archive = owner.archive  # the run's one connection, held by the extension
        self.known = self.archive.known_articles()
        self.frontier = self.archive.frontier_urls()
        self.retries = self.archive.failed_urls()
        self.failed_discovery = self.archive.discovery_failures()
        self.crawler.stats.set_value("kazscraper/known_articles", len(self.known))
        self.crawler.stats.set_value("kazscraper/frontier_resumed", len(self.frontier))

    def on_closed(self, reason: str) -> None:
        archive = self.archive
        if archive is not None:
            if reason != "finished":  # interrupted: keep what is still to fetch
                self._flush_frontier()
            self.archive = None

    def on_idle(self) -> None:
        """Nothing left to fetch: an article asked for and never answered was dropped by the
        crawl machinery (a duplicate filter, a middleware); it becomes a failure, not a loss."""
        for url in sorted(self.awaited_articles):
            self.crawler.stats.inc_value("kazscraper/articles_unaccounted")
            self._fail(url, "fetch", "no response: the request was dropped unanswered", None)
        self.awaited_articles.clear()

    def _flush_frontier(self) -> None:
        if self.archive is not None and self.new_frontier:
            self._write(self.archive.add_to_frontier, self.new_frontier)
            self.new_frontier = []

    def _write(self, method: Any, *args: Any) -> None:
        """An archive write from the spider; a refused one (disk full) stops the crawl."""
        try:
            method(*args)
        except sqlite3.Error as exc:
            self.archive = None
            stop_on_archive_error(self.crawler, self.settings.get("KAZSCRAPER_DB"), exc)

    # -- discovery -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._open_archive()
        for url in self.frontier:  # found by a run that did not finish
            for request in self.follow(url):
                yield request
        for url in self.retries:  # failed on an earlier run: tried again until stored
            self.crawler.stats.inc_value("kazscraper/failures_retried")
            for request in self.follow(url):
                yield request
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error)
        for url in self.profile.sitemap_urls():
            for request in self._sitemap_request(url, depth=1):
                yield request
        for url in self.profile.feed_urls():
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def _discovery_worked(self, url: str) -> None:
        """A listing or sitemap that failed on an earlier run worked now."""
        if url in self.failed_discovery and self.archive is not None:
            self.failed_discovery.discard(url)
            self._write(self.archive.clear_failure, url)

    def discovery_done(self) -> bool:
        """``max_articles`` articles are scheduled: no more listings, sitemaps or links."""
        return self.max_articles is not None and len(self.scheduled_articles) >= self.max_articles

    def _listing_request(self, url: str, **meta: Any) -> Iterator[scrapy.Request]:
        """A request for a listing page, within the run's limit of listing pages."""
        if self.discovery_done():
            return
        if self.listing_pages >= self.max_listing_pages:
            if not self.crawler.stats.get_value("kazscraper/listing_limit_reached"):
                self.logger.warning(
                    "listing page limit reached (%d, KAZSCRAPER_MAX_LISTING_PAGES): "
                    "no more listing pages this run",
                    self.max_listing_pages,
                )
            self.crawler.stats.inc_value("kazscraper/listing_limit_reached")
            return
        self.listing_pages += 1
        yield scrapy.Request(
            url, callback=self.parse_listing, errback=self.on_error, meta=meta or None
        )

    def _sitemap_request(self, url: str, depth: int) -> Iterator[scrapy.Request]:
        """A request for a sitemap, within the nesting depth and the run's count of sitemaps."""
        if depth > self.sitemap_max_depth:
            reason = f"sitemap index nested deeper than {self.sitemap_max_depth}; not followed"
        elif self.sitemaps >= self.max_sitemaps:
            reason = f"more than {self.max_sitemaps} sitemaps in one run; not followed"
        else:
            self.sitemaps += 1
            yield scrapy.Request(
                url,
                callback=self.parse_sitemap,
                errback=self.on_error,
                meta={"sitemap_depth": depth},
            )
            return
        self._fail(url, "discovery", reason, None)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        if problem := markup_problem(response.text):  # before any selector parses it
            self._fail(response.url, "discovery", problem, response.status)
            return
        self._discovery_worked(response.url)
        if self.discovery_done():
            return
        new = 0
        old_items = 0
        next_pages: list[str] = []
        for url, item_date in self._listing_links(response):
            kind, canonical = self.classify(url)
            if kind == "article":
                if self.since and item_date and item_date < self.since:
                    old_items += 1
                    continue
                if self.discovery_done():
                    return
                new += canonical not in self.known
                yield from self.follow(url)
            elif kind == "listing":
                if _same_listing(url, response.url):
                    next_pages.append(url)
                else:
                    yield from self.follow(url)
        empty_run = 0 if new else response.meta.get("empty_run", 0) + 1
        if self.since and old_items and not new:
            return  # a backfill bounded by date: this page is already older than --since
        if not self.full and empty_run >= self.stop_after:
            self.crawler.stats.inc_value("kazscraper/pagination_stopped")
            return
        current = _page_number(response.url)
        for url in next_pages:
            if self.full or _page_number(url) == current + 1:
                yield from self._listing_request(
                    canonical_url(url, self.profile), empty_run=empty_run
                )

    def _listing_links(self, response: TextResponse) -> Iterator[tuple[str, date | None]]:
        """The links of a listing page (at most ``max_links``), with the date its list item
        shows (if any)."""
        for item in response.css(self.profile.selectors.listing_item) if self.since else ():
            found = find_date_in_text(node_text(item)[:LISTING_DATE_CHARS])
            item_date = date.fromisoformat(found.date) if found else None
            for href in islice(item.css("a::attr(href)").getall(), self.max_links):
                if url := _joined(response, href.strip()):
                    yield url, item_date
        for href in islice(response.css("a::attr(href)").getall(), self.max_links):
            if url := _joined(response, href.strip()):
                yield url, None

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        body, problem = sitemap_body(response.body, self.sitemap_max_bytes)
        if problem:
            self._fail(response.url, "discovery", problem, response.status)
            return
        try:
            sitemap = Sitemap(body)
            entries = list(islice(sitemap, SITEMAP_MAX_ENTRIES))
        except (ValueError, AttributeError, etree.LxmlError) as exc:
            self._fail(response.url, "discovery", f"unreadable sitemap: {exc}", response.status)
            return
        problem = xml_problem(body)
        if not problem:
            self._discovery_worked(response.url)
        else:
            # Scrapy's parser recovers what it can; the entry at the break is not trusted
            entries = entries[:-1]
            reason = f"malformed sitemap XML ({problem}); {len(entries)} entries used"
            self._fail(response.url, "discovery", reason, response.status)
        depth = response.meta.get("sitemap_depth", 1)
        for entry in entries:
            if self.discovery_done():
                return
            loc = entry.get("loc", "").strip()
            if sitemap.type == "sitemapindex":
                if is_site_url(loc, self.profile):
                    yield from self._sitemap_request(loc, depth + 1)
            elif loc and not self._older_than_since(entry.get("lastmod")):
                yield from self.follow(loc)

    def _older_than_since(self, lastmod: str | None) -> bool:
        if not self.since or not lastmod:
            return False
        try:
            return date.fromisoformat(lastmod[:10]) < self.since
        except ValueError:
            return False

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        response.selector.remove_namespaces()
        links = response.xpath("//item/link/text() | //entry/link/@href").getall()
        for link in islice(links, self.max_links):
            if self.discovery_done():
                return
            yield from self.follow(link.strip())

    def classify(self, url: str) -> tuple[UrlKind | None, str]:
        """(kind, canonical URL) of an absolute URL, cached: menus and top-news lists repeat
        the same links on every page."""
        found = self._classified.get(url)
        if found is None:
            if len(self._classified) >= CLASSIFY_CACHE:
                self._classified.clear()
            kind = classify_url(url, self.profile)
            found = kind, canonical_url(url, self.profile) if kind else url
            self._classified[url] = found
        return found

    def follow(self, url: str) -> Iterator[scrapy.Request]:
        """A request for ``url`` if it is one of ours and not yet scheduled or archived."""
        kind, canonical = self.classify(url)
        if kind is None:
            return
        if kind == "listing":
            yield from self._listing_request(canonical)
            return
        self._report_alias(url, canonical)
        if canonical in self.scheduled_articles:
            self.crawler.stats.inc_value("kazscraper/links_deduplicated")
            return
        if self.max_articles is not None and len(self.scheduled_articles) >= self.max_articles:
            return
        self.scheduled_articles.add(canonical)
        headers = {}
        if canonical in self.known:
            published, etag = self.known[canonical]
            if not (self.full or self._in_revisit_window(published)):
                self.crawler.stats.inc_value("kazscraper/known_skipped")
                return
            self.crawler.stats.inc_value("kazscraper/revisits")
            if etag:
                headers["If-None-Match"] = etag
        else:
            self.new_frontier.append(canonical)
            if len(self.new_frontier) >= FRONTIER_FLUSH:
                self._flush_frontier()
        self.awaited_articles.add(canonical)
        yield scrapy.Request(
            canonical,
            callback=self.parse_article,
            errback=self.on_error,
            headers=headers,
            meta={"handle_httpstatus_list": [304], "article_url": canonical},
        )

    def _in_revisit_window(self, published: str | None) -> bool:
        if not published:
            return False
        try:
            day = date.fromisoformat(published[:10])
        except ValueError:
            return False
        return day >= datetime.now(UTC).date() - timedelta(days=self.revisit_days)

    def _report_alias(self, url: str, canonical: str) -> None:
        """Tell the archive about a mirror-host address of an article (once per address)."""
        alias = canonical_url(url, self.profile, map_mirrors=False)
        if alias != canonical and alias not in self.reported_aliases:
            self.reported_aliases.add(alias)
            self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)

    # -- articles --------------------------------------------------------------------

    def parse_article(
        self, response: Response
    ) -> Iterator[PageItem | NotModified | scrapy.Request]:
        self.awaited_articles.discard(response.meta.get("article_url", ""))
        fetched_at = response.meta.get("fetched_at") or datetime.now(UTC).isoformat(
            timespec="seconds"
        )
        hops = response.meta.get("redirect_urls") or []
        if hops and self.classify(response.url)[0] != "article":
            # a deleted article sent to the home page or a category: not an article page
            reason = f"redirected to a page that is not an article: {response.url}"
            self._fail(hops[0], "fetch", reason, response.status)
            return
        if response.status == 304:
            yield NotModified(url=canonical_url(response.url, self.profile), fetched_at=fetched_at)
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if not isinstance(response, TextResponse):
            reason = f"not a text page ({content_type or 'no type'})"
            self._fail(response.url, "fetch", reason, response.status)
            return
        try:
            page = decode_page(response.body, content_type)
        except UndecodablePage as exc:
            self._fail(response.url, "decode", str(exc), response.status)
            return
        # articles link to articles (similar and top news): follow those, not listings
        for href in anchor_hrefs(page.text, self.max_links):
            if self.discovery_done():
                break
            url = _joined(response, href)
            if url and self.classify(url)[0] == "article":
                yield from self.follow(url)
        yield PageItem(
            url=response.url,
            html=page.text,
            status=response.status,
            fetched_at=fetched_at,
            content_type=content_type,
            etag=(response.headers.get(b"ETag") or b"").decode("latin-1"),
            encoding=f"{page.encoding} ({page.note})" if page.note else page.encoding,
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.awaited_articles.discard(request.meta.get("article_url", ""))
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        stage = "fetch" if request.callback == self.parse_article else "discovery"
        hops = request.meta.get("redirect_urls") or []
        if hops:  # the failure belongs to the URL we asked for, not where it redirected
            reason = f"{reason} (after redirects to {request.url})"
        self._fail(hops[0] if hops else request.url, stage, reason, status)

    def _fail(self, url: str, stage: str, reason: str, status: int | None) -> None:
        self.logger.warning("failed %s (%s): %s", url, stage, reason)
        self.crawler.stats.inc_value(f"kazscraper/failures/{stage}")
        self.crawler.signals.send_catch_log(
            page_failed, url=url, stage=stage, reason=reason, http_status=status
        )


def anchor_hrefs(html: str, limit: int = LIMITS["max_links"][1]) -> list[str]:
    """The first ``limit`` distinct ``href`` values of ``<a>`` tags, in page order.

    Read by the HTML parser (linear in the page's size, which the download limit
    caps), never by a regex over the markup: a regex can backtrack for minutes on
    a hostile page (``<a `` repeated).
    """
    if not html.strip():
        return []
    hrefs = (h.strip() for h in Selector(text=html).xpath("//a/@href").getall())
    return list(islice(dict.fromkeys(h for h in hrefs if h), limit))


def sitemap_body(body: bytes, max_bytes: int) -> tuple[bytes, str | None]:
    """The XML of a sitemap response, gunzipped when it is gzip (``.xml.gz``, served with or
    without ``Content-Encoding``), and why it cannot be used (empty, too large), or None."""
    if body[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
        try:
            body = inflater.decompress(body, max_bytes + 1)  # never more than the cap
        except zlib.error as exc:
            return b"", f"unreadable gzipped sitemap: {exc}"
        if len(body) > max_bytes:
            return b"", f"gzipped sitemap larger than {max_bytes} bytes inflated; not read"
    if len(body) > max_bytes:
        return b"", f"sitemap larger than {max_bytes} bytes; not read"
    if not body.strip():
        return b"", "empty sitemap"
    return body, None


def xml_problem(body: bytes) -> str | None:
    """Why ``body`` is not well-formed XML, or None (no entities, no network)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as exc:
        return str(exc)
    return None


def _joined(response: TextResponse, href: str) -> str | None:
    """``response.urljoin(href)``, or None for a link urllib cannot parse (``http://[::1``):
    one bad link is skipped, it does not end the page's callback."""
    try:
        return response.urljoin(href)
    except ValueError:
        return None


def _page_number(url: str) -> int:
    values = parse_qs(urlsplit(url).query).get("page")
    try:
        return int(values[0]) if values else 1
    except ValueError:
        return 1


def _same_listing(url: str, current: str) -> bool:
    """A pagination link: the same listing path as the current page."""
    return urlsplit(url).path.rstrip("/") == urlsplit(current).path.rstrip("/")
