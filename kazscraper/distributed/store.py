"""``kazscraper store``: the one writer of a Redis crawl's archive.

It takes the run lock of the archive (no local crawl writes it meanwhile), opens the
crawl's ``crawls`` row (or, restarted, the one it had opened), and replays the item list
batch by batch into the archive's one record sink (``archive.sink.RecordSink``), the
one a local crawl's store pipeline writes through: the same dedup by URL and by content,
versions, aliases, failures and captures, each batch in one transaction. A batch is
acknowledged in Redis only after its transaction is committed; every write is
idempotent, so a batch delivered again after a kill changes nothing. It ends (exit 0)
once every worker of the crawl has finished and the list is drained, unless ``follow``;
the crawl's Redis keys are then removed, so the next run of the workers is a new crawl.
"""

from __future__ import annotations

import hashlib
import json
import logging
import signal
import sqlite3
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import redis

from kazscraper.archive import Archive, ArchiveError
from kazscraper.archive.records import Record
from kazscraper.archive.sink import RecordSink
from kazscraper.crawler.run_lock import RunLock, upgrade
from kazscraper.crawler.verdict import (
    EXIT_FAILED,
    EXIT_OK,
    crawl_summary,
    sites_in_stats,
    status_of,
    verdict,
)
from kazscraper.distributed import PREFIX, RedisKeys
from kazscraper.distributed.client import connect
from kazscraper.distributed.queue import LINGER, ItemQueue, Registry
from kazscraper.distributed.stall import STALL_AFTER, requeue_stalled
from kazscraper.distributed.wire import BadRecord, StatsRecord, decode
from kazscraper.sites import (
    SiteProfile,
    Sites,
    SiteSpecError,
    build_sites,
    get_profile,
)
from kazscraper.sites.profile_file import ProfileFileError, learned_texts, with_learned
from kazscraper.urls import redacted_url

logger = logging.getLogger(__name__)

STATS_KEY = "stats"  # <prefix>:stats:<worker run> -> JSON of that run's crawler stats
COUNTS_KEY = "counts"  # <prefix>:counts: the store's counts before they were the archive's
COUNTS_FIELD = "store_counts"  # crawls.arguments: the crawl's counts so far
BATCH_FIELD = "store_batch"  # crawls.arguments: the digest of the last batch committed
LINK_EVERY = 30.0  # seconds between linking related links while the list is empty
WAITING_NOTE_EVERY = 60.0  # seconds between log lines naming the workers waited for
MARK_CHUNK = 5000  # archived URLs per SADD into the duplicate filter
STALL_CHECK_EVERY = 10.0  # seconds between looks for stalled workers (at most)


class StoreError(Exception):
    """The store cannot run (another archive owns this Redis crawl, Redis unreachable)."""


@dataclass
class StoreOptions:
    db_path: str
    redis_url: str
    site: str  # the profile of a one-site crawl (its health floors); the CLI names it
    follow: bool = False
    batch_size: int = 500
    prefix: str = PREFIX
    poll: float = 1.0  # seconds to wait for a record before checking whether the crawl ended
    revisit_days: int | None = 7  # archived articles older than this are not fetched (None: all)
    full: bool = False  # as a local ``crawl --full``: every article revisited, every page walked
    stall_after: float = STALL_AFTER  # no page finished this long, requests in flight: put back


@dataclass
class StoreResult:
    exit_code: int
    reason: str
    counts: dict[str, int] = field(default_factory=dict)
    crawl_id: int | None = None


class RedisWaiting:
    """Aliases waiting for their article, in Redis (``<prefix>:aliases:waiting``): a store
    restarted keeps them (``archive.sink.WaitingAliases``)."""

    def __init__(self, client: redis.Redis, keys: RedisKeys) -> None:
        self.client = client
        self.key = keys.waiting_aliases

    def get(self, canonicals: Iterable[str]) -> dict[str, set[str]]:
        urls = list(canonicals)
        if not urls:
            return {}
        values = self.client.hmget(self.key, urls)
        return {url: set(json.loads(v)) for url, v in zip(urls, values, strict=True) if v}

    def update(self, keep: dict[str, set[str]], drop: Iterable[str]) -> None:
        pipe = self.client.pipeline(transaction=False)
        dropped = list(drop)
        if dropped:
            pipe.hdel(self.key, *dropped)
        for canonical, urls in keep.items():
            pipe.hset(self.key, canonical, json.dumps(sorted(urls)))
        pipe.execute()

    def everything(self) -> dict[str, set[str]]:
        raw = self.client.hgetall(self.key)
        return {k.decode(): set(json.loads(v)) for k, v in raw.items()}  # type: ignore[union-attr]


