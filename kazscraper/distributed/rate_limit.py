"""One request per download delay per host, across all the workers of a crawl."""

from __future__ import annotations

from time import monotonic

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

from kazscraper.crawler.signals import stop_on_archive_error
from kazscraper.crawler.slots import slot_of
from kazscraper.distributed import RedisKeys
from kazscraper.distributed.lifecycle import worker_owner


class HostRateLimit:
    """One request per download delay per host, across all the workers of the crawl.

    Before a request, once its own download slot would send it at once (``local_wait``),
    the worker sets ``<prefix>:host:<host:port>`` with ``SET NX PX`` for the host's
    delay (``DOWNLOAD_DELAY``, or the slot's delay when AutoThrottle or a robots.txt
    ``Crawl-delay`` made it longer); when another worker holds the key, it waits for the
    key's remaining time and tries again. With no delay (the loopback
    replica) it does nothing."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.worker = worker_owner(crawler)
        self.delay = crawler.settings.getfloat("DOWNLOAD_DELAY", 0.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HostRateLimit:
        return cls(crawler)

    def delay_for(self, request: Request) -> float:
        """The host's delay: the download delay, the slot's (AutoThrottle, Crawl-delay), or
        the delay its slot is made with (``DOWNLOAD_SLOTS``: a robots.txt ``Crawl-delay``
        read before the slot exists, or after Scrapy dropped it when idle)."""
        delay = self.delay
        engine = self.crawler.engine
        if engine is not None:
            downloader = engine.downloader
            key = downloader.get_slot_key(request)
            slot = downloader.slots.get(key)
            if slot is not None:
                delay = max(delay, slot.delay)
            made_with = downloader.per_slot_settings.get(key, {}).get("delay")
            if made_with is not None:
                delay = max(delay, float(made_with))
        return delay

    def local_wait(self, request: Request) -> float:
        """Seconds until this worker's own download slot would send ``request`` at once
        (its delay since its last request has passed, nothing queued before it). A turn
        is taken only then: a turn taken while the slot still holds the request would let
        it out late, close behind the next worker's turn."""
        engine = self.crawler.engine
        if engine is None:
            return 0.0
        downloader = engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return 0.0
        wait = slot.lastseen + slot.delay - monotonic()
        if slot.queue or slot.latercall is not None:  # another of ours goes first
            return max(wait, 0.01)
        return max(wait, 0.0)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = self.delay_for(request)
        if delay <= 0:
            return
        host = slot_of(request)  # host[:port], as the download slot and the site label
        while True:
            local = self.local_wait(request)
            if local > 0:
                await _pause(local)
                continue
            try:
                wait = take_host_turn(self.worker.client, self.worker.keys, host, delay)
            except redis.RedisError as exc:  # retried for the client's patience already
                stop_on_archive_error(self.crawler, "Redis", exc)
                return
            if wait <= 0:
                return
            self.crawler.stats.inc_value("kazscraper/distributed/rate_limited")
            await _pause(wait)


def take_host_turn(client: redis.Redis, keys: RedisKeys, host: str, delay: float) -> float:
    """0 when this worker may fetch from ``host`` now (the host is then held for ``delay``
    seconds); else the seconds until another worker's hold ends."""
    if client.set(keys.host(host), "1", nx=True, px=max(1, int(delay * 1000))):
        return 0.0
    left = int(client.pttl(keys.host(host)))
    return max(left, 1) / 1000 if left != -2 else 0.001


async def _pause(seconds: float) -> None:
    from twisted.internet import reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
