"""The crawl rules of ``kazscraper.crawler.frontier``, one behaviour a test, with no Scrapy and no
archive: the archive's knowledge is plain data, "today" is passed in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from kazscraper.crawler.frontier import (
    DONE,
    KNOWN,
    LISTING_LIMIT,
    NEW,
    NOT_AN_ARTICLE,
    NOT_OURS,
    OLDER,
    PAGINATION,
    REVISIT,
    SCHEDULED,
    STOP_AFTER,
    ArchiveState,
    Frontier,
    Limits,
    ListingPage,
    Rules,
    listing_item_date,
    page_number,
    same_listing,
)
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")
SITE = "https://qazdauiri.kz"
TODAY = date(2026, 3, 15)
A = f"{SITE}/news/birinshi"
B = f"{SITE}/news/ekinshi"
LISTING = f"{SITE}/category/sayasat"


def frontier(known: dict | None = None, **rules: object) -> Frontier:
    f = Frontier(PROFILE, Rules(**rules), today=TODAY)  # type: ignore[arg-type]
    f.load(ArchiveState(known=known or {}))
    return f


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# -- new, known, revisited ------------------------------------------------------------


def test_a_new_article_is_fetched_and_awaited() -> None:
    f = frontier()
    decision = f.decide(A)
    assert (decision.kind, decision.fetch, decision.reason) == ("article", True, NEW)
    assert decision.headers == {} and A in f.scheduled and A in f.awaited


def test_an_archived_article_outside_the_revisit_window_is_skipped() -> None:
    f = frontier({A: (days_ago(8), '"e1"')}, revisit_days=7)
    decision = f.decide(A)
    assert (decision.fetch, decision.reason, decision.event) == (False, KNOWN, "known_skipped")
    assert f.counts["known_skipped"] == 1 and A not in f.awaited


def test_an_archived_article_inside_the_revisit_window_is_asked_with_its_etag() -> None:
    f = frontier({A: (days_ago(7), '"e1"')}, revisit_days=7)  # the window's first day
    decision = f.decide(A)
    assert (decision.fetch, decision.reason, decision.event) == (True, REVISIT, "revisits")
    assert decision.headers == {"If-None-Match": '"e1"'}


def test_a_revisit_without_an_etag_is_a_plain_get() -> None:
    assert frontier({A: (days_ago(1), None)}).decide(A).headers == {}


@pytest.mark.parametrize("published", [None, "", "not a date", "2026-02-30"])
def test_an_archived_article_without_a_usable_date_is_not_revisited(published) -> None:
    assert frontier({A: (published, None)}).decide(A).reason == KNOWN


def test_the_revisit_window_moves_with_today() -> None:
    known = {A: ("2026-03-01", None)}
    early = Frontier(PROFILE, Rules(revisit_days=7), today=date(2026, 3, 5))
    late = Frontier(PROFILE, Rules(revisit_days=7), today=date(2026, 3, 9))
    for f in (early, late):
        f.load(ArchiveState(known=known))
    assert early.decide(A).fetch and not late.decide(A).fetch


def test_full_revisits_every_archived_article() -> None:
    decision = frontier({A: ("2001-01-01", '"old"')}, full=True).decide(A)
    assert (decision.fetch, decision.reason) == (True, REVISIT)


def test_a_skipped_archived_article_still_counts_as_scheduled() -> None:
    # the archive extension accounts for it (it is an article row)
    f = frontier({A: ("2001-01-01", None)})
    f.decide(A)
    assert A in f.scheduled and f.decide(A).reason == SCHEDULED


# -- aliases and duplicates ----------------------------------------------------------


def test_every_address_of_an_article_is_scheduled_once_at_its_canonical_url() -> None:
    f = frontier()
    first = f.decide(f"{A}?utm_source=tg")
    again = [f.decide(u) for u in (A, f"{A}/#comments", "https://image.qazdauiri.kz/news/birinshi")]
    assert first.url == A and first.fetch
    assert [(d.url, d.reason) for d in again] == [(A, SCHEDULED)] * 3
    assert f.counts["links_deduplicated"] == 3


def test_a_mirror_address_is_reported_as_an_alias_once() -> None:
    f = frontier()
    mirror = "https://image.qazdauiri.kz/news/birinshi"
    assert f.decide(mirror).alias == mirror
    assert f.decide(mirror).alias is None
    assert f.decide(A).alias is None  # the canonical address is no alias


def test_a_url_of_another_site_is_not_ours() -> None:
    f = frontier()
    decision = f.decide("https://evil.example/news/birinshi")
    assert (decision.kind, decision.fetch, decision.reason) == (None, False, NOT_OURS)
    assert len(f.scheduled) == 0


def test_the_scheduled_set_is_an_interface() -> None:
    class Shared:  # what another store (shared by workers) would provide
        def __init__(self) -> None:
            self.urls: dict[str, None] = {B: None}  # scheduled by another worker

        def __contains__(self, url: object) -> bool:
            return url in self.urls

        def __len__(self) -> int:
            return len(self.urls)

        def __iter__(self) -> Iterator[str]:
            return iter(self.urls)

        def add(self, url: str) -> None:
            self.urls[url] = None

    shared = Shared()
    f = Frontier(PROFILE, today=TODAY, scheduled=shared)
    assert f.decide(B).reason == SCHEDULED
    assert f.decide(A).fetch and list(shared) == [B, A]


# -- the classification cache --------------------------------------------------------


def test_the_classification_cache_is_bounded() -> None:
    f = Frontier(PROFILE, today=TODAY, classify_cache=3)
    for i in range(10):
        assert f.classify(f"{SITE}/news/n{i}?utm_source=x") == ("article", f"{SITE}/news/n{i}")
        assert f.cached_urls <= 3


def test_classify_names_listings_and_leaves_other_sites_as_they_are() -> None:
    f = frontier()
    assert f.classify(LISTING + "?utm_medium=x") == ("listing", LISTING)
    assert f.classify("https://evil.example/x?utm_source=y") == (
        None,
        "https://evil.example/x?utm_source=y",
    )


# -- --max-articles ------------------------------------------------------------------


def test_max_articles_ends_discovery() -> None:
    f = frontier(max_articles=2)
    assert f.decide(A).fetch and not f.discovery_done()
    assert f.decide(B).fetch and f.discovery_done()
    third = f.decide(f"{SITE}/news/ushinshi")
    assert (third.fetch, third.reason, third.stop) == (False, DONE, True)
    assert len(f.scheduled) == 2


def test_max_articles_refuses_listings_without_ending_the_page() -> None:
    f = frontier(max_articles=1)
    f.decide(A)
    decision = f.listing(LISTING)
    assert (decision.fetch, decision.reason, decision.stop) == (False, DONE, False)


def test_a_duplicate_after_max_articles_is_still_a_duplicate() -> None:
    f = frontier(max_articles=1)
    f.decide(A)
    assert f.decide(A).reason == SCHEDULED


# -- KAZSCRAPER_MAX_ARTICLES_PER_RUN --------------------------------------------------


def limited(per_run: int, known: dict | None = None) -> Frontier:
    f = Frontier(PROFILE, Rules(), Limits(max_articles_per_run=per_run), today=TODAY)
    f.load(ArchiveState(known=known or {}))
    return f


def test_the_article_limit_per_run_ends_discovery_as_max_articles_does() -> None:
    f = limited(2)
    assert f.decide(A).fetch and not f.discovery_done() and not f.counts["article_limit_reached"]
    assert f.decide(B).fetch and f.discovery_done() and f.counts["article_limit_reached"] == 1
    for decision in (
        f.link(f"{SITE}/news/ushinshi", articles_only=True),
        f.sitemap_entry(f"{SITE}/news/ushinshi", None, False, 1),
        f.decide(f"{SITE}/news/ushinshi"),
    ):
        assert (decision.fetch, decision.reason, decision.stop) == (False, DONE, True)
    assert f.listing(LISTING).reason == DONE
    assert f.article_requests == 2 and len(f.awaited) == 2 and A in f.awaited and B in f.awaited


def test_archived_articles_skipped_do_not_count_against_the_article_limit() -> None:
    # the next run goes on where the last one stopped: what it already has costs nothing
    f = limited(1, known={A: (days_ago(400), None)})
    assert f.decide(A).reason == KNOWN and not f.discovery_done()
    assert f.decide(B).fetch and f.discovery_done()


def test_revisits_do_not_count_against_the_article_limit() -> None:
    # a --full run of an archive bigger than the limit must reach every archived article,
    # not revisit the same first N each run: revisits are bounded by the archive itself
    f = Frontier(PROFILE, Rules(full=True), Limits(max_articles_per_run=1), today=TODAY)
    f.load(ArchiveState(known={A: (days_ago(400), None), B: (days_ago(400), '"b"')}))
    assert f.decide(A).reason == REVISIT and not f.discovery_done()
    assert f.decide(B).reason == REVISIT and not f.discovery_done()
    assert f.decide(f"{SITE}/news/ushinshi").fetch and f.discovery_done()


def test_the_article_limit_defaults_to_200000_and_0_is_none() -> None:
    assert Limits().max_articles_per_run == 200_000
    assert Limits.from_settings(lambda name, default: default).max_articles_per_run == 200_000
    f = limited(0)
    for i in range(50):
        assert f.decide(f"{SITE}/news/a-{i}").fetch
    assert not f.discovery_done()


# -- limits --------------------------------------------------------------------------


def test_the_listing_page_limit_counts_listing_requests() -> None:
    f = Frontier(PROFILE, limits=Limits(max_listing_pages=2), today=TODAY)
    decisions = [f.listing(f"{LISTING}?page={n}") for n in range(1, 5)]
    assert [d.fetch for d in decisions] == [True, True, False, False]
    assert decisions[-1].reason == LISTING_LIMIT
    assert f.counts["listing_limit_reached"] == 2 and f.listing_pages == 2


def test_a_listing_linked_again_is_neither_requested_nor_counted_again() -> None:
    """Every page's menu links each section: the limit counts pages, not links to them."""
    f = Frontier(PROFILE, limits=Limits(max_listing_pages=2), today=TODAY)
    menu = [f.listing(f"{LISTING}?page={n}") for n in (1, 2, 1, 2, 1, 2)]
    assert [d.fetch for d in menu] == [True, True, False, False, False, False]
    assert f.listing_pages == 2 and not f.counts["listing_limit_reached"]
    assert f.listing(f"{LISTING}?page=3").reason == LISTING_LIMIT


