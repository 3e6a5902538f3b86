"""The SQLite archive: outcomes, versions, authors as rows, aliases, failures, FTS."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kazscraper.archive import Archive, ArchiveError, copy_schema, migrations
from kazscraper.archive.articles import REBUILT_TABLES
from kazscraper.crawler.middlewares.warc_capture import warc_directory, warc_name
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.warc.index import reindex_captures
from kazscraper.warc.writer import WarcArchiver

from .test_warc import exchange

URL = "https://qazdauiri.kz/news/kaspii"


def make_article(url: str = URL, body: str = "Каспий теңізі туралы мақала.", **kw) -> Article:
    fields = {
        "fetched_url": url,
        "fetched_at": "2026-01-01T10:00:00+00:00",
        "title": "Каспий теңізінің болашағы",
        "body": body,
        "published_date": "2025-12-11",
        "authors": [Author("Ахметова Зауреш Болатхановна", "Ахметова", "Зауреш", "Болатхановна")],
    }
    fields.update(kw)
    return Article(url=url, **fields)


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as a:
        yield a


def test_new_then_unchanged_then_updated_keeps_the_old_text(archive: Archive) -> None:
    assert archive.write_batch([(make_article(), [])]) == ["new"]
    assert archive.write_batch([(make_article(fetched_at="2026-01-02T10:00:00+00:00"), [])]) == [
        "unchanged"
    ]
    edited = make_article(
        body="Каспий теңізі туралы түзетілген мақала.", fetched_at="2026-01-03T10:00:00+00:00"
    )
    assert archive.write_batch([(edited, [])]) == ["updated"]
    row = archive.db.execute("SELECT body, version, last_seen_at FROM articles").fetchone()
    assert row == ("Каспий теңізі туралы түзетілген мақала.", 2, "2026-01-03T10:00:00+00:00")
    old = archive.db.execute("SELECT version, body, superseded_at FROM article_versions").fetchall()
    assert old == [(1, "Каспий теңізі туралы мақала.", "2026-01-03T10:00:00+00:00")]
    assert archive.count("articles") == 1


def test_same_person_in_different_case_is_one_author_row(archive: Archive) -> None:
    a = make_article(authors=[Author("Аққу Сәлімбек"), Author("Камила Мүлік")])
    b = make_article(url=URL + "-2", body="Басқа мақала.", authors=[Author("АҚҚУ СӘЛІМБЕК")])
    archive.write_batch([(a, []), (b, [])])
    assert archive.count("authors") == 2
    rows = archive.db.execute(
        "SELECT a.url, au.name, aa.position FROM article_authors aa "
        "JOIN articles a ON a.id = aa.article_id JOIN authors au ON au.id = aa.author_id "
        "ORDER BY a.url, aa.position"
    ).fetchall()
    assert rows == [
        (URL, "Аққу Сәлімбек", 1),
        (URL, "Камила Мүлік", 2),
        (URL + "-2", "Аққу Сәлімбек", 1),
    ]


def test_every_url_that_led_to_the_article_is_kept(archive: Archive) -> None:
    mirror = "https://image.qazdauiri.kz/news/kaspii"
    archive.write_batch(
        [(make_article(fetched_url=mirror), ["https://qazdauiri.kz/news/kaspii?utm_source=x"])]
    )
    assert archive.record_alias(
        "https://m.qazdauiri.kz/news/kaspii", URL, "2026-01-01T11:00:00+00:00"
    )
    urls = {r[0] for r in archive.db.execute("SELECT url FROM article_urls")}
    assert urls == {
        URL,
        mirror,
        "https://qazdauiri.kz/news/kaspii?utm_source=x",
        "https://m.qazdauiri.kz/news/kaspii",
    }
    assert not archive.record_alias("https://x", "https://qazdauiri.kz/news/unknown", "t")


def test_same_text_under_another_url_is_an_alias_not_a_row(archive: Archive) -> None:
    assert archive.write_batch([(make_article(), [])]) == ["new"]
    assert archive.write_batch([(make_article(url=URL + "-10"), [])]) == ["alias"]
    assert archive.count("articles") == 1
    aliases = archive.db.execute("SELECT url FROM article_urls ORDER BY url").fetchall()
    assert aliases == [(URL,), (URL + "-10",)]


LONG = " ".join(f"Каспий теңізі туралы {i}-сөйлем жазылды." for i in range(40))


def test_edited_republication_is_a_near_duplicate_of_the_earlier_article(archive: Archive) -> None:
    original = make_article(body=LONG, published_date="2025-01-01")
    copy = make_article(
        url=URL + "-copy", body="Қайта жариялау. " + LONG, published_date="2025-02-01"
    )
    unrelated = make_article(
        url=URL + "-other", body=LONG.replace("Каспий", "Арал").replace("сөйлем", "жол")
    )
    archive.write_batch([(copy, []), (original, []), (unrelated, [])])  # the copy arrives first
    got = dict(archive.db.execute("SELECT url, near_duplicate_of FROM articles").fetchall())
    ids = dict(archive.db.execute("SELECT url, id FROM articles").fetchall())
    assert got == {URL: None, URL + "-copy": ids[URL], URL + "-other": None}
    # the LSH index is in the file (14 bands per signature), not in the process's memory
    lsh = archive.db.execute("SELECT article_id, count(*) FROM article_lsh GROUP BY 1").fetchall()
    assert sorted(lsh) == sorted((i, 14) for i in ids.values())


def test_the_lsh_table_is_rebuilt_from_stored_signatures_on_upgrade(tmp_path) -> None:
    db_path = tmp_path / "a.sqlite"
    with Archive(db_path, site="qazdauiri") as archive:
        archive.write_batch([(make_article(body=LONG), [])])
        archive.db.execute("DELETE FROM article_lsh")  # as an archive from before m008
        archive.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm008_lsh_in_sqlite'")
        archive.db.execute("DROP TABLE article_lsh")
        archive.db.conn.commit()
    with Archive(db_path, site="qazdauiri") as archive:  # migrates again
        (count,) = archive.db.execute("SELECT count(*) FROM article_lsh").fetchone()
    assert count == 14


def test_frontier_and_failures_are_cleared_when_stored(archive: Archive) -> None:
    archive.add_to_frontier([URL, URL + "-x"])
    archive.record_failure(URL + "-x", "fetch", "HTTP 500", 500)
    assert archive.frontier_urls() == [URL]  # a failure is recorded, no longer pending
    archive.write_batch([(make_article(), [])])
    assert archive.frontier_urls() == []
    assert archive.known_articles() == {URL: ("2025-12-11", None)}


def test_not_modified_touches_last_seen(archive: Archive) -> None:
    archive.write_batch([(make_article(), [])])
    assert archive.touch_article(URL, "2026-02-01T00:00:00+00:00")
    assert archive.db.execute("SELECT last_seen_at FROM articles").fetchone() == (
        "2026-02-01T00:00:00+00:00",
    )
    assert not archive.touch_article(URL + "-unknown", "2026-02-01T00:00:00+00:00")


def test_related_links_resolve_to_articles_stored_later(archive: Archive) -> None:
    other = URL + "-other"
    links = [
        RelatedLink("top", 1, other, "Басқа мақала", "Камила Мүлік", "2025-02-20", 21340),
        RelatedLink("similar", 1, None, "Сілтемесіз", None, None, None),
    ]
    archive.write_batch([(make_article(related=links), [])])
    archive.write_batch([(make_article(url=other, title="Басқа мақала"), [])])
    assert archive.link_related_articles() == 1
    row = archive.db.execute(
        "SELECT r.rank, r.title, r.author, r.date, r.views, a.url FROM related_links r "
        "JOIN articles a ON a.id = r.linked_article_id"
    ).fetchone()
    assert row == (1, "Басқа мақала", "Камила Мүлік", "2025-02-20", 21340, other)


def test_unchanged_related_block_is_not_written_twice(archive: Archive) -> None:
    links = [RelatedLink("top", 1, URL + "-x", "Тақырып", None, "2025-01-01", 5)]
    archive.write_batch([(make_article(related=links), [])])
    archive.write_batch([(make_article(related=links, fetched_at="2026-01-05T00:00:00+00:00"), [])])
    assert archive.count("related_links") == 1
    changed = [RelatedLink("top", 1, URL + "-x", "Тақырып", None, "2025-01-01", 9)]
    archive.write_batch(
        [(make_article(related=changed, fetched_at="2026-01-06T00:00:00+00:00"), [])]
    )
    assert archive.count("related_links") == 2


def test_failures_count_attempts_and_clear_on_success(archive: Archive) -> None:
    archive.record_failure(URL, "fetch", "HTTP 503", 503)
    archive.record_failure(URL, "fetch", "HTTP 502", 502)
    assert archive.db.execute("SELECT reason, attempts FROM failures").fetchall() == [
        ("HTTP 502", 2)
    ]
    archive.write_batch([(make_article(), [])])
    assert archive.count("failures") == 0


@pytest.mark.parametrize("query", ["ҚАЗАҚСТАН", "қазақстан", "Қазақстан", "ӨҢІР", "өңір"])
def test_full_text_search_folds_kazakh_case(archive: Archive, query: str) -> None:
    archive.write_batch([(make_article(body="Қазақстан өңірдегі көшбасшы. Өңір дамиды."), [])])
    archive.write_batch([(make_article(url=URL + "-2", body="Басқа тақырып."), [])])
    hits = archive.db.execute(
        "SELECT a.url FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ?",
        [query],
    ).fetchall()
    assert hits == [(URL,)]


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Archive(path, site="qazdauiri") as a:
        a.write_batch([(make_article(), [])])
    with Archive(path, site="qazdauiri") as a:
        assert a.count("articles") == 1
        assert a.db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        applied = [m.name for m in migrations.applied(a.db)]
        assert len(applied) == len(set(applied))  # each once
        assert applied[0] == "m001_initial" and not migrations.pending(a.db)


def test_a_file_that_is_not_sqlite_gives_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("this is not a database\n" * 100)
    with pytest.raises(ArchiveError, match=r"cannot use .*notes\.sqlite"):
        Archive(bogus, site="qazdauiri")


# -- values SQLite cannot store, and one bad record in a batch (issue 11, item 1) --------


def test_values_sqlite_cannot_store_are_made_storable_with_a_note(archive: Archive) -> None:
    odd = make_article(
        title="Каспий \ud83d",
        body="Мәтін\x00 мұнда.",
        views=2**70,
        tags=["тег\udc00"],
        related=[RelatedLink("similar", 1, URL + "-x", "Басқа\ud800", views=-(2**64))],
    )
    assert archive.write_batch([(odd, [URL + "-alias\udfff"])]) == ["new"]
    title, body, views, tags, extraction = archive.db.execute(
        "SELECT title, body, views, tags, extraction FROM articles"
    ).fetchone()
    assert (title, body, views) == ("Каспий \ufffd", "Мәтін мұнда.", None)
    assert tags == '["тег\ufffd"]'
    notes = json.loads(extraction)
    assert "out of SQLite's integer range" in notes["views"]
    assert "made storable" in notes["title"]
    assert archive.db.execute("SELECT title, views FROM related_links").fetchall() == [
        ("Басқа\ufffd", None)
    ]
    assert archive.db.execute(
        "SELECT count(*) FROM article_urls WHERE url = ?", [URL + "-alias\ufffd"]
    ).fetchone() == (1,)


class _OneBadRecord(Archive):
    """An archive whose write path breaks on one URL (a bug no sanitising foresaw)."""

    bad = URL + "-bad"

    def _store(self, article, aliases, crawl_id, run_start, capture_crawl):  # type: ignore[no-untyped-def]
        outcome = super()._store(article, aliases, crawl_id, run_start, capture_crawl)
        if article.url == self.bad:
            raise ValueError("unforeseen")
        return outcome


def test_one_record_that_breaks_the_batch_costs_no_other(tmp_path: Path) -> None:
    with _OneBadRecord(tmp_path / "a.sqlite") as archive:
        batch = [(make_article(url=f"{URL}-{i}", body=f"Мақала {i}."), []) for i in range(5)]
        batch.insert(2, (make_article(url=_OneBadRecord.bad, body="Жаман."), []))
        outcomes, refused = archive.write_each(batch)
        assert outcomes == ["new"] * 5
        assert [(a.url, reason) for a, reason in refused] == [
            (_OneBadRecord.bad, "cannot store: ValueError: unforeseen")
        ]
        urls = {u for (u,) in archive.db.execute("SELECT url FROM articles")}
        assert urls == {f"{URL}-{i}" for i in range(5)}  # the bad one rolled back alone


def test_an_archive_error_is_not_blamed_on_a_record(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        archive.db.execute("PRAGMA query_only = ON")  # every write now fails the same way
        with pytest.raises(sqlite3.OperationalError):
            archive.write_each([(make_article(), [])])


# -- a revisit that brings garbage (issue 11, item 3) --------------------------------------

LONG_BODY = "Каспий теңізінің деңгейі соңғы жылдары төмендеп келеді. " * 20


def _anomalies(archive: Archive) -> list[tuple[str, str]]:
    return archive.db.execute("SELECT kind, detail FROM anomalies ORDER BY id").fetchall()


def test_an_edit_that_lost_fields_keeps_the_stored_values(archive: Archive) -> None:
    first = make_article(body=LONG_BODY, category="Қоғам", tags=["теңіз"], views=10)
    archive.write_batch([(first, [])])
    edited = make_article(
        body=LONG_BODY + "Түзету.",
        published_date=None,
        authors=[],
        views=12,
        fetched_at="2026-01-02T10:00:00+00:00",
    )
    assert archive.write_batch([(edited, [])], crawl_id=None) == ["updated"]
    row = archive.db.execute(
        "SELECT version, body, published_date, category, tags, views, extraction FROM articles"
    ).fetchone()
    assert row[:6] == (2, LONG_BODY + "Түзету.", "2025-12-11", "Қоғам", '["теңіз"]', 12)
    assert json.loads(row[6])["category"] == "kept: this capture had none"
    authors = archive.db.execute("SELECT count(*) FROM article_authors").fetchone()
    assert authors == (1,)
    [(kind, detail)] = _anomalies(archive)
    assert kind == "metadata_lost"
    assert "published_date, category, tags, authors" in detail


def test_reparse_can_empty_an_archive_whose_articles_have_anomalies(archive: Archive) -> None:
    """The tables reparse rebuilds are emptied with the anomalies of their articles (which
    reparse records again from the captures): an ``anomalies`` row referring to an article
    made every reparse of the archive fail with "FOREIGN KEY constraint failed"."""
    archive.write_batch([(make_article(body=LONG_BODY, category="Қоғам"), [])])
    lost = make_article(body=LONG_BODY + "Түзету.", category=None)
    archive.write_batch([(lost, [])], crawl_id=None)
    assert [kind for kind, _ in _anomalies(archive)] == ["metadata_lost"]
    archive.clear_articles()
    assert archive.db.execute("SELECT count(*) FROM articles").fetchone() == (0,)
    assert _anomalies(archive) == []


def test_every_column_that_refers_to_an_article_is_indexed(archive: Archive) -> None:
    """Emptying ``articles`` (reparse) checks each foreign key of each deleted row: a
    referring column with no index is a scan of its table per row. ``duplicate_of`` had
    none: quadratic (a 3,000-article reparse spent 4.2 s emptying the table, 20,000
    about 200 s)."""
    db = archive.db.conn
    unindexed = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        leading = {
            db.execute(f'PRAGMA index_info("{index}")').fetchone()[2]
            for _, index, *_ in db.execute(f'PRAGMA index_list("{table}")')
        }
        primary = {row[1] for row in db.execute(f'PRAGMA table_info("{table}")') if row[5] == 1}
        for fk in db.execute(f'PRAGMA foreign_key_list("{table}")'):
            parent, column = fk[2], fk[3]
            if parent == "articles" and column not in leading | primary:
                unindexed.append(f"{table}.{column}")
    assert unindexed == []


@pytest.mark.parametrize(
    ("title", "body", "reason"),
    [
        ("Бет табылмады", LONG_BODY, "'not found' page"),
        ("404 – Page not found", LONG_BODY, "'not found' page"),
        ("Каспий теңізінің болашағы", "Материал уақытша қолжетімсіз.", "body shrank"),
    ],
)
def test_a_garbage_capture_is_not_a_new_version(
    archive: Archive, title: str, body: str, reason: str
) -> None:
    archive.write_batch([(make_article(body=LONG_BODY), [])])
    before = archive.db.execute("SELECT * FROM articles").fetchall()
    garbage = make_article(
        title=title, body=body, published_date=None, fetched_at="2026-01-02T10:00:00+00:00"
    )
    assert archive.write_batch([(garbage, [])]) == ["kept"]
    assert archive.db.execute("SELECT * FROM articles").fetchall() == before
    assert archive.count("article_versions") == 0
    [(kind, detail)] = _anomalies(archive)
    assert kind == "not_a_version" and reason in detail


def test_a_headline_about_something_not_found_is_an_edit(archive: Archive) -> None:
    archive.write_batch([(make_article(body=LONG_BODY), [])])
    edited = make_article(title="Ұшақ табылмады", body=LONG_BODY + " Жаңарту.")
    assert archive.write_batch([(edited, [])]) == ["updated"]
    assert _anomalies(archive) == []


def test_a_batch_writes_the_same_rows_as_one_article_at_a_time(tmp_path: Path) -> None:
    """A batch's rows are held back and written per table at its end: the same rows as
    articles written one by one (shared authors, a related link to an article of the same
    batch, a near-duplicate, an alias by identical text)."""

    def articles() -> list[Article]:
        link = RelatedLink("similar", 1, URL, "Каспий", None, None, None)
        return [
            make_article(body=LONG, published_date="2025-01-01"),
            make_article(url=URL + "-2", body="Қайта жариялау. " + LONG, related=[link]),
            make_article(url=URL + "-long-alias", body=LONG, published_date="2025-01-01"),
            make_article(url=URL + "-3", body="Басқа мақала.", authors=[]),
        ]

    tables = ("articles", "article_urls", "authors", "article_authors", "related_links",
              "article_minhash", "article_lsh", "article_versions")  # fmt: skip
    dumps = []
    for name, batches in (("batch", [articles()]), ("single", [[a] for a in articles()])):
        with Archive(tmp_path / f"{name}.sqlite") as a:
            for batch in batches:
                a.write_batch([(article, []) for article in batch], run_start=lambda _: "")
            dumps.append(
                {t: sorted(map(tuple, a.db.execute(f"SELECT * FROM {t}"))) for t in tables}
            )
    assert dumps[0] == dumps[1]
    assert dumps[0]["related_links"][0][-2] == 1  # linked to the batch's first article


def test_a_run_by_any_name_but_reparse_is_a_crawl_of_its_start_url(tmp_path: Path) -> None:
    """Issue 22: bench/crawl.py labels its runs ``bench`` (``CrawlOptions.command``, free
    text for a caller of ``run_crawl``); reparse read the origin only of runs labelled
    ``crawl`` or ``demo``, so it read the loopback captures with qazdauiri.kz's profile,
    claimed none and refused its rebuild ("0 of N articles")."""
    with Archive(tmp_path / "a.sqlite") as archive:
        args = {"start_url": "http://127.0.0.1:8123/", "mirrors": ["http://127.0.0.1:8124"]}
        archive.begin_crawl("bench", args)
        archive.begin_crawl("reparse", {"db": "a.sqlite"})
        assert archive.crawled_origin() == ("http://127.0.0.1:8123", ("http://127.0.0.1:8124",))
        assert archive.crawl_arguments() == [args]
        assert len(archive.crawl_runs()) == 1


def test_a_crawl_begun_in_the_second_of_an_earlier_runs_last_capture_starts_after_it(
    tmp_path: Path,
) -> None:
    """Reparse tells which run fetched a capture by its time (``crawl_runs``: second
    granularity, as the captures'); a second crawl begun in the second of the first one's
    last capture took that capture for its own, so reparse could name an article by the
    other URL of an alias pair than the crawl had (``after == before`` of
    tests/test_multisite_e2e.py's second-run test). A crawl starts after every capture
    made before it."""
    from kazscraper.archive.state import utc_now
    from kazscraper.crawler.pipelines.sink import run_start_of
    from kazscraper.warc.records import Capture

    with Archive(tmp_path / "a.sqlite") as archive:
        archive.begin_crawl("crawl", {})
        fetched = utc_now()  # the first run's last capture, in the second the next run begins
        archive.add_captures([Capture(URL, 200, fetched, "response", "a.warc.gz", 0, 1, "d")])
        archive.begin_crawl("crawl", {})
        (first, _), (second, _) = archive.crawl_runs()
    assert second > fetched, (first, fetched, second)
    assert run_start_of([first, second])(fetched) == first


def test_a_capture_the_profile_no_longer_reads_does_not_replace_its_reading(
    archive: Archive,
) -> None:
    """A redesign: the stored body came from the site profile, a new capture's from the
    generic layer (the profile's rule no longer finds it; that run exits 3). Its other
    reading is not stored over the profile's (an ``anomalies`` row says so; the capture is
    in the WARC files, and a reparse after `profile accept` reads it with the new profile);
    a capture the profile reads is stored as any edit."""
    first = make_article(body=LONG_BODY, extraction={"body": "profile"})
    archive.write_batch([(first, [])])
    teasers = LONG_BODY + "Ұқсас жаңалықтар: тағы бір тақырып."
    generic = make_article(body=teasers, extraction={"body": "generic"})
    assert archive.write_batch([(generic, [])]) == ["kept"]
    assert archive.db.execute("SELECT version, body FROM articles").fetchone() == (1, LONG_BODY)
    [(kind, detail)] = _anomalies(archive)
    assert kind == "layout_changed" and "site profile" in detail
    same = make_article(body=LONG_BODY, extraction={"body": "generic"})
    assert archive.write_batch([(same, [])]) == ["unchanged"]  # the same text: no anomaly
    edited = make_article(body=LONG_BODY + "Түзету.", extraction={"body": "profile"})
    assert archive.write_batch([(edited, [])]) == ["updated"]
    assert len(_anomalies(archive)) == 1


def test_the_same_text_read_by_the_profile_is_recorded_as_the_profile_s(
    archive: Archive,
) -> None:
    """A revisit that reads the same text through the site profile (learned after the first
    crawl) is ``unchanged``, and the row says its title and body now come from the profile:
    a later capture the profile no longer reads does not replace them (before, the first
    crawl's ``generic`` stayed, and a redesign's other reading became a new version)."""
    archive.write_batch([(make_article(body=LONG_BODY, extraction={"body": "generic"}), [])])
    again = make_article(body=LONG_BODY, extraction={"body": "profile", "title": "profile"})
    assert archive.write_batch([(again, [])]) == ["unchanged"]
    stored = json.loads(archive.db.execute("SELECT extraction FROM articles").fetchone()[0])
    assert stored["body"] == "profile" and stored["title"] == "profile"
    other = make_article(body=LONG_BODY + "Тағы бір тақырып.", extraction={"body": "generic"})
    assert archive.write_batch([(other, [])]) == ["kept"]


def test_the_same_text_lookup_reads_the_content_hash_index(archive: Archive) -> None:
    """Each new article asks for an earlier one with its text: by the content hash's index,
    one row, never every article of its site (SQLite chose the site's index: quadratic)."""
    from kazscraper.archive.articles import SAME_TEXT

    archive.write_batch([(make_article(url=f"{URL}-{i}", body=f"мәтін {i}"), []) for i in range(3)])
    plan = " ".join(r[3] for r in archive.db.execute(f"EXPLAIN QUERY PLAN {SAME_TEXT}", ["h", "s"]))
    assert "idx_articles_content_hash" in plan and "idx_articles_site" not in plan


def test_a_crawl_restarted_in_the_second_of_a_killed_runs_last_capture_begins_after_it(
    tmp_path: Path,
) -> None:
    """The archive owner begins the crawl (``ArchiveExtension.__init__``) before the WARC
    middleware re-indexes the killed run's last records (``opened``: ``reindex_captures``);
    ``_after_last_capture`` reads the captures table only, so a run restarted (a supervisor's
    ``Restart=``) in the second of the killed run's last capture begins in that second and
    reparse's ``run_start_of``/``crawl_of`` give that capture to the new crawl."""
    db = tmp_path / "a.db"
    archive = Archive(db, site="qazdauiri")
    archive.begin_crawl("crawl", {})
    time.sleep(1.05 - datetime.now(UTC).microsecond / 1e6)  # early in a fresh second
    writer = WarcArchiver(warc_directory(db), warc_name(db))
    capture = writer.write(replace(exchange(), fetched_at=datetime.now(UTC)))
    writer.close()  # (killed: its row was still in memory; the file recovered at open)
    second = archive.begin_crawl("crawl", {})  # the restart, in the same second
    assert reindex_captures(archive, warc_directory(db), warc_name(db)) == 1
    (started,) = archive.db.execute(
        "SELECT started_at FROM crawls WHERE id = ?", [second]
    ).fetchone()
    assert started > capture.fetched_at, (started, capture.fetched_at)


def _dump(path: Path) -> dict[str, object]:
    """Every object's SQL and every table's rows (the full-text index's shadow tables
    aside: a new index is laid out unlike an emptied one, and holds the same nothing)."""
    conn = sqlite3.connect(path)
    try:
        objects = sorted(
            conn.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'articles_fts_%'"
            )
        )
        rows = {
            name: sorted(map(repr, conn.execute(f'SELECT * FROM "{name}"')))
            for kind, name, sql in objects
            if kind == "table" and not str(sql).startswith("CREATE VIRTUAL")
        }
        fts = conn.execute("SELECT count(*) FROM articles_fts").fetchone()
        return {"objects": objects, "rows": rows, "fts": fts}
    finally:
        conn.close()


def test_a_reparse_copy_is_the_archive_with_the_rebuilt_tables_empty(tmp_path: Path) -> None:
    """``copy_to(path, empty=REBUILT_TABLES)`` (the reparse's copy, no article row copied)
    gives the file a whole copy gives once ``clear_articles`` has emptied it: the same
    schema, the same kept rows (captures, crawls, failures, migrations), no article."""
    from kazscraper.archive.articles import REBUILT_TABLES
    from kazscraper.warc.records import Capture

    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        crawl = archive.begin_crawl("crawl", {"db": "a.sqlite"})
        archive.write_batch([(make_article(body=LONG_BODY, category="Қоғам"), [])], crawl)
        archive.write_batch([(make_article(URL + "-2", body=LONG_BODY + "Түзету."), [])], crawl)
        archive.record_failure(URL + "-3", "fetch", "timeout", None, crawl)
        archive.add_to_frontier([URL + "-4"])
        archive.add_captures(
            [Capture(URL, 200, "2025-01-01T00:00:00+00:00", "response", "a.warc.gz", 0, 99, "s")]
        )
        archive.copy_to(tmp_path / "whole.sqlite")
        archive.copy_to(tmp_path / "kept.sqlite", empty=REBUILT_TABLES)
    with Archive(tmp_path / "whole.sqlite") as whole:
        whole.clear_articles()
    kept = _dump(tmp_path / "kept.sqlite")
    assert kept == _dump(tmp_path / "whole.sqlite")
    rows = kept["rows"]
    assert isinstance(rows, dict) and rows["articles"] == [] and rows["frontier"] == []
    assert len(rows["captures"]) == 1 and len(rows["failures"]) == 1 and len(rows["crawls"]) == 1
    with Archive(tmp_path / "kept.sqlite") as copy:  # a usable archive, search included
        copy.write_batch([(make_article(body=LONG_BODY), [])])
        assert copy.db.execute(
            "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Каспий'"
        ).fetchone() == (1,)


def test_the_reparse_copy_takes_an_archive_with_an_analysts_full_text_index(
    tmp_path: Path,
) -> None:
    """copy_schema raises ValueError for any virtual table not in ``empty``: an archive
    to which an analyst added a full-text index (``sqlite-utils enable-fts a.sqlite
    authors name``, datasette's search) can no longer be reparsed at all (VACUUM INTO +
    clear_articles copied it, and its triggers emptied it with the authors)."""
    with Archive(tmp_path / "a.sqlite") as archive:
        archive.db["authors"].enable_fts(["name"], create_triggers=True)
        archive.write_batch([(make_article(), [])])  # an author row
        archive.copy_to(tmp_path / "b.sqlite", empty=REBUILT_TABLES)
    with sqlite3.connect(tmp_path / "b.sqlite") as copy:  # emptied with its table
        assert copy.execute("SELECT count(*) FROM authors").fetchone() == (0,)
        assert copy.execute("SELECT count(*) FROM authors_fts").fetchone() == (0,)


def test_copy_schema_keeps_one_autoincrement_counter_per_table(tmp_path: Path) -> None:
    """Latent (no AUTOINCREMENT table in m001-m011 today): the kept rows' INSERT already
    fills main.sqlite_sequence, then the source's rows are inserted beside them: two rows
    for one table (sqlite_sequence has no key), the older counter first."""
    source = tmp_path / "s.sqlite"
    conn = sqlite3.connect(source)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, x)")
    conn.executemany("INSERT INTO t (x) VALUES (?)", [(i,) for i in range(5)])
    conn.execute("DELETE FROM t WHERE id = 5")
    conn.commit()
    conn.close()
    copy_schema(source, tmp_path / "t.sqlite", frozenset())
    with sqlite3.connect(tmp_path / "t.sqlite") as copy:
        assert copy.execute("SELECT name, seq FROM sqlite_sequence").fetchall() == [("t", 5)]
