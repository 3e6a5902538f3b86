"""Nothing left behind (issue 25, item 5): a reparse and the read commands leave no
``-wal``/``-shm`` files beside the archive, ``report`` writes beside the archive (not into
the current folder), and a reparse with nothing to rebuild says why it read 0 pages."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from kazscraper.archive import Archive
from kazscraper.replica.server import ReplicaServer

from .conftest import crawl_args, run_cli


def test_reparse_and_the_read_commands_leave_only_the_archives_own_files(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    db = folder / "a.sqlite"
    crawled = run_cli(*crawl_args(replica, db, "--max-articles", "3"))
    assert crawled.returncode == 0, crawled.stderr
    own = {"a.sqlite", "a.sqlite.lock", "a.sqlite.files"}
    assert {p.name for p in folder.iterdir()} == own
    rebuilt = run_cli("reparse", "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {p.name for p in folder.iterdir()} == own
    # the reparse's crawls row counts the pages its summary line gives (stats shows it)
    pages = int(rebuilt.stdout.split(" pages", 1)[0].rsplit(" ", 1)[1])
    with closing(sqlite3.connect(db)) as conn:
        row = conn.execute("SELECT command, pages_fetched FROM crawls ORDER BY id DESC").fetchone()
    assert pages > 0 and row == ("reparse", pages)
    for command in (["stats"], ["search", "Алматы"], ["export", "--format", "csv"], ["report"]):
        done = run_cli(*command, "--db", str(db))
        assert done.returncode == 0, (command, done.stderr)
    assert {p.name for p in folder.iterdir()} == own | {"a.report.html"}


def test_a_reparse_with_nothing_to_rebuild_says_so(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    Archive(db).close()
    done = run_cli("reparse", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: 0 pages"), done.stdout
    assert "nothing to rebuild" in done.stdout


def test_datasette_names_the_replica_as_the_source_of_a_demo_archive(demo_archive: Path) -> None:
    from kazscraper.serve.datasette_metadata import SOURCE_URL, build_metadata

    metadata = build_metadata(demo_archive)
    assert "replica" in metadata["source"] and "replica" in metadata["title"]
    assert SOURCE_URL not in metadata.values()
