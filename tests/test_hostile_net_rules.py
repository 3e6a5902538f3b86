"""The rules behind the hostile-site crawls (issue 11), offline: which canonical is
trusted, how links and sitemaps are read, which redirects leave the site, the verdict."""

from __future__ import annotations

import gzip

import pytest
from scrapy.utils.test import get_crawler

from kazscraper.crawler.middlewares.redirect import off_site
from kazscraper.crawler.signals import page_failed
from kazscraper.crawler.sitemap import SitemapLimits, SitemapReader
from kazscraper.crawler.spiders.news import NewsSpider
from kazscraper.crawler.verdict import EXIT_FAILED, verdict
from kazscraper.intake.links import anchor_hrefs
from kazscraper.sites import Sites, get_profile
from kazscraper.sites.url_rules import declared_canonical

from .test_news_spider import run_settings

PROFILE = get_profile("qazdauiri")
PAGE = "https://qazdauiri.kz/news/bir-maqala"


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://qazdauiri.kz/news/baska", "https://qazdauiri.kz/news/baska"),
        ("https://image.qazdauiri.kz/news/baska", "https://qazdauiri.kz/news/baska"),
        ("https://qazdauiri.kz/", PAGE),  # the home page: not an article
        ("https://qazdauiri.kz/category/sayasat", PAGE),  # a category
        ("https://qazdauiri.kz/page/2", PAGE),  # a page of the site that is no article
        ("https://evil.example/news/baska", PAGE),  # another site
        ("javascript:alert(1)", PAGE),
        ("", PAGE),
        (None, PAGE),
    ],
)
def test_a_declared_canonical_is_used_only_when_it_is_an_article_url(
    declared: str | None, expected: str
) -> None:
    assert declared_canonical(declared, PAGE + "?utm_source=x", PROFILE) == expected


def test_anchor_hrefs_reads_links_with_the_parser() -> None:
    html = (
        "<p><a href=\"/news/a\">A</a> <A HREF='/news/b?x=1&amp;y=2'>B</A>"
        '<a class="x" href = /news/c>C</a><a href="/news/a">again</a><a>no href</a>'
        '<!-- <a href="/news/in-a-comment"> --><script>var s = \'<a href="/news/js">\';</script>'
    )
    assert anchor_hrefs(html) == ["/news/a", "/news/b?x=1&y=2", "/news/c"]


def test_anchor_hrefs_on_a_regex_trap_is_linear_and_capped() -> None:
    # '<a ' repeated made the old regex backtrack for minutes (cubic); the parser reads it
    # in one pass. 1 MB of it, and 10,000 distinct links capped at the limit.
    assert anchor_hrefs("<a " * 350_000) == []
    many = "".join(f'<a href="/news/n{i}">{i}</a>' for i in range(10_000))
    assert anchor_hrefs(many, limit=100) == [f"/news/n{i}" for i in range(100)]
    assert anchor_hrefs("") == [] and anchor_hrefs("   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "<p><a href='/a'>a</a>\x00<a href=' /b '>b</a></p>",
        "  \n\ufeff<a href='/a'>x</a>",
        "<?xml version='1.0'?><r><a href='/x'/><b><a href='/y'/></b></r>",
        "  \ufeff<?xml version='1.0'?><r><a href='/x'/></r>",
        '"<a href=/scalar>x</a>"',
        "[not json <a href='/after'>x</a>",
        "12 <a href='/n'>n</a>",
    ],
)
def test_anchor_hrefs_reads_what_parsel_s_selector_reads(text: str) -> None:
    """HTML is parsed by ``checked.html_selector`` (parsel's tree, without its copy of the
    page to take out NUL), XML by parsel as before: the same links either way."""
    from parsel import Selector

    page = Selector(text=text)
    values = page.root.xpath("//a/@href", smart_strings=False)
    assert anchor_hrefs(text) == list(dict.fromkeys(v.strip() for v in values if v.strip()))


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ('{"a": "<a href=\'/in-json\'>x</a>"}', ["/in-json"]),
        ('  [1, "<a href=/j>"]', ["/j"]),
        ('["<a href=\\"/news/a\\">x</a>"]', ['\\"/news/a\\"']),
        ("[" * 3000 + "<a href='/x'>x</a>", ["/x"]),
    ],
)
def test_text_that_starts_as_json_is_read_as_html_as_the_extractor_reads_it(
    text: str, links: list[str]
) -> None:
    """A JSON text served as a page: parsel's JSON selector raised on its ``xpath`` (and
    ``json.loads`` RecursionError on deep nesting), so the page was neither a capture nor a
    failure (review of replicacpu); it is read as HTML, its markup's links as written."""
    assert anchor_hrefs(text) == links


