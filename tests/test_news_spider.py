"""NewsSpider's callbacks, offline: which requests each one yields for saved pages.

The spider is built by Scrapy's ``get_crawler`` (no engine, no network, no archive); pages
are replica pages rendered to strings or files under ``tests/fixtures/responses/``, turned
into responses by ``file_response`` (city-scrapers' way). The crawl rules themselves are
unit-tested in ``test_frontier.py``; here we check that the spider asks them and turns
their answers into the right requests, failures and signals.
"""

from __future__ import annotations

import asyncio
import gzip
import os
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from kazscraper.crawler.config import RUN_CONFIG
from kazscraper.crawler.frontier import ArchiveState
from kazscraper.crawler.pipelines.extract import ExtractPipeline
from kazscraper.crawler.pipelines.extract_pool import ExtractWorkers, PreparedCapture, WorkerDied
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.crawler.runner import CrawlOptions, crawl_config
from kazscraper.crawler.signals import alias_found, page_failed
from kazscraper.crawler.spiders.news import NewsSpider
from kazscraper.items import NotModified, PageItem
from kazscraper.replica.render import Renderer
from kazscraper.replica.site import ReplicaSite
from kazscraper.sites import get_profile
from kazscraper.sites.url_rules import canonical_url

from .responses import file_response

ORIGIN = "https://qazdauiri.kz"
MIRROR = "https://image.qazdauiri.kz"
PROFILE = get_profile("qazdauiri")
CATEGORY = "qogam"  # 39 articles in the 200-article replica: two listing pages


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(200)


@pytest.fixture(scope="module")
def pages(site: ReplicaSite) -> Renderer:
    return Renderer(site, ORIGIN, MIRROR)


class Recorder:
    """The spider's signals (a named receiver: Scrapy's signals hold weak references)."""

    def __init__(self) -> None:
        self.failed: list[dict[str, Any]] = []
        self.aliases: list[dict[str, Any]] = []

    def on_failed(self, **kwargs: Any) -> None:
        self.failed.append(kwargs)

    def on_alias(self, **kwargs: Any) -> None:
        self.aliases.append(kwargs)


