"""Crawl throughput: a bare Scrapy spider vs the full kazscraper pipeline.

Pre-renders a replica of N articles (kazscraper.replica ReplicaSite/Renderer)
into a temporary directory of static files, padded to the ~60 KB of a real
news page, serves it from 127.0.0.1 with bench/static_server.py (a separate,
single-threaded Twisted process), and crawls it

  (a) with a bare Scrapy spider defined here (follows the site's article and
      category links, yields the title only; same concurrency, no delays),
  (b) with the full kazscraper crawl (kazscraper.crawler.runner.run_crawl as the CLI
      calls it, WARC on, into a fresh temporary archive),
  (c) incrementally: kazscraper again into (b)'s archive, site unchanged.

Every crawl runs in its own subprocess, so runs are independent and each one's
CPU time and peak RSS are its own. Figures are medians over --runs; on a busy
machine they are noisy (see bench/README.md).

    python bench/crawl.py --articles 5000 --runs 3
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, ClassVar

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE / "static_server.py"
TARGET_PAGE_BYTES = 60_000

# -- rendering ---------------------------------------------------------------------------

_rng = random.Random("bench-padding")
_CSS_RULES = "".join(
    f".c{i}-{_rng.choice(['hdr', 'nav', 'card', 'grid', 'btn', 'ad', 'ft'])}"
    f"{{margin:{_rng.randrange(0, 24)}px {_rng.randrange(0, 24)}px;"
    f"padding:{_rng.randrange(0, 16)}px;color:#{_rng.randrange(0x1000000):06x};"
    f"font:{_rng.randrange(11, 22)}px/1.{_rng.randrange(2, 8)} 'PT Sans',Arial,sans-serif;"
    f"display:{_rng.choice(['flex', 'block', 'grid', 'inline-block'])}}}\n"
    for i in range(120)
)
_JS_VENDOR = "".join(
    f"function _v{i}(a,b){{var c=a||{{}};for(var k in b){{if(b.hasOwnProperty(k))"
    f"c[k]=b[k]}};return c.x{i}=typeof c==='object'?{_rng.randrange(10**6)}:0,c}}\n"
    for i in range(90)
)
_JS_ADS = "".join(
    f"googletag.cmd.push(function(){{googletag.defineSlot('/2166{_rng.randrange(10**6)}/qd_{i}',"
    f"[[{_rng.choice([300, 728, 970])},{_rng.choice([90, 250, 600])}]],'div-gpt-ad-{i}')"
    ".addService(googletag.pubads());});\n"
    for i in range(40)
)
_MEGA_MENU = "".join(
    f'<li class="mm-item"><a href="/tag/{i}">#{w}</a></li>'
    for i, w in enumerate(
        ("тег", "видео", "фото", "сұхбат", "аймақ", "спорт", "мәдениет", "ғылым") * 16
    )
)


def pad_page(html: str, key: str, target: int = TARGET_PAGE_BYTES) -> str:
    """Pad a replica page the way real news pages are padded, up to about ``target`` bytes.

    Adds, outside the article: an inline stylesheet and vendor/ads scripts in
    <head>, a mega-menu of tag links after the header, and a tail script before
    </body>. None of it is JSON-LD, a meta tag, a date or a name, so extraction
    must give the same record padded or not.
    """
    size = len(html.encode())
    if size >= target:
        return html
    nonce = hashlib.sha1(key.encode()).hexdigest()
    head = (
        f"<style>{_CSS_RULES}</style>\n"
        f"<script>window.__cfg={{page:'{nonce}',build:'{nonce[:8]}'}};\n{_JS_VENDOR}</script>\n"
        '<script async src="https://securepubads.g.doubleclick.net/tag/js/gpt.js"></script>\n'
        f"<script>window.googletag=window.googletag||{{cmd:[]}};\n{_JS_ADS}</script>\n"
    )
    menu = f'<nav class="mega-menu" hidden><ul>{_MEGA_MENU}</ul></nav>\n'
    missing = target - size - len(head.encode()) - len(menu.encode()) - 40
    tail = ""
    if missing > 0:  # the rest as a minified tail script (counters, widgets)
        chunk = f"!function(n){{n.q=n.q||[];n.q.push(['{nonce}',+new Date])}}(window);"
        tail = "<script>" + chunk * (missing // len(chunk) + 1) + "</script>\n"
    html = html.replace("</head>", head + "</head>", 1)
    html = html.replace("</header>\n", "</header>\n" + menu, 1)
    return html.replace("</body>", tail + "</body>", 1)


def render_site(
    n_articles: int, directory: Path, origin: str, mirror_origin: str, pad: bool = True
) -> dict[str, Any]:
    """Write every page of a replica of ``n_articles`` as static files under ``directory``."""
    from kazscraper.replica.render import Renderer
    from kazscraper.replica.site import ReplicaSite

    site = ReplicaSite(n_articles)
    renderer = Renderer(site, origin, mirror_origin)
    (directory / "news").mkdir(parents=True, exist_ok=True)
    sizes: list[int] = []

    def write(rel: str, text: str, padded: bool = False) -> None:
        if padded and pad:
            text = pad_page(text, rel)
        data = text.encode()
        path = directory / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if rel.startswith("news/"):
            sizes.append(len(data))

    write("index.html", renderer.home_page(), padded=True)
    write("404.html", renderer.not_found(), padded=True)
    write("robots.txt", renderer.robots())
    write("sitemap.xml", renderer.sitemap())
    write("rss.xml", renderer.rss())
    listing_pages = 0
    for slug in site.by_category:
        for page in range(1, renderer.category_pages(slug) + 1):
            html = renderer.category_page(slug, page)
            if html is not None:
                write(f"category/{slug}/{page}.html", html, padded=True)
                listing_pages += 1
    for path, article in site._by_path.items():  # own paths and CMS alias paths
        write(path.lstrip("/") + ".html", renderer.article_page(article, path), padded=True)
    return {
        "articles": n_articles,
        "article_files": len(sizes),
        "listing_pages": listing_pages,
        "mean_article_kb": statistics.mean(sizes) / 1000,
        "bytes": sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()),
    }


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StaticServer:
    """bench/static_server.py in a subprocess; ``cpu()`` reads its CPU seconds so far."""

    def __init__(self, root: Path, port: int, mirror_port: int) -> None:
        self.origin = f"http://127.0.0.1:{port}"
        self.mirror_origin = f"http://127.0.0.1:{mirror_port}"
        self.proc = subprocess.Popen(
            [sys.executable, str(SERVER_SCRIPT), str(root), "--port", str(port),
             "--mirror-port", str(mirror_port)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if line.strip() != "ready":
            self.proc.kill()
            raise RuntimeError(f"static server did not start: {line!r}")

    def usage(self) -> dict[str, float]:
        with urllib.request.urlopen(self.origin + "/__rusage", timeout=10) as r:
            return json.load(r)

    def cpu(self) -> float:
        return self.usage()["cpu"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)

    def __enter__(self) -> StaticServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def prepare_site(n_articles: int, workdir: Path, pad: bool = True) -> tuple[dict, Path, int, int]:
    port, mirror_port = free_port(), free_port()
    root = workdir / "site"
    started = time.monotonic()
    info = render_site(
        n_articles, root, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{mirror_port}", pad
    )
    info["render_s"] = time.monotonic() - started
    return info, root, port, mirror_port


# -- crawls in subprocesses ----------------------------------------------------------------


def run_child(
    kind: str, server: StaticServer, db: Path | None, workdir: Path, profile: str | None = None
) -> dict[str, Any]:
    """One crawl in a fresh interpreter; its result plus its own rusage (os.wait4)."""
    out = Path(tempfile.mktemp(prefix=f"{kind}-", suffix=".json", dir=workdir))
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
           "--origin", server.origin, "--mirror", server.mirror_origin,
           "--out", str(out), "--workdir", str(workdir)]  # fmt: skip
    if db is not None:
        cmd += ["--db", str(db)]
    if profile:
        cmd += ["--profile", profile]
    server_cpu = server.cpu()
    load0 = os.getloadavg()[0]
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    server_cpu = server.cpu() - server_cpu
    if not out.exists():
        raise RuntimeError(f"{kind} crawl failed (exit {proc.returncode}); see {workdir}")
    result = json.loads(out.read_text())
    result["exit"] = proc.returncode
    result["process_cpu_s"] = usage.ru_utime + usage.ru_stime
    # the child's own peak (VmHWM): ru_maxrss also counts the parent's peak RSS at the
    # fork (Linux keeps it across exec), which a bench that rendered 100,000 pages has high
    result["maxrss_mb"] = result.get("vmhwm_mb") or usage.ru_maxrss / 1024
    result["server_cpu_s"] = server_cpu
    result["load"] = (load0, os.getloadavg()[0])  # the machine's load average, start and end
    return result


def run_reparse(db: Path, pages_fetched: int) -> dict[str, Any]:
    """``kazscraper reparse`` of a crawl's archive in a fresh interpreter (start-up
    included): wall time, CPU (user+sys, os.wait4; its worker processes' from the run's
    stats: they are the forkserver's children, not its own) and peak RSS. Its default
    ``--workers`` (one per core from 500 captures) unless KAZSCRAPER_BENCH_REPARSE_WORKERS."""
    log = db.parent / "reparse.log"
    cmd = [sys.executable, "-m", "kazscraper", "reparse", "--db", str(db),
           "--log-file", str(log)]  # fmt: skip
    if os.environ.get("KAZSCRAPER_BENCH_REPARSE_WORKERS"):
        cmd += ["--workers", os.environ["KAZSCRAPER_BENCH_REPARSE_WORKERS"]]
    t0, load0 = time.monotonic(), os.getloadavg()[0]
    summary = db.parent / "reparse.out"
    with summary.open("w") as out:  # its one-line summary says why, when it did not exit 0
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    cpu = usage.ru_utime + usage.ru_stime
    stats = log.read_text(errors="replace") if log.exists() else ""
    workers = re.search(r"'kazscraper/reparse/workers': (\d+)", stats)
    worker_cpu = re.search(r"'kazscraper/worker_cpu_s': ([\d.]+)", stats)
    worker_rss = re.search(r"'kazscraper/worker_peak_rss_mb': (\d+)", stats)
    # the engine's span, open to close: what the crawls' wall_s is (their process.start())
    engine = re.search(r"'elapsed_time_seconds': ([\d.]+)", stats)
    return {"wall_s": wall, "pages": pages_fetched, "exit": os.waitstatus_to_exitcode(status),
            "engine_s": float(engine[1]) if engine else wall,
            "cpu_s": cpu, "maxrss_mb": usage.ru_maxrss / 1024,
            "workers": int(workers[1]) if workers else 0,
            "worker_cpu_s": float(worker_cpu[1]) if worker_cpu else 0.0,
            "worker_rss_mb": int(worker_rss[1]) if worker_rss else 0,
            "load": (load0, os.getloadavg()[0]),
            "summary": summary.read_text()[-300:].strip()}  # fmt: skip


def _reparse_line(r: dict[str, Any]) -> str:
    return (f"{r['pages']} pages in {r['wall_s']:.1f}s ({r['engine_s']:.1f}s from the "
            f"engine's start to its end), cpu {r['cpu_s']:.1f}s "
            f"+ {r['workers']} workers {r['worker_cpu_s']:.1f}s, "
            f"rss {r['maxrss_mb']:.0f} MB (workers {r['worker_rss_mb']} MB each at most), "
            f"load {_load(r)}, exit {r['exit']}"
            + ("" if r["exit"] == 0 else f": {r['summary']}"))  # fmt: skip


def own_peak_rss_mb() -> float:
    """This process's peak RSS in MB (VmHWM: its own pages only; ``ru_maxrss`` of a child
    started by fork and exec also counts its parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_now() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


REACTORS = {
    "asyncio": {},  # Scrapy's default: asyncio's event loop under Twisted
    "uvloop": {"ASYNCIO_EVENT_LOOP": "uvloop.Loop"},
    "epoll": {"TWISTED_REACTOR": "twisted.internet.epollreactor.EPollReactor"},
}


def reactor_settings() -> dict[str, Any]:
    """Scrapy settings for the reactor chosen with --reactor (both crawlers use it)."""
    return dict(REACTORS[os.environ.get("KAZSCRAPER_BENCH_REACTOR", "asyncio")])


class _CountingConnection(sqlite3.Connection):
    """A connection that counts the statements it is asked to run (``execute``,
    ``executemany`` and ``executescript`` calls: an executemany of 100 rows is one)."""

    calls: ClassVar[collections.Counter[str]] = collections.Counter()

    def execute(self, sql, *args):  # type: ignore[override]
        self.calls[" ".join(sql.split())[:60]] += 1
        return super().execute(sql, *args)

    def executemany(self, sql, *args):  # type: ignore[override]
        self.calls[" ".join(sql.split())[:60]] += 1
        return super().executemany(sql, *args)

    def executescript(self, sql, *args):  # type: ignore[override]
        self.calls["(script)"] += 1
        return super().executescript(sql, *args)


def count_sql() -> collections.Counter[str]:
    """From now on every SQLite connection of this process counts its statements."""
    connect = sqlite3.connect

    def counting(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        kwargs.setdefault("factory", _CountingConnection)
        return connect(*args, **kwargs)

    sqlite3.connect = counting  # type: ignore[assignment]
    return _CountingConnection.calls


def child_kazscraper(args: argparse.Namespace) -> dict[str, Any]:
    from kazscraper.archive import Archive
    from kazscraper.crawler.runner import CrawlOptions, run_crawl

    calls = count_sql()

    options = CrawlOptions(
        db_path=args.db,
        command="bench",
        site="qazdauiri",
        start_url=args.origin + "/",
        mirrors=(args.mirror,),
        log_file=str(Path(args.db).parent / "logs" / f"bench-{time.time_ns()}.log"),
        workers=int(os.environ.get("KAZSCRAPER_BENCH_WORKERS", "0")),
        settings=reactor_settings(),
    )
    options.arguments = {"db": args.db, "start_url": options.start_url, "mirrors": [args.mirror]}
    Archive(options.db_path).close()  # as the CLI does before a run
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    calls.clear()
    cpu0, t0, main0 = _cpu_now(), time.monotonic(), time.thread_time()
    result = run_crawl(options)
    wall, cpu = time.monotonic() - t0, _cpu_now() - cpu0
    main = time.thread_time() - main0  # the reactor's thread: what the fetching waits on
    if profiler is not None:
        profiler.stop()
        out = Path(args.profile)
        out.with_suffix(".html").write_text(profiler.output_html())
        out.with_suffix(".txt").write_text(
            profiler.output_text(unicode=True, show_all=False, short_mode=False)
        )
    stats = {k: v for k, v in result.stats.items() if isinstance(v, (int, float, str))}
    return {"wall_s": wall, "crawl_cpu_s": cpu, "main_cpu_s": main, "exit_code": result.exit_code,
            "reason": result.reason, "stats": stats, "sql_statements": sum(calls.values()),
            "sql_top": calls.most_common(25)}  # fmt: skip


def child_bare(args: argparse.Namespace) -> dict[str, Any]:
    from urllib.parse import urlsplit, urlunsplit

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.sitemap import Sitemap

    netloc = urlsplit(args.origin).netloc
    follow_re = re.compile(r"^/(news|category)/[A-Za-z0-9_-]+/?$")

    def site_link(url: str) -> str | None:
        parts = urlsplit(url)
        if parts.netloc != netloc or not follow_re.match(parts.path):
            return None
        page = re.search(r"(?:^|&)page=(\d+)", parts.query)
        return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"),
                           f"page={page.group(1)}" if page else "", ""))  # fmt: skip

    class BareSpider(scrapy.Spider):
        name = "bare"
        start_urls = (args.origin + "/", args.origin + "/sitemap.xml")

        def parse(self, response):
            if response.url.endswith("/sitemap.xml"):
                for entry in Sitemap(response.body):
                    yield scrapy.Request(entry["loc"])
                return
            if "/news/" in response.url:
                yield {"title": response.css("title::text").get()}
            for href in response.css("a::attr(href)").getall():
                url = site_link(response.urljoin(href))
                if url:
                    yield scrapy.Request(url)

    log_file = Path(args.workdir) / f"bare-{time.time_ns()}.log"
    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "COOKIES_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO", "LOG_FILE": str(log_file),
        "USER_AGENT": "kazscraper-bench/bare",
        **reactor_settings(),
    })  # fmt: skip
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    cpu0, t0, main0 = _cpu_now(), time.monotonic(), time.thread_time()
    process.start()
    wall, cpu = time.monotonic() - t0, _cpu_now() - cpu0
    main = time.thread_time() - main0
    stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}
    return {"wall_s": wall, "crawl_cpu_s": cpu, "main_cpu_s": main, "exit_code": 0, "reason": "",
            "stats": stats}  # fmt: skip


