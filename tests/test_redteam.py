"""Red-team cases: hostile inputs that broke a guarantee of docs/reliability.md, one test each.

End-to-end crawls run over real HTTP against the replica with the red-team fault modes
(``replica.faults.REDTEAM_FAULTS``) switched on; the pure functions are called directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kazscraper.replica import corpus
from kazscraper.replica.faults import REDTEAM_FAULTS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from tests.test_hostile_site import (
    Hostile,
    Run,
    assert_every_healthy_article_once,
    assert_scheduled_articles_accounted_for,
    plain_articles,
)


@pytest.fixture(scope="module")
def redteam(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = ReplicaSite(40)
    with ReplicaServer(site) as server:
        yield Hostile(site, server, tmp_path_factory.mktemp("redteam"))


@pytest.fixture(scope="module")
def odd_pages_run(redteam: Hostile) -> tuple[Run, dict[str, str]]:
    plain = iter(plain_articles(redteam.site))
    paths = {mode: next(plain).path for mode in ("bad-urls", "views-digits", "attribute-bomb")}
    paths["listing-bad-urls"] = "/category/" + corpus.CATEGORIES[1][0]
    paths["listing-attribute-bomb"] = "/category/" + corpus.CATEGORIES[2][0]
    redteam.faults = {path: mode.removeprefix("listing-") for mode, path in paths.items()}
    redteam.faults[paths["listing-bad-urls"]] = "listing-bad-urls"
    run = redteam.crawl("odd-pages")
    redteam.faults = {}
    return run, paths


def test_every_redteam_mode_has_a_test() -> None:
    assert {"bad-urls", "views-digits", "listing-bad-urls", "attribute-bomb"} == REDTEAM_FAULTS


def test_unparseable_urls_and_counters_cost_no_article(
    odd_pages_run: tuple[Run, dict[str, str]], redteam: Hostile
) -> None:
    run, paths = odd_pages_run
    assert run.exit_code == 0, run.reason
    assert not [k for k in run.stats if k.startswith("spider_exceptions")], run.stats
    bomb = paths["attribute-bomb"]
    assert set(run.failures()) == {run.origin + bomb, run.origin + paths["listing-attribute-bomb"]}
    assert_every_healthy_article_once(run, redteam.site, {bomb})
    assert_scheduled_articles_accounted_for(run)


def test_a_page_with_an_attribute_bomb_is_a_failure_with_its_reason(
    odd_pages_run: tuple[Run, dict[str, str]],
) -> None:
    run, paths = odd_pages_run
    failures = run.failures()
    assert failures[run.origin + paths["attribute-bomb"]][0] == "decode"
    assert failures[run.origin + paths["listing-attribute-bomb"]][0] == "discovery"
    for _stage, reason in failures.values():
        assert "more than 10000 attributes" in reason, reason


def test_an_unparseable_canonical_and_image_are_refused_not_stored(
    odd_pages_run: tuple[Run, dict[str, str]],
) -> None:
    run, paths = odd_pages_run
    url = run.origin + paths["bad-urls"]
    [(image,)] = run.rows("SELECT image_url FROM articles WHERE url = ?", url)
    assert image is None or image.startswith("http://127.0.0.1"), image
    assert "[" not in (image or "")


def test_a_view_counter_of_thousands_of_digits_is_not_stored(
    odd_pages_run: tuple[Run, dict[str, str]],
) -> None:
    run, paths = odd_pages_run
    url = run.origin + paths["views-digits"]
    [(views,)] = run.rows("SELECT views FROM articles WHERE url = ?", url)
    assert views is None


# -- the same cases, one function at a time --------------------------------------------

PAGE = (
    '<html><head><link rel="canonical" href="{canonical}">'
    '<meta property="og:image" content="{image}"></head><body><article>'
    '<h1 class="news-title">Тақырып</h1><span class="views-count">{views}</span>'
    '<div class="news-text"><p>Облыс әкімдігі жаңа аурухана құрылысын бастады.</p>'
    '<p><a href="{link}">x</a></p></div></article></body></html>'
)


@pytest.mark.parametrize("bad", ["http://[::1/news/x", "//[zz]/news/x", "http://a\u2100b/x"])
def test_an_unparseable_url_in_a_page_is_no_link_and_no_error(bad: str) -> None:
    from kazscraper.clean.article import clean_article
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import get_profile
    from kazscraper.sites.url_rules import canonical_url, classify_url
    from kazscraper.urls import join_url

    profile = get_profile("qazdauiri")
    url = "https://qazdauiri.kz/news/aurukhana"
    assert join_url(url, bad) is None
    assert classify_url(bad, profile) is None
    assert canonical_url(bad, profile) == bad
    html = PAGE.format(canonical=bad, image=bad, views="12", link=bad)
    article = clean_article(extract_article(html, url, profile), profile)
    assert article.url == url
    assert article.image_url is None
    assert article.body.startswith("Облыс әкімдігі")


@pytest.mark.parametrize("port", ["99999", "abc"])
def test_a_port_w3lib_refuses_leaves_the_url_as_it_was(port: str) -> None:
    from kazscraper.sites import get_profile
    from kazscraper.sites.url_rules import canonical_url

    bad = f"https://qazdauiri.kz:{port}/news/x"
    assert canonical_url(bad, get_profile("qazdauiri")) == bad


@pytest.mark.parametrize(
    ("views", "expected"), [("9" * 5000, None), ("²", None), ("١٢٣", 123), ("12 345", 12345)]
)
def test_a_view_counter_python_cannot_read_is_refused(views: str, expected: int | None) -> None:
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import get_profile

    html = PAGE.format(canonical="", image="/i.jpg", views=views, link="/news/y")
    article = extract_article(html, "https://qazdauiri.kz/news/a", get_profile("qazdauiri"))
    assert article.views == expected


def test_a_javascript_image_is_not_stored() -> None:
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import get_profile

    html = PAGE.format(canonical="", image="javascript:alert(1)", views="1", link="/news/y")
    article = extract_article(html, "https://qazdauiri.kz/news/a", get_profile("qazdauiri"))
    assert article.image_url is None
    assert article.extraction["image_url"].startswith("refused")


@pytest.mark.parametrize("control", ["\x1b", "\x0c", "\x7f", "\x85", "\x01\x02"])
def test_a_utf8_page_with_a_stray_control_character_stays_utf8(control: str) -> None:
    # U+0085 (NEL) used to send the page to KOI8-R: mojibake stored as the article
    from kazscraper.intake.decode import decode_page

    text = "Облыс әкімдігі жаңа аурухана құрылысын бастады. " * 20
    page = f"<html><body><h1>Аурухана{control}құрылысы</h1><p>{text}</p></body></html>"
    decoded = decode_page(page.encode("utf-8"), "text/html; charset=utf-8")
    assert decoded.encoding == "utf-8"
    assert decoded.text == page


def test_a_page_of_control_characters_is_still_refused() -> None:
    from kazscraper.intake.decode import UndecodablePage, decode_page

    with pytest.raises(UndecodablePage):
        decode_page(b"<html>" + b"\x01\x02\x03\x1b" * 500 + b"</html>", "text/html")


def test_a_tag_with_a_million_attributes_is_refused_before_it_is_parsed() -> None:
    # libxml2 is quadratic in one tag's attributes: 900,000 of them took it tens of minutes
    from kazscraper.extract.article import NotHtmlError, parse_html
    from kazscraper.intake.decode import UndecodablePage, decode_page
    from kazscraper.intake.markup import markup_problem

    text = "<p>Облыс әкімдігі жаңа аурухана құрылысын бастады.</p>"
    bomb = "<p " + " ".join(f"a{i}=x" for i in range(900_000)) + ">x</p>"
    quoted = "<p " + " ".join(f'a{i}=  ">"' for i in range(20_000)) + ">x</p>"
    for attack in (bomb, quoted):
        page = f"<html><body>{text}{attack}</body></html>"
        assert "10000 attributes" in (markup_problem(page) or "")
        with pytest.raises(UndecodablePage, match="attributes"):
            decode_page(page.encode(), "text/html; charset=utf-8")
        with pytest.raises(NotHtmlError, match="attributes"):
            parse_html(page)
    links = "".join(f'<a href="/news/{i}" class="x" title="t=1">x</a>' for i in range(20_000))
    assert markup_problem(f"<html><body>{text}{links}</body></html>") is None


@pytest.mark.parametrize("nesting", ["<table><tr><td>" * 3000, "<div>" * 100_000])
def test_deeply_nested_markup_is_not_given_to_trafilatura(nesting: str) -> None:
    # 3,000 nested tables (45 KB) kept trafilatura busy for two minutes per page
    from kazscraper.extract.article import parse_html
    from kazscraper.extract.body import MAX_GENERIC_DEPTH, GenericView, body_paragraphs
    from kazscraper.sites import get_profile

    url = "https://example.com/2024/05/story.html"
    page = parse_html(f"<html><body><p>{'Сөйлем. ' * 200}</p>{nesting}x</body></html>")
    paragraphs, layer = body_paragraphs(page, get_profile("generic"), GenericView(page, [], url))
    assert paragraphs == []
    assert layer == f"missing: markup nested deeper than {MAX_GENERIC_DEPTH} elements"


def test_nesting_is_measured_in_one_walk() -> None:
    from lxml import etree

    from kazscraper.extract.body import nested_deeper_than

    root = etree.fromstring("<a>" + "<b>" * 10 + "</b>" * 10 + "<c/></a>")
    assert nested_deeper_than(root, 10)
    assert not nested_deeper_than(root, 11)


# -- command-line arguments: one line and exit 2, never a traceback or a hang -----------


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "--start-url", "http://[::1"],
        ["crawl", "--start-url", "http://a\u2100b/"],
        ["crawl", "--start-url", "http://127.0.0.1:99999/"],
        ["crawl", "--start-url", "http://127.0.0.1:1/", "--mirror", "http://[zz]/"],
        ["crawl", "--start-url", "http://127.0.0.1:1/", "--timeout", "nan"],
        ["crawl", "--start-url", "http://127.0.0.1:1/", "--timeout", "inf"],
        ["search", "x", "--time-limit", "nan"],
        ["crawl", "--redis", "redis://127.0.0.1:1/0", "--idle-timeout", "nan"],
        ["crawl", "--redis", "redis://127.0.0.1:1/0", "--idle-timeout", "inf"],
        ["parse", "-", "--url", "http://[::1"],
        ["demo", "--articles", "99999999999"],
        ["replica", "serve", "--articles", "99999999999"],
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2(args: list[str], tmp_path) -> None:
    from tests.conftest import run_cli

    if args[0] in ("crawl", "search", "demo"):
        (tmp_path / "a.sqlite").touch()  # an empty file is an empty SQLite database
        args = [*args, "--db", str(tmp_path / "a.sqlite")]
    done = run_cli(*args, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"kazscraper {' '.join(args[:2]) if args[0] == 'replica' else args[0]}")


def test_a_log_file_that_is_a_pipe_nobody_reads_is_refused_not_waited_on(tmp_path) -> None:
    import os

    from tests.conftest import run_cli

    pipe = tmp_path / "log.fifo"
    os.mkfifo(pipe)
    done = run_cli(
        "crawl",
        "--start-url",
        "http://127.0.0.1:1/",
        "--db",
        str(tmp_path / "a.sqlite"),
        "--log-file",
        str(pipe),
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "no process reads" in done.stderr


@pytest.mark.parametrize("mark", ["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u061c"])
def test_bidi_controls_are_invisible_characters_and_never_stored(mark: str) -> None:
    # U+202E (right-to-left override) shows 'Камила' as 'алимаК' and splits one author in two
    from kazscraper.clean.text import clean_line, normalize_text

    assert normalize_text(f"Ақ{mark}жол {mark}бүгін") == "Ақжол бүгін"
    assert clean_line(f"{mark}Камила{mark} Мүлік") == "Камила Мүлік"


def test_an_unparseable_link_in_a_headline_costs_the_generic_layer_nothing() -> None:
    # the generic layer asks whether an <h1>'s link goes home (a logo): a link urllib
    # cannot parse is no home link, not a ValueError that loses the article
    from kazscraper.clean.article import clean_article
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import profile_for_url

    url = "https://example.org/2024/05/story.html"
    body = "<p>" + "Ministers met on Tuesday to agree the budget for the coming year. " * 8
    html = (
        '<html><head><title>Budget agreed</title></head><body><h1><a href="http://[::1">'
        f"Budget agreed</a></h1><article>{body}</p></article></body></html>"
    )
    profile = profile_for_url(url, "qazdauiri")
    article = clean_article(extract_article(html, url, profile), profile)
    assert article.title == "Budget agreed"
    assert "Ministers met on Tuesday" in (article.body or "")
