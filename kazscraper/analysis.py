"""Reading the archive for analysts: views, the schema's descriptions, search, exports.

Pure functions over an open archive (a ``sqlite3.Connection`` or a
``sqlite_utils.Database``); nothing here writes articles.

- ``VIEWS``: ready-made views (``articles_flat``, ``articles_per_month``,
  ``authors_stats``, ``top_news_history``, ``related_edges``), and
  ``DESCRIPTIONS``: every table, view and column in words (the table
  ``schema_descriptions``, so the file explains itself). Both are the copies of
  the latest migration in ``kazscraper/archive/schema.py``: a change is a new
  migration carrying its own copy (a test checks that nothing is left
  undescribed).
- ``search``: full text (FTS5, ``unicode61``: folds the case of Kazakh letters
  too, keeps ``қ`` apart from ``к``), ranked by bm25, with snippets; the
  author filter folds case in Python (``casefold``), because SQLite's
  ``lower()``/``LIKE`` fold ASCII letters only. Bounded: ``check_fts_query``
  refuses a query past ``FTS_LIMITS`` before it runs (FTS5 does a complex query's
  work inside single steps that no time limit can interrupt), and a time limit
  stops the rest.
- ``iter_articles``/``write_csv``/``write_jsonl``: streaming exports.
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TextIO, overload

import sqlite_utils

from kazscraper.archive import schema

Db = sqlite3.Connection | sqlite_utils.Database

# -- views and descriptions ------------------------------------------------------------------
# The current ones are those of the latest migration (kazscraper/archive/schema.py).

VIEWS: dict[str, str] = schema.VIEWS
DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = schema.DESCRIPTIONS


def _conn(db: Db) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def create_views(db: Db) -> None:
    """(Re)create every view in ``VIEWS``."""
    schema.create_views(db, VIEWS)


def describe_schema(db: Db) -> None:
    """Fill ``schema_descriptions`` from ``DESCRIPTIONS`` (for what exists in this file)."""
    schema.describe_schema(db, DESCRIPTIONS)


def undescribed(db: Db) -> list[str]:
    """Tables, views and columns of this file without a row in ``schema_descriptions``."""
    conn = _conn(db)
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


# -- search --------------------------------------------------------------------------------


@overload
def casefold(text: str) -> str: ...
@overload
def casefold(text: None) -> None: ...
def casefold(text: str | None) -> str | None:
    """Unicode case folding (NFC first): ``ҚАЗАҚ`` -> ``қазақ``, unlike SQLite's ``lower()``."""
    return None if text is None else unicodedata.normalize("NFC", text).casefold()


def register_functions(db: Db) -> None:
    """Make ``casefold(text)`` available in SQL on this connection."""
    _conn(db).create_function("casefold", 1, casefold, deterministic=True)


_FTS_SYNTAX = re.compile(r'["*():^+{}]|\b(AND|OR|NOT|NEAR)\b')


def fts_query(query: str) -> str:
    """A search box query as an FTS5 expression.

    Plain words become prefix terms that must all occur (``Каспий`` also finds
    ``Каспийдің``: Kazakh adds suffixes). A query already in FTS5 syntax (quotes,
    ``*``, ``AND``/``OR``/``NOT``/``NEAR``, parentheses, ``column:``) is used as is.
    """
    query = unicodedata.normalize("NFC", query).strip()
    if _FTS_SYNTAX.search(query):
        return query
    return " ".join(f'"{word}"*' for word in query.split())


#: what one FTS5 query may hold: a NEAR of 1,000 prefix terms took 47 s, most of it inside
#: FTS5 calls that SQLite's progress handler cannot interrupt
FTS_LIMITS = {"characters": 500, "terms": 32, "prefix terms": 16, "NEAR groups": 4}
SEARCH_TIME_LIMIT = 5.0  # seconds
_FTS_TOKEN = re.compile(r'"(?:[^"]|"")*"|\w+|\S')
_FTS_OPERATORS = frozenset({"AND", "OR", "NOT"})


