"""The HTTP download handler: Scrapy's, with a size cap on a response's headers.

``DOWNLOAD_MAXSIZE`` bounds a response's body only: a server that sends header lines
forever (or one 1 GB ``Set-Cookie``) would make the crawl hold them all in memory until
the download timeout. Here the header section is capped (``KAZSCRAPER_MAX_HEADER_BYTES``,
1 MB; a real page's are under 2 KB) and so is one header line (Twisted's 16 KB, which
alone only drops the connection without a word): past either, the download fails with
``HeadersTooLarge`` and its URL becomes a failure row (``response headers larger than
1048576 bytes``), not retried. Scrapy has no hook for this: the parser is swapped in
``kazscraper.compat``.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler

from kazscraper.compat import cap_response_headers

MAX_HEADER_BYTES = 1024 * 1024  # of a response's status line and headers


class HeadersTooLarge(Exception):
    """A response whose header section (or one header line) is over the cap."""


def headers_too_large(exception: BaseException) -> HeadersTooLarge | None:
    """The ``HeadersTooLarge`` a download failure wraps (Scrapy's ``DownloadFailedError``
    from Twisted's ``ResponseFailed``), or None."""
    cause = exception.__cause__
    for reason in getattr(cause, "reasons", None) or ():
        if isinstance(reason.value, HeadersTooLarge):
            return reason.value
    return None


class CappedHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose responses' headers are capped in size."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cap = crawler.settings.getint("KAZSCRAPER_MAX_HEADER_BYTES", MAX_HEADER_BYTES)
        cap_response_headers(self, cap, HeadersTooLarge)
