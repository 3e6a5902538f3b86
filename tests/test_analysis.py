"""The archive for analysts: views, schema descriptions, Kazakh-aware search, exports, upgrades.

Most tests read one real demo archive (the replica crawled over HTTP), built once
per module; the upgrade tests open a copy of an archive made by the first schema.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kazscraper.archive import Archive, export, migrations, queries, schema, search
from kazscraper.cli import main
from kazscraper.items import RelatedLink
from kazscraper.warc.records import Capture

from .conftest import FIXTURES
from .test_archive import make_article

V1_ARCHIVE = FIXTURES / "archives" / "v1-schema.sqlite"


@pytest.fixture(scope="module")
def demo_db(demo_archive: Path) -> Path:
    return demo_archive


@pytest.fixture(scope="module")
def conn(demo_db: Path):
    with Archive(demo_db, site="qazdauiri"):  # upgraded to the current schema if need be
        pass
    connection = sqlite3.connect(demo_db)
    yield connection
    connection.close()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def undescribed(db: queries.Db) -> list[str]:
    """Tables, views and columns of this file without a row in ``schema_descriptions``."""
    conn = queries.connection(db)
    described = set(conn.execute("SELECT table_name, column_name FROM schema_descriptions"))
    missing = []
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') "
        "AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ):
        if (table, None) not in described:
            missing.append(table)
        for row in conn.execute(f'PRAGMA table_info("{table}")'):
            if (table, row[1]) not in described:
                missing.append(f"{table}.{row[1]}")
    return missing


def ids(hits: list[search.Hit]) -> list[int]:
    return [h.article_id for h in hits]


# -- the schema explains itself -----------------------------------------------------------


def test_every_table_view_and_column_is_described(conn: sqlite3.Connection) -> None:
    assert undescribed(conn) == []
    views = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert set(schema.VIEWS) <= views
    about = conn.execute(
        "SELECT description FROM schema_descriptions "
        "WHERE table_name = 'articles' AND column_name = 'published_date'"
    ).fetchone()[0]
    assert "YYYY-MM-DD" in about


def test_views_can_be_redefined(conn: sqlite3.Connection, tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.sqlite")
    db.executescript(
        "CREATE TABLE t (x); INSERT INTO t VALUES (1); CREATE VIEW articles_flat AS SELECT x FROM t"
    )
    db.execute("DROP VIEW articles_flat")
    with Archive(tmp_path / "y.sqlite", site="qazdauiri") as archive:
        schema.create_views(archive.db, schema.VIEWS)  # twice in a row: drop + create
        schema.create_views(archive.db, schema.VIEWS)
        assert archive.db["articles_flat"].count == 0


# -- views ----------------------------------------------------------------------------------


def test_articles_flat_has_one_row_per_article_and_author(conn: sqlite3.Connection) -> None:
    expected = conn.execute(
        "SELECT sum(max(1, (SELECT count(*) FROM article_authors WHERE article_id = a.id))) "
        "FROM articles a"
    ).fetchone()[0]
    assert conn.execute("SELECT count(*) FROM articles_flat").fetchone()[0] == expected
    assert (
        conn.execute("SELECT count(DISTINCT article_id) FROM articles_flat").fetchone()[0]
        == conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    )
    seed = conn.execute(
        "SELECT author_name FROM articles_flat WHERE title LIKE 'Орталық Азия%' "
        "ORDER BY author_position"
    ).fetchall()
    assert seed[0] == ("Ахметова Зауреш Болатхановна",) and len(seed) == 5


def test_articles_flat_keeps_articles_without_authors(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        archive.write_batch([(make_article(authors=[]), [])])
        rows = archive.db.execute("SELECT title, author_id, author_name FROM articles_flat")
        assert rows.fetchall() == [("Каспий теңізінің болашағы", None, None)]


def test_articles_per_month_and_authors_stats_add_up(conn: sqlite3.Connection) -> None:
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert conn.execute("SELECT sum(count) FROM articles_per_month").fetchone()[0] == total
    month = conn.execute("SELECT month FROM articles_per_month LIMIT 1").fetchone()[0]
    assert len(month) == 7 and month[4] == "-"
    name, n, first, last = conn.execute(
        "SELECT name, articles, first_date, last_date FROM authors_stats "
        "ORDER BY articles DESC, name LIMIT 1"
    ).fetchone()
    assert (n, first, last) == conn.execute(
        "SELECT count(DISTINCT article_id), min(published_date), max(published_date) "
        "FROM articles_flat WHERE author_name = ?",
        [name],
    ).fetchone()


def test_top_news_history_on_the_demo(conn: sqlite3.Connection) -> None:
    rows = conn.execute(
        "SELECT title, best_rank, worst_rank, times_seen, days_in_top, linked_article_id "
        "FROM top_news_history ORDER BY best_rank"
    ).fetchall()
    assert [r[1] for r in rows] == [1, 2, 3, 4, 5]  # the replica's block never changes
    pages = conn.execute(
        "SELECT count(DISTINCT article_id) FROM related_links WHERE kind = 'top'"
    ).fetchone()[0]
    for _title, best, worst, times, days, linked in rows:
        assert best == worst and times >= pages and days == 1 and linked is not None


def test_top_news_history_counts_every_fetch_of_the_page(tmp_path: Path) -> None:
    """A block stored once stays on show for later fetches of the same page (200 or 304)."""
    top = [RelatedLink("top", 1, "https://qazdauiri.kz/news/a", "A"),
           RelatedLink("top", 2, "https://qazdauiri.kz/news/b", "B")]  # fmt: skip
    later = [replace(top[1], rank=1), replace(top[0], rank=2)]
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        page = make_article(related=top, fetched_at="2026-01-01T10:00:00+00:00")
        archive.write_batch([(page, [])])
        capture = Capture(page.url, 200, "", "response", "x.warc.gz", 0, 1, "sha1:X")
        archive.add_captures(
            [
                replace(capture, fetched_at="2026-01-01T10:00:00+00:00"),
                replace(capture, fetched_at="2026-01-02T10:00:00+00:00", status=304),
                replace(capture, fetched_at="2026-01-03T10:00:00+00:00"),
            ]
        )
        archive.write_batch(  # day 2 answered 304: no write; day 3 the block changed
            [(replace(page, related=later, fetched_at="2026-01-03T10:00:00+00:00"), [])]
        )
        rows = archive.db.execute(
            "SELECT title, first_seen, last_seen, days_in_top, best_rank, worst_rank, times_seen "
            "FROM top_news_history ORDER BY title"
        ).fetchall()
    assert rows == [
        ("A", "2026-01-01T10:00:00+00:00", "2026-01-03T10:00:00+00:00", 3, 1, 2, 3),
        ("B", "2026-01-01T10:00:00+00:00", "2026-01-03T10:00:00+00:00", 3, 1, 2, 3),
    ]


def test_related_edges(conn: sqlite3.Connection) -> None:
    expected = conn.execute(
        "SELECT count(*) FROM (SELECT DISTINCT article_id, url, kind FROM related_links)"
    ).fetchone()[0]
    assert conn.execute("SELECT count(*) FROM related_edges").fetchone()[0] == expected
    unresolved = conn.execute(
        "SELECT count(*) FROM related_edges e WHERE to_article_id IS NULL "
        "AND EXISTS (SELECT 1 FROM article_urls u WHERE u.url = e.to_url)"
    ).fetchone()[0]
    assert unresolved == 0
    kinds = {r[0] for r in conn.execute("SELECT DISTINCT kind FROM related_edges")}
    assert kinds == {"similar", "top"}


# -- Kazakh-aware search --------------------------------------------------------------------


@pytest.mark.parametrize("word", ["Қазақстан", "Алматы", "Ұлттық"])
def test_search_folds_kazakh_case(conn: sqlite3.Connection, word: str) -> None:
    variants = {word, word.upper(), word.lower()}
    results = [ids(search.search(conn, v, limit=1000)) for v in variants]
    assert results[0], f"{word} should be in the demo archive"
    assert all(r == results[0] for r in results)


def test_sqlite_lower_and_like_do_not_fold_kazakh(conn: sqlite3.Connection) -> None:
    """Why search goes through FTS5 and the author filter through Python's casefold."""
    assert conn.execute("SELECT lower('ҚАЗАҚСТАН'), upper('қазақстан')").fetchone() == (
        "ҚАЗАҚСТАН",
        "қазақстан",
    )
    assert conn.execute("SELECT 'Қазақстан' LIKE 'қазақстан'").fetchone()[0] == 0
    assert conn.execute("SELECT 'Kazakhstan' LIKE 'kazakhstan'").fetchone()[0] == 1  # ASCII
    like = "SELECT count(*) FROM articles WHERE body LIKE ?"
    assert conn.execute(like, ["%Алматы%"]).fetchone()[0] > 0
    assert conn.execute(like, ["%АЛМАТЫ%"]).fetchone()[0] == 0
    assert conn.execute(like, ["%алматы%"]).fetchone()[0] == 0
    assert len(search.search(conn, "АЛМАТЫ", limit=1000)) > 0
    search.register_functions(conn)
    assert conn.execute("SELECT casefold('ҚАЗАҚСТАН')").fetchone()[0] == "қазақстан"


