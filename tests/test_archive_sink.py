"""The one record sink (``archive.sink``), on a real archive file: what a local crawl's
store pipeline and ``kazscraper store`` both write through."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from kazscraper.archive import Archive
from kazscraper.archive.records import (
    AliasRecord,
    ArticleRecord,
    CaptureRecord,
    FailureRecord,
    RevisitRecord,
)
from kazscraper.archive.sink import MemoryWaiting, RecordSink
from kazscraper.warc.records import Capture

from .test_archive import URL, _OneBadRecord, make_article

MIRROR = "https://m.qazdauiri.kz/news/kaspii"


def capture(url: str, offset: int) -> Capture:
    return Capture(url, 200, "2026-01-01T10:00:00+00:00", "response", "a.warc.gz", offset,
                   100, "sha1:X")  # fmt: skip


@pytest.fixture
def archive(tmp_path: Path):
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as a:
        yield a


def sink_of(archive: Archive, **kw) -> RecordSink:
    return RecordSink(archive, archive.begin_crawl("crawl", {}), **kw)


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:  # another connection: only what was committed
        return conn.execute(sql).fetchall()


def test_every_kind_of_record_in_one_batch(archive: Archive) -> None:
    sink = sink_of(archive)
    batch = [
        CaptureRecord(capture(URL, 0)),
        FailureRecord(URL + "-gone", "fetch", "HTTP 404", 404),
        ArticleRecord(make_article(), {URL + "?utm=x"}),
        AliasRecord(MIRROR, URL),
        RevisitRecord(URL, "2026-01-02T10:00:00+00:00"),
    ]
    counts = sink.write(batch)
    assert counts == {"captures": 1, "failures": 1, "articles_new": 1, "articles_unchanged": 1}
    db = archive.path
    assert rows(db, "SELECT url, last_seen_at FROM articles") == [
        (URL, "2026-01-02T10:00:00+00:00")
    ]
    urls = {u for (u,) in rows(db, "SELECT url FROM article_urls")}
    assert urls == {URL, URL + "?utm=x", MIRROR}
    assert rows(db, "SELECT url, stage, http_status FROM failures") == [
        (URL + "-gone", "fetch", 404)
    ]
    assert rows(db, "SELECT url, offset FROM captures") == [(URL, 0)]


def test_a_batch_written_twice_changes_nothing_but_the_outcome(archive: Archive) -> None:
    sink = sink_of(archive)
    batch = [
        CaptureRecord(capture(URL, 0)),
        FailureRecord(URL + "-gone", "fetch", "HTTP 500", 500),
        ArticleRecord(make_article()),
    ]
    assert sink.write(batch) == {"captures": 1, "failures": 1, "articles_new": 1}
    assert sink.write(batch) == {"articles_unchanged": 1}  # delivered again after a kill
    assert rows(archive.path, "SELECT count(*) FROM captures") == [(1,)]
    assert rows(archive.path, "SELECT attempts FROM failures") == [(1,)]


def test_records_are_applied_in_the_order_they_came(archive: Archive) -> None:
    # a page that failed and then was stored in the same batch is no failure
    sink = sink_of(archive)
    sink.write([FailureRecord(URL, "fetch", "timeout"), ArticleRecord(make_article())])
    assert rows(archive.path, "SELECT count(*) FROM failures") == [(0,)]


def test_an_alias_before_its_article_waits_for_it(archive: Archive) -> None:
    waiting = MemoryWaiting()
    sink = sink_of(archive, waiting=waiting)
    assert sink.write([AliasRecord(MIRROR, URL)]) == {}
    assert waiting.everything() == {URL: {MIRROR}}
    sink.write([ArticleRecord(make_article())])
    assert waiting.everything() == {}
    assert (MIRROR,) in rows(archive.path, "SELECT url FROM article_urls")


def test_an_alias_naming_an_address_of_a_stored_article_is_written_at_the_end(
    archive: Archive,
) -> None:
    # a redirect to a page that is itself an alias: its canonical is no article's URL
    # until the article that names it is stored, later in the run
    sink = sink_of(archive, batch_size=1)
    sink.add(AliasRecord(MIRROR, URL + "?utm=x"))
    sink.add(ArticleRecord(make_article(), {URL + "?utm=x"}))
    assert (MIRROR,) not in rows(archive.path, "SELECT url FROM article_urls")
    sink.finish()
    assert (MIRROR,) in rows(archive.path, "SELECT url FROM article_urls")


def test_add_writes_a_batch_once_it_is_full(archive: Archive) -> None:
    sink = sink_of(archive, batch_size=3)
    assert sink.add(ArticleRecord(make_article(URL + "-1", "Бір."))) == {}
    assert sink.add(FailureRecord(URL + "-2", "extract", "no body")) == {}
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(0,)]
    counts = sink.add(ArticleRecord(make_article(URL + "-3", "Үш.")))
    assert counts == {"articles_new": 2, "failures": 1}
    assert rows(archive.path, "SELECT count(*) FROM articles") == [(2,)]
    assert sink.pending == []


def test_two_captures_of_one_url_in_one_batch_are_two_versions(archive: Archive) -> None:
    sink = sink_of(archive, run_start=lambda _: "")
    edited = make_article(body="Түзетілген мәтін.", fetched_at="2026-01-08T10:00:00+00:00")
    assert sink.write([ArticleRecord(make_article()), ArticleRecord(edited)]) == {
        "articles_new": 1,
        "articles_updated": 1,
    }
    assert rows(archive.path, "SELECT version FROM articles") == [(2,)]
    assert rows(archive.path, "SELECT version FROM article_versions") == [(1,)]


def test_an_article_the_archive_refuses_is_a_failure_with_its_addresses(
    tmp_path: Path,
) -> None:
    with _OneBadRecord(tmp_path / "a.sqlite") as archive:
        sink = sink_of(archive)
        bad = make_article(url=_OneBadRecord.bad, body="Жаман.")
        counts = sink.write(
            [ArticleRecord(make_article()), ArticleRecord(bad, {_OneBadRecord.bad + "?m=1"})]
        )
        assert counts == {"articles_new": 1, "store_errors": 1, "failures": 2}
        failures = rows(archive.path, "SELECT url, stage, reason FROM failures ORDER BY url")
    assert failures == [
        (_OneBadRecord.bad, "store", "cannot store: ValueError: unforeseen"),
        (
            _OneBadRecord.bad + "?m=1",
            "store",
            f"cannot store: ValueError: unforeseen (an address of {_OneBadRecord.bad})",
        ),
    ]


def test_a_batch_is_one_transaction(archive: Archive) -> None:
    sink = sink_of(archive)
    archive.db.execute("PRAGMA query_only = ON")  # the archive refuses every write
    with pytest.raises(sqlite3.OperationalError):
        sink.write([FailureRecord(URL + "-x", "fetch", "HTTP 500"), ArticleRecord(make_article())])
    archive.db.execute("PRAGMA query_only = OFF")
    assert rows(archive.path, "SELECT count(*) FROM failures") == [(0,)]
