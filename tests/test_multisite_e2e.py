"""End to end, several sites in one crawl and one archive (issue 14, "Many sites"): two
replicas over real HTTP on loopback, one served as qazdauiri (``qazdauiri=URL``) and one
read as an unknown site with the generic profile (``URL``), crawled by one run into one
SQLite file; then the site filters of stats, search and export, an incremental second
run, and reparse from the WARC files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kazscraper.cli import main
from kazscraper.crawler.archive_files import archive_folder
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from kazscraper.sites import host_label

from .conftest import run_cli

A_ARTICLES, B_ARTICLES = 40, 30


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def two_sites() -> Iterator[tuple[ReplicaServer, ReplicaServer]]:
    with (
        ReplicaServer(ReplicaSite(A_ARTICLES, seed=1)) as a,
        ReplicaServer(ReplicaSite(B_ARTICLES, seed=2)) as b,
    ):
        yield a, b


def read_cli(*args: str) -> Result:
    """A read command (stats, search, export, report) in this process: no reactor, so no
    fresh interpreter is needed (the crawls stay in their own processes)."""
    return CliRunner().invoke(main, list(args), prog_name="kazscraper")


def site_args(a: ReplicaServer, b: ReplicaServer) -> list[str]:
    return ["--site", f"qazdauiri={a.origin}/", "--site", f"{b.origin}/"]


@pytest.fixture(scope="module")
def crawled(
    two_sites: tuple[ReplicaServer, ReplicaServer], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    a, b = two_sites
    db = tmp_path_factory.mktemp("multisite") / "press.sqlite"
    result = run_cli("crawl", *site_args(a, b), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    return db, result


def test_one_crawl_stores_both_sites_each_under_its_label(
    crawled: tuple[Path, subprocess.CompletedProcess[str]],
    two_sites: tuple[ReplicaServer, ReplicaServer],
) -> None:
    db, result = crawled
    a, b = two_sites
    b_label = host_label(b.origin)
    assert b_label == f"127.0.0.1:{b.origin.rsplit(':', 1)[1]}"
    # exit 0: each site judged apart (the generic site's bodies are no profile bodies)
    assert f"sites: qazdauiri (qazdauiri profile at {a.origin}); {b_label} (generic" in (
        result.stderr
    )
    by_site = dict(rows(db, "SELECT site, count(*) FROM articles GROUP BY site"))
    assert by_site == {"qazdauiri": A_ARTICLES, b_label: B_ARTICLES}
    ids = dict(rows(db, "SELECT url, article_id FROM article_urls"))
    sites = dict(rows(db, "SELECT id, site FROM articles"))
    for server, label in ((a, "qazdauiri"), (b, b_label)):
        for article in server.site.articles:  # every article of each replica, in its site
            assert sites[ids[server.origin + article.path]] == label
    # the generic layer read the replica's pages: titles, dates and bodies of every one
    fields = rows(
        db,
        "SELECT count(*) FROM articles WHERE site = ? AND title IS NOT NULL"
        " AND body IS NOT NULL AND published_date IS NOT NULL",
        b_label,
    )
    assert fields == [(B_ARTICLES,)]
    titles = {t for (t,) in rows(db, "SELECT title FROM articles WHERE site = ?", b_label)}
    assert titles == {article.title for article in b.site.articles}
    (crawl_site,) = rows(db, "SELECT site FROM crawls")
    assert crawl_site == (f"qazdauiri,{b_label}",)


def test_each_hosts_robots_txt_was_read_and_no_listing_became_a_failure(
    crawled: tuple[Path, subprocess.CompletedProcess[str]],
    two_sites: tuple[ReplicaServer, ReplicaServer],
) -> None:
    db, _ = crawled
    a, b = two_sites
    robots = rows(db, "SELECT url FROM captures WHERE url LIKE '%/robots.txt' ORDER BY url")
    assert sorted(robots) == sorted([(a.origin + "/robots.txt",), (b.origin + "/robots.txt",)])
    # the generic site's category pages were read as listings, not stored as failed articles
    failures = rows(db, "SELECT url, stage FROM failures")
    assert all(stage == "discovery" for _, stage in failures), failures
    assert not [u for u, _ in failures if "/category/" in u]
    assert (
        rows(db, "SELECT count(*) FROM captures WHERE url LIKE ?", b.origin + "/category/%")[0][0]
        > 0
    )


def test_stats_search_and_export_filter_by_site(
    crawled: tuple[Path, subprocess.CompletedProcess[str]],
    two_sites: tuple[ReplicaServer, ReplicaServer],
) -> None:
    db, _ = crawled
    _, b = two_sites
    b_label = host_label(b.origin)
    stats = read_cli("stats", "--db", str(db), "--site", b_label)
    assert stats.exit_code == 0, stats.stderr
    assert f"Archive {db}, site {b_label}" in stats.stdout
    assert any(line.split() == ["articles", str(B_ARTICLES)] for line in stats.stdout.splitlines())
    everything = read_cli("stats", "--db", str(db))
    assert f"sites             {b_label}, qazdauiri" in everything.stdout
    exported = read_cli("export", "--db", str(db), "--site", b_label)
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == B_ARTICLES and {r["site"] for r in records} == {b_label}
    word = b.site.articles[0].title.split()[0]
    found = read_cli("search", word, "--db", str(db), "--site", "qazdauiri", "--format", "json")
    hits = json.loads(found.stdout)["hits"]
    assert all(h["url"].startswith(two_sites[0].origin) for h in hits)
    found_b = read_cli("search", word, "--db", str(db), "--site", b_label, "--format", "json")
    hits_b = json.loads(found_b.stdout)["hits"]
    assert hits_b and all(h["url"].startswith(b.origin) for h in hits_b)
    report = db.with_name("report.html")
    made = read_cli("report", "--db", str(db), "--site", b_label, "--out", str(report))
    assert made.exit_code == 0, made.stderr
    assert f"{B_ARTICLES} articles" in made.stderr and f"(site {b_label})" in report.read_text()


@pytest.mark.parametrize("command", ["stats", "export", "search", "report"])
def test_an_unknown_site_label_is_one_line_naming_the_archives_sites(
    crawled: tuple[Path, subprocess.CompletedProcess[str]], command: str, tmp_path: Path
) -> None:
    db, _ = crawled
    extra = {"search": ["Абай"], "report": ["--out", str(tmp_path / "r.html")]}.get(command, [])
    result = read_cli(command, *extra, "--db", str(db), "--site", "abai.kz")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "no articles of site 'abai.kz'" in lines[0], result.stderr
    assert "qazdauiri" in lines[0] and result.stdout == ""


def runs_of(db: Path) -> str:
    """The archive's runs and its article captures in order: what a failure of the test
    below needs to be read (it failed once, in a full run of the suite, then passed)."""
    crawls = rows(db, "SELECT id, command, started_at, finished_at, exit_code FROM crawls")
    captures = rows(
        db, "SELECT id, fetched_at, status, url FROM captures WHERE url LIKE '%/news/%' ORDER BY id"
    )
    return f"\ncrawls: {crawls}\narticle captures: " + "\n".join(map(str, captures))


def test_a_second_run_fetches_no_article_again_then_reparse_rebuilds_both_sites(
    crawled: tuple[Path, subprocess.CompletedProcess[str]],
    two_sites: tuple[ReplicaServer, ReplicaServer],
    tmp_path: Path,
) -> None:
    # a copy: the module's other tests read the first crawl's archive, in whatever order
    # they run (pytest-randomly ran this one first, and they met a second crawl's rows)
    db = tmp_path / crawled[0].name
    shutil.copy(crawled[0], db)
    shutil.copytree(archive_folder(crawled[0]), archive_folder(db))
    a, b = two_sites
    before = rows(db, "SELECT url, site, title, body, published_date FROM articles ORDER BY url")
    second = run_cli("crawl", *site_args(a, b), "--db", str(db))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "articles 0 new, 0 updated, 0 unchanged" in second.stdout, (
        second.stdout + second.stderr + runs_of(db)
    )
    fetched_twice = rows(
        db,
        "SELECT url FROM captures WHERE url LIKE '%/news/%' GROUP BY url HAVING count(*) > 1",
    )
    assert fetched_twice == [], second.stdout + second.stderr + runs_of(db)
    rebuilt = run_cli("reparse", "--db", str(db))
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    after = rows(db, "SELECT url, site, title, body, published_date FROM articles ORDER BY url")

    # each capture read again with its own site's profile
    def short(r: tuple) -> tuple:  # (url, site, title, body's length, published_date)
        return (*r[:3], len(r[3] or ""), r[4])

    lost = [short(r) for r in sorted(set(before) - set(after))]
    gained = [short(r) for r in sorted(set(after) - set(before))]
    assert after == before, f"lost {lost}\ngained {gained}" + runs_of(db)


def test_robots_txt_is_honoured_per_host(tmp_path: Path) -> None:
    """One host's robots.txt forbids everything: that host gets no request but robots.txt,
    and the other host of the same run is crawled whole."""
    with (
        ReplicaServer(ReplicaSite(12, seed=3)) as a,
        ReplicaServer(ReplicaSite(10, seed=4)) as b,
    ):
        b.set_faults({"/robots.txt": "robots-disallow-all"})
        db = tmp_path / "press.sqlite"
        result = run_cli("crawl", *site_args(a, b), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
    assert rows(db, "SELECT site, count(*) FROM articles GROUP BY site") == [("qazdauiri", 12)]
    b_urls = [u for (u,) in rows(db, "SELECT url FROM captures WHERE url LIKE ?", b.origin + "%")]
    assert b_urls == [b.origin + "/robots.txt"]


def test_several_sites_without_db_go_to_one_press_archive(tmp_path: Path) -> None:
    """Two ``--start-url``s make two sites; extracted in a worker process (``--workers``),
    each page with its own site's profile."""
    with (
        ReplicaServer(ReplicaSite(8, seed=5)) as a,
        ReplicaServer(ReplicaSite(8, seed=6)) as b,
    ):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "kazscraper",
                "crawl",
                *("--start-url", a.origin + "/"),
                *("--start-url", b.origin + "/"),
                *("--workers", "1"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    db = tmp_path / "archive" / "press.sqlite"
    assert result.stdout.rstrip().endswith(f"-> {Path('archive') / 'press.sqlite'}")
    # two --start-urls of hosts of no profile: two generic sites
    labels = {label for (label,) in rows(db, "SELECT site FROM articles")}
    assert labels == {host_label(a.origin), host_label(b.origin)}


def test_a_redirect_within_the_second_site_is_followed_not_refused(tmp_path: Path) -> None:
    """A 301 from one article of the second site to another of the same host is a
    redirect within the site (it was refused as "off the site": the check read only the
    first site). The target is stored under its site; the URL asked for is an alias of it,
    so the run accounts for every scheduled URL and exits 0."""
    with (
        ReplicaServer(ReplicaSite(10, seed=7)) as a,
        ReplicaServer(ReplicaSite(10, seed=8)) as b,
    ):
        moved, target = b.site.articles[5], b.site.articles[0]
        b.set_faults({moved.path: "redirect-article"})
        db = tmp_path / "press.sqlite"
        result = run_cli("crawl", *site_args(a, b), "--db", str(db))
    failures = rows(db, "SELECT url, reason FROM failures")
    assert not [r for r in failures if "off the site" in r[1]], failures
    assert [r for r in failures if "/news/" in r[0]] == []
    ids = dict(rows(db, "SELECT url, article_id FROM article_urls"))
    assert ids[b.origin + moved.path] == ids[b.origin + target.path]
    (site,) = rows(db, "SELECT site FROM articles WHERE id = ?", ids[b.origin + target.path])
    assert site == (host_label(b.origin),)
    assert result.returncode == 0, result.stdout + result.stderr


def test_reparse_that_would_lose_articles_keeps_the_archive_and_exits_1(tmp_path: Path) -> None:
    """The safety net: an archive whose crawls rows no longer name its sites (as the Redis
    store once wrote them) is read as a one-site archive whose captures no site claims.
    The rebuild lost every article: reparse exits 1 in one line and keeps the archive."""
    with (
        ReplicaServer(ReplicaSite(6, seed=9)) as a,
        ReplicaServer(ReplicaSite(6, seed=10)) as b,
    ):
        db = tmp_path / "press.sqlite"
        result = run_cli("crawl", *site_args(a, b), "--db", str(db))
        assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(db) as conn:
        for crawl_id, arguments in conn.execute("SELECT id, arguments FROM crawls").fetchall():
            kept = {k: v for k, v in json.loads(arguments).items() if k != "sites"}
            conn.execute(
                "UPDATE crawls SET arguments = ? WHERE id = ?", [json.dumps(kept), crawl_id]
            )
    before = rows(db, "SELECT url, site, title, body FROM articles ORDER BY url")
    assert len(before) == 12
    rebuilt = run_cli("reparse", "--db", str(db))
    assert rebuilt.returncode == 1, rebuilt.stdout + rebuilt.stderr
    refused = [line for line in rebuilt.stderr.splitlines() if "reparse refused" in line]
    assert len(refused) == 1 and "0 of the archive's 12 articles" in refused[0], rebuilt.stderr
    assert rows(db, "SELECT url, site, title, body FROM articles ORDER BY url") == before
