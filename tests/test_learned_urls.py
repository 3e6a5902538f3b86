"""A learned profile's ``[urls]`` in discovery (issue 24): the learned patterns add to the
generic URL rules, never take from them; the learned pagination is walked."""

from __future__ import annotations

from pathlib import Path

from kazscraper.crawler.frontier import Frontier, ListingPage, page_number
from kazscraper.sites import generic_site
from kazscraper.sites.profile_file import ProfileFile, ProfileFileError, profile_from_dict
from kazscraper.sites.url_rules import (
    canonical_url,
    classify_url,
    contested,
    declared_canonical,
    learned_only,
)

ORIGIN = "http://127.0.0.1:8123"


def learned(**urls: object) -> object:
    return ProfileFile(site={}, rules={}, urls=dict(urls)).to_profile(generic_site(ORIGIN))


def test_a_learned_article_pattern_finds_what_the_generic_rules_miss() -> None:
    generic = generic_site(ORIGIN)
    profile = learned(article=r"^/(?:[^/]+/news/[0-9]+)/?$")
    url = f"{ORIGIN}/kk/news/1007"  # four digits: no story to the generic rules
    assert classify_url(url, generic) is None
    assert classify_url(url, profile) == "article"
    assert canonical_url(url + "?share=fb", profile) == url  # known by its path
    assert not contested(url, profile)


def test_a_narrow_learned_pattern_loses_nothing_the_generic_rules_find() -> None:
    profile = learned(article=r"^/kk/news/[0-9]+$", listing=[r"^/kk/rubric/[^/]+/[^/]+$"])
    for path, kind in [
        ("/ru/news/astanada-jana-mektep-ashyldy", "article"),  # the generic rules' article
        ("/ru/news", "listing"),
        ("/kk/rubric/a/b", "listing"),  # the learned listing: nothing to the generic rules
        ("/kk/tag/a-b-c", None),  # never an article, whatever a pattern says
    ]:
        assert classify_url(ORIGIN + path, profile) == kind, path


def test_a_broad_learned_pattern_keeps_listings_walked() -> None:
    profile = learned(article=r"^/.*$")
    section = f"{ORIGIN}/kk/news"
    assert classify_url(section, profile) == "article"
    assert contested(section, profile)  # read as an article and as a listing
    # a page of its pagination stays a listing, with its query
    assert classify_url(section + "?page=2", profile) == "listing"
    assert canonical_url(section + "?page=2", profile).endswith("?page=2")
    frontier = Frontier(profile)
    decision = frontier.decide(section)
    assert decision.kind == "article" and decision.listing_too
    assert not frontier.decide(f"{ORIGIN}/kk/news/jana-mektep-ashyldy-bugin").listing_too


def test_an_article_by_the_learned_pattern_alone_is_told_apart() -> None:
    profile = learned(article=r"^/.*$")
    assert learned_only(f"{ORIGIN}/kk/news", profile)  # a listing to the generic rules
    assert learned_only(f"{ORIGIN}/kk/page/about", profile)  # nothing to them
    assert not learned_only(f"{ORIGIN}/kk/news/jana-mektep-ashyldy-bugin", profile)
    assert not learned_only(f"{ORIGIN}/kk/news", generic_site(ORIGIN))
    # nor is a canonical link to the home page believed (it would merge every article)
    article = f"{ORIGIN}/kk/news/jana-mektep-ashyldy-bugin"
    assert declared_canonical(f"{ORIGIN}/", article, profile) == article


def test_the_learned_pagination_parameter_is_walked() -> None:
    generic, profile = generic_site(ORIGIN), learned(pagination="?p=N")
    for site, walked in ((generic, []), (profile, [f"{ORIGIN}/kk/news?p=2"])):
        frontier = Frontier(site)
        page = ListingPage(f"{ORIGIN}/kk/news")
        frontier.listing_link(page, f"{ORIGIN}/kk/news/jana-mektep-ashyldy-bugin", None)
        frontier.listing_link(page, f"{ORIGIN}/kk/news?p=2", None)
        frontier.listing_link(page, f"{ORIGIN}/kk/news?p=3", None)
        assert [d.url for d in frontier.listing_next(page) if d.fetch] == walked
    assert page_number(f"{ORIGIN}/x?p=4", "p") == 4
    assert page_number(f"{ORIGIN}/x?p=4") == 1  # a WordPress post id, not a page


def test_a_pagination_form_the_crawl_cannot_read_is_refused() -> None:
    for form in ("?p=N", "/page/N/", "?PAGEN_1=N", "/p/N/", "?start=N"):  # what learn writes
        profile_from_dict({"urls": {"pagination": form}})
    try:
        profile_from_dict({"urls": {"pagination": "?page=(.*)*"}})
    except ProfileFileError as exc:
        assert "pagination" in str(exc)
    else:
        raise AssertionError("a bad pagination form was accepted")


def test_the_store_judges_the_workers_site_with_its_learned_floors(tmp_path: Path) -> None:
    import pytest

    pytest.importorskip("redis", reason="the 'distributed' extra")
    from kazscraper.distributed.store import StoreOptions, verdict_profiles
    from kazscraper.sites import get_profile
    from kazscraper.sites.profile_file import learned_profile_path

    db = tmp_path / "site.sqlite"
    options = StoreOptions(str(db), "redis://127.0.0.1:1/0", site="qazdauiri")
    # a --start-url worker crawls the named profile there: its floors, as before
    replica, _ = verdict_profiles(options, {"start_url": ORIGIN + "/"}, {})
    assert replica.name == "qazdauiri" and replica.origin == ORIGIN
    assert replica.health_thresholds == get_profile("qazdauiri").health_thresholds
    # a --site URL worker: the generic profile there, with its learned floors
    spec = {"sites": [ORIGIN + "/"]}
    assert verdict_profiles(options, spec, {})[0].health_thresholds == {}
    path = learned_profile_path(db, "127.0.0.1:8123")
    path.parent.mkdir()
    path.write_text('[health]\n"body:profile" = 0.85\n', encoding="utf-8")
    assert verdict_profiles(options, spec, {})[0].health_thresholds == {"body:profile": 0.85}


def test_a_learned_profile_keeps_a_reparses_earlier_origins(tmp_path: Path) -> None:
    from kazscraper.sites import Sites
    from kazscraper.sites.profile_file import learned_profile_path, with_learned

    site = generic_site(ORIGIN)
    earlier = generic_site("http://127.0.0.1:9000")
    path = learned_profile_path(tmp_path / "a.sqlite", site.label)
    path.parent.mkdir()
    path.write_text('[fields.title]\npath = "h1"\n', encoding="utf-8")
    sites, notes = with_learned(Sites.single(site, earlier=[earlier]), tmp_path / "a.sqlite")
    assert notes and sites.first.selectors.title == "h1"
    assert sites.earlier == (earlier,)  # the captures of the other origin are still read


def test_a_contested_article_linked_with_a_query_is_still_an_article() -> None:
    """Only a query that numbers a listing's pages keeps a contested path a listing: the
    same article linked as ``?ref=main`` or ``?relatedposts_hit=1`` (Jetpack) is an article
    (it was fetched as a listing and never stored)."""
    profile = learned(article=r"^/news/[0-9]+/?$")
    assert classify_url(f"{ORIGIN}/news/1007", profile) == "article"
    for query in ("ref=main", "relatedposts_hit=1", "lang=kk"):
        assert classify_url(f"{ORIGIN}/news/1007?{query}", profile) == "article", query
    for query in ("page=2", "PAGEN_1=3", "paged=2"):
        assert classify_url(f"{ORIGIN}/news/1007?{query}", profile) == "listing", query
