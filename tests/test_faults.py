"""Fault modes on the replica: every one survived, recorded, and healed by the next run.

One crawl meets all the faults at once (each on its own article of a 60-article
replica, plus a broken sitemap), over real HTTP on loopback; each test then
checks its own fault in the resulting archive. The faults are then switched
off and a second run must complete the archive with nothing missing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kazscraper.replica.faults import FAULTS, HOSTILE_FAULTS, REDTEAM_FAULTS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import crawl_args, run_cli

# the hostile-site modes have their own tests (test_hostile_site.py)
ARTICLE_FAULTS = [
    mode
    for mode in FAULTS
    if mode != "broken-xml" and mode not in HOSTILE_FAULTS and mode not in REDTEAM_FAULTS
]
# faults that end in a recorded failure, and what its reason says
FAILING = {
    "500": "HTTP 500",
    "502": "HTTP 502",
    "503": "HTTP 503",
    "503-retry-after-long": "HTTP 503",
    "reset": "ConnectionLost",
    "slow": "took longer than 1.0 seconds",
    "truncated": "DataLoss",
    "huge": "larger than download max size",
    "binary": "not a text page (image/png)",
    "redirect-loop": "max redirections reached",
    "redirect-offsite": "redirect off the site refused",
    "empty": "empty document",
}
# faults the crawler rides out: the article is stored, right
SURVIVED = ["429-retry-after", "503-retry-after", "windows-1251", "wrong-charset"]


@dataclass
class FaultyRun:
    site: ReplicaSite
    server: ReplicaServer
    db: Path
    paths: dict[str, str]  # fault mode -> article path
    first: object  # CompletedProcess of the run with faults
    second: object  # CompletedProcess of the run after the faults were switched off
    failures_after_first: dict[str, tuple[str, str, int]]  # url -> (stage, reason, attempts)
    articles_after_first: set[str]

    def url(self, mode: str) -> str:
        return self.server.origin + self.paths[mode]


def query(db: Path, sql: str, *args: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def archived_paths(db: Path, origin: str) -> set[str]:
    """Paths of every URL that leads to an archived article (aliases included)."""
    return {url[len(origin) :] for (url,) in query(db, "SELECT url FROM article_urls")}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyRun]:
    site = ReplicaSite(60)
    # plain articles: not the seed or the top news (linked from every page), no alias
    plain = [a for a in site.articles[6:] if site.alias_path(a) is None]
    paths = {mode: a.path for mode, a in zip(ARTICLE_FAULTS, plain, strict=False)}
    db = tmp_path_factory.mktemp("faults") / "archive.sqlite"
    with ReplicaServer(site) as server:
        args = crawl_args(server, db, "--timeout", "1")
        server.set_faults({**{p: m for m, p in paths.items()}, "/sitemap.xml": "broken-xml"})
        first = run_cli(*args)
        failures = {
            url: (stage, reason, attempts)
            for url, stage, reason, attempts in query(
                db, "SELECT url, stage, reason, attempts FROM failures"
            )
        }
        articles = archived_paths(db, server.origin)
        server.set_faults({})
        second = run_cli(*args)
        yield FaultyRun(site, server, db, paths, first, second, failures, articles)


def test_every_fault_mode_is_exercised(run: FaultyRun) -> None:
    assert set(run.paths) == set(ARTICLE_FAULTS) == set(FAILING) | set(SURVIVED)


def test_the_faulty_run_finishes_and_exits_0(run: FaultyRun) -> None:
    assert run.first.returncode == 0, run.first.stderr  # failures are recorded, not fatal
    assert "failures" in run.first.stdout
    assert "Traceback" not in run.first.stderr


@pytest.mark.parametrize("mode", sorted(FAILING))
def test_a_failing_page_is_recorded_with_its_reason(run: FaultyRun, mode: str) -> None:
    stage, reason, attempts = run.failures_after_first[run.url(mode)]
    assert FAILING[mode] in reason
    assert stage in ("fetch", "extract")
    assert attempts == 1
    assert run.paths[mode] not in run.articles_after_first


@pytest.mark.parametrize("mode", SURVIVED)
def test_a_survivable_fault_still_stores_the_article_right(run: FaultyRun, mode: str) -> None:
    path = run.paths[mode]
    assert path in run.articles_after_first
    assert run.url(mode) not in run.failures_after_first
    article = run.site.article_at(path)
    expected = run.site.expected_record(article)
    title, body = query(
        run.db,
        "SELECT a.title, a.body FROM articles a "
        "JOIN article_urls u ON u.article_id = a.id WHERE u.url = ?",
        run.url(mode),
    )[0]
    assert title == expected["title"]
    assert body.startswith(expected["body"][:200])  # decoded right: no mojibake
    assert "\ufffd" not in body and "Ð" not in body


def test_retry_after_is_honoured_then_the_page_is_fetched(run: FaultyRun) -> None:
    for mode, status in (("429-retry-after", 429), ("503-retry-after", 503)):
        statuses = [
            s for (s,) in query(run.db, "SELECT status FROM captures WHERE url = ?", run.url(mode))
        ]
        assert statuses.count(status) == 2 and 200 in statuses, (mode, statuses)


def test_a_retry_after_longer_than_the_limit_is_not_waited_for(run: FaultyRun) -> None:
    statuses = query(
        run.db, "SELECT status FROM captures WHERE url = ?", run.url("503-retry-after-long")
    )
    assert statuses[:1] == [(503,)]  # one request, then given up for this run (next run: again)


def test_a_legacy_encoding_is_noted_in_provenance(run: FaultyRun) -> None:
    for mode in ("windows-1251", "wrong-charset"):
        (extraction,) = query(
            run.db,
            "SELECT a.extraction FROM articles a JOIN article_urls u ON u.article_id = a.id "
            "WHERE u.url = ?",
            run.url(mode),
        )[0]
        assert '"encoding": "kz1048 (declared ' in extraction


def test_a_broken_sitemap_is_recorded_and_the_categories_still_find_everything(
    run: FaultyRun,
) -> None:
    stage, reason, _ = run.failures_after_first[run.server.origin + "/sitemap.xml"]
    assert stage == "discovery" and "malformed sitemap XML" in reason
    healthy = {a.path for a in run.site.articles} - set(run.paths.values())
    assert healthy <= run.articles_after_first  # every healthy article, in the first run


def test_nothing_but_the_faults_failed(run: FaultyRun) -> None:
    faulty = {run.url(mode) for mode in FAILING} | {run.server.origin + "/sitemap.xml"}
    assert set(run.failures_after_first) == faulty


def test_the_next_run_retries_the_failures_and_completes_the_archive(run: FaultyRun) -> None:
    assert run.second.returncode == 0, run.second.stderr
    assert query(run.db, "SELECT url, reason FROM failures") == []
    stored = archived_paths(run.db, run.server.origin)
    assert {a.path for a in run.site.articles} <= stored
    urls = [u for (u,) in query(run.db, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == run.site.n_articles  # each article once
    assert query(run.db, "PRAGMA integrity_check") == [("ok",)]
