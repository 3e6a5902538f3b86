"""The captures index is rebuilt from the WARC files (issue 11, item 17).

A run killed with ``kill -9`` has written WARC records whose ``captures`` rows were still
in memory (they are inserted in batches). The next run re-indexes them before it
crawls: afterwards every response and revisit record of the archive's WARC files has
exactly one ``captures`` row, at its file and offset.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.warc_capture import warc_directory
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from kazscraper.warc.index import reindex_captures

from .conftest import crawl_args, kill_crawl_after, run_cli


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def warc_records(db: Path) -> Counter:
    """(file, offset, type, url) of every response and revisit record, read with warcio."""
    found: Counter = Counter()
    for path in sorted(warc_directory(db).glob(f"{db.stem}-*.warc.gz")):
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                if record.rec_type in ("response", "revisit"):
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    found[(path.name, iterator.get_record_offset(), record.rec_type, url)] += 1
    return found


def capture_rows(db: Path) -> Counter:
    return Counter(
        rows(db, "SELECT warc_file, offset, record_type, url FROM captures")  # type: ignore[arg-type]
    )


def assert_index_complete(db: Path) -> None:
    records, indexed = warc_records(db), capture_rows(db)
    assert records, "no WARC records"
    assert indexed == records  # every record once, no row without its record


def test_lost_captures_rows_are_restored_by_the_next_run(
    tmp_path: Path, replica: ReplicaServer
) -> None:
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    assert_index_complete(db)
    total = rows(db, "SELECT count(*) FROM captures")[0][0]
    # a kill -9 loses the last batch of rows (written in WARC order): the file's tail
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM captures WHERE id > ?", [total - 37])
    assert rows(db, "SELECT count(*) FROM captures")[0][0] == total - 37
    result = run_cli(*crawl_args(replica, db))
    assert result.returncode == 0, result.stderr
    assert_index_complete(db)
    # a third run finds nothing to add and duplicates nothing
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    assert_index_complete(db)


def test_reindexing_adds_only_what_is_missing(tmp_path: Path, replica: ReplicaServer) -> None:
    db = tmp_path / "a.sqlite"
    assert run_cli(*crawl_args(replica, db)).returncode == 0
    expected = capture_rows(db)
    with sqlite3.connect(db) as conn:
        # rows lost in the middle of a file, and every row of one file
        first = conn.execute("SELECT min(warc_file) FROM captures").fetchone()[0]
        conn.execute("DELETE FROM captures WHERE id % 5 = 0 OR warc_file = ?", [first])
    lost = sum(expected.values()) - sum(capture_rows(db).values())
    assert lost > 0
    with Archive(db, site="qazdauiri") as archive:
        assert reindex_captures(archive, warc_directory(db), db.stem) == lost
        assert capture_rows(db) == expected
        assert reindex_captures(archive, warc_directory(db), db.stem) == 0


def test_a_killed_run_gets_its_captures_rows_back(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    site = ReplicaSite(600)
    with ReplicaServer(site) as server:
        kill_crawl_after(server, db, articles=100)
        result = run_cli(*crawl_args(server, db, "--max-articles", "1"))
        assert result.returncode == 0, result.stderr
    # every record of the killed run (its torn last one cut off) and of the rerun has its
    # row, and no row points past the end of a file
    assert_index_complete(db)
