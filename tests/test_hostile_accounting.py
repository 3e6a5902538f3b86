"""No third way: every scheduled article URL ends as an article (row or alias) or a failure,
whatever its redirect lands on, and a URL that cannot be either is never scheduled.

One crawl over real HTTP against the replica, with article URLs that redirect
(``redirect-moved``: 301 to ``<path>-moved``, an article URL linked from nowhere) to pages
that intake refuses (empty, binary), that the validate stage rejects (no article on it), that
do not exist (404), or to an article the crawl fetched already (``redirect-article``). The
failure belongs to the URL that was asked for, with the reason and where it landed; before,
the landed URL got the failure (intake) or the rejection (validate), and the URL asked for
ended with nothing: the run exited 1 ("1 scheduled article URL(s) ended neither as an
article nor as a failure").

An article linking to article URLs longer than ``URLLENGTH_LIMIT`` (2,083: Scrapy drops
such a request unanswered, and a failure's URL is cut at 4,000 characters) schedules
neither: before, the 9,000-character one left the run unaccounted (exit 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kazscraper.replica.faults import LONG_LINKS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .test_hostile_site import Hostile, Run

# what the '-moved' URL the article redirects to answers -> (stage, what the reason says)
LANDED = {
    "empty": ("fetch", "empty document"),
    "binary": ("fetch", "not a text page (image/png)"),
    "refresh-javascript": ("validate", "not an article page"),
    "pdf-as-html": ("decode", "not HTML: a PDF document"),
    "404": ("fetch", "HTTP 404"),
}


@pytest.fixture(scope="module")
def redirect_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Run, dict, Hostile]]:
    site = ReplicaSite(30, seed=11)  # one page without a body is under 5 %
    with ReplicaServer(site) as server:
        hostile = Hostile(site, server, tmp_path_factory.mktemp("redirects"))
        plain = iter(a for a in site.articles[6:] if site.alias_path(a) is None)
        modes = (*LANDED, "merged", "long-links", "element-flood")
        paths = {mode: next(plain).path for mode in modes}
        faults = {path: "redirect-moved" for mode, path in paths.items() if mode in LANDED}
        faults[paths["long-links"]] = "long-links"
        faults[paths["element-flood"]] = "element-flood"
        faults.update({paths[m] + "-moved": m for m in LANDED if m != "404"})
        faults[paths["merged"]] = "redirect-article"  # to the site's first article
        hostile.faults = faults
        yield hostile.crawl("run"), paths, hostile


def test_the_run_accounts_for_every_scheduled_url(redirect_run: tuple[Run, dict, Hostile]) -> None:
    run, _, _ = redirect_run
    assert run.exit_code == 0, run.reason
    assert run.stats.get("kazscraper/unaccounted") == 0
    assert not run.stats.get("kazscraper/articles_unaccounted")
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("landed", sorted(LANDED))
def test_a_redirect_to_a_refused_page_is_a_failure_of_the_url_asked_for(
    redirect_run: tuple[Run, dict, Hostile], landed: str
) -> None:
    run, paths, _ = redirect_run
    asked = run.origin + paths[landed]
    failures = run.failures()
    assert asked in failures, (landed, sorted(failures))
    stage, reason = failures[asked]
    assert (stage, LANDED[landed][1] in reason) == (LANDED[landed][0], True), reason
    assert f"after redirects to {asked}-moved" in reason
    assert run.rows("SELECT count(*) FROM article_urls WHERE url = ?", asked) == [(0,)]


def test_the_page_landed_on_is_stored_as_nothing(redirect_run: tuple[Run, dict, Hostile]) -> None:
    run, paths, _ = redirect_run
    moved = [run.origin + paths[m] + "-moved" for m in LANDED]
    marks = ", ".join("?" * len(moved))
    assert run.rows(f"SELECT url FROM article_urls WHERE url IN ({marks})", *moved) == []


def test_a_redirect_to_an_article_already_fetched_is_its_alias(
    redirect_run: tuple[Run, dict, Hostile],
) -> None:
    run, paths, hostile = redirect_run
    ids = dict(run.rows("SELECT url, article_id FROM article_urls"))
    first = run.origin + hostile.site.articles[0].path
    assert ids[run.origin + paths["merged"]] == ids[first]
    assert run.origin + paths["merged"] not in run.failures()


def test_every_healthy_article_is_stored(redirect_run: tuple[Run, dict, Hostile]) -> None:
    run, paths, hostile = redirect_run
    stored = {u for (u,) in run.rows("SELECT url FROM article_urls")}
    bad = set(paths.values())
    for article in hostile.site.articles:
        if article.path not in bad:
            assert run.origin + article.path in stored, article.path


def test_an_article_url_past_the_length_limit_is_never_scheduled(
    redirect_run: tuple[Run, dict, Hostile],
) -> None:
    run, paths, _ = redirect_run
    assert run.origin + paths["long-links"] in {u for (u,) in run.rows("SELECT url FROM articles")}
    long_ones = [f"{run.origin}/news/{c * n}" for c, n in LONG_LINKS]
    for table in ("captures", "failures", "article_urls", "frontier"):
        found = run.rows(f"SELECT count(*) FROM {table} WHERE length(url) > 2083")
        assert found == [(0,)], table
    assert run.stats.get("kazscraper/links_too_long", 0) >= len(long_ones)


def test_a_page_of_too_many_elements_is_a_failure_with_its_capture_kept(
    redirect_run: tuple[Run, dict, Hostile],
) -> None:
    """300,000 <br> (a million took 44 s to extract): refused after the parse, counted by
    libxml2; a failure with the URL, the response kept in the WARC files, and no weight in
    the health check (the run exits 0 with 30 articles)."""
    run, paths, _ = redirect_run
    url = run.origin + paths["element-flood"]
    stage, reason = run.failures()[url]
    assert stage == "extract"
    assert reason.startswith("page too complex: 300"), reason
    assert run.rows("SELECT count(*) FROM captures WHERE url = ? AND status = 200", url) == [(1,)]
    assert run.stats.get("kazscraper/pages_too_complex") == 1
