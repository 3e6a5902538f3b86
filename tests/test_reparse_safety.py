"""Reparse never empties the archive on a damaged WARC (issue 11, #4)."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kazscraper.crawler.archive_files import archive_folder, warc_directory

from .conftest import crawl_args, run_cli


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


@pytest.mark.slow
def test_reparse_with_a_damaged_record_keeps_the_archive_and_says_so(replica, tmp_path) -> None:
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    before = rows(db, "SELECT url, body, version FROM articles ORDER BY url")
    ((warc_file, offset, length),) = rows(
        db,
        # the only capture of an article (not one of a CMS duplicate's two URLs)
        "SELECT c.warc_file, c.offset, c.length FROM captures c JOIN articles a ON a.url = c.url "
        "WHERE (SELECT count(*) FROM captures x JOIN article_urls u ON u.url = x.url "
        "WHERE u.article_id = a.id) = 1 ORDER BY c.id LIMIT 1 OFFSET 10",
    )
    path = warc_directory(db) / warc_file
    data = bytearray(path.read_bytes())
    data[offset + length // 2 : offset + length // 2 + 32] = b"\xff" * 32
    path.write_bytes(bytes(data))

    result = run_cli("reparse", "--db", str(db))
    assert result.returncode == 1
    assert "damaged" in result.stdout + result.stderr
    assert rows(db, "SELECT url, body, version FROM articles ORDER BY url") == before
    rebuilt = db.with_name("a.reparse.sqlite")
    (count,) = rows(rebuilt, "SELECT count(*) FROM articles")[0]
    assert count == len(before) - 1  # every other record was read
    ((damaged, status),) = rows(
        rebuilt, "SELECT damaged_records, status FROM crawls WHERE command = 'reparse'"
    )
    assert damaged == 1 and status == "failed"


def test_reparse_of_a_copy_reads_the_files_its_captures_name(replica, tmp_path) -> None:
    """Issue 21, #5: ``b.sqlite``, a copy of ``a.sqlite`` beside it, names ``a-…`` WARC
    files in its captures table: reparse reads them (it found none by its own name and
    said ok: 0 pages); and with those files gone, it is an error, not an empty ok."""
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    before = rows(db, "SELECT url, body FROM articles ORDER BY url")
    copy = tmp_path / "b.sqlite"
    copy.write_bytes(db.read_bytes())
    shutil.copytree(archive_folder(db), archive_folder(copy))  # a copy: the file and its folder
    result = run_cli("reparse", "--db", str(copy))
    assert result.returncode == 0, result.stderr
    assert rows(copy, "SELECT url, body FROM articles ORDER BY url") == before

    for path in warc_directory(copy).glob("a-*.warc.gz"):
        path.rename(path.with_name("moved-" + path.name))
    result = run_cli("reparse", "--db", str(copy))
    assert result.returncode == 1
    assert "missing" in result.stdout + result.stderr
    assert rows(copy, "SELECT url, body FROM articles ORDER BY url") == before


@pytest.mark.slow  # a crawl and a reparse in subprocesses: about 20 s
@pytest.mark.parametrize("workers", ["0", "2"])
def test_sigterm_stops_a_reparse_and_keeps_the_archive(replica, tmp_path, workers: str) -> None:
    """Issue 21, #6: SIGTERM during a reparse logged 'Closing spider (shutdown)' and then
    held the lock for ever: Scrapy's scraper re-checked its pending close only when a
    response was done, and a reparse's items come from ``start()``, not from responses.
    The run must stop, exit 1 (ended early) and keep the archive; with worker processes
    (issue 22) too, the pages in them left unread."""
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    before = rows(db, "SELECT url, body, version FROM articles ORDER BY url")
    log = tmp_path / "reparse.log"
    debug = ("--log-file", str(log), "--log-level", "debug", "--workers", workers)
    proc = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", "reparse", "--db", str(db), *debug],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        while proc.poll() is None and "Scraped from" not in _text(log):
            time.sleep(0.05)  # until the first article went through the pipelines
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)  # a hang guard, not a measure
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Closing spider (shutdown)" in _text(log)  # 60 articles: the signal came first
    assert proc.returncode == 1, stderr
    assert "ended early: shutdown" in stderr
    assert "was not replaced" in stderr
    assert rows(db, "SELECT url, body, version FROM articles ORDER BY url") == before
    rebuilt = db.with_name("a.reparse.sqlite")
    (count,) = rows(rebuilt, "SELECT count(*) FROM articles")[0]
    assert 0 < count < len(before)  # stopped part-way, what was in the pipelines written


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.mark.slow  # two crawls and a reparse in subprocesses
@pytest.mark.parametrize("workers", ["0", "2"])  # in one process, in worker processes
def test_reparse_of_a_site_crawled_from_two_origins_keeps_every_article(
    tmp_path, workers: str
) -> None:
    """Issue 22, found while finding why bench/crawl.py's reparse refused: ``kazscraper demo``
    on a busy port serves the replica on other ports ("the archive gets these URLs beside any
    earlier demo's"); a one-site reparse read every capture with the profile at the latest
    crawl's origin only, claimed none of the earlier origin's and refused its rebuild ("10
    archived article URL(s) ended in no rebuilt article (captures claimed by no site?)")."""
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    site = ReplicaSite(8)
    db = tmp_path / "a.sqlite"
    for _ in range(2):  # the same site, each time on other ports
        with ReplicaServer(site) as server:
            assert run_cli(*crawl_args(server, db)).returncode == 0
    before = rows(db, "SELECT url, body FROM articles ORDER BY url")
    result = run_cli("reparse", "--db", str(db), "--workers", workers)
    assert result.returncode == 0, result.stdout + result.stderr
    assert rows(db, "SELECT url, body FROM articles ORDER BY url") == before
