"""How the full kazscraper crawl scales: articles/s and peak RSS at several replica sizes.

For each size, renders and serves a padded replica (bench/crawl.py's
functions) and runs the full kazscraper crawl (WARC on, fresh archive) in a
subprocess, --runs times. A pipeline whose cost is linear keeps articles/s
and CPU ms/article about constant as the site grows; one whose memory is flat
keeps peak RSS about constant. The last lines give the ratios between the
largest and the smallest size.

    python bench/scale.py --sizes 5000,20000
    python bench/scale.py --sizes 5000,20000 --reparse   # peak RSS of `kazscraper reparse`

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
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import StaticServer, crawl_benchmark, prepare_site, summarize

from kazscraper.crawler.archive_files import warc_directory


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
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes integers separated by commas")
    if not sizes or min(sizes) < 6:
        parser.error("sizes must be at least 6 articles")
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
