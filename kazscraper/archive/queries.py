"""Read-only questions about an archive, for the CLI (which holds no SQL).

Search and export live in ``kazscraper.analysis``; this module answers
``kazscraper stats``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

SUMMARY_TABLES = (
    "articles",
    "authors",
    "article_urls",
    "article_versions",
    "related_links",
    "failures",
)


@dataclass
class RunRow:
    """One recent run, as ``kazscraper stats`` shows it."""

    id: int
    started_at: str
    command: str | None
    status: str
    pages_fetched: int | None
    articles_new: int | None
    articles_updated: int | None
    articles_unchanged: int | None
    failures: int | None
    fill_rates: dict[str, float | None] = field(default_factory=dict)


@dataclass
class ArchiveSummary:
    counts: dict[str, int]
    first_published: str | None
    last_published: str | None
    categories: list[tuple[str, int]]
    runs: list[RunRow]


def summary(db: sqlite_utils.Database, runs: int = 10) -> ArchiveSummary:
    """Counts per table, the publication date range, articles per category, the last runs."""
    first, last = db.execute(
        "SELECT min(published_date), max(published_date) FROM articles"
    ).fetchone()
    categories = [
        (name, n)
        for name, n in db.execute(
            "SELECT coalesce(category, '(none)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
        )
    ]
    recent = [
        RunRow(*row[:-1], fill_rates=json.loads(row[-1] or "{}"))
        for row in db.execute(
            "SELECT id, started_at, command, status, pages_fetched, articles_new, "
            "articles_updated, articles_unchanged, failures, fill_rates "
            "FROM crawls ORDER BY id DESC LIMIT ?",
            [runs],
        )
    ]
    counts = {table: db[table].count for table in SUMMARY_TABLES}
    return ArchiveSummary(counts, first, last, categories, recent)


def crawl_row(db: sqlite_utils.Database, crawl_id: int) -> dict[str, Any] | None:
    """One row of ``crawls`` as a dict (None if there is none)."""
    rows = list(db.query("SELECT * FROM crawls WHERE id = ?", [crawl_id]))
    return rows[0] if rows else None
