"""Every use of another library's private API, in one place, each tested against upstream.

Where Scrapy (or Twisted) offers no public hook for what kazscraper needs, the private
names it relies on are used here only; ``tests/test_compat.py`` has a test per use that
fails when the upstream internal changes, so an upgrade breaks a named test instead of
a crawl.

- A cap on a response's header section: Scrapy's HTTP/1.1 handler builds its connection
  pool's protocols with a private factory (``HTTPConnectionPool._factory``,
  ``_LenientHTTP11ClientFactory``), whose protocol swaps the class of Twisted's response
  parser for its lenient one after ``request()`` (``HTTP11ClientProtocol._parser``,
  ``_LenientHTTP11ClientProtocol``, ``_LenientHTTPClientParser``). There is no setting
  or hook for the parser: ``cap_response_headers`` does the same swap with a subclass
  that counts the header bytes.
- Undoing a response's ``Content-Encoding`` as the crawl does: Scrapy's
  ``HttpCompressionMiddleware`` decodes with private static methods (``_split_encodings``,
  ``_decode``, over ``scrapy.utils._compression``) and raises the private
  ``_DecompressionMaxSizeExceeded`` past its size cap; ``decode_content`` runs that same
  path for the WARC replay (``kazscraper reparse``), so a capture reads back as it was read.
- A cap on a WARC record's header lines: warcio's ``ArchiveIterator`` offers no hook for
  its reader; it reads through ``iterator.reader`` (a ``DecompressingBufferedReader``, an
  undocumented attribute), header lines by ``readline`` and payloads by ``read``.
  ``swap_archive_reader`` swaps that reader's class for a subclass that counts the lines.
- A request as scrapy-redis's queues store it: its scheduler keeps requests in flight
  itself, so it encodes them as the queue does (``Base._encode_request``):
  ``encode_request`` (it decodes them with Scrapy's public ``request_from_dict``, checked first).
- Closing a spider whose items come from ``start()`` (``kazscraper reparse``): Scrapy's
  ``Scraper.close_spider_async`` waits for its slot to be idle, and re-checks that only when
  a *response* is done (``Scraper._check_if_closing`` in ``enqueue_scrape``), not when an
  item of ``start()`` is (``start_itemproc_async``; scrapy/scrapy#7029). A SIGTERM while
  such items were in the pipelines left the scraper waiting for ever, idle. The engine
  builds its ``Scraper`` itself (no setting names the class): ``close_after_start_items``
  swaps the class of ``engine.scraper`` for a subclass that re-checks after each item.
- Holding a download slot (``Retry-After``): Scrapy delays a slot's queue by a timer of its
  own (``Slot.latercall``, fired into ``Downloader._latercall``, which runs the queue);
  ``hold_download_slot`` sets that timer for the hold, so the slot starts nothing until
  then, and moves ``Slot.lastseen`` so the slot's delay counts from the hold's end and the
  slot is not collected as idle meanwhile (``Downloader._slot_gc``).
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy import Request
from scrapy.core.downloader import Downloader, Slot
from scrapy.core.downloader.handlers.http11 import (
    HTTP11DownloadHandler,
    _LenientHTTP11ClientFactory,
    _LenientHTTP11ClientProtocol,
    _LenientHTTPClientParser,
)
from scrapy.core.scraper import Scraper
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Response
from scrapy.utils._compression import _DecompressionMaxSizeExceeded
from scrapy.utils.asyncio import call_later
from twisted.python.failure import Failure
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

#: what ``decode_content`` raises when the decoded body passes its cap (a ValueError)
DecodedTooLarge = _DecompressionMaxSizeExceeded


class _CappedParser(_LenientHTTPClientParser):
    """Scrapy's lenient response parser, failing past ``max_header_bytes`` of headers."""

    max_header_bytes = 0
    error: type[Exception] = ValueError

    def lineReceived(self, line: bytes) -> None:
        seen = getattr(self, "_header_bytes", 0) + len(line) + 1
        self._header_bytes = seen
        if seen > self.max_header_bytes:
            raise self.error(f"response headers larger than {self.max_header_bytes} bytes")
        super().lineReceived(line)

    def lineLengthExceeded(self, line: bytes) -> None:
        raise self.error(f"a response header line longer than {self.MAX_LENGTH} bytes")


