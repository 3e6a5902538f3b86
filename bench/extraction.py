"""Extraction report: per-field accuracy and ms/page, ours beside trafilatura's.

Runs kazscraper's extractor (``extract_article`` + ``clean_article``) and
``trafilatura.bare_extraction`` over the quality-gate fixtures
(``tests/fixtures/pages``: NAME.html + NAME.expected.json) and prints, per
field, the share of pages each gets exactly right, and the median time per page.

``--external DIR`` measures pages of other sites with known answers:
NAME.html beside NAME.json holding ``{"url": ..., "body": "...", "date": "YYYY-MM-DD"}``
(either key may be missing). It prints the body's token F1 for our generic
path and for trafilatura alone, and date accuracy for ours and for htmldate.

    python bench/extraction.py
    python bench/extraction.py --external ~/saved-pages --repeat 5
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import extract_article
from kazscraper.extract.names import name_key
from kazscraper.sites import get_profile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "pages"
PROFILE = get_profile("qazdauiri")
FIELDS = ("title", "published_date", "authors", "body_starts_with", "body_ends_with")
_TOKEN = re.compile(r"\w+")


def ours(html: str, url: str, fetched_at: str) -> dict[str, Any]:
    article = clean_article(extract_article(html, url, PROFILE, fetched_at), PROFILE)
    return {
        "title": article.title,
        "published_date": article.published_date,
        "authors": [a.name for a in article.authors],
        "body": article.body or "",
        "layer": article.extraction.get("body", "").split(" ")[0],
    }


def trafilatura_fields(html: str, url: str, fetched_at: str) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return {"title": None, "published_date": None, "authors": [], "body": ""}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    authors = [a.strip() for a in re.split(r";|,", data.get("author") or "") if a.strip()]
    return {
        "title": data.get("title"),
        "published_date": data.get("date"),
        "authors": authors,
        "body": data.get("text") or "",
    }


def correct(field: str, got: dict[str, Any], want: Any) -> bool:
    body = got["body"]
    if field == "body_starts_with":
        return body.startswith(want)
    if field == "body_ends_with":
        return body.endswith(want)
    if field == "authors":  # the same people, whatever the order of their names' words
        keys = sorted(" ".join(sorted(name_key(a).split())) for a in got["authors"])
        wanted = sorted(" ".join(sorted(name_key(a["name"]).split())) for a in want)
        return keys == wanted
    return got[field] == want


def timed(function: Callable[..., Any], *args: Any, repeat: int) -> tuple[Any, float]:
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return result, statistics.median(times) * 1000


def fixture_report(repeat: int) -> None:
    hits: dict[str, Counter[str]] = {"kazscraper": Counter(), "trafilatura": Counter()}
    totals: Counter[str] = Counter()
    ms: dict[str, list[float]] = {"kazscraper": [], "trafilatura": []}
    by_layer: dict[str, list[float]] = {}
    pages = 0
    for spec_path in sorted(FIXTURES.glob("*.expected.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        if spec.get("not_article"):
            continue
        html = spec_path.with_name(spec_path.name.replace(".expected.json", ".html")).read_text(
            encoding="utf-8"
        )
        args = (html, spec["url"], spec["fetched_at"])
        pages += 1
        for name, function in (("kazscraper", ours), ("trafilatura", trafilatura_fields)):
            got, elapsed = timed(function, *args, repeat=repeat)
            ms[name].append(elapsed)
            if name == "kazscraper":
                by_layer.setdefault(got["layer"], []).append(elapsed)
            for field in FIELDS:
                if field in spec["expect"]:
                    totals[field] += name == "kazscraper"
                    hits[name][field] += correct(field, got, spec["expect"][field])
    print(f"Fixture pages: {pages} (tests/fixtures/pages, listing pages left out)\n")
    print(f"{'field':<18}{'pages':>6}{'kazscraper':>12}{'trafilatura':>13}")
    for field in FIELDS:
        n = totals[field]
        if n:
            row = [f"{hits[name][field] / n:>11.0%}" for name in ("kazscraper", "trafilatura")]
            print(f"{field:<18}{n:>6} {row[0]} {row[1]:>12}")
    print()
    for name in ("kazscraper", "trafilatura"):
        print(f"{name:<12} median {statistics.median(ms[name]):7.2f} ms/page")
    for layer, times in sorted(by_layer.items()):
        print(
            f"  kazscraper, body by {layer:<9} median {statistics.median(times):7.2f} ms/page"
            f" ({len(times)} pages)"
        )
    ratio = statistics.median(ms["trafilatura"]) / statistics.median(ms["kazscraper"])
    print(f"kazscraper is {ratio:.1f}x faster than trafilatura.bare_extraction on these pages")


def token_f1(got: str, want: str) -> float:
    got_tokens, want_tokens = (
        Counter(_TOKEN.findall(got.lower())),
        Counter(_TOKEN.findall(want.lower())),
    )
    common = sum((got_tokens & want_tokens).values())
    if not common:
        return 0.0
    precision = common / sum(got_tokens.values())
    recall = common / sum(want_tokens.values())
    return 2 * precision * recall / (precision + recall)


def external_report(folder: Path) -> None:
    import trafilatura
    from htmldate import find_date

    f1 = {"kazscraper": [], "trafilatura": []}
    dates = {"kazscraper": 0, "htmldate": 0}
    dated = 0
    for answer_path in sorted(folder.glob("*.json")):
        html_path = answer_path.with_suffix(".html")
        if not html_path.exists():
            continue
        answer = json.loads(answer_path.read_text(encoding="utf-8"))
        html = html_path.read_text(encoding="utf-8", errors="replace")
        url = answer.get("url", "")
        got = ours(html, url, answer.get("fetched_at", ""))
        if "body" in answer:
            f1["kazscraper"].append(token_f1(got["body"], answer["body"]))
            alone = trafilatura.extract(html, url=url or None, include_comments=False) or ""
            f1["trafilatura"].append(token_f1(alone, answer["body"]))
        if answer.get("date"):
            dated += 1
            dates["kazscraper"] += got["published_date"] == answer["date"]
            found = find_date(html, url=url or None, original_date=True)
            dates["htmldate"] += found == answer["date"]
    print(f"\nExternal pages in {folder}:")
    for name, scores in f1.items():
        if scores:
            print(f"  body token F1 {name:<12} mean {statistics.mean(scores):.3f} ({len(scores)})")
    if dated:
        for name, hits in dates.items():
            print(f"  date accuracy {name:<12} {hits / dated:.0%} ({hits}/{dated})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per page (median)")
    parser.add_argument("--external", type=Path, help="folder of NAME.html + NAME.json answers")
    args = parser.parse_args()
    ours("<html><body><p>warm-up</p></body></html>", "https://qazdauiri.kz/news/x", "")
    trafilatura_fields("<html><body><p>warm-up</p></body></html>", "", "")
    fixture_report(args.repeat)
    if args.external:
        external_report(args.external)


if __name__ == "__main__":
    main()