def test_search_keeps_kazakh_letters_apart_from_russian_ones(conn: sqlite3.Connection) -> None:
    # unicode61 without diacritics folding for Cyrillic: қ is not к, ұ is not у
    assert ids(search.search(conn, "Казакстан", limit=1000)) == []
    assert search.search(conn, "Қазақстан")


def test_search_ranks_with_snippets(conn: sqlite3.Connection) -> None:
    hits = search.search(conn, "Каспий", limit=5)
    assert 0 < len(hits) <= 5
    assert [h.score for h in hits] == sorted(h.score for h in hits)
    for hit in hits:
        assert "[Каспий" in hit.snippet and "\n" not in hit.snippet
        assert hit.url.startswith("http") and hit.title


def test_search_words_find_their_suffixed_forms(conn: sqlite3.Connection) -> None:
    exact = search.search(conn, '"алматы"', limit=1000)
    prefixed = search.search(conn, "алматы", limit=1000)
    assert len(prefixed) > len(exact)
    assert any("Алматыда" in (h.title or "") + h.snippet for h in prefixed)


def test_search_author_filter_folds_kazakh_case(conn: sqlite3.Connection) -> None:
    name = conn.execute(
        "SELECT au.name FROM authors au JOIN article_authors aa ON aa.author_id = au.id "
        "WHERE au.name GLOB '*[ӘәҒғҚқҢңӨөҰұҮүҺһІі]*' GROUP BY au.id ORDER BY count(*) DESC"
    ).fetchone()[0]
    surname = name.split()[0]
    everything = ids(search.search(conn, "ақпарат OR жыл OR бойынша", limit=1000))
    by_author = [
        ids(search.search(conn, "ақпарат OR жыл OR бойынша", author=v, limit=1000))
        for v in (surname, surname.upper(), surname.lower(), f"  {name.upper()} ")
    ]
    assert by_author[0] and set(by_author[0]) < set(everything)
    assert all(r == by_author[0] for r in by_author)
    # SQLite's own lower() would not match the upper-case query
    assert (
        conn.execute(
            "SELECT count(*) FROM authors WHERE lower(name) LIKE ?", [f"%{surname.upper()}%"]
        ).fetchone()[0]
        == 0
    )


