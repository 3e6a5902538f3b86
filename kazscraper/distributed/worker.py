"""A crawl worker: the news spider on the shared Redis frontier, pushing to the item list.

``worker_settings`` turns kazscraper's Scrapy settings into a worker's: scrapy-redis's
scheduler and duplicate filter (``InflightScheduler``), no archive extension and no
SQLite store, and these components instead:

- ``WorkerLifecycle`` (extension): the worker's Redis connection and name; joins the
  crawl's registry, beats a heartbeat, acknowledges in-flight requests, keeps the
  spider open while other workers may still feed the frontier, and ends it once the
  frontier has stayed empty for ``--idle-timeout`` seconds;
- ``AckSpiderMiddleware``: counts the items a response produced, so its request is
  acknowledged only once they are all pushed;
- ``QueuePipeline`` (last pipeline): pushes articles, failures, aliases and 304s;
- ``WorkerWarcCapture``: the worker's own WARC files, each capture record pushed;
- ``HostRateLimit``: one request per download delay per host across all workers.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import LoopingCall, deferLater
from twisted.python.failure import Failure

from kazscraper.crawl import AlreadyRunning, CrawlOptions, CrawlResult
from kazscraper.distributed import PREFIX, Keys
from kazscraper.distributed.queue import (
    CLOSING,
    JOINED,
    ItemQueue,
    Registry,
    encode_alias,
    encode_article,
    encode_capture,
    encode_failure,
    encode_stats,
    encode_touch,
)
from kazscraper.distributed.scheduler import INFLIGHT
from kazscraper.distributed.shared import CrawlKnown, CrawlScheduled, crawl_rules
from kazscraper.downloader import slot_of
from kazscraper.frontier import ArchiveState
from kazscraper.items import Article, NotModified
from kazscraper.middlewares import WarcCaptureMiddleware, warc_directory, warc_name
from kazscraper.pipelines import record_dropped, record_error
from kazscraper.signals import alias_found, page_failed, stop_on_archive_error
from kazscraper.spiders.news import NewsSpider
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.writer import WarcArchiver

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 2.0  # seconds between heartbeats (the key lives queue.HEARTBEAT_TTL)
STORE_WAIT = 60.0  # seconds a worker waits for a store to open the crawl (or --idle-timeout)


def default_worker_name() -> str:
    """This machine's host name: one worker per machine needs no ``--worker-name``."""
    return socket.gethostname().split(".")[0] or "worker"


