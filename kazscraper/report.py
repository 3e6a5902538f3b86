"""The crawl report: one self-contained HTML file with inline SVG charts.

``kazscraper report`` reads an archive (read-only) and draws what an archivist
looks at before reading tables: articles per month, the most frequent authors,
the stories that stayed longest in the «Топ жаңалықтар» list, and the health of
the last runs (pages, new and updated articles, failures, fill rates per field,
extraction layers), so that a drifting layout shows at a glance. Each run's fill
rates are held to the health floors of the sites it crawled (their profiles').

The file needs no network to open: no scripts, no fonts, no external styles;
charts are plain SVG written here. ``collect`` reads the figures through
``archive.queries.overview`` (read-only); ``render`` and the chart functions are
pure: data in, markup out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from kazscraper.archive.queries import RunRow, overview
from kazscraper.sites import SiteProfile, get_profile, known_sites

# fields whose fill rate is drawn per run; a run's value under its health floor (of the
# profile of each site it crawled: exit code 3 of a crawl) is drawn red
FILL_FIELDS = ("title", "body", "published_date", "authors")
_PALETTE = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#718096", "#975a16")
_BAD = "#c53030"


@dataclass
class ReportData:
    archive: str
    generated_at: str
    articles: int
    first_date: str | None
    last_date: str | None
    per_month: list[tuple[str, int]]
    authors: list[tuple[str, int]]
    top_news: list[tuple[str, int, str, str]]  # title, days in the list, first day, last day
    runs: list[RunRow]  # oldest first
    site: str | None = None  # the site label it is limited to (None: every site)


def collect(
    db_path: str | Path,
    *,
    months: int = 36,
    people: int = 15,
    runs: int = 12,
    site: str | None = None,
) -> ReportData:
    """Read what the report shows from the archive at ``db_path`` (opened read-only); with
    ``site``, of that site's articles and the runs that crawled it."""
    found = overview(db_path, months=months, people=people, runs=runs, site=site)
    return ReportData(
        archive=str(db_path),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        articles=found.articles,
        first_date=found.first_date,
        last_date=found.last_date,
        per_month=found.per_month,
        authors=found.authors,
        top_news=found.top_news,
        runs=found.runs,
        site=site,
    )


def site_profile(label: str, db_path: str | Path | None = None) -> SiteProfile:
    """The profile of a site label of the archive: a known profile by its name; for a host,
    its learned profile beside the archive at ``db_path`` (``profiles/<host>.toml``: the one
    a crawl of it uses, with its floors), else the generic one (no health floors)."""
    if label in known_sites():
        return get_profile(label)
    if db_path is None:
        return get_profile("generic")
    return _learned_or_generic(label, str(Path(db_path).resolve()))


def _learned_or_generic(label: str, db_path: str) -> SiteProfile:
    from kazscraper.sites import Sites, generic_site
    from kazscraper.sites.profile_file import ProfileFileError, with_learned

    generic = generic_site(f"http://{label}")
    try:
        return with_learned(Sites.single(generic), db_path)[0].first
    except ProfileFileError:  # a bad file: the crawl refuses it; the report draws no floor
        return generic


def run_floors(run: RunRow, db_path: str | Path | None = None) -> dict[str, float]:
    """The health floor of each field for a run: its site's (a host's learned profile
    beside the archive at ``db_path``); for a run of several sites, the lowest of theirs,
    and none where one of them has none (its rate mixes theirs)."""
    profiles = [site_profile(label, db_path) for label in run.sites]
    floors: dict[str, float] = {}
    for name in FILL_FIELDS:
        each = [p.health_thresholds.get(name) for p in profiles]
        if each and None not in each:
            floors[name] = min(f for f in each if f is not None)
    return floors


# -- charts: pure functions, data in, SVG out ------------------------------------------------


def column_chart(points: list[tuple[str, int]], *, width: int = 760, height: int = 220) -> str:
    """Vertical bars, one per (label, value), labels under every few bars."""
    if not points:
        return _empty("no dated articles yet")
    top = max(v for _, v in points) or 1
    top += top % 2 if top > 1 else 0  # an even top: the middle tick is a whole article count
    left, bottom, plot_h = 40, 40, height - 60
    step = (width - left - 10) / len(points)
    every = max(1, round(len(points) / 12))
    parts = [
        _axis(left, 10, plot_h, top),
        _axis_titles(left, 10, plot_h, width, height, x="month published", y="articles"),
    ]
    for i, (label, value) in enumerate(points):
        h = plot_h * value / top
        x = left + i * step
        parts.append(
            f'<rect class="bar" x="{x + 1:.1f}" y="{10 + plot_h - h:.1f}"'
            f' width="{max(step - 2, 1):.1f}" height="{h:.1f}" fill="{_PALETTE[0]}">'
            f"<title>{escape(label)}: {value}</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle"'
                f' font-size="10">{escape(label)}</text>'
            )
    return _svg(width, height, parts)


