"""Nothing left behind (issue 25, item 5): a reparse and the read commands leave no
``-wal``/``-shm`` files beside the archive, ``report`` writes beside the archive (not into
the current folder), and a reparse with nothing to rebuild says why it read 0 pages."""

from __future__ import annotations

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
    own = {"a.sqlite", "a.sqlite.lock", "logs", "warc"}
    assert {p.name for p in folder.iterdir()} == own
    rebuilt = run_cli("reparse", "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert {p.name for p in folder.iterdir()} == own
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
