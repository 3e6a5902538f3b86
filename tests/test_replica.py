"""The replica: deterministic content, the seed page's exact text, real HTTP on loopback."""

from __future__ import annotations

import re
import urllib.request
from urllib.error import HTTPError

import pytest

from kazscraper.replica.render import Renderer
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite, slugify

from .visible_text import visible_text


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return (
                response.status,
                response.headers["Content-Type"],
                response.read().decode("utf-8"),
            )
    except HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode("utf-8")


def test_seed_article_renders_the_real_page_text(
    seed_page_text: str, small_site: ReplicaSite
) -> None:
    html = Renderer(small_site, "https://qazdauiri.kz").article_page(small_site.seed_article)
    assert visible_text(html, "main") == seed_page_text


def test_saved_seed_fixture_is_what_the_replica_serves(
    seed_html: str, small_site: ReplicaSite
) -> None:
    # tests/fixtures/pages/qazdauiri-seed.html is the replica's seed page as the real site's origin
    rendered = Renderer(small_site, "https://qazdauiri.kz", "https://image.qazdauiri.kz")
    assert visible_text(seed_html, "main") == visible_text(
        rendered.article_page(small_site.seed_article), "main"
    )


def test_seed_slug_follows_the_site_transliteration(
    seed_expected: dict, small_site: ReplicaSite
) -> None:
    expected_slug = seed_expected["canonical_url"].rsplit("/", 1)[1]
    assert slugify(seed_expected["title"]) == expected_slug
    assert small_site.seed_article.slug == expected_slug


def test_same_arguments_same_site() -> None:
    a, b = ReplicaSite(200, seed=7), ReplicaSite(200, seed=7)
    assert [x.slug for x in a.articles] == [x.slug for x in b.articles]
    assert a.paragraphs(a.articles[100]) == b.paragraphs(b.articles[100])
    assert [x.slug for x in ReplicaSite(200, seed=8).articles] != [x.slug for x in a.articles]


def test_scales_to_twenty_thousand_unique_articles() -> None:
    site = ReplicaSite(20_000)
    assert len(site.articles) == len(site.by_slug) == 20_000
    assert all(re.fullmatch(r"[a-z0-9-]+", a.slug) for a in site.articles)


def test_too_few_articles_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 6"):
        ReplicaSite(5)


def test_generated_article_text_is_kazakh(small_site: ReplicaSite) -> None:
    article = small_site.articles[10]
    text = " ".join(small_site.paragraphs(article))
    assert re.search(r"[әғқңөұүһі]", text)
    assert small_site.signature_lines(article)[-1] == article.published.strftime("%d.%m.%Y")


def test_served_pages(replica: ReplicaServer, small_site: ReplicaSite) -> None:
    status, ctype, robots = fetch(replica.origin + "/robots.txt")
    assert status == 200 and "Sitemap: " + replica.origin + "/sitemap.xml" in robots
    status, ctype, sitemap = fetch(replica.origin + "/sitemap.xml")
    assert status == 200 and ctype.startswith("application/xml")
    assert sitemap.count("<loc>") == small_site.n_articles
    status, _, rss = fetch(replica.origin + "/rss")
    assert status == 200 and "<item>" in rss
    status, _, _ = fetch(replica.origin + "/news/no-such-article")
    assert status == 404
    status, _, _ = fetch(replica.origin + "/category/sport?page=999")
    assert status == 404


def test_every_article_reachable_through_category_pagination(
    replica: ReplicaServer, small_site: ReplicaSite
) -> None:
    found: set[str] = set()
    _, _, home = fetch(replica.origin + "/")
    categories = set(re.findall(r'href="(/category/[a-z]+)"', home))
    assert len(categories) >= 4
    for category in categories:
        page, seen_pages = category, set()
        while page and page not in seen_pages:
            seen_pages.add(page)
            _, _, html = fetch(replica.origin + page)
            found |= {
                m.split("?")[0].split("#")[0].rstrip("/")
                for m in re.findall(r'href="([^"]*/news/[^"]+)"', html)
            }
            nxt = re.search(r'<li class="next"><a href="([^"]+)"', html)
            page = nxt.group(1) if nxt else None
    slugs = {u.rsplit("/", 1)[1] for u in found}
    assert slugs >= {a.slug for a in small_site.articles}


def test_listings_link_through_the_mirror_and_with_tracking(replica: ReplicaServer) -> None:
    _, _, home = fetch(replica.origin + "/")
    assert replica.mirror_origin + "/news/" in home
    assert "utm_source=" in home
    status, _, mirror_page = fetch(
        replica.mirror_origin + "/news/" + ReplicaSite(60).articles[7].slug
    )
    assert status == 200 and "news-text" in mirror_page


def test_broken_articles_have_no_body(small_site: ReplicaSite) -> None:
    site = ReplicaSite(30, broken=2)
    assert len(site.broken_articles) == 2
    html = Renderer(site, "http://x").article_page(site.broken_articles[0])
    assert "news-text" not in html


def test_huge_fault_declares_its_size_and_serves_it_whole(
    replica: ReplicaServer, small_site: ReplicaSite
) -> None:
    """The 'huge' mode: the article padded past 10 MB, its Content-Length exact (the crawler
    refuses it from the headers, before the body, which is streamed)."""
    article = small_site.articles[7]
    replica.set_faults({article.path: "huge"})
    try:
        with urllib.request.urlopen(replica.origin + article.path) as response:
            declared = int(response.headers["Content-Length"])
            body = response.read()
    finally:
        replica.set_faults({})
    assert declared == len(body) > 11 * 1024 * 1024
    assert body.rstrip().endswith(b"</html>")
    assert article.title.encode() in body
