"""Peak RSS of reading hostile sitemaps and feeds (issue 21, item 3), each in a fresh child.

Cases (all within the limits table): a 48 MB sitemap of millions of tiny elements, gzipped
to about 50 KB; a gzipped sitemap of 24,000 URLs of 2,060 characters; a 10 MB RSS feed
(``DOWNLOAD_MAXSIZE``) of tiny elements; a 50,000-entry sitemap of ordinary URLs (the
ordinary big case). Each child reads one input the way the news spider does and prints its
peak RSS (``ru_maxrss``), the RSS before reading (imports and the input in memory), the
entries or links it got and the seconds it took. It measures whichever ``kazscraper`` is
importable: the streaming reader (``SitemapReader``, ``feed_links``) or, on an older
checkout (``BENCH_CODE=that/checkout``), its whole-file reading (``sitemap_body`` +
``read_sitemap``; parsel over the feed).

    python bench/sitemap_memory.py [--cases tiny,long,feed,big] [--crawl]

``--crawl`` also crawls a 60-article replica whose ``/sitemap.xml`` is the tiny-elements
sitemap (the replica's ``sitemap-tiny-elements`` fault mode), over HTTP, and prints the
crawl process's peak RSS (``wait4``), its exit code and its articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

NS = b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def tiny() -> bytes:
    """48 MB of ``<a/>`` in a urlset: about 12 million elements, no entry."""
    return gzip.compress(NS + b"<a/>" * 12_000_000 + b"</urlset>", 9)


def long_urls() -> bytes:
    """24,000 entries whose loc is 2,060 characters (under URLLENGTH_LIMIT's 2,083)."""
    rows = (
        b"<url><loc>http://127.0.0.1:9/news/%06d-" % n + b"x" * 2_026 + b"</loc></url>"
        for n in range(24_000)
    )
    return gzip.compress(NS + b"".join(rows) + b"</urlset>", 9)


def big() -> bytes:
    """50,000 ordinary entries (loc and lastmod): the largest sitemap the protocol allows."""
    rows = (
        b"<url><loc>http://127.0.0.1:9/news/article-%06d</loc>"
        b"<lastmod>2025-01-01</lastmod></url>" % n
        for n in range(50_000)
    )
    return gzip.compress(NS + b"".join(rows) + b"</urlset>", 9)


def feed() -> bytes:
    """A 10 MB RSS feed: 10 items, then ``<i/>`` to 10 MB (about 2.6 million elements)."""
    items = b"".join(b"<item><link>http://127.0.0.1:9/news/%d</link></item>" % n for n in range(10))
    head = b'<?xml version="1.0"?><rss><channel>' + items
    return head + b"<i/>" * ((10 * 1024 * 1024 - len(head)) // 4) + b"</channel></rss>"


CASES = {"tiny": tiny, "long": long_urls, "feed": feed, "big": big}

CHILD = r"""
import os, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]
if os.environ.get("BENCH_CODE"):  # an older checkout, before the editable install's finder
    sys.path.insert(0, os.environ["BENCH_CODE"])
    sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
body = open(path, "rb").read()
from kazscraper.crawler import sitemap as s
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if kind == "feed":
    text = body.decode("utf-8")
    if hasattr(s, "feed_links"):
        n = sum(1 for _ in s.feed_links(text, 5000, 1_000_000))
    else:
        from parsel import Selector
        sel = Selector(text=text, type="xml")
        sel.remove_namespaces()
        n = len(sel.xpath("//item/link/text() | //entry/link/@href").getall()[:5000])
elif hasattr(s, "SitemapReader"):
    reader = s.SitemapReader(body)
    n = sum(1 for _ in reader)
    note = reader.refused or reader.problem
    print("problem:", note, "too long:", reader.too_long, file=sys.stderr)
else:
    xml, problem = s.sitemap_body(body, 50 * 1024 * 1024)
    n = len(s.read_sitemap(xml).entries) if not problem else 0
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{before // 1024} {peak // 1024} {n} {seconds:.1f}")
"""


CRAWL = r"""
import os, sys
if os.environ.get("BENCH_CODE"):
    sys.path.insert(0, os.environ["BENCH_CODE"])
    sys.meta_path = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
from kazscraper.cli import main
main(sys.argv[1:], prog_name="kazscraper")
"""


def crawl_case() -> None:
    """A crawl of the replica with the tiny-elements sitemap: peak RSS of the crawl."""
    import os
    import sqlite3
    import time

    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    with tempfile.TemporaryDirectory() as tmp, ReplicaServer(ReplicaSite(60)) as server:
        server.set_faults({"/sitemap.xml": "sitemap-tiny-elements"})
        db = Path(tmp) / "a.sqlite"
        args = ["crawl", "--start-url", server.origin + "/", "--mirror", server.mirror_origin]
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-c", CRAWL, *args, "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        with sqlite3.connect(db) as conn:
            (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        print(
            f"crawl with the tiny-elements sitemap: peak RSS {usage.ru_maxrss // 1024} MB, "
            f"exit {os.waitstatus_to_exitcode(status)}, {articles} articles, {seconds:.0f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--crawl", action="store_true", help="also a crawl (see above)")
    args = parser.parse_args()
    if args.crawl:
        crawl_case()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            path = Path(tmp) / name
            path.write_bytes(CASES[name]())
            kind = "feed" if name == "feed" else "sitemap"
            out = subprocess.run(
                [sys.executable, "-c", CHILD, kind, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            before, peak, found, seconds = out.stdout.split()
            results[name] = {
                "input_bytes": path.stat().st_size,
                "rss_before_mb": int(before),
                "peak_rss_mb": int(peak),
                "found": int(found),
                "seconds": float(seconds),
                "note": out.stderr.strip()[-200:],
            }
            if not args.json:
                r = results[name]
                print(
                    f"{name:5} input {r['input_bytes']:>10,} B  RSS before {before:>4} MB  "
                    f"peak {peak:>5} MB  found {found:>6}  {seconds:>6} s  {r['note']}"
                )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
