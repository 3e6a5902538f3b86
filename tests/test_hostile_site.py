"""A hostile or careless site (issue 11): nothing lost, nothing merged, every crawl ends.

Each crawl runs over real HTTP against the replica with some of its hostile fault
modes switched on (``replica.faults.HOSTILE_FAULTS``), then the archive is checked:
every healthy article present once with its own text, every bad URL in ``failures``
with its reason, discovery bounded by counts (never by the clock).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kazscraper.replica.faults import HOSTILE_FAULTS, STORAGE_FAULTS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

_RUN = """
import json, sys
from kazscraper.crawler.runner import CrawlOptions, run_crawl
result = run_crawl(CrawlOptions(**json.loads(sys.argv[1])))
print(json.dumps({"exit_code": result.exit_code, "reason": result.reason,
                  "stats": result.stats}, default=str))
"""


@dataclass
class Run:
    exit_code: int
    reason: str
    stats: dict[str, Any]
    stderr: str
    db: Path
    origin: str

    def rows(self, sql: str, *args: object) -> list[tuple]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, args).fetchall()

    def failures(self) -> dict[str, tuple[str, str]]:
        """url -> (stage, reason)"""
        return {u: (s, r) for u, s, r in self.rows("SELECT url, stage, reason FROM failures")}

    def articles(self) -> dict[str, tuple[str, str]]:
        """Article rows: url -> (title, body)."""
        return {u: (t, b) for u, t, b in self.rows("SELECT url, title, body FROM articles")}

    def listing_fetches(self) -> int:
        """Listing pages fetched (category pages and the home page)."""
        captured = [u for (u,) in self.rows("SELECT url FROM captures WHERE status = 200")]
        return sum(1 for u in captured if "/category/" in u or u.rstrip("/") == self.origin)


@dataclass
class Hostile:
    """One replica, faults per path, a crawl with optional settings."""

    site: ReplicaSite
    server: ReplicaServer
    tmp: Path
    faults: dict[str, str] = field(default_factory=dict)

    def crawl(self, name: str, settings: dict[str, Any] | None = None, **options: Any) -> Run:
        db = self.tmp / name / "archive.sqlite"
        self.server.set_faults(self.faults)
        arguments = {
            "db_path": str(db),
            "site": "qazdauiri",
            "start_url": self.server.origin + "/",
            "mirrors": [self.server.mirror_origin],
            "timeout": 5.0,
            "settings": settings or {},
            **options,
        }
        done = subprocess.run(
            [sys.executable, "-c", _RUN, json.dumps(arguments)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return Run(
            result["exit_code"],
            result["reason"],
            result["stats"],
            done.stderr,
            db,
            self.server.origin,
        )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = ReplicaSite(40)
    with ReplicaServer(site) as server:
        yield Hostile(site, server, tmp_path_factory.mktemp("hostile"))


def plain_articles(site: ReplicaSite) -> list:
    """Articles linked only from listings and the sitemap: not the seed, not the top news,
    no alias address."""
    return [a for a in site.articles[6:] if site.alias_path(a) is None]


def assert_every_healthy_article_once(run: Run, site: ReplicaSite, bad: set[str]) -> None:
    """Each article not in ``bad`` is in the archive, right, under its URL (or as an alias
    of the one row with its text), and each is one row."""
    stored = {
        url: (article_id, title, body)
        for url, article_id, title, body in run.rows(
            "SELECT u.url, a.id, a.title, a.body FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id"
        )
    }
    rows = set()
    for article in site.articles:
        if article.path in bad:
            continue
        url = run.origin + article.path
        assert url in stored, url
        article_id, title, body = stored[url]
        expected = site.expected_record(article)
        assert title == expected["title"], url
        assert body.startswith(expected["body"][:200]), url
        rows.add(article_id)
    urls = [u for (u,) in run.rows("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    assert len(rows) == len(site.articles) - len(bad)  # one row each (aliases share it)


def assert_scheduled_articles_accounted_for(run: Run) -> None:
    """Every article URL the crawler asked for is an article (row or alias) or a failure."""
    asked = {
        u.split("?")[0]
        for (u,) in run.rows("SELECT url FROM captures WHERE url LIKE ?", run.origin + "/news/%")
    }
    known = {u for (u,) in run.rows("SELECT url FROM article_urls")} | set(run.failures())
    assert asked - known == set()
    assert not run.stats.get("kazscraper/articles_unaccounted")


# -- hostile article pages: canonical, regex trap, meta refresh, redirects ---------------

ARTICLE_MODES = {
    # mode -> how many articles get it
    "canonical-home": 3,
    "canonical-category": 3,
    "canonical-other": 2,
    "anchor-bomb": 1,
    "refresh-offsite": 1,
    "refresh-self": 1,
    "refresh-javascript": 1,
    "refresh-loop": 1,
    "redirect-other-port": 1,
    "redirect-home": 1,
}
# modes whose article is still stored, with its own text, under its own URL
STORED = {"canonical-home", "canonical-category", "canonical-other", "anchor-bomb", "refresh-self"}
# modes that end in a failure, and what its reason says
FAILED = {
    "refresh-offsite": "meta refresh off the site refused",
    "refresh-javascript": "not an article page",
    "refresh-loop": "max redirections reached",
    "redirect-other-port": "redirect off the site refused",
    "redirect-home": "redirected to a page that is not an article",
}


@pytest.fixture(scope="module")
def article_run(hostile: Hostile) -> tuple[Run, dict[str, list[str]]]:
    plain = iter(plain_articles(hostile.site))
    paths = {mode: [next(plain).path for _ in range(n)] for mode, n in ARTICLE_MODES.items()}
    hostile.faults = {p: mode for mode, ps in paths.items() for p in ps}
    run = hostile.crawl("articles")
    hostile.faults = {}
    return run, paths


def test_every_hostile_mode_has_a_test() -> None:
    covered = set(ARTICLE_MODES) | {
        "endless-pagination",
        "robots-crawl-delay",
        "robots-disallow-all",
        "sitemap-index-chain",
        "sitemap-index-gz",
        "sitemap-gz",
        "sitemap-gz-bomb",
        "sitemap-large",
        *STORAGE_FAULTS,  # tests/test_storage_faults.py
    }
    assert covered == HOSTILE_FAULTS
    assert set(ARTICLE_MODES) == STORED | set(FAILED)


def test_hostile_articles_run_ends_ok(article_run: tuple[Run, dict]) -> None:
    run, _ = article_run
    assert run.exit_code == 0, run.reason
    assert "Traceback" not in run.stderr


def test_healthy_and_canonical_lying_articles_are_each_stored_once(
    article_run: tuple[Run, dict], hostile: Hostile
) -> None:
    run, paths = article_run
    failing = {p for mode in FAILED for p in paths[mode]}
    assert_every_healthy_article_once(run, hostile.site, failing)
    articles = run.articles()
    # a declared canonical that is not an article (home, category) is not used
    assert run.origin + "/" not in articles
    assert not [u for u in articles if "/category/" in u]
    # an article that names another as canonical keeps its own row; the other keeps its text
    seed = hostile.site.articles[0]
    assert articles[run.origin + seed.path][1].startswith(
        hostile.site.expected_record(seed)["body"][:200]
    )
    for mode in STORED:
        for path in paths[mode]:
            assert run.origin + path in articles, (mode, path)


@pytest.mark.parametrize("mode", sorted(FAILED))
def test_a_hostile_page_ends_as_a_failure_with_its_reason(
    article_run: tuple[Run, dict], mode: str
) -> None:
    run, paths = article_run
    failures = run.failures()
    for path in paths[mode]:
        stage, reason = failures[run.origin + path]
        assert FAILED[mode] in reason, (mode, reason)
        assert stage in ("fetch", "validate"), (mode, stage)


def test_a_redirect_to_another_port_stores_nothing_from_there(
    article_run: tuple[Run, dict], hostile: Hostile
) -> None:
    run, _ = article_run
    stray = hostile.server.stray_origin
    assert run.rows("SELECT count(*) FROM article_urls WHERE url LIKE ?", stray + "%") == [(0,)]
    assert run.rows("SELECT count(*) FROM captures WHERE url LIKE ?", stray + "%") == [(0,)]


def test_every_article_asked_for_is_an_article_or_a_failure(
    article_run: tuple[Run, dict],
) -> None:
    run, _ = article_run
    assert_scheduled_articles_accounted_for(run)


# -- discovery that never ends ----------------------------------------------------------


def test_endless_pagination_stops_at_the_listing_page_limit(hostile: Hostile) -> None:
    slug = "/category/" + _first_category(hostile)
    hostile.faults = {slug: "endless-pagination"}
    run = hostile.crawl("endless", {"KAZSCRAPER_MAX_LISTING_PAGES": 25}, full=True)
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    assert run.listing_fetches() <= 25
    assert run.stats.get("kazscraper/listing_limit_reached")
    # the real articles are all there; the endless ones (404) are failures, not lost
    failures = run.failures()
    endless = [u for u in failures if "/news/endless-" in u]
    assert endless and all("HTTP 404" in failures[u][1] for u in endless)
    assert_scheduled_articles_accounted_for(run)


def test_max_articles_stops_discovery_too(hostile: Hostile) -> None:
    slug = "/category/" + _first_category(hostile)
    hostile.faults = {slug: "endless-pagination"}
    run = hostile.crawl("max-articles", max_articles=10, full=True)
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    outcomes = {u for (u,) in run.rows("SELECT url FROM articles")} | {
        u for u in run.failures() if "/news/" in u
    }
    assert len(outcomes) == 10
    # what was already queued when the 10th article was found, and nothing after: the
    # home page and the categories it links to, and a few pages of the endless one
    categories = len({u for u in _menu_categories(hostile)})
    assert run.listing_fetches() <= 1 + categories + 3


def test_a_sitemap_index_chain_is_followed_to_its_depth_limit(hostile: Hostile) -> None:
    hostile.faults = {"/sitemap.xml": "sitemap-index-chain"}
    run = hostile.crawl("sitemap-chain", {"KAZSCRAPER_SITEMAP_MAX_DEPTH": 3})
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    sitemaps = [
        u for (u,) in run.rows("SELECT url FROM captures WHERE url LIKE ?", "%/sitemap.xml%")
    ]
    assert len(sitemaps) == 3  # the index and two nested levels
    stage, reason = run.failures()[run.origin + "/sitemap.xml?n=3"]
    assert stage == "discovery" and "deeper than 3" in reason
    assert_every_healthy_article_once(run, hostile.site, set())


def test_sitemaps_are_counted_and_capped(hostile: Hostile) -> None:
    hostile.faults = {"/sitemap.xml": "sitemap-index-chain"}
    run = hostile.crawl(
        "sitemap-count", {"KAZSCRAPER_SITEMAP_MAX_DEPTH": 100, "KAZSCRAPER_MAX_SITEMAPS": 5}
    )
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    assert len(run.rows("SELECT url FROM captures WHERE url LIKE ?", "%/sitemap.xml%")) == 5
    stage, reason = run.failures()[run.origin + "/sitemap.xml?n=5"]
    assert stage == "discovery" and "more than 5 sitemaps" in reason


def test_gzipped_and_empty_sitemaps_in_an_index(hostile: Hostile) -> None:
    # no home page, no feed: the articles can only be found through the gzipped sitemap
    hostile.faults = {
        "/": "500",
        "/rss": "500",
        "/sitemap.xml": "sitemap-index-gz",
        "/sitemaps/articles.xml.gz": "sitemap-gz",
        "/sitemaps/empty.xml": "empty",
    }
    run = hostile.crawl("sitemap-gz")
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    assert_every_healthy_article_once(run, hostile.site, set())
    failures = run.failures()
    assert failures[run.origin + "/sitemaps/empty.xml"] == ("discovery", "empty sitemap")
    assert run.origin + "/sitemaps/articles.xml.gz" not in failures
    assert set(failures) == {run.origin + p for p in ("/", "/rss", "/sitemaps/empty.xml")}


def test_a_gzip_bomb_sitemap_is_refused_at_the_size_cap(hostile: Hostile) -> None:
    hostile.faults = {
        "/sitemap.xml": "sitemap-index-gz",
        "/sitemaps/articles.xml.gz": "sitemap-gz-bomb",
        "/sitemaps/empty.xml": "sitemap-gz",
    }
    run = hostile.crawl("sitemap-bomb", {"KAZSCRAPER_SITEMAP_MAX_BYTES": 1024 * 1024})
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    stage, reason = run.failures()[run.origin + "/sitemaps/articles.xml.gz"]
    assert stage == "discovery" and "larger than" in reason
    assert_every_healthy_article_once(run, hostile.site, set())


def test_a_sitemap_larger_than_a_page_may_be_is_read_to_the_sitemap_cap(hostile: Hostile) -> None:
    """A sitemap may be 50 MB (sitemaps.org; ``KAZSCRAPER_SITEMAP_MAX_BYTES``), a page 10 MB:
    a sitemap between the two (50,000 news URLs with their titles) was cancelled by the
    page's download cap, and a first crawl found only what its listings' walk found (a
    100,000-article replica: 98,418)."""
    hostile.faults = {"/sitemap.xml": "sitemap-large"}  # 300 KB, pages here at most 200 KB
    run = hostile.crawl("sitemap-large", {"DOWNLOAD_MAXSIZE": 200_000})
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    assert run.origin + "/sitemap.xml" not in run.failures()
    assert_every_healthy_article_once(run, hostile.site, set())


# -- robots.txt ---------------------------------------------------------------------------


def test_crawl_delay_sets_the_delay_between_requests(hostile: Hostile) -> None:
    hostile.faults = {"/robots.txt": "robots-crawl-delay"}  # Crawl-delay: 1
    # capped at 0.2 s here, so the test stays short; the site asks for 1 s
    run = hostile.crawl("crawl-delay", {"KAZSCRAPER_CRAWL_DELAY_MAX": 0.2}, max_articles=3)
    hostile.faults = {}
    assert run.exit_code == 0, run.reason
    assert run.stats["kazscraper/robots/crawl_delay"] == 0.2
    # every request after robots.txt left from a download slot spaced by the delay, no jitter
    assert run.stats["kazscraper/robots/delayed_requests"] >= 5
    assert run.stats["kazscraper/robots/min_slot_delay"] == 0.2
    assert run.stats.get("kazscraper/robots/undelayed_requests", 0) == 0
    assert len(run.articles()) == 3


def test_disallow_all_fetches_nothing_but_robots_txt(hostile: Hostile) -> None:
    hostile.faults = {"/robots.txt": "robots-disallow-all"}
    run = hostile.crawl("disallow")
    hostile.faults = {}
    fetched = {u for (u,) in run.rows("SELECT url FROM captures")}
    assert fetched == {run.origin + "/robots.txt"}
    failures = run.failures()
    for path in ("/", "/sitemap.xml", "/rss"):
        assert "Forbidden by robots.txt" in failures[run.origin + path][1]
    assert run.exit_code == 1
    assert "robots.txt" in run.reason


def _first_category(hostile: Hostile) -> str:
    from kazscraper.replica import corpus

    return corpus.CATEGORIES[0][0]


def _menu_categories(hostile: Hostile) -> list[str]:
    from kazscraper.replica import corpus

    return [slug for slug, _ in corpus.CATEGORIES]
