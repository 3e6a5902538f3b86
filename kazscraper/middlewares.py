"""Downloader middleware: raw capture of every response into WARC files.

Placed next to the downloader (see ``settings.DOWNLOADER_MIDDLEWARES``), it
sees each response before decompression and writes it, with its request, to
the archive's WARC folder; the ``captures`` table indexes every record. The
capture time is passed to the spider in ``request.meta["fetched_at"]`` so the
archive rows and the raw records carry the same timestamp.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response

from kazscraper.archive import Archive
from kazscraper.warc import Capture, Exchange, WarcArchiver, recover_open_files

CAPTURE_BATCH = 200


def warc_directory(db_path: str | Path) -> Path:
    return Path(db_path).parent / "warc"


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


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
        self.latest: dict[str, Capture] = {}
        self.pending: list[Capture] = []
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def opened(self, spider: Spider) -> None:
        directory = warc_directory(self.db_path)
        recover_open_files(directory)  # a killed run's last file
        self.archiver = WarcArchiver(directory, Path(self.db_path).stem, self.max_bytes)
        self.archive = Archive(self.db_path)
        self.latest = self.archive.latest_captures()

    def process_response(self, request: Request, response: Response) -> Response:
        if self.archiver is None:
            return response
        fetched_at = datetime.now(UTC)
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=_pairs(request.headers),
            status=response.status,
            response_headers=_pairs(response.headers),
            body=response.body,
            fetched_at=fetched_at,
        )
        capture = self.archiver.write(exchange, self.latest.get(response.url))
        if capture.record_type == "response":
            self.latest[response.url] = capture
        self.pending.append(capture)
        request.meta["fetched_at"] = capture.fetched_at
        self.crawler.stats.inc_value(f"kazscraper/warc/{capture.record_type}")
        if len(self.pending) >= CAPTURE_BATCH:
            self.flush()
        return response

    def flush(self) -> None:
        if self.archive is not None and self.pending:
            self.archive.add_captures(self.pending)
            self.pending = []

    def closed(self) -> None:
        self.flush()
        if self.archiver is not None:
            self.archiver.close()
        if self.archive is not None:
            self.archive.close()
