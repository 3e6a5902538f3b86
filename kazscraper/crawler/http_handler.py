"""The HTTP download handler: Scrapy's, with a size cap on a response's headers.

``DOWNLOAD_MAXSIZE`` bounds a response's body only: a server that sends header lines
forever (or one 1 GB ``Set-Cookie``) made the crawl hold them all in memory until the
download timeout (5 s of endless headers: +330 MB). Here the header section is capped
(``KAZSCRAPER_MAX_HEADER_BYTES``, 1 MB; a real page's are under 2 KB) and so is one header
line (Twisted's 16 KB, which before only dropped the connection without a word): past
either, the download fails with ``HeadersTooLarge`` and its URL becomes a failure row
(``response headers larger than 1048576 bytes``), not retried.

Scrapy already swaps the class of Twisted's response parser for its lenient one
(``_LenientHTTP11ClientProtocol.request``); this does the same with a subclass of it.
"""

from __future__ import annotations

from typing import Any

from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from scrapy.crawler import Crawler

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


class _CappedParser(_LenientHTTPClientParser):
    _max_header_bytes = MAX_HEADER_BYTES

    def lineReceived(self, line: bytes) -> None:
        seen = getattr(self, "_header_bytes", 0) + len(line) + 1
        self._header_bytes = seen
        if seen > self._max_header_bytes:
            raise HeadersTooLarge(f"response headers larger than {self._max_header_bytes} bytes")
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:
        raise HeadersTooLarge(f"a response header line longer than {self.MAX_LENGTH} bytes")


class _CappedProtocol(_LenientHTTP11ClientProtocol):
    max_header_bytes = MAX_HEADER_BYTES

    def request(self, request: Any) -> Any:
        deferred = super().request(request)
        assert self._parser is not None
        self._parser.__class__ = _CappedParser
        self._parser._max_header_bytes = self.max_header_bytes  # type: ignore[attr-defined]
        return deferred


class _CappedFactory(_LenientHTTP11ClientFactory):
    max_header_bytes = MAX_HEADER_BYTES

    def buildProtocol(self, addr: Any) -> _CappedProtocol:
        protocol = _CappedProtocol(self._quiescentCallback)
        protocol.max_header_bytes = self.max_header_bytes
        return protocol


class CappedHTTPDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler whose responses' headers are capped in size."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        cap = crawler.settings.getint("KAZSCRAPER_MAX_HEADER_BYTES", MAX_HEADER_BYTES)
        factory: type[_CappedFactory] = type(
            "_Factory", (_CappedFactory,), {"max_header_bytes": cap}
        )
        self._pool._factory = factory
