"""Review findings (branch review1): the crawl's background WARC writer."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.warc_capture import WarcCaptureMiddleware
from kazscraper.warc.writer import WarcArchiver

HTML = "<html><body><p>Қазақстан дәуірі</p></body></html>".encode()


class _Crawler:
    def __init__(self, db: Path) -> None:
        self.settings = Settings({"KAZSCRAPER_DB": str(db), "KAZSCRAPER_WARC_MAX_BYTES": 10**8})
        self.signals = SignalManager(self)
        self.stats = MemoryStatsCollector(self)  # type: ignore[arg-type]
        self.engine = None
        self.spider = None


def _fetch(mw: WarcCaptureMiddleware, url: str) -> None:
    request = Request(url)
    mw.process_response(request, HtmlResponse(url, body=HTML, request=request))


def test_captures_given_before_a_failed_background_write_are_never_indexed_unplaced(
    tmp_path: Path,
) -> None:
    """Disk full in the writer thread, seen by the next ``write`` (not by ``placed()``):
    the middleware stops (``_failed``) but keeps ``pending``, the captures given since the
    last flush, which have no place yet (``warc_file`` '', ``offset`` -1); the next flush
    (the sink's ``archive_batch_due``, or ``closed``) finds no archiver and indexes them
    as they are: captures rows naming no WARC file."""
    db = tmp_path / "a.db"
    crawler = _Crawler(db)
    mw = WarcCaptureMiddleware(crawler)  # type: ignore[arg-type]
    mw.archiver = WarcArchiver(tmp_path / "warc", "a", background=True)
    mw.archive = Archive(db, site="qazdauiri")
    _fetch(mw, "https://qazdauiri.kz/news/1")
    mw.flush()  # placed and indexed: the file is open
    archiver = mw.archiver
    real = archiver._fh
    assert real is not None

    class Full:
        def tell(self) -> int:
            return real.tell()

        def write(self, data: bytes) -> int:
            raise OSError(28, "No space left on device")

        def flush(self) -> None:
            real.flush()

        def close(self) -> None:
            real.close()

    archiver._fh = Full()  # type: ignore[assignment]
    _fetch(mw, "https://qazdauiri.kz/news/2")  # given; the thread fails to write it
    concurrent.futures.wait(archiver._given)
    _fetch(mw, "https://qazdauiri.kz/news/3")  # write raises the thread's error: _failed
    assert crawler.stats.get_value("kazscraper/archive_error")
    mw.closed()  # as at spider_closed (or the sink's archive_batch_due)
    rows: list[Any] = list(
        Archive(db, site="qazdauiri").db.execute(
            "SELECT url, warc_file, offset, length FROM captures ORDER BY id"
        )
    )
    unplaced = [row for row in rows if row[1] == "" or row[2] < 0]
    assert unplaced == [], f"captures rows naming no WARC record: {unplaced}"
