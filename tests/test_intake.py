"""One way in for pages (``kazscraper.intake``): the same bytes make the same ``PageItem``,
or the same refusal, whether they came by the crawl (``NewsSpider.parse_article`` on a
Scrapy response), by reparse (a WARC record read back by ``ReparseSpider``) or by
``kazscraper parse FILE`` (whose record is the one the pipelines make of that item).

Each route is driven as it runs: the crawl's response is built by Scrapy's own response
type rules and decompressed by its compression middleware; the reparse record is written
by the crawl's WARC writer and read back by warcio; parse runs the command."""

from __future__ import annotations

import gzip
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.test import get_crawler

from kazscraper.clean.article import clean_article
from kazscraper.cli import main
from kazscraper.crawler.config import RUN_CONFIG, RunConfig
from kazscraper.crawler.signals import alias_found, page_failed
from kazscraper.crawler.spiders.news import NewsSpider
from kazscraper.crawler.spiders.reparse import ReparseSpider
from kazscraper.extract.article import extract_article
from kazscraper.intake.page import Refused, _scrapy_mimetypes, is_text_page, page_item, with_page
from kazscraper.items import PageItem
from kazscraper.sites import Sites, get_profile
from kazscraper.warc.records import Exchange
from kazscraper.warc.replay import read_captures
from kazscraper.warc.writer import WarcArchiver

from .conftest import FIXTURES

PROFILE = get_profile("qazdauiri")
URL = "https://qazdauiri.kz/news/intake-test"
FETCHED = "2026-01-05T10:00:00+00:00"
HTML_UTF8 = "text/html; charset=utf-8"
KAZAKH = (
    "<html><head><meta charset='{}'><title>Жаңалық</title></head><body><article>"
    "<h1 class='news-title'>Облыс әкімдігі жаңа аурухана салады</h1><div class='news-text'>"
    "<p>Қазақстан Республикасының Үкіметі бүгін жаңа бағдарламаны бекітті, ол өңірлердің "
    "дамуына арналған. Құрылыс келесі жылы аяқталады.</p>"
    "<p><a href='https://image.qazdauiri.kz/news/mirror-link'>Ұқсас жаңалық</a></p>"
    "</div></article></body></html>"
)
RUSSIAN = (
    "<html><head><meta charset='{}'><title>Новости</title></head><body><article>"
    "<h1 class='news-title'>Правительство утвердило программу</h1><div class='news-text'>"
    "<p>Правительство Республики Казахстан утвердило новую программу развития регионов "
    "страны. Строительство завершится в следующем году.</p></div></article></body></html>"
)
GERMAN = (
    "<html><head><title>Über uns</title></head><body><article><h1>Die Straße zur Küste</h1>"
    "<p>Die Straße zur Küste war gesperrt, während die Feuerwehr die Bäume räumte. Für die "
    "Anwohner gab es Ersatzbusse, später öffnete die Polizei die Brücke wieder.</p>"
    "</article></body></html>"
)


