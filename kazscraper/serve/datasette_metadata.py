"""Datasette metadata for an archive: titles, descriptions, the search box, canned queries.

``build_metadata(db_path)`` looks at the tables and views the file actually has, so
an archive from an older version (without the analysis views) still gets working
metadata: each canned query uses its view when the view exists with the expected
columns and the base tables otherwise. Table and column descriptions come from the
file's own ``schema_descriptions`` table (written by the archive's migrations), else
from ``kazscraper.archive.schema.DESCRIPTIONS``. ``kazscraper serve`` writes the result to
a JSON file and hands it to ``datasette serve --metadata``.
"""

from __future__ import annotations

import sqlite3
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

TITLE = "qazdauiri.kz archive"
DESCRIPTION = (
    "Articles of the Kazakh news site qazdauiri.kz («Қазақстан дәуірі»), archived by "
    "kazscraper. The search box of the articles table searches titles and bodies "
    "(FTS5, case-insensitive for Kazakh letters: ҚАЗАҚСТАН finds Қазақстан)."
)
SOURCE_URL = "https://qazdauiri.kz/"

# binary MinHash signatures and the migration log: nothing for a reader
HIDDEN = ("article_minhash", "article_lsh", "_sqlite_migrations")

# Datasette's own templates, overridden where the archive's first screen needs it
TEMPLATES = Path(__file__).with_name("templates")
# a table page shows this many characters of a cell; the row page (one click) shows it whole
TRUNCATE_CELLS = 300

PER_MONTH_VIEW = """\
SELECT month, sum(count) AS articles
FROM articles_per_month
WHERE month IS NOT NULL
GROUP BY month
ORDER BY month DESC"""

PER_MONTH_TABLES = """\
SELECT substr(published_date, 1, 7) AS month, count(*) AS articles
FROM articles
WHERE published_date IS NOT NULL
GROUP BY month
ORDER BY month DESC"""

TOP_AUTHORS = """\
SELECT au.name AS author, count(DISTINCT a.id) AS articles,
       min(a.published_date) AS first_date, max(a.published_date) AS last_date
FROM article_authors aa
JOIN authors au ON au.id = aa.author_id
JOIN articles a ON a.id = aa.article_id
WHERE :year = '' OR substr(a.published_date, 1, 4) = :year
GROUP BY au.id
ORDER BY articles DESC, author
LIMIT 100"""

TOP_NEWS_VIEW = """\
SELECT title, url, days_in_top, times_seen, best_rank, worst_rank, first_seen, last_seen,
       linked_article_id
FROM top_news_history
ORDER BY days_in_top DESC, times_seen DESC, best_rank, title
LIMIT 100"""

# without the view: only the captures in which the block changed count
TOP_NEWS_TABLES = """\
SELECT coalesce(a.title, max(r.title)) AS title, r.url,
       count(DISTINCT substr(r.captured_at, 1, 10)) AS days_in_top,
       count(DISTINCT r.captured_at) AS times_seen,
       min(r.rank) AS best_rank, max(r.rank) AS worst_rank,
       min(r.captured_at) AS first_seen, max(r.captured_at) AS last_seen,
       max(r.linked_article_id) AS linked_article_id
FROM related_links r
LEFT JOIN articles a ON a.id = r.linked_article_id
WHERE r.kind = 'top'
GROUP BY coalesce(r.url, r.title)
ORDER BY days_in_top DESC, times_seen DESC, best_rank, title
LIMIT 100"""

SEARCH = """\
SELECT a.id, a.published_date, a.title,
       snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet, a.url
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
WHERE :q <> '' AND articles_fts MATCH :q
ORDER BY rank
LIMIT 100"""


