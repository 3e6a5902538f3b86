"""The command line: help with examples, usage errors exit 2, parse and stats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kazscraper.archive import Archive
from kazscraper.cli import main

from .conftest import run_cli
from .test_archive import make_article


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(
    "command", [[], ["crawl"], ["demo"], ["replica", "serve"], ["stats"], ["parse"]]
)
def test_every_command_has_help_with_an_example(runner: CliRunner, command: list[str]) -> None:
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "--max-articles", "0"],
        ["crawl", "--max-articles", "many"],
        ["crawl", "--start-url", "ftp://qazdauiri.kz/"],
        ["crawl", "--no-such-option"],
        ["demo", "--articles", "3"],
        ["stats", "--db", "/nonexistent/archive.sqlite"],
        ["parse", "/nonexistent/page.html"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2_with_a_message(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Error:" in result.output


def test_parse_prints_the_record_with_provenance(runner: CliRunner, seed_expected: dict) -> None:
    page = Path(__file__).parent / "fixtures" / "pages" / "qazdauiri-seed.html"
    result = runner.invoke(main, ["parse", str(page), "--url", seed_expected["url"]])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["url"] == seed_expected["canonical_url"]
    assert record["title"] == seed_expected["title"]
    assert record["published_date"] == "2025-12-11"
    assert record["extraction"]["authors"] == "signature"


def test_parse_reads_stdin_and_refuses_binary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", "-"], input=b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    assert result.exit_code == 1
    assert "not HTML" in result.output


def test_stats_summarises_an_archive(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        archive.write_batch([(make_article(category="Қоғам"), [])])
    result = runner.invoke(main, ["stats", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "articles" in result.output and "Қоғам" in result.output
    assert "2025-12-11 .. 2025-12-11" in result.output


def test_stats_on_a_non_sqlite_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    bogus = tmp_path / "x.sqlite"
    bogus.write_text("hello\n" * 200)
    result = runner.invoke(main, ["stats", "--db", str(bogus)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "cannot use" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["crawl", "--since", "2025-13-01"],
        ["crawl", "--bogus"],
        ["crawl", "--timeout", "-1"],
        ["crawl", "--workers", "99"],
        ["export", "--format", "xlsx"],
        ["search"],
        ["stats", "--db", "/nonexistent/archive.sqlite"],
        ["no-such-command"],
    ],
)
def test_a_bad_argument_gets_one_line_on_stderr_and_exit_2(args: list[str]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Error:" in lines[0] and "--help" in lines[0]
    assert result.stdout == ""


def test_parse_says_when_the_file_is_not_html(tmp_path: Path) -> None:
    png = tmp_path / "photo.html"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a") + bytes(200))
    result = run_cli("parse", str(png))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [f"Error: {png}: binary data, not HTML"]


OTHER_SITE_PAGE = """<!DOCTYPE html><html lang="en"><head>
<title>Storm hits the coast | Daily</title>
{canonical}<meta property="article:published_time" content="2020-03-14T21:15:05-03:00">
</head><body><nav><a href="/">Home</a></nav><article><h1>Storm hits the coast</h1>
<p>The storm reached the coast on Saturday evening and the town lost power for hours.</p>
<p>Residents were asked to stay at home while crews cleared the roads and the lines.</p>
<p>The weather service expects the wind to ease by Monday morning, officials said.</p>
</article></body></html>"""
CANONICAL = '<link rel="canonical" href="https://news.example.com/2020/03/storm">'


def test_parse_reads_a_page_of_another_host_with_the_generic_profile(tmp_path: Path) -> None:
    page = tmp_path / "storm.html"
    page.write_text(OTHER_SITE_PAGE.format(canonical=""), encoding="utf-8")
    result = run_cli("parse", str(page), "--url", "https://news.example.com/2020/03/storm")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == "https://news.example.com/2020/03/storm"
    assert record["language"] == "en"  # from the page, not the qazdauiri profile's kk
    assert record["extraction"]["language"] == "html-lang"
    # the page's own offset kept: 21:15 at -03:00 is the 14th there, the 15th in Almaty
    assert record["published_date"] == "2020-03-14"
    assert record["published_at"] == "2020-03-14T21:15:05-03:00"
    assert record["extraction"]["body"] == "generic (trafilatura)"
    assert record["body"].startswith("The storm reached the coast")


@pytest.mark.parametrize(
    ("canonical", "url", "note"),
    [
        (CANONICAL, "https://news.example.com/2020/03/storm", "the page's canonical link"),
        ("", "", "no canonical link in the page: the record has no URL"),
    ],
)
def test_parse_with_the_generic_site_and_no_url_invents_no_host(
    runner: CliRunner, tmp_path: Path, canonical: str, url: str, note: str
) -> None:
    page = tmp_path / "storm.html"
    page.write_text(OTHER_SITE_PAGE.format(canonical=canonical), encoding="utf-8")
    result = run_cli("parse", str(page), "--site", "generic")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == url and record["fetched_url"] == url
    assert "qazdauiri" not in result.stdout
    assert note in result.stderr
    assert record["published_date"] == "2020-03-14"
