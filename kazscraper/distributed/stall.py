"""Workers that hold requests and make no progress: found, reported, their requests put back.

A worker's heartbeat says its process runs, not that it crawls: a fetch that never
answers, or a request its worker lost track of, keeps the request in the worker's
in-flight hash while the heartbeat beats, and the crawl would wait for it for ever. So
each worker records its progress (``<prefix>:progress:<worker>``): when it last finished a
page (a request acknowledged with everything its response produced pushed), by Redis's own
clock (``TIME``: one clock for every machine), and its pages per minute over the last
minute (each heartbeat). A worker that has requests in flight and has finished no page for
``--stall-after`` seconds (since it joined, or since its last page) is *stalled*, whether
its heartbeat beats or not: the store puts its requests back into the frontier (at their
priority, one Lua script: what ``XAUTOCLAIM`` does for a stream's consumer group) and marks
it ``stalled``; the crawl no longer waits for it. The worker, if its heartbeat still
runs, sees the mark and stops (exit 1, saying so); started again under its name, it joins
afresh. ``kazscraper status`` shows the same, read-only.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import redis

from kazscraper.distributed import RedisKeys

STALL_AFTER = 300.0  # seconds without a page finished, requests in flight: stalled
RATE_WINDOW = 60.0  # seconds of heartbeats a worker's pages per minute are measured over

# Lua: a worker's in-flight requests (an HGETALL reply) back into the frontier at their
# priority (a request that is no JSON object: priority 0); returns how many. Shared by the
# store's stall check (below) and `kazscraper status --give-up` (status.py).
PUT_BACK_LUA = """
local function put_back(all, frontier)
  for i = 2, #all, 2 do
    local ok, request = pcall(cjson.decode, all[i])
    local priority = 0
    if ok and type(request) == 'table' and type(request.priority) == 'number' then
      priority = request.priority
    end
    redis.call('ZADD', frontier, -priority, all[i])
  end
  return #all / 2
end
"""

# KEYS[1] workers, KEYS[2] finished, KEYS[3] the frontier, KEYS[4] stalled; ARGV[1] the
# prefix, ARGV[2] the seconds. Each worker not finished, with requests in flight and no page
# finished for that long: its requests back at their priority, the worker marked stalled.
# Past it (``>``): the clock is read in whole seconds, so ``now - at`` equal to the seconds may
# be a second less (a worker that finished a page 1.1 s ago was stalled by ``--stall-after 2``).
# Returns {worker, requests, seconds, ...}.
_REQUEUE_STALLED = (
    PUT_BACK_LUA
    + """
local now = tonumber(redis.call('TIME')[1])
local found = {}
for _, w in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('SISMEMBER', KEYS[2], w) == 0 then
    local inflight = ARGV[1] .. ':inflight:' .. w
    local at = tonumber(redis.call('HGET', ARGV[1] .. ':progress:' .. w, 'at') or '')
    if at and now - at > tonumber(ARGV[2]) and redis.call('HLEN', inflight) > 0 then
      local n = put_back(redis.call('HGETALL', inflight), KEYS[3])
      redis.call('DEL', inflight)
      redis.call('SADD', KEYS[4], w)
      table.insert(found, w)
      table.insert(found, n)
      table.insert(found, now - at)
    end
  end
end
return found
"""
)

# KEYS[1] the worker's in-flight hash, KEYS[2] its progress; ARGV[1] the field, ARGV[2] "1"
# when a page is finished (not a redirect or a retry handed back). The progress only when
# the field was there: a request the store put back is not the worker's any more.
_ACK = """
local n = redis.call('HDEL', KEYS[1], ARGV[1])
if n == 1 and ARGV[2] == '1' then
  redis.call('HSET', KEYS[2], 'at', redis.call('TIME')[1])
  redis.call('HINCRBY', KEYS[2], 'pages', 1)
end
return n
"""


@dataclass(frozen=True)
class Stalled:
    worker: str
    requests: int
    seconds: int

    def line(self) -> str:
        return (
            f"worker {self.worker} finished no page for {self.seconds}s with "
            f"{self.requests} request(s) in flight (a hung fetch, a stopped process?): "
            "they are back in the frontier, and the crawl no longer waits for it"
        )


def requeue_stalled(client: redis.Redis, keys: RedisKeys, seconds: float) -> list[Stalled]:
    """The store's check: every stalled worker's requests back into the frontier, each
    worker marked ``stalled`` (atomic, one script)."""
    k = keys
    found = client.eval(
        _REQUEUE_STALLED, 4, k.workers, k.finished, k.requests, k.stalled,
        k.prefix, max(1, round(seconds)),
    )  # fmt: skip
    items = list(found or [])
    return [
        Stalled(_text(items[i]), int(items[i + 1]), int(items[i + 2]))
        for i in range(0, len(items) - 2, 3)
    ]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Acks:
    """A worker's acknowledgements: the in-flight field gone, its progress recorded."""

    def __init__(self, client: redis.Redis, keys: RedisKeys, worker: str) -> None:
        self.keys_ = [keys.inflight(worker), keys.progress(worker)]
        self.script = client.register_script(_ACK)

    def __call__(self, field: str, page: bool) -> None:
        self.script(keys=self.keys_, args=[field, "1" if page else "0"])


class Rate:
    """Pages per minute over the last ``RATE_WINDOW`` seconds, from a running count."""

    def __init__(self, window: float = RATE_WINDOW) -> None:
        self.window = window
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, pages: int, now: float | None = None) -> float:
        now = time.monotonic() if now is None else now
        self.samples.append((now, pages))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()
        first_at, first = self.samples[0]
        span = now - first_at
        return 0.0 if span <= 0 else max(0, pages - first) * 60.0 / span
