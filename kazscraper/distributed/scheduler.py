"""scrapy-redis's scheduler, with requests kept in flight until their output is pushed.

scrapy-redis pops a request out of the shared frontier for good: a worker killed with
``kill -9`` would lose every request it had taken. Here one Lua script moves the
request from the frontier into the worker's in-flight hash (``<prefix>:inflight:<worker>``)
and the request carries the hash field in its meta. The worker acknowledges it (deletes
the field) when everything its response produced is pushed
(``kazscraper.distributed.worker``), or here when it comes back as a new request (a
redirect, a retry) that is in the frontier again. On start, a worker puts what its
earlier life left in flight back into the frontier.

A new article request goes in by another Lua script, which does at once what a local
crawl's frontier does in one process: it is refused when the duplicate filter or the
archive (``<prefix>:archived``) has it, or when the crawl has already scheduled
``--max-articles`` articles (``<prefix>:articles_scheduled``); otherwise its fingerprint,
the request and the count go in together. A redirect or a retry of an article already
counted is not counted again (nor refused: it must end as an article or a failure).
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.utils.request import request_from_dict
from scrapy_redis.scheduler import Scheduler

from kazscraper.compat import encode_request
from kazscraper.crawler.config import RunConfig, run_config
from kazscraper.distributed import serializer

logger = logging.getLogger(__name__)

#: the spider methods a queued request may name as its callback or errback
CALLBACKS = ("parse", "parse_listing", "parse_feed", "parse_sitemap", "parse_article", "on_error")
#: the stat counting the queued requests dropped as not a worker's (``serializer.check_request``)
BAD_REQUESTS = "kazscraper/distributed/bad_requests"

#: the request meta key holding the request's field in the in-flight hash
INFLIGHT = "kazscraper_inflight"

# KEYS[1] the frontier (sorted set), KEYS[2] the worker's in-flight hash, KEYS[3] its
# progress. A worker that had nothing in flight starts its stall clock now (stall.py: no
# page finished for --stall-after *with requests in flight*), not at its last page before
# it went idle.
_TAKE = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0)
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
if redis.call('HLEN', KEYS[2]) == 0 and redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('HSET', KEYS[3], 'at', redis.call('TIME')[1])
end
local field = redis.sha1hex(found[1])
redis.call('HSET', KEYS[2], field, found[1])
return {field, found[1]}
"""

# KEYS[1] the in-flight hash, KEYS[2] the frontier; ARGV[1] the field, ARGV[2] its score
_REQUEUE = """
local data = redis.call('HGET', KEYS[1], ARGV[1])
if not data then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], data)
redis.call('HDEL', KEYS[1], ARGV[1])
return 1
"""


