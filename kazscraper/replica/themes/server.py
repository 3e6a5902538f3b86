"""Serve one themed site on 127.0.0.1 and count what is asked of it.

``ThemeServer(theme)`` binds a free loopback port (``replica.handler.LOOPBACK`` only),
answers every request from ``theme.respond`` in a background thread, and counts the
requests (``requests``, and ``paths`` in order), so a benchmark can tell how many
requests a crawl spent per archived article. ``use(theme)`` swaps the site served on the
same origin (a redesign between two crawls).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from kazscraper.replica.handler import LOOPBACK
from kazscraper.replica.themes.base import Theme

logger = logging.getLogger(__name__)


class _Handler(BaseHTTPRequestHandler):
    server: _ThemeHTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        server = self.server
        server.count(self.path)
        parts = urlsplit(self.path)
        try:
            response = server.theme.respond(server.origin, parts.path or "/", parts.query)
        except Exception:  # a bug in a theme is a 500 the benchmark sees, not a dead thread
            logger.exception("theme %s failed on %s", server.theme.name, self.path)
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class _ThemeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a real server's listen backlog (see replica/server.py)

    def __init__(self, theme: Theme, port: int) -> None:
        super().__init__((LOOPBACK, port), _Handler)
        self.theme = theme
        self.origin = f"http://{LOOPBACK}:{self.server_address[1]}"
        self.requests = 0
        self.statuses: Counter[str] = Counter()
        self.paths: list[str] = []
        self._lock = threading.Lock()

    def count(self, raw_path: str) -> None:
        with self._lock:
            self.requests += 1
            self.paths.append(raw_path)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away (a killed crawler) is not the server's error."""
        logger.debug("request from %s ended early", client_address, exc_info=True)


class ThemeServer:
    """Serve ``theme`` on a loopback port until stopped (a context manager)."""

    def __init__(self, theme: Theme, port: int = 0) -> None:
        self.theme = theme
        self._server = _ThemeHTTPServer(theme, port)
        self.origin = self._server.origin
        self._thread: threading.Thread | None = None

    @property
    def requests(self) -> int:
        return self._server.requests

    @property
    def paths(self) -> list[str]:
        return list(self._server.paths)

    def use(self, theme: Theme) -> None:
        """Serve ``theme`` from now on, on the same port (a site redesigned between two
        crawls: ``get_theme(name, layout="2")``)."""
        self.theme = theme
        self._server.theme = theme

    def start(self) -> ThemeServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"theme-{self.theme.name}", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ThemeServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
