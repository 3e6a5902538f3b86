"""The archive's migrations, m001 to m011: each frozen with the SQL it ran that day.

sqlite-utils ``Migrations`` apply these in order (an older archive upgrades in
place); they run only under the archive's run lock (``crawler.run_lock``) or on a
file that no crawl can be writing (a new file, a test's). A migration is frozen
once released: it carries its own SQL, and the views and descriptions it writes
are its own copies in ``archive.schema`` (``VIEWS_M006``, ``DESCRIPTIONS_M008`` …),
never the current ones, so replaying it on an old archive always means the same thing.

This module imports nothing of the project but ``archive.schema`` (and, in m008 only,
``archive.neardup``).
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils import Migrations

from kazscraper.archive.schema import (
    DESCRIPTIONS_M006,
    DESCRIPTIONS_M008,
    DESCRIPTIONS_M009,
    DESCRIPTIONS_M010,
    VIEWS_M006,
    create_views,
    describe_schema,
)

migrations = Migrations("kazscraper")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            site TEXT NOT NULL,
            title TEXT,
            body TEXT,
            lead TEXT,
            published_date TEXT,
            published_at TEXT,
            date_raw TEXT,
            modified_at TEXT,
            category TEXT,
            tags TEXT,
            image_url TEXT,
            views INTEGER,
            language TEXT,
            affiliation TEXT,
            word_count INTEGER,
            content_hash TEXT,
            version INTEGER NOT NULL DEFAULT 1,
            fetched_url TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            duplicate_of INTEGER REFERENCES articles(id),
            near_duplicate_of INTEGER REFERENCES articles(id),
            extraction TEXT,
            crawl_id INTEGER REFERENCES crawls(id)
        );
        CREATE INDEX idx_articles_published_date ON articles(published_date);
        CREATE INDEX idx_articles_category ON articles(category);

        CREATE TABLE authors (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            name_key TEXT NOT NULL UNIQUE,
            surname TEXT,
            given TEXT,
            patronymic TEXT
        );
        CREATE TABLE article_authors (
            article_id INTEGER NOT NULL REFERENCES articles(id),
            author_id INTEGER NOT NULL REFERENCES authors(id),
            position INTEGER NOT NULL,
            PRIMARY KEY (article_id, position)
        );
        CREATE INDEX idx_article_authors_author ON article_authors(author_id);

        CREATE TABLE article_urls (
            url TEXT PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL
        );
        CREATE INDEX idx_article_urls_article ON article_urls(article_id);

        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            version INTEGER NOT NULL,
            title TEXT,
            body TEXT,
            content_hash TEXT,
            first_seen_at TEXT,
            superseded_at TEXT NOT NULL,
            UNIQUE (article_id, version)
        );

        CREATE TABLE related_links (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL CHECK (kind IN ('similar', 'top')),
            rank INTEGER NOT NULL,
            url TEXT,
            title TEXT NOT NULL,
            author TEXT,
            date TEXT,
            views INTEGER,
            linked_article_id INTEGER REFERENCES articles(id),
            captured_at TEXT NOT NULL
        );
        CREATE INDEX idx_related_links_article ON related_links(article_id, kind, rank);
        CREATE INDEX idx_related_links_url ON related_links(url);

        CREATE TABLE crawls (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            site TEXT NOT NULL,
            command TEXT,
            arguments TEXT,
            status TEXT NOT NULL DEFAULT 'running',
            finish_reason TEXT,
            exit_code INTEGER,
            pages_fetched INTEGER,
            articles_new INTEGER,
            articles_updated INTEGER,
            articles_unchanged INTEGER,
            duplicates INTEGER,
            failures INTEGER,
            http_statuses TEXT,
            fill_rates TEXT
        );

        CREATE TABLE failures (
            url TEXT PRIMARY KEY,
            stage TEXT NOT NULL,
            reason TEXT NOT NULL,
            http_status INTEGER,
            attempts INTEGER NOT NULL DEFAULT 1,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            crawl_id INTEGER REFERENCES crawls(id)
        );
        """
    )
    db.table("articles").enable_fts(["title", "body"], create_triggers=True)


@migrations()
def m002_incremental(db: sqlite_utils.Database) -> None:
    """Scheduled crawls: HTTP validators, the frontier of found-but-unfetched URLs, verdicts."""
    db.executescript(
        """
        ALTER TABLE articles ADD COLUMN etag TEXT;
        ALTER TABLE crawls ADD COLUMN verdict TEXT;
        CREATE TABLE frontier (
            url TEXT PRIMARY KEY,
            found_at TEXT NOT NULL
        );
        """
    )


