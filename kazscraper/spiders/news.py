"""The news spider: discovery and fetching only, driven by a site profile.

It starts from the profile's home page, sitemap and RSS feed, follows the
listing pages (categories and their numbered pagination) and yields one
``PageItem`` per article page. Every link is canonicalised before it is
requested, so an article reachable from several listings, the sitemap, the
mirror host or with tracking parameters is fetched once. It extracts no
fields: that is the pipelines' job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from kazscraper.clean.urls import canonical_url, classify_url
from kazscraper.items import PageItem
from kazscraper.signals import alias_found, page_failed
from kazscraper.sites import SiteProfile, get_profile


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        site: str = "qazdauiri",
        start_url: str | None = None,
        mirrors: str = "",
        max_articles: int | str | None = None,
        profile: SiteProfile | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        base = profile or get_profile(site)
        mirror_origins = tuple(m for m in mirrors.split(",") if m)
        if start_url and (start_url.rstrip("/") != base.origin or mirror_origins):
            base = base.rebased(_origin_of(start_url), mirror_origins)
        self.profile = base
        self.start_urls = [start_url] if start_url else base.start_urls()
        self.max_articles = int(max_articles) if max_articles not in (None, "", 0, "0") else None
        self.scheduled_articles: set[str] = set()
        self.reported_aliases: set[str] = set()

    # -- discovery -------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse_listing, errback=self.on_error)
        for url in self.profile.sitemap_urls():
            yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)
        for url in self.profile.feed_urls():
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        for href in response.css("a::attr(href)").getall():
            yield from self.follow(response.urljoin(href.strip()))

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        try:
            sitemap = Sitemap(response.body)
        except ValueError as exc:
            self._fail(response.url, "discovery", f"unreadable sitemap: {exc}", response.status)
            return
        for entry in sitemap:
            loc = entry.get("loc", "").strip()
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_sitemap, errback=self.on_error)
            elif loc:
                yield from self.follow(loc)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        if not isinstance(response, TextResponse):
            return
        response.selector.remove_namespaces()
        for link in response.xpath("//item/link/text() | //entry/link/@href").getall():
            yield from self.follow(link.strip())

    def follow(self, url: str) -> Iterator[scrapy.Request]:
        kind = classify_url(url, self.profile)
        if kind is None:
            return
        canonical = canonical_url(url, self.profile)
        if kind == "listing":
            yield scrapy.Request(canonical, callback=self.parse_listing, errback=self.on_error)
            return
        self._report_alias(url, canonical)
        if canonical in self.scheduled_articles:
            self.crawler.stats.inc_value("kazscraper/links_deduplicated")
            return
        if self.max_articles is not None and len(self.scheduled_articles) >= self.max_articles:
            return
        self.scheduled_articles.add(canonical)
        yield scrapy.Request(
            canonical,
            callback=self.parse_article,
            errback=self.on_error,
        )

    def _report_alias(self, url: str, canonical: str) -> None:
        """Tell the archive about a mirror-host address of an article (once per address)."""
        alias = canonical_url(url, self.profile, map_mirrors=False)
        if alias != canonical and alias not in self.reported_aliases:
            self.reported_aliases.add(alias)
            self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)

    # -- articles --------------------------------------------------------------------

    def parse_article(self, response: Response) -> Iterator[PageItem]:
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        if not isinstance(response, TextResponse):
            content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
            self._fail(
                response.url,
                "fetch",
                f"not a text page ({content_type or 'no type'})",
                response.status,
            )
            return
        yield PageItem(
            url=response.url,
            html=response.text,
            status=response.status,
            fetched_at=fetched_at,
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1"),
        )

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        stage = "fetch" if request.callback == self.parse_article else "discovery"
        self._fail(request.url, stage, reason, status)

    def _fail(self, url: str, stage: str, reason: str, status: int | None) -> None:
        self.logger.warning("failed %s (%s): %s", url, stage, reason)
        self.crawler.stats.inc_value(f"kazscraper/failures/{stage}")
        self.crawler.signals.send_catch_log(
            page_failed, url=url, stage=stage, reason=reason, http_status=status
        )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
