"""Start-up of every command: wall and CPU time of a fresh ``kazscraper`` process.

Each command runs as ``python -m kazscraper ...`` in a new interpreter, ``--runs`` times.
One line per command: the median wall time, the median CPU time of the child (user+sys,
from ``os.wait4``), its peak RSS (``VmHWM``, read at its exit), the modules it imported,
the load average read just before it ran (on a shared machine the wall time measures the
load: read the CPU column) and the heavy libraries it imported. The commands:
``--help``, every command's ``--help``, ``stats``, ``show 1``, ``search``, ``export`` and
``report`` on a 20-article archive made here, and ``parse FILE`` of one saved page read
with the site's profile and with the generic one (trafilatura, htmldate: a page of another
host); beside them the interpreter
alone (the floor) and the first near-duplicate signature of a process (what a crawl,
``reparse`` or ``store`` pays once for it).

    python bench/startup.py
    python bench/startup.py --runs 9 --only stats,parse

Targets (issue 22): every command ≤ 0.3 s, ``parse`` of one page ≤ 0.8 s, on an idle
machine. ``BENCH_PYTHON=/other/venv/bin/python`` measures another install;
``--before DIR`` runs each command with another checkout's code too (``git archive main |
tar -x -C DIR``), on the line after it: the figures before a change, in the same minute.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "fixtures" / "pages" / "qazdauiri-seed.html"
GENERIC_PAGE = ROOT / "tests" / "fixtures" / "pages" / "byline-top.html"
HEAVY = (
    "scrapy",
    "twisted",
    "scipy",
    "numpy",
    "pandas",
    "datasketch",
    "trafilatura",
    "htmldate",
    "dateparser",
    "lxml",
)
# what a child prints at exit: its modules (from within, so the figure is the command's own)
_REPORT = (
    "import atexit, sys\n"
    "def _report():\n"
    "    tops = {m.split('.')[0] for m in sys.modules}\n"
    "    hwm = [l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')]\n"
    "    heavy = ','.join(sorted(tops & HEAVY))\n"
    "    sys.stderr.write(f'\\n@modules {len(sys.modules)} {hwm[0]} {heavy}\\n')\n"
    "atexit.register(_report)\n"
    "HEAVY = set(@HEAVY@)\n"
)
_COMMAND = (
    "sys.argv[0] = 'kazscraper'\n"
    "import runpy\n"
    "runpy.run_module('kazscraper', run_name='__main__', alter_sys=True)\n"
)
# the floor: the interpreter alone; and what a crawl, reparse or store process pays once
# for its near-duplicate signatures (before: datasketch, which imports SciPy)
PYTHON_ALONE = "pass\n"
FIRST_SIGNATURE = (
    "from kazscraper.archive import neardup\n"
    "assert neardup.signature(' '.join(f'сөз{i} жаңалық' for i in range(200))) is not None\n"
)


def make_archive(directory: Path) -> Path:
    from kazscraper.archive import Archive
    from kazscraper.items import Article

    db = directory / "bench.sqlite"
    words = ["Алматы", "облысында", "жаңа", "мектеп", "ашылды", "және", "оқушылар", "қуанды"]
    with Archive(db, site="qazdauiri") as archive:
        batch = []
        for n in range(20):
            body = " ".join(words[(n + i) % len(words)] for i in range(120))
            article = Article(
                url=f"https://qazdauiri.kz/news/bench-{n}",
                fetched_url=f"https://qazdauiri.kz/news/bench-{n}",
                fetched_at="2026-12-01T10:00:00+00:00",
                title=f"Жаңалық {n}",
                body=body,
                published_date="2026-12-01",
                language="kk",
            )
            batch.append((article, []))
        archive.write_batch(batch)
    return db


def commands(db: Path) -> list[tuple[str, str, list[str]]]:
    """(name, code, argv) of each line: the code run after the report's."""
    from kazscraper.cli import main

    listed: list[tuple[str, list[str]]] = [("--help", ["--help"])]

    def walk(group: object, path: list[str]) -> None:
        for name, command in sorted(group.commands.items()):  # type: ignore[attr-defined]
            if hasattr(command, "commands"):
                walk(command, [*path, name])
            else:
                listed.append((f"{' '.join([*path, name])} --help", [*path, name, "--help"]))

    walk(main, [])
    listed += [
        ("stats", ["stats", "--db", str(db)]),
        ("show 1", ["show", "1", "--db", str(db)]),
        ("search", ["search", "Алматы", "--db", str(db)]),
        ("export", ["export", "--db", str(db), "--out", os.devnull]),
        ("report", ["report", "--db", str(db)]),
        ("parse FILE (site profile)", ["parse", str(PAGE), "--url", "https://qazdauiri.kz/news/x"]),
        (
            "parse FILE (generic)",
            ["parse", str(GENERIC_PAGE), "--url", "https://example.com/2024/05/story.html"],
        ),
    ]
    return [
        ("(python alone)", PYTHON_ALONE, []),
        *((name, _COMMAND, argv) for name, argv in listed),
        ("(first near-dup signature)", FIRST_SIGNATURE, []),
    ]


