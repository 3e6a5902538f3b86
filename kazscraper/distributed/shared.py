"""What the workers of a Redis crawl share about it: the archive's articles, the count.

A local crawl's frontier is given the archive's articles as plain data
(``ArchiveState.known``) and counts its scheduled articles in a set. A worker has no
archive: when the store opens a crawl it publishes what the frontier needs into Redis,
and a worker's frontier reads it there:

- ``<prefix>:revisit``, a hash: each archived article URL published inside the store's
  ``--revisit-days`` -> its publication date and ETag (bounded by the window: these are
  the articles revisited, with ``If-None-Match``); a worker reads it whole once;
- ``<prefix>:archived``, a set: the request fingerprints of every other archived article
  URL (the same fingerprints the duplicate filter holds, in a set of their own so that
  "archived" and "scheduled in this crawl" stay apart: the pagination stop needs the
  first); a worker asks ``SISMEMBER`` per article URL, answers cached (bounded), and
  nothing when the set is empty (a first crawl: the set is complete before the crawl is
  marked ready, and no worker starts before that);
- ``<prefix>:articles_scheduled``, a counter: article requests the crawl put in the shared
  frontier, raised atomically with the push (``InflightScheduler``); ``--max-articles``
  compares it, not a worker's own count.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

import redis

from kazscraper.crawler.frontier import Rules
from kazscraper.distributed import RedisKeys

ANSWERS_CACHE = 10_000  # archived-or-not answers kept per worker (emptied when full)

Fingerprint = Callable[[str], str]


def url_fingerprint() -> Fingerprint:
    """The duplicate filter's fingerprint of a GET of a URL (scrapy-redis's)."""
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    filter_ = RFPDupeFilter(None, "")
    return lambda url: filter_.request_fingerprint(Request(url))


class CrawlKnown(Mapping[str, tuple[str | None, str | None]]):
    """The archived article URLs as the frontier's ``known`` (URL -> (published, etag)).

    A URL inside the revisit window has its date and ETag; any other archived URL is
    known with neither (so the frontier skips it, as a local crawl does). Iterating
    gives only the revisit window's URLs (the others are fingerprints); ``len`` counts
    both."""

    def __init__(
        self,
        client: redis.Redis,
        keys: RedisKeys,
        fingerprint: Fingerprint | None = None,
        cache: int = ANSWERS_CACHE,
    ) -> None:
        self.client = client
        self.redis_keys = keys  # (``keys`` is the Mapping's)
        self.fingerprint = fingerprint or url_fingerprint()
        raw = client.hgetall(keys.revisit)
        self.recent: dict[str, tuple[str | None, str | None]] = {}
        for url, value in raw.items():
            published, etag = json.loads(value)
            self.recent[url.decode() if isinstance(url, bytes) else url] = (published, etag)
        self._answers: dict[str, bool] = {}
        self._cache = cache
        # published before the crawl was marked ready, unchanged during it
        self._archived_count = int(client.scard(keys.archived))

    def archived(self, url: str) -> bool:
        if not self._archived_count:
            return False
        found = self._answers.get(url)
        if found is None:
            if len(self._answers) >= self._cache:
                self._answers.clear()
            found = bool(self.client.sismember(self.redis_keys.archived, self.fingerprint(url)))
            self._answers[url] = found
        return found

    def __getitem__(self, url: str) -> tuple[str | None, str | None]:
        if url in self.recent:
            return self.recent[url]
        if isinstance(url, str) and self.archived(url):
            return (None, None)
        raise KeyError(url)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and (url in self.recent or self.archived(url))

    def __iter__(self) -> Iterator[str]:
        return iter(self.recent)

    def __len__(self) -> int:
        return len(self.recent) + self._archived_count


class CrawlScheduled:
    """The frontier's scheduled articles in a worker: this worker's URLs (membership), and
    as its size the crawl's count (``count()``: the shared counter as last seen), so that
    ``--max-articles`` ends discovery in every worker once the crawl has scheduled that
    many."""

    def __init__(self, count: Callable[[], int]) -> None:
        self.urls: set[str] = set()
        self.count = count

    def __contains__(self, url: object, /) -> bool:
        return url in self.urls

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[str]:
        return iter(self.urls)

    def add(self, url: str, /) -> None:
        self.urls.add(url)


def crawl_rules(client: redis.Redis, keys: RedisKeys, rules: Rules) -> Rules:
    """A worker's frontier rules in this crawl: its own, made ``full`` when the store opened
    a full crawl (``store --full``: every page walked, every archived article revisited
    with its ETag, as a local ``crawl --full``)."""
    raw = client.get(keys.store)
    try:
        full = bool(json.loads(raw).get("full")) if raw else False
    except (ValueError, AttributeError):
        full = False
    return replace(rules, full=True) if full and not rules.full else rules