class QueryTooComplex(ValueError):
    """A full-text query past ``FTS_LIMITS``."""


class SearchTooSlow(Exception):
    """A search stopped at its time limit."""


def check_fts_query(expression: str) -> None:
    """Raise ``QueryTooComplex`` when an FTS5 expression exceeds ``FTS_LIMITS``: its length,
    its terms (each word of a phrase counts), prefix terms (``word*``) and NEAR groups."""
    counts = dict.fromkeys(FTS_LIMITS, 0)
    counts["characters"] = len(expression)
    if counts["characters"] <= FTS_LIMITS["characters"]:
        tokens = _FTS_TOKEN.findall(expression)
        for n, token in enumerate(tokens):
            following = tokens[n + 1] if n + 1 < len(tokens) else ""
            if token == "NEAR":
                counts["NEAR groups"] += 1
            elif token.startswith('"'):
                counts["terms"] += max(1, len(re.findall(r"\w+", token)))
            elif token[0].isalnum() or token[0] == "_":
                counts["terms"] += token not in _FTS_OPERATORS
            else:
                continue
            counts["prefix terms"] += following == "*"
    for what, limit in FTS_LIMITS.items():
        if counts[what] > limit:
            raise QueryTooComplex(
                f"the query is too complex: {counts[what]} {what}, at most {limit}"
            )


@dataclass
class Hit:
    article_id: int
    published_date: str | None
    title: str | None
    url: str
    snippet: str
    score: float
    authors: list[str]


def _date_bounds(
    since: str | None, until: str | None, site: str | None = None
) -> tuple[list[str], list[Any]]:
    """Conditions (and parameters) on ``a.published_date`` for an ISO date range, and on
    ``a.site`` for one site's articles (its label)."""
    where: list[str] = []
    params: list[Any] = []
    if site is not None:
        where.append("a.site = ?")
        params.append(site)
    if since:
        where.append("a.published_date >= ?")
        params.append(since)
    if until:
        where.append("a.published_date <= ?")
        params.append(until)
    return where, params


