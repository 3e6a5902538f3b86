"""A sitemap's download cap: the sitemap's own (``KAZSCRAPER_SITEMAP_MAX_BYTES``, 50 MB as
sitemaps.org allows), not a page's (``DOWNLOAD_MAXSIZE``, 10 MB), which cancelled a sitemap
of 50,000 news URLs with their titles and left a first crawl with what its listings found.

Set here, as the request goes to the downloader, not by the spider: a request's
``download_maxsize`` is no meta key a Redis queue carries (``distributed.serializer``)."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler


class SitemapSizeMiddleware:
    """A request for a sitemap (it carries ``sitemap_depth``) may be as large as a sitemap."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SitemapSizeMiddleware:
        return cls(crawler.settings.getint("KAZSCRAPER_SITEMAP_MAX_BYTES"))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if "sitemap_depth" in request.meta and self.max_bytes > 0:
            request.meta["download_maxsize"] = self.max_bytes
