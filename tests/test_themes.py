"""The themed replica sites: real HTTP on loopback, pages that hold their truth, links to all.

Fast checks of the measuring instrument of ``bench/sites.py`` (no crawl here): every
ground-truth article answers 200 with its title and body text; listings, pagination,
sitemaps and feeds link every article; the truth is deterministic and consistent; each
theme's hard cases are really served.
"""

from __future__ import annotations

import http.client
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from lxml import etree
from lxml import html as lxml_html

from kazscraper.replica.themes import THEMES, Theme, ThemeServer, get_theme
from kazscraper.replica.themes.content import TOP

ARTICLES = 36


@pytest.fixture(scope="module", params=sorted(THEMES))
def served(request: pytest.FixtureRequest) -> Iterator[tuple[Theme, ThemeServer]]:
    theme = get_theme(request.param, n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        yield theme, server


def get(server: ThemeServer, path: str) -> tuple[int, dict[str, str], str]:
    """One request, redirects not followed: (status, headers, body as text)."""
    host, port = urlsplit(server.origin).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        headers = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    return response.status, headers, body.decode("utf-8", "replace")


def flat(text: str) -> str:
    return " ".join(text.split())


def page_text(html: str) -> str:
    root = lxml_html.fromstring(html)
    for node in root.xpath("//script|//style"):
        node.drop_tree()
    return flat(root.text_content())


def norm(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path.rstrip('/')}"


def links(html_or_xml: str, base: str) -> set[str]:
    if html_or_xml.lstrip().startswith("<?xml"):
        root = etree.fromstring(html_or_xml.encode())
        found = [
            el.text or "" for el in root.iter() if etree.QName(el).localname in ("loc", "link")
        ]
    else:
        found = lxml_html.fromstring(html_or_xml).xpath("//a/@href")
    return {norm(urljoin(base, href)) for href in found}


def test_every_truth_article_answers_with_its_title_and_body(
    served: tuple[Theme, ThemeServer],
) -> None:
    theme, server = served
    truth = theme.truth(server.origin)
    assert len(truth) == ARTICLES
    for url, record in truth.items():
        status, headers, html = get(server, url[len(server.origin) :])
        assert status == 200, url
        assert headers["content-type"].startswith("text/html")
        text = page_text(html)
        assert record["title"] in text, url
        for paragraph in record["body"].split("\n\n"):
            assert flat(paragraph) in text, (url, paragraph[:40])


def test_listings_sitemaps_and_feeds_link_every_article(
    served: tuple[Theme, ThemeServer],
) -> None:
    theme, server = served
    seen: set[str] = set()
    for path in theme.listing_paths():
        status, _, body = get(server, path)
        assert status == 200, path
        seen |= links(body, server.origin + path)
    missing = [u for u in theme.truth(server.origin) if norm(u) not in seen]
    assert not missing


def test_every_page_kind_parses(served: tuple[Theme, ThemeServer]) -> None:
    theme, server = served
    status, headers, robots = get(server, "/robots.txt")
    assert status == 200 and headers["content-type"].startswith("text/plain")
    assert "User-agent: *" in robots
    first = next(iter(theme.truth(server.origin)))
    for path in ["/", first[len(server.origin) :], *theme.listing_paths()]:
        status, headers, body = get(server, path)
        if status in (301, 302):
            status, headers, body = get(server, urlsplit(headers["location"]).path)
        assert status == 200, path
        if "xml" in headers["content-type"]:
            assert etree.fromstring(body.encode()) is not None
        else:
            root = lxml_html.fromstring(body)
            assert root.find(".//title") is not None and root.find(".//body") is not None
    status, _, _ = get(server, "/no/such/page-at-all")
    assert status in (301, 404)


def test_truth_is_deterministic_and_consistent(served: tuple[Theme, ThemeServer]) -> None:
    theme, _ = served
    origin = "https://example.kz"
    truth = theme.truth(origin)
    assert truth == get_theme(theme.name, n_articles=ARTICLES).truth(origin)
    other = get_theme(theme.name, n_articles=ARTICLES, seed=2).truth(origin)
    assert [r["title"] for r in other.values()] != [r["title"] for r in truth.values()]
    bigger = get_theme(theme.name, n_articles=ARTICLES + 12)
    assert [a.title for a in bigger.content.articles[:ARTICLES]] == [
        a.title for a in theme.content.articles
    ]
    records = list(truth.values())
    assert {r["language"] for r in records} == {"kk", "ru"}
    assert any(not r["authors"] for r in records)  # accounts and unsigned posts: no people
    assert any(len(r["body"].split("\n\n")) == 2 for r in records)  # short items
    for url, record in truth.items():
        assert record["published"].endswith("+05:00")
        kinds = [b["kind"] for b in record["blocks"]]
        assert kinds.count("similar") == theme.similar_count and kinds.count("top") == TOP
        assert all(
            (b["url"] in truth and b["url"] != url) or b["kind"] == "top" for b in record["blocks"]
        )
        assert all(truth[b["url"]]["language"] == record["language"] for b in record["blocks"])


def test_block_headings_are_on_the_article_pages(served: tuple[Theme, ThemeServer]) -> None:
    theme, server = served
    for url, record in list(theme.truth(server.origin).items())[:6]:
        _, _, html = get(server, url[len(server.origin) :])
        labels = theme.labels[record["language"]]
        assert labels["similar"] in html and labels["top"] in html
        hrefs = links(html, url)
        assert all(norm(b["url"]) in hrefs for b in record["blocks"])


def test_wordpress_hard_cases() -> None:
    theme = get_theme("wordpress", n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        path = next(iter(theme.by_path))
        status, headers, _ = get(server, path.rstrip("/"))
        assert status == 301 and headers["location"].endswith(path)
        status, headers, _ = get(server, path + "?share=facebook")
        assert status == 302 and "facebook.com" in headers["location"]
        _, _, html = get(server, path)
        assert "?relatedposts_hit=1" in html and 'class="entry-date published"' in html
        assert re.search(r'<time class="entry-date published"[^>]*>[^<]*</time><time', html)
        assert get(server, "/page/99/")[0] == 404
        assert get(server, "/wp-sitemap.xml")[0] == 200


def test_bitrix_hard_cases() -> None:
    theme = get_theme("bitrix", n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        _, _, robots = get(server, "/robots.txt")
        assert "Disallow: /*?print=" in robots
        article = next(a for a in theme.content.articles if theme.uses_breaks(a))
        _, _, html = get(server, theme.article_path(article))
        assert '<span class="header__date">' in html and "<br>\n<br>" in html
        assert "?print=Y" in html and "article:published_time" not in html
        last = theme.page_count(theme.content.latest("ru"))
        assert (
            get(server, f"/news/?PAGEN_1={last + 5}")[2] == get(server, f"/news/?PAGEN_1={last}")[2]
        )
        assert get(server, "/sitemap.xml")[0] == 404


def test_drupal_hard_cases() -> None:
    theme = get_theme("drupal", n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        article = theme.content.articles[0]
        status, _, html = get(server, f"/{article.language}/node/{article.number}")
        assert status == 200
        assert f'rel="canonical" href="{server.origin}{theme.article_path(article)}"' in html
        _, _, listing = get(server, f"/{article.language}/news")
        assert 'href="?page=1"' in listing
        assert get(server, "/user/1")[0] == 403


def test_handmade_hard_cases() -> None:
    theme = get_theme("handmade", n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        status, _, html = get(server, "/kk/news?page=500")
        assert status == 200 and 'href="/kk/news?page=501"' in html
        path = theme.article_path(theme.content.articles[0])
        assert get(server, path + "/")[0] == 301
        assert any(s.count("-") >= 2 for s in theme.content.tag_slugs("kk"))
        _, _, page = get(server, "/kk")
        assert '<html lang="kz">' in page and "<meta property" not in page
