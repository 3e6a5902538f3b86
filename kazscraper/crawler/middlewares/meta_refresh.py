"""Meta refresh, under the same rules as HTTP redirects (within the sites only)."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import get_meta_refresh

from kazscraper.crawler.middlewares.redirect import site_only


class SiteMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Meta refresh, under the same rules as HTTP redirects (``LoopSafeRedirectMiddleware``).

    A refresh to the page itself (a page that reloads every few minutes) is not a
    redirect: the page is the response. A refresh off the site is refused with a
    recorded reason; a loop ends at ``REDIRECT_MAX_TIMES``. A refresh to a
    ``javascript:`` URL is not followed (Scrapy's rule): the page is the response.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.ignore_tags = settings.getlist("METAREFRESH_IGNORE_TAGS")  # as Scrapy reads them

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if isinstance(response, HtmlResponse):
            _interval, url = get_meta_refresh(response, ignore_tags=self.ignore_tags)
            if url and (
                urldefrag(url)[0] == urldefrag(request.url)[0]
                or urlsplit(url).scheme.lower() not in ("http", "https")
            ):
                return response
        result = super().process_response(request, response)
        return site_only(self.crawler, request, result, "meta refresh")