class Store:
    """Drains one Redis crawl into one open archive, through the archive's sink."""

    def __init__(
        self, archive: Archive, client: redis.Redis, keys: RedisKeys, crawl_id: int
    ) -> None:
        self.archive = archive
        self.client = client
        self.keys = keys
        self.queue = ItemQueue(client, keys)
        self.registry = Registry(client, keys)
        self.crawl_id = crawl_id
        started = archive.crawl_started_at(crawl_id)
        self.sink = RecordSink(
            archive, crawl_id, lambda fetched_at: started, waiting=RedisWaiting(client, keys)
        )

    def count(self, counts: dict[str, int]) -> None:
        """Add ``counts`` to the crawl's counts, in the archive (``crawls.arguments``), in
        the transaction open (``store_batch``) or in one of their own."""
        if not counts:
            return
        with self.archive.db.atomic():
            state = self.archive.arguments_of(self.crawl_id)
            total = dict(state.get(COUNTS_FIELD) or {})
            for name, value in counts.items():
                total[name] = int(total.get(name, 0)) + value
            state[COUNTS_FIELD] = total
            self._set_arguments(state)

    def _set_arguments(self, state: dict[str, Any]) -> None:
        self.archive.db.table("crawls").update(
            self.crawl_id, {"arguments": json.dumps(state, ensure_ascii=False, sort_keys=True)}
        )

    def counts(self) -> dict[str, int]:
        """The crawl's counts so far (committed with the records they count)."""
        total = self.archive.arguments_of(self.crawl_id).get(COUNTS_FIELD) or {}
        return {str(k): int(v) for k, v in total.items()}

    def store_batch(self, data: list[bytes]) -> dict[str, int]:
        """Replay one batch of queued records into the sink, and add what it counted to
        the crawl's counts, in one transaction; returns what it counted. The batch's
        digest is committed with it: the same batch delivered again (a store killed after
        its commit, before its acknowledgement) is acknowledged only, changing no figure.
        A record that is not one of ours is kept aside in Redis."""
        records: list[Record] = []
        stats: list[StatsRecord] = []
        bad: list[bytes] = []
        for raw in data:
            try:
                record = decode(raw)
            except BadRecord as exc:
                logger.error("a queued record is not usable (%s); kept in %s:rejected", exc,
                             self.keys.prefix)  # fmt: skip
                bad.append(raw)
                continue
            if isinstance(record, StatsRecord):
                stats.append(record)
            else:
                records.append(record)
        digest = hashlib.sha256()
        for raw in data:
            digest.update(len(raw).to_bytes(8, "big") + raw)
        batch = digest.hexdigest()
        if self.archive.arguments_of(self.crawl_id).get(BATCH_FIELD) == batch:
            logger.warning("a batch of %d record(s) was committed already; acknowledged only",
                           len(data))  # fmt: skip
            return {}
        # before the commit, idempotent (a rejected record kept twice at worst)
        pipe = self.client.pipeline(transaction=False)
        for run in stats:
            pipe.set(self.keys.stats(run.run), json.dumps(run.stats))
        if bad:
            pipe.rpush(f"{self.keys.prefix}:rejected", *bad)
        pipe.execute()
        with self.archive.db.atomic():
            counts = self.sink.write(records) if records else {}
            if bad:
                counts["rejected_records"] = len(bad)
            self.count(counts)
            state = self.archive.arguments_of(self.crawl_id)
            state[BATCH_FIELD] = batch
            self._set_arguments(state)
        return counts

    def worker_stats(self) -> dict[str, Any]:
        """The crawler stats of every worker run, summed: a run's final stats, or those of its
        last heartbeat when it was killed (``WorkerLifecycle.publish_stats``)."""
        total: dict[str, Any] = {}
        for key in self.client.scan_iter(f"{self.keys.prefix}:{STATS_KEY}:*"):
            raw = self.client.get(key)
            for name, value in json.loads(raw or "{}").items():
                total[name] = total.get(name, 0) + value
        return total

    def mark_archived(self, revisit_days: int | None) -> int:
        """Publish what the archive has for the workers' frontiers
        (``kazscraper.distributed.shared``): the articles published in the last
        ``revisit_days`` days with their date and ETag (revisited, with
        ``If-None-Match``), the fingerprints of every other archived URL (not fetched
        again; an article without a date is not revisited), as a local incremental crawl
        does. None (``--full``): every archived article with its date and ETag, all
        revisited with ``If-None-Match``, as a local ``crawl --full``. Idempotent.
        Returns how many URLs."""
        from kazscraper.distributed.shared import url_fingerprint

        cutoff = (
            ""
            if revisit_days is None
            else (datetime.now(UTC).date() - timedelta(days=revisit_days)).isoformat()
        )
        fingerprint = url_fingerprint()
        marked = 0
        for rows in self.archive.archived_article_urls(MARK_CHUNK):
            old = [
                fingerprint(url)
                for url, published, _ in rows
                if revisit_days is not None and not (published or "") >= cutoff
            ]
            recent: dict[Any, str] = {
                url: json.dumps([published, etag])
                for url, published, etag in rows
                if revisit_days is None or (published or "") >= cutoff
            }
            pipe = self.client.pipeline(transaction=False)
            if old:
                pipe.sadd(self.keys.archived, *old)
            if recent:
                pipe.hset(self.keys.revisit, mapping=recent)
            pipe.execute()
            marked += len(rows)
        return marked

    def crawl_arguments(self) -> dict[str, Any]:
        """The ``crawls`` row's arguments with the sites the workers crawled: a several-site
        crawl's ``sites`` specs, or the start URL and mirrors (the first worker's by name:
        ``reparse`` reads the pages as those sites')."""
        arguments = self.archive.arguments_of(self.crawl_id)
        arguments.pop(COUNTS_FIELD, None)  # the store's bookkeeping, not an option
        arguments.pop(BATCH_FIELD, None)
        origins = self.client.hgetall(self.keys.origins)
        for worker in sorted(origins):
            try:
                origin = json.loads(origins[worker])
                if origin.get("sites"):  # several sites: their specs (crawled_sites reads them)
                    arguments["sites"] = [str(spec) for spec in origin["sites"]]
                    break
                arguments.update(start_url=str(origin["start_url"]),
                                 mirrors=[str(m) for m in origin.get("mirrors") or ()])  # fmt: skip
                break
            except (ValueError, KeyError, TypeError):
                continue
        return arguments

    def requeue_stalled(self, seconds: float) -> int:
        """The requests of every stalled worker (``stall``) back into the frontier, each
        said in the log; returns how many workers."""
        found = requeue_stalled(self.client, self.keys, seconds)
        for stalled in found:
            logger.error("crawl %d: %s", self.crawl_id, stalled.line())
        return len(found)

    def begin_close(self) -> bool:
        """The first phase of closing the crawl: mark it ``closing`` if it is over (one
        Lua script: every worker finished, the frontier and item list empty), so that no
        worker joins it meanwhile (``Registry.join`` refuses); then check again. False
        (the mark taken back): not over, keep draining."""
        if not self.registry.close():
            return False
        if self.registry.done() and not self.queue.backlog():
            return True
        self.registry.reopen()
        return False

    def end_crawl(self, options: StoreOptions) -> StoreResult:
        """The second phase: the ``crawls`` row written, the crawl's keys removed (the
        ``closing`` mark last, with them: a waiting worker then joins the next crawl)."""
        return _end_crawl(self, options)

    def clear_crawl(self) -> None:
        """The crawl is over: its frontier, duplicate filter and bookkeeping go."""
        names = [
            self.keys.closing,
            self.keys.requests,
            self.keys.dupefilter,
            self.keys.waiting_aliases,
            self.keys.workers,
            self.keys.finished,
            self.keys.store,
            self.keys.origins,
            self.keys.profiles,
            self.keys.archived,
            self.keys.revisit,
            self.keys.articles_scheduled,
            self.keys.stalled,
            f"{self.keys.prefix}:{COUNTS_KEY}",
        ]
        for pattern in ("inflight:*", f"{STATS_KEY}:*", "host:*", "progress:*"):
            names += [k.decode() for k in self.client.scan_iter(f"{self.keys.prefix}:{pattern}")]
        self.client.delete(*names)