def test_a_sitemap_nested_too_deep_is_a_recorded_failure() -> None:
    f = Frontier(PROFILE, limits=Limits(sitemap_max_depth=2), today=TODAY)
    assert f.sitemap(f"{SITE}/s.xml", depth=2).fetch
    deep = f.sitemap(f"{SITE}/s2.xml", depth=3)
    assert (deep.fetch, deep.failure) == (False, True)
    assert "nested deeper than 2" in deep.reason


def test_the_sitemap_count_bounds_one_run() -> None:
    f = Frontier(PROFILE, limits=Limits(max_sitemaps=1), today=TODAY)
    assert f.sitemap(f"{SITE}/s.xml").fetch
    second = f.sitemap(f"{SITE}/s2.xml")
    assert second.failure and "more than 1 sitemaps" in second.reason


def test_limits_are_read_from_settings_by_name() -> None:
    settings = {"KAZSCRAPER_MAX_LISTING_PAGES": 7, "KAZSCRAPER_MAX_LINKS_PER_PAGE": 9}
    limits = Limits.from_settings(lambda name, default: settings.get(name, default))
    assert limits == Limits(max_listing_pages=7, max_links=9)


# -- listing pages: --stop-after, --since, --full ------------------------------------


def read_listing(f: Frontier, url: str, links: list[tuple[str, date | None]], empty_run: int = 0):
    page = ListingPage(url, empty_run=empty_run)
    decisions = [f.listing_link(page, link, day) for link, day in links]
    return page, decisions


