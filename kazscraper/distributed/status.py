"""``kazscraper status --redis URL``: what a Redis crawl is doing, read-only.

The crawl open (its archive, ``crawls`` row and epoch), the frontier and the item list, the
crawl's pages per minute and requests in flight, and each worker that joined: alive (its
heartbeat), finished, its requests in flight, its pages so far (its last published stats),
its pages per minute over the last minute and when it last finished a page (Redis's
clock, ``stall``). Flagged:

- *stuck*: not alive, not finished, requests in flight (a killed worker: restart it under
  its name and its requests go back into the frontier, or give up on it);
- *no progress*: requests in flight and no page finished for ``--stall-after`` seconds,
  heartbeat or not (a hung fetch): the store puts its requests back once it sees it;
- *stalled*: the store did so; the crawl no longer waits for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import redis

from kazscraper.distributed import RedisKeys
from kazscraper.distributed.stall import PUT_BACK_LUA, STALL_AFTER


@dataclass
class WorkerState:
    name: str
    alive: bool
    finished: bool
    in_flight: int
    pages: int
    per_minute: float = 0.0  # over its last minute of heartbeats (0 when not alive)
    idle: int | None = None  # seconds since it last finished a page (or joined)
    stalled: bool = False  # the store gave its requests to the others

    @property
    def stuck(self) -> bool:
        return not self.alive and not self.finished and self.in_flight > 0 and not self.stalled

    def no_progress(self, stall_after: float) -> bool:
        return (
            not self.finished
            and self.in_flight > 0
            and self.idle is not None
            and self.idle > stall_after  # as the store's check (stall.py)
        )


@dataclass
class CrawlStatus:
    store: dict[str, Any] | None
    frontier: int
    items: int
    processing: int
    closing: bool
    workers: list[WorkerState] = field(default_factory=list)
    stall_after: float = STALL_AFTER

    @property
    def per_minute(self) -> float:
        return sum(w.per_minute for w in self.workers)

    @property
    def in_flight(self) -> int:
        return sum(w.in_flight for w in self.workers)


def _progress(
    client: redis.Redis, keys: RedisKeys, name: str, now: int
) -> tuple[float, int | None]:
    raw = client.hgetall(keys.progress(name))
    values = {k.decode(): v.decode() for k, v in raw.items()}  # type: ignore[union-attr]
    try:
        rate = max(0.0, float(values.get("rate") or 0))
    except ValueError:
        rate = 0.0
    try:
        idle: int | None = max(0, now - int(values["at"]))
    except (KeyError, ValueError):
        idle = None
    return rate, idle


def crawl_status(
    client: redis.Redis, keys: RedisKeys, stall_after: float = STALL_AFTER
) -> CrawlStatus:
    raw = client.get(keys.store)
    try:
        store = json.loads(raw) if raw is not None else None
    except ValueError:
        store = {"unreadable": True}
    pages: dict[str, int] = {}
    for key in client.scan_iter(f"{keys.prefix}:stats:*", count=1000):
        run = key.decode().split(":stats:", 1)[1]
        worker = run.rsplit("-", 1)[0]
        try:
            stats = json.loads(client.get(key) or "{}")
            pages[worker] = pages.get(worker, 0) + int(stats.get("response_received_count", 0))
        except (ValueError, TypeError, AttributeError):
            continue
    finished = {m.decode() for m in client.smembers(keys.finished)}  # type: ignore[union-attr]
    stalled = {m.decode() for m in client.smembers(keys.stalled)}  # type: ignore[union-attr]
    names = sorted(m.decode() for m in client.smembers(keys.workers))  # type: ignore[union-attr]
    now = int(client.time()[0])
    workers = []
    for name in names:
        alive = bool(client.exists(keys.alive(name)))
        rate, idle = _progress(client, keys, name, now)
        workers.append(
            WorkerState(
                name=name,
                alive=alive,
                finished=name in finished,
                in_flight=int(client.hlen(keys.inflight(name))),
                pages=pages.get(name, 0),
                per_minute=rate if alive and name not in finished else 0.0,
                idle=idle,
                stalled=name in stalled,
            )
        )
    return CrawlStatus(
        store=store,
        frontier=int(client.zcard(keys.requests)),
        items=int(client.llen(keys.items)),
        processing=int(client.llen(keys.processing)),
        closing=bool(client.exists(keys.closing)),
        workers=workers,
        stall_after=stall_after,
    )


def status_lines(status: CrawlStatus) -> list[str]:
    if status.store is None:
        head = "no crawl open (no store has opened one, or Redis lost it)"
    else:
        head = (
            f"crawl {status.store.get('crawl_id')} of {status.store.get('db')}"
            + (" (closing)" if status.closing else "")
            + ("" if status.store.get("ready", True) else " (being opened)")
        )
    alive = sum(w.alive and not w.finished for w in status.workers)
    lines = [
        head,
        f"frontier {status.frontier} requests; items {status.items} waiting, "
        f"{status.processing} being stored",
        f"{status.per_minute:.1f} pages/min, {status.in_flight} in flight, "
        f"{alive} of {len(status.workers)} workers alive",
    ]
    for w in status.workers:
        state = "finished" if w.finished else "alive" if w.alive else "not alive"
        line = f"worker {w.name}: {state}, {w.in_flight} in flight, {w.pages} pages"
        if not w.finished:
            line += f", {w.per_minute:.1f} pages/min"
            if w.idle is not None:
                line += f", last page {w.idle}s ago"
        if w.stalled:
            line += (
                " - STALLED: the store gave its requests to the others (no page finished for"
                " --stall-after); restart it under this name to join again"
            )
        elif w.no_progress(status.stall_after):
            line += (
                f" - NO PROGRESS for {w.idle}s with requests in flight (a hung fetch?): the"
                " store puts them back (--stall-after)"
            )
        elif w.stuck:
            line += " - STUCK: restart it under this name (its requests then go back)"
        lines.append(line)
    if not status.workers:
        lines.append("no worker has joined")
    return lines


# KEYS[1] the worker's in-flight hash, KEYS[2] the frontier, KEYS[3] the finished set,
# KEYS[4] its heartbeat; ARGV[1] the worker. Its requests back at their priority, the
# worker finished; refused (-1) while it beats.
_GIVE_UP = (
    PUT_BACK_LUA
    + """
if redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local n = put_back(redis.call('HGETALL', KEYS[1]), KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('SADD', KEYS[3], ARGV[1])
return n
"""
)


class StillAlive(Exception):
    """The worker given up on still beats: stop it first."""


def give_up(client: redis.Redis, keys: RedisKeys, worker: str) -> int:
    """Give up on a dead worker (its machine gone): its in-flight requests go back into the
    frontier for the other workers, and it counts as finished (the store stops waiting for
    it). Returns how many requests; raises ``StillAlive`` while its heartbeat lives."""
    script = client.register_script(_GIVE_UP)
    keys_ = [keys.inflight(worker), keys.requests, keys.finished, keys.alive(worker)]
    n = int(script(keys=keys_, args=[worker]))
    if n < 0:
        raise StillAlive(f"worker {worker} is alive (its heartbeat beats): stop it first")
    return n
