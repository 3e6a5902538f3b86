"""Distributed crawl: 1, 2, 4 workers + the store vs one local crawl, on the same replica.

Renders a replica of N articles into static files (bench/crawl.py's ``prepare_site``,
pages padded to ~60 KB) served by bench/static_server.py in its own process, starts a
private ``redis-server`` (Debian's package) on a free loopback port, and measures

  (a) one local crawl (``kazscraper crawl``) into a fresh archive;
  (b) for each worker count: that many ``kazscraper crawl --redis`` workers and one
      ``kazscraper store``, started together, into a fresh archive;
  (c) the store alone: two workers fill the item list first, then ``kazscraper store``
      drains it (articles committed per second);
  (d) Redis memory per 100,000 queued URLs: ``INFO memory`` before and after pushing
      100,000 article requests into the frontier (encoded as the workers encode them)
      and their fingerprints into the duplicate filter.

Pages/s is over the span of the captures' fetch times (first to last page fetched), so
that start-up and the workers' idle timeout do not count; wall time is printed too. CPU
is the user+system time of every process of the run (os.wait4), per page fetched. On a
shared 2-core machine the figures are noisy and 4 workers compete for 2 cores.

    python bench/distributed.py --articles 2000 --workers 1,2,4
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import redis  # noqa: E402
from crawl import StaticServer, prepare_site  # noqa: E402

IDLE_TIMEOUT = 2.0
QUEUED_URLS = 100_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(200):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("redis-server did not start")


def kazscraper(*args: str, log: Path) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "kazscraper", *args], stdout=out, stderr=out)


def wait_all(procs: list[subprocess.Popen[bytes]]) -> float:
    """Wait for every process; their summed user+system CPU seconds."""
    cpu = 0.0
    for proc in procs:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise RuntimeError(f"{proc.args} exited {proc.returncode}")
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def archive_figures(db: Path) -> dict[str, Any]:
    with closing(sqlite3.connect(db)) as conn:
        pages, first, last = conn.execute(
            "SELECT count(*), min(fetched_at), max(fetched_at) FROM captures"
        ).fetchone()
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    span = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
    return {"pages": pages, "articles": articles, "span_s": max(span, 1.0)}


def site_args(server: StaticServer, db: Path) -> list[str]:
    return ["--start-url", server.origin + "/", "--mirror", server.mirror_origin, "--db", str(db)]


def worker_args(server: StaticServer, db: Path, url: str, name: str) -> list[str]:
    return ["crawl", "--redis", url, "--worker-name", name, "--idle-timeout",
            str(IDLE_TIMEOUT), *site_args(server, db)]  # fmt: skip


def local_run(server: StaticServer, work: Path) -> dict[str, Any]:
    db = work / "local" / "local.sqlite"
    db.parent.mkdir()
    started = time.monotonic()
    cpu = wait_all([kazscraper("crawl", *site_args(server, db), log=db.parent / "out.log")])
    return {"kind": "local", "wall_s": time.monotonic() - started, "cpu_s": cpu,
            **archive_figures(db)}  # fmt: skip


def distributed_run(server: StaticServer, url: str, workers: int, work: Path) -> dict[str, Any]:
    redis.Redis.from_url(url).flushall()
    db = work / f"redis-{workers}" / "press.sqlite"
    db.parent.mkdir()
    started = time.monotonic()
    procs = [
        kazscraper(*worker_args(server, db, url, f"w{i}"), log=db.parent / f"w{i}.log")
        for i in range(1, workers + 1)
    ]
    procs.append(kazscraper("store", "--redis", url, "--db", str(db), log=db.parent / "s.log"))
    cpu = wait_all(procs)
    return {"kind": f"{workers} worker(s) + store", "wall_s": time.monotonic() - started,
            "cpu_s": cpu, **archive_figures(db)}  # fmt: skip


def store_alone(server: StaticServer, url: str, work: Path) -> dict[str, Any]:
    client = redis.Redis.from_url(url)
    client.flushall()
    db = work / "store-alone" / "press.sqlite"
    db.parent.mkdir()
    # the workers wait for a store to open the crawl: say one has, for an empty archive
    # (the store then opens its own crawl row: no row 0 exists)
    claim = {"db": str(db.resolve()), "crawl_id": 0, "ready": True}
    client.set("kazscraper:store", json.dumps(claim))
    wait_all([kazscraper(*worker_args(server, db, url, f"w{i}"), log=db.parent / f"w{i}.log")
              for i in (1, 2)])  # fmt: skip
    records = client.llen("kazscraper:items")
    started = time.monotonic()
    cpu = wait_all([kazscraper("store", "--redis", url, "--db", str(db), log=db.parent / "s.log")])
    wall = time.monotonic() - started
    figures = archive_figures(db)
    return {"kind": "store alone", "records": records, "wall_s": wall, "cpu_s": cpu,
            "articles": figures["articles"], "articles_per_s": figures["articles"] / wall,
            "records_per_s": records / wall}  # fmt: skip


def redis_memory(url: str) -> dict[str, Any]:
    from scrapy import Request
    from scrapy_redis.dupefilter import RFPDupeFilter

    from kazscraper.crawler.runner import CrawlOptions, crawl_config
    from kazscraper.distributed import RedisKeys, serializer
    from kazscraper.distributed.spider import WorkerSpider

    client = redis.Redis.from_url(url)
    client.flushall()
    keys = RedisKeys()
    options = CrawlOptions(db_path="unused", site="qazdauiri", start_url="https://qazdauiri.kz/")
    spider = WorkerSpider(crawl_config(options, mode="worker"))
    fingerprints = RFPDupeFilter(client, keys.dupefilter)
    before = int(client.info("memory")["used_memory"])
    pipe = client.pipeline(transaction=False)
    for i in range(QUEUED_URLS):
        canonical = f"https://qazdauiri.kz/news/{i}-qazaqstan-jane-alem-zhanalyqtary-{i:06d}"
        meta = {"handle_httpstatus_list": [304], "article_url": canonical}
        request = Request(
            canonical, callback=spider.parse_article, errback=spider.on_error, meta=meta
        )
        pipe.zadd(keys.requests, {serializer.dumps(request.to_dict(spider=spider)): 0})
        pipe.sadd(keys.dupefilter, fingerprints.request_fingerprint(request))
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()
    after = int(client.info("memory")["used_memory"])
    client.flushall()
    return {"urls": QUEUED_URLS, "used_memory_delta_mb": (after - before) / 2**20,
            "bytes_per_url": (after - before) / QUEUED_URLS}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="replica size [2000]")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run [1,2,4]")
    parser.add_argument("--no-pad", action="store_true", help="the replica's own ~10 KB pages")
    parser.add_argument("--json", metavar="FILE", help="also write the raw results here")
    args = parser.parse_args()
    if shutil.which("redis-server") is None:
        sys.exit("redis-server is not installed (apt-get install redis-server)")
    counts = [int(n) for n in args.workers.split(",") if n]
    work = Path(tempfile.mkdtemp(prefix="kazscraper-dist-"))
    results: dict[str, Any] = {"articles": args.articles, "loadavg": os.getloadavg()}
    try:
        _info, root, port, mirror_port = prepare_site(args.articles, work, pad=not args.no_pad)
        proc, url = start_redis(work)
        try:
            with StaticServer(root, port, mirror_port) as server:
                runs = [local_run(server, work)]
                runs += [distributed_run(server, url, n, work) for n in counts]
                results["runs"] = runs
                results["store"] = store_alone(server, url, work)
            results["redis"] = redis_memory(url)
        finally:
            proc.terminate()
            proc.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"replica of {args.articles} articles; load average at start {results['loadavg']}")
    print(f"{'run':<22} {'pages':>6} {'pages/s':>8} {'wall s':>7} {'CPU ms/page':>12}")
    for r in results["runs"]:
        print(f"{r['kind']:<22} {r['pages']:>6} {r['pages'] / r['span_s']:>8.1f} "
              f"{r['wall_s']:>7.1f} {1000 * r['cpu_s'] / r['pages']:>12.1f}")  # fmt: skip
    s = results["store"]
    print(f"store alone: {s['records']} records ({s['articles']} articles) in {s['wall_s']:.1f}s:"
          f" {s['articles_per_s']:.0f} articles/s, {s['records_per_s']:.0f} records/s")  # fmt: skip
    m = results["redis"]
    print(f"Redis: {m['used_memory_delta_mb']:.1f} MB per {m['urls']} queued URLs "
          f"({m['bytes_per_url']:.0f} bytes/URL, frontier + duplicate filter)")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