XML = b'<?xml version="1.0"?><urlset><url><loc>https://qazdauiri.kz/news/a</loc></url></urlset>'


def sitemap_body(body: bytes, max_bytes: int) -> tuple[list[dict[str, str]], str | None]:
    reader = SitemapReader(body, SitemapLimits(max_bytes=max_bytes))
    return list(reader), reader.refused


def test_a_sitemap_body_is_gunzipped_with_a_size_cap() -> None:
    entry = [{"loc": "https://qazdauiri.kz/news/a"}]
    assert sitemap_body(XML, 1000) == (entry, None)
    assert sitemap_body(gzip.compress(XML), 1000) == (entry, None)
    body, problem = sitemap_body(gzip.compress(b" " * 10_000 + XML), 1000)
    assert body == [] and problem and "larger than 1000 bytes" in problem
    assert sitemap_body(b"\x1f\x8bnot gzip at all", 1000)[1].startswith("unreadable gzipped")
    assert sitemap_body(b"  \n", 1000) == ([], "empty sitemap")
    assert sitemap_body(b"", 1000) == ([], "empty sitemap")
    assert "larger than 10 bytes" in sitemap_body(XML, 10)[1]


@pytest.mark.parametrize(
    ("url", "leaves"),
    [
        ("https://qazdauiri.kz/news/a", False),
        ("http://qazdauiri.kz/news/a", False),  # http -> https of the same host
        ("https://www.qazdauiri.kz/news/a", False),  # a known mirror
        ("https://qazdauiri.kz:8443/news/a", True),  # another port of the same host
        ("https://evil.qazdauiri.kz/news/a", True),  # a subdomain that is not a mirror
        ("https://qazdauiri.kz.evil.example/news/a", True),
        ("https://evil.example/news/a", True),
    ],
)
def test_a_redirect_leaves_the_site_unless_it_stays_on_its_origins(url: str, leaves: bool) -> None:
    assert off_site(Sites.single(PROFILE), url) is leaves


def test_one_spider_error_is_counted_once() -> None:
    stats = {
        "finish_reason": "finished",
        "response_received_count": 5,
        "spider_exceptions/count": 1,
        "spider_exceptions/ValueError": 1,
    }
    assert verdict(stats, PROFILE) == (EXIT_FAILED, "1 spider error(s); see the log")


def test_a_run_that_fetched_only_robots_txt_fails_and_says_why() -> None:
    stats = {
        "finish_reason": "finished",
        "response_received_count": 1,
        "robotstxt/response_count": 1,
        "robotstxt/forbidden": 3,
    }
    code, reason = verdict(stats, PROFILE)
    assert code == EXIT_FAILED and "robots.txt forbids" in reason


def test_an_article_never_answered_becomes_a_failure_when_the_crawl_goes_idle() -> None:
    crawler = get_crawler(NewsSpider, run_settings())
    spider = NewsSpider.from_crawler(crawler)
    crawler.spider = spider
    failed: list[dict] = []

    def record(**kwargs: object) -> None:  # a named receiver: signals hold weak references
        failed.append(kwargs)

    crawler.signals.connect(record, signal=page_failed)
    crawler.stats.open_spider()
    assert [r.url for r in spider.follow(PAGE)] == [PAGE]  # asked for, never answered
    spider.on_idle()
    assert [(f["url"], f["stage"]) for f in failed] == [(PAGE, "fetch")]
    assert "dropped unanswered" in failed[0]["reason"]
    assert crawler.stats.get_value("kazscraper/articles_unaccounted") == 1
    assert len(spider.frontier.awaited) == 0


def test_discovery_limits_are_read_from_the_settings() -> None:
    crawler = get_crawler(
        NewsSpider,
        run_settings(
            {"KAZSCRAPER_MAX_LISTING_PAGES": 7, "KAZSCRAPER_SITEMAP_MAX_DEPTH": 2},
            max_articles="3",
        ),
    )
    spider = NewsSpider.from_crawler(crawler)
    limits = spider.frontier.limits
    assert (limits.max_listing_pages, limits.sitemap_max_depth) == (7, 2)
    assert not spider.discovery_done()
    spider.frontier.scheduled = {"a", "b", "c"}
    assert spider.discovery_done()
