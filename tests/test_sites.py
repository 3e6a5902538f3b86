"""Several sites in one crawl (issue 14, "Many sites"): the ``Sites`` collection built from
``--site`` specs and ``--start-url``s, each site's archive label, which site a URL belongs
to, the generic profile's URL rules as a crawl profile, and the health check per site."""

from __future__ import annotations

import pickle
import re

import pytest

from kazscraper.crawler.frontier import Frontier
from kazscraper.crawler.verdict import EXIT_OK, EXIT_UNHEALTHY, site_stats_prefix, verdict
from kazscraper.sites import (
    GENERIC_ARTICLE_PATH,
    Sites,
    SiteSpecError,
    build_sites,
    crawled_sites,
    generic_site,
    get_profile,
    host_label,
    parse_site_spec,
)
from kazscraper.sites.url_rules import classify_url

QAZ = get_profile("qazdauiri")


def test_a_name_is_the_named_profile_at_its_own_origin() -> None:
    site = parse_site_spec("qazdauiri")
    assert site.profile == QAZ and site.label == "qazdauiri"
    assert site.start_urls == ("https://qazdauiri.kz/",)


def test_name_equals_url_rebases_the_profile_and_starts_there() -> None:
    site = parse_site_spec("qazdauiri=http://127.0.0.1:8000/start")
    assert site.label == "qazdauiri"  # the profile's name, wherever it is served
    assert site.profile.origin == "http://127.0.0.1:8000"
    assert site.profile.selectors == QAZ.selectors
    assert site.start_urls == ("http://127.0.0.1:8000/start",)


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://abai.kz/", "abai.kz"),
        ("https://ABAI.kz:443/", "abai.kz"),  # the scheme's default port is no part of it
        ("http://127.0.0.1:8002/", "127.0.0.1:8002"),  # two replicas on loopback differ
        ("http://[::1]:8003/", "[::1]:8003"),
    ],
)
def test_a_url_of_another_host_is_a_generic_site_labelled_by_its_host(url: str, label: str) -> None:
    site = parse_site_spec(url)
    assert site.profile.name == "generic" and site.label == label == host_label(url)
    assert site.start_urls == (url,)


def test_a_url_of_a_named_profiles_host_is_that_profile() -> None:
    site = parse_site_spec("https://www.qazdauiri.kz/category/qogam")
    assert site.profile == QAZ and site.start_urls == ("https://www.qazdauiri.kz/category/qogam",)


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["nosuch"], "unknown site 'nosuch'"),
        (["nosuch=http://x.kz/"], "unknown site 'nosuch'"),
        (["generic"], "needs a URL"),
        (["ftp://x.kz/"], "not an http(s) URL"),
        (["qazdauiri=notaurl"], "not an http(s) URL"),
        (["http://x.kz:99999/"], "not a URL"),
        (["qazdauiri", "qazdauiri=http://127.0.0.1:1/"], "given twice"),
        (["https://abai.kz/", "https://abai.kz/news"], "given twice"),
        (["qazdauiri", "https://m.qazdauiri.kz/"], "given twice"),
        ([], "at least one site"),
    ],
)
def test_a_bad_spec_is_one_error(specs: list[str], message: str) -> None:
    with pytest.raises(SiteSpecError, match=re.escape(message)):
        build_sites(specs)


def test_a_host_of_two_sites_is_refused() -> None:
    with pytest.raises(SiteSpecError, match="belongs to two sites"):
        build_sites(["qazdauiri=http://127.0.0.1:8000/", "generic=http://127.0.0.1:8000/"])


def test_for_url_finds_each_urls_site_by_host_and_mirrors() -> None:
    sites = build_sites(["qazdauiri", "http://127.0.0.1:8002/"], ["https://abai.kz/"])
    assert sites.labels == ["qazdauiri", "127.0.0.1:8002", "abai.kz"]
    assert sites.for_url("https://image.qazdauiri.kz/news/x") is QAZ  # a mirror
    assert sites.for_url("HTTPS://QAZDAUIRI.KZ:443/news/x") is QAZ
    generic = sites.for_url("http://127.0.0.1:8002/news/a-b-c")
    assert generic is not None and generic.label == "127.0.0.1:8002"
    assert sites.for_url("https://abai.kz/kz/news/123456").label == "abai.kz"  # type: ignore[union-attr]
    for off_site in (
        "http://127.0.0.1:8003/news/a-b-c",  # another port: another site, not of this crawl
        "https://example.com/",
        "mailto:x@abai.kz",
        "http://[::1",  # unparseable: no site's
        "",
    ):
        assert sites.for_url(off_site) is None, off_site
    assert sites.by_label("abai.kz") is sites.for_url("https://abai.kz/")
    assert sites.by_label("generic") is None
    assert sites.start_urls() == [
        "https://qazdauiri.kz/",
        "http://127.0.0.1:8002/",
        "https://abai.kz/",
    ]


