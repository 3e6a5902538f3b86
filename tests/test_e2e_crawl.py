"""End to end: the CLI crawls the replica over real HTTP into a SQLite file on disk."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from kazscraper.replica import corpus
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import crawl_args, run_cli


def crawl(server: ReplicaServer, db: Path, *extra: str):
    result = run_cli(*crawl_args(server, db, *extra))
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def crawled(replica: ReplicaServer, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("e2e") / "replica.sqlite"
    crawl(replica, db)
    return db


def article_ids_by_url(db: Path) -> dict[str, int]:
    return dict(rows(db, "SELECT url, article_id FROM article_urls"))


def test_every_article_stored_exactly_once(crawled: Path, small_site: ReplicaSite, replica) -> None:
    urls = [r[0] for r in rows(crawled, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == small_site.n_articles
    ids = article_ids_by_url(crawled)
    stored = {ids[replica.origin + a.path] for a in small_site.articles}
    assert len(stored) == small_site.n_articles  # each replica article is its own row


def test_same_text_at_a_second_url_is_an_alias(
    crawled: Path, small_site: ReplicaSite, replica
) -> None:
    ids = article_ids_by_url(crawled)
    with_alias = [a for a in small_site.articles if small_site.alias_path(a)]
    assert with_alias
    for article in with_alias:
        alias = replica.origin + small_site.alias_path(article)
        assert ids[alias] == ids[replica.origin + article.path]


def test_stored_fields_match_the_replica_ground_truth(
    crawled: Path, small_site: ReplicaSite, replica
) -> None:
    by_id = {
        r[-1]: r
        for r in rows(
            crawled, "SELECT title, published_date, affiliation, body, category, id FROM articles"
        )
    }
    ids = article_ids_by_url(crawled)
    categories = dict(corpus.CATEGORIES)
    for article in small_site.articles:
        expected = small_site.expected_record(article)
        row = by_id[ids[replica.origin + article.path]]
        title, published, affiliation, body, category, article_id = row
        assert title == expected["title"], article.slug
        assert published == expected["published_date"], article.slug
        assert affiliation == expected["affiliation"], article.slug
        assert body == expected["body"], article.slug
        assert category == categories[expected["category"]], article.slug
        authors = rows(
            crawled,
            "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
            "WHERE aa.article_id = ? ORDER BY aa.position",
            article_id,
        )
        assert [a[0] for a in authors] == expected["authors"], article.slug


def test_seed_article_top_news_are_linked_rows(
    crawled: Path, small_site: ReplicaSite, replica, seed_expected
) -> None:
    seed_url = replica.origin + small_site.seed_article.path
    got = rows(
        crawled,
        "SELECT r.rank, r.title, r.author, r.date, r.views, r.linked_article_id IS NOT NULL "
        "FROM related_links r JOIN articles a ON a.id = r.article_id "
        "WHERE a.url = ? AND r.kind = 'top' ORDER BY r.rank",
        seed_url,
    )
    expected = [
        (t["rank"], t["title"], t["author"], t["date"], t["views"], 1)
        for t in seed_expected["top_news"]
    ]
    assert got == expected


def test_mirror_links_are_kept_as_aliases_of_one_article(crawled: Path, replica) -> None:
    # the replica's listings link some articles through the mirror port and with utm_ parameters;
    # the spider canonicalises before fetching, so each article is fetched once, at its canonical
    # URL, and a mirror link that led to it is kept as an alias (tracking parameters are not)
    assert rows(crawled, "SELECT count(*) FROM articles WHERE fetched_url <> url") == [(0,)]
    ids = article_ids_by_url(crawled)
    mirror_aliases = [url for url in ids if url.startswith(replica.mirror_origin + "/news/")]
    assert mirror_aliases
    for alias in mirror_aliases:
        assert ids[alias] == ids[alias.replace(replica.mirror_origin, replica.origin)]
    assert rows(crawled, "SELECT count(*) FROM article_urls WHERE url LIKE '%utm_%'") == [(0,)]


def test_crawl_row_records_the_run(crawled: Path, small_site: ReplicaSite) -> None:
    (status, exit_code, new, failures, statuses, fill) = rows(
        crawled,
        "SELECT status, exit_code, articles_new, failures, http_statuses, fill_rates FROM crawls",
    )[0]
    assert (status, exit_code, new, failures) == ("ok", 0, small_site.n_articles, 0)
    assert json.loads(statuses)["200"] > small_site.n_articles
    assert json.loads(fill)["title"] == 1.0


def test_second_run_fetches_no_known_article_and_adds_no_rows(crawled: Path, replica) -> None:
    before = rows(crawled, "SELECT count(*) FROM articles")[0][0]
    result = crawl(replica, crawled)
    assert "articles 0 new, 0 updated, 0 unchanged; 0 duplicates, 0 failures" in result.stdout
    # under cron (no terminal): one summary line on stdout, nothing on stderr
    assert result.stdout.count("\n") == 1 and result.stderr == ""
    pages = rows(crawled, "SELECT pages_fetched FROM crawls ORDER BY id DESC LIMIT 1")[0][0]
    # robots.txt, home, sitemap, feed and the first pages of six categories; no article page
    assert pages <= 4 + 6 * 2
    assert rows(crawled, "SELECT count(*), count(DISTINCT url) FROM articles") == [(before, before)]
    assert rows(crawled, "PRAGMA integrity_check") == [("ok",)]


def test_full_run_revisits_every_article_with_a_conditional_get(crawled: Path, replica) -> None:
    before = rows(crawled, "SELECT count(*) FROM articles")[0][0]
    result = crawl(replica, crawled, "--full")
    assert "articles 0 new, 0 updated" in result.stdout
    unchanged, aliases = (
        int(re.search(rf"(\d+) {word}", result.stdout).group(1))
        for word in ("unchanged", "duplicates")
    )
    assert unchanged + aliases == before  # an alias URL's page differs from its article's page
    assert rows(crawled, "SELECT count(*) FROM articles") == [(before,)]
    statuses = json.loads(
        rows(crawled, "SELECT http_statuses FROM crawls ORDER BY id DESC LIMIT 1")[0][0]
    )
    assert statuses["304"] >= before - aliases
    assert rows(crawled, "SELECT count(*) FROM article_versions") == [(0,)]


def test_broken_pages_become_failures_and_the_crawl_goes_on(tmp_path: Path) -> None:
    site = ReplicaSite(60, broken=2)
    with ReplicaServer(site) as server:
        db = tmp_path / "broken.sqlite"
        crawl(server, db)
        broken = {server.origin + a.path for a in site.broken_articles}
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 60 - 2
    failures = dict(rows(db, "SELECT url, reason FROM failures"))
    assert set(failures) == broken
    assert all("not an article page" in reason for reason in failures.values())


def test_demo_stores_one_row_per_replica_article(demo_archive: Path) -> None:
    """The session's ``kazscraper demo --articles 60`` (the README's tour runs the 300 of the
    default demo, in tests/test_docs.py)."""
    db = demo_archive
    assert rows(db, "SELECT count(*), count(DISTINCT url) FROM articles") == [(60, 60)]
    assert rows(db, "SELECT count(*) FROM failures") == [(0,)]
    assert rows(db, "SELECT command, status, articles_new FROM crawls") == [("demo", "ok", 60)]


def test_republished_story_is_linked_to_its_original(
    crawled: Path, small_site: ReplicaSite, replica
) -> None:
    ids = article_ids_by_url(crawled)
    republished = [a for a in small_site.articles if small_site.republished_from(a)]
    assert republished
    for article in republished:
        source = small_site.republished_from(article)
        (near,) = rows(
            crawled,
            "SELECT near_duplicate_of FROM articles WHERE id = ?",
            ids[replica.origin + article.path],
        )[0]
        assert near == ids[replica.origin + source.path]
    linked = rows(crawled, "SELECT count(*) FROM articles WHERE near_duplicate_of IS NOT NULL")
    assert linked == [(len(republished),)]


def test_extraction_in_worker_processes_stores_the_same_records(
    tmp_path: Path, crawled: Path
) -> None:
    """crawl --workers 1: pages are extracted in another process; the archive is the same."""
    db = tmp_path / "workers.sqlite"
    result = run_cli("demo", "--articles", "60", "--db", str(db), "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    # by content, not URL: which URL of an aliased article is met first depends on timing
    columns = "title, body, published_date, published_at, affiliation, category, extraction"
    in_process = rows(crawled, f"SELECT {columns} FROM articles ORDER BY title, body")
    in_workers = rows(db, f"SELECT {columns} FROM articles ORDER BY title, body")
    assert len(in_workers) == 60
    assert in_workers == in_process
    authors = "SELECT name, surname, given, patronymic FROM authors ORDER BY name"
    assert rows(db, authors) == rows(crawled, authors)


def test_an_article_redirected_to_another_is_an_alias_of_it(tmp_path: Path) -> None:
    """A 301 from one article URL to another (a story merged into another): the article is
    stored under the URL it landed on, and the URL asked for is its alias, so every
    scheduled URL is accounted for (the run failed: "1 scheduled article URL(s) ended
    neither as an article nor as a failure")."""
    site = ReplicaSite(12, seed=11)
    with ReplicaServer(site) as server:
        moved, target = site.articles[4], site.articles[0]
        server.set_faults({moved.path: "redirect-article"})
        db = tmp_path / "redirect.sqlite"
        result = run_cli(*crawl_args(server, db))
    assert result.returncode == 0, result.stdout + result.stderr
    ids = article_ids_by_url(db)
    assert ids[server.origin + moved.path] == ids[server.origin + target.path]
    assert rows(db, "SELECT count(*) FROM articles") == [(11,)]
    assert rows(db, "SELECT url FROM failures WHERE url LIKE '%/news/%'") == []


_RUN_WITH_SETTINGS = """
import json, sys
from kazscraper.crawler.runner import CrawlOptions, run_crawl
result = run_crawl(CrawlOptions(**json.loads(sys.argv[1])))
print(json.dumps({"exit_code": result.exit_code, "stats": result.stats}, default=str))
"""


def test_the_listing_limit_counts_pages_not_links_to_them(tmp_path: Path) -> None:
    """No usable sitemap or feed: the listings find every article, with a listing-page
    limit that the site's listing pages fit in. The limit counted every link to a listing
    (each page's menu names every category again), so a first crawl of a site with more
    than about a seventh of the limit in listing pages stopped its walk early (the
    100,000-article replica without its sitemap: 98,418 of 100,000 stored)."""
    import subprocess
    import sys

    site = ReplicaSite(300)
    with ReplicaServer(site) as server:
        server.set_faults({"/sitemap.xml": "empty", "/rss": "empty"})
        listing_pages = 1 + sum(map(server.renderer.category_pages, site.by_category))
        db = tmp_path / "listings.sqlite"
        arguments = {
            "db_path": str(db),
            "site": "qazdauiri",
            "start_url": server.origin + "/",
            "mirrors": [server.mirror_origin],
            "settings": {"KAZSCRAPER_MAX_LISTING_PAGES": listing_pages},
        }
        done = subprocess.run(
            [sys.executable, "-c", _RUN_WITH_SETTINGS, json.dumps(arguments)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(done.stdout.strip().splitlines()[-1])["stats"]
    assert "kazscraper/listing_limit_reached" not in stats
    listed = rows(db, "SELECT count(*) FROM captures WHERE url LIKE '%/category/%'")
    assert listed == [(listing_pages - 1,)]
    stored = {u.removeprefix(server.origin) for (u,) in rows(db, "SELECT url FROM articles")}
    assert stored == {a.path for a in site.articles}
