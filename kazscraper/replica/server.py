"""The replica's HTTP server: real sockets on 127.0.0.1, two origins.

One listener plays ``qazdauiri.kz``, a second plays its ``image.`` mirror (same
pages, links pointing to itself). Both only ever bind the loopback address.
``ReplicaServer`` runs them in background threads, for tests, benchmarks and
``kazscraper demo``; ``kazscraper replica serve`` runs it in the foreground.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from kazscraper.replica.render import Renderer
from kazscraper.replica.site import ReplicaSite

LOOPBACK = "127.0.0.1"
logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


class _Handler(BaseHTTPRequestHandler):
    server: _ReplicaHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
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

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class _ReplicaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, renderer: Renderer | None = None) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.renderer = renderer
        self._article_html = lru_cache(maxsize=2048)(self._render_article)

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
        self.origin = f"http://{LOOPBACK}:{self._main.server_address[1]}"
        self.mirror_origin = f"http://{LOOPBACK}:{self._mirror.server_address[1]}"
        self.use(site)
        self._threads: list[threading.Thread] = []

    def use(self, site: ReplicaSite) -> None:
        """Serve ``site`` from now on (new articles, an edition, a layout), same ports."""
        self.site = site
        self._main.use(Renderer(site, self.origin, self.mirror_origin))
        self._mirror.use(Renderer(site, self.mirror_origin, self.mirror_origin))

    @property
    def renderer(self) -> Renderer:
        assert self._main.renderer is not None
        return self._main.renderer

    def start(self) -> ReplicaServer:
        for server in (self._main, self._mirror):
            thread = threading.Thread(target=server.serve_forever, name="replica", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def serve_forever(self) -> None:
        """Block serving both origins (the mirror in a thread) until interrupted."""
        mirror = threading.Thread(target=self._mirror.serve_forever, daemon=True)
        mirror.start()
        try:
            self._main.serve_forever()
        finally:
            self._mirror.shutdown()
            self.close()

    def stop(self) -> None:
        for server in (self._main, self._mirror):
            server.shutdown()
        self.close()

    def close(self) -> None:
        for server in (self._main, self._mirror):
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
