"""The archive under stress: readers during a crawl, a full disk, a bad file at --db.

All over real HTTP against the replica, with real SQLite files on disk and the
CLI in its own processes.
"""

from __future__ import annotations

import multiprocessing
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kazscraper.archive import Archive
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import crawl_args, run_cli, run_cli_here

READERS = 4
ARTICLES = 200  # 600 cost 2 CI minutes: 4 busy readers outrun the crawl for the 2 cores
# what an analyst runs while the nightly crawl writes: counts, joins, full-text search
READER_QUERIES = [
    "SELECT count(*) FROM articles",
    "SELECT a.title, au.name FROM articles a JOIN article_authors x ON x.article_id = a.id "
    "JOIN authors au ON au.id = x.author_id ORDER BY a.published_date DESC LIMIT 20",
    "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Қазақстан'",
    "SELECT kind, count(*) FROM related_links GROUP BY kind",
    "SELECT count(*) FROM articles a WHERE NOT EXISTS "
    "(SELECT 1 FROM article_urls u WHERE u.article_id = a.id)",  # consistency: must be 0
]


def crawl_command(server: ReplicaServer, db: Path) -> list[str]:
    """The crawl as its own process, for subprocess (a reader or a resource limit beside it)."""
    return [sys.executable, "-m", "kazscraper", *crawl_args(server, db)]


def read_in_a_loop(db: str, stop: Any, out: Any) -> None:
    """An analyst's process: query in a loop until ``stop`` is set; report errors and rounds."""
    errors: list[str] = []
    rounds = 0
    inconsistent = 0
    while not stop.is_set() or rounds == 0:
        try:
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
            for sql in READER_QUERIES:
                rows = conn.execute(sql).fetchall()
                if sql == READER_QUERIES[-1] and rows[0][0] != 0:
                    inconsistent += 1
            conn.close()
            rounds += 1
        except sqlite3.Error as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    out.put((rounds, inconsistent, errors))


@pytest.mark.slow
def test_four_readers_query_during_a_crawl_without_a_single_error(tmp_path: Path) -> None:
    db = tmp_path / "busy.sqlite"
    Archive(
        db, site="qazdauiri"
    ).close()  # an empty archive, for the readers to open before the crawl starts
    context = multiprocessing.get_context("spawn")
    stop, queue = context.Event(), context.Queue()
    readers = [
        context.Process(target=read_in_a_loop, args=(str(db), stop, queue)) for _ in range(READERS)
    ]
    for reader in readers:
        reader.start()
    with ReplicaServer(ReplicaSite(ARTICLES)) as server:
        crawl = subprocess.run(
            crawl_command(server, db), capture_output=True, text=True, timeout=300, check=False
        )
    stop.set()
    results = [queue.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(timeout=60)
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr
    assert all(rounds > 0 for rounds, _, _ in results)
    assert [e for _, _, errors in results for e in errors] == []  # no 'database is locked'
    assert all(inconsistent == 0 for _, inconsistent, _ in results)  # never half a write
    (count,) = sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()
    assert count == ARTICLES


def _file_size_cap(limit: int):
    def cap() -> None:  # Python ignores SIGXFSZ: a write past the cap fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return cap


@pytest.mark.slow
def test_a_full_disk_stops_the_crawl_with_exit_1_and_a_consistent_archive(
    tmp_path: Path,
) -> None:
    db = tmp_path / "full.sqlite"
    with ReplicaServer(ReplicaSite(150)) as server:
        full = subprocess.run(
            crawl_command(server, db),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            preexec_fn=_file_size_cap(1_500_000),  # the 'disk' fills part way through
        )
        assert full.returncode == 1, full.stdout + full.stderr
        assert "cannot write the archive" in full.stderr
        assert "Traceback" not in full.stderr
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            (kept,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        assert 0 < kept < 150  # what was committed before the disk filled is still there
        again = subprocess.run(
            crawl_command(server, db), capture_output=True, text=True, timeout=300, check=False
        )
    assert again.returncode == 0, again.stdout + again.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone() == (
            150,
            150,
        )


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["search", "Қазақстан"],
        ["export", "--format", "jsonl"],
        ["crawl", "--start-url", "http://127.0.0.1:9/"],
        ["reparse"],
    ],
)
def test_a_file_that_is_not_sqlite_gives_one_line_and_no_traceback(
    tmp_path: Path, command: list[str]
) -> None:
    db = tmp_path / "notes.sqlite"
    db.write_text("these are my notes, not a database\n" * 100)
    before = db.read_bytes()
    # a run in its own process (its logging as cron sees it); a read command in this one
    run = run_cli if command[0] in ("crawl", "reparse") else run_cli_here
    result = run(*command, "--db", str(db))
    assert result.returncode in (1, 2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a database" in lines[0], result.stderr
    assert db.read_bytes() == before  # left as it was


def test_an_archive_where_no_file_can_be_made_gives_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    result = run_cli("crawl", "--start-url", "http://127.0.0.1:9/", "--db", f"{blocker}/a.sqlite")
    assert result.returncode in (1, 2)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
