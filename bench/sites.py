"""Whole-site quality on sites kazscraper never saw: the themed replicas, crawled as a user would.

For each theme of ``kazscraper.replica.themes`` (WordPress, 1C-Bitrix, Drupal, a hand-made
site): serve it on 127.0.0.1 (``ThemeServer``, which counts every request), run
``kazscraper crawl --site URL --db <tmp>/x.sqlite`` in a subprocess with a time limit
(900 s by default; a crawl that outlives it is stopped and reported as killed), then read
the archive with sqlite3 and compare it with the theme's ground truth:

| figure | meaning |
|---|---|
| recall | share of the theme's articles with a row in ``articles`` (by URL, by an
  ``article_urls`` alias, or by the exact title) |
| precision | share of ``articles`` rows that are one of the theme's articles |
| duplicates | rows beyond the first for the same article |
| titles exact | the stored title equals the truth (whitespace collapsed) |
| body F1 | token F1 of the stored body against the truth (``extraction.token_f1``):
  mean, and the share ≥ 0.9 |
| dates right | ``published_date`` is the truth's day (local time, +05:00) |
| authors exact | the stored people are the truth's, as sets of names
  (``extraction.author_set``); accounts are no people |
| similar / top recall | share of the truth's block links (kind, URL without query)
  stored in ``related_links`` |
| block precision | share of stored block links that are a truth block link of that kind |
| language right | ``articles.language`` is the truth's (kk / ru) |
| requests / article | requests the server answered / articles found (robots.txt,
  sitemaps and feeds included) |
| failure rows | rows in ``failures`` |

Fields are scored over the articles found (their first row). Themes run one after the
other, never in parallel (their timings would mix).

    python bench/sites.py
    python bench/sites.py --themes bitrix,drupal --articles 60 --timeout 300
    python bench/sites.py --json > figures.json
    python bench/sites.py --themes handmade --keep /tmp/themes   # keep archives and logs
    python bench/sites.py --themes wordpress:reach=pages,wordpress:reach=sitemap
    python bench/sites.py --learn       # then `profile learn` and `reparse`: figures of both
    python bench/sites.py --relayout    # the redesign flow (below)

With ``--learn`` (issue 24), each theme's first crawl is followed by ``kazscraper profile
learn`` (``profiles/<host>.toml`` beside the archive) and ``kazscraper reparse``, which uses
the learned profile; the figures are given for the crawl and after the reparse, with the
share of bodies the profile gave (``articles.extraction``: body ``profile``) and the
fields the learned file has a rule for.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from extraction import author_set, token_f1

from kazscraper.replica.themes import THEMES, ThemeServer, get_theme

STOP_GRACE = 30.0  # seconds a stopped crawl gets to close the archive before SIGKILL


def norm(url: str) -> str:
    """An article URL as compared here: host, port and path, no trailing slash, no query."""
    parts = urlsplit(url)
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def crawl(
    origin: str, db: Path, log: Path, timeout: float, *extra: str
) -> tuple[int | None, float, bool]:
    """Run the CLI on ``origin``; (exit code or None, wall seconds, killed by the limit)."""
    command = [
        sys.executable, "-m", "kazscraper", "crawl", "--site", origin + "/", "--db", str(db),
        *extra,
    ]  # fmt: skip
    start = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code: int | None = process.wait(timeout=timeout)
            return code, time.monotonic() - start, False
        except subprocess.TimeoutExpired:
            wall = time.monotonic() - start
            os.killpg(process.pid, signal.SIGTERM)  # its own session: the crawl and its workers
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            return None, wall, True


def score(truth: dict[str, dict[str, Any]], db: Path) -> dict[str, Any]:
    """The figures of one archive against one theme's truth."""
    if not db.exists():
        return {"rows": 0, "found": 0, "articles": len(truth)}
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    by_url = {norm(u): u for u in truth}
    titles: dict[str, list[str]] = defaultdict(list)
    for url, record in truth.items():
        titles[record["title"]].append(url)
    aliases: dict[int, list[str]] = defaultdict(list)
    for row in conn.execute("SELECT url, article_id FROM article_urls"):
        aliases[row["article_id"]].append(row["url"])
    rows = conn.execute(
        "SELECT id, url, title, body, published_date, language, extraction FROM articles"
        " ORDER BY id"
    ).fetchall()
    first: dict[str, sqlite3.Row] = {}
    matched = duplicates = 0
    for row in rows:
        url = by_url.get(norm(row["url"]))
        if url is None:
            url = next((by_url[n] for a in aliases[row["id"]] if (n := norm(a)) in by_url), None)
        if url is None and len(titles.get(" ".join((row["title"] or "").split()), [])) == 1:
            url = titles[" ".join(row["title"].split())][0]
        if url is None:
            continue
        matched += 1
        if url in first:
            duplicates += 1
        else:
            first[url] = row
    people: dict[int, list[str]] = defaultdict(list)
    for row in conn.execute(
        "SELECT aa.article_id, a.name FROM article_authors aa"
        " JOIN authors a ON a.id = aa.author_id ORDER BY aa.article_id, aa.position"
    ):
        people[row[0]].append(row[1])
    blocks: dict[int, set[tuple[str, str]]] = defaultdict(set)
    for row in conn.execute("SELECT article_id, kind, url FROM related_links"):
        blocks[row[0]].add((row[1], norm(row[2] or "")))
    failures = conn.execute("SELECT count(*) FROM failures").fetchone()[0]
    conn.close()

    f1s, hits = [], defaultdict(int)
    from_profile = 0
    block_want = {"similar": 0, "top": 0}
    block_got = {"similar": 0, "top": 0}
    stored_links = stored_right = 0
    for url, row in first.items():
        want = truth[url]
        hits["title"] += " ".join((row["title"] or "").split()) == want["title"]
        from_profile += json.loads(row["extraction"] or "{}").get("body") == "profile"
        f1s.append(token_f1(row["body"] or "", want["body"]))
        hits["date"] += (row["published_date"] or "")[:10] == want["published"][:10]
        hits["authors"] += author_set(people[row["id"]]) == author_set(want["authors"])
        hits["language"] += row["language"] == want["language"]
        wanted = {(b["kind"], norm(b["url"])) for b in want["blocks"]}
        for kind, _ in wanted:
            block_want[kind] += 1
        for kind, _link in wanted & blocks[row["id"]]:
            block_got[kind] += 1
        stored_links += len(blocks[row["id"]])
        stored_right += len(wanted & blocks[row["id"]])
    found = len(first)

    def share(n: int, of: int) -> float | None:
        return round(n / of, 3) if of else None

    return {
        "articles": len(truth),
        "rows": len(rows),
        "found": found,
        "recall": share(found, len(truth)),
        "precision": share(matched, len(rows)),
        "duplicates": duplicates,
        "titles_exact": share(hits["title"], found),
        "body_f1_mean": round(statistics.fmean(f1s), 3) if f1s else None,
        "body_f1_share_0_9": share(sum(f >= 0.9 for f in f1s), found),
        "dates_right": share(hits["date"], found),
        "authors_exact": share(hits["authors"], found),
        "similar_recall": share(block_got["similar"], block_want["similar"]),
        "top_recall": share(block_got["top"], block_want["top"]),
        "block_precision": share(stored_right, stored_links),
        "block_links_stored": stored_links,
        "language_right": share(hits["language"], found),
        "failure_rows": failures,
        "bodies_from_profile": share(from_profile, found),
    }


