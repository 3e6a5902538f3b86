"""The WARC files of a Redis crawl's workers: whose they are, read back in capture order.

No Redis needed here (files only): the workers' files (``<archive>-<worker>-<time>-<n>``)
belong to their archive's ``reparse``, never to another archive whose name happens to fit,
and the records of several writers come back in the order they were fetched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kazscraper.crawler.archive_files import warc_directory
from kazscraper.crawler.middlewares.warc_capture import warc_name
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from kazscraper.warc import writer as warc
from kazscraper.warc.files import files_in_use, own_files, warc_files
from kazscraper.warc.records import Exchange
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.replay import read_captures
from kazscraper.warc.writer import WarcArchiver

from ..conftest import run_cli
from ..test_archive import make_article

T0 = datetime(2026, 12, 2, 4, 0, 0, tzinfo=UTC)


def exchange(url: str, seconds: int, body: bytes | None = None, status: int = 200) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "kazscraper-test")],
        status=status,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        body=body if body is not None else f"<p>{url}</p>".encode(),
        fetched_at=T0 + timedelta(seconds=seconds),
    )


def names(files: list[Path]) -> list[str]:
    return sorted(p.name for p in files)


def test_workers_files_are_read_in_fetch_order_not_file_order(tmp_path: Path) -> None:
    # w2 opens its file first (its name sorts first by time), w1 fetched first
    w2 = WarcArchiver(tmp_path, "press", worker="w2")
    original = w2.write(exchange("http://s/news/b", 10, b"<p>same page</p>"))
    w2.write(exchange("http://s/news/d", 30))
    w1 = WarcArchiver(tmp_path, "press", worker="w1")
    w1.write(exchange("http://s/news/a", 5))
    # a revisit in w1's file whose original is in w2's, which sorts after it by name
    w1.write(exchange("http://s/news/b", 20, b"<p>same page</p>"), previous=original)
    local = WarcArchiver(tmp_path, "press")
    local.write(exchange("http://s/news/c", 25))
    for archiver in (w1, w2, local):
        archiver.close()
    pages = list(read_captures(tmp_path, name="press"))
    assert [(p.capture.url[-1], p.capture.record_type) for p in pages] == [
        ("a", "response"),
        ("b", "response"),
        ("b", "revisit"),
        ("c", "response"),
        ("d", "response"),
    ]
    assert pages[2].body == b"<p>same page</p>"  # the original found in the other file
    assert [p.capture.fetched_at for p in pages] == sorted(p.capture.fetched_at for p in pages)


def test_no_other_archive_is_taken_whatever_the_names(tmp_path: Path) -> None:
    writers = {
        ("press", None): "own",
        ("press", "w1"): "worker w1 of press",
        ("press", "20261202040000"): "a worker named like a timestamp",
        ("press-w1", None): "archive press-w1: the same names as press's worker w1",
        ("press-20261202040000", None): "the same names as that worker's",
        ("press-2", None): "an archive whose name press is a prefix of",
        ("press-2", "w1"): "its worker w1",
        ("pres", None): "a prefix of press",
    }
    written: dict[tuple[str, str | None], set[str]] = {}
    for i, (archive, worker) in enumerate(writers):
        archiver = WarcArchiver(tmp_path, archive, worker=worker)
        archiver.write(exchange(f"http://s/news/{i}", i))
        written[(archive, worker)] = {archiver._file.name}  # type: ignore[union-attr]
        archiver.close()
    for archive in ("press", "press-w1", "press-20261202040000", "press-2", "pres"):
        theirs = set().union(*(f for (a, _), f in written.items() if a == archive))
        assert {f.path.name for f in warc_files(tmp_path, archive)} == theirs, archive
        local = written[(archive, None)]
        assert set(names(own_files(tmp_path, archive))) == local, archive
        urls = {p.capture.url for p in read_captures(tmp_path, name=archive)}
        expected = {f"http://s/news/{i}" for i, (a, _) in enumerate(writers) if a == archive}
        assert urls == expected, archive


def test_a_killed_workers_file_is_recovered_a_live_ones_is_not(tmp_path: Path) -> None:
    live = WarcArchiver(tmp_path, "press", worker="w1")
    live.write(exchange("http://s/news/a", 1))
    killed = WarcArchiver(tmp_path, "press", worker="w2")
    killed.write(exchange("http://s/news/b", 2))
    killed._fh.close()  # type: ignore[union-attr]  # the process died: lock gone, no rename
    other = WarcArchiver(tmp_path, "press-w1")  # another archive, running
    other.write(exchange("http://s/news/c", 3))
    # the live worker's file and the other archive's are left alone
    assert names(files_in_use(tmp_path, "press")) == [f"{live._file.name}.open"]  # type: ignore[union-attr]
    recovered = recover_open_files(tmp_path, "press", workers=True)
    assert names(recovered) == [killed._file.name]  # type: ignore[union-attr]
    assert {p.name for p in tmp_path.glob("*.open")} == {
        f"{live._file.name}.open",  # type: ignore[union-attr]
        f"{other._file.name}.open",  # type: ignore[union-attr]
    }
    assert [p.capture.url for p in read_captures(tmp_path, name="press")] == ["http://s/news/b"]
    live.close()
    other.close()
    assert files_in_use(tmp_path, "press") == []


class _Frozen(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
        return T0


def test_an_archive_and_a_worker_of_the_same_file_names_never_share_a_file(
    tmp_path: Path, monkeypatch
) -> None:
    """``press-w1``'s own files and the files of worker w1 of ``press`` have the same names;
    opened in the same second, the second writer takes the next number."""
    monkeypatch.setattr(warc, "datetime", _Frozen)
    worker = WarcArchiver(tmp_path, "press", worker="w1")
    first = worker.write(exchange("http://s/news/a", 1))
    archive = WarcArchiver(tmp_path, "press-w1")
    second = archive.write(exchange("http://s/news/b", 2))
    worker.close()
    archive.close()
    assert first.warc_file == "press-w1-20261202040000-00001.warc.gz"
    assert second.warc_file == "press-w1-20261202040000-00002.warc.gz"
    assert len(list(tmp_path.glob("*.warc.gz"))) == 2
    assert [p.capture.url for p in read_captures(tmp_path, name="press")] == ["http://s/news/a"]
    assert [p.capture.url for p in read_captures(tmp_path, name="press-w1")] == ["http://s/news/b"]


def test_reparse_waits_for_a_worker_still_writing_its_file(tmp_path: Path) -> None:
    from kazscraper.archive import Archive

    from ..conftest import run_cli

    db = tmp_path / "press.sqlite"
    Archive(db).close()
    live = WarcArchiver(warc_directory(db), "press", worker="w1")  # in the archive's folder
    live.write(exchange("http://s/news/a", 1))
    result = run_cli("reparse", "--db", str(db), timeout=120)
    assert result.returncode == 75, result.stderr
    assert "is writing press-w1-" in result.stderr and "nothing was done" in result.stderr
    assert not (tmp_path / "press.reparse.sqlite").exists()
    live.close()


@pytest.mark.slow  # two workers, a store and a reparse, each a process of its own
def test_workers_with_their_own_folders_write_into_the_archives_warc_folder(
    tmp_path: Path,
    redis_url: str,
    replicas: Callable[[int], tuple[ReplicaSite, ReplicaServer]],
) -> None:
    """Issue 26: workers on other machines wrote their WARC files beside their own --db,
    where the archive's reparse never looked. With --warc-dir (the archive's WARC folder,
    mounted on each worker's machine) their files are the archive's: named after it, in
    its folder, and its reparse reads them back into the same articles."""
    from .helpers import finish, output, rows, start_store, start_worker

    site, server = replicas(40)
    archive = tmp_path / "store" / "press.sqlite"
    archive.parent.mkdir()
    shared = warc_directory(archive)  # as the store's machine exports it
    store = start_store(archive, redis_url)
    workers = {}
    for name in ("w1", "w2"):
        own = tmp_path / name / "local.sqlite"  # each machine's own folder and --db
        own.parent.mkdir()
        workers[name] = start_worker(server, own, redis_url, name, "--warc-dir", str(shared))
    for name, process in workers.items():
        own = tmp_path / name / "local.sqlite"
        assert finish(process, timeout=600) == 0, output(own, name)
        assert not warc_directory(own).exists() or not list(warc_directory(own).iterdir())
    assert finish(store, timeout=600) == 0, output(archive, "store")
    files = sorted(p.name for p in shared.glob("*.warc.gz"))
    # press-<worker>-…: whichever worker got pages (on a busy machine one may get none)
    assert files and {f.split("-")[1] for f in files} <= {"w1", "w2"}, files
    assert all(f.startswith(f"{warc_name(archive)}-") for f in files)
    indexed = {name for (name,) in rows(archive, "SELECT DISTINCT warc_file FROM captures")}
    assert indexed and indexed <= set(files)  # every capture's file is in the archive's folder
    before = rows(archive, "SELECT url, title FROM articles ORDER BY url")
    assert len(before) == site.n_articles
    result = run_cli("reparse", "--db", str(archive), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(archive, "SELECT url, title FROM articles ORDER BY url") == before


def test_a_worker_pushes_no_row_once_the_raw_capture_failed(monkeypatch) -> None:
    """The sink drops its rows once kazscraper/warc/failed is set; a Redis worker's last
    pipeline (QueuePipeline) does not look at it: a worker whose WARC write failed
    (WorkerWarcCapture inherits _failed, which sets the stat and lets the response through)
    still pushes the page's article, and the store writes a row whose raw capture is on no
    disk: the bug 4ba8cf0 fixed for a local crawl."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from kazscraper.crawler.signals import RAW_CAPTURE_FAILED
    from kazscraper.distributed import queue_pipeline

    pushed: list = []
    worker = SimpleNamespace(
        queue=SimpleNamespace(push=lambda *records: pushed.extend(records)),
        item_done=lambda response: None,
    )
    monkeypatch.setattr(queue_pipeline, "worker_owner", lambda crawler: worker)
    crawler = get_crawler()
    assert crawler.stats is not None
    crawler.stats.open_spider()
    pipeline = queue_pipeline.QueuePipeline(crawler)
    crawler.stats.set_value(RAW_CAPTURE_FAILED, True)  # WorkerWarcCapture._failed
    pipeline.process_item(make_article(url="https://qazdauiri.kz/news/no-capture"))
    assert pushed == []
