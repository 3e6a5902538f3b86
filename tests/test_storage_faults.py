"""Values SQLite cannot store and revisits that bring garbage (issue 11, items 1 and 3).

Crawls over real HTTP against the replica with the storage fault modes switched on
(``replica.faults.STORAGE_FAULTS``), then the archive is checked: every healthy article
present once, the odd ones stored with their values made storable, a revisit that
lost the article's fields leaves the stored row as it was and is recorded as an anomaly.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from tests.test_hostile_site import (
    Hostile,
    Run,
    assert_every_healthy_article_once,
    assert_scheduled_articles_accounted_for,
    plain_articles,
)

from .conftest import crawl_args, run_cli


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = ReplicaSite(40)
    with ReplicaServer(site) as server:
        yield Hostile(site, server, tmp_path_factory.mktemp("storage"))


# -- item 1: one bad value must not cost its batch -------------------------------------


@pytest.fixture(scope="module")
def odd_values_run(storage: Hostile) -> tuple[Run, list[str], list[str]]:
    plain = iter(plain_articles(storage.site))
    overflow = [next(plain).path for _ in range(2)]
    surrogate = [next(plain).path for _ in range(2)]
    storage.faults = {
        **{p: "views-overflow" for p in overflow},
        **{p: "headline-surrogate" for p in surrogate},
    }
    # one batch for the whole site: a bad record shares its transaction with every other
    run = storage.crawl("odd-values", {"KAZSCRAPER_BATCH_SIZE": 1000})
    storage.faults = {}
    return run, overflow, surrogate


def test_odd_values_lose_no_article(odd_values_run: tuple, storage: Hostile) -> None:
    run, _, surrogate = odd_values_run
    assert run.exit_code == 0, run.reason
    assert "Traceback" not in run.stderr
    # the surrogate's titles are stored, made storable (checked below): the rest exactly
    assert_every_healthy_article_once(run, storage.site, set(surrogate))
    assert_scheduled_articles_accounted_for(run)
    assert run.failures() == {}
    assert len(run.articles()) == len(storage.site.articles)


def test_a_view_counter_beyond_64_bits_is_stored_as_none_with_a_note(
    odd_values_run: tuple,
) -> None:
    run, overflow, _ = odd_values_run
    for path in overflow:
        [(views, extraction)] = run.rows(
            "SELECT views, extraction FROM articles WHERE url = ?", run.origin + path
        )
        assert views is None
        assert "out of SQLite's integer range" in json.loads(extraction)["views"]


def test_a_lone_surrogate_in_a_headline_is_replaced(
    odd_values_run: tuple, storage: Hostile
) -> None:
    run, _, surrogate = odd_values_run
    for path in surrogate:
        article = storage.site.article_at(path)
        assert article is not None
        [(title, body)] = run.rows(
            "SELECT title, body FROM articles WHERE url = ?", run.origin + path
        )
        assert title == storage.site.expected_record(article)["title"] + "\ufffd"
        assert body.startswith(storage.site.expected_record(article)["body"][:200])


# -- item 3: a revisit that gets garbage keeps the stored article ------------------------

SNAPSHOT = (
    "SELECT a.url, a.title, a.body, a.published_date, a.category, a.version, a.content_hash, "
    "(SELECT group_concat(au.name, '|') FROM article_authors aa "
    " JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id) "
    "FROM articles a ORDER BY a.url"
)


@pytest.fixture(scope="module")
def revisit_runs(storage: Hostile) -> tuple[list[tuple], Run, list[str], list[str]]:
    first = storage.crawl("revisit")
    assert first.exit_code == 0, first.reason
    before = first.rows(SNAPSHOT)
    plain = iter(plain_articles(storage.site))
    soft = [next(plain).path for _ in range(3)]
    stripped = [next(plain).path for _ in range(2)]
    storage.faults = {
        **{p: "soft-404" for p in soft},
        **{p: "metadata-stripped" for p in stripped},
    }
    second = storage.crawl("revisit", full=True)  # the same archive, every article again
    storage.faults = {}
    return before, second, soft, stripped


def test_a_garbage_revisit_changes_no_stored_article(revisit_runs: tuple) -> None:
    snapshot, second, soft, stripped = revisit_runs
    assert second.exit_code == 0, second.reason
    assert "Traceback" not in second.stderr
    before = {row[0]: row for row in snapshot}
    after = {row[0]: row for row in second.rows(SNAPSHOT)}
    assert after == before
    for path in soft + stripped:
        url = second.origin + path
        published, category, authors = before[url][3], before[url][4], before[url][7]
        assert published and category and authors, url  # there was something to lose
    assert_scheduled_articles_accounted_for(second)


def test_a_garbage_revisit_is_recorded_as_an_anomaly(revisit_runs: tuple) -> None:
    _, second, soft, stripped = revisit_runs
    crawl_id = second.stats["kazscraper/crawl_id"]
    anomalies = {
        url: (kind, detail)
        for url, kind, detail in second.rows(
            "SELECT url, kind, detail FROM anomalies WHERE crawl_id = ?", crawl_id
        )
    }
    assert set(anomalies) == {second.origin + p for p in soft + stripped}
    for path in soft:
        kind, detail = anomalies[second.origin + path]
        assert kind == "not_a_version", detail
        assert "not found" in detail
    for path in stripped:
        kind, detail = anomalies[second.origin + path]
        assert kind == "metadata_lost", detail
        for name in ("published_date", "category", "authors"):
            assert name in detail
    assert second.stats["kazscraper/anomalies"] == len(soft + stripped)
    # a soft 404 is not an article row: the stored article stays, nothing new appeared
    assert not second.rows("SELECT url FROM articles WHERE title LIKE 'Бет табылмады%'")


def test_a_reparse_keeps_each_anomaly_under_the_crawl_that_fetched_its_capture(
    tmp_path: Path,
) -> None:
    """Reparse empties the anomalies with the articles and records them again from the
    captures: each under the crawl whose capture it is. It took the reparse's own id, so
    the crawl's anomalies (``anomalies WHERE crawl_id = ?``) were gone after a rebuild."""
    site = ReplicaSite(8)
    db = tmp_path / "press.sqlite"
    with ReplicaServer(site) as server:
        assert run_cli(*crawl_args(server, db)).returncode == 0
        soft = plain_articles(site)[0].path
        server.set_faults({soft: "soft-404"})
        assert run_cli(*crawl_args(server, db, "--full")).returncode == 0
    anomalies = "SELECT url, kind, crawl_id FROM anomalies ORDER BY url, kind"
    with sqlite3.connect(db) as conn:
        before = conn.execute(anomalies).fetchall()
    assert before == [(server.origin + soft, "not_a_version", 2)]  # of the second crawl
    rebuilt = run_cli("reparse", "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute(anomalies).fetchall() == before
