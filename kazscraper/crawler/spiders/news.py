"""The news spider: discovery and fetching only, driven by the crawl's site profiles.

A crawl has one site or several (``Sites``, ``crawl --site``): each URL is judged by
the profile of the site whose host it is on, and a URL of no site of the crawl is not
followed. It starts from each site's home page (or start URL), sitemap (and those its
robots.txt names) and RSS feed, follows the listing pages (categories and their numbered
pagination, by query or by ``/page/N/`` path) and the article links on article pages,
and yields one ``PageItem`` per article page (with ``crawl --workers``, a ``PreparedCapture``:
the page read and extracted in a worker of the pipelines' extraction pool, its links sent
back). It extracts no fields itself (that is the pipelines' job) and decides nothing itself:
every link it reads goes to its ``Frontier`` (``kazscraper.crawler.frontier``), whose
``Decision`` says whether to fetch it, at which canonical address and with
which headers; the spider turns decisions into Scrapy requests, counts them in
the crawl stats and forwards what must be written (the frontier's new URLs,
cleared and new failures, mirror aliases) to the run's archive owner
(``kazscraper.crawler.archive_owner``) and its signals.

The rules live in the frontier: incremental crawls (archived articles
revisited only inside ``revisit_days``, with a conditional GET; pagination
walked until ``stop_after`` pages in a row bring nothing new; ``full``;
``since``), ``max_articles`` and the discovery limits (``KAZSCRAPER_MAX_*``
settings). What stays here is reading pages: links of listings (with the date
their list item shows, for ``since``), sitemaps (gzipped ones inflated up to
``KAZSCRAPER_SITEMAP_MAX_BYTES``, malformed ones used up to the break), feeds,
and article pages. Every article URL asked for ends the run as an article or a
recorded failure: one the crawl machinery dropped without an answer is
recorded when the crawl goes idle.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from kazscraper.crawler.archive_owner import ArchiveExtension, archive_of
from kazscraper.crawler.config import RunConfig, run_config
from kazscraper.crawler.frontier import (
    Decision,
    Frontier,
    Limits,
    ListingPage,
    listing_item_date,
)
from kazscraper.crawler.middlewares.robots import robots_sitemaps
from kazscraper.crawler.pipelines.extract_pool import (
    ExtractWorkers,
    PreparedCapture,
    WorkerDied,
    prepare_capture,
)
from kazscraper.crawler.signals import alias_found, page_failed
from kazscraper.crawler.sitemap import SitemapLimits, SitemapReader, feed_links
from kazscraper.extract.blocks import node_text
from kazscraper.intake.links import anchor_hrefs
from kazscraper.intake.markup import markup_problem
from kazscraper.intake.page import Refused, header_pairs, page_item
from kazscraper.items import NotModified, PageItem
from kazscraper.sites.url_rules import UrlKind, canonical_url


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(self, config: RunConfig, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.config = config
        # the spider's own shorthands for its config
        self.sites = config.sites
        self.profile = config.profile  # the main site (a one-site crawl's only one)
        # redirects off the sites are not followed (Scrapy's offsite middleware reads this)
        hosts = {
            urlsplit(f"//{netloc}").hostname
            for p in self.sites.profiles
            for netloc in p.site_netlocs
        }
        self.allowed_domains = sorted(h for h in hosts if h)
        self.start_urls = config.start_urls
        self.rules = config.rules
        self.frontier = Frontier(self.sites, self.rules)
        self.owner: ArchiveExtension | None = None  # the run's archive owner; asked, never bypassed
        self._article_limit_logged = False  # KAZSCRAPER_MAX_ARTICLES_PER_RUN warned about
        self._sitemaps_asked: set[str] = set()  # sitemaps of the start and of robots.txt

    @classmethod
    def from_crawler(cls, crawler: scrapy.crawler.Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        """The spider of the run configured in the crawler's settings (``RunConfig``)."""
        spider = super().from_crawler(crawler, run_config(crawler.settings), *args, **kwargs)
        spider.frontier.limits = Limits.from_settings(crawler.settings.getint)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(spider.on_robots_parsed, signal=signals.robots_parsed)
        return spider

    # -- what the archive already has ------------------------------------------------

    def _open_archive(self) -> None:
        owner = archive_of(self.crawler)
        state = owner.crawl_state() if owner is not None else None
        if owner is None or state is None:
            return
        self.owner = owner  # the spider asks the owner; it holds no connection of its own
        self.frontier.load(state)
        owner.account_for(self.frontier.scheduled)  # checked against the archive at the end
        self.crawler.stats.set_value("kazscraper/known_articles", len(state.known))
        self.crawler.stats.set_value("kazscraper/frontier_resumed", len(state.frontier))

    def on_closed(self, reason: str) -> None:
        if self.owner is not None:
            if reason != "finished":  # interrupted: keep what is still to fetch
                self._flush_frontier(everything=True)
            self.owner = None

    def on_idle(self) -> None:
        """Nothing left to fetch: an article asked for and never answered was dropped by the
        crawl machinery (a duplicate filter, a middleware); it becomes a failure, not a loss."""
        for url in self.frontier.unanswered():
            self.crawler.stats.inc_value("kazscraper/articles_unaccounted")
            self._fail(url, "fetch", "no response: the request was dropped unanswered", None)

    def on_spider_error(self, failure: Failure, response: Response, spider: Any = None) -> None:
        """A callback (or a spider middleware after it) that raised on an article page: the
        page never became an item, and its URL (answered already) would end with nothing;
        it is a failure with the error instead (stage ``spider``), retried next run."""
        try:
            asked = response.meta.get("article_url")
        except AttributeError:  # a response tied to no request
            return
        if not asked:
            return
        self.crawler.stats.inc_value("kazscraper/spider_errors")
        hops = response.meta.get("redirect_urls")
        error = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:500]
        url, reason = redirected_failure(hops, response.url, error)
        self._fail(url, "spider", reason, response.status)

    def _flush_frontier(self, everything: bool = False) -> None:
        batch = self.frontier.new_urls(everything)
        if self.owner is not None and batch:
            self.owner.add_to_frontier(batch)

    # -- discovery -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._open_archive()
        for url in self.frontier.resumed:  # found by a run that did not finish
            for request in self.follow(url):
                yield request
        for url in self.frontier.retries:  # failed on an earlier run: tried again until stored
            self.crawler.stats.inc_value("kazscraper/failures_retried")
            for request in self.follow(url):
                yield request
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error)
        for profile in self.sites.profiles:
            for url in profile.sitemap_urls():
                if url not in self._sitemaps_asked:  # robots.txt may have named it already
                    self._sitemaps_asked.add(url)
                    for request in self.requests(self.frontier.sitemap(url)):
                        yield request
        for profile in self.sites.profiles:
            for url in profile.feed_urls():
                yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """A site's robots.txt was read: the sitemaps its ``Sitemap:`` lines name (WordPress's
        ``/wp-sitemap.xml``, Yoast's ``/sitemap_index.xml``) are read too, those on a site of
        the crawl, once each (at most ``KAZSCRAPER_MAX_LINKS_PER_PAGE``)."""
        engine = self.crawler.engine
        if engine is None or self.discovery_done():
            return
        for url in islice(robots_sitemaps(robotparser), self.frontier.limits.max_links):
            if url in self._sitemaps_asked or self.sites.for_url(url) is None:
                continue
            self._sitemaps_asked.add(url)
            self.crawler.stats.inc_value("kazscraper/robots_sitemaps")
            for sitemap in self.requests(self.frontier.sitemap(url)):
                engine.crawl(sitemap)

    def _discovery_worked(self, url: str) -> None:
        """A listing or sitemap that failed on an earlier run worked now."""
        if self.frontier.discovery_worked(url) and self.owner is not None:
            self.owner.clear_failure(url)

    def discovery_done(self) -> bool:
        """``max_articles`` articles are scheduled: no more listings, sitemaps or links."""
        return self.frontier.discovery_done()

    def requests(self, decision: Decision) -> Iterator[scrapy.Request]:
        """The request a frontier decision asks for (none for a skip), its counters and
        signals: an alias to report, a sitemap refused by the limits to record as failed."""
        if decision.alias:
            self.crawler.signals.send_catch_log(
                alias_found, url=decision.alias, canonical=decision.url
            )
        if decision.event:
            self.crawler.stats.inc_value(f"kazscraper/{decision.event}")
            if (
                decision.event == "listing_limit_reached"
                and self.frontier.counts[decision.event] == 1
            ):
                self.logger.warning(
                    "listing page limit reached (%d, KAZSCRAPER_MAX_LISTING_PAGES): "
                    "no more listing pages this run",
                    self.frontier.limits.max_listing_pages,
                )
        if decision.failure:
            self._fail(decision.url, "discovery", decision.reason, None)
        if not decision.fetch:
            return
        if decision.kind == "article":
            self._flush_frontier()
            if self.frontier.counts["article_limit_reached"] and not self._article_limit_logged:
                self._article_limit_logged = True
                self.crawler.stats.set_value("kazscraper/article_limit_reached", 1)
                self.logger.warning(
                    "article limit reached (%d requests, KAZSCRAPER_MAX_ARTICLES_PER_RUN): "
                    "no more discovery this run; the next run goes on from here",
                    self.frontier.limits.max_articles_per_run,
                )
            yield scrapy.Request(
                decision.ask or self.frontier.request_url(decision.url),
                callback=self.parse_article,
                errback=self.on_error,
                headers=dict(decision.headers),
                meta={
                    "handle_httpstatus_list": [304],
                    "article_url": decision.url,
                    **({"listing_too": True} if decision.listing_too else {}),
                },
            )
        elif decision.kind == "listing":
            yield scrapy.Request(
                decision.ask or decision.url,
                callback=self.parse_listing,
                errback=self.on_error,
                meta={"empty_run": decision.empty_run},
            )
        else:
            yield scrapy.Request(
                decision.url,
                callback=self.parse_sitemap,
                errback=self.on_error,
                meta={"sitemap_depth": decision.depth},
            )

    def follow(self, url: str) -> Iterator[scrapy.Request]:
        """A request for ``url`` if it is one of ours and not yet scheduled or archived."""
        return self.requests(self.frontier.decide(url))

    def classify(self, url: str) -> tuple[UrlKind | None, str]:
        """(kind, canonical URL) of an absolute URL (cached by the frontier)."""
        return self.frontier.classify(url)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        if problem := markup_problem(response.text):  # before any selector parses it
            self._fail(response.url, "discovery", problem, response.status)
            return
        self._discovery_worked(response.url)
        if hops := response.meta.get("redirect_urls"):  # a trailing slash the site drops
            self.frontier.learn_redirect(hops[0], response.url)
        yield from self._walk_listing(response)

    def _walk_listing(self, response: TextResponse) -> Iterator[scrapy.Request]:
        """The requests a listing page's links and pagination ask for."""
        if self.discovery_done():
            return
        page = ListingPage(response.url, empty_run=response.meta.get("empty_run", 0))
        for url, item_date in self._listing_links(response):
            decision = self.frontier.listing_link(page, url, item_date)
            if decision.stop:
                return
            yield from self.requests(decision)
        for decision in self.frontier.listing_next(page):
            yield from self.requests(decision)

    def _listing_links(self, response: TextResponse) -> Iterator[tuple[str, date | None]]:
        """The links of a listing page (at most ``max_links``), with the date its list item
        shows (read only for ``--since``); a link given with its item's date is not given
        again undated."""
        max_links = self.frontier.limits.max_links
        dated: set[str] = set()
        join = _joiner(response)
        listing_item = self.sites.profile_of(response.url).selectors.listing_item
        for item in response.css(listing_item) if self.rules.since and listing_item else ():
            item_date = listing_item_date(node_text(item))
            for href in islice(item.css("a::attr(href)").getall(), max_links):
                url = join(href.strip())
                if url is None:
                    continue
                if item_date and len(dated) < max_links:
                    dated.add(url)
                yield url, item_date
        for href in islice(response.css("a::attr(href)").getall(), max_links):
            url = join(href.strip())
            if url is not None and url not in dated:
                yield url, None

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """The sitemap's entries, read streaming as they are scheduled (``SitemapReader``:
        flat memory whatever the file holds)."""
        limits = self.frontier.limits
        sitemap = SitemapReader(
            response.body,
            SitemapLimits(
                max_bytes=limits.sitemap_max_bytes,
                max_elements=limits.sitemap_max_elements,
                max_loc=limits.sitemap_max_loc,
            ),
        )
        depth = response.meta.get("sitemap_depth", 1)
        for entry in sitemap:
            index = sitemap.kind == "sitemapindex"
            loc = entry.get("loc", "")
            decision = self.frontier.sitemap_entry(loc, entry.get("lastmod"), index, depth)
            if decision.stop:
                break  # discovery is done: the rest of the file is not read
            yield from self.requests(decision)
        self._sitemap_read(response, sitemap)

    def _sitemap_read(self, response: Response, sitemap: SitemapReader) -> None:
        """What reading the sitemap found: a failure row for one refused or malformed (the
        entries before the break were used), the count of locs too long, or that it worked."""
        if sitemap.too_long:
            self.crawler.stats.inc_value("kazscraper/sitemap_locs_too_long", sitemap.too_long)
        if sitemap.refused:
            self._fail(response.url, "discovery", sitemap.refused, response.status)
        elif sitemap.problem:
            reason = f"malformed sitemap XML ({sitemap.problem}); {sitemap.entries} entries used"
            if sitemap.problem.startswith("more than"):
                reason = f"sitemap of {sitemap.problem}; {sitemap.entries} entries used"
            self._fail(response.url, "discovery", reason, response.status)
        else:
            self._discovery_worked(response.url)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        limits = self.frontier.limits
        for link in feed_links(response.text, limits.max_links, limits.sitemap_max_elements):
            decision = self.frontier.link(link)
            if decision.stop:
                return
            yield from self.requests(decision)

    # -- articles --------------------------------------------------------------------

    def parse_article(
        self, response: Response
    ) -> Iterator[PageItem | NotModified | scrapy.Request] | AsyncIterator[Any]:
        """An article page: its links followed (article links only), then its item. With
        ``crawl --workers`` the page's intake, links and extraction are one call to the
        extraction pool (``_article_in_pool``): this process only joins the links and asks
        the frontier."""
        self.frontier.answered(response.meta.get("article_url", ""))
        fetched_at = response.meta.get("fetched_at") or datetime.now(UTC).isoformat(
            timespec="seconds"
        )
        hops = response.meta.get("redirect_urls") or []
        if hops and self.classify(response.url)[0] != "article":
            # a deleted article sent to the home page or a category: not an article page
            reason = f"redirected to a page that is not an article: {response.url}"
            self._fail(hops[0], "fetch", reason, response.status)
            return iter(())
        if response.status == 304:
            profile = self.sites.profile_of(response.url)
            return iter(
                (NotModified(url=canonical_url(response.url, profile), fetched_at=fetched_at),)
            )
        pool = None if response.meta.get("listing_too") else self._pool()
        if pool is not None:
            return self._article_in_pool(pool, response, fetched_at, hops)
        return self._article_here(response, fetched_at, hops)

    def _pool(self) -> ExtractWorkers | None:
        """The run's extraction pool (``crawl --workers``), if it has one."""
        # imported here: the pipelines' records module imports this one
        from kazscraper.crawler.pipelines.extract import extract_workers, extraction_pool

        if not extract_workers(self.crawler.settings):
            return None
        return extraction_pool(self.crawler)

    def _article_here(
        self, response: Response, fetched_at: str, hops: list[str]
    ) -> Iterator[PageItem | scrapy.Request]:
        """An article page read in this process (no ``--workers``, or a contested page)."""
        headers = header_pairs(response.headers)
        page = page_item(response.url, headers, response.body, fetched_at, response.status)
        if isinstance(page, Refused):
            self._refused(page, hops, response.status)
            return
        self._landed(page, response, hops)
        if response.meta.get("listing_too") and isinstance(response, TextResponse):
            # an article by the learned pattern, a listing by the URL rules: its links are
            # walked as a listing's, so a pattern too broad loses no article
            self.crawler.stats.inc_value("kazscraper/contested_articles")
            yield from self._walk_listing(response)
            yield page
            return
        # articles link to articles (similar and top news): follow those, not listings
        yield from self._article_links(
            response, anchor_hrefs(page.html, self.frontier.limits.max_links)
        )
        yield page

    async def _article_in_pool(
        self, pool: ExtractWorkers, response: Response, fetched_at: str, hops: list[str]
    ) -> AsyncIterator[PreparedCapture | scrapy.Request]:
        """An article page read in a worker of the extraction pool: the intake, its links
        and its extraction in one call (``prepare_capture``, as reparse's pages); the same
        failures, requests and item as ``_article_here``, the item a ``PreparedCapture``
        the extract stage takes as extracted. A page that kills its worker is read here
        (its links are followed) and becomes the extract stage's failure row."""
        site = self.sites.profile_of(response.url).label if len(self.sites) > 1 else ""
        headers = header_pairs(response.headers)
        limit = self.frontier.limits.max_links
        try:
            prepared = await pool.call(
                prepare_capture, response.url, headers, response.body, fetched_at,
                response.status, site, True, limit,
            )  # fmt: skip
        except WorkerDied as exc:
            page = page_item(response.url, headers, response.body, fetched_at, response.status)
            prepared = PreparedCapture(page, error=exc)
            if isinstance(page, PageItem):
                page.site = site
                prepared.hrefs = anchor_hrefs(page.html, limit)
                page.html = ""
        page = prepared.page
        if isinstance(page, Refused):
            self._refused(page, hops, response.status)
            return
        self._landed(page, response, hops)
        for request in self._article_links(response, prepared.hrefs):
            yield request
        prepared.hrefs = []  # read: not carried through the pipelines
        yield prepared

    def _refused(self, page: Refused, hops: list[str], status: int) -> None:
        # the URL asked for is the one to account for, not where it redirected
        asked, reason = redirected_failure(hops, page.url, page.reason)
        self._fail(asked, page.stage, reason, status)

    def _landed(self, page: PageItem, response: Response, hops: list[str]) -> None:
        """An article page read: its site's label, and what its redirects taught."""
        if len(self.sites) > 1:  # the pipelines read it by its site (one site: the crawl's)
            page.site = self.sites.profile_of(response.url).label
        if hops:  # the URL asked for is an alias of the article it redirected to
            self.frontier.learn_redirect(hops[0], response.url)
            if learned := self.frontier.counts["trailing_slash_learned"]:
                self.crawler.stats.set_value("kazscraper/trailing_slash_learned", learned)
            self._alias_of_redirect(hops[0], response.url)

    def _article_links(self, response: Response, hrefs: list[str]) -> Iterator[scrapy.Request]:
        """The requests an article page's links ask for: other articles only."""
        join = _joiner(response)
        for href in hrefs:
            url = join(href)
            if url is None:
                continue
            decision = self.frontier.link(url, articles_only=True)
            if decision.stop:
                break
            yield from self.requests(decision)

    def _alias_of_redirect(self, asked: str, landed: str) -> None:
        """An article URL that redirected to another article of a site of the crawl: the
        URL asked for (the one scheduled, and accounted for) is an alias of the one stored."""
        if self.sites.for_url(landed) is None and len(self.sites) > 1:
            return  # not on a site of the crawl (the redirect middleware refuses those)
        alias = canonical_url(asked, self.sites.profile_of(asked))
        canonical = canonical_url(landed, self.sites.profile_of(landed))
        if alias != canonical:
            self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.frontier.answered(request.meta.get("article_url", ""))
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.crawler.stats.inc_value("kazscraper/robots_disallowed")
            if request.meta.get("article_url") or "empty_run" in request.meta:
                # a link the site asks us not to follow: counted, not a failure to retry
                # every run (a start URL, sitemap or feed refused stays a failure row)
                if self.owner is not None and request.meta.get("article_url"):
                    self.owner.excuse(request.meta["article_url"])
                return
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        stage = "fetch" if request.callback == self.parse_article else "discovery"
        if status in (404, 410) and self._guessed_sitemap(request):
            # a site with no /sitemap.xml: the generic crawl's guess, not a failure
            self.crawler.stats.inc_value("kazscraper/sitemap_missing")
            return
        # the failure belongs to the URL we asked for, not where it redirected; the reason
        # says where it landed
        url, reason = redirected_failure(request.meta.get("redirect_urls"), request.url, reason)
        url = request.meta.get("article_url") or url  # the article's, not a slashed twin's
        self._fail(url, stage, reason, status)

    def _guessed_sitemap(self, request: scrapy.Request) -> bool:
        """A generic site's first sitemap: a path we guessed, the site never named it."""
        profile = self.sites.profile_of(request.url)
        return (
            request.callback == self.parse_sitemap
            and profile.name == "generic"
            and request.url in profile.sitemap_urls()
        )

    def _fail(self, url: str, stage: str, reason: str, status: int | None) -> None:
        self.logger.warning("failed %s (%s): %s", url, stage, reason)
        self.crawler.stats.inc_value(f"kazscraper/failures/{stage}")
        self.crawler.signals.send_catch_log(
            page_failed, url=url, stage=stage, reason=reason, http_status=status
        )


