"""The command line: help with examples, usage errors exit 2, parse and stats."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from kazscraper.archive import Archive
from kazscraper.cli import main

from .conftest import FIXTURES, run_cli, run_cli_here
from .test_archive import make_article


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _every_command(group: click.Group = main, path: tuple[str, ...] = ()) -> list[list[str]]:
    found = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _every_command(command, (*path, name))
        else:
            found.append([*path, name])
    return found


# libraries that take seconds to import: only the commands that use them import them
HEAVY_LIBRARIES = (
    "scrapy",
    "scipy",
    "datasketch",
    "trafilatura",
    "twisted",
    "htmldate",
    "dateparser",
)
# what the read commands (stats, show, search) and every command's help need none of
# either: NumPy and pandas (sqlite-utils imports them when installed, 0.1-0.2 s), lxml and
# parsel (the extractor's), w3lib (urllib.request, ssl, email)
NOT_EXTRACTING = (*HEAVY_LIBRARIES, "numpy", "pandas")
READ_HEAVY_LIBRARIES = (*NOT_EXTRACTING, "lxml", "parsel", "w3lib", "urllib.request")
_IMPORTED_AFTER = """
import sys
try:
    from kazscraper.cli import main
    if sys.argv[1:]:
        main(sys.argv[1:], prog_name="kazscraper")