def _connect(db_path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(Path(db_path).resolve().as_uri() + "?mode=ro", uri=True)


def existing(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Tables and views of the file -> their column names."""
    sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
    names = [name for (name,) in conn.execute(sql)]
    return {
        name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
    }


def descriptions(
    conn: sqlite3.Connection, have: dict[str, list[str]]
) -> dict[str, tuple[str, dict[str, str]]]:
    """table -> (its description, {column: description}), for what the file has."""
    found: dict[str, tuple[str, dict[str, str]]] = {}
    if {"table_name", "column_name", "description"} <= set(have.get("schema_descriptions", [])):
        rows = conn.execute("SELECT table_name, column_name, description FROM schema_descriptions")
        for table, column, text in rows:
            _, columns = found.setdefault(table, ("", {}))
            if column is None:
                found[table] = (text, columns)
            else:
                columns[column] = text
        return found
    try:  # an archive the current version could not upgrade (read-only file)
        from kazscraper.archive.schema import DESCRIPTIONS
    except ImportError:
        return found
    return {
        table: (about, {c: d for c, d in columns.items() if c in have[table]})
        for table, (about, columns) in DESCRIPTIONS.items()
        if table in have
    }


def _view(have: dict[str, list[str]], name: str, columns: set[str]) -> bool:
    return columns <= set(have.get(name, []))


def _queries(have: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    # named unlike every table and view: a canned query hides a table of the same name
    queries: dict[str, dict[str, Any]] = {}
    if "articles" in have:
        queries["articles_by_month"] = {
            "title": "Articles per month",
            "description": "How many articles were published each month, newest first.",
            "sql": (
                PER_MONTH_VIEW
                if _view(have, "articles_per_month", {"month", "count"})
                else PER_MONTH_TABLES
            ),
        }
    if {"articles", "authors", "article_authors"} <= have.keys():
        queries["top_authors"] = {
            "title": "Top authors",
            "description": (
                "Authors by number of articles in a year (e.g. 2025); "
                "leave the year empty for all years."
            ),
            "sql": TOP_AUTHORS,
        }
    if "related_links" in have:
        columns = {"title", "url", "days_in_top", "times_seen", "best_rank", "worst_rank"}
        columns |= {"first_seen", "last_seen", "linked_article_id"}
        queries["longest_in_top_news"] = {
            "title": "Top-news history",
            "description": (
                "The articles that stayed longest in the «Топ жаңалықтар» (top news) block: "
                "days on which an archived page showed them there, and their ranks."
            ),
            "sql": TOP_NEWS_VIEW if _view(have, "top_news_history", columns) else TOP_NEWS_TABLES,
        }
    if {"articles", "articles_fts"} <= have.keys():
        queries["full_text_search"] = {
            "title": "Full-text search",
            "description": (
                "Articles whose title or body match q, best first. FTS5 syntax: words "
                '(all must occur), "a phrase", OR, prefix* (Қазақ* finds Қазақстан and '
                "Қазақстанның). Case-insensitive for Kazakh letters: ҚАЗАҚСТАН = Қазақстан."
            ),
            "sql": SEARCH,
        }
    return queries


def build_metadata(db_path: str | Path, database: str | None = None) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path`` (opened read-only).

    ``database`` is the name Datasette gives the file (its stem by default).
    """
    conn = _connect(db_path)
    try:
        have = existing(conn)
        described = descriptions(conn, have)
    finally:
        conn.close()
    database = database or Path(db_path).stem
    # column descriptions get a page of their own (the schema_descriptions table): above a
    # table they pushed its search box and rows a screen and a half down
    own_page = "schema_descriptions" in have and "schema_descriptions" in described
    tables: dict[str, dict[str, Any]] = {}
    for name in sorted(have):
        about, columns = described.get(name, ("", {}))
        meta: dict[str, Any] = {}
        if about:
            meta["description"] = about
        if columns and own_page:
            link = f"/{quote(database)}/schema_descriptions?table_name={quote(name)}"
            meta["description_html"] = (
                f'{escape(about)} <a href="{escape(link)}">What each column holds</a>.'
            )
        elif columns:
            meta["columns"] = columns
        if name in HIDDEN:
            meta["hidden"] = True
        if meta:
            tables[name] = meta
    if "articles" in have:
        articles = tables.setdefault("articles", {})
        articles.update({"label_column": "title", "sort_desc": "published_date"})
        articles["facets"] = ["category"]
        if "articles_fts" in have:
            # the default search mode quotes each word, so punctuation cannot break it;
            # ?_searchmode=raw in the URL allows FTS5 syntax (OR, prefix*)
            articles.update({"fts_table": "articles_fts", "fts_pk": "id"})
    if "authors" in have:
        tables.setdefault("authors", {})["label_column"] = "name"
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "source": "qazdauiri.kz",
        "source_url": SOURCE_URL,
        "databases": {
            database: {
                "description": DESCRIPTION,
                "tables": tables,
                "queries": _queries(have),
            }
        },
    }
