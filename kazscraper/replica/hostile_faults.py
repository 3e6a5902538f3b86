"""Fault modes of the third hostile round (issue 21), kept out of the large server module.

``server._Handler._fault`` hands a mode of ``ROUND3_FAULT_MODES`` to ``answer``, which
writes the whole response through the handler (its ``_send`` and its socket).
"""

from __future__ import annotations

import functools
import gzip
import importlib
import sys
from typing import Any

TEXT = "text/plain; charset=utf-8"
#: what robots-private-padded's rule forbids (a path under /news/, no article of the replica)
PRIVATE_PREFIX = "/news/"
ROBOTS_PADDING_BYTES = 11 * 1024 * 1024  # comments after the rules, past the 10 MB page cap

ROUND3_FAULT_MODES = {
    "robots-padded": "(for /robots.txt) Disallow: /news/ then 11 MB of comments (RFC 9309 "
    "asks a crawler to read at least the first 500 KiB)",
    "robots-trickle": "(for /robots.txt) Disallow: / sent one byte every 0.2 s, past any "
    "short download timeout",
    # the page itself, sent with a Content-Encoding (crawl and reparse must read the same)
    "encoded-gzip-members": "the page with Content-Encoding: gzip, as three gzip members "
    "back to back (a server that flushes per chunk)",
    "encoded-br": "the page with Content-Encoding: br",
    "encoded-zstd": "the page with Content-Encoding: zstd",
    "encoded-br-gzip": "the page with Content-Encoding: br, gzip (brotli, then gzip)",
    "encoded-gzip-twice": "the page gzipped twice, as two Content-Encoding: gzip lines",
    # (for a sitemap) issue 21, item 3: bench/sitemap_memory.py --crawl
    "sitemap-tiny-elements": "a 46 KB gzipped sitemap (application/x-gzip) inflating to 48 MB "
    "of 12 million <a/> in its urlset, no entry",
}
TINY_ELEMENTS = 12_000_000


def answer(handler: Any, mode: str) -> bool:
    """Answer with ``mode``; False when the normal page should be served instead."""
    if mode == "robots-padded":
        _robots_padded(handler)
    elif mode == "robots-trickle":
        handler._trickle(b"User-agent: *\nDisallow: /\n" + b"#" * 4096 + b"\n", TEXT)
    elif mode.startswith("encoded-"):
        _encoded(handler, mode)
    elif mode == "sitemap-tiny-elements":
        handler._send(200, "application/x-gzip", _tiny_elements())
    else:
        return False
    return True


def _robots_padded(handler: Any) -> None:
    rules = f"User-agent: *\nDisallow: {PRIVATE_PREFIX}\n".encode()
    line = b"# " + b"x" * 1021 + b"\n"  # 1 KiB
    lines = ROBOTS_PADDING_BYTES // len(line)
    handler.send_response(200)
    handler.send_header("Content-Type", TEXT)
    handler.send_header("Content-Length", str(len(rules) + lines * len(line)))
    handler.end_headers()
    try:
        handler.wfile.write(rules)
        chunk = line * 64
        for _ in range(lines // 64):
            handler.wfile.write(chunk)
        handler.wfile.write(line * (lines % 64))
    except OSError:  # the crawler hung up once it read the size
        pass
    handler.close_connection = True


def _encoded(handler: Any, mode: str) -> None:
    """The normal page, sent with the Content-Encoding of ``mode``."""
    status, content_type, body = handler.server.respond(handler.path)
    raw = body.encode("utf-8")
    codings: list[str]
    if mode == "encoded-gzip-members":
        third = -(-len(raw) // 3)
        payload = b"".join(gzip.compress(raw[i : i + third]) for i in range(0, len(raw), third))
        codings = ["gzip"]
    elif mode == "encoded-br":
        payload, codings = _brotli(raw), ["br"]
    elif mode == "encoded-zstd":
        payload, codings = _zstd(raw), ["zstd"]
    elif mode == "encoded-br-gzip":
        payload, codings = gzip.compress(_brotli(raw)), ["br, gzip"]
    else:  # encoded-gzip-twice
        payload, codings = gzip.compress(gzip.compress(raw)), ["gzip", "gzip"]
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    for coding in codings:
        handler.send_header("Content-Encoding", coding)
    handler.end_headers()
    handler.wfile.write(payload)


def _brotli(raw: bytes) -> bytes:
    import brotli  # type: ignore[import-untyped,unused-ignore]

    return bytes(brotli.compress(raw))


def _zstd(raw: bytes) -> bytes:
    # the standard library's own zstd from Python 3.14, else backports.zstd (a dependency)
    name = "compression.zstd" if sys.version_info >= (3, 14) else "backports.zstd"
    zstd: Any = importlib.import_module(name)
    return bytes(zstd.compress(raw))


@functools.lru_cache(maxsize=1)
def _tiny_elements() -> bytes:
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(head + b"<a/>" * TINY_ELEMENTS + b"</urlset>", 9)
