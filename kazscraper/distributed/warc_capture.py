"""A worker's raw capture: its own WARC files, each capture record pushed to Redis.

Its files go into the WARC folder beside its ``--db`` (``warc_directory``), or, with
``crawl --redis --warc-dir DIR``, into ``DIR``: the archive's own WARC folder shared with
the store's machine (a network mount), where ``reparse`` of the archive reads them. They are
then named after the archive the store writes (its name in Redis), not the worker's
``--db``, so that the archive's ``reparse`` takes them as its own.
"""

from __future__ import annotations

import json
from pathlib import Path

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
        directory, name = self.where()
        recover_open_files(directory, name, worker=self.worker.name)  # left by a kill
        self.archiver = WarcArchiver(directory, name, self.max_bytes, worker=self.worker.name)
        self.archive = None  # the worker has no archive: the store indexes the captures

    def where(self) -> tuple[Path, str]:
        """The worker's WARC folder and its files' archive name (``warc_name``)."""
        shared = self.crawler.settings.get("KAZSCRAPER_WARC_DIR")
        if not shared:
            return warc_directory(self.db_path), warc_name(self.db_path)
        raw = self.worker.client.get(self.worker.keys.store)  # the crawl joined is open
        try:
            archive = str(json.loads(raw or "{}")["db"])
        except (ValueError, KeyError, TypeError):
            archive = self.db_path
        return Path(shared), warc_name(archive)

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