def _claim(client: redis.Redis, keys: RedisKeys, archive: Archive, options: StoreOptions) -> int:
    """The ``crawls`` row of this Redis crawl in this archive: the one a killed store had
    opened, or a new one. A Redis crawl is stored into one archive only. What the archive
    has is published for the workers before the crawl is marked ready (the workers wait
    for it); a store killed before that publishes it again. A store resuming a ready crawl
    publishes nothing again, the learned profiles included: every worker of one crawl
    extracts with the profiles it opened with, as a local crawl does (a profile accepted
    meanwhile counts from the next crawl, not for the workers that join this one late)."""
    target = str(Path(options.db_path).resolve())
    raw = client.get(keys.store)
    crawl_id = None
    epoch = uuid.uuid4().hex
    if raw is None:
        _fail_lost_crawls(archive)
    else:
        claimed = json.loads(raw)
        if claimed.get("db") != target:
            raise StoreError(
                f"this Redis crawl is stored into {claimed.get('db')}, not {target}; "
                "use another Redis database for another archive"
            )
        found = int(claimed["crawl_id"])
        if archive.crawl_exists(found):
            if claimed.get("ready", True):
                return found
            crawl_id = found
            epoch = str(claimed.get("epoch") or epoch)
    if crawl_id is None:
        arguments = {
            "redis": redacted_url(options.redis_url),
            "distributed": True,
            "revisit_days": None if options.full else options.revisit_days,
            "full": options.full,
        }
        crawl_id = archive.begin_crawl("crawl", arguments)
        opened = {"db": target, "crawl_id": crawl_id, "ready": False, "epoch": epoch}
        client.set(keys.store, json.dumps(opened))
    publish_profiles(client, keys, options.db_path)
    revisit_days = None if options.full else options.revisit_days
    marked = Store(archive, client, keys, crawl_id).mark_archived(revisit_days)
    if marked:
        logger.info("%d archived article URL(s) published for the workers", marked)
    claimed = {"db": target, "crawl_id": crawl_id, "ready": True, "full": options.full,
               "epoch": epoch}  # fmt: skip
    client.set(keys.store, json.dumps(claimed))
    return crawl_id


