"""Review finding (branch review1): state.begin_crawl's wait does not see a killed run's
captures that are in its WARC files but not yet in the captures table."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.warc_capture import warc_directory, warc_name
from kazscraper.warc.index import reindex_captures
from kazscraper.warc.records import Exchange
from kazscraper.warc.writer import WarcArchiver


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
    capture = writer.write(
        Exchange(
            url="https://qazdauiri.kz/news/1",
            method="GET",
            request_headers=[],
            status=200,
            response_headers=[("Content-Type", "text/html")],
            body=b"<html><body><p>x</p></body></html>",
            fetched_at=datetime.now(UTC),
        )
    )
    writer.close()  # (killed: its row was still in memory; the file recovered at open)
    second = archive.begin_crawl("crawl", {})  # the restart, in the same second
    assert reindex_captures(archive, warc_directory(db), warc_name(db)) == 1
    (started,) = archive.db.execute(
        "SELECT started_at FROM crawls WHERE id = ?", [second]
    ).fetchone()
    assert started > capture.fetched_at, (started, capture.fetched_at)