def _stray(data: bytes) -> bytes:
    at = data.index(b" ", len(data) // 2)
    return data[:at] + b"\xff" + data[at:]


# name -> (response headers, body)
PAGES: dict[str, tuple[list[tuple[str, str]], bytes]] = {
    "utf8": ([("Content-Type", HTML_UTF8)], KAZAKH.format("utf-8").encode()),
    "kz1048 declared windows-1251": (
        [("Content-Type", "text/html; charset=windows-1251")],
        KAZAKH.format("windows-1251").encode("kz1048"),
    ),
    "kz1048 declared utf-8 (wrong charset)": (
        [("Content-Type", HTML_UTF8)],
        KAZAKH.format("utf-8").encode("kz1048"),
    ),
    "cp1251, no charset": ([("Content-Type", "text/html")], RUSSIAN.format("").encode("cp1251")),
    "koi8-r, no header": ([], RUSSIAN.format("koi8-r").encode("koi8_r")),
    "utf-8 with a stray byte": ([("Content-Type", HTML_UTF8)], _stray(KAZAKH.encode())),
    "utf-8 BOM, declared cp1251": (
        [("Content-Type", "text/html; charset=windows-1251")],
        b"\xef\xbb\xbf" + KAZAKH.format("utf-8").encode(),
    ),
    # with no header: Scrapy's sniffing alone would take its NULs for binary data
    "utf-16 BOM": ([("Content-Type", "text/html")], KAZAKH.format("utf-16").encode("utf-16")),
    "windows-1252, no charset": ([("Content-Type", "text/html")], GERMAN.encode("cp1252")),
    "gzip": (
        [("Content-Type", HTML_UTF8), ("Content-Encoding", "gzip"), ("ETag", '"v1"')],
        gzip.compress(KAZAKH.format("utf-8").encode()),
    ),
    # refused, for the same reason on every route
    "png": ([("Content-Type", "image/png")], bytes.fromhex("89504e470d0a1a0a") + bytes(64)),
    "png, no type": ([], bytes.fromhex("89504e470d0a1a0a") + bytes(64)),
    "empty": ([("Content-Type", HTML_UTF8)], b""),
    "no text in it": ([("Content-Type", "text/html")], bytes(range(1, 256)) * 8),
}
for _path in sorted((FIXTURES / "pages").glob("*.html")):
    PAGES[f"fixture {_path.stem}"] = ([("Content-Type", HTML_UTF8)], _path.read_bytes())
# each page also without HTTP headers, as a saved file is (what `kazscraper parse` reads)
for _name, (_headers, _body) in list(PAGES.items()):
    if _headers and "gzip" not in _name:
        PAGES[f"{_name}, no header"] = ([], _body)


@dataclass
class Outcome:
    item: PageItem | None
    failure: tuple[str, str] | None  # (stage, reason)
    aliases: list[tuple[str, str]]


def _listen(crawler) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    failures: list[tuple[str, str]] = []
    aliases: list[tuple[str, str]] = []
    crawler.signals.connect(
        lambda url, stage, reason, http_status: failures.append((stage, reason)),
        signal=page_failed,
        weak=False,
    )
    crawler.signals.connect(
        lambda url, canonical: aliases.append((url, canonical)), signal=alias_found, weak=False
    )
    return failures, aliases


def by_crawl(headers: list[tuple[str, str]], body: bytes) -> Outcome:
    crawler = get_crawler(NewsSpider, {RUN_CONFIG: RunConfig(Sites.single(PROFILE))})
    spider = NewsSpider.from_crawler(crawler)
    failures, aliases = _listen(crawler)
    raw = Headers([(k.encode(), v.encode()) for k, v in headers])
    cls = responsetypes.from_args(headers=raw, url=URL, body=body)  # as the download handler
    request = Request(URL, meta={"fetched_at": FETCHED, "article_url": URL})
    response = cls(url=URL, status=200, headers=raw, body=body, request=request)
    response = HttpCompressionMiddleware.from_crawler(crawler).process_response(request, response)
    items = [x for x in spider.parse_article(response) if isinstance(x, PageItem)]
    assert len(items) + len(failures) == 1, (items, failures)
    return Outcome(items[0] if items else None, failures[0] if failures else None, aliases)


def by_reparse(tmp_path: Path, headers: list[tuple[str, str]], body: bytes) -> Outcome:
    from datetime import datetime

    archiver = WarcArchiver(tmp_path, "intake")
    archiver.write(Exchange(URL, "GET", [], 200, headers, body, datetime.fromisoformat(FETCHED)))
    archiver.close()
    config = RunConfig(Sites.single(PROFILE), mode="reparse", warc_dir=str(tmp_path))
    crawler = get_crawler(ReparseSpider, {RUN_CONFIG: config})
    spider = ReparseSpider.from_crawler(crawler)
    failures, aliases = _listen(crawler)
    (page,) = read_captures(tmp_path)
    item = spider.item_for(page)
    assert item is None or isinstance(item, PageItem)
    return Outcome(item, failures[0] if failures else None, aliases)


def by_parse(tmp_path: Path, body: bytes) -> tuple[dict | None, str]:
    saved = tmp_path / "saved.html"
    saved.write_bytes(body)
    result = CliRunner().invoke(main, ["parse", str(saved), "--url", URL])
    if result.exit_code != 0:
        return None, result.stderr.strip()
    return json.loads(result.stdout), ""


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_same_bytes_make_the_same_page_by_every_route(tmp_path: Path, name: str) -> None:
    headers, body = PAGES[name]
    crawl = by_crawl(headers, body)
    reparse = by_reparse(tmp_path, headers, body)
    assert (reparse.item, reparse.failure, reparse.aliases) == (
        crawl.item,
        crawl.failure,
        crawl.aliases,
    )
    # what a saved file holds: the payload, without the HTTP headers
    payload = gzip.decompress(body) if "gzip" in name else body
    if crawl.item is not None:
        assert crawl.item == page_item(URL, headers_of(crawl.item, headers), payload, FETCHED)
    if headers and "gzip" not in name:
        return  # parse reads a file, with no HTTP headers: the no-header variants compare it
    record, error = by_parse(tmp_path, payload)
    if crawl.item is None:
        assert crawl.failure is not None and error.endswith(f": {crawl.failure[1]}"), error
        return
    assert record is not None, error
    item = page_item(URL, [], payload)
    assert isinstance(item, PageItem) and item.html == crawl.item.html
    assert item.encoding == crawl.item.encoding
    expected = with_page(clean_article(extract_article(item.html, URL, PROFILE), PROFILE), item)
    assert record == json.loads(json.dumps(asdict(expected), ensure_ascii=False))


def headers_of(item: PageItem, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers the crawl's item was made with: Scrapy's compression middleware takes
    the Content-Encoding it undid away."""
    return [(k, v) for k, v in headers if k != "Content-Encoding"]


def test_the_legacy_pages_are_read_right_not_just_alike() -> None:
    """The same on every route, and right: Kazakh letters whatever the declaration."""
    for name, (headers, body) in PAGES.items():
        if name.startswith(("kz1048", "utf-8 BOM", "utf-16", "utf8")):
            item = page_item(URL, headers, body, FETCHED)
            assert isinstance(item, PageItem), name
            assert "Қазақстан Республикасының" in item.html and "Ќ" not in item.html, name
        elif name.startswith(("cp1251", "koi8")):
            item = page_item(URL, headers, body, FETCHED)
            assert isinstance(item, PageItem), name
            assert "Правительство Республики Казахстан" in item.html, name
    german = page_item(URL, *PAGES["windows-1252, no charset"], FETCHED)
    assert isinstance(german, PageItem) and "Straße zur Küste" in german.html


@pytest.mark.parametrize(
    ("name", "stage", "reason"),
    [
        ("png", "fetch", "not a text page (image/png)"),
        ("png, no type", "fetch", "binary data, not HTML"),
        ("empty", "fetch", "empty document"),
        ("no text in it", "decode", "no encoding gives readable text"),
    ],
)
def test_what_is_no_page_is_refused_with_its_reason(name: str, stage: str, reason: str) -> None:
    refused = page_item(URL, *PAGES[name])
    assert isinstance(refused, Refused)
    assert refused.stage == stage and refused.reason.startswith(reason)


def test_a_mirror_link_is_reported_once_as_an_alias(tmp_path: Path) -> None:
    headers, body = PAGES["utf8"]
    crawl = by_crawl(headers, body)
    assert crawl.aliases == [
        ("https://image.qazdauiri.kz/news/mirror-link", "https://qazdauiri.kz/news/mirror-link")
    ]
    assert by_reparse(tmp_path, headers, body).aliases == crawl.aliases


def test_headers_that_are_not_latin_1_are_read_not_fatal() -> None:
    """A WARC record's header may hold any character (warcio reads them as text)."""
    headers = [("Content-Type", "text/html; charset=utf-8 ☃"), ("ETag", '"жаңа"')]
    item = page_item(URL, headers, KAZAKH.format("utf-8").encode(), FETCHED)
    assert isinstance(item, PageItem) and item.etag == '"жаңа"'
    assert "Қазақстан" in item.html


_TYPE_HEADERS: list[list[tuple[str, str]]] = [
    [],
    [("Content-Type", "text/html")],
    [("content-type", "TEXT/HTML; charset=utf-8")],
    [("Content-Type", "text")],
    [("Content-Type", "")],
    [("Content-Type", "image/png")],
    [("Content-Type", "application/octet-stream")],
    [("Content-Type", "application/json")],
    [("Content-Type", "application/xhtml+xml")],
    [("Content-Type", "text/html"), ("Content-Type", "image/png")],
    [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
    [("Content-Type", "text/html"), ("Content-Encoding", "")],
    [("Content-Type", "image/png"), ("Content-Disposition", "attachment; filename=a.txt")],
    [("Content-Disposition", 'attachment; filename="a.pdf"')],
    [("Content-Disposition", "attachment; filename='notes.html'")],
    [("Content-Disposition", "inline")],
    [("Content-Disposition", "attachment; filename")],
    [("Content-Encoding", "br"), ("Content-Disposition", "attachment; filename=a.xml")],
]
_BODIES = [
    b"",
    b"<html><body>text</body></html>",
    b"<?xml version='1.0'?><rss/>",
    b"plain text\x00with a NUL\ttab\r\n",
    b"escape \x1b[0m",
    bytes.fromhex("89504e470d0a1a0a") + bytes(64),
    "\ufeff<html>bom</html>".encode("utf-16"),
    b"a" * 5000 + b"\x01",  # a control character past Scrapy's 5,000-byte sniff
]


def _as_scrapy_decides(url: str, headers: list[tuple[str, str]], body: bytes) -> bool:
    from scrapy.http import TextResponse

    raw = Headers([(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers])
    text = issubclass(responsetypes.from_args(headers=raw, url=url, body=body), TextResponse)
    # and intake's one addition: a byte-order mark with no Content-Type is text
    has_type = any(k.lower() == "content-type" and v for k, v in headers)
    return text or (not has_type and body[:2] in (b"\xff\xfe", b"\xfe\xff"))


def test_a_text_page_is_decided_as_scrapy_decides_without_importing_it() -> None:
    """``intake.page.is_text_page`` reproduces ``scrapy.responsetypes`` (so that
    ``kazscraper parse`` need not import Scrapy): every extension of Scrapy's table in a URL
    with no headers, and the header cases in URLs of several kinds, over bodies that are
    text, binary, empty, or binary past the sniffed part."""
    from scrapy.responsetypes import ResponseTypes

    from kazscraper.intake.page import _TEXT_TYPES

    # the media types of Scrapy's text response classes: its table, as this Scrapy has it
    assert set(ResponseTypes.CLASSES) - {"text/*"} == _TEXT_TYPES
    table = _scrapy_mimetypes()
    extensions = sorted({*table.types_map[True], *table.types_map[False], ".gz", ".tar.gz"})
    assert len(extensions) > 100  # Python's table and Scrapy's mime.types both read
    cases = [
        (f"https://example.com/file{ext}", [], body)
        for ext in extensions
        for body in (_BODIES[1], _BODIES[5])
    ]
    urls = [
        "https://qazdauiri.kz/news/slug",
        "https://example.com/a.html",
        "https://example.com/a.pdf",
        "https://example.com/a.xml.gz",
        "https://example.com/a.php?id=1",
        "https://example.com/dir.json/",
        "data:text/plain,hello",
    ]
    cases += [(url, headers, body) for url in urls for headers in _TYPE_HEADERS for body in _BODIES]
    wrong = [
        (url, headers, body[:20])
        for url, headers, body in cases
        if is_text_page(url, headers, body) != _as_scrapy_decides(url, headers, body)
    ]
    assert not wrong, wrong[:5]
    assert {is_text_page(*case) for case in cases} == {True, False}


def test_a_crawled_page_is_parsed_once_for_its_links_and_its_extraction(monkeypatch) -> None:
    """The crawl reads a page's links, then extracts it: from one parse of its HTML (the
    link reader's, handed to the extractor), and the record is the one a new parse gives."""
    import parsel.selector

    parses: list[int] = []
    create = parsel.selector.create_root_node

    def counted(*args, **kwargs):
        parses.append(1)
        return create(*args, **kwargs)

    monkeypatch.setattr(parsel.selector, "create_root_node", counted)
    import kazscraper.intake.checked as checked  # the extractor's own parse (parsel's tree)

    own = checked.html_selector

    def counted_own(html):
        parses.append(1)
        return own(html)

    monkeypatch.setattr(checked, "html_selector", counted_own)
    import kazscraper.intake.links as links  # the link reader's parse (the same function)

    monkeypatch.setattr(links, "html_selector", counted_own)
    outcome = by_crawl([("Content-Type", HTML_UTF8)], KAZAKH.format("utf-8").encode())
    assert outcome.item is not None
    shared = extract_article(outcome.item.html, URL, PROFILE, FETCHED)
    by_crawl_and_extract = len(parses)
    parses.clear()
    fresh = extract_article(str(outcome.item.html), URL, PROFILE, FETCHED)
    assert by_crawl_and_extract == len(parses) >= 1  # reading the links added no parse
    assert shared == fresh and fresh.body and "Үкіметі" in fresh.body
