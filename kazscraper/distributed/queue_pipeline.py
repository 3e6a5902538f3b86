"""The last pipeline of a worker: the records a local crawl's sink gets, pushed to Redis."""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from kazscraper.archive.records import AliasRecord, ArticleRecord, FailureRecord, Record
from kazscraper.crawler.pipelines.records import dropped_record, error_record, item_record
from kazscraper.crawler.signals import alias_found, page_failed, raw_capture_failed
from kazscraper.distributed.lifecycle import pushing, worker_owner
from kazscraper.distributed.wire import encode


class QueuePipeline:
    """The last pipeline of a worker: the records the local store pipeline hands to the
    archive's sink, pushed to Redis for ``kazscraper store`` to replay into it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = worker_owner(crawler)
        crawler.signals.connect(self.on_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_item_error, signal=signals.item_error)
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_alias_found, signal=alias_found)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QueuePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        record = item_record(item)
        if record is not None:
            self._push(record)
            if isinstance(record, ArticleRecord):
                self.stats.inc_value("kazscraper/distributed/articles_pushed")
        return item

    def on_item_scraped(self, item: Any, response: Response | None) -> None:
        self._done(response)

    def on_item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        record = dropped_record(response, exception)
        if record is not None:
            self._push(record)
        self._done(response)

    def on_item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        record = error_record(item, response, failure)
        if record is not None:
            self._push(record)
        self._done(response)

    def on_page_failed(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self._push(FailureRecord(url, stage, reason, http_status))

    def on_alias_found(self, url: str, canonical: str) -> None:
        self._push(AliasRecord(url, canonical))

    # once this worker's WARC folder refused a write (it is stopping), nothing more is
    # pushed nor acknowledged, so no row names a page whose capture is on no disk; its
    # requests in flight wait in Redis for its restart, as a stopped worker's do

    def _done(self, response: Response | None) -> None:
        if not raw_capture_failed(self.crawler):
            self.worker.item_done(response)

    def _push(self, record: Record) -> None:
        if raw_capture_failed(self.crawler):
            return
        if isinstance(record, FailureRecord):
            self.stats.inc_value("kazscraper/failures")
        with pushing(self.crawler):
            self.worker.queue.push(encode(record))