def _search_filter(
    query: str, since: str | None, until: str | None, author: str | None, site: str | None = None
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of a search, the query checked first."""
    expression = fts_query(query)
    check_fts_query(expression)
    where, params = _date_bounds(since, until, site)
    where.insert(0, "articles_fts MATCH ?")
    params.insert(0, expression)
    if author:
        where.append(
            "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
            "WHERE aa.article_id = a.id AND instr(casefold(au.name), ?) > 0)"
        )
        params.append(" ".join(casefold(author).split()))
    return " AND ".join(where), params


def _bounded(
    conn: sqlite3.Connection, query: str, sql: str, params: list[Any], time_limit: float
) -> list[tuple[Any, ...]]:
    """Run a search statement, interrupted at ``time_limit`` seconds."""
    deadline = time.monotonic() + time_limit
    conn.set_progress_handler(lambda: time.monotonic() >= deadline, 100)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        if time.monotonic() >= deadline and "interrupt" in str(exc):
            raise SearchTooSlow(
                f"the search was stopped at its time limit ({time_limit:g} s): narrow the query"
            ) from exc
        raise ValueError(f"cannot search for {query!r}: {exc}") from exc
    finally:
        conn.set_progress_handler(None, 0)


def search(
    db: Db,
    query: str,
    since: str | None = None,
    author: str | None = None,
    limit: int = 20,
    markers: tuple[str, str] = ("[", "]"),
    time_limit: float = SEARCH_TIME_LIMIT,
    until: str | None = None,
    site: str | None = None,
) -> list[Hit]:
    """Articles matching ``query`` (FTS5), best first (bm25), with a snippet each.

    ``since``/``until``: published on or after / on or before these ISO dates.
    ``author``: some author's name contains this text, compared case-insensitively
    for all letters. ``site``: only that site's articles (``articles.site``).
    Raises ``ValueError`` for a query FTS5 cannot parse,
    ``QueryTooComplex`` (a ``ValueError``) for one past ``FTS_LIMITS``,
    ``SearchTooSlow`` when it runs past ``time_limit`` seconds.
    """
    conn = _conn(db)
    register_functions(conn)
    where, params = _search_filter(query, since, until, author, site)
    sql = f"""
        SELECT a.id, a.published_date, a.title, a.url,
               snippet(articles_fts, -1, ?, ?, '…', 16), bm25(articles_fts) AS score,
               (SELECT json_group_array(name) FROM (
                    SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id
                    WHERE aa.article_id = a.id ORDER BY aa.position))
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE {where}
        ORDER BY score, a.id
        LIMIT ?
    """
    rows = _bounded(conn, query, sql, [*markers, *params, limit], time_limit)
    return [
        Hit(article_id, date, title, url, " ".join(snippet.split()), score, json.loads(authors))
        for article_id, date, title, url, snippet, score, authors in rows
    ]


def count_matches(
    db: Db,
    query: str,
    since: str | None = None,
    author: str | None = None,
    time_limit: float = SEARCH_TIME_LIMIT,
    until: str | None = None,
    site: str | None = None,
) -> int:
    """How many articles ``search`` would find without its limit (same filters, same bounds)."""
    conn = _conn(db)
    register_functions(conn)
    where, params = _search_filter(query, since, until, author, site)
    sql = (
        "SELECT count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE {where}"
    )
    return int(_bounded(conn, query, sql, params, time_limit)[0][0])


# -- exports -------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "url",
    "site",
    "title",
    "published_date",
    "published_at",
    "category",
    "authors",
    "affiliation",
    "tags",
    "lead",
    "body",
    "word_count",
    "views",
    "image_url",
    "language",
    "version",
    "near_duplicate_of",
    "first_seen_at",
    "last_seen_at",
)

_AUTHORS = (
    "(SELECT json_group_array(name) FROM (SELECT au.name FROM article_authors aa "
    "JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id ORDER BY aa.position))"
)


def export_sql(
    since: str | None = None, until: str | None = None, site: str | None = None
) -> tuple[str, list[str]]:
    """The export query: in publication order through the date index, so no sort in memory."""
    columns = ", ".join(_AUTHORS if c == "authors" else f"a.{c}" for c in EXPORT_COLUMNS)
    where, params = _date_bounds(since, until, site)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {columns} FROM articles a {clause} ORDER BY a.published_date, a.id"
    return sql, params


def iter_articles(
    db: Db, since: str | None = None, until: str | None = None, site: str | None = None
) -> Iterator[dict[str, Any]]:
    """Articles published in [since, until] (ISO dates, both optional), one dict at a time;
    with ``site``, only that site's (its label, ``articles.site``).

    ``authors`` and ``tags`` are lists. With a date bound, undated articles are left out.
    """
    sql, params = export_sql(since, until, site)
    cursor = _conn(db).execute(sql, params)
    for row in cursor:
        record = dict(zip(EXPORT_COLUMNS, row, strict=True))
        record["authors"] = json.loads(record["authors"])
        record["tags"] = json.loads(record["tags"]) if record["tags"] else []
        yield record


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line, UTF-8 as is (no \\u escapes). Returns the count."""
    n = 0
    for n, record in enumerate(records, start=1):  # noqa: B007
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return n


# a spreadsheet runs a cell that starts with one of these as a formula (CSV injection)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: lists joined with ``'; '``, and a text that a spreadsheet would
    run as a formula prefixed with ``'`` (OWASP's advice); numbers and None as they are."""
    if isinstance(value, list):
        value = "; ".join(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """CSV with a header, cells escaped by ``csv_cell``. Open ``out`` as ``utf-8-sig``,
    newline=''."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    n = 0
    for n, record in enumerate(records, start=1):  # noqa: B007
        writer.writerow(csv_cell(record[c]) for c in EXPORT_COLUMNS)
    return n