def test_search_since(conn: sqlite3.Connection) -> None:
    hits = search.search(conn, "Алматы", since="2025-01-01", limit=1000)
    assert hits and all(h.published_date >= "2025-01-01" for h in hits)
    assert len(hits) < len(search.search(conn, "Алматы", limit=1000))


def test_search_command(runner: CliRunner, demo_db: Path) -> None:
    result = runner.invoke(main, ["search", "КАСПИЙ", "--limit", "3", "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    assert result.output.count("[Каспий") == 3 and "/news/" in result.output
    bad = runner.invoke(main, ["search", 'Каспий"', "--db", str(demo_db)])
    assert bad.exit_code == 2 and ": error: " in bad.output
    bad_date = runner.invoke(main, ["search", "x", "--since", "2025-02-30", "--db", str(demo_db)])
    assert bad_date.exit_code == 2 and "not a date" in bad_date.output


def test_search_until_and_count_matches(conn: sqlite3.Connection) -> None:
    every = search.search(conn, "Алматы", limit=1000)
    until = search.search(conn, "Алматы", until="2024-12-31", limit=1000)
    assert until and all(h.published_date <= "2024-12-31" for h in until)
    assert len(until) < len(every)
    assert search.count_matches(conn, "Алматы") == len(every)
    assert search.count_matches(conn, "Алматы", until="2024-12-31") == len(until)
    assert search.count_matches(conn, "жоқсөзжоқ") == 0


def test_search_command_says_how_many_match_and_how_many_are_shown(
    runner: CliRunner, demo_db: Path, conn: sqlite3.Connection
) -> None:
    total = search.count_matches(conn, "Алматы")
    assert total > 5
    shown = runner.invoke(main, ["search", "Алматы", "--limit", "5", "--db", str(demo_db)])
    assert shown.exit_code == 0
    assert shown.stderr.strip() == f"{total} matches, 5 shown (--limit)"
    one_title = search.search(conn, "Алматы", limit=1)[0].title
    assert one_title
    everything = runner.invoke(main, ["search", "Алматы", "--limit", "1000", "--db", str(demo_db)])
    assert everything.stderr.strip() == f"{total} matches"
    nothing = runner.invoke(main, ["search", "жоқсөзжоқ", "--db", str(demo_db)])
    assert nothing.exit_code == 0 and nothing.stderr.strip() == "no matches"
    backwards = ["search", "x", "--since", "2025-01-01", "--until", "2024-01-01"]
    assert runner.invoke(main, [*backwards, "--db", str(demo_db)]).exit_code == 2


def test_matches_line_plurals() -> None:
    from kazscraper.cli.reading import matches_line

    assert matches_line(0, 0) == "no matches"
    assert matches_line(1, 1) == "1 match"
    assert matches_line(2, 2) == "2 matches"
    assert matches_line(108, 5) == "108 matches, 5 shown (--limit)"


def test_search_command_json(runner: CliRunner, demo_db: Path, conn: sqlite3.Connection) -> None:
    result = runner.invoke(
        main, ["search", "Алматы", "--limit", "3", "--format", "json", "--db", str(demo_db)]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["total"] == search.count_matches(conn, "Алматы")
    assert payload["shown"] == len(payload["hits"]) == 3
    first = payload["hits"][0]
    assert {"article_id", "url", "title", "snippet", "authors", "published_date"} <= set(first)


# -- exports --------------------------------------------------------------------------------


def test_export_jsonl_is_utf8_unescaped(runner: CliRunner, demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    args = ["export", "--format", "jsonl", "--out", str(out)]
    result = runner.invoke(main, [*args, "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert "Қ".encode() in raw and b"\\u" not in raw
    records = [json.loads(line) for line in raw.decode("utf-8").splitlines()]
    assert len(records) == 60
    seed = next(r for r in records if r["title"].startswith("Орталық Азия"))
    assert seed["authors"][0] == "Ахметова Зауреш Болатхановна" and len(seed["authors"]) == 5
    dates = [r["published_date"] or "" for r in records]
    assert dates == sorted(dates)


def test_export_csv_opens_in_a_spreadsheet(
    runner: CliRunner, demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "a.csv"
    args = ["export", "--format", "csv", "--since", "2025-01-01", "--until", "2025-06-30"]
    result = runner.invoke(main, [*args, "--out", str(out), "--db", str(demo_db)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel and LibreOffice read UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows and all("2025-01-01" <= r["published_date"] <= "2025-06-30" for r in rows)
    multi = [r for r in rows if "; " in r["authors"]]
    assert multi, "some article has several authors"
    assert rows[0]["body"].count("\n\n") >= 1  # paragraphs survive quoting


def test_export_to_stdout(runner: CliRunner, demo_db: Path) -> None:
    result = runner.invoke(main, ["export", "--until", "2023-03-01", "--db", str(demo_db)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(json.loads(x)["published_date"] <= "2023-03-01" for x in lines)


@pytest.mark.parametrize(
    "args",
    [
        ["--since", "2025-13-01"],
        ["--until", "yesterday"],
        ["--since", "2025-06-01", "--until", "2025-01-01"],
        ["--format", "xlsx"],
    ],
)
def test_export_bad_options_exit_2(runner: CliRunner, demo_db: Path, args: list[str]) -> None:
    result = runner.invoke(main, ["export", *args, "--db", str(demo_db)])
    assert result.exit_code == 2
    assert ": error: " in result.output


def test_export_to_an_unwritable_path_is_one_line(runner: CliRunner, demo_db: Path) -> None:
    out = "/nonexistent/dir/a.csv"
    result = runner.invoke(main, ["export", "--out", out, "--db", str(demo_db)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "cannot write" in result.output


def test_export_streams(conn: sqlite3.Connection) -> None:
    """Rows come off the date index in order: no sort in memory, one row at a time."""
    for since, until in [(None, None), ("2025-01-01", "2025-12-31")]:
        sql, params = export.export_sql(since, until)
        plan = " ".join(r[3] for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        assert "TEMP B-TREE" not in plan and "idx_articles_published_date" in plan
    records = export.iter_articles(conn)
    first = next(records)  # lazy: a generator over the cursor
    assert set(first) == set(export.EXPORT_COLUMNS)


@pytest.mark.parametrize("command", ["search", "export"])
def test_new_commands_have_help_with_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


# -- an archive made by the first schema upgrades in place ----------------------------------


def test_v1_archive_upgrades_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(V1_ARCHIVE, path)
    before = sqlite3.connect(path)
    assert [r[0] for r in before.execute("SELECT name FROM _sqlite_migrations")] == ["m001_initial"]
    rows_before = {
        t: before.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
        for t in ("articles", "authors", "article_authors", "related_links", "failures")
    }
    before.close()
    with Archive(path, site="qazdauiri") as archive:
        db = archive.db
        applied = [r[0] for r in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert applied == [m.name for m in migrations._migrations]
        for table, rows in rows_before.items():
            now = db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            width = len(rows[0])
            assert [r[:width] for r in now] == rows, table  # new columns come after
        assert undescribed(db) == []
        assert db.execute("SELECT count(*) FROM articles_flat").fetchone()[0] == 4
        assert db.execute(
            "SELECT title, first_seen, last_seen, days_in_top, best_rank, worst_rank, times_seen "
            "FROM top_news_history ORDER BY title"
        ).fetchall() == [
            ("Астанада жаңа мектеп ашылды", *["2025-03-02T06:00:00+00:00"] * 2, 1, 1, 1, 1),
            ("Ауа райы болжамы", "2025-03-01T06:00:00+00:00", "2025-03-02T06:00:00+00:00",
             2, 1, 2, 2),
            ("Каспий теңізінің деңгейі төмендеп барады", *["2025-03-01T06:00:00+00:00"] * 2,
             1, 2, 2, 1),
        ]  # fmt: skip
        # the old full-text index still answers, with Kazakh case folded
        assert ids(search.search(db, "ҚАЗАҚСТАН")) == ids(search.search(db, "қазақстан"))
        assert sorted(ids(search.search(db, "Қазақстан"))) == [1, 2, 3]
        # and the archive takes new articles
        archive.write_batch([(make_article(), [])])
        assert archive.count("articles") == 4
    with Archive(path, site="qazdauiri") as again:  # opening twice changes nothing
        assert again.count("articles") == 4


def test_v1_archive_upgrades_through_the_stats_command(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copy(V1_ARCHIVE, path)
    result = runner.invoke(main, ["stats", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "2025-02-14 .. 2025-02-20" in result.output
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM articles_per_month").fetchone()[0] == 3
    assert db.execute("SELECT count(*) FROM schema_descriptions").fetchone()[0] > 100


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_escaped() -> None:
    """OWASP's CSV injection advice: a cell starting with = + - @ TAB or CR gets a leading '."""
    hostile = {
        '=HYPERLINK("http://evil","click")': '\'=HYPERLINK("http://evil","click")',
        "+7 701 000 00 00": "'+7 701 000 00 00",
        "-1+2": "'-1+2",
        "@SUM(A1)": "'@SUM(A1)",
        "\t=1": "'\t=1",
        "\r=1": "'\r=1",
        "Қазақстан = ел": "Қазақстан = ел",  # only the first character matters
        "": "",
    }
    for value, expected in hostile.items():
        record = dict.fromkeys(export.EXPORT_COLUMNS)
        record.update(title=value, authors=[value, "Ахметова"], tags=[], views=-3, id=1)
        out = io.StringIO()
        assert export.write_csv(iter([record]), out) == 1
        row = next(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
        assert row["title"] == expected
        joined = f"{value}; Ахметова"
        assert row["authors"] == (f"'{joined}" if expected != value else joined)
        assert row["views"] == "-3"  # numbers stay numbers
    # JSONL is data, not a spreadsheet: untouched
    record = dict.fromkeys(export.EXPORT_COLUMNS)
    record.update(title="=1+1", authors=["@x"], tags=[])
    out = io.StringIO()
    export.write_jsonl(iter([record]), out)
    assert json.loads(out.getvalue())["title"] == "=1+1"


# -- bounds on search (issue 11, item 21) ----------------------------------------------------

LETTERS = "абвгдежзийклмнопрстуфхцчшщыіәғқңөұүһ"


@pytest.mark.parametrize(
    ("query", "what"),
    [
        ("NEAR(" + " ".join(f"{LETTERS[i % 36]}*" for i in range(1000)) + ", 10)", "characters"),
        (" OR ".join(f"{LETTERS[i % 36]}*" for i in range(20)), "prefix terms"),
        (" OR ".join(f"сөз{i}" for i in range(40)), "terms"),
        (" OR ".join(f"NEAR(а{i} б{i})" for i in range(5)), "NEAR groups"),
        (" ".join(f"сөз{i}" for i in range(20)), "prefix terms"),  # plain words: prefixes
    ],
)
def test_a_too_complex_query_is_refused_before_it_runs(
    conn: sqlite3.Connection, query: str, what: str
) -> None:
    with pytest.raises(search.QueryTooComplex, match=what):
        search.search(conn, query)


def test_usual_queries_are_within_the_bounds(conn: sqlite3.Connection) -> None:
    for query in [
        "",
        "  ",
        "*",
        "Каспий",
        '"су тасқыны" OR су*',
        "NEAR(Алматы облысы, 5) NOT Астана",
    ]:
        search.check_fts_query(search.fts_query(query))
    assert search.search(conn, " OR ".join(f"{LETTERS[i]}*" for i in range(16)))


def test_a_search_past_its_time_limit_is_stopped(conn: sqlite3.Connection) -> None:
    with pytest.raises(search.SearchTooSlow, match="0 s"):
        search.search(conn, "Алматы", time_limit=0)  # the first check stops it
    assert search.search(conn, "Алматы")  # the connection is usable after


def test_search_bounds_at_the_command_line(runner: CliRunner, demo_db: Path) -> None:
    near = "NEAR(" + " ".join(f"{LETTERS[i % 36]}*" for i in range(1000)) + ")"
    refused = runner.invoke(main, ["search", near, "--db", str(demo_db)], prog_name="kazscraper")
    assert refused.exit_code == 2
    assert (
        refused.output.startswith("kazscraper search: error: ") and refused.output.count("\n") == 1
    )
    slow = ["search", "Алматы", "--time-limit", "0", "--db", str(demo_db)]
    stopped = runner.invoke(main, slow, prog_name="kazscraper")
    assert stopped.exit_code == 1
    assert "kazscraper search: error: " in stopped.output and "time limit" in stopped.output


def test_datasette_refuses_a_too_complex_full_text_query(demo_db: Path) -> None:
    pytest.importorskip("datasette")
    import asyncio
    from urllib.parse import urlencode

    from datasette.app import Datasette
    from datasette.plugins import pm

    from kazscraper.serve import datasette_guard
    from kazscraper.serve.datasette_metadata import build_metadata

    if not pm.is_registered(datasette_guard):
        pm.register(datasette_guard, name="kazscraper-guard")
    near = "NEAR(" + " ".join(f"{LETTERS[i % 36]}*" for i in range(1000)) + ")"
    name = demo_db.stem
    requests = {
        f"/{name}/articles.json?" + urlencode({"_search": "Каспий"}): 200,
        f"/{name}/articles.json?" + urlencode({"_search": near, "_searchmode": "raw"}): 400,
        f"/{name}/articles?" + urlencode({"_search": near}): 400,
        f"/{name}/full_text_search.json?" + urlencode({"q": near}): 400,
        f"/{name}/full_text_search.json?" + urlencode({"q": "Каспий"}): 200,
        f"/{name}/full_text_search.json?q=": 200,
        f"/{name}.json?"
        + urlencode(
            {"sql": f"SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{near}'"}
        ): 400,
        f"/{name}.json?"
        + urlencode(
            {"sql": "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :w", "w": near}
        ): 400,
    }

    async def statuses() -> dict[str, int]:
        ds = Datasette([str(demo_db)], metadata=build_metadata(demo_db))
        return {path: (await ds.client.get(path)).status_code for path in requests}

    got = asyncio.run(statuses())
    assert got == requests