@migrations()
def m003_captures(db: sqlite_utils.Database) -> None:
    """The index of the raw archive: one row per WARC response or revisit record."""
    db.executescript(
        """
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            record_type TEXT NOT NULL CHECK (record_type IN ('response', 'revisit')),
            warc_file TEXT NOT NULL,
            offset INTEGER NOT NULL,
            length INTEGER NOT NULL,
            payload_digest TEXT NOT NULL,
            content_type TEXT
        );
        CREATE INDEX idx_captures_url ON captures(url, id);
        """
    )


@migrations()
def m004_near_duplicates(db: sqlite_utils.Database) -> None:
    """MinHash signatures of article bodies, for near-duplicate detection."""
    db.executescript(
        """
        CREATE TABLE article_minhash (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id),
            signature BLOB NOT NULL
        );
        CREATE INDEX idx_articles_near_duplicate_of ON articles(near_duplicate_of);
        """
    )


@migrations()
def m005_extraction_layers(db: sqlite_utils.Database) -> None:
    """Per run, how many pages each extraction layer served, field by field."""
    db.executescript("ALTER TABLE crawls ADD COLUMN extraction_layers TEXT;")


@migrations()
def m006_views(db: sqlite_utils.Database) -> None:
    """Views for analysts and ``schema_descriptions`` (every table and column in words)."""
    create_views(db, VIEWS_M006)
    describe_schema(db, DESCRIPTIONS_M006)


@migrations()
def m007_content_hash_index(db: sqlite_utils.Database) -> None:
    """Finding an article by its text (aliases) scanned the whole table once per new article."""
    db.executescript(
        "CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);"
    )


@migrations()
def m008_lsh_in_sqlite(db: sqlite_utils.Database) -> None:
    """The near-duplicate LSH index as a table, filled from the stored signatures, so that a
    crawl's memory does not grow with the archive."""
    db.executescript(
        """
        CREATE TABLE article_lsh (
            band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id)
        );
        CREATE INDEX idx_article_lsh_bucket ON article_lsh(band, bucket);
        CREATE INDEX idx_article_lsh_article ON article_lsh(article_id);
        """
    )
    from kazscraper.archive import neardup  # NumPy: imported by the migration only

    rows = db.execute("SELECT article_id, signature FROM article_minhash").fetchall()
    db.conn.executemany(
        "INSERT INTO article_lsh (band, bucket, article_id) VALUES (?, ?, ?)",
        [
            (band, bucket, article_id)
            for article_id, data in rows
            for band, bucket in neardup.band_keys(neardup.from_bytes(data))
        ],
    )
    describe_schema(db, DESCRIPTIONS_M008)


@migrations()
def m009_accounting(db: sqlite_utils.Database) -> None:
    """Every scheduled article URL accounted for; damaged WARC records counted; anomalies."""
    db.executescript(
        """
        ALTER TABLE crawls ADD COLUMN scheduled_articles INTEGER;
        ALTER TABLE crawls ADD COLUMN unaccounted INTEGER;
        ALTER TABLE crawls ADD COLUMN damaged_records INTEGER;
        CREATE TABLE anomalies (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id),
            seen_at TEXT NOT NULL,
            crawl_id INTEGER REFERENCES crawls(id)
        );
        CREATE INDEX idx_anomalies_url ON anomalies(url);
        """
    )
    describe_schema(db, DESCRIPTIONS_M009)


@migrations()
def m010_sites(db: sqlite_utils.Database) -> None:
    """Several sites in one archive: ``articles.site`` is filtered on (stats, search, export,
    report ``--site``), so it is indexed; the site columns described as labels."""
    db.executescript("CREATE INDEX IF NOT EXISTS idx_articles_site ON articles(site);")
    describe_schema(db, DESCRIPTIONS_M010)


@migrations()
def m011_foreign_key_indexes(db: sqlite_utils.Database) -> None:
    """Every column that refers to an article is indexed. Without an index on
    ``articles.duplicate_of``, emptying ``articles`` (reparse) made SQLite's foreign-key
    check scan the whole table once per deleted row: quadratic (3,000 articles 4.2 s,
    20,000 about 200 s). The two others answer "what refers to this article" at once."""
    db.executescript(
        """
        CREATE INDEX IF NOT EXISTS idx_articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX IF NOT EXISTS idx_related_links_linked ON related_links(linked_article_id);
        CREATE INDEX IF NOT EXISTS idx_anomalies_article ON anomalies(article_id);
        """
    )
