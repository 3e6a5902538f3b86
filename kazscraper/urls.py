"""URL normalisation: pure functions of a URL and plain values, no project imports.

The site serves every article under several addresses: mirror hosts
(``image.``, ``www.``, ``m.``), http and https, with tracking parameters from
newsletters and share buttons, with fragments and trailing slashes, and with
percent-encoding in either case. ``clean_url`` maps all of them to one address,
given the site's origin, its hosts and the tracking parameters to drop; percent-encoding
and query order are normalised by w3lib (the library Scrapy itself uses for request
fingerprints). What a site profile says about its URLs (which host is the site's, which
path is an article) is in ``kazscraper.sites.url_rules``, built on these.
"""

from __future__ import annotations

from collections.abc import Collection
from fnmatch import fnmatchcase
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlunsplit
from urllib.parse import urlsplit as _urlsplit

_DEFAULT_PORTS = {"http": "80", "https": "443"}
SAFE_SCHEMES = frozenset({"http", "https"})

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


def idna_host(host: str) -> str:
    """A host name as it goes on the wire: each label IDNA-encoded (``қазақ.kz`` is
    ``xn--80aau21bd.kz``), lower-case; a host that is no valid IDN stays as it is."""
    if host.isascii():
        return host.lower()
    try:
        return host.lower().encode("idna").decode("ascii")
    except UnicodeError:
        return host.lower()


def normalize_netloc(scheme: str, netloc: str) -> str:
    """Lower-case, IDNA-encoded host without credentials or the scheme's default port."""
    host = netloc.rsplit("@", 1)[-1]
    if not host.isascii() and "[" not in host:
        name, sep, port = host.rpartition(":")
        if not (sep and port.isdigit()):
            name, sep, port = host, "", ""
        host = idna_host(name) + sep + port
    host = host.lower()
    name, sep, port = host.rpartition(":")
    if sep and port == _DEFAULT_PORTS.get(scheme) and "]" not in port:
        return name
    return host


def is_tracking_param(name: str, patterns: Collection[str]) -> bool:
    lowered = name.lower()
    return any(fnmatchcase(lowered, p) for p in patterns)


def clean_url(
    url: str,
    origin: str,
    site_netlocs: Collection[str],
    tracking_params: Collection[str],
    map_mirrors: bool = True,
) -> str:
    """The one address of the page behind ``url``, on a site served from ``origin``.

    Hosts in ``site_netlocs`` (canonical or mirror) become ``origin``; query parameters
    matching ``tracking_params`` (``utm_*``), fragments and a trailing slash are dropped;
    query parameters are sorted and percent-encoding normalised. URLs of other sites keep
    their host but get the same cleaning. Non-http(s) URLs are returned stripped. With
    ``map_mirrors=False`` a mirror keeps its host: the alias as a clean URL.
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES or not parts.netloc:
        return url
    netloc = normalize_netloc(scheme, parts.netloc)
    if map_mirrors and netloc in site_netlocs:
        home = urlsplit(origin)
        scheme, netloc = home.scheme, home.netloc.lower()
    query = urlencode(
        [
            (k, v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if not is_tracking_param(k, tracking_params)
        ]
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    try:
        from w3lib.url import canonicalize_url  # not at start-up: it imports urllib.request

        return canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))
    except ValueError:  # a port past 65535 or not a number: not an address of any page
        return url


def netloc_in(url: str, netlocs: Collection[str]) -> bool:
    """``url`` is an http(s) URL on one of ``netlocs`` (normalised: case, default port)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme in SAFE_SCHEMES and normalize_netloc(scheme, parts.netloc) in netlocs


def url_origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL; '' when it has no scheme or host."""
    parts = urlsplit(url)
    if not (parts.scheme and parts.netloc):
        return ""
    netloc = parts.netloc
    if not netloc.isascii():  # an IDN host goes on the wire IDNA-encoded
        netloc = normalize_netloc(parts.scheme.lower(), netloc)
    return f"{parts.scheme}://{netloc}"


def redacted_url(url: str) -> str:
    """``url`` with its credentials shown as ``***`` (for messages, logs and stored rows):
    ``redis://:secret@host:6379/0`` -> ``redis://***@host:6379/0``."""
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, sep, _ = head.partition("//")
    return f"{scheme}{sep}***@{tail}" if sep else f"***@{tail}"


def is_safe_link(url: str) -> bool:
    """True for absolute http(s) URLs; ``javascript:``, ``data:`` and the like are not links."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in SAFE_SCHEMES and bool(parts.netloc)
