"""The Redis item list between the workers and the store, and the crawl's worker registry.

Workers push one JSON record per article, capture, failure, alias, revisit answered
304 and, when they end, their crawl stats (``wire.encode``). The store takes records
with ``LMOVE``/``BLMOVE`` into a processing list, commits them to the archive, and only
then empties the processing list (``ItemQueue.ack``): a store killed before that finds
them there again (``take`` returns them first). Delivery is at least once; the store's
writes are idempotent.
"""

from __future__ import annotations

import math
import time

import redis

from kazscraper.distributed import RedisKeys

HEARTBEAT_TTL = 10  # seconds a worker counts as alive after its last heartbeat
LINGER = 0.2  # seconds the store lets records gather after the first of a small batch

# KEYS[1] the item list, KEYS[2] the processing list; ARGV[1] how many records at most.
# Moves them from the head of the one to the tail of the other, in one step.
_TAKE = """
local moved = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
for i = 1, #moved, 1000 do
  redis.call('RPUSH', KEYS[2], unpack(moved, i, math.min(i + 999, #moved)))
end
if #moved > 0 then redis.call('LTRIM', KEYS[1], #moved, -1) end
return moved
"""

JOINED, CLOSING, NO_STORE = "joined", "closing", "no store"

# KEYS: closing, store, workers, finished, alive:<worker>, progress:<worker>, stalled;
# ARGV: worker, heartbeat TTL, "1" when a ready store is required. Refused while the store
# closes the crawl (and, required, before a store has opened it and published the archive).
# Joined, the worker's progress clock starts now (Redis's clock: ``stall``), and a worker
# given up on for want of progress is one no longer.
_JOIN = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'closing' end
if ARGV[3] == '1' then
  local raw = redis.call('GET', KEYS[2])
  if not raw then return 'no store' end
  local ok, claimed = pcall(cjson.decode, raw)
  if not ok or type(claimed) ~= 'table' or claimed['ready'] == false then
    return 'no store'
  end
end
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('SET', KEYS[5], '1', 'EX', tonumber(ARGV[2]))
redis.call('HSET', KEYS[6], 'at', redis.call('TIME')[1])
redis.call('SREM', KEYS[7], ARGV[1])
return 'joined'
"""

# KEYS: closing, workers, finished, requests, items, items:processing, stalled; ARGV:
# prefix. Marks the crawl closing only if it is over: a worker joined, every one finished
# (or dead, or given up on for want of progress, with nothing in flight), the frontier and
# the item list empty (``Registry.done`` and ``ItemQueue.backlog``, in one step).
_CLOSE = """
local workers = redis.call('SMEMBERS', KEYS[2])
if #workers == 0 then return 0 end
if redis.call('ZCARD', KEYS[4]) > 0 then return 0 end
if redis.call('LLEN', KEYS[5]) + redis.call('LLEN', KEYS[6]) > 0 then return 0 end
for _, w in ipairs(workers) do
  if redis.call('SISMEMBER', KEYS[3], w) == 0 then
    if redis.call('EXISTS', ARGV[1] .. ':alive:' .. w) == 1
       and redis.call('SISMEMBER', KEYS[7], w) == 0 then return 0 end
    if redis.call('HLEN', ARGV[1] .. ':inflight:' .. w) > 0 then return 0 end
  end