def theme_spec(spec: str) -> tuple[str, dict[str, str]]:
    """``wordpress`` or ``wordpress:reach=pages`` (a theme's option): (name, options)."""
    name, _, option = spec.partition(":")
    key, _, value = option.partition("=")
    return name, ({key: value} if key else {})


def learn_and_reparse(origin: str, db: Path, log: Path, timeout: float) -> dict[str, Any]:
    """``profile learn`` then ``reparse`` on the crawl's archive: their exit codes, wall
    times and the learned file's rules (field: support)."""
    label = urlsplit(origin).netloc
    out: dict[str, Any] = {}
    with log.open("ab") as sink:
        start = time.monotonic()
        learned = subprocess.run(
            [sys.executable, "-m", "kazscraper", "profile", "learn", "--db", str(db),
             "--site", label],
            stdout=sink, stderr=subprocess.STDOUT, timeout=timeout, check=False,
        )  # fmt: skip
        out["learn_exit"], out["learn_s"] = learned.returncode, round(time.monotonic() - start, 1)
        start = time.monotonic()
        reparsed = subprocess.run(
            [sys.executable, "-m", "kazscraper", "reparse", "--db", str(db)],
            stdout=sink, stderr=subprocess.STDOUT, timeout=timeout, check=False,
        )  # fmt: skip
        out["reparse_exit"] = reparsed.returncode
        out["reparse_s"] = round(time.monotonic() - start, 1)
    files = list((db.parent / "profiles").glob("*.toml"))
    if files:
        import tomllib

        fields = tomllib.loads(files[0].read_text(encoding="utf-8")).get("fields", {})
        out["rules"] = {k: v.get("support", "") for k, v in fields.items()}
    return out