def test_a_record_is_read_by_its_label_then_its_url_then_the_main_site() -> None:
    sites = build_sites(["qazdauiri", "https://abai.kz/"])
    abai = sites.by_label("abai.kz")
    assert sites.profile_of("https://qazdauiri.kz/news/x", "abai.kz") is abai
    assert sites.profile_of("https://abai.kz/news/a-b-c") is abai
    assert sites.profile_of("https://example.com/") is QAZ


def test_sites_travel_to_worker_processes() -> None:
    sites = build_sites(["qazdauiri=http://127.0.0.1:8000/", "https://abai.kz/"])
    back = pickle.loads(pickle.dumps(sites))
    assert back == sites and back.for_url("https://abai.kz/x").label == "abai.kz"  # type: ignore[union-attr]


# --- the generic profile as a crawl profile ----------------------------------------------


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/", "listing"),
        ("/politics", "listing"),  # a section
        ("/category/qogam/", "listing"),
        ("/kz/news?page=3", "listing"),  # a section's pagination
        ("/news/astanada-jana-mektep-ashyldy", "article"),  # a slug of three words or more
        ("/kz/news/2024/05/astanada-jana-mektep/", "article"),
        ("/news/123456", "article"),  # a number of five digits or more
        ("/2024/05/story.html", "article"),
        ("/news/astana", "listing"),  # two segments, not a story: a section
        ("/a/b/about-us", None),  # two words, three segments: neither
        ("/2024/05/17", None),  # a date archive's day
        ("/news/1234", "listing"),
    ],
)
def test_the_generic_site_rules(path: str, kind: str | None) -> None:
    profile = generic_site("https://abai.kz/")
    assert classify_url(f"https://abai.kz{path}", profile) == kind
    assert classify_url(f"https://other.kz{path}", profile) is None


def test_the_generic_article_rule_does_not_backtrack_on_a_long_path() -> None:
    pattern = re.compile(GENERIC_ARTICLE_PATH)
    for path in ("/" + "a-" * 20_000 + "/", "/" + "a/" * 20_000 + "-", "/" + "1" * 40_000 + "x"):
        pattern.match(path)  # linear: returns at once (a backtracking rule would not end)


def test_every_replica_article_is_an_article_to_the_generic_rules() -> None:
    from kazscraper.replica.site import ReplicaSite

    profile = generic_site("http://127.0.0.1:8002/")
    site = ReplicaSite(300)
    paths = [a.path for a in site.articles]
    assert all(classify_url(f"http://127.0.0.1:8002{p}", profile) == "article" for p in paths)


def test_the_frontier_judges_each_url_by_its_own_site() -> None:
    sites = build_sites(["qazdauiri=http://127.0.0.1:8000/", "http://127.0.0.1:8002/"])
    frontier = Frontier(sites)
    # the qazdauiri rule on its host, the generic rule on the other
    assert frontier.classify("http://127.0.0.1:8000/news/x")[0] == "article"
    assert frontier.classify("http://127.0.0.1:8000/about/a-b-c")[0] is None
    assert frontier.classify("http://127.0.0.1:8002/news/a-b-c")[0] == "article"
    assert frontier.classify("http://127.0.0.1:8002/news/x")[0] == "listing"
    assert frontier.decide("http://127.0.0.1:8003/news/a-b-c").reason == "not a page of the site"
    child = "http://127.0.0.1:8002/sitemap-2.xml"
    assert frontier.sitemap_entry(child, None, index=True, depth=1).fetch
    assert not frontier.sitemap_entry("https://x.kz/s.xml", None, index=True, depth=1).fetch


def test_max_articles_counts_the_whole_crawl() -> None:
    from kazscraper.crawler.frontier import Rules

    sites = build_sites(["qazdauiri=http://127.0.0.1:8000/", "http://127.0.0.1:8002/"])
    frontier = Frontier(sites, Rules(max_articles=3))
    fetched = [
        frontier.decide(url).fetch
        for url in (
            "http://127.0.0.1:8000/news/a",
            "http://127.0.0.1:8002/news/a-b-c",
            "http://127.0.0.1:8000/news/b",
            "http://127.0.0.1:8002/news/d-e-f",
        )
    ]
    assert fetched == [True, True, True, False]


