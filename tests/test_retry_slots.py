"""Retry-After waits belong to the site's slot (issue 21, item 13): a 429/503 with
``Retry-After`` holds the site's download slot and returns the retry at once; nothing waits
inside the downloader holding one of the run's CONCURRENT_REQUESTS (six healthy articles
of a second site waited 20 s behind a first site's waits), and nothing blocks the reactor."""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any

from scrapy import Request, Spider
from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from kazscraper.crawler import settings as default_settings
from kazscraper.crawler.middlewares.retry import BackoffRetryMiddleware
from kazscraper.crawler.slots import SiteSlotDownloader

A, B = "http://127.0.0.1:8001", "http://127.0.0.1:8002"


def crawler_and_downloader() -> tuple[Any, SiteSlotDownloader]:
    settings = {k: getattr(default_settings, k) for k in dir(default_settings) if k.isupper()}
    crawler = get_crawler(Spider, settings)
    crawler.spider = Spider.from_crawler(crawler, "t")
    downloader = SiteSlotDownloader(crawler)
    crawler.engine = type("Engine", (), {"downloader": downloader})()
    for origin in (A, B):
        downloader.slots[origin.removeprefix("http://")] = Slot(4, 0.5, 0.0)
    return crawler, downloader


def queue(downloader: SiteSlotDownloader, origin: str, count: int) -> None:
    """``count`` requests of ``origin`` in the downloader, waiting in its slot's queue."""
    slot = downloader.slots[origin.removeprefix("http://")]
    for n in range(count):
        request = Request(f"{origin}/news/{n}")
        downloader.active.add(request)
        slot.active.add(request)
        slot.queue.append((request, None))


def test_a_retry_after_holds_the_sites_slot_and_returns_the_retry_at_once() -> None:
    asyncio.run(_retry_after_holds_the_slot())  # Scrapy's timers need a running loop


async def _retry_after_holds_the_slot() -> None:
    crawler, downloader = crawler_and_downloader()
    middleware = BackoffRetryMiddleware.from_crawler(crawler)
    request = Request(f"{A}/news/x")
    response = Response(request.url, status=429, headers={"Retry-After": "30"}, request=request)
    step = middleware.process_response(request, response)
    try:
        step.send(None)  # a middleware that waits would suspend here
        raise AssertionError("the middleware waited instead of returning the retry")
    except StopIteration as done:
        retry = done.value
    assert isinstance(retry, Request) and retry.url == request.url
    assert retry.meta["retry_times"] == 1
    slot = downloader.slots["127.0.0.1:8001"]
    try:
        assert slot.latercall is not None  # the site's slot starts nothing meanwhile
        assert 25 < downloader.held["127.0.0.1:8001"] - monotonic() <= 30
        assert "127.0.0.1:8002" not in downloader.held  # the other site is not held
    finally:
        slot.close()


def test_requests_waiting_in_a_held_slot_do_not_stop_other_sites() -> None:
    asyncio.run(_held_requests_do_not_count())


async def _held_requests_do_not_count() -> None:
    _, downloader = crawler_and_downloader()
    assert downloader.total_concurrency == 8
    queue(downloader, A, 8)
    assert downloader.needs_backout()  # not held: Scrapy's rule, 8 of 8 in the downloader
    downloader.hold(Request(f"{A}/news/x"), 60)
    try:
        assert not downloader.needs_backout()  # site B's requests still go
        queue(downloader, B, 7)
        assert not downloader.needs_backout()
        queue(downloader, A, 9)  # 17 of A wait: past 8 they count again (bounded memory)
        assert downloader.needs_backout()
    finally:
        downloader.slots["127.0.0.1:8001"].close()