def bar_chart(rows: list[tuple[str, int]], *, width: int = 760, unit: str = "") -> str:
    """Horizontal bars, one row per (label, value), the value written at the bar's end."""
    if not rows:
        return _empty("nothing to show yet")
    top = max(v for _, v in rows) or 1
    label_w, row_h = 330, 22
    plot_w = width - label_w - 60
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 4
        w = plot_w * value / top
        shown = label if len(label) <= 52 else label[:51] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"<title>{escape(label)}</title>{escape(shown)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y}" width="{max(w, 1):.1f}" height="{row_h - 6}"'
            f' fill="{_PALETTE[0]}"><title>{escape(label)}: {value}{unit}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" font-size="11">{value}{unit}</text>'
        )
    return _svg(width, len(rows) * row_h + 8, parts)


def line_chart(
    labels: list[str],
    series: dict[str, list[float | None]],
    *,
    floors: dict[str, float] | Sequence[dict[str, float]] | None = None,
    width: int = 760,
    height: int = 220,
    y_title: str = "fill rate",
) -> str:
    """One line per series over ``labels`` on a 0–100 % scale; a point under its floor is red,
    and each series' floor is drawn as a dashed line in its colour.

    ``floors``: one floor per series for every label, or a list giving each label's own."""
    if not labels or not series:
        return _empty("no runs yet")
    each = [floors or {}] * len(labels) if not isinstance(floors, Sequence) else floors
    left, plot_h, plot_w = 40, height - 70, width - 200
    step = plot_w / max(len(labels) - 1, 1)
    parts = [
        _axis(left, 10, plot_h, 1.0, percent=True),
        _axis_titles(left, 10, plot_h, left + plot_w, height, x="run", y=y_title),
    ]
    for i, label in enumerate(labels):
        if len(labels) <= 12 or i % max(1, round(len(labels) / 12)) == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{plot_h + 28}" text-anchor="middle"'
                f' font-size="10">{escape(label)}</text>'
            )
    for n, (name, values) in enumerate(series.items()):
        colour = _PALETTE[n % len(_PALETTE)]
        points = [
            (left + i * step, 10 + plot_h * (1 - v), v, each[i].get(name))
            for i, v in enumerate(values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
            parts.append(
                f'<polyline class="line" points="{path}" fill="none" stroke="{colour}"'
                ' stroke-width="2"/>'
            )
        half = step / 2 if len(labels) > 1 else plot_w / 2
        for i in range(len(labels)):  # the health floor under each run, as a dashed step
            floor = each[i].get(name)
            if floor is None:
                continue
            x, y = left + i * step if len(labels) > 1 else left + half, 10 + plot_h * (1 - floor)
            parts.append(
                f'<line class="floor" x1="{max(left, x - half):.1f}" y1="{y:.1f}"'
                f' x2="{min(left + plot_w, x + half):.1f}" y2="{y:.1f}" stroke="{colour}"'
                f' stroke-dasharray="4 3"><title>{escape(name)}: health floor {floor:.0%}'
                "</title></line>"
            )
        for x, y, v, floor in points:
            bad = floor is not None and v < floor
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="{5 if bad else 3}"'
                f' fill="{_BAD if bad else colour}"><title>{escape(name)}: {v:.0%}</title></circle>'
            )
        parts.append(
            f'<rect x="{width - 150}" y="{12 + n * 18}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{width - 132}" y="{22 + n * 18}" font-size="12">{escape(name)}</text>'
        )
    return _svg(width, height, parts)


def _axis(left: int, top: int, plot_h: float, maximum: float, percent: bool = False) -> str:
    marks = []
    for fraction in (0, 0.5, 1):
        if not percent and maximum * fraction != int(maximum * fraction):
            continue  # no tick at half an article
        y = top + plot_h * (1 - fraction)
        value = f"{fraction:.0%}" if percent else f"{maximum * fraction:g}"
        marks.append(
            f'<line x1="{left}" x2="{left + 4}" y1="{y:.1f}" y2="{y:.1f}" stroke="#999"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="10">{value}</text>'
        )
    return (
        f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" stroke="#999"/>'
        + "".join(marks)
    )


def _axis_titles(
    left: int, top: int, plot_h: float, right: float, height: int, *, x: str, y: str
) -> str:
    """The axes' titles: ``y`` turned along the value axis, ``x`` under the labels."""
    middle = top + plot_h / 2
    return (
        f'<text x="12" y="{middle:.1f}" transform="rotate(-90 12 {middle:.1f})"'
        f' text-anchor="middle" font-size="11" fill="#555">{escape(y)}</text>'
        f'<text x="{(left + right) / 2:.1f}" y="{height - 4}" text-anchor="middle"'
        f' font-size="11" fill="#555">{escape(x)}</text>'
    )


def _svg(width: int, height: int, parts: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" role="img">' + "".join(parts) + "</svg>"
    )


def _empty(message: str) -> str:
    return f'<p class="empty">{escape(message)}</p>'


# -- the page ----------------------------------------------------------------------------------

_STYLE = """
body { font-family: sans-serif; margin: 2em auto; max-width: 800px; color: #1a202c; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
table { border-collapse: collapse; font-size: 0.85em; }
td, th { border-bottom: 1px solid #e2e8f0; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.bad { color: #c53030; font-weight: bold; } .empty { color: #718096; }
"""


def render(data: ReportData) -> str:
    """The whole report as one HTML document (no network needed to open it)."""
    labels = [f"#{run.id}" for run in data.runs]
    fills = {
        name: [run.fill_rates.get(name) for run in data.runs]
        for name in FILL_FIELDS
        if any(run.fill_rates.get(name) is not None for run in data.runs)
    }
    generic_share = {
        "generic bodies": [_generic_share(run) for run in data.runs],
    }
    sections = [
        f"<h1>kazscraper report: {escape(Path(data.archive).name)}"
        + (f" (site {escape(data.site)})" if data.site else "")
        + "</h1>",
        f"<p>{data.articles} articles, published {escape(data.first_date or '-')} .. "
        f"{escape(data.last_date or '-')}; made {escape(data.generated_at)} from "
        f"<code>{escape(data.archive)}</code>.</p>",
        '<h2 id="months">Articles per month</h2>',
        column_chart(data.per_month),
        '<h2 id="authors">Most frequent authors</h2>',
        bar_chart(data.authors),
        '<h2 id="top">Longest in «Топ жаңалықтар» (days seen in the top-news list)</h2>',
        bar_chart([(t, d) for t, d, _, _ in data.top_news], unit=" d"),
        '<h2 id="health">Last runs: fill rates per field (red: under the health floor)</h2>',
        line_chart(labels, fills, floors=[run_floors(run, data.archive) for run in data.runs]),
        '<h2 id="layers">Last runs: share of bodies from the generic layer</h2>',
        "<p>A rise means the site profile stopped matching: the layout has probably changed.</p>",
        line_chart(labels, generic_share, y_title="share of bodies"),
        '<h2 id="profile">Last run: fields from the site profile</h2>',
        "<p>The share of the last run's pages on which each field came from the site's"
        " profile (a built-in one, or one learned with <code>kazscraper profile learn</code>:"
        " docs/profiles.md); the rest came from metadata or the generic layer.</p>",
        _profile_fields(data.runs[-1] if data.runs else None),
        '<h2 id="runs">Last runs</h2>',
        _runs_table(data.runs, data.archive),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>kazscraper report: {escape(Path(data.archive).name)}</title>"
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def _generic_share(run: RunRow) -> float | None:
    bodies = {k: v for k, v in run.extraction_layers.items() if k.startswith("body:")}
    total = sum(bodies.values())
    if not total:
        return None
    return sum(v for k, v in bodies.items() if "generic" in k) / total


def _profile_fields(run: RunRow | None) -> str:
    """A table of the fields the site profile gave on the run's pages, and on how many."""
    if run is None:
        return _empty("no runs yet")
    totals: dict[str, int] = {}
    profile: dict[str, int] = {}
    for key, count in run.extraction_layers.items():
        name, _, layer = key.partition(":")
        totals[name] = totals.get(name, 0) + count
        if layer == "profile":
            profile[name] = profile.get(name, 0) + count
    if not profile:
        return _empty("no field came from a site profile in the last run")
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{profile[name]} of {totals[name]}"
        f" ({profile[name] / totals[name]:.0%})</td></tr>"
        for name in sorted(profile)
    )
    return f"<table><tr><th>field</th><th>pages from the profile</th></tr>{rows}</table>"


def _runs_table(runs: list[RunRow], db_path: str | None = None) -> str:
    if not runs:
        return _empty("no runs yet")
    head = "".join(
        f"<th>{h}</th>"
        for h in ("run", "started", "command", "status", "pages", "new", "upd", "same", "fail")
    )
    head += "".join(f"<th>{escape(name)}</th>" for name in FILL_FIELDS)
    rows = []
    for run in reversed(runs):
        status = escape(run.verdict or run.status)
        cells = [
            f"#{run.id}",
            escape(run.started_at[:16].replace("T", " ")),
            escape(run.command or ""),
            f'<span class="{"" if run.status == "ok" else "bad"}">{status}</span>',
            *(
                str(n or 0)
                for n in (
                    run.pages_fetched,
                    run.articles_new,
                    run.articles_updated,
                    run.articles_unchanged,
                    run.failures,
                )
            ),
        ]
        floors = run_floors(run, db_path)
        for name in FILL_FIELDS:
            rate, floor = run.fill_rates.get(name), floors.get(name)
            text = "-" if rate is None else f"{rate:.0%}"
            bad = rate is not None and floor is not None and rate < floor
            cells.append(f'<span class="bad">{text}</span>' if bad else text)
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def write_report(db_path: str | Path, out: str | Path, site: str | None = None) -> ReportData:
    """Collect from ``db_path`` (``site``: only that site's) and write the report to ``out``;
    returns what was drawn."""
    data = collect(db_path, site=site)
    Path(out).write_text(render(data), encoding="utf-8")
    return data