# --- reparse: which site a capture belongs to ---------------------------------------------


def test_reparse_reads_the_sites_of_every_crawl_newest_first() -> None:
    runs = [  # newest first, as crawls.arguments holds them
        {"sites": ["qazdauiri=http://127.0.0.1:8000/", "http://127.0.0.1:8002/"]},
        {"site": "qazdauiri", "start_url": "http://127.0.0.1:7000/", "mirrors": []},
        {"sites": ["https://abai.kz/"]},
        {"sites": ["nosuch"]},  # options this version cannot read claim nothing
    ]
    sites = crawled_sites(runs, "qazdauiri")
    assert sites is not None
    assert sites.labels == ["qazdauiri", "127.0.0.1:8002", "abai.kz"]
    assert sites.by_label("qazdauiri").origin == "http://127.0.0.1:8000"  # type: ignore[union-attr]
    assert (
        crawled_sites([{"site": "qazdauiri", "start_url": None}], "qazdauiri") is None
    )  # one-site


# --- the health check, site by site ------------------------------------------------------


def _stats(label: str, pages: int, filled: dict[str, int]) -> dict[str, int]:
    prefix = site_stats_prefix(label)
    stats = {f"{prefix}extracted": pages}
    stats |= {f"{prefix}filled/{k}": v for k, v in filled.items()}
    stats[f"{prefix}layer/body:profile"] = filled.get("body", 0)
    return stats


def test_each_site_is_judged_on_its_own_pages_with_its_own_thresholds() -> None:
    sites = build_sites(["qazdauiri=http://127.0.0.1:8000/", "http://127.0.0.1:8002/"])
    healthy = {"title": 20, "body": 20, "published_date": 20, "authors": 20}
    base = {"finish_reason": "finished", "response_received_count": 60}
    # the generic site has no profile body at all: judged as a whole run this is a breach
    stats = base | _stats("qazdauiri", 20, healthy) | _stats("127.0.0.1:8002", 40, {})
    stats |= {"kazscraper/extracted": 60, "kazscraper/filled/title": 20}
    assert verdict(stats, sites.first, sites=sites.profiles) == (EXIT_OK, "ok")
    assert verdict(stats, sites.first)[0] == EXIT_UNHEALTHY  # the whole run, as before
    broken = base | _stats("qazdauiri", 20, healthy | {"published_date": 2})
    code, reason = verdict(broken, sites.first, sites=sites.profiles)
    assert code == EXIT_UNHEALTHY and "qazdauiri: published_date 10% < 95%" in reason


def test_the_store_finds_each_sites_profile_in_the_summed_worker_stats() -> None:
    """``kazscraper store`` knows no sites but the workers' stats: it judges by those."""
    from kazscraper.crawler.verdict import sites_in_stats

    good = {"title": 20, "body": 20, "published_date": 20, "authors": 20}
    stats = _stats("qazdauiri", 20, good) | _stats("abai.kz", 15, {})
    found = sites_in_stats(stats | {"kazscraper/extracted": 35})
    assert [(p.label, p.name) for p in found] == [
        ("abai.kz", "generic"),
        ("qazdauiri", "qazdauiri"),
    ]
    base = {"finish_reason": "finished"}
    assert verdict(base | stats, QAZ, need_responses=False, sites=found) == (EXIT_OK, "ok")
    assert sites_in_stats({"kazscraper/extracted": 3}) == []  # one-site workers: as before


def test_one_site_sites_is_the_profile_as_before() -> None:
    sites = Sites.single(QAZ)
    assert len(sites) == 1 and sites.first is QAZ and sites.start_urls() == QAZ.start_urls()


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nosuch"], "unknown site 'nosuch'"),
        (["--site", "ftp://x.kz/"], "is not an http(s) URL"),
        (["--site", "qazdauiri="], "is not an http(s) URL"),
        (["--site", "qazdauiri", "--site", "qazdauiri"], "given twice"),
        (["--site", "qazdauiri", "--mirror", "http://127.0.0.1:1"], "--mirror goes with one"),
        (["--start-url", "http://a.kz/", "--start-url", "http://a.kz/x"], "given twice"),
    ],
)
def test_a_bad_site_is_one_line_and_exit_2(args: list[str], message: str, tmp_path) -> None:
    from .conftest import run_cli

    result = run_cli("crawl", *args, "--db", str(tmp_path / "x.sqlite"))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kazscraper crawl: error: "), result.stderr
    assert message in lines[0] and result.stdout == ""
    assert not (tmp_path / "x.sqlite").exists()  # nothing was crawled


