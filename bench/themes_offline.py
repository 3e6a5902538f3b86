"""Score the generic extraction on the themed replica sites offline (no crawl, no server).

Every article page of each theme is rendered by its ``Theme`` object and read by
``extract_article`` with the generic profile; the figures are those of ``bench/sites.py``
that depend on extraction alone (titles, body F1, dates, authors, block recall and
precision). Seconds per theme, where a crawl takes minutes::

    python bench/themes_offline.py [--themes wordpress,bitrix] [--articles 120] [--show FIELD]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import author_set, token_f1

from kazscraper.extract.article import extract_article
from kazscraper.replica.themes import THEMES, get_theme
from kazscraper.sites.generic import PROFILE

ORIGIN = "http://127.0.0.1:8000"


def score_theme(name: str, articles: int = 120, show: str = "", **options: str) -> dict[str, Any]:
    theme = get_theme(name, n_articles=articles, **options)
    truth = theme.truth(ORIGIN)
    f1s: list[float] = []
    hits = {"title": 0, "date": 0, "authors": 0}
    want_blocks = {"similar": 0, "top": 0}
    got_blocks = {"similar": 0, "top": 0}
    stored = right = 0
    for url, want in truth.items():
        path = url[len(ORIGIN) :]
        html = theme.respond(ORIGIN, path, "").body.decode("utf-8")
        art = extract_article(html, url, PROFILE)
        f1 = token_f1(art.body or "", want["body"])
        f1s.append(f1)
        hits["title"] += " ".join((art.title or "").split()) == want["title"]
        date_ok = (art.published_date or "")[:10] == want["published"][:10]
        hits["date"] += date_ok
        names = [a.name for a in art.authors]
        authors_ok = author_set(names) == author_set(want["authors"])
        hits["authors"] += authors_ok
        wanted = {(b["kind"], b["url"].rstrip("/")) for b in want["blocks"]}
        have = {(r.kind, (r.url or "").split("?")[0].rstrip("/")) for r in art.related}
        for kind, _ in wanted:
            want_blocks[kind] += 1
        for kind, _ in wanted & have:
            got_blocks[kind] += 1
        stored += len(have)
        right += len(wanted & have)
        if show == "date" and not date_ok:
            print(url, art.published_date, want["published"], art.extraction.get("published"))
        if show == "authors" and not authors_ok:
            print(url, names, want["authors"], art.extraction.get("authors"))
        if show == "body" and f1 < 0.9:
            print(url, round(f1, 3), art.extraction.get("body"))
        if show == "blocks" and wanted - have:
            print(url, sorted(wanted - have)[:3], sorted(have - wanted)[:3])
    n = len(truth)
    return {
        "theme": name,
        "titles": round(hits["title"] / n, 3),
        "body_f1": round(statistics.fmean(f1s), 3),
        "body_0_9": round(sum(f >= 0.9 for f in f1s) / n, 3),
        "dates": round(hits["date"] / n, 3),
        "authors": round(hits["authors"] / n, 3),
        "similar": round(got_blocks["similar"] / max(1, want_blocks["similar"]), 3),
        "top": round(got_blocks["top"] / max(1, want_blocks["top"]), 3),
        "block_precision": round(right / stored, 3) if stored else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--themes", default=",".join(THEMES))
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--show", default="", help="print the misses of one field")
    parser.add_argument("--layout", default="1", help="the themes' layout (2: a redesign)")
    args = parser.parse_args()
    rows = [
        score_theme(t, args.articles, args.show, layout=args.layout) for t in args.themes.split(",")
    ]
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(str(row[k]) for k in keys) + " |")


if __name__ == "__main__":
    main()