class _CappedProtocol(_LenientHTTP11ClientProtocol):
    """Scrapy's lenient protocol, whose parser is a ``parser`` (a ``_CappedParser``)."""

    parser: type[_CappedParser] = _CappedParser

    def request(self, request: Any) -> Any:
        deferred = super().request(request)
        assert self._parser is not None
        self._parser.__class__ = self.parser  # as Scrapy swaps in its lenient parser
        return deferred


class _CappedFactory(_LenientHTTP11ClientFactory):
    """Scrapy's lenient factory, building ``protocol`` protocols."""

    protocol_class: type[_CappedProtocol] = _CappedProtocol

    def buildProtocol(self, addr: Any) -> _CappedProtocol:
        return self.protocol_class(self._quiescentCallback)


def cap_response_headers(
    handler: HTTP11DownloadHandler, max_bytes: int, error: type[Exception]
) -> None:
    """Make ``handler``'s responses fail with ``error`` once their status line and headers
    pass ``max_bytes`` (or one header line passes Twisted's ``MAX_LENGTH``, 16 KB)."""
    parser: type[_CappedParser] = type(
        "_Parser", (_CappedParser,), {"max_header_bytes": max_bytes, "error": error}
    )
    protocol: type[_CappedProtocol] = type("_Protocol", (_CappedProtocol,), {"parser": parser})
    factory: type[_CappedFactory] = type(
        "_Factory", (_CappedFactory,), {"protocol_class": protocol}
    )
    handler._pool._factory = factory


def swap_archive_reader(
    iterator: ArchiveIterator, reader_class: type[DecompressingBufferedReader]
) -> ArchiveIterator:
    """Make ``iterator`` read through ``reader_class``, a subclass of its reader's class that
    adds no state warcio would have to set up (``ArchiveIterator.reader``'s class swapped)."""
    reader = iterator.reader
    if not isinstance(reader, DecompressingBufferedReader) or not issubclass(
        reader_class, type(reader)
    ):
        raise TypeError(
            f"warcio's reader is a {type(reader).__name__}, not a base of {reader_class}"
        )
    reader.__class__ = reader_class
    return iterator


def encode_request(queue: Any, request: Request) -> bytes:
    """``request`` as scrapy-redis's ``queue`` stores it (``Base._encode_request``)."""
    data: bytes = queue._encode_request(request)
    return data


def decode_content(
    body: bytes, content_encodings: list[str], max_size: int
) -> tuple[bytes, list[str]]:
    """``body`` with its ``Content-Encoding`` values (each header line one item) undone as
    Scrapy's ``HttpCompressionMiddleware`` undoes them during a crawl: every coding of the
    lines, last first, while it is one Scrapy decodes (gzip with all its members, x-gzip,
    deflate, br, zstd), each decoding capped at ``max_size`` bytes (``DecodedTooLarge``).
    Returns the decoded body and the codings left (outermost first; empty when all were
    undone)."""
    encoded = [value.encode("latin-1", "replace") for value in content_encodings]
    to_decode, to_keep = HttpCompressionMiddleware._split_encodings(encoded)
    for encoding in to_decode:
        body = HttpCompressionMiddleware._decode(body, encoding, max_size)
    return body, [value.decode("latin-1") for value in to_keep]


class _ClosingScraper(Scraper):
    """Scrapy's scraper, which also re-checks a pending close when an item is done."""

    async def start_itemproc_async(self, item: Any, *, response: Response | Failure | None) -> None:
        try:
            await super().start_itemproc_async(item, response=response)
        finally:
            slot = self.slot  # the item is no longer counted (Scrapy's own finally)
            if slot is not None and slot.closing is not None and not slot.closing.called:
                self._check_if_closing()


def close_after_start_items(scraper: Scraper) -> Scraper:
    """Make ``scraper`` (``crawler.engine.scraper``) finish closing when the last item in
    its pipelines is done, items of ``start()`` included (see the module's docstring)."""
    if type(scraper) is not Scraper and not isinstance(scraper, _ClosingScraper):
        raise TypeError(f"the engine's scraper is a {type(scraper).__name__}, not Scrapy's")
    scraper.__class__ = _ClosingScraper
    return scraper


def hold_download_slot(downloader: Downloader, slot: Slot, seconds: float) -> None:
    """Make ``slot`` start no request for ``seconds`` (Scrapy's own delay timer, longer)."""
    slot.lastseen = max(slot.lastseen, monotonic() + seconds - slot.delay)
    if slot.latercall is not None:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)