def run_settings(settings: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """Crawler settings with the run configuration of a crawl with these CLI options."""
    config = crawl_config(CrawlOptions(db_path="unused.sqlite", site="qazdauiri", **options))
    return {**(settings or {}), RUN_CONFIG: config}


def make_spider(settings: dict[str, Any] | None = None, **kwargs: Any) -> NewsSpider:
    crawler = get_crawler(NewsSpider, run_settings(settings, **kwargs))
    spider = NewsSpider.from_crawler(crawler)
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    spider.recorder = Recorder()  # type: ignore[attr-defined]
    crawler.signals.connect(spider.recorder.on_failed, signal=page_failed)  # type: ignore[attr-defined]
    crawler.signals.connect(spider.recorder.on_alias, signal=alias_found)  # type: ignore[attr-defined]
    return spider


def stat(spider: NewsSpider, key: str) -> Any:
    return spider.crawler.stats.get_value(f"kazscraper/{key}")  # type: ignore[union-attr]


def requests(results: Iterable[Any]) -> list[Request]:
    return [r for r in results if isinstance(r, Request)]


def articles(results: Iterable[Any]) -> list[str]:
    return [r.url for r in requests(results) if r.meta.get("article_url")]


def listings(results: Iterable[Any]) -> list[str]:
    return [r.url for r in requests(results) if r.callback.__name__ == "parse_listing"]


def category(pages: Renderer, page: int = 1, **meta: Any) -> Any:
    url = f"{ORIGIN}/category/{CATEGORY}" + (f"?page={page}" if page > 1 else "")
    html = pages.category_page(CATEGORY, page)
    assert html is not None
    return file_response(html, url, meta=meta)


def category_articles(site: ReplicaSite, page: int = 1) -> set[str]:
    return {ORIGIN + a.path for a in site.by_category[CATEGORY][(page - 1) * 20 : page * 20]}


def top_news(site: ReplicaSite) -> set[str]:
    return {ORIGIN + entry.article.path for entry in site.top_news}


# -- listing pages ---------------------------------------------------------------------


def test_a_listing_schedules_each_article_once_at_its_canonical_address(site, pages) -> None:
    spider = make_spider()
    found = articles(spider.parse_listing(category(pages)))
    assert len(found) == len(set(found))  # mirror, utm and #comments variants: one request
    assert set(found) == category_articles(site) | top_news(site)
    request = requests(spider.parse_listing(category(pages)))  # the same page again
    assert articles(request) == []  # every article is scheduled already
    assert stat(spider, "links_deduplicated") > 0


def test_an_article_request_asks_for_304_and_names_the_article(pages) -> None:
    spider = make_spider()
    request = next(r for r in spider.parse_listing(category(pages)) if r.meta.get("article_url"))
    assert request.callback == spider.parse_article and request.errback == spider.on_error
    assert request.meta["handle_httpstatus_list"] == [304]
    assert request.meta["article_url"] == request.url
    assert "If-None-Match" not in request.headers  # a new article: nothing to compare


def test_a_listing_follows_its_next_page_and_the_other_listings(pages) -> None:
    spider = make_spider()
    found = listings(spider.parse_listing(category(pages)))
    assert f"{ORIGIN}/category/{CATEGORY}?page=2" in found
    assert f"{ORIGIN}/category/sport" in found and f"{ORIGIN}/" in found
    assert f"{ORIGIN}/category/{CATEGORY}" not in found  # itself (page 1) is not asked again


def test_a_mirror_link_is_reported_as_an_alias_once(pages) -> None:
    spider = make_spider()
    list(spider.parse_listing(category(pages)))
    list(spider.parse_listing(category(pages)))
    aliases = [a["url"] for a in spider.recorder.aliases]  # type: ignore[attr-defined]
    assert aliases and all(a.startswith(MIRROR) for a in aliases)
    assert len(aliases) == len(set(aliases))
    for alias in spider.recorder.aliases:  # type: ignore[attr-defined]
        assert alias["canonical"] == canonical_url(alias["url"], PROFILE)


def test_since_skips_listing_items_older_than_the_date(site, pages) -> None:
    by_date = sorted(site.by_category[CATEGORY][:20], key=lambda a: a.published)
    since = by_date[10].published
    spider = make_spider(since=since.isoformat())
    found = set(articles(spider.parse_listing(category(pages))))
    assert {ORIGIN + a.path for a in by_date[10:]} <= found
    assert not {ORIGIN + a.path for a in by_date[:10] if a.published < since} & found


def test_since_stops_the_pagination_at_a_page_of_old_items_only(site, pages) -> None:
    newest_on_page_2 = max(a.published for a in site.by_category[CATEGORY][20:40])
    spider = make_spider(since=date.fromordinal(newest_on_page_2.toordinal() + 1).isoformat())
    results = list(spider.parse_listing(category(pages, page=2)))
    assert not category_articles(site, page=2) & set(articles(results))
    assert not any("page=" in url for url in listings(results))


def test_the_listing_page_limit_bounds_one_run(pages) -> None:
    spider = make_spider({"KAZSCRAPER_MAX_LISTING_PAGES": 2})
    found = listings(spider.parse_listing(category(pages)))
    assert len(found) == 2
    assert stat(spider, "listing_limit_reached") > 0


def test_max_articles_ends_discovery(pages) -> None:
    spider = make_spider(max_articles="5")
    results = list(spider.parse_listing(category(pages)))
    assert len(articles(results)) == 5
    assert spider.discovery_done()
    assert list(spider.parse_listing(category(pages, page=2))) == []


def test_a_listing_that_is_not_text_yields_nothing() -> None:
    spider = make_spider()
    response = file_response(gzip.compress(b"<html></html>"), f"{ORIGIN}/category/{CATEGORY}")
    assert list(spider.parse_listing(response)) == []


# -- incremental rules, as the archive knows the site ------------------------------------


def known_spider(site: ReplicaSite, published: str, etag: str | None = '"v1"', **kwargs: Any):
    spider = make_spider(**kwargs)
    known = {ORIGIN + a.path: (published, etag) for a in site.articles}
    spider.frontier.load(ArchiveState(known=known))
    return spider


def test_an_archived_article_is_not_fetched_again(site, pages) -> None:
    spider = known_spider(site, "2020-01-01", revisit_days="7")
    assert articles(spider.parse_listing(category(pages))) == []
    assert stat(spider, "known_skipped") == len(category_articles(site) | top_news(site))


def test_a_recent_archived_article_is_revisited_with_its_etag(site, pages) -> None:
    today = datetime.now(UTC).date().isoformat()  # the spider's own clock: no frozen time
    spider = known_spider(site, today)
    results = [r for r in spider.parse_listing(category(pages)) if r.meta.get("article_url")]
    assert results and all(r.headers["If-None-Match"] == b'"v1"' for r in results)
    assert stat(spider, "revisits") == len(results)


def test_pagination_stops_after_pages_with_nothing_new(site, pages) -> None:
    spider = known_spider(site, "2020-01-01", stop_after="1")
    results = list(spider.parse_listing(category(pages)))
    assert not any("page=" in url for url in listings(results))
    assert stat(spider, "pagination_stopped") == 1


def test_pagination_counts_pages_in_a_row_with_nothing_new(site, pages) -> None:
    spider = known_spider(site, "2020-01-01", stop_after="2")
    first = [r for r in spider.parse_listing(category(pages)) if "page=2" in r.url]
    assert first and {r.meta["empty_run"] for r in first} == {1}  # one page with nothing new
    assert stat(spider, "pagination_stopped") is None
    # the same page reached after one empty page: the second in a row, the walk stops
    again = listings(spider.parse_listing(category(pages, empty_run=1)))
    assert not any("page=" in url for url in again)
    assert stat(spider, "pagination_stopped") == 1


def test_full_walks_every_page_and_revisits_every_archived_article(site, pages) -> None:
    spider = known_spider(site, "2020-01-01", etag=None, full="1", stop_after="1")
    results = list(spider.parse_listing(category(pages)))
    assert f"{ORIGIN}/category/{CATEGORY}?page=2" in listings(results)
    assert set(articles(results)) == category_articles(site) | top_news(site)
    assert not any("If-None-Match" in r.headers for r in requests(results))
    assert stat(spider, "pagination_stopped") is None


# -- sitemaps --------------------------------------------------------------------------


def sitemap_response(pages: Renderer, **meta: Any) -> Any:
    return file_response(pages.sitemap(), f"{ORIGIN}/sitemap.xml", meta=meta)


def test_a_sitemap_schedules_its_articles(site, pages) -> None:
    spider = make_spider()
    assert set(articles(spider.parse_sitemap(sitemap_response(pages)))) == {
        ORIGIN + a.path for a in site.articles
    }


def test_a_gzipped_sitemap_is_read(site, pages) -> None:
    spider = make_spider()
    body = gzip.compress(pages.sitemap().encode())
    found = articles(spider.parse_sitemap(file_response(body, f"{ORIGIN}/sitemap.xml.gz")))
    assert len(found) == len(site.articles)


def test_since_skips_sitemap_entries_by_lastmod(site, pages) -> None:
    since = site.by_date[49].published
    spider = make_spider(since=since.isoformat())
    found = set(articles(spider.parse_sitemap(sitemap_response(pages))))
    assert found == {ORIGIN + a.path for a in site.articles if a.published >= since}


def test_a_sitemap_index_is_followed_within_its_depth() -> None:
    spider = make_spider({"KAZSCRAPER_SITEMAP_MAX_DEPTH": 2})
    index = file_response("sitemap-index.xml", f"{ORIGIN}/sitemap.xml", meta={"sitemap_depth": 1})
    children = requests(spider.parse_sitemap(index))
    assert [r.url for r in children] == [f"{ORIGIN}/sitemap-news.xml", f"{ORIGIN}/sitemap-2.xml"]
    assert all(r.callback == spider.parse_sitemap for r in children)
    assert [r.meta["sitemap_depth"] for r in children] == [2, 2]
    # one level deeper than allowed: each child is a recorded discovery failure, not a request
    deeper = file_response("sitemap-index.xml", f"{ORIGIN}/sitemap-2.xml", meta=children[1].meta)
    assert requests(spider.parse_sitemap(deeper)) == []
    failed = spider.recorder.failed  # type: ignore[attr-defined]
    assert [f["stage"] for f in failed] == ["discovery", "discovery"]
    assert "nested deeper than 2" in failed[0]["reason"]


def test_the_sitemap_count_bounds_one_run() -> None:
    spider = make_spider({"KAZSCRAPER_MAX_SITEMAPS": 1})
    index = file_response("sitemap-index.xml", f"{ORIGIN}/sitemap.xml")
    assert len(requests(spider.parse_sitemap(index))) == 1
    assert "more than 1 sitemaps" in spider.recorder.failed[0]["reason"]  # type: ignore[attr-defined]


def test_a_broken_sitemap_is_a_failure_and_its_last_entry_is_not_trusted(pages) -> None:
    spider = make_spider()
    xml = pages.sitemap()
    cut = xml[: xml.index("</url>", len(xml) // 2)]  # ends inside an entry
    found = articles(spider.parse_sitemap(file_response(cut, f"{ORIGIN}/sitemap.xml")))
    assert found and len(found) < cut.count("<url>")
    assert "malformed sitemap XML" in spider.recorder.failed[0]["reason"]  # type: ignore[attr-defined]


# -- feeds -----------------------------------------------------------------------------


def test_an_rss_feed_schedules_its_articles(site, pages) -> None:
    spider = make_spider()
    found = articles(spider.parse_feed(file_response(pages.rss(10), f"{ORIGIN}/rss")))
    assert found == [ORIGIN + a.path for a in site.by_date[:10]]


def test_an_atom_feed_schedules_its_articles() -> None:
    spider = make_spider()
    found = articles(spider.parse_feed(file_response("feed.atom.xml", f"{ORIGIN}/atom")))
    assert found == [f"{ORIGIN}/news/atom-birinshi", f"{ORIGIN}/news/atom-ekinshi"]


# -- article pages ---------------------------------------------------------------------


def article_response(pages: Renderer, site: ReplicaSite, **meta: Any) -> Any:
    article = site.seed_article
    url = ORIGIN + article.path
    return file_response(pages.article_page(article), url, meta={"article_url": url, **meta})


def test_an_article_page_follows_only_article_links_then_yields_the_page(site, pages) -> None:
    spider = make_spider()
    results = list(spider.parse_article(article_response(pages, site)))
    assert isinstance(results[-1], PageItem) and results[-1].url == ORIGIN + site.seed_article.path
    assert listings(results) == []  # the menu's categories are not followed from articles
    similar = {ORIGIN + a.path for a in site.similar(site.seed_article)}
    assert similar <= set(articles(results))


def test_an_article_page_answers_its_request(site, pages) -> None:
    spider = make_spider()
    url = ORIGIN + site.seed_article.path
    list(spider.follow(url))
    list(spider.parse_article(article_response(pages, site)))
    spider.on_idle()  # the similar and top news it scheduled are never answered here
    failed = [f["url"] for f in spider.recorder.failed]  # type: ignore[attr-defined]
    assert failed and url not in failed


def test_304_is_not_modified(site, pages) -> None:
    spider = make_spider()
    url = ORIGIN + site.seed_article.path
    response = file_response("<html></html>", url, status=304, meta={"article_url": url})
    assert [type(r) for r in spider.parse_article(response)] == [NotModified]


def test_an_article_redirected_to_a_listing_is_a_failure(pages) -> None:
    spider = make_spider()
    asked = f"{ORIGIN}/news/ojyrylgan"
    response = file_response(
        pages.home_page(), f"{ORIGIN}/", meta={"redirect_urls": [asked], "article_url": asked}
    )
    assert list(spider.parse_article(response)) == []
    failed = spider.recorder.failed  # type: ignore[attr-defined]
    assert [(f["url"], f["stage"]) for f in failed] == [(asked, "fetch")]


def test_an_http_error_on_an_article_is_a_fetch_failure(site) -> None:
    spider = make_spider()
    url = ORIGIN + site.seed_article.path
    request = next(iter(spider.follow(url)))
    response = file_response("<html></html>", url, status=503)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    spider.on_error(failure)
    spider.on_idle()  # answered by the error: not also "dropped unanswered"
    failed = spider.recorder.failed  # type: ignore[attr-defined]
    assert [(f["url"], f["stage"], f["reason"]) for f in failed] == [(url, "fetch", "HTTP 503")]


def test_an_article_never_answered_is_a_failure_when_the_crawl_goes_idle(site) -> None:
    spider = make_spider()
    url = ORIGIN + site.seed_article.path
    list(spider.follow(url))
    spider.on_idle()
    failed = spider.recorder.failed  # type: ignore[attr-defined]
    assert [(f["url"], f["stage"]) for f in failed] == [(url, "fetch")]
    assert stat(spider, "articles_unaccounted") == 1


def test_an_article_callback_that_raises_is_a_failure_of_the_url_asked_for(
    pages: Renderer, site: ReplicaSite
) -> None:
    """Scrapy sends spider_error for a callback that raised (no errback runs): the article
    URL, already answered, would have ended the run as neither article nor failure."""
    spider = make_spider(start_url=ORIGIN + "/")
    asked = ORIGIN + site.articles[3].path
    landed = ORIGIN + site.articles[4].path
    response = file_response(
        pages.article_page(site.articles[4]),
        landed,
        meta={"article_url": asked, "redirect_urls": [asked]},
    )
    crawler = spider.crawler
    crawler.signals.send_catch_log(
        signal=signals.spider_error,
        failure=Failure(ValueError("a bug")),
        response=response,
        spider=spider,
    )
    (failed,) = spider.recorder.failed  # type: ignore[attr-defined]
    assert failed["url"] == asked
    assert failed["stage"] == "spider"
    assert failed["reason"] == f"ValueError: a bug (after redirects to {landed})"
    assert stat(spider, "spider_errors") == 1
    # a listing that raised is no article: nothing to account for
    listing = file_response("<html></html>", ORIGIN + "/category/qogam")
    crawler.signals.send_catch_log(
        signal=signals.spider_error, failure=Failure(ValueError("x")), response=listing
    )
    assert len(spider.recorder.failed) == 1  # type: ignore[attr-defined]


def test_a_worker_spider_records_a_raising_callback_as_the_local_spider_does(
    pages: Renderer, site: ReplicaSite
) -> None:
    """A Redis worker's spider inherits the spider_error handler: the failure goes out as
    ``page_failed``, which the worker's queue pipeline pushes to the store."""
    from kazscraper.distributed.spider import WorkerSpider

    crawler = get_crawler(WorkerSpider, run_settings(start_url=ORIGIN + "/"))
    spider = WorkerSpider.from_crawler(crawler)
    crawler.spider = spider
    assert crawler.stats is not None
    crawler.stats.open_spider()
    recorder = Recorder()
    crawler.signals.connect(recorder.on_failed, signal=page_failed)
    asked = ORIGIN + site.articles[3].path
    response = file_response(
        pages.article_page(site.articles[3]), asked, meta={"article_url": asked}
    )
    crawler.signals.send_catch_log(
        signal=signals.spider_error, failure=Failure(KeyError("k")), response=response
    )
    assert [(f["url"], f["stage"], f["reason"]) for f in recorder.failed] == [
        (asked, "spider", "KeyError: 'k'")
    ]


def _error(request: Request, exc: Exception) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_a_robots_disallowed_article_is_a_stat_not_a_failure() -> None:
    spider = make_spider()
    [request] = requests(spider.follow(f"{PROFILE.origin}/news/jana-mektep"))
    spider.on_error(_error(request, IgnoreRequest("Forbidden by robots.txt")))
    assert spider.recorder.failed == []  # type: ignore[attr-defined]
    assert stat(spider, "robots_disallowed") == 1
    assert len(spider.frontier.awaited) == 0


def test_a_missing_guessed_sitemap_of_a_generic_site_is_no_failure() -> None:
    config = crawl_config(CrawlOptions(db_path="unused.sqlite", sites=("https://jana.kz/",)))
    crawler = get_crawler(NewsSpider, {RUN_CONFIG: config})
    spider = NewsSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()  # type: ignore[union-attr]
    spider.recorder = Recorder()  # type: ignore[attr-defined]
    crawler.signals.connect(spider.recorder.on_failed, signal=page_failed)  # type: ignore[attr-defined]
    [request] = requests(spider.requests(spider.frontier.sitemap("https://jana.kz/sitemap.xml")))
    response = HtmlResponse(request.url, status=404, request=request)
    spider.on_error(_error(request, HttpError(response)))
    assert spider.recorder.failed == []  # type: ignore[attr-defined]
    assert stat(spider, "sitemap_missing") == 1


@pytest.mark.parametrize(
    "href",
    ["/news/a", "/news/./b/../c;p?q=1#f", "/\t/evil.test/x", "/a\n/b", "//other.test/x",
     "http://other.test/a/../b", "HTTPS://Other.test/x", "https://[::1", "../up", "?page=2",
     "news/rel", "mailto:x@y.kz", "/", "http:/no-host", "/ü/%zz"],
)  # fmt: skip
def test_links_join_as_urljoin_does_whatever_the_page(href: str) -> None:
    """Links from the root are joined once per host (a menu repeats them on every page):
    each gives what ``response.urljoin`` gives on every page of every base, or None."""
    from kazscraper.crawler.spiders.news import _joiner

    for page in ("https://kz.test/news/x/y", "https://kz.test/", "http://kz.test/a",
                 "https://kz.test:8443/b", "https://other.kz/c"):  # fmt: skip
        for base in ("", '<base href="https://base.test/dir/">'):
            response = HtmlResponse(page, body=f"<html><head>{base}</head></html>".encode())
            try:
                expected: str | None = response.urljoin(href)
            except ValueError:
                expected = None
            assert _joiner(response)(href) == expected, (page, base)


def test_a_base_href_urllib_cannot_parse_skips_the_links_not_the_page() -> None:
    """``<base href="http://[::1">``: every link's join fails as ``response.urljoin``'s
    did (each skipped), and the page's callback goes on (the joiner raised when it read the
    base once for the page: the article became a spider failure on every run)."""
    from kazscraper.crawler.spiders.news import _joiner

    body = b'<html><head><base href="http://[::1"></head><body><a href="/x">x</a></body></html>'
    response = HtmlResponse("https://kz.test/news/a", body=body)
    join = _joiner(response)
    for href in ("/y", "rel", "https://other.test/z"):
        try:
            expected: str | None = response.urljoin(href)
        except ValueError:
            expected = None
        assert join(href) == expected, href


class KillerBody(bytes):
    """A page body that kills the worker process unpickling it (as a crash in a C parser)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (70,)


def test_with_workers_an_article_page_is_read_in_a_worker_and_one_that_kills_it_here(
    site, pages
) -> None:
    """``crawl --workers``: an article page's intake, links and extraction are one call to
    the pool; its requests are the ones read in this process, its item a prepared capture
    with the article. A page that kills its worker (twice) is read here: the same links
    followed, and its item is the extract stage's failure (stage extract, 'died')."""
    in_process = list(make_spider().parse_article(article_response(pages, site)))
    pool = ExtractWorkers(1, PROFILE)

    async def read(spider: NewsSpider, response: Any) -> list[Any]:
        return [x async for x in spider._article_in_pool(pool, response, "2025-12-12", [])]

    killed = make_spider()
    killer = article_response(pages, site)
    killer = killer.replace(body=KillerBody(killer.body))

    async def both() -> tuple[list[Any], list[Any]]:
        return (
            await read(make_spider(), article_response(pages, site)),
            await read(killed, killer),
        )

    try:
        worked, died = asyncio.run(both())
    finally:
        pool.close()
    expected = articles(in_process)
    assert expected and articles(worked) == expected and articles(died) == expected
    prepared = worked[-1]
    assert isinstance(prepared, PreparedCapture) and prepared.error is None
    assert prepared.article is not None and prepared.article.title == site.seed_article.title
    assert prepared.url == in_process[-1].url and prepared.page.html == ""
    assert isinstance(died[-1], PreparedCapture) and isinstance(died[-1].error, WorkerDied)
    with pytest.raises(PageRejected) as rejected:
        ExtractPipeline(killed.crawler)._prepared(died[-1])
    assert rejected.value.stage == "extract" and "died" in rejected.value.reason
