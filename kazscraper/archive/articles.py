"""The article write path: rows, versions, addresses, related links, authors, near-duplicates.

A mixin of ``Archive`` (it writes through ``self.db``, the archive's one
connection). ``write_batch`` stores a batch of articles in one transaction;
``write_each`` does the same but, when the batch fails on a record, stores the
others one by one and returns the records it could not store with the reason. Every
value is made storable first (``archive.values``), unless the caller did (the sink's
records come from the clean stage, which does it).

Identical text under several URLs (a CMS serving one article at two paths,
each declaring itself canonical) is one row whose other URLs are aliases. Within
one run, which URL names the row does not depend on which arrived first: it is
the shortest (then the smallest) of them, so a crawl and a reparse of the same
captures, in whatever order the concurrent responses came back, build the same
rows. A row made by an earlier run keeps its URL (an archived article's address
never changes); ``run_start`` tells the store when the run of a capture began.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from typing import Any, Literal

import sqlite_utils

from kazscraper.archive.state import inserted_id, utc_now
from kazscraper.archive.values import storable_article, storable_text
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.keys import name_key

Outcome = Literal["new", "updated", "unchanged", "alias", "kept"]

logger = logging.getLogger(__name__)

#: errors of the archive itself (disk full, read-only file, I/O): no record is to blame
SYSTEMIC_ERRORS = (sqlite3.OperationalError, OSError)

#: the tables that ``reparse`` rebuilds from the WARC files
ARTICLE_TABLES = (
    "related_links",
    "article_minhash",
    "article_lsh",
    "article_authors",
    "article_versions",
    "article_urls",
    "articles",
    "authors",
)
#: the tables a reparse rebuilds: a reparse's copy of the archive has them empty
#: (``Archive.copy_to(path, empty=REBUILT_TABLES)``; ``clear_articles`` empties them)
REBUILT_TABLES = ("anomalies", *ARTICLE_TABLES, "frontier", "articles_fts")


def is_virtual_table(sql: str | None) -> bool:
    """Whether ``sql`` (a ``sqlite_master`` row's) makes a virtual table (a full-text index)."""
    return str(sql).lstrip().upper().startswith("CREATE VIRTUAL TABLE")


#: fields a capture may change but never blank (the title and body are checked apart)
KEPT_FIELDS = (
    "lead",
    "published_date",
    "published_at",
    "date_raw",
    "modified_at",
    "category",
    "tags",
    "image_url",
    "views",
    "language",
    "affiliation",
)
#: titles of a page that says it is missing (casefolded, without the site's suffix)
NOT_FOUND_TITLES = frozenset(
    {
        "404",
        "not found",
        "page not found",
        "бет табылмады",
        "парақ табылмады",
        "страница не найдена",
        "ошибка 404",
        "error 404",
    }
)
#: a body shorter than this share of the stored one (stored ≥ MIN_BODY characters) is gone
BODY_KEPT_SHARE = 0.25
MIN_BODY = 400


def not_a_version(article: Article, old_title: str | None, old_body: str | None) -> str | None:
    """Why a new capture of a stored article is garbage rather than an edit (None: it is
    a capture like any other): a title that reads 'page not found', a body gone or tiny
    next to the stored one."""
    title = (article.title or "").casefold().split(" | ")[0].strip(" .!")
    missing = title in NOT_FOUND_TITLES or title.startswith(("404 ", "404:", "404-", "404 –"))
    if missing and title != (old_title or "").casefold():
        return f"the title reads as a 'not found' page ({article.title!r})"
    old, new = len(old_body or ""), len(article.body or "")
    if old >= MIN_BODY and new < old * BODY_KEPT_SHARE:
        return f"the body shrank from {old} to {new} characters (a page that is gone)"
    return None


def profile_lost(article: Article, stored_extraction: str | None) -> str | None:
    """Why a new capture's text is not stored over a stored article's (None: it may be):
    the stored body came from the site profile and this capture's from another layer (the
    profile's rule no longer finds it: a redesign, which the run's health check reports).
    The capture is in the WARC files; a reparse with the relearned profile reads it."""
    try:
        stored = json.loads(stored_extraction or "{}").get("body")
    except (ValueError, AttributeError):
        return None
    layer = article.extraction.get("body") or "no"
    if stored != "profile" or layer == "profile":
        return None
    return (
        f"the stored body came from the site profile, this capture's from the {layer} layer "
        "(the layout changed?); the stored text was kept"
    )


def same_text_layers(stored: str | None, extraction: dict[str, str]) -> str | None:
    """A row's ``extraction`` after a capture with the same title and body: the stored
    layers, with this capture's for the title and the body."""
    try:
        layers = json.loads(stored or "{}")
    except ValueError:
        return stored
    if not isinstance(layers, dict):
        return stored
    layers.update({k: extraction[k] for k in ("title", "body") if k in extraction})
    return json.dumps(layers, ensure_ascii=False, sort_keys=True)


def content_hash(title: str | None, body: str | None) -> str:
    return hashlib.sha256(f"{title or ''}\n{body or ''}".encode()).hexdigest()


_TOUCH_URL = """
    INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at)
    VALUES (?, ?, ?, ?)
    ON CONFLICT(url) DO UPDATE SET last_seen_at = excluded.last_seen_at
"""


def _url_rank(url: str) -> tuple[int, str]:
    """Which of several URLs of one text names the row: the shortest, then the smallest."""
    return len(url), url


class _Pending:
    """Writes of one ``write_batch`` held back to be sent per table, one ``executemany``
    each (``ArticleWriter._flush_pending``), before the transaction commits. Only a new
    article's rows wait here; an article already stored (or a new address of one) flushes
    them first, so everything it reads is on disk as before."""

    def __init__(self) -> None:
        #: url -> the articles row of that URL (None: no row), read for the whole batch
        self.rows: dict[str, tuple[Any, ...] | None] = {}
        self.urls: list[tuple[str, int, str, str]] = []
        self.done: list[str] = []
        self.authors: list[tuple[Any, ...]] = []
        self.article_authors: list[tuple[int, str, int]] = []
        self.related: list[tuple[Any, ...]] = []
        self.minhash: dict[int, bytes] = {}
        self.lsh: dict[int, list[tuple[int, int]]] = {}
        self.buckets: dict[tuple[int, int], set[int]] = {}
        self.lsh_drop: list[int] = []
        #: articles inserted by this batch and not flushed yet (no rows to replace)
        self.rows_of_new: set[int] = set()


#: the columns an ``articles`` row is read with (``ArticleWriter._stored_row``)
_ROW = (
    "id, content_hash, version, title, body, first_seen_at, last_seen_at, extraction, "
    + ", ".join(KEPT_FIELDS)
)


#: the earliest article of a site with the same text. ``+site``: by the content hash's
#: index, not the site's (SQLite, with no statistics, chose ``idx_articles_site`` and
#: read every article of the site for each new one: quadratic in the archive's size)
SAME_TEXT = (
    "SELECT id, url, first_seen_at FROM articles WHERE content_hash = ? "
    "AND +site = ? ORDER BY id LIMIT 1"
)


class ArticleWriter:
    db: sqlite_utils.Database
    site: str
    _pending: _Pending | None = None
    _minhash_scheme: str | None = None  # the archive's signatures' (neardup.scheme_of)

    def write_batch(
        self,
        articles: Iterable[tuple[Article, Iterable[str]]],
        crawl_id: int | None = None,
        run_start: Callable[[str], str] | None = None,
        storable: bool = False,
        capture_crawl: Callable[[str], int | None] | None = None,
    ) -> list[Outcome]:
        """Store articles (each with the extra URLs that led to it) in one transaction.

        ``run_start(fetched_at)``: when the run that fetched a capture began (default: the
        capture's own time, i.e. each capture is its own run and rows keep their URL).
        ``storable``: the articles were made storable already (the clean stage does it,
        before dedup hashes their text), so ``storable_article`` is not run again.
        ``capture_crawl(fetched_at)``: the crawl that fetched a capture, whose id its
        anomalies keep (reparse: not the rebuild's own; default: ``crawl_id``)."""
        start = run_start or (lambda fetched_at: fetched_at)
        crawl_of = capture_crawl or (lambda _: crawl_id)
        ready = []
        for article, aliases in articles:
            if not storable:
                storable_article(article)
            ready.append((article, [storable_text(url) for url in aliases]))
        with self.db.atomic():
            self._pending = pending = _Pending()
            try:
                urls = sorted({article.url for article, _ in ready})
                pending.rows = dict.fromkeys(urls)
                for chunk in range(0, len(urls), 500):
                    part = urls[chunk : chunk + 500]
                    for row in self.db.execute(
                        f"SELECT {_ROW}, url FROM articles WHERE url IN "
                        f"({', '.join('?' * len(part))})",
                        part,
                    ):
                        pending.rows[row[-1]] = tuple(row[:-1])
                outcomes = [
                    self._store(article, aliases, crawl_id, start, crawl_of)
                    for article, aliases in ready
                ]
                self._flush_pending()
            finally:
                self._pending = None
            return outcomes

    def write_each(
        self,
        articles: Sequence[tuple[Article, Iterable[str]]],
        crawl_id: int | None = None,
        run_start: Callable[[str], str] | None = None,
        storable: bool = False,
        capture_crawl: Callable[[str], int | None] | None = None,
    ) -> tuple[list[Outcome], list[tuple[Article, str]]]:
        """``write_batch``, but one record that cannot be stored costs no other.

        The batch is tried in one transaction; if a record breaks it, each record is
        written in a transaction of its own. Returns the outcomes of the records stored
        and the records not stored, each with the reason. An error of the archive itself
        (``SYSTEMIC_ERRORS``) is raised: it is no record's fault.
        """
        try:
            return self.write_batch(articles, crawl_id, run_start, storable, capture_crawl), []
        except SYSTEMIC_ERRORS:
            raise
        except Exception as exc:  # one record (or more): find which
            logger.warning(
                "a batch of %d articles failed (%r); storing one by one", len(articles), exc
            )
        outcomes: list[Outcome] = []
        refused: list[tuple[Article, str]] = []
        for article, aliases in articles:
            try:
                outcomes += self.write_batch(
                    [(article, aliases)], crawl_id, run_start, storable, capture_crawl
                )
            except SYSTEMIC_ERRORS:
                raise
            except Exception as exc:
                reason = storable_text(f"cannot store: {type(exc).__name__}: {exc}", 2000)
                refused.append((article, reason))
        return outcomes, refused

    def _store(
        self,
        article: Article,
        aliases: Iterable[str],
        crawl_id: int | None,
        run_start: Callable[[str], str],
        capture_crawl: Callable[[str], int | None],
    ) -> Outcome:
        seen = article.fetched_at or utc_now()
        fetched_by = capture_crawl(seen)  # the crawl an anomaly of this capture belongs to
        existing = self._stored_row(article.url)
        lost: list[str] = []
        if existing is not None:
            self._flush_pending()  # a stored article reads its rows: all of them on disk
            article_id, old_title, old_body = existing[0], existing[3], existing[4]
            garbage = not_a_version(article, old_title, old_body)
            if garbage is not None:
                # a soft 404, an emptied page: not an edit; the stored article stays as it was
                self._anomaly(article, "not_a_version", garbage, article_id, seen, fetched_by)
                self._done_with(article.url, article.fetched_url)
                return "kept"
            lost_layout = profile_lost(article, existing[7])
            if lost_layout and content_hash(article.title, article.body) != existing[1]:
                # a redesign: not an edit; kept until the profile is relearned (reparse)
                self._anomaly(article, "layout_changed", lost_layout, article_id, seen, fetched_by)
                self._done_with(article.url, article.fetched_url)
                return "kept"
            lost = self._keep_stored_values(
                article, article_id, dict(zip(KEPT_FIELDS, existing[8:], strict=True))
            )
        digest = content_hash(article.title, article.body)
        record = self._article_row(article, digest, seen, crawl_id)
        same_text = None
        if existing is None:
            # of the same site: another site's identical text (a reprint) is its own article
            same_text = self.db.execute(SAME_TEXT, [digest, record["site"]]).fetchone()
        if same_text is not None:
            # the same article under another URL: one row, one more address
            self._flush_pending()
            article_id, row_url, row_first_seen = same_text
            if self._pending is not None:  # the row may change its URL: read both again
                self._pending.rows.pop(row_url, None)
                self._pending.rows.pop(article.url, None)
            this_run = row_first_seen >= run_start(seen)
            if this_run and _url_rank(article.url) < _url_rank(row_url):
                # this URL names the row: the same choice whichever URL came first
                keep = ("url", "fetched_url", "etag", "last_seen_at", "crawl_id")
                self.db.table("articles").update(article_id, {k: record[k] for k in keep})
            for url in {article.url, article.fetched_url, *aliases}:
                if url:
                    self._touch_url(url, article_id, seen)
            self._done_with(article.url, article.fetched_url)
            return "alias"
        if existing is None:
            row = {**record, "first_seen_at": seen}
            cursor = self.db.execute(
                f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                list(row.values()),
            )
            if cursor.lastrowid is None:
                raise ValueError("no row was inserted into articles")
            article_id = cursor.lastrowid
            outcome: Outcome = "new"
            if self._pending is not None:
                self._pending.rows_of_new.add(article_id)
        else:
            article_id, old_hash, version, old_title, old_body, first_seen = existing[:6]
            if old_hash == digest:
                outcome = "unchanged"
                keep = ("last_seen_at", "views", "fetched_url", "crawl_id", "etag")
                record = {k: record[k] for k in keep}
                # the same title and body: this reading's layers for them hold (a profile
                # learned since the first crawl reads them now)
                record["extraction"] = same_text_layers(existing[7], article.extraction)
            else:
                outcome = "updated"
                self.db.table("article_versions").insert(
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
            self.db.table("articles").update(article_id, record)
        if lost:
            detail = (
                f"the capture had no {', '.join(lost)}; the stored values were kept "
                f"(outcome: {outcome})"
            )
            self._anomaly(article, "metadata_lost", detail, article_id, seen, fetched_by)
        if outcome != "unchanged":
            if "authors" not in lost:
                self._store_authors(article_id, article.authors)
            self._mark_near_duplicate(article_id, article)
        self._store_related(article_id, article.related, seen)
        for url in {article.url, article.fetched_url, *aliases}:
            if url:
                self._touch_url(url, article_id, seen)
        self._done_with(article.url, article.fetched_url)
        if self._pending is not None:  # the same URL again in this batch reads its row again
            self._pending.rows.pop(article.url, None)
        return outcome

    def _stored_row(self, url: str) -> tuple[Any, ...] | None:
        """The ``articles`` row of ``url`` (``_ROW``'s columns), None if there is none."""
        if self._pending is not None and url in self._pending.rows:
            return self._pending.rows[url]
        row = self.db.execute(f"SELECT {_ROW} FROM articles WHERE url = ?", [url]).fetchone()
        return None if row is None else tuple(row)

    def _flush_pending(self) -> None:
        """Write the rows held back in this batch (``_Pending``): one statement per table."""
        pending, run = self._pending, self.db.conn.executemany
        if pending is None:
            return
        if pending.urls:
            run(_TOUCH_URL, pending.urls)
        if pending.done:
            for table in ("failures", "frontier"):
                run(f"DELETE FROM {table} WHERE url = ?", [(url,) for url in pending.done])
        if pending.authors:
            run(
                "INSERT INTO authors (name, surname, given, patronymic, name_key) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(name_key) DO NOTHING",
                pending.authors,
            )
        if pending.article_authors:
            run(
                "INSERT INTO article_authors (article_id, author_id, position) "
                "VALUES (?, (SELECT id FROM authors WHERE name_key = ?), ?)",
                pending.article_authors,
            )
        if pending.related:
            run(
                "INSERT INTO related_links (kind, rank, url, title, author, date, views, "
                "article_id, linked_article_id, captured_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
                "(SELECT article_id FROM article_urls WHERE url = ?3), ?)",
                pending.related,
            )
        if pending.lsh_drop:
            run("DELETE FROM article_lsh WHERE article_id = ?", [(i,) for i in pending.lsh_drop])
        if pending.minhash:
            run(
                "INSERT OR REPLACE INTO article_minhash (article_id, signature) VALUES (?, ?)",
                list(pending.minhash.items()),
            )
        if pending.lsh:
            run(
                "INSERT INTO article_lsh (band, bucket, article_id) VALUES (?, ?, ?)",
                [(b, k, i) for i, keys in pending.lsh.items() for b, k in keys],
            )
        rows = pending.rows
        pending.__init__()  # type: ignore[misc]
        pending.rows = rows

    def _keep_stored_values(
        self, article: Article, article_id: int, stored: dict[str, Any]
    ) -> list[str]:
        """A capture may change a field's value, never blank one that was set: the stored
        value goes back into ``article``. Returns the fields kept that way."""
        lost: list[str] = []
        for name, value in stored.items():
            if value in (None, "") or getattr(article, name) not in (None, "", []):
                continue
            setattr(article, name, json.loads(value) if name == "tags" else value)
            article.extraction[name] = "kept: this capture had none"
            lost.append(name)
        if not article.authors:
            has_authors = self.db.execute(
                "SELECT 1 FROM article_authors WHERE article_id = ? LIMIT 1", [article_id]
            ).fetchone()
            if has_authors:
                article.extraction["authors"] = "kept: this capture had none"
                lost.append("authors")
        return lost

    def _anomaly(
        self,
        article: Article,
        kind: str,
        detail: str,
        article_id: int,
        seen: str,
        crawl_id: int | None,
    ) -> None:
        logger.warning("%s: %s: %s", kind, article.fetched_url, detail)
        self.db.table("anomalies").insert(
            {
                "url": article.fetched_url,
                "kind": kind,
                "detail": detail,
                "article_id": article_id,
                "seen_at": seen,
                "crawl_id": crawl_id,
            }
        )

    def anomalies_of(self, crawl_id: int | None) -> int:
        """How many anomalies run ``crawl_id`` recorded."""
        row = self.db.execute("SELECT count(*) FROM anomalies WHERE crawl_id IS ?", [crawl_id])
        return int(row.fetchone()[0])

    def _done_with(self, *urls: str) -> None:
        """A URL stored (or given up on for this run) leaves the failures and the frontier."""
        if self._pending is not None:
            self._pending.done += urls
            return
        marks = ", ".join("?" * len(urls))
        for table in ("failures", "frontier"):
            self.db.execute(f"DELETE FROM {table} WHERE url IN ({marks})", list(urls))

    def _article_row(
        self, article: Article, digest: str, seen: str, crawl_id: int | None
    ) -> dict[str, Any]:
        return {
            "url": article.url,
            "site": article.site or self.site,  # the record's own site (several in one crawl)
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
            "etag": article.etag or None,
            "crawl_id": crawl_id,
        }

    def _mark_near_duplicate(self, article_id: int, article: Article) -> None:
        """Link an article to an earlier one it nearly repeats (a republished, edited story)."""
        from kazscraper.archive import neardup  # NumPy: imported by writers only

        if self._minhash_scheme is None:
            self._minhash_scheme = neardup.scheme_of(self.db)
        # made in the extraction worker when there is one, for this body and scheme
        minhash = neardup.signature_of(article, article.body, self._minhash_scheme)
        if minhash is None:
            return
        keys = neardup.band_keys(minhash)
        candidates: Iterable[tuple[int, bytes]] = self.db.execute(
            "SELECT m.article_id, m.signature FROM article_minhash m WHERE m.article_id IN "
            "(SELECT article_id FROM article_lsh WHERE "
            + " OR ".join(["(band = ? AND bucket = ?)"] * len(keys))
            + ") AND m.article_id != ?",
            [v for key in keys for v in key] + [article_id],
        )
        pending = self._pending
        if pending is not None:
            # the signatures of this batch are not written yet: theirs replace the stored
            held = {i for key in keys for i in pending.buckets.get(key, ())} - {article_id}
            candidates = [(i, sig) for i, sig in candidates if i not in pending.minhash] + [
                (i, pending.minhash[i]) for i in held
            ]
        similar = neardup.most_similar(minhash, candidates)
        if similar is not None:
            # the earlier-published text is the original (ties: the one archived first)
            first, copy = sorted((similar, article_id), key=self._publication_order)
            self.db.execute("UPDATE articles SET near_duplicate_of = ? WHERE id = ?", [first, copy])
        if pending is not None:
            if article_id in pending.minhash:  # written twice in a batch: the last one stays
                for key in pending.lsh.pop(article_id, []):
                    pending.buckets[key].discard(article_id)
            elif article_id not in pending.rows_of_new:
                pending.lsh_drop.append(article_id)
            pending.minhash[article_id] = neardup.to_bytes(minhash)
            pending.lsh[article_id] = keys
            for key in keys:
                pending.buckets.setdefault(key, set()).add(article_id)
            return
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
        pending = self._pending
        if pending is not None and article_id not in pending.rows_of_new:
            pending = None
        if pending is not None:  # a new article: no rows to replace
            for position, author in enumerate(authors, start=1):
                key = name_key(author.name)
                pending.authors.append(
                    (author.name, author.surname, author.given, author.patronymic, key)
                )
                pending.article_authors.append((article_id, key, position))
            return
        self.db.execute("DELETE FROM article_authors WHERE article_id = ?", [article_id])
        for position, author in enumerate(authors, start=1):
            key = name_key(author.name)
            row = self.db.execute("SELECT id FROM authors WHERE name_key = ?", [key]).fetchone()
            if row is None:
                author_id = inserted_id(
                    self.db.table("authors").insert({**asdict(author), "name_key": key})
                )
            else:
                author_id = row[0]
            self.db.table("article_authors").insert(
                {"article_id": article_id, "author_id": author_id, "position": position}
            )

    def _store_related(self, article_id: int, links: list[RelatedLink], seen: str) -> None:
        """Append the article's related links when they differ from the last capture."""
        pending = self._pending
        if pending is not None and article_id in pending.rows_of_new:
            # a new article has no earlier capture; the linked article is read on writing
            pending.related += [
                (lnk.kind, lnk.rank, lnk.url, lnk.title, lnk.author, lnk.date, lnk.views,
                 article_id, seen)
                for lnk in links
            ]  # fmt: skip
            return
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
        self.db.table("related_links").insert_all(
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
        if self._pending is not None:
            self._pending.urls.append((url, article_id, seen, seen))
        else:
            self.db.execute(_TOUCH_URL, [url, article_id, seen, seen])

    def record_aliases(
        self, aliases: Sequence[tuple[str, str]], seen_at: str
    ) -> list[tuple[str, str]]:
        """``record_alias`` for many (alias URL, canonical) pairs: three statements in all.
        Returns the pairs whose canonical names no stored article."""
        canonicals = sorted({canonical for _, canonical in aliases})
        ids: dict[str, int] = {}
        for sql in (
            "SELECT url, id FROM articles WHERE url IN ({})",
            "SELECT url, article_id FROM article_urls WHERE url IN ({})",
        ):
            wanted = [c for c in canonicals if c not in ids]
            for start in range(0, len(wanted), 500):
                part = wanted[start : start + 500]
                for url, article_id in self.db.execute(
                    sql.format(", ".join("?" * len(part))), part
                ):
                    ids.setdefault(url, article_id)
        self.db.conn.executemany(
            _TOUCH_URL,
            [
                (url, ids[canonical], seen_at, seen_at)
                for url, canonical in aliases
                if canonical in ids
            ],
        )
        return [(url, canonical) for url, canonical in aliases if canonical not in ids]

    def record_alias(self, alias_url: str, canonical: str, seen_at: str) -> bool:
        """Point ``alias_url`` at the article stored under ``canonical``; False if none is."""
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [canonical]).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT article_id FROM article_urls WHERE url = ?", [canonical]
            ).fetchone()
        if row is None:
            return False
        with self.db.atomic():
            self._touch_url(alias_url, row[0], seen_at)
        return True

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

    def clear_articles(self, tables: Sequence[str] = REBUILT_TABLES) -> None:
        """Empty the tables that reparse rebuilds (captures, crawls and failures stay; the
        anomalies go with their articles: reparse records them again from the captures).
        A full-text index among them (a virtual table) is emptied by its triggers."""
        virtual = {
            name
            for name, sql in self.db.execute("SELECT name, sql FROM sqlite_master")
            if is_virtual_table(sql)
        }
        with self.db.atomic():
            for table in tables:
                if table not in virtual:
                    self.db.execute(f'DELETE FROM "{table}"')
