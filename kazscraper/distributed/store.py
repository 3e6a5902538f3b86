"""``kazscraper store``: the one writer of a Redis crawl's archive.

It takes the run lock of the archive (no local crawl writes it meanwhile), opens the
crawl's ``crawls`` row (or, restarted, the one it had opened), and drains the item list
in batched transactions through the archive's own write path, the same as a local
crawl's store pipeline: ``write_each`` (dedup by URL and by content, versions, aliases,
related links, authors), ``record_failure``, ``record_alias``, ``touch_article``,
``add_captures``. A batch is acknowledged in Redis only after its transaction is
committed; every write is idempotent, so a batch delivered again after a kill changes
nothing. It ends (exit 0) once every worker of the crawl has finished and the list is
drained, unless ``follow``; the crawl's Redis keys are then removed, so the next run of
the workers is a new crawl.
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import redis

from kazscraper.archive import Archive, ArchiveError, utc_now
from kazscraper.crawl import RunLock, upgrade
from kazscraper.distributed import PREFIX, Keys
from kazscraper.distributed.queue import (
    LINGER,
    BadRecord,
    ItemQueue,
    Registry,
    article_from_dict,
    capture_from_dict,
    decode,
)
from kazscraper.distributed.worker import connect
from kazscraper.items import Article
from kazscraper.sites import SiteSpecError, build_sites, get_profile
from kazscraper.urls import redacted_url
from kazscraper.verdict import (
    EXIT_FAILED,
    EXIT_OK,
    crawl_summary,
    sites_in_stats,
    status_of,
    verdict,
)
from kazscraper.warc.records import Capture

logger = logging.getLogger(__name__)

STATS_KEY = "stats"  # <prefix>:stats:<worker run> -> JSON of that run's crawler stats
COUNTS_KEY = "counts"  # <prefix>:counts -> the store's own counts (hash)
LINK_EVERY = 30.0  # seconds between linking related links while the list is empty
WAITING_NOTE_EVERY = 60.0  # seconds between log lines naming the workers waited for
MARK_CHUNK = 5000  # archived URLs per SADD into the duplicate filter


class StoreError(Exception):
    """The store cannot run (another archive owns this Redis crawl, Redis unreachable)."""


@dataclass
class StoreOptions:
    db_path: str
    redis_url: str
    follow: bool = False
    batch_size: int = 500
    site: str = "qazdauiri"
    prefix: str = PREFIX
    poll: float = 1.0  # seconds to wait for a record before checking whether the crawl ended
    revisit_days: int | None = 7  # archived articles older than this are not fetched (None: all)
    full: bool = False  # as a local ``crawl --full``: every article revisited, every page walked


@dataclass
class StoreResult:
    exit_code: int
    reason: str
    counts: dict[str, int] = field(default_factory=dict)
    crawl_id: int | None = None


class Store:
    """Drains one Redis crawl into one open archive."""

    def __init__(self, archive: Archive, client: redis.Redis, keys: Keys, crawl_id: int) -> None:
        self.archive = archive
        self.client = client
        self.keys = keys
        self.queue = ItemQueue(client, keys)
        self.registry = Registry(client, keys)
        self.crawl_id = crawl_id
        started = archive.crawl_started_at(crawl_id)
        self.run_start: Callable[[str], str] = lambda fetched_at: started

    def count(self, counts: dict[str, int]) -> None:
        if counts:
            pipe = self.client.pipeline(transaction=False)
            for name, value in counts.items():
                pipe.hincrby(f"{self.keys.prefix}:{COUNTS_KEY}", name, value)
            pipe.execute()

    def counts(self) -> dict[str, int]:
        raw = self.client.hgetall(f"{self.keys.prefix}:{COUNTS_KEY}")
        return {k.decode(): int(v) for k, v in raw.items()}  # type: ignore[union-attr]

    def store_batch(self, records: list[bytes]) -> dict[str, int]:
        """Commit one batch of records in one transaction; returns what it counted."""
        counts: dict[str, int] = {}

        def inc(name: str, by: int = 1) -> None:
            counts[name] = counts.get(name, 0) + by

        captures: list[Capture] = []
        failures: list[dict[str, Any]] = []
        articles: list[tuple[Article, set[str]]] = []
        aliases: list[tuple[str, str]] = []
        touches: list[tuple[str, str]] = []
        stats: list[dict[str, Any]] = []
        bad: list[bytes] = []
        for data in records:
            try:
                record = decode(data)
                kind = record["kind"]
                if kind == "capture":
                    captures.append(capture_from_dict(record["capture"]))
                elif kind == "article":
                    article = article_from_dict(record["article"])
                    articles.append((article, set(record.get("aliases") or ())))
                elif kind == "failure":
                    failures.append(record)
                elif kind == "alias":
                    aliases.append((record["url"], record["canonical"]))
                elif kind == "touch":
                    touches.append((record["url"], record["fetched_at"]))
                else:
                    stats.append(record)
            except (BadRecord, KeyError, TypeError) as exc:
                logger.error("a queued record is not usable (%s); kept in %s:rejected", exc,
                             self.keys.prefix)  # fmt: skip
                bad.append(data)
        waiting = self._waiting_aliases(
            sorted({article.url for article, _ in articles} | {c for _, c in aliases})
        )
        for article, extra in articles:
            extra.update(waiting.get(article.url, ()))
        still_waiting: dict[str, set[str]] = {}
        archive = self.archive
        with archive.db.atomic():
            new_captures = [c for c in captures if not self._indexed(c)]
            if new_captures:
                archive.add_captures(new_captures)
                inc("captures", len(new_captures))
            for failure in failures:
                if self._recorded(failure):
                    continue
                archive.record_failure(
                    failure["url"], failure["stage"], failure["reason"],
                    failure.get("http_status"), self.crawl_id,
                )  # fmt: skip
                inc("failures")
            if articles:
                outcomes, refused = archive.write_each(
                    articles, crawl_id=self.crawl_id, run_start=self.run_start
                )
                for outcome in outcomes:
                    inc(f"articles_{outcome}")
                for article, reason in refused:
                    archive.record_failure(
                        article.fetched_url, "store", reason, None, self.crawl_id
                    )
                    inc("failures")
                    inc("store_errors")
            for url, canonical in aliases:
                if not archive.record_alias(url, canonical, utc_now()):
                    still_waiting.setdefault(canonical, set()).add(url)
            for url, fetched_at in touches:
                if archive.touch_article(url, fetched_at):
                    inc("articles_unchanged")
        # after the commit, before the acknowledgement: idempotent, so safe to redo
        pipe = self.client.pipeline(transaction=False)
        for canonical, urls in still_waiting.items():
            known = set(waiting.get(canonical, ())) | urls
            pipe.hset(self.keys.waiting_aliases, canonical, json.dumps(sorted(known)))
        used = [article.url for article, _ in articles if article.url in waiting]
        if used:
            pipe.hdel(self.keys.waiting_aliases, *used)
        for record in stats:
            pipe.set(
                self.keys.stats(str(record.get("run"))),
                json.dumps(record.get("stats") or {}),
            )
        if bad:
            pipe.rpush(f"{self.keys.prefix}:rejected", *bad)
            inc("rejected_records", len(bad))
        pipe.execute()
        return counts

    def _waiting_aliases(self, urls: list[str]) -> dict[str, list[str]]:
        if not urls:
            return {}
        values = self.client.hmget(self.keys.waiting_aliases, urls)
        return {url: json.loads(value) for url, value in zip(urls, values, strict=True) if value}

    def _indexed(self, capture: Capture) -> bool:
        """The capture is already in the index (a batch delivered again)."""
        row = self.archive.db.execute(
            "SELECT 1 FROM captures WHERE url = ? AND warc_file = ? AND offset = ? LIMIT 1",
            [capture.url, capture.warc_file, capture.offset],
        ).fetchone()
        return row is not None

    def _recorded(self, failure: dict[str, Any]) -> bool:
        """This crawl already recorded this very failure (a batch delivered again)."""
        row = self.archive.db.execute(
            "SELECT 1 FROM failures WHERE url = ? AND stage = ? AND reason = ? AND crawl_id IS ?",
            [failure["url"], failure["stage"], failure["reason"], self.crawl_id],
        ).fetchone()
        return row is not None

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
        cursor = self.archive.db.execute(
            "SELECT u.url, a.published_date, a.etag FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id"
        )
        marked = 0
        while rows := cursor.fetchmany(MARK_CHUNK):
            old = [
                fingerprint(url)
                for url, published, _ in rows
                if revisit_days is not None and not (published or "") >= cutoff
            ]
            recent = {
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
        row = self.archive.db.execute(
            "SELECT arguments FROM crawls WHERE id = ?", [self.crawl_id]
        ).fetchone()
        arguments: dict[str, Any] = json.loads(row[0] or "{}") if row else {}
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
            self.keys.archived,
            self.keys.revisit,
            self.keys.articles_scheduled,
            f"{self.keys.prefix}:{COUNTS_KEY}",
        ]
        for pattern in ("inflight:*", f"{STATS_KEY}:*", "host:*"):
            names += [k.decode() for k in self.client.scan_iter(f"{self.keys.prefix}:{pattern}")]
        self.client.delete(*names)


def _claim(client: redis.Redis, keys: Keys, archive: Archive, options: StoreOptions) -> int:
    """The ``crawls`` row of this Redis crawl in this archive: the one a killed store had
    opened, or a new one. A Redis crawl is stored into one archive only. What the archive
    has is published for the workers before the crawl is marked ready (the workers wait
    for it); a store killed before that publishes it again."""
    target = str(Path(options.db_path).resolve())
    raw = client.get(keys.store)
    crawl_id = None
    if raw is not None:
        claimed = json.loads(raw)
        if claimed.get("db") != target:
            raise StoreError(
                f"this Redis crawl is stored into {claimed.get('db')}, not {target}; "
                "use another Redis database for another archive"
            )
        found = int(claimed["crawl_id"])
        row = archive.db.execute("SELECT id FROM crawls WHERE id = ?", [found]).fetchone()
        if row is not None:
            if claimed.get("ready", True):
                return found
            crawl_id = found
    if crawl_id is None:
        arguments = {
            "redis": redacted_url(options.redis_url),
            "distributed": True,
            "revisit_days": None if options.full else options.revisit_days,
            "full": options.full,
        }
        crawl_id = archive.begin_crawl("crawl", arguments)
        client.set(keys.store, json.dumps({"db": target, "crawl_id": crawl_id, "ready": False}))
    revisit_days = None if options.full else options.revisit_days
    marked = Store(archive, client, keys, crawl_id).mark_archived(revisit_days)
    if marked:
        logger.info("%d archived article URL(s) published for the workers", marked)
    claimed = {"db": target, "crawl_id": crawl_id, "ready": True, "full": options.full}
    client.set(keys.store, json.dumps(claimed))
    return crawl_id


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
    keys = Keys(options.prefix)
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
    while not stop.asked:
        records = store.queue.take(options.batch_size, options.poll, LINGER)
        if records:
            store.count(store.store_batch(records))
            store.queue.ack()
            continue
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
    archive.link_related_articles()
    counts = store.counts()
    stats = {**store.worker_stats(), **{f"kazscraper/{k}": v for k, v in counts.items()}}
    stats["finish_reason"] = "finished"
    code, reason = verdict(
        stats, get_profile(options.site), need_responses=False, sites=sites_in_stats(stats)
    )
    if code == EXIT_OK and counts.get("rejected_records"):
        code = EXIT_FAILED
        reason = f"{counts['rejected_records']} queued record(s) unusable; kept in Redis"
    arguments = store.crawl_arguments()
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
