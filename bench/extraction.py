"""Extraction report: per-field accuracy and ms/page, ours beside trafilatura's.

Runs kazscraper's extractor (``extract_article`` + ``clean_article``) and
``trafilatura.bare_extraction`` over the quality-gate fixtures
(``tests/fixtures/pages``: NAME.html + NAME.expected.json) and prints, per
field, the share of pages each gets exactly right, and the median time per page.

``--external DIR`` measures pages of other sites with known answers:
NAME.html beside NAME.json holding ``{"url": ..., "body": "...", "date": "YYYY-MM-DD"}``
(either key may be missing). It prints the body's token F1 for our generic
path and for trafilatura alone, and date accuracy for ours and for htmldate.

``--realpages DIR`` scores the generic path (what ``kazscraper parse FILE --url URL``
runs on a page of another host) on the development sets of real pages unpacked from
``../shared/realpages`` (``DIR/trafilatura-eval`` and ``DIR/htmldate-eval``), in the same
run as the reference libraries with the settings of their own evaluations:
``trafilatura.bare_extraction(html, url=url, include_comments=False, with_metadata=True)``
for body, title and author, ``htmldate.find_date(html, url=url, original_date=True)``
(its default extensive search) for dates. Bodies are scored with the snippets of
trafilatura's evaluation (``with`` found: true positive, missing: false negative;
``without`` found: false positive), both sides' text and the snippets compared after
whitespace normalisation; titles after whitespace normalisation, authors as sets of
names, dates exactly (no date counts wrong).

    python bench/extraction.py
    python bench/extraction.py --external ~/saved-pages --repeat 5
    python bench/extraction.py --realpages /tmp/realpages
    python bench/extraction.py --realpages /tmp/realpages --dates

``--dates`` scores dates only (ours, htmldate's and trafilatura's: ``trafilatura_date``,
per set, on the pages each set alone has, per half and per fold of five by host) and says,
per set, which source gave our date and how often it was right, each source's own accuracy
wherever it states a date (won or not: a rule right only on a handful of pages, or on one
set only, is suspect), and on the pages where htmldate or trafilatura and we disagree, who
is right.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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
from kazscraper.sites import get_profile, profile_for_url
from kazscraper.urls import urlsplit

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


WARM_UP_PAGE = "<html><body><h1>Warm-up</h1><p>Опубликовано 5 мая 2017</p></body></html>"


def generic(html: str, url: str) -> dict[str, Any]:
    """What ``kazscraper parse FILE --url URL`` extracts from a page of another host."""
    profile = profile_for_url(url, "qazdauiri")
    article = clean_article(extract_article(html, url, profile), profile)
    return {
        "title": article.title,
        "date": article.published_date,
        "authors": [a.name for a in article.authors],
        "body": article.body or "",
        "body_layer": article.extraction.get("body", ""),
        "date_layer": article.extraction.get("published_date", ""),
        "author_layer": article.extraction.get("authors", ""),
    }


def reference_body(html: str, url: str) -> dict[str, Any]:
    """trafilatura as its own evaluation runs it (comments left out), with its metadata."""
    import trafilatura

    doc = trafilatura.bare_extraction(
        html, url=url or None, include_comments=False, with_metadata=True
    )
    if doc is None:
        return {"title": None, "authors": [], "body": ""}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {
        "title": data.get("title"),
        "authors": [data["author"]] if data.get("author") else [],
        "body": data.get("text") or "",
    }


def reference_date(html: str, url: str) -> str | None:
    """htmldate as its own evaluation runs it: extensive search (the default), first date."""
    from htmldate import find_date

    try:
        return find_date(html, url=url or None, original_date=True)
    except (ValueError, TypeError):
        return None


def trafilatura_date(html: str, url: str) -> str | None:
    """trafilatura's date, as ``trafilatura.extract(..., with_metadata=True)`` gives it: its
    metadata pass calls htmldate with its own parameters (extensive search, the original
    date, today as the latest, the page's own URL: its canonical link or ``og:url`` before
    the one given). Its metadata step alone: the date does not depend on the body."""
    from trafilatura.metadata import extract_metadata

    try:
        return extract_metadata(html, default_url=url or None).date
    except (ValueError, TypeError):
        return None


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


_AUTHOR_SPLIT = re.compile(r"\s*(?:[;,&/|]|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)


def author_set(names: list[str]) -> set[str]:
    """People as a set: each name split at ``;``, ``,``, ``&``, and/und/et/y, case folded,
    its words (letters and digits, punctuation left out, the same for both sides) in
    sorted order (``Kalt Andreas`` is ``Andreas Kalt``, ``Joe S.`` is ``Joe S``)."""
    return {
        " ".join(sorted(words))
        for name in names
        for part in _AUTHOR_SPLIT.split(name or "")
        if (words := _TOKEN.findall(part.casefold()))
    }


class Score:
    """Counts for one side: body snippets, titles, authors, dates, refusals, time."""

    def __init__(self) -> None:
        self.tp = self.fn = self.fp = self.tn = 0
        self.a_tp = self.a_fp = self.a_fn = 0
        self.authorless = self.authorless_named = 0  # pages without an author answer
        self.false_by_layer: Counter[str] = Counter()  # ... and the layer that named someone
        self.titles = self.titles_right = 0
        self.dates: Counter[str] = Counter()  # set name -> pages, "set:right" -> right
        self.pages = self.no_body = 0
        self.ms: list[float] = []

    def body(self, text: str, answer: dict[str, Any]) -> None:
        self.pages += 1
        flat = _flat(text)
        self.no_body += not flat
        for snippet in answer.get("with", []):
            if flat and _flat(snippet) in flat:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in answer.get("without", []):
            if flat and _flat(snippet) in flat:
                self.fp += 1
            else:
                self.tn += 1

    def title(self, got: str | None, want: str) -> None:
        self.titles += 1
        self.titles_right += _flat(got) == _flat(want)

    def authors(self, got: list[str], want: str | list[str]) -> None:
        got_set, want_set = author_set(got), author_set(want if isinstance(want, list) else [want])
        self.a_tp += len(got_set & want_set)
        self.a_fp += len(got_set - want_set)
        self.a_fn += len(want_set - got_set)

    def no_author(self, got: list[str], layer: str = "") -> None:
        """A page whose answer names no author: any name given is a false author."""
        self.authorless += 1
        self.authorless_named += bool(got)
        if got:
            self.false_by_layer[layer.split(";")[0]] += 1

    def date(self, dataset: str, got: str | None, want: str) -> None:
        self.dates[dataset] += 1
        self.dates[dataset + ":right"] += got == want

    def body_figures(self) -> tuple[float, float, float, float]:
        precision = self.tp / max(1, self.tp + self.fp)
        recall = self.tp / max(1, self.tp + self.fn)
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        accuracy = (self.tp + self.tn) / max(1, self.tp + self.tn + self.fp + self.fn)
        return precision, recall, f1, accuracy

    def author_f1(self) -> float:
        precision = self.a_tp / max(1, self.a_tp + self.a_fp)
        recall = self.a_tp / max(1, self.a_tp + self.a_fn)
        return 2 * precision * recall / max(1e-9, precision + recall)


def _read_page(folder: Path, name: str, url: str = "") -> str:
    """The page's text as ``kazscraper parse`` reads a saved file (``kazscraper.intake``)."""
    from kazscraper.intake.page import Refused, page_item

    page = page_item(url, [], (folder / "html" / name).read_bytes())
    return "" if isinstance(page, Refused) else page.html