def test_a_page_with_a_new_article_resets_the_empty_run() -> None:
    f = frontier({A: ("2001-01-01", None)})
    page, _ = read_listing(f, LISTING, [(A, None), (B, None), (f"{LISTING}?page=2", None)], 5)
    assert page.new == 1
    [next_page] = f.listing_next(page)
    assert (next_page.url, next_page.fetch, next_page.empty_run) == (f"{LISTING}?page=2", True, 0)


def test_stop_after_ends_the_pagination_after_pages_with_nothing_new() -> None:
    f = frontier({A: ("2001-01-01", None)}, stop_after=2)
    links = [(A, None), (f"{LISTING}?page=2", None)]
    page, _ = read_listing(f, LISTING, links, empty_run=0)
    assert [(d.fetch, d.empty_run) for d in f.listing_next(page)] == [(True, 1)]
    page, _ = read_listing(f, LISTING, links, empty_run=1)
    [stopped] = f.listing_next(page)
    assert (stopped.fetch, stopped.reason, stopped.event) == (
        False,
        STOP_AFTER,
        "pagination_stopped",
    )


def test_only_the_next_page_of_the_pagination_is_followed() -> None:
    f = frontier()
    links = [(LISTING, None), (f"{LISTING}?page=3", None), (f"{LISTING}?page=4", None)]
    page, decisions = read_listing(f, f"{LISTING}?page=3", [(A, None), *links])
    assert [d.reason for d in decisions[1:]] == [PAGINATION] * 3
    assert [d.url for d in f.listing_next(page)] == [f"{LISTING}?page=4"]


