"""A worker's raw capture: its own WARC files, each capture record pushed to Redis."""

from __future__ import annotations

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from kazscraper.archive.records import CaptureRecord
from kazscraper.crawler.middlewares.warc_capture import (
    WarcCaptureMiddleware,
    warc_directory,
    warc_name,
)
from kazscraper.crawler.signals import stop_on_archive_error
from kazscraper.distributed.lifecycle import worker_owner
from kazscraper.distributed.wire import encode
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.writer import WarcArchiver


class WorkerWarcCapture(WarcCaptureMiddleware):
    """Raw capture into the worker's own WARC files (``<archive>-<worker>-…``), each
    capture record pushed to Redis as soon as it is written."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.worker = worker_owner(crawler)

    def opened(self, spider: Spider) -> None:
        directory, name = warc_directory(self.db_path), warc_name(self.db_path)
        recover_open_files(directory, name, worker=self.worker.name)  # left by a kill
        self.archiver = WarcArchiver(directory, name, self.max_bytes, worker=self.worker.name)
        self.archive = None  # the worker has no archive: the store indexes the captures

    def process_response(self, request: Request, response: Response) -> Response:
        result = super().process_response(request, response)
        self.flush()
        return result

    def flush(self) -> None:
        if self.pending:
            try:
                self.worker.queue.push(*(encode(CaptureRecord(c)) for c in self.pending))
            except redis.RedisError as exc:
                stop_on_archive_error(self.crawler, "Redis", exc)
        self.pending = []
        self.unflushed = {}
