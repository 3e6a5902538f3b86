"""The replica's request handler: a page, a 304, or the fault mode switched on for its path.

``Handler`` answers each request of a ``ReplicaServer``'s origins: the routed page
(``_ReplicaHTTPServer.respond``) with an ETag and ``If-None-Match`` revalidation, or,
when a fault mode (``replica.faults``) is set for the path, what that fault serves.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

from kazscraper.replica import corpus, hostile_faults
from kazscraper.replica.faults import (
    ALL_FAULTS,
    ANCHOR_BOMB,
    ATTRIBUTE_BOMB,
    BAD_URLS,
    ENDLESS_LINKS,
    HUGE_BYTES,
    INPUT_FAULTS,
    LONG_LINKS,
    PDF,
    PNG,
    REDTEAM_FAULTS,
    SLOW_SECONDS,
    SOFT_404_TITLE,
    STORAGE_FAULTS,
    TRAP_LINKS,
    TRAP_PREFIX,
    VIEWS_OVERFLOW,
    bomb,
    entity_sitemap,
    flooded_page,
    gzip_bomb,
    sitemap_index,
)
from kazscraper.replica.render import e

if TYPE_CHECKING:
    from kazscraper.replica.server import _ReplicaHTTPServer

LOOPBACK = "127.0.0.1"
HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
logger = logging.getLogger(__name__)


class Handler(BaseHTTPRequestHandler):
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
        from its headers at once, however loaded the machine (an answer held back while 11 MB
        are built can, under load, end as a timeout instead of a size refusal).
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
            n = int_param(urlsplit(self.path).query, "page", default=1) or 1
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
            depth = int_param(urlsplit(self.path).query, "n", default=0) or 0
            entry = f"<sitemap><loc>{origin}{path}?n={depth + 1}</loc></sitemap>"
            self._send(200, XML, sitemap_index(entry).encode())
        elif mode == "sitemap-index-gz":
            entries = "".join(
                f"<sitemap><loc>{origin}/sitemaps/{name}</loc></sitemap>"
                for name in ("articles.xml.gz", "empty.xml")
            )
            self._send(200, XML, sitemap_index(entries).encode())
        elif mode == "sitemap-gz":
            assert server.renderer is not None
            payload = gzip.compress(server.renderer.sitemap().encode())
            self._send(200, "application/x-gzip", payload)
        elif mode == "sitemap-gz-bomb":
            self._send(200, "application/x-gzip", gzip_bomb())
        elif mode == "sitemap-large":
            assert server.renderer is not None
            self._send(200, XML, server.renderer.sitemap().encode().ljust(300_000))
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
            self._send(status, content_type, bomb(body, mode), Content_Encoding=encoding)
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
            self._send(200, XML, entity_sitemap(body).encode())
        else:
            self._send(status, content_type, flooded_page(body, mode).encode())
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

    def _trickle(self, payload: bytes, content_type: str = HTML) -> None:
        """``payload`` one byte every 0.2 s (a response that would take hours)."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
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


def int_param(query: str, name: str, default: int) -> int | None:
    """The number ``name`` of a query string: ``default`` when absent, None when not one."""
    values = parse_qs(query).get(name)
    if not values:
        return default
    try:
        return int(values[0])
    except ValueError:
        return None
