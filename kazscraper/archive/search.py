"""Full-text search of an archive: Kazakh-aware, ranked, bounded in size and time.

FTS5 with the ``unicode61`` tokenizer (folds the case of Kazakh letters too, keeps ``қ``
apart from ``к``), ranked by bm25, with snippets; the author filter folds case in Python
(``casefold``), because SQLite's ``lower()``/``LIKE`` fold ASCII letters only. Bounded:
``check_fts_query`` refuses a query past ``FTS_LIMITS`` before it runs (FTS5 does a
complex query's work inside single steps that no time limit can interrupt), and a time
limit stops the rest.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from typing import Any, overload

from kazscraper.archive.queries import Db, connection, date_bounds


@overload
def casefold(text: str) -> str: ...
@overload
def casefold(text: None) -> None: ...
def casefold(text: str | None) -> str | None:
    """Unicode case folding (NFC first): ``ҚАЗАҚ`` -> ``қазақ``, unlike SQLite's ``lower()``."""
    return None if text is None else unicodedata.normalize("NFC", text).casefold()


def register_functions(db: Db) -> None:
    """Make ``casefold(text)`` available in SQL on this connection."""
    connection(db).create_function("casefold", 1, casefold, deterministic=True)


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


#: what one FTS5 query may hold: a NEAR of 1,000 prefix terms runs for tens of seconds
#: (47 s measured), most of it inside FTS5 calls that SQLite's progress handler cannot interrupt
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


def _search_filter(
    query: str, since: str | None, until: str | None, author: str | None, site: str | None = None
) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) of a search, the query checked first."""
    expression = fts_query(query)
    check_fts_query(expression)
    where, params = date_bounds(since, until, site)
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
    conn = connection(db)
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
    conn = connection(db)
    register_functions(conn)
    where, params = _search_filter(query, since, until, author, site)
    sql = (
        "SELECT count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
        f"WHERE {where}"
    )
    return int(_bounded(conn, query, sql, params, time_limit)[0][0])
