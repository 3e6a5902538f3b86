"""JSON for the requests in the shared frontier (scrapy-redis ``SCHEDULER_SERIALIZER``).

scrapy-redis pickles requests by default; unpickling what a network service hands back
runs whatever code it holds. Requests (``Request.to_dict``) are plain values, so they
travel as JSON: bytes (headers, body) as ``{"__bytes__": base64}``, tuples as lists.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

_BYTES = "__bytes__"


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bytes):  # header names
        return _BYTES + base64.b64encode(key).decode("ascii")
    return str(key)


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {_unkey(k): _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _unkey(key: str) -> str | bytes:
    return base64.b64decode(key[len(_BYTES) :]) if key.startswith(_BYTES) else key


def dumps(obj: dict[str, Any]) -> bytes:
    """A request dict as JSON bytes (a value JSON cannot hold raises TypeError)."""
    return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes | str) -> dict[str, Any]:
    restored = _restore(json.loads(data))
    if not isinstance(restored, dict):
        raise ValueError("a queued request is not a JSON object")
    return restored


class BadRequest(ValueError):
    """A queued request that is not one a worker made: dropped and counted, never fetched."""


#: the fields of ``Request.to_dict`` a worker's request may hold, with their types (no
#: ``_class``: ``request_from_dict`` would import whatever class path it names)
REQUEST_FIELDS: dict[str, tuple[type, ...]] = {
    "url": (str,),
    "callback": (str, type(None)),
    "errback": (str, type(None)),
    "method": (str,),
    "headers": (dict,),
    "body": (bytes,),
    "cookies": (dict, list),
    "meta": (dict,),
    "encoding": (str,),
    "priority": (int,),
    "dont_filter": (bool,),
    "flags": (list,),
    "cb_kwargs": (dict,),
}
METHODS = frozenset({"GET", "HEAD"})
#: the meta keys the spider and Scrapy's own middlewares put on a request; anything else
#: (``proxy``, ``bindaddress``, ``download_maxsize``...) would change how or where it is fetched
META_KEYS = frozenset(
    {
        "article_url", "empty_run", "sitemap_depth", "handle_httpstatus_list", "fetched_at",
        "depth", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
        "retry_times", "max_retry_times", "priority_adjust", "give_up_log_level",
        "download_slot", "download_latency", "download_timeout", "dont_redirect",
        "dont_retry", "kazscraper_inflight", "dont_merge_cookies", "is_start_request",
        "listing_too",
    }
)  # fmt: skip
MAX_URL = 8192


def on_sites(url: str, netlocs: Iterable[str]) -> bool:
    """An http(s) URL of one of the sites' ``netlocs`` (``host[:port]``): its host is the
    netloc's or below it (Scrapy's offsite rule), and its port the netloc's when it names one."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host or len(url) > MAX_URL:
        return False
    for netloc in netlocs:
        site = urlsplit(f"//{netloc.lower()}")
        name = site.hostname or ""
        below = host == name or host.endswith("." + name)
        if name and below and site.port in (None, port):
            return True
    return False


def check_request(obj: dict[str, Any], netlocs: Iterable[str], callbacks: Iterable[str]) -> None:
    """Raise ``BadRequest`` unless ``obj`` (a decoded ``Request.to_dict``) holds only the
    fields and types a worker's request has, a GET/HEAD of an http(s) URL of the crawl's
    sites (``netlocs``), callbacks among ``callbacks`` and no class path."""
    netlocs = list(netlocs)
    unknown = set(obj) - set(REQUEST_FIELDS)
    if unknown:
        raise BadRequest(f"unknown request fields: {', '.join(sorted(map(str, unknown)))[:200]}")
    for name, types in REQUEST_FIELDS.items():
        if name in obj and not isinstance(obj[name], types):
            raise BadRequest(f"request field {name!r} is a {type(obj[name]).__name__}")
        if name in obj and types == (int,) and isinstance(obj[name], bool):
            raise BadRequest(f"request field {name!r} is a bool")
    if "url" not in obj or not on_sites(obj["url"], netlocs):
        raise BadRequest(f"not an http(s) URL of the crawl's sites: {str(obj.get('url'))[:200]}")
    if obj.get("method", "GET") not in METHODS:
        raise BadRequest(f"method {str(obj.get('method'))[:20]!r} is not GET or HEAD")
    allowed = set(callbacks)
    for name in ("callback", "errback"):
        if obj.get(name) is not None and obj[name] not in allowed:
            raise BadRequest(f"{name} {str(obj[name])[:80]!r} is not one of the spider's")
    meta = obj.get("meta") or {}
    strange = set(meta) - META_KEYS
    if strange:
        raise BadRequest(f"unknown meta keys: {', '.join(sorted(map(str, strange)))[:200]}")
    for url in meta.get("redirect_urls") or ():
        if not isinstance(url, str) or not on_sites(url, netlocs):
            raise BadRequest("a redirect_urls entry is not a URL of the crawl's sites")
    headers = obj.get("headers") or {}
    for key, values in headers.items():
        if not isinstance(key, (str, bytes)) or not isinstance(values, list):
            raise BadRequest("request headers are not name -> list of values")
        if not all(isinstance(v, (str, bytes)) for v in values):
            raise BadRequest("a request header value is not text")