end
redis.call('SET', KEYS[1], '1')
return 1
"""


class ItemQueue:
    """The item list (workers push to its tail; the store takes from its head)."""

    def __init__(self, client: redis.Redis, keys: RedisKeys) -> None:
        self.client = client
        self.keys = keys
        self._take = client.register_script(_TAKE)

    def push(self, *records: bytes) -> None:
        if records:
            self.client.rpush(self.keys.items, *records)

    def take(self, limit: int, timeout: float, linger: float = 0.0) -> list[bytes]:
        """Up to ``limit`` records, moved into the processing list; first whatever a killed
        store left there. Waits up to ``timeout`` seconds for the first record; when fewer
        than ``limit`` are waiting then, lets ``linger`` seconds pass for more to arrive
        (a batch of a few records costs a transaction and Redis round trips all the same).
        A few Redis commands whatever ``limit``: the records move by one script."""
        left: list[bytes] = self.client.lrange(self.keys.processing, 0, -1)  # type: ignore[assignment]
        if left:
            return left
        taken = self._move(limit)
        more = linger > 0
        if not taken:
            wait = max(1, math.ceil(timeout))  # whole seconds (redis-py's type)
            keys = self.keys
            first = self.client.blmove(keys.items, keys.processing, wait, "LEFT", "RIGHT")
            if first is None:
                return []
            taken, more = [first], True  # type: ignore[list-item]
        if more and len(taken) < limit:
            if linger > 0:
                time.sleep(linger)
            taken += self._move(limit - len(taken))
        # the processing list, not what the moves answered: a move whose reply was lost
        # (Redis restarted under it; the client retried) moved records too, and ``ack``
        # empties the whole list
        moved: list[bytes] = self.client.lrange(self.keys.processing, 0, -1)  # type: ignore[assignment]
        return moved

    def _move(self, limit: int) -> list[bytes]:
        return list(self._take(keys=[self.keys.items, self.keys.processing], args=[limit]))

    def ack(self) -> None:
        """The records taken are committed: they leave the processing list."""
        self.client.delete(self.keys.processing)

    def backlog(self) -> int:
        """Records not yet committed (waiting and being processed)."""
        pipe = self.client.pipeline(transaction=False)
        pipe.llen(self.keys.items)
        pipe.llen(self.keys.processing)
        waiting, processing = pipe.execute()
        return int(waiting) + int(processing)


class Registry:
    """Which workers joined the crawl, which are alive (heartbeat) and which finished."""

    def __init__(self, client: redis.Redis, keys: RedisKeys) -> None:
        self.client = client
        self.keys = keys

    def claim(self, worker: str, wait: float = HEARTBEAT_TTL + 1) -> bool:
        """Take the name ``worker`` for this process: False when a live worker beats under
        it. A killed worker's heartbeat expires within ``HEARTBEAT_TTL`` seconds: waiting
        that long lets a worker restarted at once take its name back."""
        deadline = time.monotonic() + wait
        while not self.client.set(self.keys.alive(worker), "1", nx=True, ex=HEARTBEAT_TTL):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)
        return True

    def join(self, worker: str, require_store: bool = False) -> str:
        """Register ``worker`` in the crawl, atomically (a Lua script): ``JOINED``, or
        ``CLOSING`` while the store closes the crawl (the worker waits for the next one),
        or, ``require_store``, ``NO_STORE`` before a store has opened it."""
        k = self.keys
        answer = self.client.eval(
            _JOIN, 7, k.closing, k.store, k.workers, k.finished, k.alive(worker),
            k.progress(worker), k.stalled, worker, HEARTBEAT_TTL, "1" if require_store else "0",
        )  # fmt: skip
        return answer.decode() if isinstance(answer, bytes) else str(answer)

    def close(self) -> bool:
        """Mark the crawl closing if it is over (``done`` and nothing left in the item
        list), in one atomic step: no worker joins from then on. False: not over."""
        k = self.keys
        names = (k.closing, k.workers, k.finished, k.requests, k.items, k.processing, k.stalled)
        return bool(self.client.eval(_CLOSE, len(names), *names, k.prefix))

    def reopen(self) -> None:
        """The close is called off (the store stopped before clearing): workers join again."""
        self.client.delete(self.keys.closing)

    def closing(self) -> bool:
        return bool(self.client.exists(self.keys.closing))

    def beat(self, worker: str) -> None:
        self.client.set(self.keys.alive(worker), "1", ex=HEARTBEAT_TTL)

    def alive(self, worker: str) -> bool:
        return bool(self.client.exists(self.keys.alive(worker)))

    def finish(self, worker: str, finished: bool) -> None:
        """The worker stops: ``finished`` when the crawl is over for it (clean idle end);
        otherwise (stopped, failed) its in-flight requests wait for its restart."""
        pipe = self.client.pipeline()
        if finished:
            pipe.sadd(self.keys.finished, worker)
        pipe.delete(self.keys.alive(worker))
        pipe.execute()

    def workers(self) -> set[str]:
        return {w.decode() for w in self.client.smembers(self.keys.workers)}  # type: ignore[union-attr]

    def in_flight(self, worker: str) -> int:
        return int(self.client.hlen(self.keys.inflight(worker)))

    def frontier(self) -> int:
        return int(self.client.zcard(self.keys.requests))

    def busy(self) -> bool:
        """Work is left: requests in the frontier, or in flight at a live worker."""
        if self.frontier():
            return True
        return any(self.alive(w) and self.in_flight(w) for w in self.workers())

    def waiting_for(self) -> list[str]:
        """Workers the crawl still waits for: alive and not finished (unless given up on for
        want of progress: ``stall``), or with requests in flight (a killed worker's come
        back when it is restarted under its name, or after ``--stall-after``)."""
        finished = {w.decode() for w in self.client.smembers(self.keys.finished)}  # type: ignore[union-attr]
        stalled = {w.decode() for w in self.client.smembers(self.keys.stalled)}  # type: ignore[union-attr]
        return sorted(
            w
            for w in self.workers() - finished
            if (self.alive(w) and w not in stalled) or self.in_flight(w)
        )

    def done(self) -> bool:
        """Every worker that joined has finished (or died with nothing in flight) and the
        frontier is empty."""
        return bool(self.workers()) and not self.waiting_for() and not self.frontier()
