"""The distributed mode: many crawl workers on one Redis frontier, one archive writer.

Built on scrapy-redis (a shared scheduler queue and duplicate filter in Redis) and a
real Redis server. Nothing here changes the local single-process crawl; Redis is only
needed for ``kazscraper crawl --redis`` and ``kazscraper store``.

Who does what:

- **Workers** (``kazscraper crawl --redis redis://HOST:PORT/DB --worker-name NAME``, any
  number, on any machines) run the news spider with scrapy-redis's scheduler and
  ``RFPDupeFilter``: every request any worker discovers goes to the shared frontier (a
  sorted set) unless the shared duplicate filter has seen it, and every worker takes its
  next request from there. Each worker writes its own WARC files
  (``<archive name>-<worker>-<time>-<n>.warc.gz``) and runs the same pipelines as a
  local crawl (extract → clean → validate → dedup), but the last stage pushes the
  archive's records (``archive.records``: each article, capture, failure, alias and
  revisit) to a Redis list instead of handing them to the archive's sink.
- **The store** (``kazscraper store --redis … --db …``, one per archive) is the single
  writer: it replays that list into the archive's one record sink
  (``archive.sink.RecordSink``, the one a local crawl writes through), a batch per
  transaction: the same dedup, versions and aliases as a local crawl. It holds the
  archive's run lock, so no local crawl writes meanwhile.

Delivery is at least once, effectively exactly once at the archive:

- a request a worker takes is moved, in one Lua script, from the frontier into the
  worker's *in-flight* hash; it leaves it only once everything its response produced has
  been pushed (or, for a redirect or a retry, once the new request is in the frontier).
  A worker killed with ``kill -9`` and restarted under the same name puts its in-flight
  requests back into the frontier first (they bypass the duplicate filter);
- the store moves items from the list into a *processing* list (``LMOVE``/``BLMOVE``),
  commits them, and only then empties the processing list; a restarted store commits
  what it finds there first. Writes are idempotent, so a redelivered item is no
  duplicate: an article stored twice is ``unchanged``, a capture already indexed (same
  WARC file and offset) is skipped, a failure already recorded for the crawl is not
  counted again, an alias is an upsert.

Politeness across workers: one rate limit per host in Redis. Before each request a
worker sets ``<prefix>:host:<host>`` with ``SET NX PX <delay>`` (the download delay, or
the robots.txt ``Crawl-delay`` when longer); whoever gets the key may fetch, everyone
else waits the key's remaining time. So a site sees at most one request per delay
whatever the number of workers (``HostRateLimit``).

Unattended ends: a worker exits 0 once the shared frontier and every live worker's
in-flight hash have stayed empty for ``--idle-timeout`` seconds; the store exits 0 once
every worker that joined the crawl has finished (or died with nothing in flight) and the
item list is drained, unless ``--follow``.

Redis keys (``<prefix>`` is ``kazscraper``; one crawl per Redis database):
``requests`` (frontier, sorted set), ``dupefilter`` (set of fingerprints),
``inflight:<worker>`` (hash), ``items`` and ``items:processing`` (lists),
``aliases:waiting`` (hash), ``workers``, ``finished`` (sets), ``alive:<worker>``
(heartbeat, expires), ``host:<host>`` (rate limit), ``store`` (the archive the crawl is
stored into, its ``crawls`` row and the crawl's epoch: a worker or store that finds another,
or none, knows Redis lost the crawl), ``origins`` (hash: worker -> the start URL and
mirrors it crawls, or its ``--site`` specs, written into the ``crawls`` row for
``reparse``), ``archived`` (set: the fingerprints of the archived article URLs outside
the revisit window), ``revisit``
(hash: archived URL inside the window -> its publication date and ETag),
``articles_scheduled`` (the crawl's count of article requests, for ``--max-articles``),
``closing`` (set while the store closes the crawl: no worker joins meanwhile),
``progress:<worker>`` (hash: when it last finished a page, by Redis's clock, how many, its
pages per minute) and ``stalled`` (set: the workers whose requests in flight the store put
back, no page done for ``--stall-after`` seconds: ``stall``).
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIX = "kazscraper"


@dataclass(frozen=True)
class RedisKeys:
    """The Redis key names of one distributed crawl."""

    prefix: str = PREFIX

    @property
    def requests(self) -> str:
        return f"{self.prefix}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.prefix}:dupefilter"

    def inflight(self, worker: str) -> str:
        return f"{self.prefix}:inflight:{worker}"

    @property
    def items(self) -> str:
        return f"{self.prefix}:items"

    @property
    def processing(self) -> str:
        return f"{self.prefix}:items:processing"

    @property
    def waiting_aliases(self) -> str:
        return f"{self.prefix}:aliases:waiting"

    @property
    def workers(self) -> str:
        return f"{self.prefix}:workers"

    @property
    def finished(self) -> str:
        return f"{self.prefix}:finished"

    def alive(self, worker: str) -> str:
        return f"{self.prefix}:alive:{worker}"

    def host(self, host: str) -> str:
        return f"{self.prefix}:host:{host}"

    @property
    def store(self) -> str:
        return f"{self.prefix}:store"

    def stats(self, run: str) -> str:
        """A worker run's crawler stats (its heartbeats', then its final ones)."""
        return f"{self.prefix}:stats:{run}"

    @property
    def closing(self) -> str:
        return f"{self.prefix}:closing"

    @property
    def origins(self) -> str:
        return f"{self.prefix}:origins"

    @property
    def profiles(self) -> str:
        """The learned profiles beside the store's archive, for the workers: file name ->
        JSON ``[path, text]`` (``sites.profile_file.learned_texts``)."""
        return f"{self.prefix}:profiles"

    @property
    def archived(self) -> str:
        return f"{self.prefix}:archived"

    @property
    def revisit(self) -> str:
        return f"{self.prefix}:revisit"

    @property
    def articles_scheduled(self) -> str:
        return f"{self.prefix}:articles_scheduled"

    def progress(self, worker: str) -> str:
        """A worker's progress: when it last finished a page (Redis's clock), how many it
        finished, its pages per minute (``stall``)."""
        return f"{self.prefix}:progress:{worker}"

    @property
    def stalled(self) -> str:
        """The workers whose requests the store put back for want of progress."""
        return f"{self.prefix}:stalled"
