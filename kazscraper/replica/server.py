"""The replica's HTTP server: real sockets on 127.0.0.1, two origins (and a stray port).

One listener plays ``qazdauiri.kz``, a second plays its ``image.`` mirror (same
pages, links pointing to itself); a third, on another port of the same host, is
not part of the site (the ``redirect-other-port`` fault sends there). All only
ever bind the loopback address.
``ReplicaServer`` runs them in background threads, for tests, benchmarks and
``kazscraper demo``; ``kazscraper replica serve`` runs it in the foreground.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from http.server import ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from kazscraper.replica.faults import ALL_FAULTS, TRAP_PREFIX
from kazscraper.replica.handler import HTML, LOOPBACK, TEXT, XML, Handler, int_param
from kazscraper.replica.render import Renderer
from kazscraper.replica.site import ReplicaSite

logger = logging.getLogger(__name__)


class _ReplicaHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # the listen backlog of a real web server (nginx: 511), not socketserver's 5: a burst
    # of connections (a crawl's slot released after a Retry-After hold) must not see
    # dropped SYNs, retransmitted after 1 s, which a short --timeout reads as the site's
    request_queue_size = 128

    def __init__(self, port: int, renderer: Renderer | None = None) -> None:
        super().__init__((LOOPBACK, port), Handler)
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
            page = int_param(parts.query, "page", default=1)
            html = r.category_page(segments[1], page) if page is not None else None
            if html is not None:
                return 200, HTML, html
        return 404, HTML, r.not_found()


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