# KEYS[1] the duplicate filter, KEYS[2] the archived set, KEYS[3] the articles counter,
# KEYS[4] the frontier; ARGV[1] the fingerprint, ARGV[2] the limit (0: none),
# ARGV[3] the score, ARGV[4] the request. Returns the count, -1 (seen), -2 (the limit)
_ADD_ARTICLE = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return -1 end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return -1 end
local limit = tonumber(ARGV[2])
if limit > 0 and tonumber(redis.call('GET', KEYS[3]) or '0') >= limit then return -2 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[4])
return redis.call('INCR', KEYS[3])
"""


class InflightScheduler(Scheduler):
    """The shared frontier and duplicate filter of scrapy-redis, with an in-flight hash."""

    worker: Any  # kazscraper.distributed.lifecycle.WorkerLifecycle
    run: RunConfig

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightScheduler:
        from kazscraper.distributed.lifecycle import worker_of

        instance = super().from_crawler(crawler)
        owner = worker_of(crawler)
        if owner is None:
            raise ValueError("InflightScheduler needs the WorkerLifecycle extension")
        instance.worker = owner
        instance.run = run_config(crawler.settings)  # the crawl's --max-articles
        return instance

    def open(self, spider: Spider) -> None:
        # the worker's client (``client.connect``: retried for its patience), not another
        self.server = self.worker.client
        super().open(spider)
        self.df.server = self.worker.client
        self.inflight_key = self.worker.keys.inflight(self.worker.name)
        self.progress_key = self.worker.keys.progress(self.worker.name)
        self._take = self.server.register_script(_TAKE)
        self._requeue = self.server.register_script(_REQUEUE)
        self._add_article = self.server.register_script(_ADD_ARTICLE)
        self.max_articles = self.run.max_articles or 0
        back = self.requeue_all()
        if back:
            logger.warning("put %d request(s) left in flight by this worker back", back)
            self.stats.set_value("kazscraper/distributed/requeued", back)

    def decode(self, data: bytes) -> Request:
        """The request ``data`` holds, checked first (``serializer.check_request``): whoever
        can write to Redis must not make a worker import a class or fetch another URL.
        Raises ``serializer.BadRequest``."""
        try:
            obj = serializer.loads(data)
        except (ValueError, TypeError) as exc:
            raise serializer.BadRequest(f"not a JSON request: {exc}"[:200]) from None
        spider = self.spider
        netlocs = [n for p in self.run.sites.profiles for n in p.site_netlocs]
        serializer.check_request(obj, netlocs, CALLBACKS)
        try:
            return request_from_dict(obj, spider=spider)
        except (ValueError, TypeError, AttributeError) as exc:
            raise serializer.BadRequest(f"not a request: {exc!r}"[:200]) from None

    def drop_bad(self, field: str, data: bytes, exc: Exception) -> None:
        """A queued request that is not a worker's: out of the in-flight hash, counted,
        logged (its first bytes), never fetched."""
        self.server.hdel(self.inflight_key, field)
        if self.stats:
            self.stats.inc_value(BAD_REQUESTS)
        logger.error("dropped a queued request that is not a worker's (%s): %r", exc, data[:120])

    def requeue(self, field: str) -> bool:
        """Put one in-flight request back into the frontier (it keeps its priority)."""
        data = self.server.hget(self.inflight_key, field)
        if data is None:
            return False
        try:
            score = -self.decode(data).priority
        except serializer.BadRequest as exc:
            self.drop_bad(field, data, exc)
            return False
        return bool(self._requeue(keys=[self.inflight_key, self.queue.key], args=[field, score]))

    def requeue_all(self) -> int:
        fields = [f.decode() for f in self.server.hkeys(self.inflight_key)]
        return sum(self.requeue(field) for field in fields)

    def in_flight(self) -> list[str]:
        return [f.decode() for f in self.server.hkeys(self.inflight_key)]

    def enqueue_request(self, request: Request) -> bool:
        try:
            return self._enqueue(request)
        except redis.RedisError as exc:  # retried for the client's patience already
            self.redis_failed(exc)
            return False

    def next_request(self) -> Request | None:
        try:
            return self._next()
        except redis.RedisError as exc:
            self.redis_failed(exc)
            return None

    def has_pending_requests(self) -> bool:
        try:
            return bool(super().has_pending_requests())
        except redis.RedisError as exc:
            self.redis_failed(exc)
            return False

    def redis_failed(self, exc: redis.RedisError) -> None:
        """Redis stayed unreachable past the client's patience: the worker stops (exit 1,
        one line); its in-flight requests wait in Redis for its restart."""
        from kazscraper.crawler.signals import stop_on_archive_error

        stop_on_archive_error(self.worker.crawler, "Redis", exc)

    def _enqueue(self, request: Request) -> bool:
        if self.worker.stalled:  # its requests were given to the others: it adds nothing
            return False
        # a redirect or a retry of an in-flight request: in the frontier first, then acked
        field = request.meta.pop(INFLIGHT, None)
        if field is None and "article_url" in request.meta and not request.dont_filter:
            return self.enqueue_article(request)
        queued = bool(super().enqueue_request(request))
        if field:
            self.worker.ack_field(field)
        return queued

    def enqueue_article(self, request: Request) -> bool:
        """A new article request: into the frontier and counted, or refused (seen,
        archived, or the crawl's ``--max-articles`` reached), in one script."""
        keys = self.worker.keys
        fingerprint = self.df.request_fingerprint(request)
        data = encode_request(self.queue, request)
        count = int(
            self._add_article(
                keys=[self.df.key, keys.archived, keys.articles_scheduled, self.queue.key],
                args=[fingerprint, self.max_articles, -request.priority, data],
            )
        )
        if count == -1:
            self.df.log(request, self.spider)
            return False
        if count == -2:
            self.worker.articles_scheduled = max(self.worker.articles_scheduled, self.max_articles)
            if self.stats:
                self.stats.inc_value("kazscraper/distributed/max_articles_refused")
            return False
        self.worker.articles_scheduled = max(self.worker.articles_scheduled, count)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _next(self) -> Request | None:
        while True:
            found = self._take(keys=[self.queue.key, self.inflight_key, self.progress_key])
            if not found:
                return None
            field, data = found
            try:
                request = self.decode(data)
            except serializer.BadRequest as exc:
                self.drop_bad(field.decode(), data, exc)
                continue
            break
        request.meta[INFLIGHT] = field.decode()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request