class NotInCheckout(Exception):
    """A command the ``--before`` checkout does not have (one added since)."""


def run_once(
    python: str, body: str, argv: list[str], checkout: str = ""
) -> tuple[float, float, float, int, str]:
    """Wall s, CPU s (user+sys), peak RSS MB, modules, heavy modules of one child
    (``checkout``: a folder whose kazscraper it imports instead of the installed one)."""
    code = _REPORT.replace("@HEAVY@", repr(HEAVY)) + body
    env = {**os.environ, "PYTHONPATH": checkout} if checkout else None
    start = time.perf_counter()
    child = subprocess.Popen(
        [python, "-c", code, *argv],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tempfile.gettempdir(),
        env=env,
    )
    assert child.stderr is not None
    err = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
    if checkout and child.returncode == 2 and b"No such command" in err:
        raise NotInCheckout(argv)
    if child.returncode or not last[0].startswith("@modules"):
        raise SystemExit(f"{argv}: exit {child.returncode}\n{err.decode(errors='replace')}")
    _, count, hwm_kb, *heavy = last[0].split(" ")
    return (
        wall,
        usage.ru_utime + usage.ru_stime,
        int(hwm_kb) / 1024,
        int(count),
        (heavy or [""])[0] or "-",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per command (median)")
    parser.add_argument(
        "--only", default="", help="comma-separated prefixes of the command names to run"
    )
    parser.add_argument(
        "--before",
        default="",
        metavar="DIR",
        help="another checkout (git archive main | tar -x -C DIR): each command also run "
        "with its kazscraper, just before, on a line marked 'before'",
    )
    args = parser.parse_args()
    python = os.environ.get("BENCH_PYTHON", sys.executable)
    prefixes = [p.strip() for p in args.only.split(",") if p.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        db = make_archive(Path(tmp))
        print(
            f"{'command':<38} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7} {'modules':>7}  "
            f"{'load avg':<16} heavy modules imported"
        )
        for name, body, argv in commands(db):
            if prefixes and not any(name.startswith(p) for p in prefixes):
                continue
            for label, checkout in ([("before", args.before)] if args.before else []) + [("", "")]:
                load = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
                try:
                    runs = [run_once(python, body, argv, checkout) for _ in range(args.runs)]
                except NotInCheckout:
                    print(f"{name} [{label}]: not a command of that checkout", flush=True)
                    continue
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                rss = statistics.median(r[2] for r in runs)
                shown = f"{name} [{label}]" if label else name
                print(
                    f"{shown:<38} {wall:7.3f} {cpu:7.3f} {rss:7.1f} {runs[-1][3]:7d}  "
                    f"{load:<16} {runs[-1][4]}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
