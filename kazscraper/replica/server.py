"""The replica's HTTP server: real sockets on 127.0.0.1, two origins (and a stray port).

One listener plays ``qazdauiri.kz``, a second plays its ``image.`` mirror (same
pages, links pointing to itself); a third, on another port of the same host, is
not part of the site (the ``redirect-other-port`` fault sends there). All only
ever bind the loopback address.
``ReplicaServer`` runs them in background threads, for tests, benchmarks and
``kazscraper demo``; ``kazscraper replica serve`` runs it in the foreground.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib
import json
import logging
import socket
import struct
import sys
import threading
import time
import zlib
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kazscraper.replica import corpus, hostile_faults
from kazscraper.replica.render import Renderer, e
from kazscraper.replica.site import ReplicaSite

LOOPBACK = "127.0.0.1"
logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


# Fault modes, switchable per path (``ReplicaServer.faults``), for the reliability tests.
FAULTS = {
    "500": "HTTP 500 on every request",
    "502": "HTTP 502 on every request",
    "503": "HTTP 503 on every request",
    "429-retry-after": "HTTP 429 with Retry-After: 1 on the first two requests, then the page",
    "503-retry-after": "HTTP 503 with Retry-After: 1 on the first two requests, then the page",
    "503-retry-after-long": "HTTP 503 with Retry-After: 3600 (longer than anyone waits)",
    "reset": "the connection is reset before any response",
    "slow": "the response starts after SLOW_SECONDS (beyond a short download timeout)",
    "truncated": "Content-Length of the whole page, then half of it and a closed connection",
    "windows-1251": "the page in a legacy encoding (KZ-1048 bytes) declared windows-1251",
    "wrong-charset": "the page's bytes are KZ-1048 but the header and <meta> say utf-8",
    "huge": "a 11 MB page (above the crawler's 10 MB limit)",
    "binary": "a PNG image at the article's URL",
    "redirect-loop": "302 to another URL that redirects back, forever",
    "redirect-offsite": "302 to a host that is not the site's",
    "empty": "200 with an empty body",
    "broken-xml": "(for /sitemap.xml) a 200 whose XML is cut off and malformed",
    # hostile pages (issue 11): each must end as an article or a failure with its reason
    "canonical-home": "the article declares the home page as its canonical URL",
    "canonical-category": "the article declares its category page as its canonical URL",
    "canonical-other": "the article declares another article (the seed) as its canonical URL",
    "anchor-bomb": "the article with 200 KB of '<a ' appended (a quadratic-regex trap)",
    "refresh-offsite": "a page whose meta refresh sends to another host",
    "refresh-self": "the article with a meta refresh (every 30 s) to itself",
    "refresh-javascript": "a page whose meta refresh sends to javascript:",
    "refresh-loop": "a page whose meta refresh sends to a URL that refreshes back",
    "redirect-other-port": "302 to the same path on another port of the same host",
    "redirect-home": "302 to the site's home page (a deleted article, a soft 404)",
    "endless-pagination": "(for a category) every ?page=N exists, with new article links",
    "robots-crawl-delay": "(for /robots.txt) Crawl-delay: 1",
    "robots-disallow-all": "(for /robots.txt) Disallow: /",
    "sitemap-index-chain": "(for /sitemap.xml) a sitemap index pointing to the next, forever",
    "sitemap-index-gz": "(for /sitemap.xml) an index of /sitemaps/articles.xml.gz and "
    "/sitemaps/empty.xml (give those paths faults of their own)",
    "sitemap-gz": "the site's sitemap gzipped, as application/x-gzip (no Content-Encoding)",
    "sitemap-gz-bomb": "a gzipped sitemap that inflates beyond the size cap (~60 MB)",
    # values SQLite cannot store as they come, and revisits that bring garbage (issue 11)
    "views-overflow": "the article with a view counter of 2^70 (beyond SQLite's 64-bit integers)",
    "headline-surrogate": "the article with JSON-LD whose headline ends in a lone surrogate "
    "escape (a headline cut inside an emoji)",
    "soft-404": "200 with a 'page not found' page at the article's URL (no date, no authors)",
    "metadata-stripped": "the article's text without its signature (date, authors) and with "
    "no category",
    # red-team cases (tests/test_redteam.py): values that make urllib or int() raise
    "bad-urls": "the article with links, canonical, og:url and og:image that urllib cannot "
    "parse (a broken IPv6 host, an NFKC-unsafe host, a port past 65535)",
    "listing-bad-urls": "(for a category) its page with unparseable links before the real ones",
    "views-digits": "the article with a view counter of 5,000 digits (beyond int()'s limit)",
    "attribute-bomb": "the page (an article or a category) with one tag of 900,000 "
    "attributes (libxml2 is quadratic in them)",
}
# Hostile input (tests/test_hostile_input.py): bombs, floods, lies about the bytes. Kept
# apart from FAULTS, whose ranges the older tests (test_faults, test_hostile_site, test_redteam)
# slice by name.
INPUT_FAULT_MODES = {
    "gzip-bomb": "the article with Content-Encoding: gzip, inflating past 60 MB",
    "deflate-bomb": "the article with Content-Encoding: deflate, inflating past 60 MB",
    "br-bomb": "the article with Content-Encoding: br, inflating past 60 MB",
    "zstd-bomb": "the article with Content-Encoding: zstd, inflating past 60 MB",
    "gzip-gzip-bomb": "Content-Encoding: gzip, gzip: a gzip bomb gzipped again",
    "redirect-file": "302 to file:///etc/passwd (a scheme no crawler should follow)",
    "redirect-data": "302 to a data: URL holding an article page",
    "header-flood": "the article with 10,000 response headers and a 1 MB Set-Cookie",
    "endless-headers": "response headers that never end (one every few milliseconds)",
    "trickle": "the article one byte every 0.2 s (it would take hours)",
    "pdf-as-html": "PDF bytes served as text/html",
    "utf16-no-bom": "the article in UTF-16-LE without a byte-order mark, declared utf-16",
    "bogus-charset": "the article in UTF-8, declared charset=x-no-such-charset (header, meta)",
    "views-negative": "the article with a view counter of -1 234",
    "title-huge": "the article with a headline of 1,000,000 characters",
    "authors-flood": "the article signed by 10,000 names",
    "related-flood": "the article with 100,000 similar-news links",
    "feed-attribute-bomb": "(for /rss) a feed with one element of 900,000 attributes",
    "entity-sitemap": "(for /sitemap.xml) a sitemap with a billion-laughs entity and XXE",
}
# the modes of FAULTS from "bad-urls" on: tests/test_redteam.py exercises them
REDTEAM_FAULTS = frozenset(list(FAULTS)[list(FAULTS).index("bad-urls") :])
INPUT_FAULTS = frozenset(INPUT_FAULT_MODES)
# redirects within the site (tests/test_news_spider.py, tests/test_multisite_e2e.py): kept
# apart from FAULTS, whose ranges the older tests slice by name
REDIRECT_FAULT_MODES = {
    "redirect-article": "301 to another article of the site (its first: a story merged into "
    "another)",
    "long-links": "the article with links to article URLs of 2,500 and 9,000 characters "
    "(past every browser's and Scrapy's URL length limit)",
    "element-flood": "the article with 300,000 <br> before its text (30 times the most "
    "elements of a real page)",
    "redirect-moved": "301 to the same path with '-moved' appended: an article URL linked from "
    "nowhere, a 404 unless given a fault of its own (what the redirect lands on)",
}
# discovery that never ends on article pages (tests/test_article_limit.py)
TRAP_FAULT_MODES = {
    "link-trap": "the article with TRAP_LINKS links to fresh article URLs (TRAP_PREFIX…), "
    "each of them the same article with TRAP_LINKS fresh links of its own, forever",
}
# every mode set_faults accepts
ALL_FAULTS = {
    **FAULTS,
    **INPUT_FAULT_MODES,
    **REDIRECT_FAULT_MODES,
    **TRAP_FAULT_MODES,
    **hostile_faults.ROUND3_FAULT_MODES,
}
BAD_URLS = (
    "http://[::1/news/x",
    "//[zz]/news/x",
    "http://a\u2100b/news/x",
    "http://127.0.0.1:99999/news/x",
)
# the modes above from "canonical-home" on: tests/test_hostile_site.py exercises them
HOSTILE_FAULTS = frozenset(list(FAULTS)[list(FAULTS).index("canonical-home") :]) - REDTEAM_FAULTS
STORAGE_FAULTS = ("views-overflow", "headline-surrogate", "soft-404", "metadata-stripped")
VIEWS_OVERFLOW = 2**70
SOFT_404_TITLE = "Бет табылмады"
SLOW_SECONDS = 4.0
ANCHOR_BOMB = "<a " * 70_000  # 210 KB
ATTRIBUTE_BOMB = "<p " + " ".join(f"a{i}=x" for i in range(900_000)) + ">x</p>"  # 9 MB
LONG_LINKS = (("a", 2_500), ("b", 9_000))  # (letter, length) of the long-links fault's paths
ENDLESS_LINKS = 5  # new (404) article links on every page of an endless pagination
TRAP_PREFIX = "/news/trap-"  # the link trap's article paths (served while a path has it)
TRAP_LINKS = 1_000  # fresh article links on every page of the link trap
GZ_BOMB_BYTES = 60 * 1024 * 1024
HUGE_BYTES = 11 * 1024 * 1024
BOMB_BYTES = 64 * 1024 * 1024  # what a compression bomb inflates to (past the 10 MB cap)
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    + bytes(range(128, 256)) * 64
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(64)


class _Handler(BaseHTTPRequestHandler):
    server: _ReplicaHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        fault = self.server.fault_for(self.path)
        if fault is not None and self._fault(fault):
            return
        status, content_type, body = self.server.respond(self.path)
        payload = body.encode("utf-8")
        etag = '"' + hashlib.sha1(payload).hexdigest() + '"'  # a cache validator, not security
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def do_HEAD(self) -> None:
        self.do_GET()

    def _send(self, status: int, content_type: str, payload: bytes, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(payload)

    def _send_huge(self) -> None:
        """The article padded past the crawler's size limit (a comment of ``HUGE_BYTES``).

        The headers, with the full Content-Length, go out before any of the padding is
        made, and the padding is streamed a chunk at a time: the crawler can refuse the page
        from its headers at once, however loaded the machine (building 11 MB first made the
        answer late enough, under load, to end as a timeout instead of a size refusal).
        """
        _, _, body = self.server.respond(self.path)
        head, _, tail = body.encode("utf-8").rpartition(b"</body>")
        opening, closing = b"<!-- ", b" -->"
        size = len(head) + len(opening) + HUGE_BYTES + len(closing) + len(b"</body>" + tail)
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.flush()
        chunk = b"x" * 65_536
        try:
            self.wfile.write(head + opening)
            for start in range(0, HUGE_BYTES, len(chunk)):
                self.wfile.write(chunk[: HUGE_BYTES - start])
            self.wfile.write(closing + b"</body>" + tail)
        except OSError:  # the crawler hung up once it read the size: what it should do
            self.close_connection = True

    def _fault(self, mode: str) -> bool:
        """Answer with fault ``mode``; False when the normal page should be served instead."""
        if mode in hostile_faults.ROUND3_FAULT_MODES:
            return hostile_faults.answer(self, mode)
        if mode in ("500", "502", "503"):
            self._send(int(mode), HTML, f"<h1>{mode}</h1>".encode())
        elif mode in ("429-retry-after", "503-retry-after"):
            if self.server.count_hit(self.path) > 2:
                return False
            self._send(int(mode[:3]), HTML, b"<h1>busy</h1>", Retry_After="1")
        elif mode == "503-retry-after-long":
            self._send(503, HTML, b"<h1>maintenance</h1>", Retry_After="3600")
        elif mode == "reset":
            # SO_LINGER 0: close() sends RST, the client sees a connection reset
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif mode == "slow":
            time.sleep(SLOW_SECONDS)
            return False
        elif mode == "truncated":
            _, content_type, body = self.server.respond(self.path)
            payload = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif mode in ("windows-1251", "wrong-charset"):
            status, _, body = self.server.respond(self.path)
            declared = "windows-1251" if mode == "windows-1251" else "utf-8"
            body = body.replace('<meta charset="utf-8">', f'<meta charset="{declared}">')
            self._send(status, f"text/html; charset={declared}", body.encode("kz1048"))
        elif mode == "huge":
            self._send_huge()
        elif mode == "binary":
            self._send(200, "image/png", PNG)
        elif mode == "redirect-loop":
            target = self.path + ("&" if "?" in self.path else "?") + "loop=1"
            if "loop=1" in self.path:
                target = self.path.split("?")[0]
            self._send(302, HTML, b"", Location=target)
        elif mode == "redirect-offsite":
            self._send(302, HTML, b"", Location="http://offsite.invalid" + self.path)
        elif mode == "redirect-article":
            assert self.server.renderer is not None
            self._send(301, HTML, b"", Location=self.server.renderer.site.articles[0].path)
        elif mode == "element-flood":
            _, content_type, body = self.server.respond(self.path)
            flood = "<br>" * 300_000
            body = body.replace('<div class="news-text">', '<div class="news-text">' + flood, 1)
            self._send(200, content_type, body.encode())
        elif mode == "long-links":
            _, content_type, body = self.server.respond(self.path)
            links = "".join(f'<a href="/news/{c * n}">x</a>' for c, n in LONG_LINKS)
            body = body.replace('<div class="news-text">', links + '<div class="news-text">', 1)
            self._send(200, content_type, body.encode())
        elif mode == "link-trap":
            self._send(200, HTML, self._trap_page(urlsplit(self.path).path).encode())
        elif mode == "redirect-moved":
            self._send(301, HTML, b"", Location=urlsplit(self.path).path + "-moved")
        elif mode == "empty":
            self._send(200, HTML, b"")
        elif mode.startswith(("canonical-", "refresh-", "robots-", "sitemap-")) or mode in (
            "anchor-bomb",
            "redirect-other-port",
            "redirect-home",
            "endless-pagination",
            *STORAGE_FAULTS,
        ):
            return self._hostile(mode)
        elif mode in REDTEAM_FAULTS:
            return self._redteam(mode)
        elif mode in INPUT_FAULTS:
            return self._input(mode)
        elif mode == "broken-xml":
            _, content_type, body = self.server.respond(self.path)
            self._send(200, content_type, body[: len(body) // 3].encode() + b"<url><loc>&&")
        else:
            raise ValueError(f"unknown fault mode {mode!r}; known: {', '.join(ALL_FAULTS)}")
        return True

    def _hostile(self, mode: str) -> bool:
        """The hostile-site modes (see ``FAULTS``); False: serve the normal page."""
        server = self.server
        origin = f"http://{LOOPBACK}:{server.server_address[1]}"
        path = urlsplit(self.path).path
        if mode.startswith("canonical-") or mode in ("anchor-bomb", "refresh-self"):
            status, content_type, body = server.respond(self.path)
            tag = f'<link rel="canonical" href="{origin}{path}">'
            if mode == "canonical-home":
                body = body.replace(tag, f'<link rel="canonical" href="{origin}/">')
            elif mode == "canonical-category":
                category = f"{origin}/category/{corpus.CATEGORIES[0][0]}"
                body = body.replace(tag, f'<link rel="canonical" href="{category}">')
            elif mode == "canonical-other":
                assert server.renderer is not None
                other = origin + server.renderer.site.articles[0].path
                body = body.replace(tag, f'<link rel="canonical" href="{other}">')
            elif mode == "anchor-bomb":
                body = body.replace("</footer>", "</footer>" + ANCHOR_BOMB)
            else:
                refresh = f'<meta http-equiv="refresh" content="30; url={origin}{path}">'
                body = body.replace("<head>", "<head>\n" + refresh)
            self._send(status, content_type, body.encode())
        elif mode.startswith("refresh-"):
            if mode == "refresh-offsite":
                target = "http://offsite.invalid" + path
            elif mode == "refresh-javascript":
                target = "javascript:window.location='/'"
            else:  # refresh-loop: A -> A?loop=1 -> A ...
                target = f"{path}?loop=1" if "loop=1" not in self.path else path
            page = (
                '<!DOCTYPE html><html><head><meta charset="utf-8">'
                f'<meta http-equiv="refresh" content="0; url={target}">'
                "<title>Redirecting</title></head><body><p>…</p></body></html>"
            )
            self._send(200, HTML, page.encode())
        elif mode in STORAGE_FAULTS:
            self._send(200, HTML, self._storage_page(mode, path).encode())
        elif mode == "redirect-other-port":
            self._send(302, HTML, b"", Location=f"http://{LOOPBACK}:{server.stray_port}{path}")
        elif mode == "redirect-home":
            self._send(302, HTML, b"", Location="/")
        elif mode == "endless-pagination":
            n = _int_param(urlsplit(self.path).query, "page", default=1) or 1
            links = "".join(
                f'<div class="news-item"><a href="/news/endless-{n}-{i}">{n}.{i}</a></div>'
                for i in range(ENDLESS_LINKS)
            )
            nav = f'<a href="{path}?page={n + 1}">»</a>'
            html = f"<!DOCTYPE html><html><body><main>{links}{nav}</main></body></html>"
            self._send(200, HTML, html.encode())
        elif mode == "robots-crawl-delay":
            self._send(200, TEXT, b"User-agent: *\nCrawl-delay: 1\nDisallow: /search\n")
        elif mode == "robots-disallow-all":
            self._send(200, TEXT, b"User-agent: *\nDisallow: /\n")
        elif mode == "sitemap-index-chain":
            depth = _int_param(urlsplit(self.path).query, "n", default=0) or 0
            entry = f"<sitemap><loc>{origin}{path}?n={depth + 1}</loc></sitemap>"
            self._send(200, XML, _sitemap_index(entry).encode())
        elif mode == "sitemap-index-gz":
            entries = "".join(
                f"<sitemap><loc>{origin}/sitemaps/{name}</loc></sitemap>"
                for name in ("articles.xml.gz", "empty.xml")
            )
            self._send(200, XML, _sitemap_index(entries).encode())
        elif mode == "sitemap-gz":
            assert server.renderer is not None
            payload = gzip.compress(server.renderer.sitemap().encode())
            self._send(200, "application/x-gzip", payload)
        elif mode == "sitemap-gz-bomb":
            self._send(200, "application/x-gzip", _gzip_bomb())
        else:
            raise ValueError(f"unknown fault mode {mode!r}")
        return True

    def _redteam(self, mode: str) -> bool:
        """The red-team modes (see ``FAULTS``): pages whose values make a parser raise."""
        status, content_type, body = self.server.respond(self.path)
        links = "".join(f'<a href="{url}">x</a>' for url in BAD_URLS)
        if mode == "listing-bad-urls":
            body = body.replace("<main", f"<div>{links}</div><main", 1)
        elif mode == "attribute-bomb":
            body = body.replace("</body>", ATTRIBUTE_BOMB + "</body>", 1)
        elif mode == "bad-urls":
            body = body.replace('rel="canonical" href="', 'rel="canonical" href="http://[', 1)
            body = body.replace('property="og:url" content="', 'property="og:url" content="//[', 1)
            body = body.replace(
                'property="og:image" content="', 'property="og:image" content="http://[::1', 1
            )
            body = body.replace('<div class="news-text">', links + '<div class="news-text">', 1)
        else:  # views-digits
            counter = f'<span class="views-count">{"9" * 5000}</span>'
            body = body.replace('<div class="news-image">', counter + '<div class="news-image">')
        self._send(status, content_type, body.encode())
        return True

    def _input(self, mode: str) -> bool:
        """The hostile-input modes (see ``INPUT_FAULT_MODES``): bombs, floods, lies."""
        status, content_type, body = self.server.respond(self.path)
        if mode.endswith("-bomb") and mode != "feed-attribute-bomb":
            encoding = "gzip, gzip" if mode == "gzip-gzip-bomb" else mode.split("-")[0]
            self._send(status, content_type, _bomb(body, mode), Content_Encoding=encoding)
        elif mode == "redirect-file":
            self._send(302, HTML, b"", Location="file:///etc/passwd")
        elif mode == "redirect-data":
            self._send(302, HTML, b"", Location="data:text/html;charset=utf-8,<h1>x</h1>")
        elif mode == "header-flood":
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body.encode())))
            for i in range(10_000):
                self.send_header(f"X-Flood-{i}", "x" * 20)
            self.send_header("Set-Cookie", "c=" + "x" * 1_000_000)
            self.end_headers()
            self.wfile.write(body.encode())
        elif mode == "endless-headers":
            self._endless_headers()
        elif mode == "trickle":
            self._trickle(body.encode())
        elif mode == "pdf-as-html":
            self._send(200, HTML, PDF)
        elif mode == "utf16-no-bom":
            body = body.replace('<meta charset="utf-8">', '<meta charset="utf-16">')
            self._send(status, "text/html; charset=utf-16", body.encode("utf-16-le"))
        elif mode == "bogus-charset":
            body = body.replace('<meta charset="utf-8">', '<meta charset="x-no-such-charset">')
            self._send(status, "text/html; charset=x-no-such-charset", body.encode())
        elif mode == "feed-attribute-bomb":
            feed = body.replace("<channel>", f"<channel>{ATTRIBUTE_BOMB}", 1)
            self._send(status, content_type, feed.encode())
        elif mode == "entity-sitemap":
            self._send(200, XML, _entity_sitemap(body).encode())
        else:
            self._send(status, content_type, _flooded_page(body, mode).encode())
        return True

    def _endless_headers(self) -> None:
        try:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n")
            for i in range(100_000_000):
                self.wfile.write(f"X-Endless-{i}: {'x' * 1000}\r\n".encode())
                if i % 100 == 0:
                    time.sleep(0.001)
        except OSError:  # the crawler hung up: what it should do
            pass
        self.close_connection = True

    def _trickle(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", HTML)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        try:
            for i in range(len(payload)):
                self.wfile.write(payload[i : i + 1])
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:  # the crawler gave up: what it should do
            pass
        self.close_connection = True

    def _trap_page(self, path: str) -> str:
        """The article given the link trap, at ``path`` (its own or a trap path, declared
        canonical), with TRAP_LINKS article links no page served before had."""
        server = self.server
        assert server.renderer is not None
        trapped = next(p for p, m in server.faults.items() if m == "link-trap")
        article = server.renderer.site.article_at(trapped)
        assert article is not None, f"link-trap on {trapped}, not an article"
        serial = server.count_hit(TRAP_PREFIX)  # one per page served: its links are new
        links = "".join(f'<a href="{TRAP_PREFIX}{serial}-{i}">{i}</a>' for i in range(TRAP_LINKS))
        body = server.renderer.article_page(article, path)
        return body.replace('<div class="news-text">', links + '<div class="news-text">', 1)

    def _storage_page(self, mode: str, path: str) -> str:
        renderer = self.server.renderer
        assert renderer is not None
        article = renderer.site.article_at(path)
        if mode == "soft-404" or article is None:
            # a CMS that answers a missing page with 200 and a long apology
            text = "".join(
                f"<p>{line}</p>"
                for line in (
                    "Кешіріңіз, сіз іздеген бет табылмады немесе жойылған.",
                    "Сілтеменің дұрыс екенін тексеріңіз не басты бетке оралыңыз.",
                    "Сайттағы соңғы жаңалықтарды төмендегі тізімнен оқи аласыз.",
                )
            )
            main = (
                '<main class="page"><div class="row"><article class="news-single">'
                f'<h1 class="news-title">{SOFT_404_TITLE}</h1>'
                f'<div class="news-text">{text}</div>'
                f"</article>{renderer.top_news_block()}</div></main>"
            )
            return renderer.page(SOFT_404_TITLE, main)
        body = renderer.article_page(article, path)
        if mode == "views-overflow":
            counter = f'<span class="views-count">{VIEWS_OVERFLOW}</span>'
            return body.replace('<div class="news-image">', counter + '<div class="news-image">')
        if mode == "headline-surrogate":
            # the JSON escape of half an emoji: valid JSON, a str Python cannot encode
            headline = json.dumps(article.title, ensure_ascii=True)[1:-1] + "\\ud83d"
            ld = (
                '<script type="application/ld+json">'
                f'{{"@type": "NewsArticle", "headline": "{headline}"}}</script>\n'
            )
            return body.replace("</head>", ld + "</head>")
        # metadata-stripped: the same text, without the signature lines and the active menu
        for line in renderer.site.signature_lines(article):
            body = body.replace(f"<p><strong>{e(line)}</strong></p>", "").replace(
                f"<p>{e(line)}</p>", ""
            )
        return body.replace(' class="active"', "")

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class _ReplicaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, renderer: Renderer | None = None) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.renderer = renderer
        self._article_html = lru_cache(maxsize=2048)(self._render_article)
        self.faults: dict[str, str] = {}  # path -> fault mode (shared by both origins)
        self.stray_port = 9  # another port of this host, not the site's (set by ReplicaServer)
        self._hits: dict[str, int] = {}
        self._hits_lock = threading.Lock()

    def fault_for(self, raw_path: str) -> str | None:
        if not self.faults:
            return None
        path = urlsplit(raw_path).path
        fault = self.faults.get(path) or self.faults.get(path.rstrip("/"))
        if fault is None and path.startswith(TRAP_PREFIX) and "link-trap" in self.faults.values():
            return "link-trap"
        return fault

    def count_hit(self, raw_path: str) -> int:
        """How many times this path has been asked for (this one included)."""
        path = urlsplit(raw_path).path
        with self._hits_lock:
            self._hits[path] = self._hits.get(path, 0) + 1
            return self._hits[path]

    def _render_article(self, path: str) -> str | None:
        assert self.renderer is not None
        article = self.renderer.site.article_at(path)
        return None if article is None else self.renderer.article_page(article, path)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away (a killed crawler) is not the server's error."""
        logger.debug("request from %s ended early", client_address, exc_info=True)

    def use(self, renderer: Renderer) -> None:
        self.renderer = renderer
        self._article_html.cache_clear()

    def respond(self, raw_path: str) -> tuple[int, str, str]:
        """(status, content type, body) for a request path; routing lives here."""
        assert self.renderer is not None
        r = self.renderer
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        if path == "/":
            return 200, HTML, r.home_page()
        if path == "/robots.txt":
            return 200, TEXT, r.robots()
        if path == "/sitemap.xml":
            return 200, XML, r.sitemap()
        if path == "/rss":
            return 200, "application/rss+xml; charset=utf-8", r.rss()
        segments = path.strip("/").split("/")
        if len(segments) == 2 and segments[0] == "news":
            html = self._article_html(path)
            if html is not None:
                return 200, HTML, html
        if len(segments) == 2 and segments[0] == "category":
            page = _int_param(parts.query, "page", default=1)
            html = r.category_page(segments[1], page) if page is not None else None
            if html is not None:
                return 200, HTML, html
        return 404, HTML, r.not_found()