def run_theme(
    name: str, articles: int, timeout: float, keep: Path | None, learn: bool = False
) -> dict[str, Any]:
    base, options = theme_spec(name)
    theme = get_theme(base, n_articles=articles, **options)
    with tempfile.TemporaryDirectory(prefix=f"sites-{name}-") as tmp, ThemeServer(theme) as server:
        db, log = Path(tmp) / "x.sqlite", Path(tmp) / "crawl.log"
        code, wall, killed = crawl(server.origin, db, log, timeout)
        requests = server.requests
        truth = theme.truth(server.origin)
        figures = score(truth, db)
        if learn and not killed:
            steps = learn_and_reparse(server.origin, db, Path(tmp) / "learn.log", timeout)
            figures["learned"] = {**score(truth, db), **steps}
        if keep is not None:
            target = keep / name.replace(":", "-").replace("=", "-")
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(tmp, target)
            (target / "requests.txt").write_text("\n".join(server.paths) + "\n", encoding="utf-8")
    found = figures.get("found") or 0
    return {
        "theme": name,
        **figures,
        "requests": requests,
        "requests_per_article": round(requests / found, 2) if found else None,
        "exit_code": code,
        "killed": killed,
        "wall_s": round(wall, 1),
    }


def cli(log: Path, timeout: float, *args: str) -> tuple[int, float, str]:
    """``kazscraper ARGS``: (exit code, wall seconds, stdout); its output added to ``log``."""
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kazscraper", *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ kazscraper {' '.join(args)}\n{done.stdout}{done.stderr}\n")
    return done.returncode, round(time.monotonic() - start, 1), done.stdout


def run_profile_share(db: Path) -> float | None:
    """The share of the last run's bodies the profile gave (its ``crawls`` row's layers:
    a revisit found unchanged keeps the row, and the row's ``extraction``, it had)."""
    conn = sqlite3.connect(db)
    try:
        row = conn.execute(
            "SELECT extraction_layers FROM crawls ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    layers = json.loads(row[0] or "{}") if row else {}
    bodies = sum(v for k, v in layers.items() if k.startswith("body:"))
    return round(layers.get("body:profile", 0) / bodies, 3) if bodies else None


def diff_size(text: str) -> int:
    """Lines added and removed in a unified diff (its two file lines left out)."""
    return sum(
        1 for line in text.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))
    )


