"""``kazscraper report``: the charts (pure functions) and the command on a demo archive."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from kazscraper.archive.queries import RunRow
from kazscraper.report import (
    ReportData,
    bar_chart,
    collect,
    column_chart,
    line_chart,
    render,
    run_floors,
)
from kazscraper.sites import get_profile

from .conftest import run_cli_here


def test_column_chart_draws_one_bar_per_month_scaled_to_the_largest() -> None:
    svg = column_chart([("2025-01", 2), ("2025-02", 4), ("2025-03", 0)])
    heights = [float(h) for h in re.findall(r'class="bar"[^>]* height="([\d.]+)"', svg)]
    assert len(heights) == 3
    assert heights[1] == 2 * heights[0] and heights[2] == 0
    assert "2025-01: 2" in svg


def test_bar_chart_escapes_labels_and_shortens_long_ones() -> None:
    hostile = "<script>alert(1)</script>" + "ұ" * 80
    svg = bar_chart([(hostile, 3), ("Ахметова Зауреш", 1)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert svg.count('class="bar"') == 2
    assert "…" in svg  # the long label is cut on the chart, whole in its tooltip


def test_line_chart_marks_a_run_under_its_floor_in_red() -> None:
    svg = line_chart(["#1", "#2", "#3"], {"title": [1.0, 0.5, None]}, floors={"title": 0.95})
    points = re.findall(r'<circle class="point"[^>]* fill="([^"]+)"', svg)
    assert points == ["#2b6cb0", "#c53030"]  # the run without a value has no point
    assert svg.count("<polyline") == 1


def test_line_chart_takes_each_runs_own_floors() -> None:
    floors = [{"title": 0.95}, {}]  # the second run's site has no floor for the field
    svg = line_chart(["#1", "#2"], {"title": [0.5, 0.5]}, floors=floors)
    points = re.findall(r'<circle class="point"[^>]* fill="([^"]+)"', svg)
    assert points == ["#c53030", "#2b6cb0"]


def test_each_run_is_held_to_the_floors_of_the_sites_it_crawled() -> None:
    def run_of(*sites: str) -> RunRow:
        run = RunRow(1, "2026-01-01T00:00:00", "crawl", "ok", 10, 5, 0, 0, 0)
        run.sites = sites
        return run

    qazdauiri = get_profile("qazdauiri").health_thresholds
    assert run_floors(run_of("qazdauiri")) == {
        name: qazdauiri[name] for name in ("title", "body", "published_date", "authors")
    }
    # a host read with the generic profile has no floors, nor has a run that mixes it in
    assert run_floors(run_of("abai.kz")) == {}
    assert run_floors(run_of("qazdauiri", "abai.kz")) == {}
    assert run_floors(run_of()) == {}


def test_a_hosts_runs_are_held_to_its_learned_profiles_floors(tmp_path: Path) -> None:
    from kazscraper.sites.profile_file import learned_profile_path

    db = tmp_path / "site.sqlite"
    learned = learned_profile_path(db, "127.0.0.1:8123")
    learned.parent.mkdir()
    learned.write_text(
        '[fields.title]\npath = "h1"\n\n[health]\nmin_pages = 10\ntitle = 0.85\n'
        '"body:profile" = 0.85\npublished_date = 0.8\n',
        encoding="utf-8",
    )
    run = RunRow(1, "2026-01-01T00:00:00", "crawl", "ok", 10, 5, 0, 0, 0)
    run.sites = ("127.0.0.1:8123",)
    run.fill_rates = {"title": 0.5, "body": 1.0, "published_date": 1.0, "authors": 0.1}
    assert run_floors(run, db) == {"title": 0.85, "published_date": 0.8}
    assert run_floors(run) == {}  # no archive: no file to read
    page = render(ReportData(str(db), "2026-01-01", 5, None, None, [], [], [], [run]))
    assert '<span class="bad">50%</span>' in page  # the table
    assert "title: health floor 85%" in page  # the chart's dashed floor


def test_a_generic_sites_runs_are_not_drawn_red() -> None:
    run = RunRow(1, "2026-01-01T00:00:00", "crawl", "ok", 10, 5, 0, 0, 0)
    run.sites = ("abai.kz",)
    run.fill_rates = {"title": 1.0, "body": 0.4, "published_date": 0.2, "authors": 0.1}
    data = ReportData("a.sqlite", "2026-01-01", 5, None, None, [], [], [], [run], site="abai.kz")
    page = render(data)
    assert 'class="bad"' not in page and 'fill="#c53030"' not in page
    run.sites = ("qazdauiri",)
    assert '<span class="bad">40%</span>' in render(data)


def test_empty_archive_parts_say_so_instead_of_drawing_nothing() -> None:
    data = ReportData("x.sqlite", "2026-01-01T00:00:00+00:00", 0, None, None, [], [], [], [])
    page = render(data)
    assert "no dated articles yet" in page and "no runs yet" in page
    assert "<svg" not in page


def test_render_is_one_offline_document() -> None:
    run = RunRow(1, "2026-01-01T00:00:00", "crawl", "unhealthy", 10, 5, 0, 0, 1)
    run.sites = ("qazdauiri",)
    run.fill_rates = {"title": 1.0, "body": 0.4, "published_date": 1.0, "authors": 0.9}
    run.extraction_layers = {"body:profile": 4, "body:generic (trafilatura)": 6}
    data = ReportData(
        "a.sqlite", "2026-01-01", 5, "2025-01-01", "2025-02-01",
        [("2025-01", 3), ("2025-02", 2)], [("Ахметова Зауреш", 2)],
        [("Тақырып", 3, "2025-01-01", "2025-01-03")], [run],
    )  # fmt: skip
    page = render(data)
    assert page.startswith("<!DOCTYPE html>")
    # nothing is fetched when the file is opened: no scripts, no external resources
    assert not re.search(r"<script|<link|<img|src=|@import|url\(", page)
    assert page.count("<svg") == 5
    assert '<span class="bad">40%</span>' in page  # body under its floor, in the runs table
    assert "Тақырып" in page


def test_report_command_draws_the_archive(demo_archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli_here("report", "--db", str(demo_archive), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"60 articles, 1 runs -> {out}"
    page = out.read_text(encoding="utf-8")
    with sqlite3.connect(demo_archive) as conn:
        months = conn.execute(
            "SELECT count(DISTINCT substr(published_date, 1, 7)) FROM articles"
        ).fetchone()[0]
        top_author = conn.execute(
            "SELECT au.name FROM authors au JOIN article_authors aa ON aa.author_id = au.id"
            " GROUP BY au.id ORDER BY count(*) DESC, au.name LIMIT 1"
        ).fetchone()[0]
    data = collect(demo_archive)
    assert len(data.per_month) == min(months, 36)
    assert data.authors[0][0] == top_author
    assert data.top_news, "the replica's pages carry a top-news block"
    assert (data.runs[0].pages_fetched or 0) > 0 and data.runs[0].articles_new == 60
    assert top_author in page


def test_report_refuses_to_overwrite_the_archive_and_reads_only_archives(
    demo_archive: Path, tmp_path: Path
) -> None:
    same = run_cli_here("report", "--db", str(demo_archive), "--out", str(demo_archive))
    assert same.returncode == 2
    assert "is the archive" in same.stderr and "Traceback" not in same.stderr
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not sqlite")
    bad = run_cli_here("report", "--db", str(junk), "--out", str(tmp_path / "r.html"))
    assert bad.returncode == 1
    assert len(bad.stderr.strip().splitlines()) == 1 and "cannot read" in bad.stderr


def test_column_chart_ticks_whole_articles_and_titles_its_axes() -> None:
    svg = column_chart([("2024-01", 13), ("2024-02", 5)])
    ticks = re.findall(r'text-anchor="end" font-size="10">([^<]*)<', svg)
    assert ticks and all(t.isdigit() for t in ticks), ticks  # no tick at 6.5 articles
    assert ">articles<" in svg and ">month published<" in svg


def test_fill_rate_chart_draws_each_fields_health_floor() -> None:
    svg = line_chart(["r1", "r2"], {"title": [1.0, 0.9], "body": [0.5, 0.4]}, floors={"title": 0.8})
    floors = re.findall(r'<line class="floor"[^>]*><title>([^<]*)</title>', svg)
    assert floors and set(floors) == {"title: health floor 80%"}, floors
    assert ">fill rate<" in svg


def test_the_report_says_which_fields_came_from_the_site_profile() -> None:
    from kazscraper.report import _profile_fields

    run = RunRow(1, "2026-01-01T00:00:00", "reparse", "ok", 10, 5, 0, 0, 0)
    run.extraction_layers = {"body:profile": 19, "body:generic": 1, "title:jsonld": 20}
    html = _profile_fields(run)
    assert "<td>body</td><td>19 of 20 (95%)</td>" in html
    assert "title" not in html  # from metadata, not the profile
    run.extraction_layers = {"title:jsonld": 20}
    assert "no field came from a site profile" in _profile_fields(run)
