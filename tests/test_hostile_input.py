"""Hostile input, second part: bombs, floods and lies about the bytes, one test each.

End-to-end crawls run over real HTTP against the replica with the hostile-input fault
modes (``replica.faults.INPUT_FAULTS``) switched on; the pure functions are called
directly. Each case says what happened before its fix (or that it already held).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kazscraper.replica.faults import INPUT_FAULTS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from tests.test_hostile_site import (
    Hostile,
    Run,
    assert_every_healthy_article_once,
    assert_scheduled_articles_accounted_for,
    plain_articles,
)

PAGE = (
    "<html><head></head><body><article>"
    '<h1 class="news-title">Аурухана құрылысы басталды</h1>'
    '<span class="views-count">{views}</span>'
    '<div class="news-text"><p>Облыс әкімдігі жаңа аурухана құрылысын бастады.</p>'
    "<p>Құрылыс екі жылға созылады деп күтілуде.</p>{signature}</div>"
    '<section class="similar-news"><h3 class="block-title">Ұқсас жаңалықтар</h3>'
    '<div class="news-list">{similar}</div></section>'
    "</article></body></html>"
)
URL = "https://qazdauiri.kz/news/aurukhana"


def _extract(**parts: str):  # type: ignore[no-untyped-def]
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import get_profile

    values = {"views": "12", "signature": "", "similar": "", **parts}
    return extract_article(PAGE.format(**values), URL, get_profile("qazdauiri"))


# -- values: bounded with a note, never a crash, never the article lost ----------------


@pytest.mark.parametrize("views", ["-1 234", "−1234", "- 5"])
def test_a_negative_view_counter_is_not_stored_as_a_positive_one(views: str) -> None:
    # before: the digits were kept and the sign dropped: '-1 234' was stored as 1234
    article = _extract(views=views)
    assert article.views is None
    assert article.extraction["views"].startswith("refused: a negative view counter")


def test_a_hyphen_in_a_view_counter_line_is_no_sign() -> None:
    article = _extract(views="Қаралды - 1 234")
    assert article.views == 1234


def test_ten_thousand_authors_are_cut_with_a_note() -> None:
    # before: every name of a 10,000-line signature became an author row of the article
    from kazscraper.extract.article import MAX_AUTHORS

    syllables = ["АХ", "МЕТ", "БЕК", "ЖАН", "НҰР", "САР", "ТАЙ", "ҚАН", "ЕР", "ӘЛ"]
    lines = [
        f"{syllables[i % 10]}{syllables[i // 10 % 10]}{syllables[i // 100 % 10]}"
        f"{syllables[i // 1000 % 10]}ОВА Зауреш Болатхановна,"
        for i in range(10_000)
    ]
    signature = "".join(f"<p><strong>{line}</strong></p>" for line in lines)
    article = _extract(signature=signature + "<p>11.12.2025</p>")
    assert len(article.authors) == MAX_AUTHORS
    assert article.authors[0].surname == "Ахахахахова"
    assert f"first {MAX_AUTHORS} kept" in article.extraction["authors"]
    assert article.body.startswith("Облыс әкімдігі")


def test_a_hundred_thousand_related_links_are_cut_with_a_note() -> None:
    # before: all 100,000 became related_links rows of one article
    from kazscraper.extract.article import MAX_RELATED

    similar = "".join(
        f'<div class="news-item"><a href="/news/flood-{i}">Жаңалық {i}</a></div>'
        for i in range(100_000)
    )
    article = _extract(similar=similar)
    assert len(article.related) == MAX_RELATED
    assert article.related[0].url == "https://qazdauiri.kz/news/flood-0"
    assert f"first {MAX_RELATED} kept" in article.extraction["related"]


def test_a_few_authors_and_related_links_get_no_note() -> None:
    article = _extract(
        signature="<p><strong>АХМЕТОВА Зауреш Болатхановна</strong></p><p>11.12.2025</p>",
        similar='<div class="news-item"><a href="/news/b">Басқа жаңалық</a></div>',
    )
    assert [a.surname for a in article.authors] == ["Ахметова"]
    assert article.extraction["authors"] == "signature"
    assert article.extraction["related"] == "label"
    assert len(article.related) == 1


def test_lists_are_capped_before_the_write_too() -> None:
    from kazscraper.archive.values import MAX_ITEMS, storable_article
    from kazscraper.items import Article

    article = Article(url=URL, fetched_url=URL, fetched_at="", tags=["т"] * 100_000)
    notes = storable_article(article)
    assert len(article.tags) == MAX_ITEMS["tags"]
    assert notes == [f"tags: {MAX_ITEMS['tags']} of 100000 kept"]
    assert article.extraction["tags"] == notes[0]


# -- crawls over the replica -------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_input(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = ReplicaSite(40)
    with ReplicaServer(site) as server:
        yield Hostile(site, server, tmp_path_factory.mktemp("input"))


def test_every_input_mode_has_a_test() -> None:
    assert set(BOMBS) | set(FAILED) | set(STORED) | set(DISCOVERY) == INPUT_FAULTS


BOMBS = ("gzip-bomb", "deflate-bomb", "br-bomb", "zstd-bomb", "gzip-gzip-bomb")
# mode -> what the failure's reason says
FAILED = {
    "redirect-file": "redirect off the site refused: file:///etc/passwd",
    "redirect-data": "redirect off the site refused: data:",
    "header-flood": "a response header line longer than 16384 bytes: not read",
    "endless-headers": "response headers larger than 1048576 bytes: not read",
    "trickle": "took longer than",
    "pdf-as-html": "not HTML: a PDF document",
}
# mode -> a check of the stored article
STORED = {
    "utf16-no-bom": "encoding",
    "bogus-charset": "encoding",
    "views-negative": "views",
    "title-huge": "title",
    "authors-flood": "authors",
    "related-flood": "related",
}
DISCOVERY = ("feed-attribute-bomb", "entity-sitemap")


@pytest.fixture(scope="module")
def input_run(hostile_input: Hostile) -> tuple[Run, dict[str, str]]:
    plain = iter(plain_articles(hostile_input.site))
    paths = {mode: next(plain).path for mode in (*BOMBS, *FAILED, *STORED)}
    paths["feed-attribute-bomb"] = "/rss"
    paths["entity-sitemap"] = "/sitemap.xml"
    hostile_input.faults = {path: mode for mode, path in paths.items()}
    run = hostile_input.crawl("input")
    hostile_input.faults = {}
    return run, paths


@pytest.mark.slow
def test_a_hostile_input_run_ends_ok_and_loses_nothing(
    input_run: tuple[Run, dict[str, str]], hostile_input: Hostile
) -> None:
    run, paths = input_run
    assert run.exit_code == 0, run.reason
    assert not [k for k in run.stats if k.startswith("spider_exceptions")], run.stats
    failed = {paths[m] for m in (*BOMBS, *FAILED)}
    assert_every_healthy_article_once(run, hostile_input.site, failed)
    assert_scheduled_articles_accounted_for(run)
    for path in failed:
        assert run.origin + path in run.failures(), path


@pytest.mark.slow
@pytest.mark.parametrize("mode", BOMBS)
def test_a_compression_bomb_is_a_failure_and_its_bytes_are_kept(
    input_run: tuple[Run, dict[str, str]], mode: str
) -> None:
    run, paths = input_run
    url = run.origin + paths[mode]
    stage, reason = run.failures()[url]
    assert stage == "fetch"
    assert "exceeded DOWNLOAD_MAXSIZE (10485760 B) during decompression" in reason, reason
    # the compressed response is in the WARC files, indexed, as it came
    [(record,)] = run.rows(
        "SELECT count(*) FROM captures WHERE url = ? AND record_type = 'response'", url
    )
    assert record >= 1


@pytest.mark.slow
@pytest.mark.parametrize("mode", FAILED)
def test_a_hostile_answer_is_a_failure_with_a_clear_reason(
    input_run: tuple[Run, dict[str, str]], mode: str
) -> None:
    run, paths = input_run
    stage, reason = run.failures()[run.origin + paths[mode]]
    assert stage in ("fetch", "decode"), (stage, reason)
    assert FAILED[mode] in reason, reason


@pytest.mark.slow
def test_values_of_a_hostile_page_are_bounded_with_a_note(
    input_run: tuple[Run, dict[str, str]],
) -> None:
    run, paths = input_run

    def one(mode: str, sql: str) -> tuple:
        url = run.origin + paths[mode]
        [row] = run.rows(sql, url)
        return row

    def extraction(mode: str) -> dict[str, str]:
        import json

        return json.loads(one(mode, "SELECT extraction FROM articles WHERE url = ?")[0])

    from kazscraper.extract.article import MAX_AUTHORS, MAX_RELATED

    assert one("views-negative", "SELECT views FROM articles WHERE url = ?") == (None,)
    assert extraction("views-negative")["views"].startswith("refused: a negative view counter")
    assert extraction("utf16-no-bom")["encoding"].startswith("utf-16")
    assert extraction("bogus-charset")["encoding"].startswith("utf-8")
    (title,) = one("title-huge", "SELECT title FROM articles WHERE url = ?")
    assert 0 < len(title) <= 2_000
    assert one(
        "authors-flood",
        "SELECT count(*) FROM article_authors x JOIN articles a ON a.id = x.article_id "
        "WHERE a.url = ?",
    ) == (MAX_AUTHORS,)
    assert f"first {MAX_AUTHORS} kept" in extraction("authors-flood")["authors"]
    assert one(
        "related-flood",
        "SELECT count(*) FROM related_links r JOIN articles a ON a.id = r.article_id "
        "WHERE a.url = ?",
    ) == (MAX_RELATED,)
    assert f"first {MAX_RELATED} kept" in extraction("related-flood")["related"]


@pytest.mark.slow
def test_entities_in_a_sitemap_are_not_expanded_and_its_entries_are_used(
    input_run: tuple[Run, dict[str, str]],
) -> None:
    run, paths = input_run
    stage, reason = run.failures()[run.origin + paths["entity-sitemap"]]
    assert stage == "discovery"
    assert "malformed sitemap XML (Maximum entity amplification" in reason, reason
    loc = [u for (u,) in run.rows("SELECT url FROM failures") if "ha" * 10 in u or "root:" in u]
    assert loc == []
    assert not [u for (u,) in run.rows("SELECT url FROM captures") if "root:" in u]


# -- lies about the bytes ----------------------------------------------------------------

KAZAKH = (
    "<html><head>{meta}</head><body><h1>Аурухана құрылысы</h1><p>"
    + "Облыс әкімдігі жаңа аурухана құрылысын бастады. " * 20
    + "</p></body></html>"
)


@pytest.mark.parametrize(
    "charset", ["undefined", "raw_unicode_escape", "unicode_escape", "punycode", "utf-7"]
)
def test_a_charset_that_is_no_web_encoding_is_ignored(charset: str) -> None:
    # before: 'undefined' raised UnicodeError out of decode_page (a spider error, the URL
    # unaccounted for); 'raw_unicode_escape' read the KZ-1048 bytes as Latin-1 mojibake
    from kazscraper.intake.decode import decode_page

    body = KAZAKH.format(meta=f'<meta charset="{charset}">').encode("kz1048")
    page = decode_page(body, f"text/html; charset={charset}")
    assert page.encoding == "kz1048"
    assert "Аурухана құрылысы" in page.text


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_cyrillic_bytes_declared_latin_are_not_read_as_latin_mojibake(charset: str) -> None:
    # before: windows-1251 bytes declared iso-8859-1 were stored as 'Àóðóõàíà'
    from kazscraper.intake.decode import decode_page

    body = KAZAKH.format(meta="").encode("cp1251", errors="replace")
    page = decode_page(body, f"text/html; charset={charset}")
    assert page.encoding in ("kz1048", "cp1251")
    assert "Облыс" in page.text


@pytest.mark.parametrize("charset", ["iso-8859-1", "windows-1252"])
def test_a_real_latin_page_keeps_its_latin_encoding(charset: str) -> None:
    from kazscraper.intake.decode import decode_page

    text = "Die Straße für Radfahrer wurde eröffnet; élève, garçon, São Paulo, mañana. " * 20
    body = f"<html><body><p>{text}</p></body></html>".encode("latin-1")
    page = decode_page(body, f"text/html; charset={charset}")
    assert "Straße für" in page.text


@pytest.mark.parametrize(
    ("magic", "name"),
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"GIF89a", "a GIF image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"PK\x03\x04", "a ZIP archive"),
        (b"\x1f\x8b\x08", "gzip data"),
    ],
)
def test_binary_bytes_served_as_html_are_refused_by_name(magic: bytes, name: str) -> None:
    # before: a PDF served as text/html was decoded as cp1252 text and ended as 'not an
    # article page (title: missing…)', a validate failure that hid what the bytes were
    from kazscraper.intake.decode import UndecodablePage, decode_page

    with pytest.raises(UndecodablePage, match=f"not HTML: {name}"):
        decode_page(magic + bytes(range(128, 256)) * 64, "text/html; charset=utf-8")


# -- an archive this version cannot write ---------------------------------------------


def test_an_archive_of_a_newer_version_is_refused_not_written(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # before: a crawl wrote into an archive whose schema a newer kazscraper had changed
    # (its migrations were unknown here), with this version's idea of every table
    import sqlite3

    from click.testing import CliRunner

    from kazscraper.archive import Archive, ArchiveError
    from kazscraper.cli import main

    db = tmp_path / "a.sqlite"
    Archive(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('kazscraper', 'm999_from_the_future', '2030-01-01')"
        )
    with pytest.raises(ArchiveError, match=r"newer kazscraper.*m999_from_the_future"):
        Archive(db, site="qazdauiri")
    Archive(db, migrate=False).close()  # readers still read it
    done = CliRunner().invoke(
        main,
        ["crawl", "--db", str(db), "--start-url", "http://127.0.0.1:9/"],
        prog_name="kazscraper",
    )
    assert done.exit_code == 1, done.output
    lines = done.output.strip().splitlines()
    assert lines[-1].startswith("kazscraper crawl: error: "), done.output
    assert "newer kazscraper" in lines[-1]
    assert "Traceback" not in done.output


# -- crafted WARC records (reparse) ------------------------------------------------------


def _record(headers: dict[str, str], payload: bytes = b"") -> bytes:
    import gzip

    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    block = f"WARC/1.1\r\n{head}Content-Length: {len(payload)}\r\n\r\n".encode() + payload
    return gzip.compress(block + b"\r\n\r\n")


HTTP_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>x</p>"


@pytest.mark.parametrize(
    ("bad", "kind"),
    [
        ({"WARC-Type": "response", "WARC-Target-URI": "http://a/news/x"}, "damaged"),  # no date
        ({"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"}, "damaged"),  # no URI
        (
            {"WARC-Type": "response", "WARC-Date": "yesterday", "WARC-Target-URI": "http://a/x"},
            "damaged",
        ),
        (  # a URI past what the crawl keeps: refused as the crawl refuses it (issue 21 #4)
            {
                "WARC-Type": "response",
                "WARC-Date": "2025-12-12T08:00:00Z",
                "WARC-Target-URI": "http://a/" + "x" * 10_000,
            },
            "refused",
        ),
    ],
)
def test_a_record_with_missing_or_absurd_headers_is_damaged_not_a_crash(
    tmp_path, bad: dict[str, str], kind: str
) -> None:  # type: ignore[no-untyped-def]
    # before: a record without WARC-Date raised AttributeError out of read_captures (reparse
    # died with a traceback); a bad date raised ValueError
    from kazscraper.warc.replay import read_captures

    good = {"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"}
    data = (
        _record({**good, "WARC-Target-URI": "http://a/news/1"}, HTTP_OK)
        + _record(bad, HTTP_OK)
        + _record({**good, "WARC-Target-URI": "http://a/news/2"}, HTTP_OK)
    )
    (tmp_path / "a-20251212080000-00000.warc.gz").write_bytes(data)
    skipped: list[tuple[str, str, str]] = []
    pages = list(read_captures(tmp_path, name="a", on_skipped=lambda *s: skipped.append(s)))
    assert [p.capture.url for p in pages] == ["http://a/news/1", "http://a/news/2"]
    assert [skipped_kind for skipped_kind, _, _ in skipped] == [kind]


# -- the command line ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["99999999999999999999999", "²", "9" * 5000, "٣"])
def test_show_of_an_id_sqlite_or_int_cannot_read_is_one_line(tmp_path, key: str) -> None:  # type: ignore[no-untyped-def]
    # before: a traceback (OverflowError past 2^63, ValueError for '²' and 5,000 digits)
    from click.testing import CliRunner

    from kazscraper.archive import Archive
    from kazscraper.cli import main
    from tests.test_archive import make_article

    db = tmp_path / "a.sqlite"
    with Archive(db, site="qazdauiri") as archive:
        archive.write_batch([(make_article(), [])])
    done = CliRunner().invoke(main, ["show", "--db", str(db), key], prog_name="kazscraper")
    assert done.exit_code == 2, done.output
    lines = done.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kazscraper show: error: "), done.output
    assert "no article" in lines[0]


@pytest.mark.parametrize(
    "bad",
    [
        {"WARC-Type": "response", "WARC-Target-URI": "http://a/news/x"},  # no WARC-Date
        {"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"},  # no Target-URI
    ],
)
def test_the_captures_index_skips_a_crafted_record(tmp_path, bad: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    # the index a run rebuilds from the WARC files before it fetches: a record warcio
    # cannot read ends its gap, the records after it in the file are still indexed
    from kazscraper.archive import Archive
    from kazscraper.warc.index import reindex_captures

    good = {"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"}
    warc = tmp_path / "warc"
    warc.mkdir()
    first = _record({**good, "WARC-Target-URI": "http://a/news/1"}, HTTP_OK)
    (warc / "a-20251212080000-00000.warc.gz").write_bytes(
        first + _record(bad, HTTP_OK) + _record({**good, "WARC-Target-URI": "http://a/news/2"})
    )
    (warc / "a-20251212090000-00000.warc.gz").write_bytes(
        _record({**good, "WARC-Target-URI": "http://a/news/3"}, HTTP_OK)
    )
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        assert reindex_captures(archive, warc, "a") >= 2
        urls = {u for (u,) in archive.db.execute("SELECT url FROM captures").fetchall()}
    assert {"http://a/news/1", "http://a/news/3"} <= urls
    assert None not in urls


def test_a_warc_header_of_tens_of_megabytes_is_not_read_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # before: warcio read the record's header lines whole: a crafted file of 190 KB whose
    # one header line inflates to 200 MB cost reparse 640 MB of memory
    from kazscraper.warc.index import unindexed_captures
    from kazscraper.warc.limits import MAX_WARC_HEADER_BYTES
    from kazscraper.warc.replay import read_captures

    good = {"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"}
    huge = {**good, "WARC-Target-URI": "http://a/news/x", "X-Pad": "p" * 20_000_000}
    path = tmp_path / "a-20251212080000-00000.warc.gz"
    path.write_bytes(
        _record({**good, "WARC-Target-URI": "http://a/news/1"}, HTTP_OK)
        + _record(huge, HTTP_OK)
        + _record({**good, "WARC-Target-URI": "http://a/news/2"}, HTTP_OK)
    )
    assert MAX_WARC_HEADER_BYTES < 20_000_000
    skipped: list[tuple[str, str, str]] = []
    pages = list(read_captures(tmp_path, name="a", on_skipped=lambda *s: skipped.append(s)))
    assert [p.capture.url for p in pages] == ["http://a/news/1", "http://a/news/2"]
    [(kind, _where, reason)] = skipped
    assert kind == "damaged"
    assert f"WARC headers larger than {MAX_WARC_HEADER_BYTES} bytes" in reason, reason
    assert [c.url for c in unindexed_captures(path, [])][:1] == ["http://a/news/1"]


# -- pathological markup -------------------------------------------------------------


def test_comments_are_gone_from_the_parsed_page_and_the_text_around_them_kept() -> None:
    # comments are dropped at parse time: lxml's itertext (htmldate's, node_text's) is
    # quadratic in the comments beside each other (a million '<!--x-->', 7.8 MB: 237 s)
    from kazscraper.extract.article import parse_html

    html = (
        "<html><body><div class='news-text'><p>Облыс <!--x-->әкімдігі</p>"
        + "<!--x-->" * 1000
        + "<p>жаңа<?php echo 1 ?> аурухана</p></div></body></html>"
    )
    page = parse_html(html)
    assert page.xpath("//comment()") == []
    assert page.xpath("//processing-instruction()") == []
    assert page.xpath("//p/text()").getall() == ["Облыс ", "әкімдігі", "жаңа", " аурухана"]


def test_an_article_full_of_comments_is_extracted() -> None:
    article = _extract(signature="<!--x-->" * 10_000 + "<p>11.12.2025</p>")
    assert article.body.startswith("Облыс әкімдігі жаңа аурухана")
    assert article.published_date == "2025-12-11"


def test_a_feed_with_an_attribute_bomb_is_read_not_refused(
    input_run: tuple[Run, dict[str, str]],
) -> None:
    # libxml2's XML parser hashes a tag's attributes: the feed is read, its links followed
    run, paths = input_run
    feed = run.origin + paths["feed-attribute-bomb"]
    assert feed not in run.failures()
    assert run.rows("SELECT status FROM captures WHERE url = ?", feed) == [(200,)]


def test_the_owner_check_of_a_warc_file_reads_no_header_line_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # before: file_owner (which names a file's archive and worker, for reparse, recovery and
    # the captures index at every start) read the first record with warcio's own reader: a
    # crafted first header line of 100 MB was held whole (several copies of it)
    import tracemalloc

    from kazscraper.warc.files import warc_files
    from kazscraper.warc.limits import MAX_WARC_HEADER_BYTES

    good = {"WARC-Type": "response", "WARC-Date": "2025-12-12T08:00:00Z"}
    huge = {**good, "WARC-Target-URI": "http://a/news/x", "X-Pad": "p" * 100_000_000}
    (tmp_path / "a-20251212080000-00000.warc.gz").write_bytes(_record(huge, HTTP_OK))
    tracemalloc.start()
    try:
        found = warc_files(tmp_path, "a")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [f.path.name for f in found] == ["a-20251212080000-00000.warc.gz"]
    # what is held is warcio's inflated buffer, not the line (126 MB for 40 MB before)
    assert MAX_WARC_HEADER_BYTES < 100_000_000
    assert peak < 80_000_000, peak
