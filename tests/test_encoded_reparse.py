"""Crawl and reparse read the same pages (issue 21, items 1, 2 and 12, end to end): pages
served gzip in several members, br, zstd, br then gzip, gzipped twice on two
Content-Encoding lines, and in a legacy charset (declared right, or declared utf-8) are
crawled over real HTTP from the replica's fault modes, then rebuilt by ``reparse`` from the
WARC files alone: every article row must come back identical."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import crawl_args, run_cli

MODES = (
    "encoded-gzip-members",
    "encoded-br",
    "encoded-zstd",
    "encoded-br-gzip",
    "encoded-gzip-twice",
    "windows-1251",
    "wrong-charset",
)


def article_rows(db: Path) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)")]
        kept = [c for c in columns if c not in ("id", "crawl_id")]  # the run's own numbers
        rows = conn.execute(f"SELECT {', '.join(kept)} FROM articles ORDER BY url").fetchall()
        authors = conn.execute(
            "SELECT a.url, x.* FROM article_authors x JOIN articles a ON a.id = x.article_id "
            "ORDER BY a.url, x.rowid"
        ).fetchall()
    return [*rows, *(("author", *row[:1], *row[2:]) for row in authors)]


@pytest.mark.slow  # a crawl and a reparse in subprocesses: about 15 s
@pytest.mark.parametrize("workers", ["0", "2"])  # in one process, in worker processes
def test_encoded_pages_are_rebuilt_by_reparse_as_the_crawl_stored_them(
    tmp_path: Path, workers: str
) -> None:
    site = ReplicaSite(20)
    plain = [a for a in site.articles[6:] if site.alias_path(a) is None]
    paths = {mode: article.path for mode, article in zip(MODES, plain, strict=False)}
    assert len(paths) == len(MODES)
    db = tmp_path / "a.sqlite"
    with ReplicaServer(site) as server:
        server.set_faults({path: mode for mode, path in paths.items()})
        crawled = run_cli(*crawl_args(server, db))
    assert crawled.returncode == 0, crawled.stdout + crawled.stderr
    before = article_rows(db)
    with closing(sqlite3.connect(db)) as conn:
        stored = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
        captured = dict(
            conn.execute(
                "SELECT c.url, count(*) FROM captures c WHERE c.url IN "
                f"({', '.join('?' * len(paths))}) GROUP BY c.url",
                [server.origin + p for p in paths.values()],
            ).fetchall()
        )
    assert {server.origin + p for p in paths.values()} <= stored  # each read by the crawl
    assert len(captured) == len(paths)  # and captured

    reparsed = run_cli("reparse", "--db", str(db), "--workers", workers)
    assert reparsed.returncode == 0, reparsed.stdout + reparsed.stderr
    assert article_rows(db) == before