def safe_worker_name(name: str) -> str:
    """A worker name as it appears in Redis keys and WARC file names."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.strip())
    if not cleaned:
        raise ValueError(f"not a usable worker name: {name!r}")
    return cleaned[:64]


def worker_settings(
    settings: Settings,
    redis_url: str,
    worker: str,
    idle_timeout: float,
    prefix: str = PREFIX,
) -> None:
    """Make ``settings`` (kazscraper's, for one crawl) those of a worker of a Redis crawl."""
    keys = Keys(prefix)
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["kazscraper.extension.ArchiveExtension"] = None
    extensions["kazscraper.distributed.worker.WorkerLifecycle"] = 100
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["kazscraper.pipelines.StorePipeline"] = None
    pipelines["kazscraper.distributed.worker.QueuePipeline"] = 900
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["kazscraper.middlewares.WarcCaptureMiddleware"] = None
    downloader["kazscraper.distributed.worker.WorkerWarcCapture"] = 950
    downloader["kazscraper.distributed.worker.HostRateLimit"] = 110
    spider_mw = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    spider_mw["kazscraper.distributed.worker.AckSpiderMiddleware"] = 1
    settings.setdict(
        {
            "SCHEDULER": "kazscraper.distributed.scheduler.InflightScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_SERIALIZER": "kazscraper.distributed.serializer",
            "SCHEDULER_PERSIST": True,  # the frontier outlives any one worker
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "REDIS_URL": redis_url,
            "JOBDIR": None,
            "EXTENSIONS": extensions,
            "ITEM_PIPELINES": pipelines,
            "DOWNLOADER_MIDDLEWARES": downloader,
            "SPIDER_MIDDLEWARES": spider_mw,
            "KAZSCRAPER_REDIS_URL": redis_url,
            "KAZSCRAPER_REDIS_PREFIX": prefix,
            "KAZSCRAPER_WORKER": worker,
            "KAZSCRAPER_IDLE_TIMEOUT": idle_timeout,
        },
        priority="cmdline",
    )


def connect(redis_url: str) -> redis.Redis:
    """A client for ``redis_url`` (``redis://[:password@]host:port/db``), checked with PING."""
    client = redis.Redis.from_url(redis_url, socket_timeout=30, health_check_interval=30)
    client.ping()
    return client


class WorkerLifecycle:
    """The worker's Redis owner (like ``ArchiveExtension`` for a local crawl)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        url = settings.get("KAZSCRAPER_REDIS_URL")
        if not url:
            raise NotConfigured("not a Redis worker")
        self.crawler = crawler
        self.name = safe_worker_name(settings.get("KAZSCRAPER_WORKER") or default_worker_name())
        self.keys = Keys(settings.get("KAZSCRAPER_REDIS_PREFIX", PREFIX))
        self.idle_timeout = settings.getfloat("KAZSCRAPER_IDLE_TIMEOUT", 60.0)
        self.client = connect(url)
        self.queue = ItemQueue(self.client, self.keys)
        self.registry = Registry(self.client, self.keys)
        self.run = f"{self.name}-{uuid.uuid4().hex[:12]}"  # this life of the worker
        self.pending: Counter[str] = Counter()  # in-flight field -> items not yet pushed
        self.outputs_done: set[str] = set()
        self.idle_since: float | None = None
        self.requeued_once: set[str] = set()
        self.articles_scheduled = 0  # the crawl's count of article requests, as last seen
        self.heartbeat: LoopingCall | None = None
        self.refused = False  # the crawl was closed when the spider opened
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
        # stops without a trace in Redis (no registration, no heartbeat, no stats)
        if self.registry.join(self.name, require_store=True) != JOINED:
            logger.error("the store closed the crawl before this worker started; stopping")
            self.refused = True
            assert self.crawler.engine is not None
            engine, spider = self.crawler.engine, self.crawler.spider
            from twisted.internet import reactor

            reactor.callLater(0, lambda: engine.close_spider(spider, "crawl_closed"))  # type: ignore[arg-type]
            return
        self.heartbeat = LoopingCall(self._beat)
        self.heartbeat.start(HEARTBEAT_EVERY, now=False)
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("kazscraper/worker", self.name)

    def _beat(self) -> None:
        try:
            self.registry.beat(self.name)
            self.publish_stats()
            count = int(self.client.get(self.keys.articles_scheduled) or 0)
            self.articles_scheduled = max(self.articles_scheduled, count)
        except redis.RedisError as exc:
            logger.error("heartbeat to Redis failed: %s", exc)

    def publish_stats(self) -> None:
        """This run's crawler stats so far, where the store sums them for the ``crawls``
        row (``<prefix>:stats:<run>``): a worker killed and never restarted counts up to
        its last heartbeat; its final stats, pushed when it ends, replace them."""
        assert self.crawler.stats is not None
        record = json.loads(encode_stats(self.name, self.run, self.crawler.stats.get_stats()))
        self.client.set(self.keys.stats(self.run), json.dumps(record["stats"]))

    # -- acknowledging in-flight requests -----------------------------------------------

    def ack_field(self, field: str) -> None:
        self.pending.pop(field, None)
        self.outputs_done.discard(field)
        self.client.hdel(self.keys.inflight(self.name), field)

    def ack(self, request: Request | None) -> None:
        field = request.meta.get(INFLIGHT) if request is not None else None
        if field:
            self.ack_field(field)

    def item_out(self, request: Request) -> None:
        field = request.meta.get(INFLIGHT)
        if field:
            self.pending[field] += 1

    def output_done(self, request: Request) -> None:
        field = request.meta.get(INFLIGHT)
        if not field:
            return
        if self.pending.get(field, 0) <= 0:
            self.ack_field(field)
        else:
            self.outputs_done.add(field)

    def item_done(self, response: Response | None) -> None:
        request = getattr(response, "request", None)
        field = request.meta.get(INFLIGHT) if request is not None else None
        if not field or field not in self.pending:
            return
        self.pending[field] -= 1
        if self.pending[field] <= 0 and field in self.outputs_done:
            self.ack_field(field)

    # -- the end --------------------------------------------------------------------

    def busy(self) -> None:
        self.idle_since = None

    def on_idle(self) -> None:
        """Keep the spider open until the shared frontier has stayed empty (and no live
        worker has a request in flight) for ``idle_timeout`` seconds."""
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

    def _scheduler(self) -> Any:
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        return getattr(slot, "scheduler", None)

    def closed(self, reason: str) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.refused:  # never joined this crawl: nothing of it to tell
            return
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        try:
            self.queue.push(encode_stats(self.name, self.run, stats))
            self.registry.finish(self.name, finished=reason == "finished")
        except redis.RedisError as exc:
            logger.error("could not tell Redis that this worker stopped: %s", exc)


def worker_of(crawler: Crawler) -> WorkerLifecycle | None:
    return crawler.get_extension(WorkerLifecycle)


def _worker(crawler: Crawler) -> WorkerLifecycle:
    owner = worker_of(crawler)
    if owner is None:
        raise NotConfigured("not a Redis worker")
    return owner


@contextmanager
def _pushing(crawler: Crawler) -> Iterator[None]:
    """Redis refused a push: stop the worker (its in-flight requests wait for its restart)."""
    try:
        yield
    except redis.RedisError as exc:
        stop_on_archive_error(crawler, "Redis", exc)


class AckSpiderMiddleware:
    """Counts the items each response produced (their push acknowledges the request)."""

    def __init__(self, crawler: Crawler) -> None:
        self.worker = _worker(crawler)

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


class QueuePipeline:
    """The last pipeline of a worker: what the store pipeline writes, pushed to Redis."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.worker = _worker(crawler)
        crawler.signals.connect(self.on_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.on_item_error, signal=signals.item_error)
        crawler.signals.connect(self.on_page_failed, signal=page_failed)
        crawler.signals.connect(self.on_alias_found, signal=alias_found)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QueuePipeline:
        return cls(crawler)

    @property
    def site(self) -> str:
        profile = getattr(self.crawler.spider, "profile", None)
        return profile.name if profile is not None else "qazdauiri"

    def process_item(self, item: Any) -> Any:
        with _pushing(self.crawler):
            if isinstance(item, Article):
                aliases = [item.fetched_url] if item.fetched_url != item.url else []
                self.worker.queue.push(encode_article(item, aliases, item.site or self.site))
                self.stats.inc_value("kazscraper/distributed/articles_pushed")
            elif isinstance(item, NotModified):
                self.worker.queue.push(encode_touch(item.url, item.fetched_at))
        return item

    def on_item_scraped(self, item: Any, response: Response | None) -> None:
        self.worker.item_done(response)

    def on_item_dropped(self, item: Any, response: Response | None, exception: Exception) -> None:
        record_dropped(response, exception, self._failure, self.on_alias_found)
        self.worker.item_done(response)

    def on_item_error(self, item: Any, response: Response | None, failure: Failure) -> None:
        record_error(item, response, failure, self._failure)
        self.worker.item_done(response)

    def on_page_failed(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self._failure(url, stage, reason, http_status)

    def on_alias_found(self, url: str, canonical: str) -> None:
        with _pushing(self.crawler):
            self.worker.queue.push(encode_alias(url, canonical))

    def _failure(self, url: str, stage: str, reason: str, http_status: int | None) -> None:
        self.stats.inc_value("kazscraper/failures")
        with _pushing(self.crawler):
            self.worker.queue.push(encode_failure(url, stage, reason, http_status))


class WorkerWarcCapture(WarcCaptureMiddleware):
    """Raw capture into the worker's own WARC files (``<archive>-<worker>-…``), each
    capture record pushed to Redis as soon as it is written."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.worker = _worker(crawler)

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
                self.worker.queue.push(*(encode_capture(c) for c in self.pending))
            except redis.RedisError as exc:
                stop_on_archive_error(self.crawler, "Redis", exc)
        self.pending = []
        self.unflushed = {}


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
        self.worker = _worker(crawler)
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
            wait = take_host_turn(self.worker.client, self.worker.keys, host, delay)
            if wait <= 0:
                return
            self.crawler.stats.inc_value("kazscraper/distributed/rate_limited")
            await _pause(wait)


def take_host_turn(client: redis.Redis, keys: Keys, host: str, delay: float) -> float:
    """0 when this worker may fetch from ``host`` now (the host is then held for ``delay``
    seconds); else the seconds until another worker's hold ends."""
    if client.set(keys.host(host), "1", nx=True, px=max(1, int(delay * 1000))):
        return 0.0
    left = int(client.pttl(keys.host(host)))
    return max(left, 1) / 1000 if left != -2 else 0.001


async def _pause(seconds: float) -> None:
    from twisted.internet import reactor

    await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class WorkerSpider(NewsSpider):
    """The news spider as a worker: the same discovery; the archive's frontier and its
    run-local safety nets are replaced by the shared frontier and the in-flight hash."""

    name = "news"

    def _open_archive(self) -> None:
        """What the archive has, as the store published it in Redis (``shared``): the
        frontier skips archived articles, revisits those inside the window with their
        ETag, and stops a pagination that brings nothing new, as in a local crawl."""
        owner = _worker(self.crawler)
        # nothing is scheduled yet (this runs first in start()): the crawl's count decides
        self.frontier.scheduled = CrawlScheduled(lambda: owner.articles_scheduled)
        self.frontier.rules = crawl_rules(owner.client, owner.keys, self.frontier.rules)
        known = CrawlKnown(owner.client, owner.keys)
        self.frontier.load(ArchiveState(known=known))
        self.crawler.stats.set_value("kazscraper/known_articles", len(known))
        self.crawler.stats.set_value("kazscraper/known_revisit_window", len(known.recent))

    def _flush_frontier(self, everything: bool = False) -> None:
        self.frontier.new_urls(everything=True)  # the frontier is Redis's; nothing to keep here

    def on_idle(self) -> None:
        """Requests taken by another worker are answered there: nothing is awaited here
        (an unanswered request of this worker stays in its in-flight hash)."""
        self.frontier.awaited.clear()

    def on_spider_error(self, failure: Failure, response: Response, spider: Any = None) -> None:
        """The failure of a raising callback is pushed first (``page_failed``), then its
        request is acknowledged (``AckSpiderMiddleware`` left it in flight)."""
        super().on_spider_error(failure, response, spider)
        owner = worker_of(self.crawler)
        request = getattr(response, "request", None)
        if owner is not None and request is not None:
            with _pushing(self.crawler):
                owner.output_done(request)

    def on_error(self, failure: Failure) -> None:
        super().on_error(failure)
        owner = worker_of(self.crawler)
        if owner is not None:
            owner.ack(failure.request)  # type: ignore[attr-defined]


class NoStore(redis.RedisError):
    """No store has opened the Redis crawl: a worker would not know what is archived (a
    Redis error for the command line: one line, exit 1)."""


def store_ready(client: redis.Redis, keys: Keys) -> bool:
    """A store has opened the crawl and published what the archive has (``shared``)."""
    raw = client.get(keys.store)
    if raw is None:
        return False
    try:
        return bool(json.loads(raw).get("ready", True))
    except (ValueError, AttributeError):
        return False


def wait_for_store(
    client: redis.Redis,
    keys: Keys,
    timeout: float,
    registry: Registry,
    name: str,
    pause: Callable[[float], None] = time.sleep,
) -> None:
    """Wait until a store has opened the crawl (workers and the store may start in any
    order), keeping the name ``name`` claimed, then join it (``Registry.join``, atomic: a
    worker joins only a crawl that is open and not being closed; while the store closes
    one, it waits for the next). Raises ``NoStore`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    noted: set[str] = set()
    while True:
        registry.beat(name)
        state = registry.join(name, require_store=True)
        if state == JOINED:
            return
        if time.monotonic() >= deadline:
            if state == CLOSING:
                raise NoStore(
                    f"the store was closing this Redis crawl and opened no new one within "
                    f"{timeout:g}s; start the workers again once the store has exited"
                )
            raise NoStore(
                f"no `kazscraper store` opened this Redis crawl within {timeout:g}s; "
                "start the store (it publishes what the archive has), then the workers"
            )
        if state not in noted:
            logger.info(
                "the store is closing the crawl; waiting for the next one"
                if state == CLOSING
                else "waiting for a store to open the crawl"
            )
            noted.add(state)
        pause(0.2)


def worker_log_file(db_path: str, worker: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return str(Path(db_path).parent / "logs" / f"{Path(db_path).stem}-{worker}-{stamp}.log")


def run_worker(
    options: CrawlOptions, redis_url: str, worker: str, idle_timeout: float
) -> CrawlResult:
    """Run one worker of the Redis crawl to its end (the frontier stayed empty).

    No run lock and no archive: the worker writes only its WARC files (in the WARC
    folder beside ``options.db_path``) and Redis. Raises ``redis.RedisError`` when Redis
    cannot be reached."""
    from kazscraper.crawl import _crawl, build_settings, news_spider_arguments

    name = safe_worker_name(worker)
    client = connect(redis_url)  # a wrong address fails here, in one line
    try:
        registry = Registry(client, Keys(PREFIX))
        if not registry.claim(name):
            raise AlreadyRunning(
                f"a worker named {name} is running in this Redis crawl; "
                "give this one another --worker-name"
            )
        wait_for_store(client, Keys(PREFIX), max(idle_timeout, STORE_WAIT), registry, name)
        # for the crawls row: reparse reads the pages as these sites' (several: their specs)
        origin: dict[str, Any] | None = None
        if options.sites:
            origin = {"sites": list(options.sites)}
        elif options.start_url:
            origin = {"start_url": options.start_url, "mirrors": list(options.mirrors)}
        if origin is not None:
            client.hset(Keys(PREFIX).origins, name, json.dumps(origin))
    finally:
        client.close()
    if options.log_file is None:
        options.log_file = worker_log_file(options.db_path, name)
    Path(options.log_file).parent.mkdir(parents=True, exist_ok=True)
    settings = build_settings(options)
    worker_settings(settings, redis_url, name, idle_timeout)
    return _crawl(options, settings, WorkerSpider, news_spider_arguments(options))


__all__ = [
    "AckSpiderMiddleware",
    "HostRateLimit",
    "QueuePipeline",
    "WorkerLifecycle",
    "WorkerSpider",
    "WorkerWarcCapture",
    "connect",
    "default_worker_name",
    "take_host_turn",
    "worker_settings",
]
