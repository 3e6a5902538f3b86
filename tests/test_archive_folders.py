"""Archives that share a folder (``archive/qazdauiri.sqlite`` and ``archive/demo.sqlite``):
each run touches only its own archive's lock, queues and WARC files, whatever path or
symlink names the archive (issue 11, item 5)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kazscraper.crawler.archive_files import log_directory, warc_directory
from kazscraper.crawler.run_lock import AlreadyRunning, RunLock
from kazscraper.crawler.verdict import EXIT_LOCKED
from kazscraper.replica.server import ReplicaServer
from kazscraper.warc.records import Exchange
from kazscraper.warc.writer import WarcArchiver

from .conftest import crawl_args, run_cli


def articles(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_a_symlink_to_the_archive_takes_the_same_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    db.touch()
    link = tmp_path / "elsewhere" / "link.sqlite"
    link.parent.mkdir()
    link.symlink_to(db)
    with RunLock(db), pytest.raises(AlreadyRunning):
        RunLock(link).acquire()
    with RunLock(link), pytest.raises(AlreadyRunning):
        RunLock(tmp_path / "." / "a.sqlite").acquire()


def test_a_run_through_a_symlink_waits_for_the_run_on_the_real_file(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db, "--max-articles", "3")).returncode == 0
    link = tmp_path / "link.sqlite"
    link.symlink_to(db)
    with RunLock(db):
        result = run_cli(*crawl_args(replica, link, "--max-articles", "3"))
    assert result.returncode == EXIT_LOCKED, result.stderr


def _other_run_in_progress(folder: Path) -> tuple[Path, Path]:
    """What a crawl of ``other.sqlite`` has on disk while it runs: a WARC file still being
    written and its queued requests."""
    archiver = WarcArchiver(warc_directory(folder / "other.sqlite"), "other")
    archiver._open_next()
    archiver.write(
        Exchange(
            url="http://127.0.0.1:9/news/x",
            method="GET",
            request_headers=[],
            status=200,
            response_headers=[("Content-Type", "text/html")],
            body=b"<html>x</html>",
            fetched_at=datetime(2025, 1, 1, tzinfo=UTC),
        )
    )
    archiver._fh.flush()
    open_file = next(warc_directory(folder / "other.sqlite").glob("other-*.warc.gz.open"))
    queue = folder / "other.sqlite.queues" / "4242" / "requests.queue"
    queue.parent.mkdir(parents=True)
    queue.write_bytes(b"queued")
    return open_file, queue


def test_a_run_leaves_another_archives_files_in_the_same_folder_alone(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    open_file, queue = _other_run_in_progress(tmp_path)
    before = open_file.read_bytes()
    db = tmp_path / "demo.sqlite"
    result = run_cli(*crawl_args(replica, db, "--max-articles", "3"))
    assert result.returncode == 0, result.stderr
    assert open_file.read_bytes() == before  # not "recovered" (closed) under the other run
    assert queue.read_bytes() == b"queued"  # not wiped
    assert not (tmp_path / "demo.sqlite.queues").exists()  # its own: removed at the end
    own = list(warc_directory(db).glob("demo-*.warc.gz"))
    assert own and not list(warc_directory(db).glob("demo-*.open"))
    reparse = run_cli("reparse", "--db", str(db))
    assert reparse.returncode == 0, reparse.stderr
    assert open_file.read_bytes() == before


@pytest.mark.slow
def test_reparse_reads_only_its_own_archives_warc_files(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    big, small = tmp_path / "big.sqlite", tmp_path / "small.sqlite"
    assert run_cli(*crawl_args(replica, big, "--max-articles", "12")).returncode == 0
    assert run_cli(*crawl_args(replica, small, "--max-articles", "3")).returncode == 0
    counts = articles(big), articles(small)
    assert counts[1] < counts[0]
    for db in (small, big):
        result = run_cli("reparse", "--db", str(db))
        assert result.returncode == 0, result.stderr
    assert (articles(big), articles(small)) == counts  # small did not take big's articles
    # through a symlink from another folder: the same archive, the same WARC files
    link = tmp_path / "links" / "s.sqlite"
    link.parent.mkdir()
    link.symlink_to(small)
    before = small.stat().st_mtime_ns
    assert run_cli("reparse", "--db", str(link)).returncode == 0
    assert articles(small) == counts[1]
    assert warc_directory(link) == warc_directory(small)  # the real file's folder
    assert [p.name for p in link.parent.iterdir()] == ["s.sqlite"]
    # the rebuilt archive replaced the real file, not the link (which would leave it stale)
    assert link.is_symlink() and link.resolve() == small.resolve()
    assert small.stat().st_mtime_ns != before
    assert list(link.parent.glob("*.sqlite*")) == [link]  # no rebuilt copy left beside it


def test_an_archive_of_the_earlier_layout_is_moved_into_its_folder_and_reads_back(
    demo_archive: Path, tmp_path: Path
) -> None:
    """Issue 25, #5: versions before the archive's folder kept ``warc/`` and ``logs/`` beside
    the file, shared by the archives of that folder. The archive's next run (here a
    reparse, which reads every capture back) moves its own files into ``<file>.files/``
    and leaves the other archives' files where they are."""
    db = tmp_path / "demo.sqlite"  # the session's demo archive, as an earlier version left it
    db.write_bytes(demo_archive.read_bytes())
    old_warc, old_logs = tmp_path / "warc", tmp_path / "logs"
    old_warc.mkdir()
    old_logs.mkdir()
    for path in warc_directory(demo_archive).glob("*.warc.gz"):
        (old_warc / path.name).write_bytes(path.read_bytes())
    (old_logs / "demo-20261101-031700.log").write_text("its run\n")
    (old_logs / "demo-store-20261101-031700.log").write_text("its store\n")
    (tmp_path / "demo-w1.sqlite").touch()  # another archive, whose log is no worker's of demo
    (old_logs / "demo-w1-20261101-031700.log").write_text("demo-w1's run\n")
    open_file, _queue = _other_run_in_progress(tmp_path)  # another archive's run, in the
    other_warc = old_warc / open_file.name  # shared warc/ as an earlier version wrote it
    open_file.rename(other_warc)
    before, captured = articles(db), sorted(p.name for p in old_warc.glob("demo-*"))
    assert before > 0 and captured

    result = run_cli("reparse", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert articles(db) == before  # every capture was read back from where it moved
    assert sorted(p.name for p in warc_directory(db).glob("*.warc.gz")) == captured
    assert warc_directory(db) == tmp_path / "demo.sqlite.files" / "warc"
    assert sorted(p.name for p in log_directory(db).glob("*-031700.log")) == [
        "demo-20261101-031700.log",
        "demo-store-20261101-031700.log",
    ]
    assert [p.name for p in old_warc.iterdir()] == [other_warc.name]  # not its: left alone
    assert [p.name for p in old_logs.iterdir()] == ["demo-w1-20261101-031700.log"]