# -- reporting -----------------------------------------------------------------------------


def pages(result: dict[str, Any]) -> int:
    return int(result["stats"].get("response_received_count", 0))


def _worker_cpu(result: dict[str, Any]) -> float:
    return float(result["stats"].get("kazscraper/worker_cpu_s", 0))


def summarize(results: list[dict[str, Any]], n_articles: int) -> dict[str, float]:
    """Medians over runs of the figures the tables print."""

    def med(f) -> float:
        return statistics.median(f(r) for r in results)

    return {
        "pages": med(pages),
        "wall_s": med(lambda r: r["wall_s"]),
        "pages_s": med(lambda r: pages(r) / r["wall_s"]),
        "articles_s": med(lambda r: n_articles / r["wall_s"]),
        "cpu_ms_article": med(lambda r: 1000 * r["crawl_cpu_s"] / n_articles),
        "cpu_ms_page": med(lambda r: 1000 * r["crawl_cpu_s"] / max(1, pages(r))),
        # the reactor's thread alone (the process's other threads: the WARC's compression)
        "main_ms_page": med(lambda r: 1000 * r.get("main_cpu_s", 0) / max(1, pages(r))),
        # ``crawl --workers``: the extraction processes' CPU, and the whole crawl's
        "workers_ms_page": med(lambda r: 1000 * _worker_cpu(r) / max(1, pages(r))),
        "all_ms_page": med(lambda r: 1000 * (r["crawl_cpu_s"] + _worker_cpu(r)) / max(1, pages(r))),
        "process_cpu_s": med(lambda r: r["process_cpu_s"]),
        "maxrss_mb": med(lambda r: r["maxrss_mb"]),
        "server_ms_page": med(lambda r: 1000 * r["server_cpu_s"] / max(1, pages(r))),
        "cpu_util": med(lambda r: r["crawl_cpu_s"] / r["wall_s"]),
        # execute/executemany calls of the crawl process (an executemany is one); bare: none
        "sql_article": med(lambda r: r.get("sql_statements", 0) / n_articles),
    }


