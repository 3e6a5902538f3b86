"""A cheap static server for the pre-rendered replica (used by bench/crawl.py).

Serves the directory written by ``bench/crawl.py`` on 127.0.0.1 from one
single-threaded Twisted reactor, on two ports (the site and its ``image.``
mirror, same files). It maps the replica's URLs to files, sends a
Content-Type by kind of page, a weak-cost ETag (mtime-size, as nginx does) and
answers ``If-None-Match`` with 304. ``GET /__rusage`` returns the server's own
CPU time and peak RSS as JSON, so a benchmark can charge the server's cost
per run. It prints ``ready`` on stdout once both ports listen.

    python bench/static_server.py DIR --port 8000 --mirror-port 8001
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from urllib.parse import parse_qs, urlsplit

from twisted.internet import reactor
from twisted.web.resource import Resource
from twisted.web.server import Site

HTML = b"text/html; charset=utf-8"
TYPES = {
    "robots.txt": b"text/plain; charset=utf-8",
    "sitemap.xml": b"application/xml; charset=utf-8",
    "rss.xml": b"application/rss+xml; charset=utf-8",
}


def file_for(root: str, raw_path: str) -> str | None:
    """The file that answers ``raw_path`` (path and query), or None for a 404."""
    parts = urlsplit(raw_path)
    path = parts.path.rstrip("/") or "/"
    if path == "/":
        return os.path.join(root, "index.html")
    if path == "/robots.txt":
        return os.path.join(root, "robots.txt")
    if path == "/sitemap.xml":
        return os.path.join(root, "sitemap.xml")
    if path == "/rss":
        return os.path.join(root, "rss.xml")
    segments = path.strip("/").split("/")
    if len(segments) != 2 or ".." in segments or "" in segments:
        return None
    if segments[0] == "news":
        return os.path.join(root, "news", segments[1] + ".html")
    if segments[0] == "category":
        page = parse_qs(parts.query).get("page", ["1"])[0]
        if not page.isdigit():
            return None
        return os.path.join(root, "category", segments[1], f"{int(page)}.html")
    return None


class StaticReplica(Resource):
    isLeaf = True

    def __init__(self, root: str) -> None:
        super().__init__()
        self.root = root
        with open(os.path.join(root, "404.html"), "rb") as f:
            self.not_found = f.read()

    def render_GET(self, request):
        raw = request.uri.decode("latin-1")
        if raw == "/__rusage":
            usage = resource.getrusage(resource.RUSAGE_SELF)
            request.setHeader(b"Content-Type", b"application/json")
            return json.dumps(
                {"cpu": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss}
            ).encode()
        path = file_for(self.root, raw)
        try:
            if path is None:
                raise FileNotFoundError
            stat = os.stat(path)
            with open(path, "rb") as f:
                payload = f.read()
        except (FileNotFoundError, NotADirectoryError):
            request.setResponseCode(404)
            request.setHeader(b"Content-Type", HTML)
            return self.not_found
        etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'.encode()
        request.setHeader(b"ETag", etag)
        if request.getHeader(b"If-None-Match") == etag:
            request.setResponseCode(304)
            return b""
        request.setHeader(b"Content-Type", TYPES.get(os.path.basename(path), HTML))
        return payload

    render_HEAD = render_GET


class QuietSite(Site):
    def log(self, request) -> None:  # no access log: it would cost more than serving
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", help="directory written by bench/crawl.py")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mirror-port", type=int, required=True)
    args = parser.parse_args()
    site = QuietSite(StaticReplica(args.root))
    for port in (args.port, args.mirror_port):
        reactor.listenTCP(port, site, interface="127.0.0.1", backlog=256)
    reactor.callWhenRunning(lambda: print("ready", flush=True))
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