def redirected_failure(hops: Sequence[str] | None, landed: str, reason: str) -> tuple[str, str]:
    """(URL, reason) of a failure met at ``landed``: after redirects (``hops``, the URLs
    redirected from, first the one asked for) it is the URL asked for that failed, and the
    reason says where the redirects led."""
    if not hops:
        return landed, reason
    return hops[0], f"{reason} (after redirects to {landed})"


def _joiner(response: Response) -> Callable[[str], str | None]:
    """``response.urljoin`` for each link of ``response``, its base read once, or None for
    a link urllib cannot parse (``http://[::1``): one bad link is skipped, it does not end
    the page's callback.

    A link whose join depends only on the base's scheme and host (``/path``, ``http://…``:
    menus and top-news lists repeat them on every page) is joined once per host
    (``_ROOTED_JOINS``); any other each time."""
    try:
        base = get_base_url(response) if isinstance(response, TextResponse) else response.url
    except ValueError:  # a <base href> urllib cannot parse: every join fails, as urljoin's
        return lambda href: None
    try:
        parts = urlsplit(base)
        host: tuple[str, str] | None = (parts.scheme, parts.netloc)
    except ValueError:
        host = None

    def join(href: str) -> str | None:
        try:
            if host is None or not _ROOTED.match(href):
                return urljoin(base, href)
            key = (*host, href)
            joined = _ROOTED_JOINS.get(key)
            if joined is None:
                if len(_ROOTED_JOINS) >= _ROOTED_JOINS_MAX:
                    _ROOTED_JOINS.clear()
                joined = _ROOTED_JOINS[key] = urljoin(base, href)
            return joined
        except ValueError:
            return None

    return join


# a link whose join with a base reads only the base's scheme and host: a path from the root
# (not ``//host``), or a URL with an http(s) scheme; not one with a tab or a line break,
# which urllib removes before it reads the link (``/\t/host`` is ``//host``). One class
# to the end: it cannot backtrack
_ROOTED = re.compile(r"(?:/(?!/)|https?://)[^\t\n\r]*\Z", re.IGNORECASE)
# (base scheme, base host, link) -> the joined URL; emptied when full
_ROOTED_JOINS: dict[tuple[str, str, str], str] = {}
_ROOTED_JOINS_MAX = 8192
