"""How the full kazscraper crawl scales: articles/s and peak RSS at several replica sizes.

For each size, renders and serves a padded replica (bench/crawl.py's
functions) and runs the full kazscraper crawl (WARC on, fresh archive) in a
subprocess, --runs times. A pipeline whose cost is linear keeps articles/s
and CPU ms/article about constant as the site grows; one whose memory is flat
keeps peak RSS about constant. The last lines give the ratios between the
largest and the smallest size.

    python bench/scale.py --sizes 5000,20000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl import crawl_benchmark, summarize


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="5000,20000",
        help="comma-separated replica sizes, in articles [5000,20000]",
    )
    parser.add_argument("--runs", type=int, default=1, help="runs per size, medians kept [1]")
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error("--sizes takes integers separated by commas")
    if not sizes or min(sizes) < 6:
        parser.error("sizes must be at least 6 articles")

    table = []
    for n in sizes:
        print(f"-- {n} articles", flush=True)
        bench = crawl_benchmark(n, args.runs, kinds=("kazscraper",))
        s = summarize(bench["results"]["kazscraper"], n)
        bad = [r for r in bench["results"]["kazscraper"] if r["exit_code"]]
        table.append((n, s, bad))

    print(f"\nfull kazscraper crawl, WARC on; medians of {args.runs} run(s) per size")
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