def test_full_walks_every_page_of_the_pagination() -> None:
    f = frontier({A: ("2001-01-01", None)}, full=True, stop_after=1)
    links = [(A, None), (f"{LISTING}?page=2", None), (f"{LISTING}?page=5", None)]
    page, _ = read_listing(f, LISTING, links, empty_run=9)
    assert [d.url for d in f.listing_next(page) if d.fetch] == [
        f"{LISTING}?page=2",
        f"{LISTING}?page=5",
    ]


def test_another_listing_on_a_listing_page_is_followed_at_once() -> None:
    f = frontier()
    _, [decision] = read_listing(f, LISTING, [(f"{SITE}/category/sport", None)])
    assert (decision.kind, decision.fetch) == ("listing", True)


def test_since_skips_listing_items_dated_before_it() -> None:
    f = frontier(since=date(2026, 1, 1))
    page, decisions = read_listing(f, LISTING, [(A, date(2025, 12, 31)), (B, date(2026, 1, 1))])
    assert [(d.fetch, d.reason) for d in decisions] == [(False, OLDER), (True, NEW)]
    assert (page.old_items, page.new) == (1, 1)


def test_since_ends_the_pagination_at_a_page_of_old_items_only() -> None:
    f = frontier(since=date(2026, 1, 1), full=True)
    page, _ = read_listing(f, LISTING, [(A, date(2025, 5, 1)), (f"{LISTING}?page=2", None)])
    assert f.listing_next(page) == []


def test_undated_listing_items_are_not_judged_by_since() -> None:
    f = frontier(since=date(2026, 1, 1))
    _, [decision] = read_listing(f, LISTING, [(A, None)])
    assert decision.fetch


def test_a_listing_link_after_max_articles_stops_the_page() -> None:
    f = frontier(max_articles=1)
    _, decisions = read_listing(f, LISTING, [(A, None), (B, None)])
    assert [d.stop for d in decisions] == [False, True]


# -- sitemaps and feeds ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("lastmod", "older"),
    [
        ("2025-12-31", True),
        ("2025-12-31T23:59:59+05:00", True),
        ("2026-01-01", False),
        ("2026-06-01T00:00:00Z", False),
        (None, False),
        ("", False),
        ("yesterday", False),
    ],
)
def test_a_sitemap_lastmod_before_since_is_older(lastmod: str | None, older: bool) -> None:
    assert frontier(since=date(2026, 1, 1)).older_than_since(lastmod) is older


def test_without_since_no_lastmod_is_older() -> None:
    assert not frontier().older_than_since("1999-01-01")


def test_a_sitemap_entry_older_than_since_is_skipped() -> None:
    f = frontier(since=date(2026, 1, 1))
    assert f.sitemap_entry(A, "2025-01-01", index=False, depth=1).reason == OLDER
    assert f.sitemap_entry(B, "2026-01-02", index=False, depth=1).fetch


