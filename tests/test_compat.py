"""Each private API ``kazscraper.compat`` relies on, checked against the installed library:
a test here fails when the upstream internal changes (renamed, moved, rebuilt), so an
upgrade of Scrapy, Twisted or Python breaks a named test rather than a crawl."""

from __future__ import annotations

import inspect
import io
from types import SimpleNamespace

import pytest
from scrapy.core.downloader.handlers import http11
from twisted.internet.testing import StringTransport
from twisted.web.client import HTTPConnectionPool, Request
from twisted.web.http_headers import Headers

from kazscraper.compat import (
    _CappedParser,
    cap_response_headers,
    encode_request,
    swap_archive_reader,
)


def _request() -> Request:
    return Request(b"GET", b"/", Headers({b"host": [b"example.com"]}), None)


def _protocol_of(factory_class: type) -> object:
    """A protocol of ``factory_class`` that has sent one request (its parser is made)."""
    factory = factory_class(lambda protocol: None, None)
    protocol = factory.buildProtocol(None)
    protocol.makeConnection(StringTransport())
    protocol.request(_request())
    return protocol


def test_scrapy_still_has_its_lenient_http11_classes() -> None:
    for name in ("_LenientHTTPClientParser", "_LenientHTTP11ClientProtocol"):
        assert inspect.isclass(getattr(http11, name, None)), name
    assert issubclass(http11._LenientHTTP11ClientFactory, http11._HTTP11ClientFactory)


def test_scrapys_handler_builds_its_pool_with_the_lenient_factory() -> None:
    # cap_response_headers replaces the pool's factory: Scrapy must still set one there
    # (read from its source: the handler needs a running Twisted reactor to be built)
    source = inspect.getsource(http11.HTTP11DownloadHandler.__init__)
    assert "HTTPConnectionPool(" in source
    assert "self._pool._factory = _LenientHTTP11ClientFactory" in source


def test_the_pool_builds_its_protocols_with_its_factory() -> None:
    source = inspect.getsource(HTTPConnectionPool)
    assert "self._factory(" in source


def test_the_lenient_factory_builds_protocols_with_its_quiescent_callback() -> None:
    parameters = inspect.signature(http11._LenientHTTP11ClientFactory.__init__).parameters
    assert list(parameters)[1:3] == ["quiescentCallback", "metadata"]
    factory = http11._LenientHTTP11ClientFactory(print, None)
    assert factory._quiescentCallback is print


def test_the_lenient_protocol_swaps_the_class_of_its_parser_after_a_request() -> None:
    protocol = _protocol_of(http11._LenientHTTP11ClientFactory)
    assert type(protocol._parser) is http11._LenientHTTPClientParser  # type: ignore[attr-defined]


def test_the_parser_reads_header_lines_one_by_one_and_reports_overlong_ones() -> None:
    parser = http11._LenientHTTPClientParser
    assert "line" in inspect.signature(parser.lineReceived).parameters
    assert "line" in inspect.signature(parser.lineLengthExceeded).parameters
    assert parser.MAX_LENGTH == 16384  # a header line's cap, named in the error


def test_a_capped_handlers_protocols_fail_past_the_header_cap() -> None:
    class TooLarge(Exception):
        pass

    handler = SimpleNamespace(_pool=HTTPConnectionPool(None))  # the pool, as Scrapy's has it
    cap_response_headers(handler, 100, TooLarge)  # type: ignore[arg-type]
    protocol = _protocol_of(handler._pool._factory)
    parser = protocol._parser  # type: ignore[attr-defined]
    assert isinstance(parser, _CappedParser)
    parser.lineReceived(b"HTTP/1.1 200 OK")
    parser.lineReceived(b"X-Short: 1")
    with pytest.raises(TooLarge, match="response headers larger than 100 bytes"):
        parser.lineReceived(b"X-Long: " + b"x" * 100)
    with pytest.raises(TooLarge, match="header line longer than 16384 bytes"):
        parser.lineLengthExceeded(b"x" * 20_000)


def _small_warc() -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.0")
    writer.write_record(
        writer.create_warc_record(
            "http://example.com/", "response", payload=io.BytesIO(b"<p>x</p>"), http_headers=http
        )
    )
    return out.getvalue()


def test_warcio_reads_headers_by_readline_and_payloads_by_read_on_its_reader() -> None:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader

    calls: list[tuple[str, bytes]] = []

    class Recording(DecompressingBufferedReader):  # type: ignore[misc]
        def readline(self, length: int | None = None) -> bytes:
            line: bytes = super().readline(length)
            calls.append(("readline", line))
            return line

        def read(self, length: int | None = None) -> bytes:
            data: bytes = super().read(length)
            calls.append(("read", data))
            return data

    iterator = ArchiveIterator(io.BytesIO(_small_warc()))
    assert type(iterator.reader) is DecompressingBufferedReader
    swap_archive_reader(iterator, Recording)
    payloads = [record.content_stream().read() for record in iterator]
    assert payloads == [b"<p>x</p>"]
    assert ("readline", b"WARC/1.0\r\n") in calls
    assert any(kind == "readline" and line.startswith(b"WARC-Target-URI:") for kind, line in calls)
    assert any(kind == "read" for kind, _ in calls)


