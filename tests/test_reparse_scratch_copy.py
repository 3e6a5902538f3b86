"""Reparse makes its copy under ``<name>.reparse.sqlite.copying`` and renames it once whole:
a copy a killed run left part-made is deleted by the next reparse; another file at that
name is not (a reparse killed after the rename or during its run leaves a whole copy, whose
first run names it ours: tests/test_round3_small.py, tests/test_reparse_safety.py)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kazscraper.archive import Archive
from tests.conftest import run_cli


def _another_archive(path: Path) -> None:
    with Archive(path) as archive:
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:8/"})


def _a_text_file(path: Path) -> None:
    path.write_text("notes of mine\n")


@pytest.mark.parametrize("make", [_another_archive, _a_text_file], ids=["archive", "text"])
def test_a_file_at_the_scratch_name_that_is_not_ours_is_left_alone(tmp_path: Path, make) -> None:
    db = tmp_path / "news.sqlite"
    with Archive(db) as archive:
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:9/"})
    other = tmp_path / "news.reparse.sqlite.copying"
    make(other)
    before = other.read_bytes()
    done = run_cli("reparse", "--db", str(db), timeout=120)
    assert done.returncode == 1
    assert "news.reparse.sqlite.copying" in done.stderr and "Traceback" not in done.stderr
    assert other.read_bytes() == before


@pytest.mark.parametrize("size", [0, 4096], ids=["empty", "schema-only"])
def test_a_part_made_copy_at_the_scratch_name_is_deleted(tmp_path: Path, size: int) -> None:
    db = tmp_path / "news.sqlite"
    with Archive(db) as archive:
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:9/"})
    scratch = tmp_path / "news.reparse.sqlite.copying"
    scratch.touch()
    if size:
        with sqlite3.connect(scratch) as conn:
            conn.execute("CREATE TABLE crawls (id INTEGER PRIMARY KEY, started_at, arguments)")
    done = run_cli("reparse", "--db", str(db), timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir() if "reparse" in p.name] == []