def publish_profiles(client: redis.Redis, keys: RedisKeys, db_path: str) -> None:
    """The learned profiles beside the archive (``profiles/``), published for the workers
    before the crawl is ready: a worker on another machine extracts with the profile a
    local crawl into this archive would use. A bad file stops the store, as it stops a
    local crawl."""
    try:
        texts = learned_texts(db_path)
    except ProfileFileError as exc:
        raise StoreError(str(exc)) from None
    pipe = client.pipeline()
    pipe.delete(keys.profiles)
    if texts:
        pipe.hset(keys.profiles, mapping={k: json.dumps(v) for k, v in texts.items()})
    pipe.execute()
    for path, _ in texts.values():
        logger.info("learned profile %s published for the workers", path)


def verdict_profiles(
    options: StoreOptions, arguments: dict[str, Any], stats: dict[str, Any]
) -> tuple[SiteProfile, list[SiteProfile]]:
    """The profile (one site) and the sites (several) the crawl's health is judged by: the
    workers' start site's (the generic profile on a host of no named profile), each with
    its learned profile beside the archive where there is one, as a local crawl's."""
    profile = get_profile(options.site)
    start, specs = arguments.get("start_url"), arguments.get("sites")
    if specs:
        try:
            built = build_sites([str(s) for s in specs])
            profile = built.first if len(built) == 1 else profile
        except SiteSpecError:
            pass  # said when the crawls row is written
    elif start:  # a worker's --start-url: the named profile there (``crawl_config``)
        parts = urlsplit(str(start))
        if parts.scheme in ("http", "https") and parts.netloc:
            profile = profile.rebased(f"{parts.scheme}://{parts.netloc}")
    sites = sites_in_stats(stats)
    try:
        learned, _ = with_learned(Sites.single(profile), options.db_path)
        profile = learned.first
        if sites:
            sites = [with_learned(Sites.single(s), options.db_path)[0].first for s in sites]
    except ProfileFileError as exc:
        logger.warning("judged without the learned profiles: %s", exc)
    return profile, sites


