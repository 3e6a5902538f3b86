"""Per-page extraction cost: kazscraper's extractor vs trafilatura, same replica pages.

Renders N article pages of the replica (as bench/crawl.py serves them: padded
to ~60 KB unless --no-pad, links on https://qazdauiri.kz so the real site
profile applies) and times, page by page, in this process:

  kazscraper   kazscraper.extract.article.extract_article + clean.article.clean_article
  trafilatura  trafilatura.extract(html, url=...)            (default settings)
  traf. fast   trafilatura.extract(html, url=..., fast=True) (no fallback extractors)
  lxml parse   lxml.html.document_fromstring(html) alone: the floor every HTML tool pays

Each page is timed --repeat times in CPU time of this process (on a machine shared
with other jobs the wall time measures them too) and the best time kept; the table
shows the median and p90 over pages, and the load average is printed beside them.
It also checks what came out: kazscraper's title/body/date against the
replica's expected record, trafilatura's text against the expected body
(share of body paragraphs found), and that padding changes no kazscraper field.

    python bench/extract.py --pages 200
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ORIGIN = "https://qazdauiri.kz"
MIRROR = "https://image.qazdauiri.kz"


def article_pages(n_pages: int, pad: bool = True) -> list[tuple[str, str, str, dict]]:
    """(url, padded html, unpadded html, expected record) of the first n article pages."""
    from crawl import pad_page  # bench/crawl.py

    from kazscraper.replica.render import Renderer
    from kazscraper.replica.site import ReplicaSite

    site = ReplicaSite(max(n_pages, 50))
    renderer = Renderer(site, ORIGIN, MIRROR)
    pages = []
    for article in site.articles[:n_pages]:
        html = renderer.article_page(article)
        padded = pad_page(html, article.path) if pad else html
        pages.append((ORIGIN + article.path, padded, html, site.expected_record(article)))
    return pages


def best_time(func, arg_sets, repeat: int) -> list[float]:
    """Per call: the best of ``repeat`` timings, in CPU milliseconds of this process."""
    times = []
    for args in arg_sets:
        best = float("inf")
        for _ in range(repeat):
            t0 = time.process_time()
            func(*args)
            best = min(best, time.process_time() - t0)
        times.append(best * 1000)
    return times


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="article pages [200]")
    parser.add_argument("--repeat", type=int, default=3, help="timings per page, best kept [3]")
    parser.add_argument("--no-pad", action="store_true", help="the replica's own ~10 KB pages")
    args = parser.parse_args()

    import lxml.html

    from kazscraper.clean.article import clean_article
    from kazscraper.extract.article import extract_article
    from kazscraper.sites import get_profile

    try:
        import trafilatura
    except ImportError:
        sys.exit("trafilatura is not installed: pip install trafilatura")

    profile = get_profile("qazdauiri")
    pages = article_pages(args.pages, pad=not args.no_pad)
    kb = statistics.mean(len(h.encode()) for _, h, _, _ in pages) / 1000

    def ours(html: str, url: str):
        return clean_article(extract_article(html, url, profile), profile)

    def traf(html: str, url: str):
        return trafilatura.extract(html, url=url)

    def traf_fast(html: str, url: str):
        return trafilatura.extract(html, url=url, fast=True)

    def parse_only(html: str, url: str):
        return lxml.html.document_fromstring(html)

    calls = [(h, u) for u, h, _, _ in pages]
    for func in (ours, traf, traf_fast, parse_only):  # warm up imports and caches
        for call in calls[:5]:
            func(*call)
    gc.collect()
    load_before = os.getloadavg()[0]
    rows = {}
    for name, func in (("kazscraper", ours), ("trafilatura", traf),
                       ("traf. fast", traf_fast), ("lxml parse", parse_only)):  # fmt: skip
        times = best_time(func, calls, args.repeat)
        rows[name] = (statistics.median(times), p90(times), sum(times) / 1000)

    # what came out
    ok = {"title": 0, "body": 0, "published_date": 0}
    same_padded = 0
    traf_recall = []
    for url, html, raw, expected in pages:
        record = ours(html, url)
        for key in ok:
            ok[key] += getattr(record, key) == expected[key]
        if html is not raw:
            same_padded += asdict(record) == asdict(ours(raw, url))
        text = traf(html, url) or ""
        paras = [p for p in expected["body"].split("\n\n") if p]
        found = sum(" ".join(p.split()) in " ".join(text.split()) for p in paras)
        traf_recall.append(found / len(paras) if paras else 1.0)

    n = len(pages)
    base = rows["kazscraper"][0]
    print(f"\n{n} replica article pages, {kb:.1f} KB mean"
          f"{' (unpadded)' if args.no_pad else ' (padded as bench/crawl.py serves them)'}; "
          f"best of {args.repeat} per page, CPU time; load average {load_before:.1f} at the"
          f" start, {os.getloadavg()[0]:.1f} at the end")  # fmt: skip
    print(f"{'':14}{'median CPU ms/page':>20}{'p90 ms':>10}{'total s':>10}{'vs kazscraper':>15}")
    for name, (med, hi, total) in rows.items():
        print(f"{name:14}{med:>20.2f}{hi:>10.2f}{total:>10.2f}{med / base:>14.2f}x")
    print(
        f"\ntrafilatura / kazscraper (median): {rows['trafilatura'][0] / base:.2f}x; "
        f"kazscraper minus the lxml parse: {base - rows['lxml parse'][0]:.2f} ms/page"
    )
    print(
        "kazscraper fields equal to the replica's expected record: "
        + ", ".join(f"{k} {100 * v / n:.0f}%" for k, v in ok.items())
    )
    if not args.no_pad:
        print(f"kazscraper record identical padded vs unpadded: {100 * same_padded / n:.0f}%")
    print(
        f"trafilatura text containing each expected body paragraph: "
        f"{100 * statistics.mean(traf_recall):.0f}% of paragraphs (mean over pages)"
    )


if __name__ == "__main__":
    main()