def test_the_default_archive_of_a_crawl_of_sites() -> None:
    from kazscraper.cli.default_archive import SITES_DB, default_db_for_sites

    assert default_db_for_sites(build_sites(["qazdauiri", "https://abai.kz/"])) == SITES_DB
    assert SITES_DB == "archive/press.sqlite"
    assert default_db_for_sites(build_sites(["qazdauiri"])) == "archive/qazdauiri.sqlite"
    one = build_sites(["qazdauiri=http://127.0.0.1:8000/"])
    assert default_db_for_sites(one) == "archive/127.0.0.1-8000.sqlite"  # as --start-url
    assert default_db_for_sites(build_sites(["https://abai.kz/"])) == "archive/abai.kz.sqlite"


def test_crawl_help_shows_the_several_sites_example() -> None:
    from click.testing import CliRunner

    from kazscraper.cli import main

    text = CliRunner().invoke(main, ["crawl", "--help"]).output
    assert "--site qazdauiri=http://127.0.0.1:8000/ --site http://127.0.0.1:8002/" in text
    assert "archive/press.sqlite" in text and "--site LABEL" in text


def test_the_spider_arguments_carry_the_sites_to_local_crawls_and_workers() -> None:
    from kazscraper.crawler.runner import CrawlOptions, crawl_config
    from kazscraper.crawler.spiders.news import NewsSpider

    specs = ("qazdauiri=http://127.0.0.1:8000/", "http://127.0.0.1:8002/")
    config = crawl_config(CrawlOptions(db_path="x.sqlite", sites=specs))
    spider = NewsSpider(config)
    assert spider.sites == build_sites(specs)
    assert spider.start_urls == ["http://127.0.0.1:8000/", "http://127.0.0.1:8002/"]
    assert spider.allowed_domains == ["127.0.0.1"]
    one = crawl_config(CrawlOptions(db_path="x.sqlite", site="qazdauiri"))
    assert len(one.sites) == 1  # one site


def test_a_site_whose_every_page_breaks_the_extractor_is_unhealthy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The per-site page count is raised where the whole run's is (before extraction), so a
    site whose every page raises has pages and no fields: unhealthy, as a one-site crawl
    (it had 0 pages, below ``health_min_pages``, and passed). A dead worker is no page."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from kazscraper.crawler.config import RUN_CONFIG, RunConfig
    from kazscraper.crawler.pipelines import extract as pipelines
    from kazscraper.crawler.pipelines.extract import ExtractPipeline
    from kazscraper.crawler.pipelines.extract_pool import WorkerDied
    from kazscraper.crawler.pipelines.records import PageRejected
    from kazscraper.crawler.spiders.news import NewsSpider
    from kazscraper.items import PageItem

    sites = build_sites(["http://127.0.0.1:8002/", "qazdauiri=http://127.0.0.1:8000/"])
    crawler = get_crawler(NewsSpider, {RUN_CONFIG: RunConfig(sites)})
    crawler.spider = NewsSpider.from_crawler(crawler)
    crawler.stats.open_spider()
    extract = ExtractPipeline.from_crawler(crawler)

    def broken(*_: object) -> None:  # the extractor failing on every page of the site
        raise ValueError("a layout the extractor cannot read")

    monkeypatch.setattr(pipelines, "extract_article", broken)
    label = "qazdauiri"  # the second site, with its thresholds
    for n in range(30):
        page = PageItem(url=f"http://127.0.0.1:8000/news/a-{n}", html="<p>x</p>", site=label)
        with pytest.raises(PageRejected):
            asyncio.run(extract.process_item(page))
    stats = crawler.stats.get_stats()
    assert stats[f"{site_stats_prefix(label)}extracted"] == 30 == stats["kazscraper/extracted"]
    stats |= {"finish_reason": "finished", "response_received_count": 30}
    code, reason = verdict(stats, sites.first, sites=sites.profiles)
    assert code == EXIT_UNHEALTHY and label in reason, reason

    def died(*_: object) -> None:
        raise WorkerDied("the extraction worker died")

    monkeypatch.setattr(pipelines, "extract_article", died)
    page = PageItem(url="http://127.0.0.1:8000/news/b", html="<p>x</p>", site=label)
    with pytest.raises(PageRejected):
        asyncio.run(extract.process_item(page))
    assert crawler.stats.get_value(f"{site_stats_prefix(label)}extracted") == 30
