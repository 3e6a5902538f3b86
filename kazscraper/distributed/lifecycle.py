"""The worker's Redis owner: its connection, registration, heartbeat, acknowledgements, end."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from twisted.internet.task import LoopingCall

from kazscraper.crawler.signals import stop_on_archive_error
from kazscraper.distributed import PREFIX, RedisKeys
from kazscraper.distributed.client import connect
from kazscraper.distributed.queue import JOINED, ItemQueue, Registry
from kazscraper.distributed.scheduler import INFLIGHT
from kazscraper.distributed.stall import Acks, Rate
from kazscraper.distributed.wire import encode, stats_record
from kazscraper.distributed.worker import default_worker_name, safe_worker_name, spider_beats

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds between heartbeats (the key lives queue.HEARTBEAT_TTL)


class WorkerLifecycle:
    """The worker's Redis owner (like ``ArchiveExtension`` for a local crawl)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        url = settings.get("KAZSCRAPER_REDIS_URL")
        if not url:
            raise NotConfigured("not a Redis worker")
        self.crawler = crawler
        self.name = safe_worker_name(settings.get("KAZSCRAPER_WORKER") or default_worker_name())
        self.keys = RedisKeys(settings.get("KAZSCRAPER_REDIS_PREFIX", PREFIX))
        self.idle_timeout = settings.getfloat("KAZSCRAPER_IDLE_TIMEOUT", 60.0)
        self.client = connect(url)
        self.queue = WorkerItems(self)
        self.registry = Registry(self.client, self.keys)
        self.run = f"{self.name}-{uuid.uuid4().hex[:12]}"  # this life of the worker
        self.pending: Counter[str] = Counter()  # in-flight field -> items not yet pushed
        self.outputs_done: set[str] = set()
        self.idle_since: float | None = None
        self.requeued_once: set[str] = set()
        self.articles_scheduled = 0  # the crawl's count of article requests, as last seen
        self.heartbeat: LoopingCall | None = None
        self.refused = False  # the crawl was closed when the spider opened
        self.epoch: str | None = None  # the crawl joined (``store.crawl_epoch``)
        self.lost = False  # Redis lost that crawl's state
        self.stalled = False  # the store gave its requests to the others (``stall``)
        self.acks = Acks(self.client, self.keys, self.name)
        self.rate = Rate()
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.busy, signal=signals.request_reached_downloader)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerLifecycle:
        return cls(crawler)

    def opened(self) -> None:
        # joined already (``wait_for_store``); but a worker slow to start (its heartbeat
        # expired before its spider opened) may find the crawl closed, even cleared: it
        # stops without a trace in Redis (no registration, no heartbeat, no stats). The
        # heartbeat of its start (``worker.StartingBeat``) stops: the join beats, then this
        # spider's own heartbeat
        spider_beats(self.name)
        if self.registry.join(self.name, require_store=True) != JOINED:
            logger.error("the store closed the crawl before this worker started; stopping")
            self.refused = True
            assert self.crawler.engine is not None
            engine, spider = self.crawler.engine, self.crawler.spider
            from twisted.internet import reactor

            reactor.callLater(0, lambda: engine.close_spider(spider, "crawl_closed"))  # type: ignore[arg-type]
            return
        from kazscraper.distributed.store import crawl_epoch

        self.epoch = crawl_epoch(self.client, self.keys)  # the crawl joined
        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(HEARTBEAT_EVERY, now=False)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("kazscraper/worker", self.name)

    def crawl_lost(self) -> bool:
        """Redis no longer holds the crawl this worker joined (restarted without
        persistence, flushed): the worker stops, exit 1, saying so; nothing of it is
        pushed into whatever crawl Redis holds now."""
        from kazscraper.distributed.store import LOST, crawl_epoch

        if self.lost or self.epoch is None:  # lost already, or no crawl joined yet
            return self.lost
        if crawl_epoch(self.client, self.keys) == self.epoch:
            return False
        self.lost = True
        stop_on_archive_error(self.crawler, "Redis", RuntimeError(LOST))
        return True

    def _beat(self) -> None:
        try:
            if self.crawl_lost():
                if self.heartbeat is not None and self.heartbeat.running:
                    self.heartbeat.stop()
                return
            if self.client.sismember(self.keys.stalled, self.name):
                self.stop_stalled()
                return
            self.registry.beat(self.name)
            self.publish_stats()
            count = int(self.client.get(self.keys.articles_scheduled) or 0)
            self.articles_scheduled = max(self.articles_scheduled, count)
        except redis.RedisError as exc:  # retried for the client's patience already
            stop_on_archive_error(self.crawler, "Redis", exc)
            if self.heartbeat is not None and self.heartbeat.running:
                self.heartbeat.stop()

    def publish_stats(self) -> None:
        """This run's crawler stats so far, where the store sums them for the ``crawls``
        row (``<prefix>:stats:<run>``): a worker killed and never restarted counts up to
        its last heartbeat; its final stats, pushed when it ends, replace them."""
        assert self.crawler.stats is not None
        record = stats_record(self.name, self.run, self.crawler.stats.get_stats())
        pages = int(record.stats.get("response_received_count", 0))
        pipe = self.client.pipeline(transaction=False)
        pipe.set(self.keys.stats(self.run), json.dumps(record.stats))
        pipe.hset(self.keys.progress(self.name), "rate", f"{self.rate.add(pages):.1f}")
        pipe.execute()

    def stop_stalled(self) -> None:
        """The store found this worker stalled (requests in flight, no page finished for
        its ``--stall-after``) and gave its requests to the others: what it took since goes
        back too, it pushes nothing more, and it stops (exit 1)."""
        self.stalled = True
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        scheduler = self._scheduler()
        back = scheduler.requeue_all() if scheduler is not None else 0
        logger.error(
            "the store gave this worker's requests to the others: it finished no page for its"
            " --stall-after with requests in flight (a hung fetch?); %d more put back; stopping",
            back,
        )
        engine, spider = self.crawler.engine, self.crawler.spider
        if engine is not None and spider is not None:
            engine.close_spider(spider, "stalled")

    # -- acknowledging in-flight requests -----------------------------------------------

    def ack_field(self, field: str, page: bool = False) -> None:
        """The request of ``field`` leaves this worker's in-flight hash; ``page``: it is a
        page finished (its progress, ``stall``), not a redirect or a retry handed back."""
        self.pending.pop(field, None)
        self.outputs_done.discard(field)
        try:
            self.acks(field, page)
        except redis.RedisError as exc:  # it stays in flight: a restart puts it back
            stop_on_archive_error(self.crawler, "Redis", exc)

    def ack(self, request: Request | None) -> None:
        """A request that ended in its errback (its failure pushed): a page finished."""
        field = request.meta.get(INFLIGHT) if request is not None else None
        if field:
            self.ack_field(field, page=True)

    def item_out(self, request: Request) -> None:
        field = request.meta.get(INFLIGHT)
        if field:
            self.pending[field] += 1

    def output_done(self, request: Request) -> None:
        field = request.meta.get(INFLIGHT)
        if not field:
            return
        if self.pending.get(field, 0) <= 0:
            self.ack_field(field, page=True)
        else:
            self.outputs_done.add(field)

    def item_done(self, response: Response | None) -> None:
        request = getattr(response, "request", None)
        field = request.meta.get(INFLIGHT) if request is not None else None
        if not field or field not in self.pending:
            return
        self.pending[field] -= 1
        if self.pending[field] <= 0 and field in self.outputs_done:
            self.ack_field(field, page=True)

    # -- the end --------------------------------------------------------------------

    def busy(self) -> None:
        self.idle_since = None

    def on_idle(self) -> None:
        """Keep the spider open until the shared frontier has stayed empty (and no live
        worker has a request in flight) for ``idle_timeout`` seconds."""
        if self.crawler.stats is not None and self.crawler.stats.get_value(
            "kazscraper/archive_error"
        ):
            return  # stopping already (Redis gone): closing is what is asked
        try:
            self._on_idle()
        except redis.RedisError as exc:  # a crawl that cannot be asked is not over
            stop_on_archive_error(self.crawler, "Redis", exc)
            raise DontCloseSpider from None

    def _on_idle(self) -> None:
        scheduler = self._scheduler()
        left = scheduler.in_flight() if scheduler is not None else []
        if left:  # idle here, so nothing will answer them: fetch them again (once)
            again = [f for f in left if f not in self.requeued_once]
            for field in again:
                self.requeued_once.add(field)
                scheduler.requeue(field)
            for field in set(left) - set(again):
                logger.error("a request was dropped unanswered twice; given up (%s)", field)
                self.ack_field(field)
            self.idle_since = None
            raise DontCloseSpider
        if self.registry.busy():
            self.idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self.idle_since is None:
            self.idle_since = now
        if now - self.idle_since < self.idle_timeout:
            raise DontCloseSpider
        if self.crawl_lost():  # an empty Redis looks like a crawl done
            raise DontCloseSpider

    def _scheduler(self) -> Any:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return getattr(slot, "scheduler", None)

    def closed(self, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.refused or self.lost:  # not (or no longer) in a crawl: nothing to tell
            return
        if self.stalled:  # given up on: its stats and its end are no longer the crawl's
            try:
                self.client.delete(self.keys.alive(self.name))
            except redis.RedisError as exc:
                logger.error("could not tell Redis that this worker stopped: %s", exc)
            return
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        try:
            self.queue.push(encode(stats_record(self.name, self.run, stats)))
            self.registry.finish(self.name, finished=reason == "finished")
        except redis.RedisError as exc:
            logger.error("could not tell Redis that this worker stopped: %s", exc)


# KEYS[1] the item list, KEYS[2] the stalled workers; ARGV[1] the worker, ARGV[2…] its
# records: pushed unless the store has marked the worker stalled (then 0, nothing pushed)
_PUSH_UNLESS_STALLED = """
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
return 1
"""
PUSH_CHUNK = 1000  # records per script call (Lua's unpack has a stack limit)


class WorkerItems(ItemQueue):
    """The item list as a worker pushes to it: nothing once the store has marked it stalled.
    The mark and the put-back of its requests are one step (``stall``), and each push checks
    the mark in the same step as it pushes: a late answer of a hung fetch, arriving before
    the worker's heartbeat has seen the mark, is not pushed (the worker that took the
    request fetches the page again; the late copy, older, would have been stored as a new
    version of it)."""

    def __init__(self, owner: WorkerLifecycle) -> None:
        super().__init__(owner.client, owner.keys)
        self.owner = owner
        self._push_unless_stalled = owner.client.register_script(_PUSH_UNLESS_STALLED)
        self.refused = False

    def push(self, *records: bytes) -> None:
        keys = [self.keys.items, self.keys.stalled]
        for i in range(0, len(records), PUSH_CHUNK):
            if self.owner.stalled:
                return
            chunk = records[i : i + PUSH_CHUNK]
            if not self._push_unless_stalled(keys=keys, args=[self.owner.name, *chunk]):
                if not self.refused:  # its heartbeat stops it (``stop_stalled``)
                    logger.warning("the store marked this worker stalled: nothing more pushed")
                self.refused = True
                return


def worker_of(crawler: Crawler) -> WorkerLifecycle | None:
    return crawler.get_extension(WorkerLifecycle)


def worker_owner(crawler: Crawler) -> WorkerLifecycle:
    owner = worker_of(crawler)
    if owner is None:
        raise NotConfigured("not a Redis worker")
    return owner


@contextmanager
def pushing(crawler: Crawler) -> Iterator[None]:
    """Redis refused a push: stop the worker (its in-flight requests wait for its restart)."""
    try:
        yield
    except redis.RedisError as exc:
        stop_on_archive_error(crawler, "Redis", exc)
