"""How the full kazscraper crawl scales: articles/s and peak RSS at several replica sizes.

For each size, renders and serves a padded replica (bench/crawl.py's
functions) and runs the full kazscraper crawl (WARC on, fresh archive) in a
subprocess, --runs times. A pipeline whose cost is linear keeps articles/s
and CPU ms/article about constant as the site grows; one whose memory is flat
keeps peak RSS about constant. The last lines give the ratios between the
largest and the smallest size.

    python bench/scale.py --sizes 5000,20000
    python bench/scale.py --sizes 5000,20000 --reparse   # peak RSS of `kazscraper reparse`
    python bench/scale.py --sizes 100000 --cycle --rss-log /tmp/rss.tsv

    python bench/scale.py --known 100000   # bytes an article of an incremental run's `known`

``--known N`` writes a synthetic archive of N articles (an alias for one in ten, an
ETag each, a date for nine in ten) and measures, with tracemalloc, the bytes an article
of the ``known`` map an incremental run loads: the dict the archive gives
(``known_articles``) and the fingerprint table the crawl keeps (``KnownArticles``).

With ``--cycle`` each size's full crawl is followed by an incremental re-crawl of
the same archive and by ``kazscraper reparse`` of it: the peak RSS of all three.
``--rss-log FILE`` samples the VmRSS of the bench's crawl and reparse processes
every few seconds into FILE (seconds, pid, command, MB): where in a run memory rises.

With ``--reparse`` each size is crawled once (kept), then rebuilt from its WARC
files by ``kazscraper reparse`` in a subprocess whose peak RSS is printed: a
reparse that streams keeps it about constant whatever the archive's size.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import StaticServer, crawl_benchmark, prepare_site, summarize

from kazscraper.archive import Archive
from kazscraper.crawler.archive_files import warc_directory
from kazscraper.crawler.archive_owner import KNOWN_CHUNK, known_articles


def _child(*args: str) -> tuple[int, float, float]:
    """``kazscraper ARGS`` in a subprocess: exit code, wall seconds, peak RSS in MB."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), time.monotonic() - started, usage.ru_maxrss / 1024


def synthetic_archive(db: Path, n: int) -> None:
    """An archive of ``n`` articles with only what ``known`` reads: URL, date, ETag, aliases."""
    now = "2026-12-01T00:00:00+00:00"
    slug = "qazaqstan-respublikasynyn-ukimeti-auyl-sharuashylygy-turaly-zhana-zang-zhobasy"
    with Archive(db, site="qazdauiri") as archive:
        conn = archive.db.conn
        articles = [
            (i, f"https://qazdauiri.kz/news/{slug}-{i}", "qazdauiri",
             None if i % 10 == 9 else f"{2023 + i % 3}-{1 + i % 12:02d}-{1 + i % 28:02d}",
             f'"{0x17f00000000000 + i:x}-{60000 + i % 5000:x}"', now, now)
            for i in range(1, n + 1)
        ]  # fmt: skip
        conn.executemany(
            "INSERT INTO articles (id, url, site, published_date, etag, first_seen_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            articles,
        )
        urls = [(a[1], a[0], now, now) for a in articles]
        urls += [(a[1] + "/amp", a[0], now, now) for a in articles if a[0] % 10 == 0]
        conn.executemany(
            "INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at) "
            "VALUES (?, ?, ?, ?)",
            urls,
        )
        conn.commit()


