"""Read commands never write into another program's SQLite file (issue 21, item 9)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from .conftest import run_cli_here


def _firefox_like(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT, title TEXT)")
        conn.execute("INSERT INTO moz_places (url, title) VALUES ('https://kz/', 'Қазақ')")


def _own_articles(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, headline TEXT)")
        conn.execute("INSERT INTO articles (headline) VALUES ('not ours')")


@pytest.mark.parametrize("make", [_firefox_like, _own_articles], ids=["places", "articles"])
@pytest.mark.parametrize(
    "args",
    [["stats"], ["search", "Қазақ"], ["export"], ["report", "--out", "r.html"], ["show", "1"]],
    ids=lambda a: a[0],
)
def test_a_read_command_leaves_a_foreign_database_as_it_was(
    tmp_path: Path, make: object, args: list[str]
) -> None:
    db = tmp_path / "places.sqlite"
    make(db)  # type: ignore[operator]
    before = db.read_bytes()
    command, *rest = args
    rest = [str(tmp_path / a) if a.endswith(".html") else a for a in rest]
    done = run_cli_here(command, "--db", str(db), *rest)  # in this process: no crawl
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "not a kazscraper archive" in lines[0], done.stderr
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["places.sqlite"]
