"""Raw capture: every response, as transferred, into the archive's WARC files.

Placed next to the downloader (see ``crawler.settings.DOWNLOADER_MIDDLEWARES``), it
sees each response before decompression and writes it, with its request, to
the archive's WARC folder; the ``captures`` table indexes every record (written
through the run's archive owner, ``kazscraper.crawler.archive_owner``). The
capture time is passed to the spider in ``request.meta["fetched_at"]`` so the
archive rows and the raw records carry the same timestamp.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from kazscraper.archive import Archive
from kazscraper.crawler.archive_files import warc_directory
from kazscraper.crawler.archive_owner import archive_of
from kazscraper.crawler.signals import (
    RAW_CAPTURE_FAILED,
    archive_batch_due,
    stop_on_archive_error,
)
from kazscraper.intake.page import header_pairs
from kazscraper.warc.index import reindex_captures
from kazscraper.warc.records import Capture, Exchange
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.writer import WarcArchiver

CAPTURE_BATCH = 200
#: bits of the filter of captured URLs (1 MiB, whatever the archive's size)
CAPTURED_FILTER_BITS = 1 << 23

__all__ = ["WarcCaptureMiddleware", "warc_directory", "warc_name"]

logger = logging.getLogger(__name__)


def warc_name(db_path: str | Path) -> str:
    """The prefix of the archive's WARC file names: its real file's stem."""
    return Path(db_path).resolve().stem


class CapturedUrls:
    """Which URLs may have a full capture in the archive: a Bloom filter of fixed size
    (``CAPTURED_FILTER_BITS``, two bits per URL). "No" is certain, so a page never
    captured (every page of a first crawl) costs no ``latest_capture`` query; "maybe" is
    asked of the archive (at 100,000 URLs about 1 in 2,000 is a false "maybe", at a
    million 1 in 22). Memory stays flat as the archive grows."""

    def __init__(self, bits: int = CAPTURED_FILTER_BITS) -> None:
        if bits & (bits - 1) or bits < 8:
            raise ValueError("the filter's size is a power of two of at least 8 bits")
        self.mask = bits - 1
        self.shift = bits.bit_length() - 1
        self.bits = bytearray(bits // 8)

    def _positions(self, url: str) -> tuple[int, int]:
        h = hash(url)  # the same within this process: the filter lives for one run
        return h & self.mask, (h >> self.shift) & self.mask

    def add(self, url: str) -> None:
        for p in self._positions(url):
            self.bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, url: str) -> bool:
        return all(self.bits[p >> 3] & (1 << (p & 7)) for p in self._positions(url))


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("KAZSCRAPER_WARC", True) or not settings.get("KAZSCRAPER_DB"):
            raise NotConfigured("raw capture is off")
        self.crawler = crawler
        self.db_path = settings.get("KAZSCRAPER_DB")
        self.max_bytes = settings.getint("KAZSCRAPER_WARC_MAX_BYTES")
        self.archiver: WarcArchiver | None = None
        self.archive: Archive | None = None
        # this run's response captures not yet in the captures table (earlier ones: looked up)
        self.unflushed: dict[str, Capture] = {}
        self.pending: list[Capture] = []
        self.captured = CapturedUrls()  # the archive's and this run's flushed captures
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.flush, signal=archive_batch_due)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def opened(self, spider: Spider) -> None:
        directory, name = warc_directory(self.db_path), warc_name(self.db_path)
        recover_open_files(directory, name)  # a killed run's last file (this archive's only)
        # compressed and written in a thread of its own, beside the reactor's (``flush``
        # waits for it before the captures index names a record)
        self.archiver = WarcArchiver(directory, name, self.max_bytes, background=True)
        owner = archive_of(self.crawler)
        self.archive = owner.archive if owner is not None else None
        if self.archive is not None:  # the rows a killed run had not written yet
            try:
                added = reindex_captures(self.archive, directory, name)
            except (sqlite3.Error, OSError) as exc:
                self.archive = None
                self._failed("captures index", exc)
                return
            if added:
                logger.warning("re-indexed %d WARC records missing from captures", added)
            self.crawler.stats.set_value("kazscraper/warc/reindexed", added)
            try:
                for url in self.archive.captured_urls():
                    self.captured.add(url)
            except sqlite3.Error as exc:
                self.archive = None
                self._failed("captures index", exc)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.archiver is None:
            return response
        fetched_at = datetime.now(UTC)
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=header_pairs(request.headers),
            status=response.status,
            response_headers=header_pairs(response.headers),
            body=response.body,
            fetched_at=fetched_at,
        )
        try:
            capture = self.archiver.write(exchange, self._previous(response.url))
        except OSError as exc:  # disk full, read-only folder: stop, as for the SQLite file
            self._failed("WARC", exc)
            return response
        if capture.record_type == "response":
            self.unflushed[response.url] = capture
        self.pending.append(capture)
        request.meta["fetched_at"] = capture.fetched_at
        self.crawler.stats.inc_value(f"kazscraper/warc/{capture.record_type}")
        if len(self.pending) >= CAPTURE_BATCH:
            self.flush()
        return response

    def _failed(self, where: str, exc: BaseException) -> None:
        self.archiver, archiver = None, self.archiver
        if archiver is not None:
            with suppress(OSError):
                archiver.close()
        self.crawler.stats.set_value(RAW_CAPTURE_FAILED, True)  # the sink writes no more rows
        stop_on_archive_error(self.crawler, where, exc)

    def _previous(self, url: str) -> Capture | None:
        """The latest full capture of ``url``, for a revisit record: one indexed lookup for
        a URL the filter says may have one, so memory does not grow with the archive."""
        if url in self.unflushed:
            return self.unflushed[url]
        if self.archive is None or url not in self.captured:
            return None
        return self.archive.latest_capture(url)

    def flush(self) -> None:
        """The captures so far into the captures index, once their records are on disk."""
        if self.archiver is not None and self.archiver.background and self.pending:
            try:
                self.pending = self.archiver.placed()  # the same captures, with their place
            except OSError as exc:
                self.pending = []
                self._failed("WARC", exc)
                return
        # a record given to the writer thread and never placed (it failed) is on no disk
        placed = [capture for capture in self.pending if capture.offset >= 0]
        if self.archive is not None and placed:
            try:
                self.archive.add_captures(placed)
            except sqlite3.Error as exc:
                self.archive = None
                self._failed("captures index", exc)
            for capture in placed:
                if capture.record_type == "response":
                    self.captured.add(capture.url)
        self.pending = []
        self.unflushed = {}

    def closed(self) -> None:
        self.flush()
        if self.archiver is not None:
            try:
                self.archiver.close()
            except OSError as exc:
                self._failed("WARC", exc)
        self.archive = None  # closed by the archive extension
