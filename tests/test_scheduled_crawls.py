"""Scheduled crawls against a changing replica: new articles, edits, kills, locks, redesigns."""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kazscraper.crawler.archive_files import warc_directory
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import EDIT_NOTE, ReplicaSite

from .conftest import crawl_args, kill_crawl_after, run_cli


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_new_articles_between_runs_are_exactly_the_ones_added(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with ReplicaServer(ReplicaSite(30)) as server:
        assert run_cli(*crawl_args(server, db)).returncode == 0
        before = {r[0] for r in rows(db, "SELECT url FROM articles")}
        server.use(ReplicaSite(40))
        result = run_cli(*crawl_args(server, db))
        assert result.returncode == 0, result.stderr
        assert "articles 10 new, 0 updated" in result.stdout
        added = {r[0] for r in rows(db, "SELECT url FROM articles")} - before
        expected = {server.origin + a.path for a in ReplicaSite(40).articles[30:]}
    assert added == expected


def test_an_edited_article_keeps_both_texts(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with ReplicaServer(ReplicaSite(60)) as server:
        assert run_cli(*crawl_args(server, db)).returncode == 0
        edited_site = ReplicaSite(60, edition=2)
        server.use(edited_site)
        result = run_cli(*crawl_args(server, db, "--full"))
        assert result.returncode == 0, result.stderr
        edited = edited_site.edited_articles
        assert f"{len(edited)} updated" in result.stdout
        for article in edited:
            url = server.origin + article.path
            ((current, version),) = rows(
                db, "SELECT body, version FROM articles WHERE url = ?", url
            )
            (old,) = rows(
                db,
                "SELECT v.body FROM article_versions v JOIN articles a ON a.id = v.article_id "
                "WHERE a.url = ? AND v.version = 1",
                url,
            )[0]
            assert version == 2
            assert current.endswith(EDIT_NOTE) and not old.endswith(EDIT_NOTE)
            assert current.startswith(old[:200])


def test_second_run_while_one_is_running_exits_75(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with ReplicaServer(ReplicaSite(300)) as server:
        first = subprocess.Popen(
            [sys.executable, "-m", "kazscraper", *crawl_args(server, db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for(lambda: Path(f"{db}.lock").exists() and Path(f"{db}.lock").read_text().strip())
        second = run_cli(*crawl_args(server, db))
        _out, err = first.communicate(timeout=300)
    assert second.returncode == 75
    assert "another kazscraper run" in second.stderr
    assert first.returncode == 0, err
    assert rows(db, "SELECT count(*) FROM articles") == [(300,)]


@pytest.mark.slow
def test_killed_run_leaves_a_consistent_archive_and_the_rerun_completes(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    site = ReplicaSite(300)  # enough for the kill to land mid-crawl; 1500 cost 2 CI minutes
    with ReplicaServer(site) as server:
        kill_crawl_after(server, db, articles=60)
        committed = {r[0] for r in rows(db, "SELECT url FROM articles")}
        assert 0 < len(committed) < site.n_articles
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        result = run_cli(*crawl_args(server, db))
        assert result.returncode == 0, result.stderr
    after = [r[0] for r in rows(db, "SELECT url FROM articles")]
    assert len(after) == len(set(after)) == site.n_articles
    assert committed <= set(after)  # nothing committed was lost
    assert rows(db, "SELECT count(*) FROM frontier") == [(0,)]
    assert rows(db, "SELECT status FROM crawls ORDER BY id") == [("running",), ("ok",)]


def test_redesigned_site_fails_the_health_check_and_names_the_fields(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with ReplicaServer(ReplicaSite(60, layout="v2")) as server:
        result = run_cli(*crawl_args(server, db))
    assert result.returncode == 3
    assert "body:profile 0% < 90%" in result.stderr  # the selectors no longer match
    assert "UNHEALTHY" in result.stdout
    status, verdict = rows(db, "SELECT status, verdict FROM crawls")[0]
    assert status == "unhealthy" and "body:profile" in verdict
    # the generic layer still rescued the articles: nothing is lost while the profile is fixed
    (count,) = rows(db, "SELECT count(*) FROM articles WHERE body IS NOT NULL")[0]
    assert count == 60
    layers = json.loads(rows(db, "SELECT extraction_layers FROM crawls")[0][0])
    assert layers["body:generic"] == 60 and "body:profile" not in layers


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


ARTICLE_COLUMNS = (
    "url, site, title, body, lead, published_date, published_at, date_raw, category, tags, "
    "image_url, views, language, affiliation, word_count, content_hash, version, fetched_url, "
    "first_seen_at, last_seen_at, extraction, etag"
)


def test_raw_capture_is_valid_warc_and_reparse_rebuilds_the_same_articles(tmp_path: Path) -> None:
    db = tmp_path / "crawl" / "a.sqlite"
    edition = ReplicaSite(30, edition=2)
    with ReplicaServer(ReplicaSite(30)) as server:
        assert run_cli(*crawl_args(server, db)).returncode == 0
        server.use(edition)
        assert run_cli(*crawl_args(server, db, "--full")).returncode == 0
    warcs = sorted(warc_directory(db).glob("*.warc.gz"))
    assert len(warcs) == 2 and not list(warc_directory(db).glob("*.open"))
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    kinds = dict(rows(db, "SELECT record_type, count(*) FROM captures GROUP BY 1"))
    # the second visit stored every unchanged article page as a revisit
    assert kinds["revisit"] >= 30 - len(edition.edited_articles) > 0

    copy = tmp_path / "copy"
    shutil.copytree(db.parent, copy, ignore=shutil.ignore_patterns("*.lock", "logs"))
    result = run_cli("reparse", "--db", str(copy / "a.sqlite"))
    assert result.returncode == 0, result.stderr
    query = f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY url"
    assert rows(copy / "a.sqlite", query) == rows(db, query)
    versions = (
        "SELECT a.url, v.version, v.body FROM article_versions v "
        "JOIN articles a ON a.id = v.article_id ORDER BY 1, 2"
    )
    assert rows(copy / "a.sqlite", versions) == rows(db, versions) != []
    urls = (
        "SELECT u.url, a.url FROM article_urls u JOIN articles a ON a.id = u.article_id ORDER BY 1"
    )
    assert rows(copy / "a.sqlite", urls) == rows(db, urls)


@pytest.mark.slow  # two crawls of 300 articles with two worker processes: about 15 s
def test_a_killed_run_with_workers_has_every_committed_articles_capture_and_resumes(
    tmp_path: Path,
) -> None:
    """``crawl --workers 2`` killed mid-run: the WARC records are written by their own
    thread, yet every article row committed has its page's capture row, naming a record on
    disk (the captures are placed and indexed before each batch of articles); the next run
    with workers completes the archive."""
    db = tmp_path / "a.sqlite"
    site = ReplicaSite(300)
    with ReplicaServer(site) as server:
        kill_crawl_after(server, db, 60, 120, "--workers", "2")
        committed = rows(db, "SELECT url, fetched_url FROM articles")
        captured = {r[0] for r in rows(db, "SELECT url FROM captures")}
        assert committed and all(fetched in captured for _, fetched in committed)
        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        folder = warc_directory(db)
        for name, offset, length in rows(db, "SELECT warc_file, offset, length FROM captures"):
            files = [folder / name, folder / f"{name}.open"]
            raw = next(f for f in files if f.exists()).read_bytes()[offset : offset + length]
            assert gzip.decompress(raw).startswith(b"WARC/1.")
        result = run_cli(*crawl_args(server, db, "--workers", "2"))
        assert result.returncode == 0, result.stderr
    after = [r[0] for r in rows(db, "SELECT url FROM articles")]
    assert len(after) == len(set(after)) == site.n_articles
    assert {url for url, _ in committed} <= set(after)