def _sitemap_index(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    )


@lru_cache(maxsize=1)
def _gzip_bomb() -> bytes:
    """A gzipped sitemap that inflates to ``GZ_BOMB_BYTES`` (blank space after the root tag)."""
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(head + b" " * GZ_BOMB_BYTES + b"</urlset>", compresslevel=9)


@lru_cache(maxsize=8)
def _bomb(page: str, mode: str) -> bytes:
    """``page`` and ``BOMB_BYTES`` of blank space, compressed as ``mode`` says."""
    raw = page.encode() + b" " * BOMB_BYTES
    if mode == "deflate-bomb":
        return zlib.compress(raw, 9)
    if mode == "br-bomb":
        import brotli  # type: ignore[import-untyped,unused-ignore]

        return bytes(brotli.compress(raw, quality=4))
    if mode == "zstd-bomb":
        if sys.version_info >= (3, 14):  # the standard library's own zstd module
            zstd: Any = importlib.import_module("compression.zstd")
        else:
            from backports import zstd  # type: ignore[import-not-found,unused-ignore,no-redef]
        return bytes(zstd.compress(raw))
    packed = gzip.compress(raw, compresslevel=9)
    return gzip.compress(packed) if mode == "gzip-gzip-bomb" else packed


def _flooded_page(page: str, mode: str) -> str:
    """The article with a flood of one of its values (``views-negative``, ``title-huge``,
    ``authors-flood``, ``related-flood``)."""
    if mode == "views-negative":
        counter = '<span class="views-count">-1 234</span>'
        return page.replace('<div class="news-image">', counter + '<div class="news-image">')
    if mode == "title-huge":
        start = page.index('<h1 class="news-title">') + len('<h1 class="news-title">')
        end = page.index("</h1>", start)
        return page[:start] + "Ұзақ тақырып " * 76_924 + page[end:]
    if mode == "authors-flood":
        syllables = ["АХ", "МЕТ", "БЕК", "ЖАН", "НҰР", "САР", "ТАЙ", "ҚАН", "ЕР", "ӘЛ"]
        names = "".join(
            f"<p><strong>{syllables[i % 10]}{syllables[i // 10 % 10]}{syllables[i // 100 % 10]}"
            f"{syllables[i // 1000 % 10]}ОВА Зауреш Болатхановна,</strong></p>"
            for i in range(10_000)
        )
        return page.replace("<p><strong>", names + "<p><strong>", 1)
    items = "".join(
        f'<div class="news-item"><a href="/tag/flood-{i}">Жаңалық {i}</a></div>'
        for i in range(100_000)  # not article URLs: stored as related links, not fetched
    )
    return page.replace('<div class="news-list">', '<div class="news-list">' + items, 1)


