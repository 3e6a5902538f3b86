"""Raw capture: WARC records written, rotated, deduplicated as revisits, recovered, read back."""

from __future__ import annotations

import concurrent.futures
import gzip
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.warc_capture import WarcCaptureMiddleware
from kazscraper.crawler.signals import RAW_CAPTURE_FAILED
from kazscraper.warc.records import Exchange, payload_digest
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.replay import read_captures
from kazscraper.warc.writer import WarcArchiver

HTML = "<html><body><p>Қазақстан дәуірі</p></body></html>".encode()


def exchange(
    url: str = "https://qazdauiri.kz/news/a", body: bytes = HTML, status: int = 200
) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "kazscraper-test")],
        status=status,
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=body,
        fetched_at=datetime(2025, 12, 12, 8, 0, 0, tzinfo=UTC),
    )


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    warcio = Path(sys.executable).parent / "warcio"
    return subprocess.run(
        [str(warcio), "check", *map(str, paths)], capture_output=True, text=True, check=False
    )


def test_records_are_valid_and_read_back(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    first = archiver.write(exchange())
    other = archiver.write(exchange("https://qazdauiri.kz/news/b", b"<p>other</p>"))
    archiver.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 1 and not list(tmp_path.glob("*.open"))
    assert warcio_check(*files).returncode == 0
    assert first.record_type == "response" and first.payload_digest == payload_digest(HTML)
    assert first.fetched_at == "2025-12-12T08:00:00+00:00"
    pages = list(read_captures(tmp_path))
    assert [p.capture.url for p in pages] == [first.url, other.url]
    assert pages[0].body == HTML
    assert (pages[0].capture.offset, pages[0].capture.length) == (first.offset, first.length)
    assert all(k.lower() != "transfer-encoding" for k, _ in pages[0].headers)


def test_each_record_is_its_own_gzip_member_at_its_offset(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    capture = archiver.write(exchange())
    archiver.close()
    raw = next(tmp_path.glob("*.warc.gz")).read_bytes()
    member = gzip.decompress(raw[capture.offset : capture.offset + capture.length])
    assert member.startswith(b"WARC/1.")
    assert b"WARC-Type: response" in member and HTML in member


def test_same_payload_again_is_a_revisit_and_304_too(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    first = archiver.write(exchange())
    again = archiver.write(exchange(), previous=first)
    not_modified = archiver.write(exchange(body=b"", status=304), previous=first)
    changed = archiver.write(exchange(body=HTML + b"<p>edit</p>"), previous=first)
    archiver.close()
    assert [c.record_type for c in (first, again, not_modified, changed)] == [
        "response",
        "revisit",
        "revisit",
        "response",
    ]
    assert not_modified.payload_digest == first.payload_digest
    assert again.length < first.length
    pages = list(read_captures(tmp_path))
    assert [p.body for p in pages[:3]] == [HTML, HTML, HTML]  # revisits resolve to the payload
    assert pages[2].capture.status == 304
    assert warcio_check(*tmp_path.glob("*.warc.gz")).returncode == 0


def test_files_rotate_by_size(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test", max_bytes=2_000)
    noise = random.Random(1)
    for i in range(6):
        body = bytes(noise.randrange(256) for _ in range(1_500))  # does not compress
        archiver.write(exchange(f"https://qazdauiri.kz/news/{i}", body))
    archiver.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    assert warcio_check(*files).returncode == 0
    assert [p.capture.url[-1] for p in read_captures(tmp_path)] == list("012345")


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_a_file_torn_by_a_kill_is_trimmed_to_whole_records(tmp_path: Path, cut: int) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    archiver.write(exchange())
    archiver.write(exchange("https://qazdauiri.kz/news/b"))
    archiver._fh.flush()  # the process dies here: no close, no rename
    torn = next(tmp_path.glob("*.open"))
    torn.write_bytes(torn.read_bytes()[:-cut])
    recovered = recover_open_files(tmp_path)
    assert len(recovered) == 1 and not list(tmp_path.glob("*.open"))
    assert warcio_check(*recovered).returncode == 0
    # only the last (request) record was torn: both responses survive whole
    assert [p.capture.url[-1] for p in read_captures(tmp_path)] == ["a", "b"]


# -- damaged and hostile records (issue 11: #4, #8) -------------------------------------------


def _three_pages(tmp_path: Path) -> list:
    archiver = WarcArchiver(tmp_path, "test")
    captures = [
        archiver.write(exchange(f"https://qazdauiri.kz/news/{name}", f"<p>{name}</p>".encode()))
        for name in ("a", "b", "c")
    ]
    archiver.close()
    return captures


def test_a_corrupted_record_is_skipped_and_reading_goes_on(tmp_path: Path) -> None:
    a, b, c = _three_pages(tmp_path)
    (path,) = tmp_path.glob("*.warc.gz")
    data = bytearray(path.read_bytes())
    middle = b.offset + b.length // 2
    data[middle : middle + 16] = b"\x00" * 16  # a flipped disk block inside record b
    path.write_bytes(bytes(data))
    skipped: list[tuple[str, str, str]] = []
    pages = list(read_captures(tmp_path, on_skipped=lambda *s: skipped.append(s)))
    assert [p.capture.url for p in pages] == [a.url, c.url]
    assert [p.body for p in pages] == [b"<p>a</p>", b"<p>c</p>"]
    assert [kind for kind, _, _ in skipped] == ["damaged"]


def test_a_truncated_file_gives_its_whole_records_and_reports_the_torn_one(
    tmp_path: Path,
) -> None:
    a, b, _c = _three_pages(tmp_path)
    (path,) = tmp_path.glob("*.warc.gz")
    path.write_bytes(path.read_bytes()[: b.offset + b.length // 2])
    skipped: list[tuple[str, str, str]] = []
    pages = list(read_captures(tmp_path, on_skipped=lambda *s: skipped.append(s)))
    assert [p.capture.url for p in pages] == [a.url]
    assert [kind for kind, _, _ in skipped] == ["damaged"]


def test_a_gzip_bomb_in_the_warc_is_skipped_without_inflating_it(tmp_path: Path) -> None:
    import tracemalloc

    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MB in ~200 KB
    archiver = WarcArchiver(tmp_path, "test")
    bad = exchange("https://qazdauiri.kz/news/bomb", bomb)
    bad = Exchange(**{**bad.__dict__, "response_headers": [("Content-Encoding", "gzip")]})
    archiver.write(bad)
    fine = archiver.write(exchange("https://qazdauiri.kz/news/fine"))
    archiver.close()
    skipped: list[tuple[str, str, str]] = []
    tracemalloc.start()
    pages = list(
        read_captures(tmp_path, max_bytes=1024 * 1024, on_skipped=lambda *s: skipped.append(s))
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [p.capture.url for p in pages] == [fine.url]
    assert [(kind, "bomb" in where) for kind, where, _ in skipped] == [("refused", True)]
    # bounded by the cap and warcio's inflate buffer, not by the 200 MB the record inflates to
    assert peak < 64 * 1024 * 1024


def test_recovery_does_not_inflate_a_gzip_bomb(tmp_path: Path) -> None:
    import tracemalloc

    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    archiver = WarcArchiver(tmp_path, "test")
    bad = exchange("https://qazdauiri.kz/news/bomb", bomb)
    archiver.write(Exchange(**{**bad.__dict__, "response_headers": [("Content-Encoding", "gzip")]}))
    archiver._fh.flush()  # killed before closing: the file stays .open
    tracemalloc.start()
    (recovered,) = recover_open_files(tmp_path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert recovered.exists() and peak < 16 * 1024 * 1024


def test_a_revisit_reads_its_original_from_the_file(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    first = archiver.write(exchange())
    again = archiver.write(exchange(), previous=first)
    archiver.close()
    pages = list(read_captures(tmp_path))
    assert again.record_type == "revisit"
    assert [p.body for p in pages] == [HTML, HTML]


@pytest.mark.parametrize("damage", [b"\x00" * 16, b"\xff" * 32, b"\x55"])
def test_a_damaged_record_is_never_read_back_as_a_page(tmp_path: Path, damage: bytes) -> None:
    """Wherever a record is damaged, reading it back gives its exact body or reports it
    damaged: never a cut or garbled page (warcio swallows an inflate error that comes after
    the first block of a member and returns what it has; a wrong check sum alone only
    prints a line)."""
    rng = random.Random(7)
    words = ["қазақ", "дәуірі", "жаңалық", "Астана", "ұлттық", "2025", "мақала", "<p>", "</p>"]
    body = " ".join(rng.choice(words) for _ in range(1_500)).encode()  # a page of about 10 KB
    archiver = WarcArchiver(tmp_path / "original", "test")
    capture = archiver.write(exchange(body=body))
    archiver.close()
    (original,) = (tmp_path / "original").glob("*.warc.gz")
    data = original.read_bytes()
    start, end = capture.offset, capture.offset + capture.length
    undetected = []
    for position in range(start + 40, end - len(damage), max(1, (end - start) // 60)):
        folder = tmp_path / str(position)
        folder.mkdir()
        damaged = bytearray(data)
        damaged[position : position + len(damage)] = damage
        (folder / original.name).write_bytes(bytes(damaged))
        skipped: list[tuple[str, str, str]] = []
        pages = list(read_captures(folder, on_skipped=lambda *s, into=skipped: into.append(s)))
        if not skipped and [p.body for p in pages] != [body]:
            undetected.append(position - start)
    assert undetected == []


def test_the_filter_of_captured_urls_never_forgets_one_and_mostly_says_no() -> None:
    """Issue 22: a page never captured (every page of a first crawl) costs no
    ``latest_capture`` query; a captured one is always looked up (its revisit record)."""
    from kazscraper.crawler.middlewares.warc_capture import CapturedUrls

    captured = CapturedUrls(bits=1 << 16)
    urls = [f"https://qazdauiri.kz/news/{i}" for i in range(2000)]
    for url in urls[:1000]:
        captured.add(url)
    assert all(url in captured for url in urls[:1000])
    assert sum(url in captured for url in urls[1000:]) < 50  # about 1 in 1,000 expected
    with pytest.raises(ValueError):
        CapturedUrls(bits=1000)


def test_a_record_written_in_the_background_is_the_one_written_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``background=True`` (the crawl's writer thread compresses and writes): ``write``
    gives a capture with no place yet; ``placed()`` gives the same captures as in-process
    writing, placed in files rotated at the same records, each offset holding the same
    bytes (record IDs made alike); files valid."""
    noise = random.Random(2)
    bodies = [bytes(noise.randrange(256) for _ in range(900)) for _ in range(5)]

    def write(folder: Path, background: bool) -> tuple[list, list]:
        monkeypatch.setattr(  # one ID for every record: the same bytes whatever the order
            "warcio.statusandheaders.StatusAndHeadersParser.make_warc_id",
            staticmethod(lambda id_=None: f"<urn:uuid:{0:036d}>"),
        )
        archiver = WarcArchiver(folder, "test", max_bytes=2_000, background=background)
        given = []
        for i, body in enumerate(bodies):
            given.append(archiver.write(exchange(f"https://qazdauiri.kz/news/{i}", body)))
        given.append(archiver.write(exchange("https://qazdauiri.kz/news/0", bodies[0]), given[0]))
        placed = archiver.placed() if background else given
        archiver.close()
        if background:
            assert archiver.placed() == []  # each capture given once
        return given, placed

    given, placed = write(tmp_path / "bg", background=True)
    _, in_process = write(tmp_path / "fg", background=False)
    assert all((c.warc_file, c.offset, c.length) == ("", -1, -1) for c in given)
    assert [c.record_type for c in placed][-1] == "revisit"
    files = {d: sorted(p.name for p in (tmp_path / d).glob("*.warc.gz")) for d in ("bg", "fg")}
    assert len(files["bg"]) == len(files["fg"]) >= 3
    assert warcio_check(*(tmp_path / "bg").glob("*.warc.gz")).returncode == 0

    def where(c, d: str) -> tuple:
        return (files[d].index(c.warc_file), c.offset, c.length)

    def member(c, d: str) -> bytes:
        raw = (tmp_path / d / c.warc_file).read_bytes()
        return gzip.decompress(raw[c.offset : c.offset + c.length])

    for bg, fg in zip(placed, in_process, strict=True):
        assert (bg.url, bg.record_type, bg.payload_digest) == (
            fg.url,
            fg.record_type,
            fg.payload_digest,
        )
        assert where(bg, "bg") == where(fg, "fg")
        assert member(bg, "bg") == member(fg, "fg")


class FullDisk:
    """A WARC file whose disk is full: every write refused (ENOSPC), the rest as ``real``."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def tell(self) -> int:
        return int(self.real.tell())

    def write(self, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        self.real.flush()

    def close(self) -> None:
        self.real.close()


def test_a_background_write_that_fails_raises_where_the_crawl_sees_it(tmp_path: Path) -> None:
    """A write the writer thread cannot make (disk full) is raised by ``placed()`` (before
    the captures index names it) and by the next ``write``: the crawl stops on it."""
    archiver = WarcArchiver(tmp_path, "test", background=True)
    archiver.write(exchange())
    archiver.placed()
    real = archiver._fh
    assert real is not None
    archiver._fh = FullDisk(real)  # type: ignore[assignment]
    archiver.write(exchange("https://qazdauiri.kz/news/b"))
    with pytest.raises(OSError, match="No space"):
        archiver.placed()
    with pytest.raises(OSError, match="No space"):
        archiver.write(exchange("https://qazdauiri.kz/news/c"))
    archiver._fh = real
    archiver.close()


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
    archiver._fh = FullDisk(real)  # type: ignore[assignment]
    _fetch(mw, "https://qazdauiri.kz/news/2")  # given; the thread fails to write it
    concurrent.futures.wait(archiver._given)
    _fetch(mw, "https://qazdauiri.kz/news/3")  # write raises the thread's error: _failed
    assert crawler.stats.get_value("kazscraper/archive_error")
    assert crawler.stats.get_value(RAW_CAPTURE_FAILED)  # the sink writes no more rows
    mw.closed()  # as at spider_closed (or the sink's archive_batch_due)
    rows: list[Any] = list(
        Archive(db, site="qazdauiri").db.execute(
            "SELECT url, warc_file, offset, length FROM captures ORDER BY id"
        )
    )
    unplaced = [row for row in rows if row[1] == "" or row[2] < 0]
    assert unplaced == [], f"captures rows naming no WARC record: {unplaced}"
