"""Site profiles: everything site-specific, declared in one place.

A profile names a site's hosts and mirrors, where discovery starts, which URL
paths are articles and which are listings, the CSS selectors of each field, the
headings that label the similar/top news blocks and the interface strings that
are never data. Spiders, extractors and the URL cleaner read the profile; a
layout change on the site is an edit here, not a code change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Selectors:
    """CSS selectors for the site's article page (the profile layer of extraction)."""

    title: str
    body: str
    paragraphs: str
    category: str = ""
    tags: str = ""
    image: str = ""
    views: str = ""
    listing_item: str = "li, div"  # one entry of a listing (title link, date) for --since


@dataclass(frozen=True)
class SiteProfile:
    name: str
    origin: str  # scheme://host[:port] of the canonical site
    mirror_hosts: tuple[str, ...] = ()  # netlocs serving the same pages
    start_paths: tuple[str, ...] = ("/",)
    sitemap_paths: tuple[str, ...] = ()
    feed_paths: tuple[str, ...] = ()
    article_path: str = r"^/news/[^/]+/?$"
    listing_paths: tuple[str, ...] = (r"^/$",)
    tracking_params: tuple[str, ...] = ("utm_*", "fbclid", "gclid", "yclid", "_ga", "from")
    selectors: Selectors = field(default=Selectors(title="h1", body="article", paragraphs="p"))
    similar_labels: tuple[str, ...] = ()
    top_labels: tuple[str, ...] = ()
    interface_strings: tuple[str, ...] = ()
    language: str = "kk"  # "" : read from each page (the generic profile)
    timezone: str | None = "Asia/Almaty"  # None: a date keeps the offset its page states
    # health check: least share of a run's article pages on which each field must be found
    health_thresholds: dict[str, float] = field(default_factory=dict)
    health_min_pages: int = 10  # fewer pages than this: too few to judge

    @cached_property
    def netloc(self) -> str:
        return urlsplit(self.origin).netloc.lower()

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (for worker processes) without its memos."""
        return {k: v for k, v in self.__dict__.items() if k not in ("url_cache", "link_cache")}

    @cached_property
    def link_cache(self) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        """Memo of cleaned related links (``clean.article``); not part of the profile's value."""
        return {}

    @cached_property
    def url_cache(self) -> dict[tuple[str, bool], str]:
        """Memo of ``canonical_url`` for this profile (menus and top-news links repeat on
        every page). Not part of the profile's value: kept out of comparisons."""
        return {}

    @cached_property
    def site_netlocs(self) -> frozenset[str]:
        """Every netloc that belongs to the site: the canonical host and its mirrors."""
        return frozenset({self.netloc, *(h.lower() for h in self.mirror_hosts)})

    @cached_property
    def article_path_re(self) -> re.Pattern[str]:
        return re.compile(self.article_path)

    @cached_property
    def listing_path_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.listing_paths)

    def start_urls(self) -> list[str]:
        return [self.origin + p for p in self.start_paths]

    def sitemap_urls(self) -> list[str]:
        return [self.origin + p for p in self.sitemap_paths]

    def feed_urls(self) -> list[str]:
        return [self.origin + p for p in self.feed_paths]

    def rebased(self, origin: str, mirror_origins: tuple[str, ...] = ()) -> SiteProfile:
        """The same site served from another origin (the replica, a staging copy).

        Paths, selectors and labels stay; hosts change. Mirrors are given as
        origins (``http://127.0.0.1:8001``) because a loopback replica cannot
        use the ``image.`` subdomain trick.
        """
        origin = origin.rstrip("/")
        mirrors = tuple(urlsplit(m).netloc.lower() for m in mirror_origins)
        return replace(self, origin=origin, mirror_hosts=mirrors)


def get_profile(name: str) -> SiteProfile:
    """The registered profile called ``name``; KeyError lists the known ones."""
    from kazscraper.sites.generic import PROFILE as GENERIC
    from kazscraper.sites.qazdauiri import PROFILE as QAZDAURI

    profiles = {QAZDAURI.name: QAZDAURI, GENERIC.name: GENERIC}
    try:
        return profiles[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r}; known: {', '.join(sorted(profiles))}") from None


def profile_for_url(url: str | None, default: str = "qazdauiri") -> SiteProfile:
    """The profile of the site ``url`` belongs to: the ``default`` site's for its own hosts
    (and when there is no URL), the generic profile, rebased on ``url``'s origin, for any
    other host."""
    profile = get_profile(default)
    if not url:
        return profile
    parts = urlsplit(url)
    if not parts.netloc or parts.netloc.lower() in profile.site_netlocs:
        return profile
    return get_profile("generic").rebased(f"{parts.scheme or 'https'}://{parts.netloc}")