except SystemExit:
    pass
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("heavy libraries imported:", heavy)
"""


@pytest.mark.parametrize("command", [[], ["--help"]])
def test_the_cli_starts_without_heavy_libraries(command: list[str]) -> None:
    """``import kazscraper.cli`` and ``kazscraper --help`` import none of Scrapy, Twisted,
    datasketch, SciPy, NumPy, trafilatura, htmldate, dateparser or lxml."""
    import subprocess
    import sys

    code = _IMPORTED_AFTER.format(heavy=READ_HEAVY_LIBRARIES)
    result = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "heavy libraries imported: []"


def test_every_commands_help_imports_no_heavy_library() -> None:
    # one fresh interpreter (not the tests' zygote, which has them all) asks every command
    # for its help in turn: none of them may import a heavy library to print it
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import click\n"
        "from kazscraper.cli import main\n"
        "def walk(group, path):\n"
        "    for name, command in sorted(group.commands.items()):\n"
        "        if isinstance(command, click.Group):\n"
        "            walk(command, [*path, name])\n"
        "        else:\n"
        "            try:\n"
        "                main([*path, name, '--help'], prog_name='kazscraper')\n"
        "            except SystemExit as exit:\n"
        "                assert exit.code == 0, (path, name, exit.code)\n"
        "            print('asked:', ' '.join([*path, name]))\n"
        "walk(main, [])\n"
        f"heavy = sorted(m for m in {READ_HEAVY_LIBRARIES!r} if m in sys.modules)\n"
        "print('heavy libraries imported:', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    asked = [line for line in result.stdout.splitlines() if line.startswith("asked: ")]
    assert len(asked) == len(_every_command()), asked
    assert result.stdout.splitlines()[-1] == "heavy libraries imported: []"


def test_parse_of_a_saved_page_imports_neither_scrapy_nor_scipy() -> None:
    # `kazscraper parse FILE` of a page its site's profile reads: the intake decides as
    # Scrapy does whether the bytes are a text page, without importing Scrapy (Twisted),
    # and nothing imports the near-duplicate code (datasketch, SciPy, NumPy)
    import subprocess
    import sys

    page = str(FIXTURES / "pages" / "qazdauiri-seed.html")
    code = _IMPORTED_AFTER.format(heavy=NOT_EXTRACTING)
    result = subprocess.run(
        [sys.executable, "-c", code, "parse", page, "--url", "https://qazdauiri.kz/news/x"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert '"title":' in result.stdout
    assert result.stdout.splitlines()[-1] == "heavy libraries imported: []"


def test_reading_a_current_archive_imports_no_heavy_library(tmp_path: Path) -> None:
    # an archive at this version's schema needs no upgrade, so no crawl runner (Scrapy)
    import subprocess
    import sys

    db = tmp_path / "a.sqlite"
    with Archive(db, site="qazdauiri") as archive:
        archive.write_batch([(make_article("https://qazdauiri.kz/news/bir"), [])])
    code = _IMPORTED_AFTER.format(heavy=READ_HEAVY_LIBRARIES)
    for command in (
        ["stats"],
        ["show", "1"],
        ["search", "Алматы"],
        ["export", "--out", str(tmp_path / "a.jsonl")],
        ["report"],
    ):
        result = subprocess.run(
            [sys.executable, "-c", code, *command, "--db", str(db)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[-1] == "heavy libraries imported: []", command


def test_reading_an_archive_of_a_newer_version_is_refused(
    runner: CliRunner, tmp_path: Path
) -> None:
    # its schema is not this version's: it goes through the upgrade, which says so
    import sqlite3

    db = tmp_path / "a.sqlite"
    Archive(db).close()
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('kazscraper', 'm999_from_the_future', '2030-01-01')"
        )
    result = runner.invoke(main, ["stats", "--db", str(db)], prog_name="kazscraper")
    assert result.exit_code == 1
    assert "newer kazscraper" in result.output and "m999_from_the_future" in result.output


def test_importtime_of_the_cli_names_no_heavy_library() -> None:
    # the same, as ``python -X importtime`` shows it (every module imported, however deep)
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import kazscraper.cli"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "kazscraper.cli" in imported
    tops = {name.split(".")[0] for name in imported}
    assert not tops & set(HEAVY_LIBRARIES), sorted(tops & set(HEAVY_LIBRARIES))


@pytest.mark.parametrize("command", [[], *_every_command()], ids=" ".join)
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
    assert ": error: " in result.output


def test_parse_prints_the_record_with_provenance(runner: CliRunner, seed_expected: dict) -> None:
    page = Path(__file__).parent / "fixtures" / "pages" / "qazdauiri-seed.html"
    result = runner.invoke(main, ["parse", str(page), "--url", seed_expected["url"]])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["url"] == seed_expected["canonical_url"]
    assert record["title"] == seed_expected["title"]
    assert record["published_date"] == "2025-12-11"
    assert record["extraction"]["authors"] == "signature"


def test_parse_without_url_takes_the_pages_canonical_link(
    runner: CliRunner, seed_expected: dict
) -> None:
    """No URL is invented from the file's name: the page says where it lives."""
    page = Path(__file__).parent / "fixtures" / "pages" / "qazdauiri-seed.html"
    result = runner.invoke(main, ["parse", str(page)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["url"] == record["fetched_url"] == seed_expected["canonical_url"]
    assert "qazdauiri-seed" not in result.stdout
    assert result.stderr.strip() == (
        f"kazscraper parse: no --url: using the page's canonical link {record['url']}"
    )
    assert record["title"] == seed_expected["title"]


def test_parse_reads_stdin_and_refuses_binary(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", "-"], input=b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    assert result.exit_code == 1
    assert "not HTML" in result.output


def test_stats_summarises_an_archive(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with Archive(db, site="qazdauiri") as archive:
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
    assert lines[0].startswith("kazscraper") and ": error: " in lines[0] and "--help" in lines[0]
    assert result.stdout == ""


def test_parse_says_when_the_file_is_not_html(tmp_path: Path) -> None:
    png = tmp_path / "photo.html"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a") + bytes(200))
    result = run_cli_here("parse", str(png))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"kazscraper parse: error: {png}: binary data, not HTML"
    ]


@pytest.mark.slow
def test_a_second_demo_is_a_clean_incremental_crawl_of_the_same_site(tmp_path: Path) -> None:
    """The demo's replica keeps its port, so its URLs stay the same: a second run adds no
    aliases on dead ports and counts nothing as a duplicate; crawl options work in demo."""
    import sqlite3

    db = tmp_path / "demo.sqlite"
    port = str(_free_port_pair())
    first = run_cli("demo", "--articles", "20", "--port", port, "--db", str(db))
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(db) as conn:
        urls = conn.execute("SELECT url FROM article_urls ORDER BY url").fetchall()
    assert len(urls) > 20  # some articles have aliases (mirror, redirects) to keep
    again = run_cli("demo", "--articles", "20", "--port", port, "--db", str(db))
    assert again.returncode == 0, again.stderr
    assert "articles 0 new, 0 updated, 0 unchanged; 0 duplicates, 0 failures" in again.stdout
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT url FROM article_urls ORDER BY url").fetchall() == urls

    limited = run_cli(
        "demo", "--articles", "20", "--port", port, "--max-articles", "5",
        "--db", str(tmp_path / "small.sqlite"),
    )  # fmt: skip
    assert limited.returncode == 0, limited.stderr
    assert "articles 5 new" in limited.stdout


def _free_port_pair() -> int:
    """A port whose next port is free too (for the replica and its mirror)."""
    import socket

    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise RuntimeError("no two free ports in a row")


def _show(*args: str) -> Result:
    """``kazscraper show ARGS`` in this process (a read command: no reactor, no startup)."""
    return CliRunner().invoke(main, ["show", *args], prog_name="kazscraper")


def test_show_prints_one_article_found_by_id_or_any_of_its_urls(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "demo.sqlite"
    built = run_cli("demo", "--articles", "30", "--port", str(_free_port_pair()), "--db", str(db))
    assert built.returncode == 0, built.stderr
    with sqlite3.connect(db) as conn:
        article_id, url, title = conn.execute(
            "SELECT a.id, a.url, a.title FROM articles a"
            " WHERE (SELECT count(*) FROM article_urls u WHERE u.article_id = a.id) > 1"
            " ORDER BY a.id LIMIT 1"
        ).fetchone()
        alias = conn.execute(
            "SELECT url FROM article_urls WHERE article_id = ? AND url <> ?", (article_id, url)
        ).fetchone()[0]
        body_start = conn.execute(
            "SELECT substr(body, 1, 40) FROM articles WHERE id = ?", (article_id,)
        ).fetchone()[0]
    by_id = _show(str(article_id), "--db", str(db))
    assert by_id.exit_code == 0, by_id.stderr
    lines = by_id.stdout.splitlines()
    assert lines[0] == f"#{article_id} · version 1 · {url}"
    assert lines[2] == title
    assert body_start in by_id.stdout
    assert "Топ жаңалықтар (top news)" in by_id.stdout
    assert "Addresses (2): " in by_id.stdout and alias in by_id.stdout
    assert "Captures (" in by_id.stdout and ".warc.gz@" in by_id.stdout
    assert _show(alias, "--db", str(db)).stdout == by_id.stdout

    as_json = json.loads(_show(url, "--format", "json", "--db", str(db)).stdout)
    assert as_json["article"]["id"] == article_id and alias in as_json["urls"]
    assert as_json["related"]["top"] and as_json["captures"]

    missing = _show("999999", "--db", str(db))
    assert missing.exit_code == 2
    assert missing.stderr.strip().startswith("kazscraper show: error: ")
    assert len(missing.stderr.strip().splitlines()) == 1


def test_show_lists_earlier_versions() -> None:
    from kazscraper.archive.queries import ArticleView
    from kazscraper.cli.reading import article_lines

    article = {
        "id": 7, "version": 2, "url": "https://qazdauiri.kz/news/x", "title": "Жаңа тақырып",
        "published_at": None, "published_date": "2025-12-11", "category": "Саясат",
        "language": "kk", "body": "Бірінші абзац.\nЕкінші абзац.",
        "first_seen_at": "2025-12-11T10:00:00+00:00", "last_seen_at": "2025-12-12T10:00:00+00:00",
    }  # fmt: skip
    version = {
        "version": 1, "title": "Ескі тақырып", "first_seen_at": "2025-12-11T10:00:00+00:00",
        "superseded_at": "2025-12-12T10:00:00+00:00", "content_hash": "abc",
    }  # fmt: skip
    view = ArticleView(article, ["Ахметова Зауреш"], [article["url"]], {}, [version], [])
    text = list(article_lines(view))
    assert text[:5] == ["#7 · version 2 · https://qazdauiri.kz/news/x", "", "Жаңа тақырып",
                        "2025-12-11 · Саясат · kk", "Authors: Ахметова Зауреш"]  # fmt: skip
    assert "Бірінші абзац." in text and "Екінші абзац." in text
    assert "Earlier versions (1):" in text
    assert any(line.startswith("  v1: seen 2025-12-11") and "Ескі тақырып" in line for line in text)


def test_read_commands_pick_the_archive_that_holds_articles_and_say_which(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first `crawl` that could not reach the site leaves archive/qazdauiri.sqlite without
    articles: `stats`, `search`, `show`, … then read the demo's archive, and say so."""
    monkeypatch.chdir(tmp_path)
    nothing = runner.invoke(main, ["stats"])
    assert nothing.exit_code == 2
    assert "no archive at archive/qazdauiri.sqlite or archive/demo.sqlite" in nothing.stderr
    assert "kazscraper demo" in nothing.stderr

    (tmp_path / "archive").mkdir()
    Archive(
        tmp_path / "archive" / "qazdauiri.sqlite", site="qazdauiri"
    ).close()  # the failed first crawl's
    with Archive(tmp_path / "archive" / "demo.sqlite", site="qazdauiri") as demo:
        demo.write_batch([(make_article(category="Қоғам"), [])])
    stats = runner.invoke(main, ["stats"])
    assert stats.exit_code == 0, stats.output
    assert stats.stderr.splitlines()[0] == "kazscraper stats: reading archive/demo.sqlite"
    assert "Қоғам" in stats.stdout
    show = runner.invoke(main, ["show", "1"])
    assert show.exit_code == 0 and "reading archive/demo.sqlite" in show.stderr

    with Archive(tmp_path / "archive" / "qazdauiri.sqlite", site="qazdauiri") as real:
        real.write_batch([(make_article(category="Саясат"), [])])
    stats = runner.invoke(main, ["stats"])
    assert stats.stderr.splitlines()[0] == "kazscraper stats: reading archive/qazdauiri.sqlite"
    assert "Саясат" in stats.stdout
    explicit = runner.invoke(main, ["stats", "--db", "archive/demo.sqlite"])
    assert "reading" not in explicit.stderr and "Қоғам" in explicit.stdout


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
    result = run_cli_here("parse", str(page), "--url", "https://news.example.com/2020/03/storm")
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
    result = run_cli_here("parse", str(page), "--site", "generic")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["url"] == url and record["fetched_url"] == url
    assert "qazdauiri" not in result.stdout
    assert note in result.stderr
    assert record["published_date"] == "2020-03-14"


def test_a_saved_page_is_extracted_as_the_crawl_reads_it(seed_expected: dict) -> None:
    """``parse``'s work without the command: the URL given or the page's canonical link,
    the profile of that URL's site, the intake's refusals as ``SavedPageError``."""
    from kazscraper.saved_page import SavedPageError, extract_saved_page

    data = (Path(__file__).parent / "fixtures" / "pages" / "qazdauiri-seed.html").read_bytes()
    saved = extract_saved_page(data, None, None, default_site="qazdauiri")
    assert saved.declared and saved.url == seed_expected["canonical_url"]
    assert saved.article.title == seed_expected["title"]
    given = extract_saved_page(data, seed_expected["url"], None, default_site="qazdauiri")
    assert not given.declared and given.url == seed_expected["url"]
    other = OTHER_SITE_PAGE.format(canonical=CANONICAL).encode()
    storm = extract_saved_page(other, None, None, default_site="qazdauiri")
    assert storm.url == "https://news.example.com/2020/03/storm"
    assert storm.article.extraction["body"] == "generic (trafilatura)"
    with pytest.raises(SavedPageError, match="not HTML"):
        extract_saved_page(b"\x89PNG\r\n\x1a\n\x00binary", None, None, default_site="qazdauiri")


def test_every_db_option_is_one_declaration_with_its_own_default() -> None:
    """One ``--db`` (cli.db_option): the same parameter, a file never a folder; the read
    commands choose an archive that holds articles, reparse defaults to the site's, crawl,
    demo and the distributed store may create theirs."""
    from kazscraper.cli.default_archive import DEFAULT_DB, DEMO_DB, archive_to_read

    found = {}
    for name, command in main.commands.items():
        for group_name, sub in getattr(command, "commands", {name: command}).items():
            for param in sub.params:
                if "--db" in getattr(param, "opts", ()):
                    found[group_name] = param
    assert {"crawl", "demo", "reparse", "stats", "search", "export", "report"} <= set(found)
    for name, param in found.items():
        assert param.name == "db_path" and isinstance(param.type, click.Path), name
        assert param.type.dir_okay is False, name
        if name == "parse":  # only the learned profiles beside it are read, if it is there
            assert param.default == DEFAULT_DB and param.type.exists is False
            continue
        creates = name in ("crawl", "demo", "store")
        assert param.type.exists is not creates, name
        if name not in ("crawl", "demo", "store"):  # reparse chooses as the readers do
            assert param.default is None and param.callback is archive_to_read, name
    assert found["demo"].default == DEMO_DB
    assert found["store"].default == DEFAULT_DB
    assert found["crawl"].default is None  # chosen from --start-url's host


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_search_says_so_in_one_line(runner: CliRunner, tmp_path: Path, query: str) -> None:
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        archive.write_batch([(make_article("https://qazdauiri.kz/news/bir"), [])])
    result = runner.invoke(main, ["search", query, "--db", str(db)])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()  # CliRunner names the program "main"
    assert line.endswith(
        "search: error: empty query: give a word to search for (see 'main search --help')"
    ), line


def test_search_results_show_the_id_show_takes(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with Archive(db) as archive:
        archive.write_batch([(make_article("https://qazdauiri.kz/news/bir"), [])])
    found = runner.invoke(main, ["search", "Каспий", "--db", str(db)])
    assert found.exit_code == 0, found.output
    (article_id,) = {
        line.rsplit("(#", 1)[1].rstrip(")")
        for line in found.output.splitlines()
        if line.startswith("  1. ")
    }
    shown = runner.invoke(main, ["show", article_id, "--db", str(db)])
    assert shown.exit_code == 0, shown.output
    assert "https://qazdauiri.kz/news/bir" in shown.output
