"""Reading the archive for analysts: views, the schema's descriptions, search, exports.

Pure functions over an open archive (a ``sqlite3.Connection`` or a
``sqlite_utils.Database``); nothing here writes articles. The migration
``m006_views`` in ``archive.py`` calls ``create_views`` and ``describe_schema``.

- ``VIEWS``: ready-made views (``articles_flat``, ``articles_per_month``,
  ``authors_stats``, ``top_news_history``, ``related_edges``). They are
  (re)created with ``DROP VIEW IF EXISTS`` + ``CREATE VIEW``: a later migration
  that changes one calls ``create_views`` again. A view may use only columns
  that exist when the migration calling it runs (an old archive replays them
  in order).
- ``DESCRIPTIONS``: every table, view and column in words, written into the
  table ``schema_descriptions`` so the file explains itself. A migration that
  adds a table or column adds its description here and calls
  ``describe_schema`` again (a test checks that nothing is left undescribed).
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
from typing import Any, TextIO

import sqlite_utils

Db = sqlite3.Connection | sqlite_utils.Database

# -- views ---------------------------------------------------------------------------------

VIEWS: dict[str, str] = {
    "articles_flat": """
        SELECT a.id AS article_id, a.url, a.title, a.published_date, a.category,
               aa.position AS author_position, au.id AS author_id, au.name AS author_name,
               au.surname AS author_surname, au.given AS author_given,
               au.patronymic AS author_patronymic
        FROM articles a
        LEFT JOIN article_authors aa ON aa.article_id = a.id
        LEFT JOIN authors au ON au.id = aa.author_id
    """,
    "articles_per_month": """
        SELECT substr(published_date, 1, 7) AS month, category, count(*) AS count
        FROM articles
        GROUP BY 1, 2
    """,
    "authors_stats": """
        SELECT au.id AS author_id, au.name, count(DISTINCT aa.article_id) AS articles,
               min(a.published_date) AS first_date, max(a.published_date) AS last_date
        FROM authors au
        LEFT JOIN article_authors aa ON aa.author_id = au.id
        LEFT JOIN articles a ON a.id = aa.article_id
        GROUP BY au.id
    """,
    # A page's top-news block is stored only when it differs from the page's previous
    # capture; every fetch of the page (captures: 200 or 304) shows the latest stored set.
    "top_news_history": """
        WITH sets AS (
            SELECT DISTINCT article_id, captured_at FROM related_links WHERE kind = 'top'
        ),
        fetches AS (
            SELECT article_id, captured_at AS seen_at FROM sets
            UNION
            SELECT au.article_id, c.fetched_at
            FROM captures c JOIN article_urls au ON au.url = c.url
            WHERE c.status IN (200, 304) AND au.article_id IN (SELECT article_id FROM sets)
        ),
        shown AS (
            SELECT f.article_id, f.seen_at,
                   (SELECT max(s.captured_at) FROM sets s
                    WHERE s.article_id = f.article_id AND s.captured_at <= f.seen_at) AS set_at
            FROM fetches f
        )
        SELECT r.url, max(r.title) AS title,
               coalesce(max(r.linked_article_id),
                        (SELECT u.article_id FROM article_urls u WHERE u.url = r.url))
                   AS linked_article_id,
               min(sh.seen_at) AS first_seen, max(sh.seen_at) AS last_seen,
               count(DISTINCT substr(sh.seen_at, 1, 10)) AS days_in_top,
               min(r.rank) AS best_rank, max(r.rank) AS worst_rank,
               count(DISTINCT sh.article_id || ' ' || sh.seen_at) AS times_seen
        FROM shown sh
        JOIN related_links r ON r.kind = 'top' AND r.article_id = sh.article_id
             AND r.captured_at = sh.set_at
        GROUP BY coalesce(r.url, r.title)
    """,
    "related_edges": """
        SELECT r.article_id AS from_article_id, a.url AS from_url, r.url AS to_url,
               coalesce(max(r.linked_article_id),
                        (SELECT u.article_id FROM article_urls u WHERE u.url = r.url))
                   AS to_article_id,
               max(r.title) AS to_title, r.kind, min(r.rank) AS best_rank,
               min(r.captured_at) AS first_captured_at, max(r.captured_at) AS last_captured_at
        FROM related_links r JOIN articles a ON a.id = r.article_id
        GROUP BY r.article_id, coalesce(r.url, r.title), r.kind
    """,
}


def _conn(db: Db) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def create_views(db: Db) -> None:
    """(Re)create every view in ``VIEWS``."""
    conn = _conn(db)
    for name, sql in VIEWS.items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(f"CREATE VIEW {name} AS {sql.strip()}")


# -- descriptions --------------------------------------------------------------------------

_SEEN = "UTC fetch time of the first capture"
_LAST = "UTC fetch time of the latest capture"

# table or view -> (what it is, {column: meaning})
DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "articles": (
        "One row per canonical article (its other URLs are in article_urls).",
        {
            "id": "integer primary key",
            "url": "canonical URL (unique): https://qazdauiri.kz/news/<slug>",
            "site": "site profile name (qazdauiri)",
            "title": "headline, cleaned",
            "body": "article text, paragraphs separated by a blank line; no signature",
            "lead": "the first paragraph",
            "published_date": "publication date YYYY-MM-DD (site time zone), NULL if none",
            "published_at": "publication timestamp with offset when the page gives a time",
            "date_raw": "the text the date was read from (11.12.2025)",
            "modified_at": "last modification date declared by the page, if any",
            "category": "section name as the site shows it (Қоғам)",
            "tags": "JSON array of tags",
            "image_url": "main image",
            "views": "view count shown on the article page, if any",
            "language": "language code (kk)",
            "affiliation": "the affiliation line of the signature block",
            "word_count": "words in body",
            "content_hash": "SHA-256 of title and body; a change makes a new version",
            "version": "1 for the first capture, +1 at every change of title or body",
            "fetched_url": "the URL last fetched for it (may be a mirror)",
            "first_seen_at": _SEEN,
            "last_seen_at": _LAST,
            "duplicate_of": "reserved (identical texts are aliases in article_urls)",
            "near_duplicate_of": "articles.id of the earlier article this one nearly repeats",
            "extraction": "JSON: for each field, the extraction layer that gave it",
            "crawl_id": "crawls.id of the run that last wrote the row",
            "etag": "HTTP validator of the last capture (sent back as If-None-Match)",
        },
    ),
    "authors": (
        "One row per person (however the site capitalises the name).",
        {
            "id": "integer primary key",
            "name": "display name in normal case (Ахметова Зауреш Болатхановна)",
            "name_key": "identity key: the name NFC-normalised and case-folded",
            "surname": "surname, NULL when unknown",
            "given": "given name, NULL when unknown",
            "patronymic": "patronymic, NULL when unknown",
        },
    ),
    "article_authors": (
        "Which authors signed which article.",
        {
            "article_id": "articles.id",
            "author_id": "authors.id",
            "position": "order of the author in the signature (1-based)",
        },
    ),
    "article_urls": (
        "Every URL that led to an article (canonical, mirror, tracking parameters, aliases).",
        {
            "url": "the URL (primary key)",
            "article_id": "articles.id",
            "first_seen_at": "UTC time the URL was first seen",
            "last_seen_at": "UTC time the URL was last seen",
        },
    ),
    "article_versions": (
        "Earlier texts of edited articles (the current text stays in articles).",
        {
            "id": "integer primary key",
            "article_id": "articles.id",
            "version": "the version number this text had",
            "title": "headline of that version",
            "body": "text of that version",
            "content_hash": "SHA-256 of that title and body",
            "first_seen_at": "UTC time that version was first fetched",
            "superseded_at": "UTC time a changed text replaced it",
        },
    ),
    "related_links": (
        "Similar-news and top-news entries of article pages, one row per entry and capture "
        "(a new set only when the block changed since the page's last capture).",
        {
            "id": "integer primary key",
            "article_id": "articles.id of the page the block was on",
            "kind": "similar («Ұқсас жаңалықтар») or top («Топ жаңалықтар»)",
            "rank": "position in the block (the rank the site shows, for top news)",
            "url": "canonical URL of the linked article (NULL for non-http links)",
            "title": "title as the block shows it",
            "author": "author as the block shows it (normal case)",
            "date": "date as the block shows it (ISO)",
            "views": "view count as the block shows it",
            "linked_article_id": "articles.id of the linked article when archived",
            "captured_at": "UTC fetch time of the page",
        },
    ),
    "crawls": (
        "One row per run of crawl, demo or reparse.",
        {
            "id": "integer primary key",
            "started_at": "UTC start time",
            "finished_at": "UTC end time (NULL while running or if killed)",
            "site": "site profile name",
            "command": "crawl, demo or reparse",
            "arguments": "JSON: the run's options",
            "status": "running, ok, unhealthy or failed (running left behind: killed)",
            "finish_reason": "Scrapy's finish reason",
            "exit_code": "the command's exit code",
            "pages_fetched": "HTTP responses received",
            "articles_new": "articles stored for the first time",
            "articles_updated": "articles whose text changed (a new version)",
            "articles_unchanged": "articles fetched again with the same text",
            "duplicates": "pages that were another article under another URL",
            "failures": "URLs that failed in this run",
            "http_statuses": "JSON: HTTP status -> count",
            "fill_rates": "JSON: field -> share of the run's article pages that had it",
            "verdict": "the run's outcome in words",
            "extraction_layers": "JSON: field:layer -> pages served by that extraction layer",
        },
    ),
    "failures": (
        "URLs that did not become articles (removed when a later run stores them).",
        {
            "url": "the URL (primary key)",
            "stage": "discovery, fetch, extract or validate",
            "reason": "what went wrong",
            "http_status": "HTTP status, if there was a response",
            "attempts": "how many runs failed on it",
            "first_seen_at": "UTC time of the first failure",
            "last_seen_at": "UTC time of the latest failure",
            "crawl_id": "crawls.id of the latest failing run",
        },
    ),
    "frontier": (
        "Article URLs found by a run but not stored yet (a killed run's successor takes them).",
        {"url": "the URL (primary key)", "found_at": "UTC time it was found"},
    ),
    "captures": (
        "Index of the raw archive: one row per WARC response or revisit record.",
        {
            "id": "integer primary key",
            "url": "the URL fetched",
            "status": "HTTP status",
            "fetched_at": "UTC fetch time",
            "record_type": "response, or revisit (same payload as before, or HTTP 304)",
            "warc_file": "file name inside archive/warc/",
            "offset": "byte offset of the record's gzip member in the WARC file",
            "length": "length of that gzip member in bytes",
            "payload_digest": "sha1: base32 digest of the payload, as in the WARC header",
            "content_type": "Content-Type of the response",
        },
    ),
    "article_minhash": (
        "MinHash signature of each body, for near-duplicate detection.",
        {
            "article_id": "articles.id (primary key)",
            "signature": "datasketch LeanMinHash, serialised",
        },
    ),
    "article_lsh": (
        "Locality-sensitive hashing index of the MinHash signatures: articles sharing a "
        "(band, bucket) are near-duplicate candidates.",
        {
            "band": "which slice of the signature (0-13)",
            "bucket": "63-bit hash of that slice",
            "article_id": "articles.id",
        },
    ),
    "articles_fts": (
        "Full-text index (FTS5, unicode61 tokenizer: case-insensitive for Kazakh letters) "
        "over articles.title and articles.body; rowid = articles.id. "
        "Query: WHERE articles_fts MATCH 'Каспий*' ORDER BY rank.",
        {"title": "indexed articles.title", "body": "indexed articles.body"},
    ),
    "articles_fts_data": (
        "FTS5 internal storage of articles_fts (do not edit).",
        {"id": "FTS5 internal", "block": "FTS5 internal"},
    ),
    "articles_fts_idx": (
        "FTS5 internal storage of articles_fts (do not edit).",
        {"segid": "FTS5 internal", "term": "FTS5 internal", "pgno": "FTS5 internal"},
    ),
    "articles_fts_docsize": (
        "FTS5 internal storage of articles_fts (do not edit).",
        {"id": "FTS5 internal", "sz": "FTS5 internal"},
    ),
    "articles_fts_config": (
        "FTS5 internal configuration of articles_fts (do not edit).",
        {"k": "FTS5 internal", "v": "FTS5 internal"},
    ),
    "_sqlite_migrations": (
        "Schema migrations applied to this file (sqlite-utils); an older archive upgrades "
        "in place when opened.",
        {
            "id": "integer primary key",
            "migration_set": "kazscraper",
            "name": "migration name (m001_initial, ...)",
            "applied_at": "UTC time it was applied",
        },
    ),
    "schema_descriptions": (
        "This table: every table, view and column of the archive in words.",
        {
            "table_name": "table or view",
            "column_name": "column, or NULL for the table or view itself",
            "description": "what it holds",
        },
    ),
    "articles_flat": (
        "View: one row per article and author (an article with no author: one row, "
        "author columns NULL).",
        {
            "article_id": "articles.id",
            "url": "canonical URL",
            "title": "headline",
            "published_date": "publication date YYYY-MM-DD",
            "category": "section name",
            "author_position": "order in the signature (1-based)",
            "author_id": "authors.id",
            "author_name": "author's display name",
            "author_surname": "author's surname",
            "author_given": "author's given name",
            "author_patronymic": "author's patronymic",
        },
    ),
    "articles_per_month": (
        "View: articles per publication month and category.",
        {
            "month": "YYYY-MM of published_date (NULL: no date)",
            "category": "section name (NULL: none)",
            "count": "number of articles",
        },
    ),
    "authors_stats": (
        "View: each author with their article count and first/last publication dates.",
        {
            "author_id": "authors.id",
            "name": "display name",
            "articles": "number of articles signed",
            "first_date": "earliest published_date",
            "last_date": "latest published_date",
        },
    ),
    "top_news_history": (
        "View: each article that appeared in the «Топ жаңалықтар» block — when and at which "
        "ranks. Every fetch of a page (captures) counts, showing the page's latest stored block.",
        {
            "url": "URL of the article in the top list",
            "title": "its title as the block shows it",
            "linked_article_id": "articles.id when it is archived",
            "first_seen": "UTC time of the first page fetch showing it in the top list",
            "last_seen": "UTC time of the latest page fetch showing it in the top list",
            "days_in_top": "distinct UTC days on which it was seen in the top list",
            "best_rank": "highest position (1 = first)",
            "worst_rank": "lowest position",
            "times_seen": "page fetches that showed it in the top list",
        },
    ),
    "related_edges": (
        "View: the related-news graph, one edge per page, linked article and kind.",
        {
            "from_article_id": "articles.id of the page with the block",
            "from_url": "its canonical URL",
            "to_url": "URL of the linked article",
            "to_article_id": "articles.id of the linked article when archived",
            "to_title": "title as the block shows it",
            "kind": "similar or top",
            "best_rank": "highest position it had in the block",
            "first_captured_at": "UTC time the link was first captured",
            "last_captured_at": "UTC time the link was last captured",
        },
    ),
}


def describe_schema(db: Db) -> None:
    """Fill ``schema_descriptions`` from ``DESCRIPTIONS`` (for what exists in this file)."""
    conn = _conn(db)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_descriptions ("
        "table_name TEXT NOT NULL, column_name TEXT, description TEXT NOT NULL)"
    )
    conn.execute("DELETE FROM schema_descriptions")
    existing = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        )
    }
    rows: list[tuple[str, str | None, str]] = []
    for table, (about, columns) in DESCRIPTIONS.items():
        if table not in existing:
            continue
        present = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        rows.append((table, None, about))
        rows.extend((table, col, text) for col, text in columns.items() if col in present)
    conn.executemany("INSERT INTO schema_descriptions VALUES (?, ?, ?)", rows)


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


def search(
    db: Db,
    query: str,
    since: str | None = None,
    author: str | None = None,
    limit: int = 20,
    markers: tuple[str, str] = ("[", "]"),
    time_limit: float = SEARCH_TIME_LIMIT,
) -> list[Hit]:
    """Articles matching ``query`` (FTS5), best first (bm25), with a snippet each.

    ``since``: published on or after this ISO date. ``author``: some author's
    name contains this text, compared case-insensitively for all letters.
    Raises ``ValueError`` for a query FTS5 cannot parse, ``QueryTooComplex`` (a
    ``ValueError``) for one past ``FTS_LIMITS``, ``SearchTooSlow`` when it runs past
    ``time_limit`` seconds.
    """
    conn = _conn(db)
    register_functions(conn)
    expression = fts_query(query)
    check_fts_query(expression)
    where, params = ["articles_fts MATCH ?"], [expression]
    if since:
        where.append("a.published_date >= ?")
        params.append(since)
    if author:
        where.append(
            "EXISTS (SELECT 1 FROM article_authors aa JOIN authors au ON au.id = aa.author_id "
            "WHERE aa.article_id = a.id AND instr(casefold(au.name), ?) > 0)"
        )
        params.append(" ".join(casefold(author).split()))
    sql = f"""
        SELECT a.id, a.published_date, a.title, a.url,
               snippet(articles_fts, -1, ?, ?, '…', 16), bm25(articles_fts) AS score,
               (SELECT json_group_array(name) FROM (
                    SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id
                    WHERE aa.article_id = a.id ORDER BY aa.position))
        FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
        WHERE {" AND ".join(where)}
        ORDER BY score, a.id
        LIMIT ?
    """
    deadline = time.monotonic() + time_limit
    conn.set_progress_handler(lambda: time.monotonic() >= deadline, 100)
    try:
        rows = conn.execute(sql, [*markers, *params, limit]).fetchall()
    except sqlite3.OperationalError as exc:
        if time.monotonic() >= deadline and "interrupt" in str(exc):
            raise SearchTooSlow(
                f"the search was stopped at its time limit ({time_limit:g} s): narrow the query"
            ) from exc
        raise ValueError(f"cannot search for {query!r}: {exc}") from exc
    finally:
        conn.set_progress_handler(None, 0)
    return [
        Hit(*row[:4], " ".join(row[4].split()), row[5], authors=json.loads(row[6])) for row in rows
    ]


# -- exports -------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "id",
    "url",
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


def export_sql(since: str | None = None, until: str | None = None) -> tuple[str, list[str]]:
    """The export query: in publication order through the date index, so no sort in memory."""
    columns = ", ".join(_AUTHORS if c == "authors" else f"a.{c}" for c in EXPORT_COLUMNS)
    where, params = [], []
    if since:
        where.append("a.published_date >= ?")
        params.append(since)
    if until:
        where.append("a.published_date <= ?")
        params.append(until)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    sql = f"SELECT {columns} FROM articles a {clause} ORDER BY a.published_date, a.id"
    return sql, params


def iter_articles(
    db: Db, since: str | None = None, until: str | None = None
) -> Iterator[dict[str, Any]]:
    """Articles published in [since, until] (ISO dates, both optional), one dict at a time.

    ``authors`` and ``tags`` are lists. With a date bound, undated articles are left out.
    """
    sql, params = export_sql(since, until)
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