def known_memory(n: int) -> None:
    """Bytes an article of the incremental run's ``known``: dict vs fingerprint table."""
    with tempfile.TemporaryDirectory(prefix="kazscraper-known-") as tmp:
        db = Path(tmp) / "known.sqlite"
        synthetic_archive(db, n)
        print(f"synthetic archive: {n} articles, {n + n // 10} URLs (aliases too); "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print(f"{'known as':>14}{'bytes/article':>15}{'peak bytes/art':>16}{'build CPU s':>13}"
              f"{'lookup us':>11}")  # fmt: skip
        with Archive(db, site="qazdauiri") as archive:
            builds = {
                "dict": archive.known_articles,
                "KnownArticles": lambda: known_articles(archive),
            }
            probe = [u for rows in archive.archived_article_urls(KNOWN_CHUNK) for u, _, _ in rows]
            for name, build in builds.items():
                cpu = time.process_time()
                known = build()
                cpu = time.process_time() - cpu  # untraced: tracemalloc slows allocations
                del known
                tracemalloc.start()
                known = build()
                held, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                t = time.process_time()
                answers = [known[u] for u in probe[:20000]]
                lookup = (time.process_time() - t) / len(answers) * 1e6
                print(f"{name:>14}{held / n:>15.0f}{peak / n:>16.0f}{cpu:>13.2f}{lookup:>11.2f}")
                del known, answers


class RssLog:
    """Samples every few seconds the VmRSS of this process's descendants that run
    kazscraper (the crawl children, reparse and its workers) into a TSV file."""

    def __init__(self, path: Path, every: float = 5.0) -> None:
        self.path, self.every = path, every
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _descendants(self) -> list[int]:
        parents: dict[int, int] = {}
        for d in Path("/proc").iterdir():
            if d.name.isdigit():
                try:
                    stat = (d / "stat").read_text()
                    parents[int(d.name)] = int(stat.rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        found, todo = [], [os.getpid()]
        while todo:
            p = todo.pop()
            kids = [c for c, pp in parents.items() if pp == p]
            found += kids
            todo += kids
        return found

    def _run(self) -> None:
        with self.path.open("w") as out:
            out.write("seconds\tpid\tcommand\trss_mb\tload1\n")
            while not self.stop.wait(self.every):
                for pid in self._descendants():
                    try:
                        cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
                        status = Path(f"/proc/{pid}/status").read_text()
                    except OSError:
                        continue
                    words = [w.decode(errors="replace") for w in cmd if w]
                    if not any(w in ("crawl", "reparse", "--child") for w in words):
                        continue
                    rss = next((int(x.split()[1]) for x in status.splitlines()
                                if x.startswith("VmRSS:")), 0)  # fmt: skip
                    what = " ".join(w for w in words[1:4] if not w.startswith("/"))[:40]
                    out.write(f"{time.monotonic() - self.t0:.0f}\t{pid}\t{what}\t"
                              f"{rss / 1024:.0f}\t{os.getloadavg()[0]:.1f}\n")  # fmt: skip
                out.flush()

    def __enter__(self) -> RssLog:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def cycle_memory(sizes: list[int], runs: int) -> None:
    """Full crawl, incremental re-crawl and reparse of each size: peak RSS of each."""
    table = []
    for n in sizes:
        print(f"-- {n} articles", flush=True)
        bench = crawl_benchmark(n, runs, kinds=("kazscraper", "incremental"), reparse=True)
        res = bench["results"]
        table.append((n, *(summarize(res[k], n) for k in ("kazscraper", "incremental")),
                      res["reparse"]))  # fmt: skip
    print(f"\npeak RSS MB, medians of {runs} run(s); load average now {os.getloadavg()[0]:.1f}")
    print(f"{'articles':>9}{'crawl':>8}{'re-crawl':>10}{'reparse':>9}{'reparse worker':>16}"
          f"{'crawl s':>9}{'re-crawl s':>12}")  # fmt: skip
    for n, full, inc, rep in table:
        med = sorted(rep, key=lambda r: r["maxrss_mb"])[len(rep) // 2]
        print(f"{n:>9}{full['maxrss_mb']:>8.0f}{inc['maxrss_mb']:>10.0f}"
              f"{med['maxrss_mb']:>9.0f}{med['worker_rss_mb']:>16}"
              f"{full['wall_s']:>9.0f}{inc['wall_s']:>12.0f}")  # fmt: skip


def reparse_memory(sizes: list[int]) -> None:
    """Crawl each size once, then measure ``kazscraper reparse`` of that archive."""
    table = []
    for n in sizes:
        print(f"-- {n} articles", flush=True)
        with tempfile.TemporaryDirectory(prefix="kazscraper-reparse-") as tmp:
            workdir = Path(tmp)
            _, root, port, mirror_port = prepare_site(n, workdir)
            db = workdir / "archive" / "bench.sqlite"
            with StaticServer(root, port, mirror_port) as server:
                crawl = _child(
                    "crawl", "--start-url", server.origin + "/", "--mirror",
                    server.mirror_origin, "--db", str(db),
                )  # fmt: skip
            warc_mb = sum(f.stat().st_size for f in warc_directory(db).glob("*")) / 2**20
            table.append((n, crawl, _child("reparse", "--db", str(db)), warc_mb))
    print(f"\n{'articles':>9}{'WARC MB':>9}{'crawl RSS MB':>14}{'reparse s':>11}"
          f"{'reparse RSS MB':>16}")  # fmt: skip
    for n, crawl, reparse, warc_mb in table:
        flag = "" if crawl[0] == reparse[0] == 0 else f"  (exit {crawl[0]}/{reparse[0]}!)"
        print(f"{n:>9}{warc_mb:>9.0f}{crawl[2]:>14.0f}{reparse[1]:>11.1f}{reparse[2]:>16.0f}{flag}")
    if len(table) > 1:
        (n0, _, r0, _), (n1, _, r1, _) = table[0], table[-1]
        print(f"\nreparse peak RSS, {n1} vs {n0} articles: x{r1[2] / r0[2]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="5000,20000",
        help="comma-separated replica sizes, in articles [5000,20000]",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per size, medians kept [1]")
    parser.add_argument(
        "--reparse", action="store_true", help="measure the peak RSS of reparse instead"
    )
    parser.add_argument(
        "--cycle",
        action="store_true",
        help="peak RSS of a full crawl, an incremental re-crawl and a reparse of each size",
    )
    parser.add_argument(
        "--rss-log", type=Path, help="sample the children's VmRSS every 5 s into this TSV file"
    )
    parser.add_argument(
        "--known",
        type=int,
        metavar="N",
        help="bytes an article of an incremental run's known map, on a synthetic archive",
    )
    args = parser.parse_args()
    if args.known:
        known_memory(args.known)
        return
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes integers separated by commas")
    if not sizes or min(sizes) < 6:
        parser.error("sizes must be at least 6 articles")
    if args.rss_log:
        with RssLog(args.rss_log):
            run(args, sizes)
    else:
        run(args, sizes)


def run(args: argparse.Namespace, sizes: list[int]) -> None:
    if args.cycle:
        cycle_memory(sizes, args.runs)
        return
    if args.reparse:
        reparse_memory(sizes)
        return

    table = []
    for n in sizes:
        print(f"-- {n} articles", flush=True)
        bench = crawl_benchmark(n, args.runs, kinds=("kazscraper",), reparse=False)
        s = summarize(bench["results"]["kazscraper"], n)
        bad = [r for r in bench["results"]["kazscraper"] if r["exit_code"]]
        table.append((n, s, bad))

    print(
        f"\nfull kazscraper crawl, WARC on; medians of {args.runs} run(s) per size; "
        f"load average now {os.getloadavg()[0]:.1f}"
    )
    print(f"{'articles':>9}{'pages':>8}{'wall s':>9}{'articles/s':>12}{'pages/s':>9}"
          f"{'CPU ms/art':>12}{'peak RSS MB':>13}{'RSS KB/art':>12}")  # fmt: skip
    for n, s, bad in table:
        print(
            f"{n:>9}{s['pages']:>8.0f}{s['wall_s']:>9.1f}{s['articles_s']:>12.1f}"
            f"{s['pages_s']:>9.1f}{s['cpu_ms_article']:>12.2f}{s['maxrss_mb']:>13.0f}"
            f"{1024 * s['maxrss_mb'] / n:>12.1f}" + ("  (exit != 0!)" if bad else "")
        )
    if len(table) > 1:
        (n0, s0, _), (n1, s1, _) = table[0], table[-1]
        print(
            f"\n{n1} vs {n0} articles (x{n1 / n0:.1f}): "
            f"peak RSS x{s1['maxrss_mb'] / s0['maxrss_mb']:.2f} "
            f"(+{s1['maxrss_mb'] - s0['maxrss_mb']:.0f} MB, "
            f"{1024 * (s1['maxrss_mb'] - s0['maxrss_mb']) / (n1 - n0):.1f} KB/extra article); "
            f"wall time x{s1['wall_s'] / s0['wall_s']:.2f}; "
            f"CPU ms/article x{s1['cpu_ms_article'] / s0['cpu_ms_article']:.2f} "
            "(1.00 = linear)"
        )


if __name__ == "__main__":
    main()