def test_swap_archive_reader_refuses_a_class_that_is_not_a_reader_subclass() -> None:
    from warcio.archiveiterator import ArchiveIterator

    with pytest.raises(TypeError):
        swap_archive_reader(ArchiveIterator(io.BytesIO(_small_warc())), io.BytesIO)  # type: ignore[arg-type]


def test_scrapy_redis_queues_still_encode_requests_privately() -> None:
    """``encode_request`` (scrapy-redis's private ``Base._encode_request``) stores what the
    worker's scheduler reads back with the serializer and Scrapy's public ``request_from_dict``."""
    from scrapy import Request, Spider
    from scrapy.utils.request import request_from_dict
    from scrapy_redis.queue import PriorityQueue

    from kazscraper.distributed import serializer

    spider = Spider("news")
    queue = PriorityQueue(None, spider, "%(spider)s:requests", serializer=serializer)
    request = Request("http://example.com/news/1", priority=-3, meta={"k": "v"})
    back = request_from_dict(serializer.loads(encode_request(queue, request)), spider=spider)
    assert (back.url, back.priority, back.meta["k"]) == (request.url, -3, "v")


def test_scrapy_still_splits_and_decodes_content_encodings_as_the_replay_asks() -> None:
    """``decode_content`` runs ``HttpCompressionMiddleware._split_encodings`` and ``_decode``
    (private): a two-member gzip body and a ``gzip, gzip`` body decode whole, an unknown
    coding is left, and the cap raises ``DecodedTooLarge``."""
    import gzip

    from kazscraper.compat import DecodedTooLarge, decode_content

    text = b"<p>first member</p>" + b"<p>second member</p>"
    two_members = gzip.compress(text[:19]) + gzip.compress(text[19:])
    assert decode_content(two_members, ["gzip"], 10_000) == (text, [])
    assert decode_content(gzip.compress(gzip.compress(text)), ["gzip, gzip"], 10_000) == (text, [])
    assert decode_content(b"x", ["compress"], 10_000)[1] == ["compress"]
    with pytest.raises(DecodedTooLarge):
        decode_content(gzip.compress(b"a" * 100_000), ["gzip"], 1_000)


def test_scrapys_engine_builds_its_scraper_and_rechecks_a_close_only_after_responses() -> None:
    # close_after_start_items swaps the class of engine.scraper: the engine must still build
    # Scrapy's own Scraper, whose close waits for an idle slot that it re-checks by
    # _check_if_closing (after a response; when upstream re-checks after an item too, the
    # swap can go: scrapy/scrapy#7029)
    from scrapy.core import engine, scraper

    assert "self.scraper: Scraper = Scraper(crawler)" in inspect.getsource(engine.ExecutionEngine)
    assert "self._check_if_closing()" in inspect.getsource(scraper.Scraper.enqueue_scrape)
    assert "_check_if_closing" not in inspect.getsource(scraper.Scraper.start_itemproc_async)
    assert "itemproc_size" in inspect.getsource(scraper.Slot.is_idle)
    assert "response" in inspect.signature(scraper.Scraper.start_itemproc_async).parameters


def test_close_after_start_items_swaps_only_scrapys_scraper() -> None:
    from scrapy.core.scraper import Scraper

    from kazscraper.compat import close_after_start_items

    class Other:
        pass

    with pytest.raises(TypeError):
        close_after_start_items(Other())  # type: ignore[arg-type]
    bare = Scraper.__new__(Scraper)  # no crawler needed: only the class changes
    assert isinstance(close_after_start_items(bare), Scraper)
    assert type(bare) is not Scraper and type(close_after_start_items(bare)) is type(bare)


def test_scrapys_slot_delay_timer_is_the_one_hold_download_slot_sets() -> None:
    # hold_download_slot sets Slot.latercall to fire Downloader._latercall, and moves
    # Slot.lastseen: the queue must still wait on that timer, and the delay count from it
    from scrapy.core.downloader import Downloader, Slot

    process = inspect.getsource(Downloader._process_queue)
    assert "if slot.latercall:" in process and "slot.lastseen" in process
    assert "self._latercall" in process
    assert "slot.latercall = None" in inspect.getsource(Downloader._latercall)
    assert "slot.lastseen + slot.delay" in inspect.getsource(Downloader._slot_gc)
    slot = Slot(1, 0.5, 0.0)
    assert slot.latercall is None and slot.lastseen == 0
