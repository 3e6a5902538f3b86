"""HTTP redirects within the crawl's sites only, and redirect loops that end in an error."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from kazscraper.crawler.config import run_config
from kazscraper.sites import Sites
from kazscraper.sites.url_rules import is_site_url
from kazscraper.urls import urlsplit as safe_urlsplit


def off_site(sites: Sites, url: str) -> bool:
    """True when ``url`` is not on one of the sites' own origins (the canonical host or a
    known mirror, port included): another port of the same host, or a subdomain that is not
    a known mirror, is off the site."""
    if len(sites) > 1:  # several sites: off every one of them
        return sites.for_url(url) is None
    return not is_site_url(url, sites.first)


def site_only(crawler: Crawler, request: Request, result: Request | Response, what: str) -> Any:
    """A redirect (``what``) to another site refused; one within the site not filtered as a
    duplicate, so a loop ends at ``REDIRECT_MAX_TIMES`` with an error instead of vanishing."""
    if isinstance(result, Request) and result is not request:
        if off_site(run_config(crawler.settings).sites, result.url):
            crawler.stats.inc_value("kazscraper/offsite_redirects")
            raise IgnoreRequest(f"{what} off the site refused: {result.url}")
        result.dont_filter = True
    return result


class LoopSafeRedirectMiddleware(RedirectMiddleware):
    """Redirects within the site only, and loops that end in a recorded error.

    A redirect off the site's origins (``off_site``) is refused (IgnoreRequest,
    recorded as a failure of the URL asked for). Redirect hops are not dropped as
    duplicates, so that a loop (A → B → A) ends at ``REDIRECT_MAX_TIMES`` with an
    error, instead of vanishing silently when the duplicate filter drops the hop
    back to A.
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        redirecting = response.status in (301, 302, 303, 307, 308)  # as Scrapy's (not 304)
        location = response.headers.get(b"Location") if redirecting else None
        if location and not request.meta.get("dont_redirect"):
            # Scrapy hands a redirect to file:, data:, ftp: back as the 3xx response
            # ('HTTP 302'); it is a redirect off the site like any other, and said so
            target = location.decode("latin-1").strip()
            if safe_urlsplit(target).scheme.lower() not in ("", "http", "https"):
                self.crawler.stats.inc_value("kazscraper/offsite_redirects")
                raise IgnoreRequest(f"redirect off the site refused: {target[:200]}")
        result = super().process_response(request, response)
        return site_only(self.crawler, request, result, "redirect")
