"""Streaming exports of an archive's articles: JSONL and CSV, in publication order."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any, TextIO

from kazscraper.archive.queries import Db, connection, date_bounds

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
    where, params = date_bounds(since, until, site)
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
    cursor = connection(db).execute(sql, params)
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