def run_relayout(name: str, articles: int, timeout: float, keep: Path | None) -> dict[str, Any]:
    """The redesign flow on one theme (``--relayout``): its exits, times and figures."""
    base, options = theme_spec(name)
    theme = get_theme(base, n_articles=articles, **options)
    out: dict[str, Any] = {"theme": name, "load": os.getloadavg()[0]}
    with (
        tempfile.TemporaryDirectory(prefix=f"relayout-{base}-") as tmp,
        ThemeServer(theme) as server,
    ):
        db, log = Path(tmp) / "x.sqlite", Path(tmp) / "steps.log"
        label = urlsplit(server.origin).netloc
        truth = theme.truth(server.origin)
        where = ("--db", str(db), "--site", label)
        out["crawl_exit"] = crawl(server.origin, db, Path(tmp) / "crawl1.log", timeout)[0]
        out["learn_exit"], out["learn_s"], _ = cli(log, timeout, "profile", "learn", *where)
        out["learned_crawl_exit"] = crawl(
            server.origin, db, Path(tmp) / "crawl2.log", timeout, "--full"
        )[0]
        out["learned"] = score(truth, db)
        out["learned"]["bodies_from_profile"] = run_profile_share(db)
        server.use(get_theme(base, n_articles=articles, **{**options, "layout": "2"}))
        out["switched_exit"] = crawl(
            server.origin, db, Path(tmp) / "crawl3.log", timeout, "--full"
        )[0]
        out["switched"] = score(truth, db)
        out["switched"]["bodies_from_profile"] = run_profile_share(db)
        out["relearn_exit"], out["relearn_s"], text = cli(log, timeout, "profile", "learn", *where)
        out["diff_lines"] = diff_size(text)
        changed = [line for line in text.splitlines() if line.startswith("rules changed:")]
        out["rules_changed"] = changed[0].split(":", 1)[1].split(";")[0].strip() if changed else ""
        out["accept_exit"] = cli(log, timeout, "profile", "accept", *where)[0]
        out["next_crawl_exit"] = crawl(
            server.origin, db, Path(tmp) / "crawl4.log", timeout, "--full"
        )[0]
        out["next"] = score(truth, db)
        out["next"]["bodies_from_profile"] = run_profile_share(db)
        out["reparse_exit"], out["reparse_s"], _ = cli(log, timeout, "reparse", "--db", str(db))
        out["reparsed"] = score(truth, db)
        out["reparsed"]["bodies_from_profile"] = run_profile_share(db)
        out["load_end"] = os.getloadavg()[0]
        if keep is not None:
            target = keep / f"relayout-{name.replace(':', '-').replace('=', '-')}"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(tmp, target)
    return out


RELAYOUT_ROWS = (
    ("load average (start → end)", lambda r: f"{r['load']:.1f} → {r['load_end']:.1f}"),
    ("crawl, learn, learned crawl exit", lambda r: (
        f"{r['crawl_exit']}, {r['learn_exit']}, {r['learned_crawl_exit']}"
    )),
    ("learn (s)", lambda r: f"{r['learn_s']:.0f}"),
    ("switched crawl exit", lambda r: str(r["switched_exit"])),
    ("relearn exit, time (s)", lambda r: f"{r['relearn_exit']}, {r['relearn_s']:.0f}"),
    ("diff size (lines ±)", lambda r: str(r["diff_lines"])),
    ("rules changed", lambda r: r["rules_changed"] or "none"),
    ("accept, next crawl, reparse exit", lambda r: (
        f"{r['accept_exit']}, {r['next_crawl_exit']}, {r['reparse_exit']}"
    )),
)  # fmt: skip
#: figures after the learned crawl, the switched crawl, the next crawl and the reparse
RELAYOUT_FIGURES = (
    ("titles exact", "titles_exact"),
    ("dates right", "dates_right"),
    ("authors exact", "authors_exact"),
    ("similar / top recall", ("similar_recall", "top_recall")),
    ("block precision", "block_precision"),
    ("body F1 mean", "body_f1_mean"),
    ("body F1 share ≥ 0.9", "body_f1_share_0_9"),
    ("bodies from the profile (of the run)", "bodies_from_profile"),
)


