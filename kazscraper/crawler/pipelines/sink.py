"""The last pipeline of a local crawl: every record of the run, handed to the archive's sink."""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from kazscraper.archive import Archive
from kazscraper.archive.records import AliasRecord, FailureRecord, Record
from kazscraper.archive.sink import RecordSink
from kazscraper.crawler.archive_owner import archive_of
from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.records import dropped_record, error_record, item_record
from kazscraper.crawler.signals import (
    alias_found,
    archive_batch_due,
    page_failed,
    raw_capture_failed,
    stop_on_archive_error,
)


def run_start_of(starts: list[str]) -> Callable[[str], str]:
    """When the run that fetched a capture at ``fetched_at`` began (``starts``: oldest first)."""

    def run_start(fetched_at: str) -> str:
        index = bisect.bisect_right(starts, fetched_at) - 1
        return starts[index] if index >= 0 else ""

    return run_start


def crawl_of(runs: list[tuple[str, int]]) -> Callable[[str], int | None]:
    """The crawl that fetched a capture at ``fetched_at`` (``runs``: ``(started_at, id)``,
    oldest first): a reparse's anomalies keep its id."""
    starts = [started for started, _ in runs]

    def crawl(fetched_at: str) -> int | None:
        index = bisect.bisect_right(starts, fetched_at) - 1
        return runs[index][1] if index >= 0 else None

    return crawl


class SinkPipeline(CrawlerPipeline):
    """Hands articles, revisits, aliases and failures to the archive's sink (``RecordSink``),
    which writes them in batched transactions; counts what it wrote."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.db_path = settings.get("KAZSCRAPER_DB")
        self.batch_size = settings.getint("KAZSCRAPER_BATCH_SIZE", 100)
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.sink: RecordSink | None = None
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_item_error, signal=signals.item_error)
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_alias_found, signal=alias_found)

    def open_spider(self) -> None:
        owner = archive_of(self.crawler)
        if owner is None or owner.archive is None:
            return
        self.archive, self.crawl_id = owner.archive, owner.crawl_id
        capture_crawl = None
        if self.dedup_within_run:
            starts = [self.archive.crawl_started_at(self.crawl_id)]
        else:  # reparse: the captures of every earlier crawl, each with its own run
            runs = self.archive.crawl_runs()
            starts, capture_crawl = [started for started, _ in runs], crawl_of(runs)
        self.sink = RecordSink(
            self.archive,
            self.crawl_id,
            run_start_of(starts),
            batch_size=self.batch_size,
            capture_crawl=capture_crawl,
        )

    def process_item(self, item: Any) -> Any:
        record = item_record(item)
        if record is not None:
            self._hand(record)
        return item

    def on_item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        record = dropped_record(response, exception)
        if record is not None:
            self._hand(record)

    def on_item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        """A pipeline that raised (a bug, not a verdict on the page) loses no URL: it is a
        failure row with the error, retried next run."""
        record = error_record(item, response, failure)
        if record is not None:
            self._hand(record)

    def on_alias_found(self, url: str, canonical: str) -> None:
        self._hand(AliasRecord(url, canonical))

    def on_page_failed(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self._hand(FailureRecord(url, stage, reason, http_status))

    def _hand(self, record: Record) -> None:
        if self.sink is None:  # no archive (or no more writes this run): counted only
            if isinstance(record, FailureRecord):
                self.stats.inc_value("kazscraper/failures")
            return
        if len(self.sink.pending) + 1 >= self.sink.batch_size:
            self.crawler.signals.send_catch_log(archive_batch_due)
        if self._stopped_by_raw_capture():
            return
        with self._writing():
            self._count(self.sink.add(record))

    def _stopped_by_raw_capture(self) -> bool:
        """The WARC folder or the captures index refused a write (the crawl is stopping):
        no more rows this run, not even the batch in hand, whose pages' records may be on no
        disk. The archive keeps every committed batch; those pages are fetched next run."""
        if not raw_capture_failed(self.crawler):
            return False
        self.sink = None
        self.archive = None
        return True

    def _count(self, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            self.stats.inc_value(f"kazscraper/{name}", value)
        if counts and self.archive is not None:
            # revisits that were garbage (kept as stored) or lost fields (kept field by field);
            # a reparse's are under the crawls that fetched them (it emptied the table first)
            recorded = (
                self.archive.anomalies_of(self.crawl_id)
                if self.dedup_within_run
                else self.archive.count("anomalies")
            )
            self.stats.set_value("kazscraper/anomalies", recorded)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A write the archive refuses (disk full, read-only file, I/O error) stops the crawl.

        The transaction is rolled back by SQLite, so the file stays consistent and holds
        every batch committed before; the pages not stored are fetched again next run.
        """
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            self.sink = None  # no more writes this run
            self.archive = None
            stop_on_archive_error(self.crawler, str(self.db_path), exc)

    def close_spider(self) -> None:
        if self.sink is None:
            return
        self.crawler.signals.send_catch_log(archive_batch_due)
        if self._stopped_by_raw_capture():
            return
        with self._writing():
            self._count(self.sink.finish())
        self.sink = None
        self.archive = None  # the archive extension writes the crawls row and closes the file
