"""URL canonicalisation: many addresses, one article.

The site serves every article under several addresses: mirror hosts
(``image.``, ``www.``, ``m.``), http and https, with tracking parameters from
newsletters and share buttons, with fragments and trailing slashes, and with
percent-encoding in either case. ``canonical_url`` maps all of them to one
address so that the archive keeps one row per article and every alias as a
pointer to it. Percent-encoding and query order are normalised by w3lib (the
library Scrapy itself uses for request fingerprints).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlunsplit
from urllib.parse import urlsplit as _urlsplit

from w3lib.url import canonicalize_url as w3lib_canonicalize_url

from kazscraper.sites import SiteProfile

_DEFAULT_PORTS = {"http": "80", "https": "443"}
_SAFE_SCHEMES = frozenset({"http", "https"})

UrlKind = Literal["article", "listing"]
_UNPARSEABLE = SplitResult("", "", "", "", "")


def urlsplit(url: str) -> SplitResult:
    """``urllib.parse.urlsplit``, but a URL it cannot parse (``http://[::1``, a host that
    NFKC changes, ``//[zz]/``: ``ValueError``) splits into nothing: no scheme, no host, so
    it is no link of any site, never an exception in the middle of a page."""
    try:
        return _urlsplit(url)
    except ValueError:
        return _UNPARSEABLE


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, or None when urllib cannot parse it (a page's
    link is data, not something that may stop the page from being read)."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def normalize_netloc(scheme: str, netloc: str) -> str:
    """Lower-case host without credentials or the scheme's default port."""
    host = netloc.rsplit("@", 1)[-1].lower()
    name, sep, port = host.rpartition(":")
    if sep and port == _DEFAULT_PORTS.get(scheme) and "]" not in port:
        return name
    return host


def is_tracking_param(name: str, patterns: tuple[str, ...]) -> bool:
    lowered = name.lower()
    return any(fnmatchcase(lowered, p) for p in patterns)


def canonical_url(url: str, profile: SiteProfile, map_mirrors: bool = True) -> str:
    """The one address of the page behind ``url``.

    Site hosts (canonical or mirror) become the profile's origin; tracking
    parameters, fragments and a trailing slash are dropped; query parameters
    are sorted and percent-encoding normalised. URLs of other sites keep their
    host but get the same cleaning. Non-http(s) URLs are returned stripped.
    With ``map_mirrors=False`` a mirror keeps its host: the alias as a clean URL.
    """
    cache = profile.url_cache
    found = cache.get((url, map_mirrors))
    if found is None:
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        found = cache[(url, map_mirrors)] = _canonical_url(url, profile, map_mirrors)
    return found


URL_CACHE_SIZE = 10_000


def _canonical_url(url: str, profile: SiteProfile, map_mirrors: bool) -> str:
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _SAFE_SCHEMES or not parts.netloc:
        return url
    netloc = normalize_netloc(scheme, parts.netloc)
    if map_mirrors and netloc in profile.site_netlocs:
        origin = urlsplit(profile.origin)
        scheme, netloc = origin.scheme, origin.netloc.lower()
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking_param(k, profile.tracking_params)
        ]
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    try:
        return w3lib_canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))
    except ValueError:  # a port past 65535 or not a number: not an address of any page
        return url


def is_site_url(url: str, profile: SiteProfile) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme.lower() in _SAFE_SCHEMES
        and normalize_netloc(parts.scheme.lower(), parts.netloc) in profile.site_netlocs
    )


def classify_url(url: str, profile: SiteProfile) -> UrlKind | None:
    """'article', 'listing' or None (not ours, or a page we do not crawl)."""
    if not is_site_url(url, profile):
        return None
    path = urlsplit(url).path or "/"
    if profile.article_path_re.match(path):
        return "article"
    if any(p.match(path) for p in profile.listing_path_res):
        return "listing"
    return None


def url_origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL; '' when it has no scheme or host."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def is_safe_link(url: str) -> bool:
    """True for absolute http(s) URLs; ``javascript:``, ``data:`` and the like are not links."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in _SAFE_SCHEMES and bool(parts.netloc)


def declared_canonical(declared: str | None, fetched_url: str, profile: SiteProfile) -> str:
    """The canonical URL of a page fetched at ``fetched_url`` that declares ``declared``.

    A page's ``<link rel="canonical">`` is a claim, not a fact: it is used only
    when it is itself an article URL of the site (by the profile's URL
    classification). A canonical naming the home page, a category or another
    host would merge unrelated articles into one row; then the fetched URL's
    canonical form is the article's URL. (Whether a claimed article has the same
    content is checked later, by the dedup pipeline.)
    """
    if declared and classify_url(declared, profile) == "article":
        return canonical_url(declared, profile)
    return canonical_url(fetched_url, profile)
