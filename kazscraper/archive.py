"""The SQLite archive: schema, migrations and writes (through sqlite-utils).

One file per site. The schema is created and upgraded by sqlite-utils
``Migrations`` (applied on every open, so an older archive upgrades in place).
Writes come in batches, one transaction each; the database runs in WAL mode
with a busy timeout so analysts can read while a crawl writes, and a killed
crawl loses at most the batch in flight, never the file's consistency.

Tables (documented for analysts in README.md):
``articles``, ``authors``, ``article_authors``, ``article_urls``,
``article_versions``, ``related_links``, ``crawls``, ``failures`` and the FTS5
index ``articles_fts`` over title and body.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import sqlite_utils
from sqlite_utils import Migrations

from kazscraper import analysis, neardup
from kazscraper.extract.names import name_key
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.warc import Capture

Outcome = Literal["new", "updated", "unchanged", "alias"]
BUSY_TIMEOUT_MS = 30_000

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
    db["articles"].enable_fts(["title", "body"], create_triggers=True)


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
    analysis.create_views(db)
    analysis.describe_schema(db)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@migrations()
def m007_content_hash_index(db: sqlite_utils.Database) -> None:
    """Finding an article by its text (aliases) scanned the whole table once per new article."""
    db.executescript(
        "CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);"
    )


@migrations()
def m008_lsh_in_sqlite(db: sqlite_utils.Database) -> None:
    """The near-duplicate LSH index as a table, filled from the stored signatures: a crawl's
    memory no longer grows with the archive."""
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
    rows = db.execute("SELECT article_id, signature FROM article_minhash").fetchall()
    db.conn.executemany(
        "INSERT INTO article_lsh (band, bucket, article_id) VALUES (?, ?, ?)",
        [
            (band, bucket, article_id)
            for article_id, data in rows
            for band, bucket in neardup.band_keys(neardup.from_bytes(data))
        ],
    )
    analysis.describe_schema(db)


def content_hash(title: str | None, body: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{body or ''}".encode()).hexdigest()


class ArchiveError(Exception):
    """The archive file cannot be opened or written (wrong file, read-only, full disk)."""


class Archive:
    """An open archive file. Use as a context manager or call ``close``."""

    def __init__(self, path: str | Path, site: str = "qazdauiri") -> None:
        self.path = Path(path)
        self.site = site
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise ArchiveError(f"cannot use {self.path} as an archive: {exc}") from exc
        except OSError as exc:
            raise ArchiveError(f"cannot create the archive at {self.path}: {exc}") from exc

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- crawls ----------------------------------------------------------------------

    def begin_crawl(self, command: str, arguments: dict[str, Any]) -> int:
        with self.db.atomic():
            row = self.db["crawls"].insert(
                {
                    "started_at": utc_now(),
                    "site": self.site,
                    "command": command,
                    "arguments": json.dumps(arguments, ensure_ascii=False, sort_keys=True),
                    "status": "running",
                }
            )
        return int(row.last_pk)

    def finish_crawl(self, crawl_id: int, **fields: Any) -> None:
        values = {
            k: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict) else v
            for k, v in fields.items()
        }
        with self.db.atomic():
            self.db["crawls"].update(crawl_id, {"finished_at": utc_now(), **values})

    # -- failures and aliases --------------------------------------------------------

    def record_failure(
        self,
        url: str,
        stage: str,
        reason: str,
        http_status: int | None = None,
        crawl_id: int | None = None,
    ) -> None:
        now = utc_now()
        with self.db.atomic():
            self.db.execute(
                """
                INSERT INTO failures (url, stage, reason, http_status, attempts,
                                      first_seen_at, last_seen_at, crawl_id)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?)
                ON CONFLICT(url) DO UPDATE SET
                    stage = excluded.stage, reason = excluded.reason,
                    http_status = excluded.http_status, attempts = attempts + 1,
                    last_seen_at = excluded.last_seen_at, crawl_id = excluded.crawl_id
                """,
                [url, stage, reason[:2000], http_status, now, now, crawl_id],
            )
            self.db.execute("DELETE FROM frontier WHERE url = ?", [url])

    def record_alias(self, alias_url: str, canonical: str, seen_at: str) -> bool:
        """Point ``alias_url`` at the article stored under ``canonical``; False if none is."""
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [canonical]).fetchone()
        if row is None:
            return False
        with self.db.atomic():
            self._touch_url(alias_url, row[0], seen_at)
        return True

    # -- articles --------------------------------------------------------------------

    def write_batch(
        self, articles: Iterable[tuple[Article, Iterable[str]]], crawl_id: int | None = None
    ) -> list[Outcome]:
        """Store articles (each with the extra URLs that led to it) in one transaction."""
        with self.db.atomic():
            return [self._store(article, aliases, crawl_id) for article, aliases in articles]

    def _store(self, article: Article, aliases: Iterable[str], crawl_id: int | None) -> Outcome:
        seen = article.fetched_at or utc_now()
        digest = content_hash(article.title, article.body)
        existing = self.db.execute(
            "SELECT id, content_hash, version, title, body, first_seen_at, last_seen_at "
            "FROM articles WHERE url = ?",
            [article.url],
        ).fetchone()
        record = self._article_row(article, digest, seen, crawl_id)
        same_text = None
        if existing is None:
            same_text = self.db.execute(
                "SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1", [digest]
            ).fetchone()
        if same_text is not None:
            # the same article under another URL: one row, one more address
            for url in {article.url, article.fetched_url, *aliases}:
                self._touch_url(url, same_text[0], seen)
            self._done_with(article.url, article.fetched_url)
            return "alias"
        if existing is None:
            article_id = int(self.db["articles"].insert({**record, "first_seen_at": seen}).last_pk)
            outcome: Outcome = "new"
        else:
            article_id, old_hash, version, old_title, old_body, first_seen, _last = existing
            if old_hash == digest:
                outcome = "unchanged"
                keep = ("last_seen_at", "views", "fetched_url", "crawl_id", "etag")
                record = {k: record[k] for k in keep}
            else:
                outcome = "updated"
                self.db["article_versions"].insert(
                    {
                        "article_id": article_id,
                        "version": version,
                        "title": old_title,
                        "body": old_body,
                        "content_hash": old_hash,
                        "first_seen_at": first_seen,
                        "superseded_at": seen,
                    }
                )
                record["version"] = version + 1
            self.db["articles"].update(article_id, record)
        if outcome != "unchanged":
            self._store_authors(article_id, article.authors)
            self._mark_near_duplicate(article_id, article.body)
        self._store_related(article_id, article.related, seen)
        for url in {article.url, article.fetched_url, *aliases}:
            if url:
                self._touch_url(url, article_id, seen)
        self._done_with(article.url, article.fetched_url)
        return outcome

    def _done_with(self, *urls: str) -> None:
        """A URL stored (or given up on for this run) leaves the failures and the frontier."""
        marks = ", ".join("?" * len(urls))
        for table in ("failures", "frontier"):
            self.db.execute(f"DELETE FROM {table} WHERE url IN ({marks})", list(urls))

    def _article_row(
        self, article: Article, digest: str, seen: str, crawl_id: int | None
    ) -> dict[str, Any]:
        return {
            "url": article.url,
            "site": self.site,
            "title": article.title,
            "body": article.body,
            "lead": article.lead,
            "published_date": article.published_date,
            "published_at": article.published_at,
            "date_raw": article.date_raw,
            "modified_at": article.modified_at,
            "category": article.category,
            "tags": json.dumps(article.tags, ensure_ascii=False) if article.tags else None,
            "image_url": article.image_url,
            "views": article.views,
            "language": article.language,
            "affiliation": article.affiliation,
            "word_count": len(article.body.split()) if article.body else 0,
            "content_hash": digest,
            "fetched_url": article.fetched_url,
            "last_seen_at": seen,
            "extraction": json.dumps(article.extraction, ensure_ascii=False, sort_keys=True),
            "etag": article.extra.get("etag") or None,
            "crawl_id": crawl_id,
        }

    def _mark_near_duplicate(self, article_id: int, body: str | None) -> None:
        """Link an article to an earlier one it nearly repeats (a republished, edited story)."""
        minhash = neardup.signature(body)
        if minhash is None:
            return
        keys = neardup.band_keys(minhash)
        candidates = self.db.execute(
            "SELECT m.article_id, m.signature FROM article_minhash m WHERE m.article_id IN "
            "(SELECT article_id FROM article_lsh WHERE "
            + " OR ".join(["(band = ? AND bucket = ?)"] * len(keys))
            + ") AND m.article_id != ?",
            [v for key in keys for v in key] + [article_id],
        )
        similar = neardup.most_similar(minhash, candidates)
        if similar is not None:
            # the earlier-published text is the original (ties: the one archived first)
            first, copy = sorted((similar, article_id), key=self._publication_order)
            self.db.execute("UPDATE articles SET near_duplicate_of = ? WHERE id = ?", [first, copy])
        self.db.execute(
            "INSERT OR REPLACE INTO article_minhash (article_id, signature) VALUES (?, ?)",
            [article_id, neardup.to_bytes(minhash)],
        )
        self.db.execute("DELETE FROM article_lsh WHERE article_id = ?", [article_id])
        self.db.conn.executemany(
            "INSERT INTO article_lsh (band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in keys],
        )

    def _publication_order(self, article_id: int) -> tuple[str, int]:
        row = self.db.execute("SELECT published_date FROM articles WHERE id = ?", [article_id])
        published = row.fetchone()[0]
        return (published or "9999", article_id)

    def _store_authors(self, article_id: int, authors: list[Author]) -> None:
        self.db.execute("DELETE FROM article_authors WHERE article_id = ?", [article_id])
        for position, author in enumerate(authors, start=1):
            key = name_key(author.name)
            row = self.db.execute("SELECT id FROM authors WHERE name_key = ?", [key]).fetchone()
            if row is None:
                author_id = self.db["authors"].insert({**asdict(author), "name_key": key}).last_pk
            else:
                author_id = row[0]
            self.db["article_authors"].insert(
                {"article_id": article_id, "author_id": author_id, "position": position}
            )

    def _store_related(self, article_id: int, links: list[RelatedLink], seen: str) -> None:
        """Append the article's related links when they differ from the last capture."""
        latest = self.db.execute(
            "SELECT kind, rank, url, title, author, date, views FROM related_links "
            "WHERE article_id = ? AND captured_at = (SELECT max(captured_at) FROM related_links "
            "WHERE article_id = ?) ORDER BY id",
            [article_id, article_id],
        ).fetchall()
        current = [
            (lnk.kind, lnk.rank, lnk.url, lnk.title, lnk.author, lnk.date, lnk.views)
            for lnk in links
        ]
        if [tuple(r) for r in latest] == current:
            return
        self.db["related_links"].insert_all(
            {
                **asdict(link),
                "article_id": article_id,
                "linked_article_id": self._article_id_for(link.url),
                "captured_at": seen,
            }
            for link in links
        )

    def _article_id_for(self, url: str | None) -> int | None:
        if not url:
            return None
        row = self.db.execute("SELECT article_id FROM article_urls WHERE url = ?", [url]).fetchone()
        return row[0] if row else None

    def _touch_url(self, url: str, article_id: int, seen: str) -> None:
        self.db.execute(
            """
            INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at)
            VALUES (?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET last_seen_at = excluded.last_seen_at
            """,
            [url, article_id, seen, seen],
        )

    def link_related_articles(self) -> int:
        """Fill ``related_links.linked_article_id`` for links whose article arrived later."""
        with self.db.atomic():
            cursor = self.db.execute(
                """
                UPDATE related_links SET linked_article_id =
                    (SELECT article_id FROM article_urls WHERE article_urls.url = related_links.url)
                WHERE linked_article_id IS NULL AND url IS NOT NULL
                  AND EXISTS (SELECT 1 FROM article_urls WHERE article_urls.url = related_links.url)
                """
            )
        return cursor.rowcount

    def touch_article(self, url: str, seen_at: str) -> bool:
        """A revisit found the article unchanged (HTTP 304): note when it was seen."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE articles SET last_seen_at = ? WHERE id = "
                "(SELECT article_id FROM article_urls WHERE url = ?)",
                [seen_at, url],
            )
            self._done_with(url)
        return cursor.rowcount > 0

    # -- raw captures ----------------------------------------------------------------

    def add_captures(self, captures: Iterable[Capture]) -> None:
        with self.db.atomic():
            self.db["captures"].insert_all(asdict(c) for c in captures)

    def latest_capture(self, url: str) -> Capture | None:
        """The latest full ('response') capture of ``url``: what a revisit refers to."""
        row = self.db.execute(
            "SELECT url, status, fetched_at, record_type, warc_file, offset, length, "
            "payload_digest, content_type FROM captures "
            "WHERE url = ? AND record_type = 'response' ORDER BY id DESC LIMIT 1",
            [url],
        ).fetchone()
        return Capture(*row) if row else None

    def crawled_origin(self) -> tuple[str | None, tuple[str, ...]]:
        """The start URL's origin and the mirrors of the latest crawl (for reparse)."""
        for (arguments,) in self.db.execute(
            "SELECT arguments FROM crawls WHERE command IN ('crawl', 'demo') ORDER BY id DESC"
        ):
            args = json.loads(arguments or "{}")
            start = args.get("start_url") or args.get("replica")
            if start:
                parts = urlsplit(start)
                return f"{parts.scheme}://{parts.netloc}", tuple(args.get("mirrors") or ())
            return None, ()
        return None, ()

    def clear_articles(self) -> None:
        """Empty the tables that reparse rebuilds (captures, crawls and failures stay)."""
        with self.db.atomic():
            for table in (
                "related_links",
                "article_minhash",
                "article_lsh",
                "article_authors",
                "article_versions",
                "article_urls",
                "articles",
                "authors",
                "frontier",
            ):
                self.db.execute(f"DELETE FROM {table}")

    # -- the crawl frontier ----------------------------------------------------------

    def add_to_frontier(self, urls: Iterable[str]) -> None:
        now = utc_now()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO frontier (url, found_at) VALUES (?, ?)",
                [(url, now) for url in urls],
            )

    def frontier_urls(self) -> list[str]:
        """URLs found but not stored yet (entries archived meanwhile are dropped first)."""
        self.prune_frontier()
        return [
            row[0] for row in self.db.execute("SELECT url FROM frontier ORDER BY found_at, url")
        ]

    def failed_urls(self) -> list[str]:
        """Pages that failed on an earlier run (not discovery pages): retried on the next one.

        A URL stays in ``failures`` until a run stores it; ``attempts`` counts the runs
        that failed on it.
        """
        return [
            row[0]
            for row in self.db.execute(
                "SELECT url FROM failures WHERE stage != 'discovery' "
                "AND url NOT IN (SELECT url FROM article_urls) ORDER BY last_seen_at, url"
            )
        ]

    def discovery_failures(self) -> set[str]:
        """Listing, sitemap and feed URLs that failed on an earlier run."""
        rows = self.db.execute("SELECT url FROM failures WHERE stage = 'discovery'")
        return {row[0] for row in rows}

    def clear_failure(self, url: str) -> None:
        """``url`` worked this time: it is no longer a failure."""
        with self.db.atomic():
            self.db.execute("DELETE FROM failures WHERE url = ?", [url])

    def prune_frontier(self) -> None:
        # the spider writes the frontier in batches, so an article can be stored first
        with self.db.atomic():
            self.db.execute("DELETE FROM frontier WHERE url IN (SELECT url FROM article_urls)")

    def known_articles(self) -> dict[str, tuple[str | None, str | None]]:
        """Every archived article URL (aliases too) → (published_date, etag)."""
        return {
            url: (published, etag)
            for url, published, etag in self.db.execute(
                "SELECT u.url, a.published_date, a.etag FROM article_urls u "
                "JOIN articles a ON a.id = u.article_id"
            )
        }

    # -- reading -----------------------------------------------------------------------

    def count(self, table: str) -> int:
        return self.db[table].count

    def has_article(self, url: str) -> bool:
        return self._article_id_for(url) is not None
