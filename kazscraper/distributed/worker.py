"""Runs one crawl worker: claims its name, waits for a store to open the crawl, crawls.

``worker_settings`` (``distributed.settings``) turns kazscraper's Scrapy settings into a
worker's: scrapy-redis's scheduler and duplicate filter (``InflightScheduler``), no
archive extension and no SQLite store, and these components instead, one per module:

- ``lifecycle.WorkerLifecycle`` (extension): the worker's Redis connection and name;
  joins the crawl's registry, beats a heartbeat, acknowledges in-flight requests, keeps
  the spider open while other workers may still feed the frontier, and ends it once the
  frontier has stayed empty for ``--idle-timeout`` seconds;
- ``ack.AckSpiderMiddleware``: counts the items a response produced, so its request is
  acknowledged only once they are all pushed;
- ``queue_pipeline.QueuePipeline`` (last pipeline): pushes the archive's records
  (articles, failures, aliases, 304s);
- ``warc_capture.WorkerWarcCapture``: the worker's own WARC files, each capture pushed;
- ``rate_limit.HostRateLimit``: one request per download delay per host across workers;
- ``spider.WorkerSpider``: the news spider on the shared frontier.
"""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import redis

from kazscraper.crawler.archive_files import default_log_file
from kazscraper.crawler.config import RunConfig
from kazscraper.crawler.run_lock import AlreadyRunning
from kazscraper.crawler.runner import CrawlOptions, CrawlResult
from kazscraper.distributed import PREFIX, RedisKeys, queue
from kazscraper.distributed.client import connect
from kazscraper.distributed.queue import CLOSING, JOINED, Registry
from kazscraper.distributed.settings import worker_settings
from kazscraper.sites.profile_file import apply_learned, published

logger = logging.getLogger(__name__)

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


class NoStore(redis.RedisError):
    """No store has opened the Redis crawl: a worker would not know what is archived (a
    Redis error for the command line: one line, exit 1)."""


def store_ready(client: redis.Redis, keys: RedisKeys) -> bool:
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
    keys: RedisKeys,
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


class StartingBeat:
    """The heartbeat of a worker from its join (``wait_for_store`` beats until then) until
    its spider opens (and the spider's own, ``WorkerLifecycle``, takes over): Scrapy's
    start may outlive the heartbeat's TTL on a busy machine, and a worker joined but not
    alive, with nothing
    in flight and an empty frontier, is one the store stops waiting for (it closed the crawl
    under a worker still starting). A thread of its own, stopped by ``stop`` (the spider
    opened) or when the run ends."""

    def __init__(self, registry: Registry, name: str) -> None:
        self.registry = registry
        self.name = name
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"beat-{name}", daemon=True)

    def start(self) -> StartingBeat:
        self.thread.start()
        return self

    def _run(self) -> None:
        while not self.stopped.wait(queue.HEARTBEAT_TTL / 4):
            try:
                self.registry.beat(self.name)
            except redis.RedisError as exc:  # the run itself fails on Redis: said there
                logger.warning("could not beat while starting: %s", exc)
                return

    def stop(self) -> None:
        self.stopped.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(timeout=queue.HEARTBEAT_TTL)


_starting: dict[str, StartingBeat] = {}  # worker name -> its beat until its spider opens


def spider_beats(name: str) -> None:
    """The spider of worker ``name`` opened and beats: its starting beat stops."""
    beat = _starting.pop(name, None)
    if beat is not None:
        beat.stop()


def with_store_profiles(config: RunConfig, client: redis.Redis) -> RunConfig:
    """The worker's sites with the learned profiles the store published (those beside its
    archive, ``store.publish_profiles``), each said on stderr as a local crawl says it: the
    worker extracts as a local crawl into that archive would. A worker's own ``profiles/``
    folder is not read: the archive's are the ones that count."""
    raw = client.hgetall(RedisKeys(PREFIX).profiles)
    texts: dict[str, tuple[str, str]] = {}
    for key, value in raw.items():
        try:
            path, text = json.loads(value)
        except (ValueError, TypeError):
            continue
        name = key.decode() if isinstance(key, bytes) else str(key)
        texts[name] = (str(path), str(text))
    sites, notes = apply_learned(config.sites, published(texts), how=" (from the store)")
    for note in notes:
        print(note, file=sys.stderr, flush=True)
    return replace(config, sites=sites) if notes else config


def worker_log_file(db_path: str, worker: str) -> str:
    return default_log_file(db_path, worker)  # in the archive's folder, named after the worker


def run_worker(
    options: CrawlOptions,
    redis_url: str,
    worker: str,
    idle_timeout: float,
    warc_dir: str | None = None,
) -> CrawlResult:
    """Run one worker of the Redis crawl to its end (the frontier stayed empty).

    No run lock and no archive: the worker writes only its WARC files (in the WARC
    folder beside ``options.db_path``, or in ``warc_dir``: the archive's WARC folder
    shared with the store, ``warc_capture``) and Redis. Raises ``redis.RedisError`` when
    Redis cannot be reached."""
    from kazscraper.crawler.runner import build_settings, crawl_config, run_spider
    from kazscraper.distributed.spider import WorkerSpider

    name = safe_worker_name(worker)
    client = connect(redis_url)  # a wrong address fails here, in one line
    try:
        registry = Registry(client, RedisKeys(PREFIX))
        if not registry.claim(name):
            raise AlreadyRunning(
                f"a worker named {name} is running in this Redis crawl; "
                "give this one another --worker-name"
            )
        wait_for_store(client, RedisKeys(PREFIX), max(idle_timeout, STORE_WAIT), registry, name)
        # joined: alive from now until the spider's heartbeat takes over (``StartingBeat``)
        _starting[name] = StartingBeat(registry, name).start()
        # for the crawls row: reparse reads the pages as these sites' (several: their specs)
        origin: dict[str, Any] | None = None
        if options.sites:
            origin = {"sites": list(options.sites)}
        elif options.start_url:
            origin = {"start_url": options.start_url, "mirrors": list(options.mirrors)}
        if origin is not None:
            client.hset(RedisKeys(PREFIX).origins, name, json.dumps(origin))
    except BaseException:
        client.close()
        raise
    try:
        if options.log_file is None:
            options.log_file = worker_log_file(options.db_path, name)
        Path(options.log_file).parent.mkdir(parents=True, exist_ok=True)
        settings = build_settings(options)
        worker_settings(settings, redis_url, name, idle_timeout, warc_dir=warc_dir)
        config = with_store_profiles(crawl_config(options, mode="worker"), client)
        return run_spider(options, settings, WorkerSpider, config)
    finally:
        spider_beats(name)
        client.close()
