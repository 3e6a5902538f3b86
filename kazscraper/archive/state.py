"""Crawl state in the archive: the ``crawls`` rows, the frontier, failures, the captures index.

A mixin of ``Archive`` (it writes through ``self.db``, the archive's one
connection). Nothing here touches article rows but to read which URLs are
archived.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import sqlite_utils

from kazscraper.archive.values import storable_text
from kazscraper.warc.records import Capture

#: SQLite's limit on host parameters is 32,766; chunks stay far below it
_CHUNK = 500
#: the newest captures read for the last capture time (a batch is written in its own order)
_LAST_CAPTURES = 200


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def inserted_id(table: sqlite_utils.db.Table) -> int:
    """The integer key of the row that ``table.insert(...)`` has just written."""
    if table.last_pk is None:
        raise ValueError(f"no row was inserted into {table.name}")
    return int(table.last_pk)


class CrawlState:
    db: sqlite_utils.Database
    site: str

    # -- crawls ----------------------------------------------------------------------

    def begin_crawl(self, command: str, arguments: dict[str, Any]) -> int:
        started = utc_now() if command == "reparse" else self._after_last_capture()
        with self.db.atomic():
            row = self.db.table("crawls").insert(
                {
                    "started_at": started,
                    "site": self.site,
                    "command": command,
                    "arguments": json.dumps(arguments, ensure_ascii=False, sort_keys=True),
                    "status": "running",
                }
            )
        return inserted_id(row)

    def _after_last_capture(self) -> str:
        """Now, in a later second than every capture made before (waiting, at most a
        second, for the clock to leave the second of the last one). Reparse tells which
        run fetched a capture by its time (``crawl_runs``, seconds as the captures'): a
        run begun in the second of an earlier run's last capture would claim it, and a
        rebuild would name an alias pair's row by the other URL than the crawl did. A run
        before this one that never closed (killed) may have captures in its WARC files only,
        indexed later by this run: its last one may be in this very second, so the clock
        must leave it (the runs before it were indexed by the run after them)."""
        last, unclosed = self.db.execute(
            "SELECT (SELECT max(fetched_at) FROM "
            f"(SELECT fetched_at FROM captures ORDER BY id DESC LIMIT {_LAST_CAPTURES})), "
            "(SELECT status = 'running' FROM crawls ORDER BY id DESC LIMIT 1)"
        ).fetchone()
        now = utc_now()
        if unclosed:
            last = now
        while now == last:  # a clock set back (a capture in the future) is not waited for
            time.sleep(1 - datetime.now(UTC).microsecond / 1_000_000 + 0.001)
            now = utc_now()
        return now

    def running_crawls(self) -> list[tuple[int, str | None]]:
        """The ``(id, arguments)`` of every run still marked ``running``."""
        rows = self.db.execute("SELECT id, arguments FROM crawls WHERE status = 'running'")
        return [(crawl_id, arguments) for crawl_id, arguments in rows.fetchall()]

    def finish_crawl(self, crawl_id: int, **fields: Any) -> None:
        values = {
            k: json.dumps(v, ensure_ascii=False, sort_keys=True) if isinstance(v, dict) else v
            for k, v in fields.items()
        }
        with self.db.atomic():
            self.db.table("crawls").update(crawl_id, {"finished_at": utc_now(), **values})

    def crawl_runs(self) -> list[tuple[str, int]]:
        """``(started_at, id)`` of each crawl (not reparse), oldest first: when each began
        tells which run fetched a capture."""
        return [
            (started, crawl_id)
            for started, crawl_id in self.db.execute(
                "SELECT started_at, id FROM crawls WHERE command <> 'reparse' "
                "ORDER BY started_at, id"
            )
        ]

    def crawl_started_at(self, crawl_id: int) -> str:
        (started,) = self.db.execute(
            "SELECT started_at FROM crawls WHERE id = ?", [crawl_id]
        ).fetchone()
        return str(started)

    def crawl_exists(self, crawl_id: int) -> bool:
        row = self.db.execute("SELECT 1 FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        return row is not None

    def arguments_of(self, crawl_id: int | None) -> dict[str, Any]:
        """The options crawl ``crawl_id`` was started with (its ``crawls.arguments``)."""
        row = self.db.execute("SELECT arguments FROM crawls WHERE id = ?", [crawl_id]).fetchone()
        arguments = json.loads(row[0] or "{}") if row else {}
        return arguments if isinstance(arguments, dict) else {}

    def crawled_origin(self) -> tuple[str | None, tuple[str, ...]]:
        """The start URL's origin and the mirrors of the latest crawl (for reparse)."""
        for (arguments,) in self.db.execute(
            "SELECT arguments FROM crawls WHERE command <> 'reparse' ORDER BY id DESC"
        ):
            args = json.loads(arguments or "{}")
            start = args.get("start_url") or args.get("replica")
            if start:
                parts = urlsplit(start)
                return f"{parts.scheme}://{parts.netloc}", tuple(args.get("mirrors") or ())
            return None, ()
        return None, ()

    def crawl_arguments(self) -> list[dict[str, Any]]:
        """The options of every crawl (not reparse), newest first (for reparse: which sites
        the captures belong to)."""
        found = []
        for (arguments,) in self.db.execute(
            "SELECT arguments FROM crawls WHERE command <> 'reparse' ORDER BY id DESC"
        ):
            try:
                args = json.loads(arguments or "{}")
            except ValueError:
                continue
            if isinstance(args, dict):
                found.append(args)
        return found

    # -- failures --------------------------------------------------------------------

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
                [
                    storable_text(url),
                    stage,
                    storable_text(reason, 2000),
                    http_status,
                    now,
                    now,
                    crawl_id,
                ],
            )
            self.db.execute("DELETE FROM frontier WHERE url = ?", [url])

    def failure_recorded(self, url: str, stage: str, reason: str, crawl_id: int | None) -> bool:
        """Crawl ``crawl_id`` recorded this very failure already (a batch written again)."""
        row = self.db.execute(
            "SELECT 1 FROM failures WHERE url = ? AND stage = ? AND reason = ? AND crawl_id IS ?",
            [url, stage, reason, crawl_id],
        ).fetchone()
        return row is not None

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

    def archived_article_urls(
        self, chunk: int
    ) -> Iterator[list[tuple[str, str | None, str | None]]]:
        """Every archived article URL (aliases too) with its article's published date and
        ETag, ``chunk`` rows at a time (memory stays flat on a large archive)."""
        cursor = self.db.execute(
            "SELECT u.url, a.published_date, a.etag FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id"
        )
        while rows := cursor.fetchmany(chunk):
            yield [(url, published, etag) for url, published, etag in rows]

    def unaccounted(self, urls: Iterable[str], frontier_counts: bool = False) -> list[str]:
        """Of ``urls`` (article URLs a run scheduled), those that are neither an article
        address, a failure nor (when ``frontier_counts``: an interrupted run) in the frontier."""
        tables = ["article_urls", "failures"] + (["frontier"] if frontier_counts else [])
        missing: list[str] = []
        batch: list[str] = []

        def check() -> None:
            marks = ", ".join("?" * len(batch))
            found: set[str] = set()
            for table in tables:
                found.update(
                    row[0]
                    for row in self.db.execute(
                        f"SELECT url FROM {table} WHERE url IN ({marks})", batch
                    )
                )
            missing.extend(url for url in batch if url not in found)
            batch.clear()

        for url in urls:
            batch.append(url)
            if len(batch) >= _CHUNK:
                check()
        if batch:
            check()
        return missing

    # -- raw captures ----------------------------------------------------------------

    def add_captures(self, captures: Iterable[Capture]) -> None:
        with self.db.atomic():
            self.db.table("captures").insert_all(asdict(c) for c in captures)

    def captures_indexed(self, captures: Iterable[Capture]) -> set[tuple[str, str, int]]:
        """(url, warc_file, offset) of those of ``captures`` that have their row already
        (a batch written again): one query per 500 URLs."""
        urls = sorted({c.url for c in captures})
        found: set[tuple[str, str, int]] = set()
        for start in range(0, len(urls), 500):
            part = urls[start : start + 500]
            found.update(
                (url, warc_file, offset)
                for url, warc_file, offset in self.db.execute(
                    "SELECT url, warc_file, offset FROM captures WHERE url IN "
                    f"({', '.join('?' * len(part))})",
                    part,
                )
            )
        return found

    def capture_indexed(self, capture: Capture) -> bool:
        """The capture has its row already (a batch written again)."""
        row = self.db.execute(
            "SELECT 1 FROM captures WHERE url = ? AND warc_file = ? AND offset = ? LIMIT 1",
            [capture.url, capture.warc_file, capture.offset],
        ).fetchone()
        return row is not None

    def capture_spans(self, warc_file: str, size: int) -> list[tuple[int, int]]:
        """(offset, length) of the indexed records of ``warc_file``; rows that point past
        its ``size`` (a record cut off when a killed run's file was recovered) are dropped."""
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM captures WHERE warc_file = ? AND offset + length > ?",
                [warc_file, size],
            )
        return [
            (offset, length)
            for offset, length in self.db.execute(
                "SELECT offset, length FROM captures WHERE warc_file = ?", [warc_file]
            )
        ]

    def captured_urls(self) -> Iterator[str]:
        """The URL of every full ('response') capture, streamed (not held)."""
        for (url,) in self.db.execute("SELECT url FROM captures WHERE record_type = 'response'"):
            yield url

    def latest_capture(self, url: str) -> Capture | None:
        """The latest full ('response') capture of ``url``: what a revisit refers to."""
        row = self.db.execute(
            "SELECT url, status, fetched_at, record_type, warc_file, offset, length, "
            "payload_digest, content_type FROM captures "
            "WHERE url = ? AND record_type = 'response' ORDER BY id DESC LIMIT 1",
            [url],
        ).fetchone()
        return Capture(*row) if row else None