def crawl_benchmark(
    n_articles: int,
    runs: int,
    kinds: tuple[str, ...] = ("bare", "kazscraper", "incremental"),
    keep: bool = False,
    pad: bool = True,
    log=print,
    reparse: bool = True,
) -> dict[str, Any]:
    """Render, serve and crawl; returns per-kind lists of run results and the site's info
    (with ``reparse``, each full crawl's archive is reparsed too)."""
    workdir = Path(tempfile.mkdtemp(prefix="kazbench-"))
    try:
        info, root, port, mirror_port = prepare_site(n_articles, workdir, pad)
        log(f"rendered {info['article_files']} article files ({info['mean_article_kb']:.1f} KB "
            f"mean), {info['listing_pages']} listing pages, {info['bytes'] / 1e6:.0f} MB "
            f"in {info['render_s']:.1f}s -> {root}")  # fmt: skip
        results: dict[str, list[dict[str, Any]]] = {k: [] for k in kinds}
        with StaticServer(root, port, mirror_port) as server:
            for run in range(runs):
                if "bare" in kinds:
                    results["bare"].append(run_child("bare", server, None, workdir))
                    log(f"run {run + 1}: bare {_line(results['bare'][-1])}")
                if "kazscraper" in kinds:
                    db = workdir / f"run{run}" / "bench.sqlite"
                    db.parent.mkdir()
                    results["kazscraper"].append(run_child("kazscraper", server, db, workdir))
                    log(f"run {run + 1}: kazscraper {_line(results['kazscraper'][-1])}")
                    if "incremental" in kinds:
                        results["incremental"].append(run_child("kazscraper", server, db, workdir))
                        log(f"run {run + 1}: incremental {_line(results['incremental'][-1])}")
                    if reparse:
                        results.setdefault("reparse", []).append(
                            run_reparse(db, pages(results["kazscraper"][-1]))
                        )
                        log(f"run {run + 1}: reparse {_reparse_line(results['reparse'][-1])}")
                    if not keep:
                        shutil.rmtree(db.parent)
            info["server_maxrss_mb"] = server.usage()["maxrss_kb"] / 1024
        return {"site": info, "results": results}
    finally:
        if keep:
            log(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def profile_crawl(n_articles: int, profile: str) -> None:
    """One full kazscraper crawl under pyinstrument; writes profile.txt and profile.html."""
    workdir = Path(tempfile.mkdtemp(prefix="kazbench-"))
    try:
        _, root, port, mirror_port = prepare_site(n_articles, workdir)
        with StaticServer(root, port, mirror_port) as server:
            db = workdir / "profile" / "bench.sqlite"
            db.parent.mkdir()
            result = run_child("kazscraper", server, db, workdir, profile=profile)
        print(f"kazscraper {_line(result)} (under pyinstrument)")
        print(f"profile: {Path(profile).with_suffix('.txt')} and .html")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _line(r: dict[str, Any]) -> str:
    s = r["stats"]
    extra = ""
    if "kazscraper/articles_new" in s or r["exit_code"]:
        extra = (f", {s.get('kazscraper/articles_new', 0)} new, exit {r['exit_code']} "
                 f"{r['reason']}")  # fmt: skip
    return (f"{pages(r)} pages in {r['wall_s']:.1f}s, cpu {r['crawl_cpu_s']:.1f}s, "
            f"rss {r['maxrss_mb']:.0f} MB{extra}, load {_load(r)}")  # fmt: skip


def _load(*results: dict[str, Any]) -> str:
    """The load average (1 min) over some runs: lowest at a start or end - highest."""
    loads = [x for r in results for x in r["load"]]
    return f"{min(loads):.1f}-{max(loads):.1f}"


def print_table(bench: dict[str, Any], n_articles: int, runs: int) -> None:
    res = bench["results"]
    cols = [k for k in ("bare", "kazscraper", "incremental") if res.get(k)]
    sums = {k: summarize(res[k], n_articles) for k in cols}
    rows = [
        ("pages fetched", "pages", "{:.0f}"),
        ("wall time (s)", "wall_s", "{:.1f}"),
        ("pages/s", "pages_s", "{:.0f}"),
        ("articles of the site/s", "articles_s", "{:.0f}"),
        ("crawler CPU ms/article", "cpu_ms_article", "{:.2f}"),
        ("crawler CPU ms/page", "cpu_ms_page", "{:.2f}"),
        ("  of it the main thread", "main_ms_page", "{:.2f}"),
        ("workers' CPU ms/page", "workers_ms_page", "{:.2f}"),
        ("all CPU ms/page (+ workers)", "all_ms_page", "{:.2f}"),
        ("crawler CPU / wall", "cpu_util", "{:.2f}"),
        ("process CPU s (incl. start)", "process_cpu_s", "{:.1f}"),
        ("peak RSS (MB)", "maxrss_mb", "{:.0f}"),
        ("SQL statements/article", "sql_article", "{:.1f}"),
        ("server CPU ms/page", "server_ms_page", "{:.2f}"),
    ]
    print(f"\nreplica: {n_articles} articles, {bench['site']['mean_article_kb']:.1f} KB mean "
          f"article page; medians of {runs} run(s)")  # fmt: skip
    print(f"{'':30}" + "".join(f"{c:>14}" for c in cols))
    for label, key, fmt in rows:
        print(f"{label:30}" + "".join(f"{fmt.format(sums[c][key]):>14}" for c in cols))
    if "bare" in sums and "kazscraper" in sums:
        b, a = sums["kazscraper"], sums["bare"]
        print(f"\nkazscraper / bare: pages/s x{b['pages_s'] / a['pages_s']:.2f}, "
              f"CPU per article x{b['cpu_ms_article'] / a['cpu_ms_article']:.2f} "
              f"(load {_load(*res['bare'], *res['kazscraper'])})")  # fmt: skip
        print(f"kazscraper / bare, CPU ms per page: main thread {b['main_ms_page']:.2f} vs "
              f"{a['main_ms_page']:.2f} (x{b['main_ms_page'] / a['main_ms_page']:.2f}), "
              f"crawl process {b['cpu_ms_page']:.2f} (x{b['cpu_ms_page'] / a['cpu_ms_page']:.2f}), "
              f"with its workers {b['all_ms_page']:.2f} "
              f"(x{b['all_ms_page'] / a['cpu_ms_page']:.2f})")  # fmt: skip
    if "incremental" in sums and "kazscraper" in sums:
        pct = 100 * sums["incremental"]["wall_s"] / sums["kazscraper"]["wall_s"]
        print(f"incremental re-crawl of the unchanged site: {sums['incremental']['wall_s']:.1f}s"
              f" = {pct:.0f}% of the full crawl's time")  # fmt: skip
    if res.get("reparse"):
        rep = res["reparse"]
        wall = statistics.median(r["wall_s"] for r in rep)
        pps = statistics.median(r["pages"] / r["wall_s"] for r in rep)
        cpu = statistics.median(r["cpu_s"] for r in rep)
        workers_cpu = statistics.median(r["worker_cpu_s"] for r in rep)
        print(
            f"reparse of the full crawl's archive: {wall:.1f}s, {pps:.0f} pages/s, CPU "
            f"{cpu:.1f}s + {workers_cpu:.1f}s in {rep[0]['workers']} worker(s), peak RSS "
            f"{statistics.median(r['maxrss_mb'] for r in rep):.0f} MB (start-up included), "
            f"load {_load(*rep)}"
        )
        if "bare" in sums:
            bare = sums["bare"]
            per_page = 1000 * (cpu + workers_cpu) / statistics.median(r["pages"] for r in rep)
            # like for like: bare's wall is its process.start(), the reparse's its engine's
            # span; the whole command (interpreter, imports, copy, swap) said beside it
            engine_pps = statistics.median(r["pages"] / r["engine_s"] for r in rep)
            print(
                f"reparse / bare: pages/s x{engine_pps / bare['pages_s']:.2f} "
                f"(whole command, start-up included: x{pps / bare['pages_s']:.2f}; "
                f"CPU ms/page {per_page:.1f} vs {bare['cpu_ms_page']:.1f}: "
                f"x{per_page / bare['cpu_ms_page']:.2f}; load {_load(*res['bare'], *rep)})"
            )
    bad = [r for k in cols for r in res[k] if r["exit_code"]]
    if bad:
        print(f"WARNING: {len(bad)} crawl(s) did not exit 0: {bad[0]['reason']}")
    print(f"static server peak RSS {bench['site']['server_maxrss_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Figures are medians; on a shared machine expect +-15%% noise.",
    )
    parser.add_argument("--articles", type=int, default=5000, help="replica size [5000]")
    parser.add_argument("--runs", type=int, default=3, help="runs per crawl kind [3]")
    parser.add_argument(
        "--only",
        choices=("bare", "kazscraper"),
        help="run only this kind (kazscraper includes the incremental run)",
    )
    parser.add_argument(
        "--no-pad", action="store_true", help="serve the replica's own ~10 KB pages, unpadded"
    )
    parser.add_argument(
        "--workers", type=int, default=0,
        help="kazscraper crawl --workers N: extraction in N worker processes [0]",
    )  # fmt: skip
    parser.add_argument(
        "--reactor", choices=sorted(REACTORS), default="asyncio",
        help="the event loop of both crawlers [asyncio]; uvloop needs 'pip install uvloop'",
    )  # fmt: skip
    parser.add_argument(
        "--no-reparse", action="store_true",
        help="leave out the reparse of each full crawl's archive (the crawl figures only)",
    )  # fmt: skip
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (site, archives)")
    parser.add_argument("--json", metavar="FILE", help="also write all raw results here")
    parser.add_argument(
        "--profile", metavar="FILE",
        help="instead: profile one full kazscraper crawl with pyinstrument (pip install "
        "pyinstrument) and write FILE.txt (call tree) and FILE.html",
    )  # fmt: skip
    for name in ("--child", "--origin", "--mirror", "--db", "--out", "--workdir"):
        parser.add_argument(name, help=argparse.SUPPRESS)  # internal: one crawl in a child
    args = parser.parse_args()
    os.environ.setdefault("KAZSCRAPER_BENCH_WORKERS", str(args.workers))
    os.environ.setdefault("KAZSCRAPER_BENCH_REACTOR", args.reactor)
    if args.child:
        run = child_bare if args.child == "bare" else child_kazscraper
        result = run(args)
        result["vmhwm_mb"] = own_peak_rss_mb()
        Path(args.out).write_text(json.dumps(result))
        return
    if args.profile:
        profile_crawl(args.articles, str(Path(args.profile).resolve()))
        return
    kinds = {"bare": ("bare",), "kazscraper": ("kazscraper", "incremental")}.get(
        args.only, ("bare", "kazscraper", "incremental"))  # fmt: skip
    bench = crawl_benchmark(
        args.articles, args.runs, kinds, keep=args.keep, pad=not args.no_pad,
        reparse=not args.no_reparse,
    )  # fmt: skip
    print_table(bench, args.articles, args.runs)
    if args.json:
        Path(args.json).write_text(json.dumps(bench, indent=1))


if __name__ == "__main__":
    main()
