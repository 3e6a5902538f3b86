"""Scrapy's downloader with one politeness slot per site address, ``host[:port]``.

Scrapy keys a download slot (its delay, its concurrency, a robots.txt ``Crawl-delay``
raised onto it) by the host name alone, so two sites on one host name and different ports
(replicas on 127.0.0.1) shared one slot. A site is ``host[:port]`` (its label,
``sites.host_label``), and so is its slot, and so is a Redis crawl's rate limit
(``distributed.worker.HostRateLimit``)."""

from __future__ import annotations

from scrapy import Request
from scrapy.core.downloader import Downloader

from kazscraper.sites import host_label


def slot_of(request: Request) -> str:
    """``host[:port]`` of the request's URL, lower case, without the scheme's default port."""
    return host_label(request.url)


class SiteSlotDownloader(Downloader):
    """One download slot per ``host[:port]`` (a ``download_slot`` in meta still wins, and
    with ``CONCURRENT_REQUESTS_PER_IP`` set the slots are Scrapy's own, one per IP address)."""

    def get_slot_key(self, request: Request) -> str:
        meta_slot: str | None = request.meta.get(self.DOWNLOAD_SLOT)
        if meta_slot is not None:
            return meta_slot
        if getattr(self, "ip_concurrency", 0):  # deprecated in Scrapy 2.13+, may go
            return str(super().get_slot_key(request))
        return slot_of(request)
