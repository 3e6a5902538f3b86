"""Scrapy's downloader with one politeness slot per site address, ``host[:port]``, which a
``Retry-After`` (or a retry's back-off) holds.

Scrapy keys a download slot (its delay, its concurrency, a robots.txt ``Crawl-delay``
raised onto it) by the host name alone, so two sites on one host name and different ports
(replicas on 127.0.0.1) shared one slot. A site is ``host[:port]`` (its label,
``sites.host_label``), and so is its slot, and so is a Redis crawl's rate limit
(``distributed.worker.HostRateLimit``).

A site that answers 429/503 with ``Retry-After: N`` is asked nothing for N seconds: the
retry middleware *holds* the site's slot (``hold``), and returns the retry at once; it no
longer waits inside the downloader, where each waiting request held one of the run's
``CONCURRENT_REQUESTS`` (six healthy articles of a second site waited 20 s). The requests
of a held site that wait in its slot count against ``CONCURRENT_REQUESTS`` only past
``CONCURRENT_REQUESTS`` of them (``needs_backout``), so the other sites go on, and memory
stays bounded."""

from __future__ import annotations

from time import monotonic

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler

from kazscraper.compat import hold_download_slot
from kazscraper.sites import host_label


def slot_of(request: Request) -> str:
    """``host[:port]`` of the request's URL, lower case, without the scheme's default port."""
    return host_label(request.url)


class SiteSlotDownloader(Downloader):
    """One download slot per ``host[:port]`` (a ``download_slot`` in meta still wins, and
    with ``CONCURRENT_REQUESTS_PER_IP`` set the slots are Scrapy's own, one per IP address)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.held: dict[str, float] = {}  # slot -> monotonic time its hold ends

    def get_slot_key(self, request: Request) -> str:
        meta_slot: str | None = request.meta.get(self.DOWNLOAD_SLOT)
        if meta_slot is not None:
            return meta_slot
        if getattr(self, "ip_concurrency", 0):  # deprecated in Scrapy 2.13+, may go
            return str(super().get_slot_key(request))
        return slot_of(request)

    def hold(self, request: Request, seconds: float) -> None:
        """Start no request of ``request``'s slot (its site) for ``seconds`` from now."""
        key = self.get_slot_key(request)
        slot = self.slots.get(key)
        if slot is None or seconds <= 0:
            return
        until = monotonic() + seconds
        if self.held.get(key, 0.0) >= until:
            return  # held longer already
        self.held[key] = until
        hold_download_slot(self, slot, seconds)

    def held_waiting(self) -> int:
        """Requests waiting in held slots, up to ``CONCURRENT_REQUESTS`` per slot."""
        held = self.held
        now = monotonic()
        for key in [k for k, until in held.items() if until <= now or k not in self.slots]:
            del held[key]
        cap = self.total_concurrency or 0
        return sum(min(len(self.slots[key].queue), cap) for key in held)

    def needs_backout(self) -> bool:
        """Scrapy's rule (``CONCURRENT_REQUESTS`` requests in the downloader), without the
        requests that wait in a held slot: another site's requests still go."""
        return 0 < self.total_concurrency <= len(self.active) - self.held_waiting()
