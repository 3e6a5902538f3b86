"""Site profiles: everything site-specific, declared in one place.

A profile names a site's hosts and mirrors, where discovery starts, which URL
paths are articles and which are listings, the CSS selectors of each field, the
headings that label the similar/top news blocks and the interface strings that
are never data. Spiders, extractors and the URL cleaner read the profile; a
layout change on the site is an edit here, not a code change.

A crawl archives one site or several into one archive: ``Sites`` (built by
``build_sites`` from the CLI's ``--site`` specs and ``--start-url``s) holds them in
order and says which site a URL belongs to (``for_url``, by host and mirrors). Each
profile has a ``label``, its name in the archive (``articles.site``): the profile's
name, or for the generic profile the host it is rebased on (``generic_site``, which
also gives the generic profile URL rules for a crawl).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from kazscraper.urls import SAFE_SCHEMES, normalize_netloc
from kazscraper.urls import urlsplit as safe_urlsplit

#: the default port of each scheme: a site's label leaves it out
_DEFAULT_PORTS = {"http": 80, "https": 443}


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
    # a learned profile's (``sites/profile_file.py``): the date line and how it is written,
    # the byline, the similar/top block containers and one item of each
    date: str = ""
    date_format: str = ""
    authors: str = ""
    similar: str = ""
    similar_item: str = ""
    top: str = ""
    top_item: str = ""


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
    # False: an article is known by its path alone; its URL's query is dropped (the
    # generic crawl's rule: ``?share=``, ``?print=Y`` variants are the article)
    article_query: bool = True
    selectors: Selectors = field(default=Selectors(title="h1", body="article", paragraphs="p"))
    similar_labels: tuple[str, ...] = ()
    top_labels: tuple[str, ...] = ()
    interface_strings: tuple[str, ...] = ()
    language: str = "kk"  # "" : read from each page (the generic profile)
    timezone: str | None = "Asia/Almaty"  # None: a date keeps the offset its page states
    # health check: least share of a run's article pages on which each field must be found
    health_thresholds: dict[str, float] = field(default_factory=dict)
    health_min_pages: int = 10  # fewer pages than this: too few to judge
    # a learned profile's ``[urls]`` (``sites/profile_file.py``), on top of the URL rules
    # above, which stay the fallback (``url_rules.classify_url``): its article and listing
    # path patterns and the form of its pagination (``?p=N``, ``/page/N/``)
    learned_article: str = ""
    learned_listing: tuple[str, ...] = ()
    pagination: str = ""

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

    @cached_property
    def learned_article_re(self) -> re.Pattern[str] | None:
        return re.compile(self.learned_article) if self.learned_article else None

    @cached_property
    def learned_listing_res(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.learned_listing)

    @cached_property
    def label(self) -> str:
        """The site's name in the archive (``articles.site``, ``crawls.site``): the profile's
        name, or for the generic profile the host it is rebased on (with its port when that
        is not the scheme's default: two loopback replicas are two sites)."""
        if self.name != "generic" or not self.origin:
            return self.name
        return host_label(self.origin)

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


def profile_for_url(url: str | None, default: str) -> SiteProfile:
    """The profile of the site ``url`` belongs to: the ``default`` site's (the caller's
    choice: the CLI's) for its own hosts and when there is no URL, the generic profile,
    rebased on ``url``'s origin, for any other host."""
    profile = get_profile(default)
    if not url:
        return profile
    parts = urlsplit(url)
    if not parts.netloc or parts.netloc.lower() in profile.site_netlocs:
        return profile
    return get_profile("generic").rebased(f"{parts.scheme or 'https'}://{parts.netloc}")


def host_label(url: str) -> str:
    """``host[:port]`` of a URL, lower case, without the scheme's default port."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


def generic_site(url: str) -> SiteProfile:
    """The generic profile as a crawl profile of the site at ``url``'s origin.

    The generic profile has no URL rules of its own (any path is an article to the
    ``parse`` command); a crawl needs some, so a generic site gets these (documented in
    docs/several-sites.md, "The generic profile as a crawl profile"): its home page ``/``
    and *sections* (paths of one or two segments that do not look like a story,
    ``?page=N`` included) are listings; an *article* is a path whose last segment looks
    like a story: a slug of three words or more (``/news/astanada-jana-mektep``), a
    number of five digits or more
    (``/news/123456``), or a name ending ``.html``/``.htm``. Discovery adds the site's
    ``/sitemap.xml`` (and the links of articles). Any other path is not crawled; nor is a
    tag, author, search, print, share, feed or attachment page or a media file
    (``url_rules.never_an_article``). An article is known by its path: its URL's query
    (``?share=``, ``?print=Y``, ``?utm_*``) is dropped.
    """
    parts = urlsplit(url)
    origin = f"{parts.scheme or 'https'}://{parts.netloc}"
    return replace(
        get_profile("generic"),
        origin=origin,
        sitemap_paths=("/sitemap.xml",),
        article_path=GENERIC_ARTICLE_PATH,
        listing_paths=GENERIC_LISTING_PATHS,
        article_query=False,
    )


# a story's path: segments, then a last one of 3+ words, 5+ digits, or *.html
# (each alternative is unambiguous: '/' and '-' delimit, so no backtracking on a long path)
GENERIC_ARTICLE_PATH = r"^/(?:[^/]+/)*(?:[^/.-]+(?:-[^/-]+){2,}|[0-9]{5,}|[^/]+\.html?)/?$"
# the home page and sections: one or two segments that are not a story's
GENERIC_LISTING_PATHS = (r"^/?$", r"^/[^/]+/?$", r"^/[^/]+/[^/]+/?$")


class SiteSpecError(ValueError):
    """A ``--site`` or ``--start-url`` that names no site (one line for the CLI)."""


@dataclass(frozen=True)
class Site:
    """One site of a crawl: its profile and where discovery starts."""

    profile: SiteProfile
    start_urls: tuple[str, ...]

    @property
    def label(self) -> str:
        return self.profile.label


@dataclass(frozen=True)
class Sites:
    """The sites of one crawl, in order (the first is the crawl's main site).

    ``for_url`` answers which site a URL belongs to (by its host, mirrors included);
    a URL of no site of the crawl is off-site. Built by ``build_sites``.
    """

    sites: tuple[Site, ...]
    # a reparse: its one site's profile at the origins of earlier crawls (a demo on another
    # port, a site that moved host), so their captures are read as those crawls read them;
    # ``for_url`` finds them by host, nothing crawls them
    earlier: tuple[SiteProfile, ...] = ()

    def __post_init__(self) -> None:
        labels = [s.label for s in self.sites]
        if not labels:
            raise SiteSpecError("a crawl needs at least one site")
        twice = sorted({label for label in labels if labels.count(label) > 1})
        if twice:
            raise SiteSpecError(f"site {twice[0]!r} is given twice")
        owners: dict[str, str] = {}
        for site in self.sites:
            for netloc in site.profile.site_netlocs:
                if netloc in owners:
                    raise SiteSpecError(
                        f"host {netloc} belongs to two sites ({owners[netloc]}, {site.label})"
                    )
                owners[netloc] = site.label

    @classmethod
    def single(
        cls,
        profile: SiteProfile,
        start_urls: Sequence[str] = (),
        earlier: Sequence[SiteProfile] = (),
    ) -> Sites:
        """One site (a one-site crawl, reparse, a test's frontier); ``earlier``: see the
        field (a reparse's)."""
        site = Site(profile, tuple(start_urls) or tuple(profile.start_urls()))
        return cls((site,), tuple(earlier))

    @cached_property
    def _by_netloc(self) -> dict[str, Site]:
        found = {n: Site(p, ()) for p in reversed(self.earlier) for n in p.site_netlocs}
        return found | {netloc: s for s in self.sites for netloc in s.profile.site_netlocs}

    @cached_property
    def _by_label(self) -> dict[str, Site]:
        return {s.label: s for s in self.sites}

    def __iter__(self) -> Iterator[Site]:
        return iter(self.sites)

    def __len__(self) -> int:
        return len(self.sites)

    @property
    def first(self) -> SiteProfile:
        return self.sites[0].profile

    @property
    def labels(self) -> list[str]:
        return [s.label for s in self.sites]

    @property
    def profiles(self) -> list[SiteProfile]:
        return [s.profile for s in self.sites]

    def for_url(self, url: str) -> SiteProfile | None:
        """The profile of the site ``url`` belongs to, or None (off-site, or no URL)."""
        parts = safe_urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in SAFE_SCHEMES:
            return None
        site = self._by_netloc.get(normalize_netloc(scheme, parts.netloc))
        return site.profile if site is not None else None

    def by_label(self, label: str) -> SiteProfile | None:
        site = self._by_label.get(label)
        return site.profile if site is not None else None

    def profile_of(self, url: str, label: str = "") -> SiteProfile:
        """The profile of a record: by its ``label`` when it has one of these sites, else
        by its URL, else the crawl's main site's (a one-site crawl: always that one)."""
        return self.by_label(label) or self.for_url(url) or self.first

    def start_urls(self) -> list[str]:
        return [url for s in self.sites for url in s.start_urls]


def _origin_of(url: str, what: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises for a port past 65535 or not a number
    except ValueError as exc:
        raise SiteSpecError(f"{what} {url!r} is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SiteSpecError(f"{what} {url!r} is not an http(s) URL")
    return f"{parts.scheme.lower()}://{normalize_netloc(parts.scheme.lower(), parts.netloc)}"


def _named_profiles() -> list[SiteProfile]:
    return [p for p in map(get_profile, known_sites()) if p.origin]


def known_sites() -> list[str]:
    """The names of the registered profiles (``generic`` among them)."""
    return ["generic", "qazdauiri"]


def site_for_url(url: str) -> Site:
    """The site a start URL names: the named profile whose host it is, starting there, or
    the generic profile on its host."""
    origin = _origin_of(url, "start URL")
    netloc = urlsplit(origin).netloc
    for profile in _named_profiles():
        if netloc in profile.site_netlocs:
            return Site(profile, (url,))
    return Site(generic_site(origin), (url,))


def parse_site_spec(spec: str) -> Site:
    """One ``--site``: ``NAME`` (a named profile at its own origin), ``NAME=URL`` (that
    profile rebased on URL's origin, starting at URL: a replica, a staging copy) or
    ``URL`` (see ``site_for_url``). Raises ``SiteSpecError``."""
    spec = spec.strip()
    name, sep, url = spec.partition("=")
    if "://" in name or (not sep and "/" in spec):
        return site_for_url(spec)
    if not sep:
        url = ""
    if name not in known_sites():
        raise SiteSpecError(
            f"unknown site {name!r} in --site {spec!r}; known: {', '.join(known_sites())}, or a URL"
        )
    if name == "generic":
        if not url:
            raise SiteSpecError(
                "--site generic needs a URL: generic=https://example.kz/ or the URL"
            )
        origin = _origin_of(url, "--site")
        return Site(generic_site(origin), (url,))
    profile = get_profile(name)
    if not url:
        return Site(profile, tuple(profile.start_urls()))
    return Site(profile.rebased(_origin_of(url, "--site")), (url,))


def build_sites(specs: Sequence[str] = (), start_urls: Sequence[str] = ()) -> Sites:
    """The sites of a crawl from the CLI's ``--site`` specs and ``--start-url``s (in that
    order). Raises ``SiteSpecError`` for a bad spec, a site given twice, or a host that
    belongs to two sites."""
    return Sites(tuple([*map(parse_site_spec, specs), *map(site_for_url, start_urls)]))


def crawled_sites(runs: Sequence[dict[str, Any]], default_site: str) -> Sites | None:
    """The sites an archive's captures belong to, from its crawls' options (newest first,
    as ``crawls.arguments`` holds them): a several-site crawl's ``sites`` specs, a one-site
    crawl's profile at its start URL (with its mirrors; ``default_site``'s profile when its
    options name none). A newer run's site wins a label or a host over an older one's.
    None: no several-site crawl (the one-site reparse)."""
    if not any(run.get("sites") for run in runs):
        return None
    chosen: list[Site] = []
    labels: set[str] = set()
    hosts: set[str] = set()
    for run in runs:
        for site in _sites_of_run(run, default_site):
            if site.label in labels or hosts & site.profile.site_netlocs:
                continue
            chosen.append(site)
            labels.add(site.label)
            hosts |= site.profile.site_netlocs
    return Sites(tuple(chosen)) if chosen else None


def earlier_origins(runs: Sequence[dict[str, Any]], profile: SiteProfile) -> list[SiteProfile]:
    """The one site's ``profile`` at the start origin (with the mirrors) of each of an
    archive's crawls (``runs``, newest first) that ``profile``'s hosts do not cover: what a
    reparse reads those crawls' captures with (``Sites.earlier``)."""
    found: list[SiteProfile] = []
    hosts = set(profile.site_netlocs)
    for run in runs:
        start = run.get("start_url") or run.get("replica")
        if not start or run.get("sites"):
            continue
        parts = urlsplit(str(start))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            continue
        mirrors = tuple(str(m) for m in run.get("mirrors") or ())
        earlier = profile.rebased(f"{parts.scheme}://{parts.netloc}", mirrors)
        if earlier.site_netlocs & hosts:
            continue
        found.append(earlier)
        hosts |= earlier.site_netlocs
    return found


def _sites_of_run(run: dict[str, Any], default_site: str) -> list[Site]:
    specs = run.get("sites") or ()
    try:
        if specs:
            return list(build_sites([str(s) for s in specs]))
        profile = get_profile(str(run.get("site") or default_site))
    except (SiteSpecError, KeyError):
        return []  # options this version cannot read: their captures are not claimed
    start = run.get("start_url") or run.get("replica")
    if start:
        parts = urlsplit(str(start))
        mirrors = tuple(str(m) for m in run.get("mirrors") or ())
        profile = profile.rebased(f"{parts.scheme}://{parts.netloc}", mirrors)
    return [Site(profile, tuple(profile.start_urls()))]
