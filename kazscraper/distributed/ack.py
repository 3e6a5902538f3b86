"""Counts the items each response produced, so its request is acknowledged once they are pushed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response

from kazscraper.distributed.lifecycle import worker_owner


class AckSpiderMiddleware:
    """Counts the items each response produced (their push acknowledges the request)."""

    def __init__(self, crawler: Crawler) -> None:
        self.worker = worker_owner(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AckSpiderMiddleware:
        return cls(crawler)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        raised = False
        try:
            for output in result:
                if not isinstance(output, Request):
                    self.worker.item_out(response.request)  # type: ignore[arg-type]
                yield output
        except Exception:
            # acknowledged by the spider's spider_error handler once its failure is pushed
            # (``WorkerSpider.on_spider_error``): a kill in between loses nothing
            raised = True
            raise
        finally:
            if not raised:
                self.worker.output_done(response.request)  # type: ignore[arg-type]

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        raised = False
        try:
            async for output in result:
                if not isinstance(output, Request):
                    self.worker.item_out(response.request)  # type: ignore[arg-type]
                yield output
        except Exception:
            # acknowledged by the spider's spider_error handler once its failure is pushed
            # (``WorkerSpider.on_spider_error``): a kill in between loses nothing
            raised = True
            raise
        finally:
            if not raised:
                self.worker.output_done(response.request)  # type: ignore[arg-type]