def _timed_once(function: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """The result and the CPU milliseconds it took (this process's CPU time: on a shared
    machine the wall time of one call measures the other processes as much as this one)."""
    start = time.process_time()
    result = function(*args)
    return result, (time.process_time() - start) * 1000


def realpages_report(folder: Path, limit: int | None = None, reference: bool = True) -> None:
    """Generic path vs trafilatura/htmldate on the development sets, in one run."""
    sides = {"kazscraper": Score(), "trafilatura": Score(), "htmldate": Score()}
    ours_side, traf, hd = sides["kazscraper"], sides["trafilatura"], sides["htmldate"]
    layers: Counter[str] = Counter()
    load_before = os.getloadavg()[0]
    for dataset in ("trafilatura-eval", "htmldate-eval"):
        base = folder / dataset
        if not (base / "expected.json").exists():
            print(f"{base}/expected.json not found: set skipped")
            continue
        answers = json.loads((base / "expected.json").read_text(encoding="utf-8"))
        for url, answer in list(answers.items())[:limit]:
            html = _read_page(base, answer["file"], url)
            got, elapsed = _timed_once(generic, html, url)
            ours_side.ms.append(elapsed)
            layers[got["body_layer"].split(":")[0].split(" (")[0]] += 1
            if reference:
                date, elapsed = _timed_once(reference_date, html, url)
                hd.ms.append(elapsed)
            if answer.get("date"):
                ours_side.date(dataset, got["date"], answer["date"])
                if reference:
                    hd.date(dataset, date, answer["date"])
            if dataset != "trafilatura-eval":
                continue
            ours_side.body(got["body"], answer)
            if answer.get("title"):
                ours_side.title(got["title"], answer["title"])
            if answer.get("author"):
                ours_side.authors(got["authors"], answer["author"])
            else:
                ours_side.no_author(got["authors"], got["author_layer"])
            if reference:
                ref, elapsed = _timed_once(reference_body, html, url)
                traf.ms.append(elapsed)
                traf.body(ref["body"], answer)
                if answer.get("title"):
                    traf.title(ref["title"], answer["title"])
                if answer.get("author"):
                    traf.authors(ref["authors"], answer["author"])
                else:
                    traf.no_author(ref["authors"])
    _print_realpages(folder, sides, layers, reference)
    print(f"  load average: {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")


def _print_realpages(
    folder: Path, sides: dict[str, Score], layers: Counter[str], reference: bool
) -> None:
    ours_side, traf, hd = sides["kazscraper"], sides["trafilatura"], sides["htmldate"]
    names = ("kazscraper", "trafilatura") if reference else ("kazscraper",)
    print(f"\nReal pages in {folder} (one run, same pages):")
    print(
        f"  {'trafilatura-eval, ' + str(ours_side.pages) + ' pages':<40}"
        + "".join(f"{n:>13}" for n in names)
    )
    rows = [("body precision", 0), ("body recall", 1), ("body F1", 2), ("body accuracy", 3)]
    for label, index in rows:
        cells = "".join(f"{sides[n].body_figures()[index]:>13.3f}" for n in names)
        print(f"  {label:<40}{cells}")
    cells = "".join(f"{sides[n].no_body / max(1, sides[n].pages):>13.1%}" for n in names)
    print(f"  {'pages with no body (refused)':<40}{cells}")
    cells = "".join(f"{sides[n].titles_right / max(1, sides[n].titles):>13.3f}" for n in names)
    print(f"  {f'title accuracy ({ours_side.titles} pages)':<40}{cells}")
    cells = "".join(f"{sides[n].author_f1():>13.3f}" for n in names)
    print(f"  {'author F1 (pages with an author)':<40}{cells}")
    rate = {n: sides[n].authorless_named / max(1, sides[n].authorless) for n in names}
    cells = "".join(f"{rate[n]:>13.1%}" for n in names)
    label = f"false author, pages without one ({ours_side.authorless})"
    print(f"  {label:<40}{cells}")
    print(
        "    kazscraper's false authors by layer: "
        + ", ".join(f"{k} {v}" for k, v in ours_side.false_by_layer.most_common())
    )
    print(f"  {'':<40}{'kazscraper':>13}{'htmldate':>13}" if reference else "")
    total = Counter()
    for dataset in ("trafilatura-eval", "htmldate-eval", "both"):
        if dataset == "both":
            counts = {n: total[n] for n in ("kazscraper", "htmldate")}
            pages = total["pages"]
        else:
            pages = ours_side.dates[dataset]
            counts = {n: sides[n].dates[dataset + ":right"] for n in ("kazscraper", "htmldate")}
            total["pages"] += pages
            for n, c in counts.items():
                total[n] += c
        if not pages:
            continue
        cells = f"{counts['kazscraper'] / pages:>13.3f}"
        if reference:
            cells += f"{counts['htmldate'] / pages:>13.3f}"
        print(f"  {f'date accuracy, {dataset} ({pages})':<40}{cells}")
    print()
    for name, side in sides.items():
        if side.ms:
            print(
                f"  {name:<12} mean {statistics.mean(side.ms):6.1f} CPU ms/page,"
                f" median {statistics.median(side.ms):6.1f} ({len(side.ms)} pages)"
            )
    if reference and traf.ms:
        same = ours_side.ms[: len(traf.ms)]  # the pages trafilatura ran on, in the same order
        print(
            f"  kazscraper on trafilatura-eval: mean {statistics.mean(same):6.1f} CPU ms/page,"
            f" median {statistics.median(same):6.1f} (the same {len(same)} pages as trafilatura)"
        )
        print(
            f"  trafilatura + htmldate on trafilatura-eval: mean"
            f" {statistics.mean(traf.ms) + statistics.mean(hd.ms[: len(traf.ms)]):6.1f} CPU ms/page"
        )
        print(
            f"  kazscraper / trafilatura: x{statistics.mean(same) / statistics.mean(traf.ms):.2f}"
            " (CPU; dateparser's locales, loaded on its first use in a process, ~2-3 s,"
            " were loaded before the timings)"
        )
    print("  kazscraper body layers: " + ", ".join(f"{k} {v}" for k, v in layers.most_common()))


def date_sources(html: str, url: str) -> dict[str, str]:
    """Every source's reading of the page's date (``extract.page_date``), whichever wins:
    the declared ones by kind (``jsonld``, ``opengraph``, ``meta:KEY``, ``itemprop``,
    ``time-element``, ``jsonld-page``), the date line nearest the headline, the URL."""
    from kazscraper.extract.article import parse_html
    from kazscraper.extract.metadata import read_metadata
    from kazscraper.extract.page_date import (
        DECLARED,
        MICRODATA,
        WEAK,
        date_from_elements,
        declared_votes,
        url_vote,
    )

    page = parse_html(html)
    declared = read_metadata(page).declared_dates
    votes = {
        v.source: v.parsed.date
        for v in declared_votes(declared, None, None, DECLARED + MICRODATA + WEAK)
    }
    if (line := date_from_elements(page, None, None)) is not None:
        votes["date-element"] = line[0].date
    if (in_url := url_vote(url)) is not None:
        votes["url"] = in_url.parsed.date
    return votes


class DateReport:
    """Per set: which source gave our date and how often it was right; each source's own
    accuracy where it states a date (whether or not it won); where htmldate and we disagree,
    who is right."""

    def __init__(self) -> None:
        self.won: Counter[tuple[str, str, str]] = Counter()  # (set, source, "n"|"ok")
        self.stated: Counter[tuple[str, str, str]] = Counter()
        self.disagree: Counter[tuple[str, str, str]] = Counter()  # (set, ref, "n"|"ours"|"theirs")

    def add(
        self,
        dataset: str,
        want: str,
        got: str | None,
        layer: str,
        ref: str | None,
        html: str,
        url: str,
        traf: str | None = None,
    ) -> None:
        source = "missing" if layer.startswith("missing") else layer.split(" (")[0]
        self.won[(dataset, source, "n")] += 1
        self.won[(dataset, source, "ok")] += got == want
        try:
            votes = date_sources(html, url)
        except ValueError:  # not HTML: no source
            votes = {}
        for name, day in votes.items():
            self.stated[(dataset, name, "n")] += 1
            self.stated[(dataset, name, "ok")] += day == want
        for name, theirs in (("htmldate", ref), ("trafilatura", traf)):
            if theirs != got:
                self.disagree[(dataset, name, "n")] += 1
                self.disagree[(dataset, name, "ours")] += got == want
                self.disagree[(dataset, name, "theirs")] += theirs == want

    def print(self, datasets: tuple[str, ...]) -> None:
        for title, counts in (
            ("our date came from", self.won),
            ("source states a date", self.stated),
        ):
            print(f"\n  {title:<30}" + "".join(f"{d:>24}" for d in datasets))
            for source in sorted(
                {k[1] for k in counts}, key=lambda s: -counts[(datasets[0], s, "n")]
            ):
                cells = ""
                for d in datasets:
                    n, ok = counts[(d, source, "n")], counts[(d, source, "ok")]
                    cells += f"{f'{ok}/{n}':>15} {ok / n:>7.3f}" if n else f"{'-':>23} "
                print(f"  {source:<30}{cells}")
        print()
        for d in datasets:
            for name in ("htmldate", "trafilatura"):
                n = self.disagree[(d, name, "n")]
                print(
                    f"  {d}: {name} and kazscraper disagree on {n} pages: kazscraper right"
                    f" {self.disagree[(d, name, 'ours')]}, {name} right"
                    f" {self.disagree[(d, name, 'theirs')]}"
                )


FOLDS = 5  # folds by host, as the held-out check is: other sites


def host_parts(host: str) -> tuple[str, str]:
    """The parts a page's host falls in: its half and its fold of five, by sha1 of the host
    (``www.`` left out), so that no host is in two halves or two folds."""
    digest = int(hashlib.sha1(host.encode()).hexdigest(), 16)
    return f"half {digest % 2}", f"fold {digest % FOLDS}"


def dates_report(folder: Path, limit: int | None = None) -> None:
    """Dates only: ours vs htmldate's and trafilatura's on each set, each half and each fold
    by host, with the per-source breakdown."""
    report, totals = DateReport(), Counter()
    datasets = ("trafilatura-eval", "htmldate-eval")
    sets = {}
    for dataset in datasets:
        if not (folder / dataset / "expected.json").exists():
            print(f"{folder / dataset}/expected.json not found: set skipped")
            continue
        sets[dataset] = json.loads((folder / dataset / "expected.json").read_text(encoding="utf-8"))
    for dataset, answers in sets.items():
        base = folder / dataset
        # the two sets share most pages: those of one set alone are held out from the other
        shared = {url for name, other in sets.items() if name != dataset for url in other}
        for url, answer in list(answers.items())[:limit]:
            if not answer.get("date"):
                continue
            html = _read_page(base, answer["file"], url)
            got = generic(html, url)
            ref = reference_date(html, url)
            traf = trafilatura_date(html, url)
            host = (urlsplit(url).hostname or "").removeprefix("www.")
            own = () if url in shared else (f"{dataset} alone",)
            for part in (dataset, *own, *host_parts(host), "all"):
                totals[part] += 1
                totals[part + ":ours"] += got["date"] == answer["date"]
                totals[part + ":htmldate"] += ref == answer["date"]
                totals[part + ":trafilatura"] += traf == answer["date"]
            report.add(
                dataset, answer["date"], got["date"], got["date_layer"], ref, html, url, traf
            )
    print(f"\nDates of real pages in {folder} (one run, same pages):")
    print(f"  {'':<44}{'kazscraper':>13}{'htmldate':>13}{'trafilatura':>13}")
    halves = [f"half {i}" for i in range(2)]
    folds = [f"fold {i}" for i in range(FOLDS)]
    alone = [f"{dataset} alone" for dataset in datasets]
    for part in (*datasets, *alone, *halves, *folds, "all"):
        if n := totals[part]:
            print(
                f"  {f'date accuracy, {part} ({n})':<44}"
                + "".join(
                    f"{totals[f'{part}:{name}'] / n:>13.3f}"
                    for name in ("ours", "htmldate", "trafilatura")
                )
            )
    report.print(datasets)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timings per page (median)")
    parser.add_argument("--external", type=Path, help="folder of NAME.html + NAME.json answers")
    parser.add_argument(
        "--realpages", type=Path, help="folder with trafilatura-eval/ and htmldate-eval/"
    )
    parser.add_argument("--limit", type=int, help="--realpages: first N pages of each set")
    parser.add_argument(
        "--dates", action="store_true", help="--realpages: dates only, with each source's accuracy"
    )
    parser.add_argument(
        "--no-reference", action="store_true", help="--realpages: kazscraper only (faster)"
    )
    args = parser.parse_args()
    ours("<html><body><p>warm-up</p></body></html>", "https://qazdauiri.kz/news/x", "")
    trafilatura_fields("<html><body><p>warm-up</p></body></html>", "", "")
    # a page whose only date is in words that htmldate's own patterns miss: its extensive
    # search asks dateparser, whose first call in a process loads its locales (~2-3 s of
    # CPU, once); paid here, before any timing, for both sides
    generic(WARM_UP_PAGE, "https://example.org/warm-up")
    reference_date(WARM_UP_PAGE, "https://example.org/warm-up")
    if args.realpages and args.dates:
        dates_report(args.realpages, args.limit)
        return
    if args.realpages:
        realpages_report(args.realpages, args.limit, reference=not args.no_reference)
        return
    fixture_report(args.repeat)
    if args.external:
        external_report(args.external)


if __name__ == "__main__":
    main()