def relayout_table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| figure | " + " | ".join(r["theme"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for label, cell in RELAYOUT_ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    for label, key in RELAYOUT_FIGURES:
        keys = key if isinstance(key, tuple) else (key,)
        cells = [
            " → ".join(
                " / ".join(fmt(r[step].get(k)) for k in keys)
                for step in ("learned", "switched", "next", "reparsed")
            )
            for r in results
        ]
        lines.append(
            f"| {label} (learned crawl → switched → next crawl → reparse) | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


ROWS = (
    ("articles found", lambda r: f"{r['found']}/{r['articles']}"),
    (
        "discovery recall / precision",
        lambda r: f"{fmt(r.get('recall'))} / {fmt(r.get('precision'))}",
    ),
    ("archive rows / duplicates", lambda r: f"{r['rows']} / {r.get('duplicates', 0)}"),
    ("titles exact", lambda r: fmt(r.get("titles_exact"))),
    (
        "body F1 (mean / share ≥ 0.9)",
        lambda r: f"{fmt(r.get('body_f1_mean'))} / {fmt(r.get('body_f1_share_0_9'))}",
    ),
    ("dates right (day)", lambda r: fmt(r.get("dates_right"))),
    ("authors exact", lambda r: fmt(r.get("authors_exact"))),
    (
        "block recall (similar / top)",
        lambda r: f"{fmt(r.get('similar_recall'))} / {fmt(r.get('top_recall'))}",
    ),
    (
        "block links stored / precision",
        lambda r: f"{r.get('block_links_stored', 0)} / {fmt(r.get('block_precision'))}",
    ),
    ("language right", lambda r: fmt(r.get("language_right"))),
    (
        "requests (per article found)",
        lambda r: f"{r['requests']} ({fmt(r['requests_per_article'])})",
    ),
    ("failure rows", lambda r: str(r.get("failure_rows", "—"))),
    (
        "exit, wall time",
        lambda r: (
            f"killed at {r['wall_s']:.0f} s"
            if r["killed"]
            else f"{r['exit_code']}, {r['wall_s']:.0f} s"
        ),
    ),
)


def fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}".rstrip("0").rstrip(".") if value else "0"


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| figure | " + " | ".join(r["theme"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for label, cell in ROWS:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--themes",
        default=",".join(THEMES),
        help="comma-separated theme names, each with an option if any (wordpress:reach=pages)",
    )
    parser.add_argument("--articles", type=int, default=120, help="articles per theme")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per crawl")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--keep", type=Path, help="keep each theme's archive, log and requests here"
    )
    parser.add_argument(
        "--learn",
        action="store_true",
        help="after each crawl: profile learn, then reparse with the learned profile",
    )
    parser.add_argument(
        "--relayout",
        action="store_true",
        help="the redesign flow: crawl, learn, switch to layout 2, exit 3, learn, accept, crawl",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.themes.split(",") if n.strip()]
    unknown = [n for n in names if theme_spec(n)[0] not in THEMES]
    if unknown:
        parser.error(f"unknown themes {unknown}; known: {', '.join(THEMES)}")
    if args.relayout:
        done = []
        for name in names:
            print(f"redesign flow on {name} ({args.articles} articles) …", file=sys.stderr)
            result = run_relayout(name, args.articles, args.timeout, args.keep)
            print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
            done.append(result)
        print(json.dumps(done, ensure_ascii=False, indent=2) if args.json else relayout_table(done))
        return
    results = []
    for name in names:
        print(f"crawling {name} ({args.articles} articles) …", file=sys.stderr, flush=True)
        result = run_theme(name, args.articles, args.timeout, args.keep, args.learn)
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
        results.append(result)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(table(results))
    if args.learn:
        print("\nAfter `profile learn` and `reparse` (the learned profile):\n")
        print(learned_table(results))


LEARNED_ROWS = (
    ("titles exact", "titles_exact"),
    ("body F1 mean", "body_f1_mean"),
    ("body F1 share ≥ 0.9", "body_f1_share_0_9"),
    ("dates right (day)", "dates_right"),
    ("authors exact", "authors_exact"),
    ("similar recall", "similar_recall"),
    ("top recall", "top_recall"),
    ("block precision", "block_precision"),
    ("bodies from the profile", "bodies_from_profile"),
)


def learned_table(results: list[dict[str, Any]]) -> str:
    """The figures after learn + reparse, beside the crawl's (crawl → learned)."""
    lines = [
        "| figure | " + " | ".join(r["theme"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for label, key in LEARNED_ROWS:
        cells = [f"{fmt(r.get(key))} → {fmt(r.get('learned', {}).get(key))}" for r in results]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for label, key in (("learn, reparse exit", None), ("rules (support)", "rules")):
        cells = []
        for r in results:
            got = r.get("learned", {})
            if key is None:
                cells.append(f"{got.get('learn_exit')}, {got.get('reparse_exit')}")
            else:
                cells.append(", ".join(f"{k} {v}" for k, v in got.get("rules", {}).items()))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