def _entity_sitemap(sitemap: str) -> str:
    """The sitemap with a billion-laughs entity and an external entity (XXE) in its DTD."""
    laughs = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    dtd = f'<!DOCTYPE urlset [{laughs}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = sitemap.replace("<urlset", dtd + "<urlset", 1)
    return body.replace("</urlset>", "<url><loc>&l9;&xxe;</loc></url></urlset>")


def _int_param(query: str, name: str, default: int) -> int | None:
    values = parse_qs(query).get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return None


class ReplicaServer:
    """Serve a ``ReplicaSite`` on two loopback ports until stopped.

    >>> with ReplicaServer(ReplicaSite(50)) as server:   # doctest: +SKIP
    ...     server.origin, server.mirror_origin
    ('http://127.0.0.1:40001', 'http://127.0.0.1:40002')
    """

    def __init__(self, site: ReplicaSite, port: int = 0, mirror_port: int = 0) -> None:
        self.site = site
        self._main = _ReplicaHTTPServer(port)
        self._mirror = _ReplicaHTTPServer(mirror_port)
        # a third port of the same host, serving the same pages but not part of the site:
        # where the redirect-other-port fault sends (it must be refused, not stored)
        self._stray = _ReplicaHTTPServer(0)
        self.origin = f"http://{LOOPBACK}:{self._main.server_address[1]}"
        self.mirror_origin = f"http://{LOOPBACK}:{self._mirror.server_address[1]}"
        self.stray_origin = f"http://{LOOPBACK}:{self._stray.server_address[1]}"
        for server in (self._main, self._mirror):
            server.stray_port = self._stray.server_address[1]
        self.use(site)
        self._threads: list[threading.Thread] = []

    def set_faults(self, faults: dict[str, str]) -> None:
        """Answer these paths with these fault modes (see ``FAULTS``); {} switches them off."""
        unknown = set(faults.values()) - set(ALL_FAULTS)
        if unknown:
            raise ValueError(
                f"unknown fault modes {sorted(unknown)}; known: {', '.join(ALL_FAULTS)}"
            )
        for server in self._servers:
            server.faults = dict(faults)
            server._hits.clear()

    def use(self, site: ReplicaSite) -> None:
        """Serve ``site`` from now on (new articles, an edition, a layout), same ports."""
        self.site = site
        self._main.use(Renderer(site, self.origin, self.mirror_origin))
        self._mirror.use(Renderer(site, self.mirror_origin, self.mirror_origin))
        self._stray.use(Renderer(site, self.stray_origin, self.stray_origin))

    @property
    def _servers(self) -> tuple[_ReplicaHTTPServer, ...]:
        return (self._main, self._mirror, self._stray)

    @property
    def renderer(self) -> Renderer:
        assert self._main.renderer is not None
        return self._main.renderer

    def start(self) -> ReplicaServer:
        for server in self._servers:
            thread = threading.Thread(target=server.serve_forever, name="replica", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        """Block serving both origins (the others in threads) until interrupted."""
        for server in (self._mirror, self._stray):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            self._main.serve_forever()
        finally:
            self._mirror.shutdown()
            self._stray.shutdown()
            self.close()

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
        self.close()

    def close(self) -> None:
        for server in self._servers:
            server.server_close()

    def __enter__(self) -> ReplicaServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