LOST = (
    "the crawl's state in Redis is gone (Redis restarted without persistence, or flushed); "
    "what was not stored is lost: run the crawl again"
)


def crawl_epoch(client: redis.Redis, keys: RedisKeys) -> str | None:
    """The epoch of the crawl open in Redis (``<prefix>:store``), None when there is none:
    a worker or a store that saw another (or none) knows Redis lost the crawl's state."""
    raw = client.get(keys.store)
    if raw is None:
        return None
    try:
        claimed = json.loads(raw)
        return str(claimed.get("epoch") or f"{claimed.get('db')}#{claimed.get('crawl_id')}")
    except (ValueError, AttributeError):
        return None


def _fail_lost_crawls(archive: Archive) -> None:
    """Redis has no open crawl, yet the archive has a distributed crawl ``running`` (this
    store holds the run lock: no one else runs it): its Redis state is gone. It ends
    ``failed``, saying why, never ``running`` for good."""
    for crawl_id, raw in archive.running_crawls():
        try:
            distributed = bool(json.loads(raw or "{}").get("distributed"))
        except (ValueError, AttributeError):
            distributed = False
        if distributed:
            logger.error("crawl %d: %s", crawl_id, LOST)
            _fail_crawl(archive, crawl_id, LOST)


def _fail_crawl(archive: Archive, crawl_id: int, reason: str) -> None:
    archive.finish_crawl(crawl_id, status=status_of(EXIT_FAILED), finish_reason="redis_lost",
                         exit_code=EXIT_FAILED, verdict=reason)  # fmt: skip


