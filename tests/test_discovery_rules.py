"""Discovery on a site we have no profile for converges (issue 20): which URLs are never
articles, which query strings are variants of the article, when a pagination chain ends,
and the trailing-slash redirect learned once. Pure frontier and URL rules, small inputs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from kazscraper.clean.article import language_tag
from kazscraper.crawler.frontier import (
    CONVERGED,
    NEW,
    ArchiveState,
    Frontier,
    ListingPage,
    Rules,
    page_number,
    same_listing,
)
from kazscraper.extract.article import extract_article
from kazscraper.sites import generic_site, get_profile, profile_for_url
from kazscraper.sites.url_rules import canonical_url, classify_url, pagination_path

SITE = "https://jana.kz"
GENERIC = generic_site(SITE)
STORY = f"{SITE}/kk/news/astanada-jana-mektep-ashyldy"


def frontier(**rules: object) -> Frontier:
    f = Frontier(GENERIC, Rules(**rules), today=date(2026, 12, 7))  # type: ignore[arg-type]
    f.load(ArchiveState())
    return f


@pytest.mark.parametrize(
    "path",
    [
        "/kk/tag/astana-jana-mektep",
        "/tag/bilim-jane-gylym-jangalyqtary/",
        "/ru/author/ivan-ivanov-petrovich",
        "/search/jana-mektep-ashyldy",
        "/news/astanada-jana-mektep/print/",
        "/share/astanada-jana-mektep-ashyldy",
        "/feed/astanada-jana-mektep-ashyldy",
        "/2026/12/07/jana-mektep-ashyldy/attachment/foto-1",
        "/storage/files/12345-jana-mektep.pdf",
        "/wp-content/uploads/2026/12/jana-mektep-foto-1.jpg",
        "/upload/iblock/3f2/jana-mektep-foto-ulken.JPEG",
        "/media/jana-mektep-video-1.mp4",
        "/files/jana-mektep-ashyldy.docx",
        "/files/jana-mektep-ashyldy-2026.zip",
        "/audio/jana-mektep-ashyldy.mp3",
        "/print:page,1,12345-jana-mektep-ashyldy.html",  # DataLife Engine's print version
        "/news/12345-jana-mektep-ashyldy/print.html",
        "/kk/rss/jana-mektep-ashyldy-2026",
        "/feed/atom/jana-mektep-ashyldy",
        "/ru/avtor/ivan-ivanov-petrovich",  # Russian and Kazakh transliterations
        "/ru/tegi/novaya-shkola-otkrylas",
        "/ru/poisk/novaya-shkola-otkrylas",
        "/kk/izdeu/jana-mektep-ashyldy",
        "/2026/12/07/jana-mektep-ashyldy/amp/",
        "/index.php/attachment/jana-mektep-foto-1",
        "/upload/medialibrary/jana-mektep-ashyldy.webp",
        "/video/jana-mektep-ashyldy.MP4",
    ],
)
def test_tag_author_search_print_share_feed_attachment_and_media_are_never_articles(
    path: str,
) -> None:
    assert classify_url(SITE + path, GENERIC) is None
    assert classify_url(SITE + path, get_profile("qazdauiri").rebased(SITE)) is None


@pytest.mark.parametrize(
    "query",
    ["share=facebook", "relatedposts_hit=1&relatedposts_origin=7", "print=Y", "utm_source=tg"],
)
def test_a_query_variant_of_a_generic_article_is_the_article(query: str) -> None:
    url = f"{STORY}/?{query}"
    assert classify_url(url, GENERIC) == "article"
    assert canonical_url(url, GENERIC) == STORY
    f = frontier()
    assert f.decide(STORY).reason == NEW
    assert not f.decide(url).fetch  # one request for the article and all its variants


def test_a_listing_keeps_its_query_and_a_named_profile_its_articles_query() -> None:
    assert canonical_url(f"{SITE}/kk/news?page=3", GENERIC) == f"{SITE}/kk/news?page=3"
    qazdauiri = get_profile("qazdauiri")
    assert canonical_url("https://qazdauiri.kz/news/x?id=2", qazdauiri).endswith("?id=2")


def read(f: Frontier, url: str, links: list[str]) -> tuple[ListingPage, list[str]]:
    page = ListingPage(url)
    for link in links:
        f.listing_link(page, link, None)
    return page, [d.url for d in f.listing_next(page) if d.fetch]


def story(n: int) -> str:
    return f"{SITE}/kk/news/{n}-jana-mektep-ashyldy"


@pytest.mark.parametrize("full", [False, True])
def test_a_page_past_the_last_ends_the_chain_though_its_sidebar_links_are_new(
    full: bool,
) -> None:
    f = frontier(full=full)
    sidebar = [story(900), story(901), story(902)]  # top news on every page
    feed = f"{SITE}/kk/news"
    _, after_1 = read(f, feed, [*sidebar, story(1), story(2), f"{feed}?page=2"])
    assert after_1 == [f"{feed}?page=2"]
    _, after_2 = read(f, f"{feed}?page=2", [*sidebar, story(3), f"{feed}?page=3"])
    assert after_2 == [f"{feed}?page=3"]
    # "load more" is still there past the last page: only the sidebar, seen before
    page, after_3 = read(f, f"{feed}?page=3", [*sidebar, f"{feed}?page=4"])
    assert after_3 == [] and page.fresh == 0
    assert f.counts["pagination_converged"] == 1


def test_an_empty_page_ends_the_chain() -> None:
    f = frontier(full=True)
    _, after = read(f, f"{SITE}/kk/news?page=7", [f"{SITE}/kk/news?page=8"])
    assert after == []


def test_a_sections_first_page_goes_on_though_the_home_page_had_its_links() -> None:
    f = frontier()
    read(f, f"{SITE}/", [story(1), story(2)])
    _, after = read(f, f"{SITE}/kk/news", [story(1), story(2), f"{SITE}/kk/news?page=2"])
    assert after == [f"{SITE}/kk/news?page=2"]
    reasons = [d.reason for d in f.listing_next(ListingPage(f"{SITE}/kk/news?page=2"))]
    assert reasons == [CONVERGED]


@pytest.mark.parametrize(
    ("query", "number"), [("PAGEN_1=3", 3), ("paged=4", 4), ("pg=2", 2), ("PAGEN_x=3", 1)]
)
def test_page_numbers_of_common_cms(query: str, number: int) -> None:
    assert page_number(f"{SITE}/news/?{query}") == number


def test_a_trailing_slash_redirect_is_learned_once_per_site() -> None:
    f = frontier()
    other = f"{SITE}/kk/news/1-jana-mektep-ashyldy"
    assert f.request_url(STORY) == STORY
    f.learn_redirect(other + "?x=1", other + "/")  # not only the slash: nothing learned
    assert f.request_url(STORY) == STORY
    f.learn_redirect(other, other + "/")
    f.learn_redirect(story(2), story(2) + "/")
    assert f.request_url(STORY) == STORY + "/"
    assert f.counts["trailing_slash_learned"] == 1
    assert f.request_url("https://other.kz/a-b-c") == "https://other.kz/a-b-c"


def test_a_redirect_to_the_slashless_twin_teaches_nothing() -> None:
    f = frontier()
    f.learn_redirect(STORY + "/", STORY)
    assert f.request_url(STORY) == STORY


@pytest.mark.parametrize(("tag", "code"), [("kz", "kk"), ("KZ", "kk"), ("kz-KZ", "kk")])
def test_the_country_code_kz_is_the_language_kk(tag: str, code: str) -> None:
    assert language_tag(tag) == code


def walk(f: Frontier, first: str, page_links: Callable[[int], list[str]]) -> list[str]:
    """The pages of one pagination chain a run fetches, from its first page on, each page's
    links given by ``page_links(n)`` (at most 20 pages)."""
    fetched, asked = [], first
    empty_run = 0
    for _ in range(20):
        fetched.append(asked)
        page = ListingPage(asked, empty_run=empty_run)
        for link in page_links(page_number(asked)):
            f.listing_link(page, link, None)
        nxt = [d for d in f.listing_next(page) if d.fetch]
        if not nxt:
            break
        asked, empty_run = nxt[0].ask or nxt[0].url, nxt[0].empty_run
    return fetched


def test_a_new_article_in_the_sidebar_does_not_keep_an_incremental_walk_going() -> None:
    # the second run: the archive has the chain's articles; one new article sits in the
    # top-news sidebar of every page. "Nothing new" counts articles unseen in the archive
    # AND in this run, so the sidebar's one new link makes only the first page new.
    archived = {story(n): ("2026-01-01", None) for n in range(1, 41)}
    f = frontier()
    f.load(ArchiveState(known=archived))
    feed = f"{SITE}/kk/news"

    def links(n: int) -> list[str]:
        return [story(999), story(2 * n), story(2 * n + 1), f"{feed}?page={n + 1}"]

    assert walk(f, feed, links) == [feed, f"{feed}?page=2", f"{feed}?page=3"]
    assert f.counts["pagination_stopped"] == 1


def test_the_first_run_walks_a_chain_to_its_end_and_no_further() -> None:
    f = frontier()
    feed = f"{SITE}/kk/news"

    def links(n: int) -> list[str]:  # six pages of two stories, the sidebar on every page
        stories = [story(2 * n), story(2 * n + 1)] if n <= 6 else []
        return [story(900), story(901), *stories, f"{feed}?page={n + 1}"]

    assert len(walk(f, feed, links)) == 7  # page 7 is empty: it ends the chain
    assert f.counts["pagination_converged"] == 1


@pytest.mark.parametrize(
    ("path", "base", "number"),
    [
        ("/page/2", "/", 2),
        ("/page/2/", "/", 2),
        ("/ru/page/3/", "/ru/", 3),
        ("/category/qogam/page/12/", "/category/qogam/", 12),
        ("/category/qogam/Page/4", "/category/qogam/", 4),
    ],
)
def test_path_pagination_numbers_a_listings_pages(path: str, base: str, number: int) -> None:
    assert pagination_path(path) == (base, number)
    assert page_number(SITE + path) == number
    assert same_listing(SITE + path, SITE + base)
    assert classify_url(SITE + path, GENERIC) == "listing"


@pytest.mark.parametrize(
    "path",
    [
        "/tag/jana-mektep/page/3/",  # a tag's pages are not walked
        "/author/ivan-ivanov/page/2/",
        "/kk/news/astanada-jana-mektep-ashyldy/page/2/",  # an article's pages: not a listing
        "/ru/page/²/",
        "/ru/category/page/",
    ],
)
def test_what_is_no_listing_page_by_its_path(path: str) -> None:
    assert classify_url(SITE + path, GENERIC) is None


def test_a_named_profile_says_what_its_page_n_is() -> None:
    qazdauiri = get_profile("qazdauiri").rebased(SITE)  # its menu's /page/N: static pages
    assert classify_url(f"{SITE}/page/2", qazdauiri) is None


def test_a_path_paginated_chain_converges_past_its_last_page() -> None:
    f = frontier()
    base = f"{SITE}/category/qogam/"

    def links(n: int) -> list[str]:  # WordPress: numbered links to every page, a next link
        stories = [story(3 * n + i) for i in range(3)] if n <= 4 else []
        numbered = [f"{base}page/{k}/" for k in range(2, 6)]
        return [story(900), *stories, *numbered, f"{base}page/{n + 1}/"]

    fetched = walk(f, base, links)
    assert fetched == [base] + [f"{base}page/{n}/" for n in range(2, 6)]
    assert f.counts["pagination_converged"] == 1


def test_a_page_is_asked_for_with_the_slash_its_link_had() -> None:
    f = frontier()
    decision = f.decide(STORY + "/")
    assert decision.url == STORY and decision.ask == STORY + "/"
    assert f.decide(f"{SITE}/kk/news/other-jana-mektep-ashyldy").ask == ""
    listing = f.decide(f"{SITE}/category/qogam/")
    assert listing.kind == "listing" and listing.ask == f"{SITE}/category/qogam/"


# --- an article with a sidebar of teasers is no listing; a listing is no article ----------

ARTICLE_URL = "https://news.example.com/2020/03/storm-hits-the-coast"
OWN = [
    "The storm reached the coast on Saturday evening and the town lost power for several "
    "hours, officials said in a statement.",
    "Residents were asked to stay at home while crews cleared the roads and repaired the "
    "power lines that the wind had brought down.",
]


def teasers(n: int) -> str:
    return "".join(
        f"<div class='teaser'><a href='/2020/03/other-story-number-{i}'>Other story number {i}"
        f" about the harbour and the town council</a><p>A short excerpt of story {i}, a line"
        " or two about what happened, with a date.</p><span>12.03.2020</span></div>"
        for i in range(n)
    )


def extracted(body: str) -> tuple[str | None, str]:
    html = f"<!DOCTYPE html><html><head></head><body>{body}</body></html>"
    profile = profile_for_url(ARTICLE_URL, "qazdauiri")
    article = extract_article(html, ARTICLE_URL, profile, "2020-03-20T08:00:00+00:00")
    return article.body, str(article.extraction.get("body"))


@pytest.mark.parametrize("sidebar", [30, 60, 120])
def test_a_short_article_beside_a_big_sidebar_of_teasers_is_no_listing(sidebar: int) -> None:
    body, layer = extracted(
        "<div class='wrap'><div class='content'><h1>Storm hits the coast</h1>"
        f"<div class='text'>{''.join(f'<p>{p}</p>' for p in OWN)}</div></div>"
        f"<div class='col'><h3>Latest news</h3>{teasers(sidebar)}</div></div>"
    )
    assert not layer.startswith("missing"), layer
    assert body is not None and all(p in body for p in OWN)


@pytest.mark.parametrize("intro", ["", "<p>The latest news of the region, updated every day.</p>"])
def test_a_listing_at_an_article_like_url_is_no_article(intro: str) -> None:
    _, layer = extracted(
        "<div class='wrap'><main><header><h1>Harbour news</h1>"
        f"{intro}</header><div class='posts'>{teasers(12)}</div></main>"
        f"<div class='col'><h3>Most read</h3>{teasers(5)}</div></div>"
    )
    assert layer.startswith("missing") and "a listing page" in layer, layer


def test_a_site_that_drops_the_slash_is_asked_without_it_once_learned() -> None:
    f = frontier()
    listing = f"{SITE}/kk/news/"
    assert f.decide(listing).ask == listing
    f.learn_redirect(STORY + "/", STORY)  # Laravel: a slashed link answers 301 without it
    assert f.decide(f"{SITE}/ru/news/").ask == ""
    assert f.decide(story(5) + "/").ask == ""
    assert f.counts["trailing_slash_learned"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "s=jana+mektep",  # WordPress's search
        "attachment_id=1234",  # an attachment page
        "replytocom=56#respond",  # a comment's reply form
        "share=facebook",  # Jetpack's share button (a redirect off the site)
        "print=1",
        "paged=2&s=jana",  # a search's second page
        "search=jana",
    ],
)
def test_a_search_attachment_reply_share_or_print_query_is_never_a_listing(query: str) -> None:
    """A home or section URL with such a query is the same listing re-rendered or a page of
    no article: never scheduled (each distinct query would be one more fetch)."""
    for path in ("/", "/ru/", "/kk/news/"):
        url = f"{SITE}{path}?{query}"
        assert classify_url(url, GENERIC) is None, url
        assert not frontier().decide(url).fetch
        assert classify_url(url, get_profile("qazdauiri").rebased(SITE)) is None
    assert classify_url(f"{SITE}/?page=2", GENERIC) == "listing"  # a listing's own pages
    assert classify_url(f"{SITE}/kk/news/?p=3", GENERIC) == "listing"
    assert canonical_url(f"{STORY}/?{query}", GENERIC) == STORY  # an article's variant


@pytest.mark.parametrize("prefix", ["/ru", "/kz", "/kk", "/en"])
@pytest.mark.parametrize(
    "path", ["/category/ekonomika/", "/category/ekonomika/page/3/", "/news/", "/"]
)
def test_a_language_prefix_is_read_as_no_prefix_for_listings(prefix: str, path: str) -> None:
    """Polylang's ``/ru/category/x/``, its pages, and any language's sections are listings
    as the same paths without the prefix are."""
    assert classify_url(SITE + path, GENERIC) == "listing"
    assert classify_url(SITE + prefix + path, GENERIC) == "listing"
    assert classify_url(f"{SITE}{prefix}/tag/jana-mektep/page/2/", GENERIC) is None
    assert classify_url(f"{SITE}{prefix}/news/astanada-jana-mektep-ashyldy", GENERIC) == "article"
    assert classify_url(f"{SITE}/ru/category/ekonomika/x/", GENERIC) is None  # no language: 3


@pytest.mark.parametrize("path", ["/kk/node/1189", "/ru/node/12/", "/kk/news/1007", "/en/item/7"])
def test_a_numbered_item_under_a_language_prefix_is_no_listing(path: str) -> None:
    """Drupal's ``/kk/node/1189`` (the article's own address beside its alias) is an item
    under a language segment, not a section: read as a listing, each article was fetched
    twice (Drupal theme: 2.15 requests per article instead of 1.15)."""
    assert classify_url(SITE + path, GENERIC) is None
    assert not frontier().decide(SITE + path).fetch
    assert classify_url(f"{SITE}/kk/node/", GENERIC) == "listing"  # the section itself
