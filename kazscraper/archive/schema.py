"""The archive's views and column descriptions: each migration's frozen copy, and the current ones.

A migration (``archive.migrate``) that creates views or writes ``schema_descriptions``
passes its own copy from here (``VIEWS_M006``, ``DESCRIPTIONS_M006`` … ``DESCRIPTIONS_M010``):
a released copy is never edited, so replaying an old migration always means the same
thing. A change to a view or a description is a new copy (``DESCRIPTIONS_M010`` extends
``DESCRIPTIONS_M009``) and a new migration that applies it; ``VIEWS`` and
``DESCRIPTIONS`` at the bottom name the latest. ``create_views`` and ``describe_schema``
apply a copy to a database.

This module imports nothing of the project.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

Db = sqlite3.Connection | sqlite_utils.Database
Descriptions = dict[str, tuple[str, dict[str, str]]]


def _conn(db: Db) -> sqlite3.Connection:
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def create_views(db: Db, views: dict[str, str]) -> None:
    """(Re)create each view of ``views`` (``DROP VIEW IF EXISTS`` + ``CREATE VIEW``)."""
    conn = _conn(db)
    for name, sql in views.items():
        conn.execute(f"DROP VIEW IF EXISTS {name}")
        conn.execute(f"CREATE VIEW {name} AS {sql.strip()}")


def describe_schema(db: Db, descriptions: Descriptions) -> None:
    """Fill ``schema_descriptions`` from ``descriptions`` (for what exists in this file)."""
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
    for table, (about, columns) in descriptions.items():
        if table not in existing:
            continue
        present = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        rows.append((table, None, about))
        rows.extend((table, col, text) for col, text in columns.items() if col in present)
    conn.executemany("INSERT INTO schema_descriptions VALUES (?, ?, ?)", rows)


# -- the views and descriptions of m006 (frozen) -------------------------------------------

# -- views ---------------------------------------------------------------------------------

VIEWS_M006: dict[str, str] = {
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


_SEEN = "UTC fetch time of the first capture"
_LAST = "UTC fetch time of the latest capture"

# table or view -> (what it is, {column: meaning})
DESCRIPTIONS_M006: Descriptions = {
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


#: m008 adds the LSH table's description (frozen)
DESCRIPTIONS_M008: Descriptions = {
    **DESCRIPTIONS_M006,
    "article_lsh": (
        "Locality-sensitive hashing index of the MinHash signatures: articles sharing a "
        "(band, bucket) are near-duplicate candidates.",
        {
            "band": "which slice of the signature (0-13)",
            "bucket": "63-bit hash of that slice",
            "article_id": "articles.id",
        },
    ),
}

# -- m009 (frozen): the run's accounting, and anomalies kept apart from failures ---------------

DESCRIPTIONS_M009: Descriptions = {
    **DESCRIPTIONS_M008,
    "crawls": (
        DESCRIPTIONS_M008["crawls"][0],
        {
            **DESCRIPTIONS_M008["crawls"][1],
            "scheduled_articles": "article URLs the run scheduled (fetched or known)",
            "unaccounted": "scheduled article URLs that ended the run neither as an article "
            "(articles, article_urls), a failure nor in the frontier: must be 0",
            "damaged_records": "WARC records skipped as damaged or too large (reparse)",
        },
    ),
    "anomalies": (
        "Captures that were not stored as they came, and why (a revisit that lost fields "
        "the stored version had, a soft 404): the stored values were kept.",
        {
            "id": "integer primary key",
            "url": "the URL fetched",
            "kind": "metadata_lost (fields missing that the stored version had)",
            "detail": "what was wrong, in words",
            "article_id": "articles.id of the article kept as it was",
            "seen_at": "UTC fetch time of the capture",
            "crawl_id": "crawls.id of the run",
        },
    ),
}


# -- m010 (frozen): several sites in one archive ----------------------------------------------

_SITE_LABEL = (
    "the site's label: a site profile's name (qazdauiri), or for a site read with the generic "
    "profile its host, with the port when not the scheme's default (abai.kz, 127.0.0.1:8002)"
)

DESCRIPTIONS_M010: Descriptions = {
    **DESCRIPTIONS_M009,
    "articles": (
        DESCRIPTIONS_M009["articles"][0],
        {**DESCRIPTIONS_M009["articles"][1], "site": _SITE_LABEL},
    ),
    "crawls": (
        DESCRIPTIONS_M009["crawls"][0],
        {
            **DESCRIPTIONS_M009["crawls"][1],
            "site": "the label of the site crawled (articles.site); a run of several sites "
            "lists their labels, comma-separated",
        },
    ),
}


#: the current views and descriptions (the latest migration's copies)
VIEWS = VIEWS_M006
DESCRIPTIONS = DESCRIPTIONS_M010