def test_a_sitemap_index_entry_is_a_deeper_sitemap_of_the_site_only() -> None:
    f = frontier()
    child = f.sitemap_entry(f"{SITE}/sitemap-2.xml", None, index=True, depth=1)
    assert (child.kind, child.fetch, child.depth) == ("sitemap", True, 2)
    assert f.sitemap_entry("https://evil.example/s.xml", None, index=True, depth=1).reason == (
        NOT_OURS
    )
    assert not f.sitemap_entry("", None, index=False, depth=1).fetch


def test_an_article_page_follows_only_article_links() -> None:
    f = frontier()
    assert f.link(LISTING, articles_only=True).reason == NOT_AN_ARTICLE
    assert f.link(A, articles_only=True).fetch
    assert f.link(f"{SITE}/category/sport").fetch  # a feed's link: any page of the site


# -- bookkeeping: awaited articles, the frontier table, earlier failures -------------


def test_an_article_answered_is_no_longer_awaited() -> None:
    f = frontier()
    f.decide(A)
    f.decide(B)
    f.answered(A)
    assert f.unanswered() == [B]
    assert f.unanswered() == [] and len(f.awaited) == 0


def test_new_article_urls_are_handed_back_in_batches_once() -> None:
    f = Frontier(PROFILE, today=TODAY, flush_every=2)
    f.load(ArchiveState(known={A: ("2001-01-01", None)}))
    f.decide(A)  # archived: not for the frontier table
    f.decide(B)
    assert f.new_urls() == []
    f.decide(f"{SITE}/news/ushinshi")
    assert f.new_urls() == [B, f"{SITE}/news/ushinshi"]
    assert f.new_urls() == []


def test_everything_hands_back_a_partial_batch() -> None:
    f = Frontier(PROFILE, today=TODAY, flush_every=100)
    f.decide(A)
    assert f.new_urls(everything=True) == [A]
    assert f.new_urls(everything=True) == []


def test_a_discovery_page_that_failed_before_is_cleared_once() -> None:
    f = Frontier(PROFILE, today=TODAY)
    f.load(ArchiveState(failed_discovery={LISTING}))
    assert f.discovery_worked(LISTING) and not f.discovery_worked(LISTING)
    assert not f.discovery_worked(f"{SITE}/category/sport")


def test_the_state_of_an_unfinished_run_is_kept_for_the_spider() -> None:
    f = Frontier(PROFILE, today=TODAY)
    f.load(ArchiveState(frontier=[A], retries=[B]))
    assert (list(f.resumed), list(f.retries)) == ([A], [B])


# -- arguments and small readers -----------------------------------------------------


def test_rules_from_spider_arguments() -> None:
    rules = Rules.from_arguments("1", "2025-02-01", "3", "4", "10")
    assert rules == Rules(True, date(2025, 2, 1), 3, 4, 10)
    assert Rules.from_arguments(max_articles="0") == Rules()
    assert Rules.from_arguments(full="no", since="") == Rules()


def test_a_listing_item_date_is_read_from_its_text() -> None:
    assert listing_item_date("Абай Құнанбаев - 2025-12-17 1520") == date(2025, 12, 17)
    assert listing_item_date("11.12.2025 жаңалық") == date(2025, 12, 11)
    assert listing_item_date("күні жоқ") is None
    assert listing_item_date("x" * 600 + " 2025-12-17") is None  # only its start is read


@pytest.mark.parametrize(
    ("url", "number"),
    [(LISTING, 1), (f"{LISTING}?page=3", 3), (f"{LISTING}?page=x", 1), (f"{LISTING}?p=2", 1)],
)
def test_page_number(url: str, number: int) -> None:
    assert page_number(url) == number


def test_same_listing_compares_paths() -> None:
    assert same_listing(f"{LISTING}/?page=2", LISTING)
    assert not same_listing(f"{SITE}/category/sport", LISTING)


def test_the_default_limits_are_the_settings_defaults() -> None:
    from kazscraper.crawler import settings

    assert Limits.from_settings(lambda name, default: getattr(settings, name)) == Limits()


def test_the_frontier_imports_neither_scrapy_nor_sqlite() -> None:
    import subprocess
    import sys

    code = (
        "import sys, kazscraper.crawler.frontier; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'scrapy', 'twisted', 'sqlite3', 'sqlite_utils', 'parsel', 'lxml'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