class _Stop:
    """SIGTERM / SIGINT: finish the batch in hand, then stop (the rest waits in Redis)."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True


def run_store(options: StoreOptions) -> StoreResult:
    """Drain the Redis crawl into the archive until it ends (or, ``follow``, until stopped).

    Raises ``AlreadyRunning`` (another run holds the archive), ``ArchiveError``,
    ``StoreError`` and ``redis.RedisError``."""
    try:
        client = connect(options.redis_url)
    except redis.RedisError as exc:
        raise StoreError(f"cannot reach Redis at {redacted_url(options.redis_url)}: {exc}") from exc
    keys = RedisKeys(options.prefix)
    stop = _Stop()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with RunLock(options.db_path):
            upgrade(options.db_path)
            with Archive(options.db_path, site=options.site, migrate=False) as archive:
                try:
                    crawl_id = _claim(client, keys, archive, options)
                    store = Store(archive, client, keys, crawl_id)
                    return _drain(store, options, stop)
                except redis.RedisError as exc:  # what was not committed waits in Redis
                    raise StoreError(f"Redis failed: {type(exc).__name__}: {exc}") from exc
                except (sqlite3.Error, OSError) as exc:  # the batch was rolled back
                    raise ArchiveError(
                        f"cannot write {options.db_path}: {type(exc).__name__}: {exc}; "
                        "the uncommitted records wait in Redis for the next store"
                    ) from exc
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        client.close()


def _drain(store: Store, options: StoreOptions, stop: _Stop) -> StoreResult:
    """Store crawls until the one open ends (or, ``follow``, until stopped: each round of
    workers is then a crawl of its own, opened when its first worker starts)."""
    total: dict[str, int] = {}
    while True:
        result = _drain_crawl(store, options, stop)
        for name, value in result.counts.items():
            total[name] = total.get(name, 0) + value
        if not options.follow or stop.asked:
            return replace(result, counts=total) if options.follow else result
        logger.info("crawl %d stored; waiting for the workers of the next one", store.crawl_id)
        if not _wait_for_workers(store, options, stop):
            logger.warning("stopped between crawls; everything is stored")
            return StoreResult(EXIT_OK, "stopped", total, store.crawl_id)
        crawl_id = _claim(store.client, store.keys, store.archive, options)
        store = Store(store.archive, store.client, store.keys, crawl_id)


def _wait_for_workers(store: Store, options: StoreOptions, stop: _Stop) -> bool:
    """``follow`` between crawls: wait until a worker starts (it claims its name, then
    waits for a store to open the crawl). False when stopped first."""
    while not stop.asked:
        if next(store.client.scan_iter(f"{store.keys.prefix}:alive:*", count=1000), None):
            return True
        time.sleep(options.poll)
    return False


def _drain_crawl(store: Store, options: StoreOptions, stop: _Stop) -> StoreResult:
    archive = store.archive
    last_link = time.monotonic()
    last_note = 0.0
    epoch = crawl_epoch(store.client, store.keys)
    last_stall_check = time.monotonic()
    while not stop.asked:
        if time.monotonic() - last_stall_check >= min(STALL_CHECK_EVERY, options.stall_after / 3):
            store.requeue_stalled(options.stall_after)  # busy or not: others may wait on it
            last_stall_check = time.monotonic()
        records = store.queue.take(options.batch_size, options.poll, LINGER)
        if records:
            store.store_batch(records)  # its counts are committed with it
            store.queue.ack()
            continue
        if crawl_epoch(store.client, store.keys) != epoch:
            logger.error("crawl %d: %s", store.crawl_id, LOST)
            _fail_crawl(archive, store.crawl_id, LOST)
            return StoreResult(EXIT_FAILED, LOST, {}, store.crawl_id)
        now = time.monotonic()
        if now - last_link >= LINK_EVERY:
            archive.link_related_articles()
            last_link = now
        if not store.registry.done() or store.queue.backlog():
            if now - last_note >= WAITING_NOTE_EVERY:
                waiting = store.registry.waiting_for()
                logger.info("waiting for %s", ", ".join(waiting) if waiting else "a first worker")
                last_note = now
            continue
        if store.begin_close():
            break
    if stop.asked:
        store.registry.reopen()  # the crawl stays open: its workers may join again
        logger.warning("stopped; the rest of the crawl waits in Redis for the next store")
        return StoreResult(EXIT_OK, "stopped", store.counts(), store.crawl_id)
    return store.end_crawl(options)


def _end_crawl(store: Store, options: StoreOptions) -> StoreResult:
    """The crawl is marked closing (``Store.begin_close``): its ``crawls`` row, then its
    Redis keys go."""
    archive = store.archive
    store.count(store.sink.finish())  # the aliases still waiting, the related links
    counts = store.counts()
    stats = {**store.worker_stats(), **{f"kazscraper/{k}": v for k, v in counts.items()}}
    stats["finish_reason"] = "finished"
    arguments = store.crawl_arguments()
    profile, sites = verdict_profiles(options, arguments, stats)
    code, reason = verdict(stats, profile, need_responses=False, sites=sites)
    if code == EXIT_OK and counts.get("rejected_records"):
        code = EXIT_FAILED
        reason = f"{counts['rejected_records']} queued record(s) unusable; kept in Redis"
    site: dict[str, str] = {}
    if arguments.get("sites"):  # several sites: crawls.site lists them, as a local crawl's
        try:
            site["site"] = ",".join(build_sites([str(s) for s in arguments["sites"]]).labels)
        except SiteSpecError as exc:
            logger.warning("the workers' --site specs are not readable here (%s)", exc)
    archive.finish_crawl(
        store.crawl_id,
        arguments=arguments,
        **site,
        status=status_of(code),
        finish_reason="finished",
        exit_code=code,
        verdict=reason,
        **crawl_summary(stats),
    )
    store.clear_crawl()
    return StoreResult(code, reason, counts, store.crawl_id)
