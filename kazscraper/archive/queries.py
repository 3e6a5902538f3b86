"""Read-only questions about an archive, for the CLI and the report (which hold no SQL).

This module answers ``kazscraper stats``, ``show`` and ``report`` (``summary``,
``article_view``, ``overview``), which sites an archive holds (``site_labels``,
``check_site``: the ``--site LABEL`` filter of stats, search, export and report); search
and export are ``archive.search`` and
``archive.export``, which share ``date_bounds`` from here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from kazscraper.archive.migrate import migrations
from kazscraper.archive.schema import DESCRIPTIONS

#: an open archive: the archive's ``sqlite_utils.Database`` or a plain connection
Db = sqlite3.Connection | sqlite_utils.Database

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
    verdict: str | None = None
    extraction_layers: dict[str, int] = field(default_factory=dict)
    sites: tuple[str, ...] = ()  # the labels of the sites it crawled (``crawls.site``)


@dataclass
class ArchiveSummary:
    counts: dict[str, int]
    first_published: str | None
    last_published: str | None
    categories: list[tuple[str, int]]
    runs: list[RunRow]


class UnknownSite(ValueError):
    """A ``--site`` label the archive has no article of (the message lists those it has)."""


def site_labels(db: sqlite_utils.Database | sqlite3.Connection) -> list[str]:
    """The sites the archive holds articles of (``articles.site``), sorted."""
    return [row[0] for row in db.execute("SELECT DISTINCT site FROM articles ORDER BY 1")]


def check_site(db: sqlite_utils.Database | sqlite3.Connection, site: str | None) -> None:
    """Raise ``UnknownSite`` when ``site`` is given and no article of the archive has it."""
    if site is None:
        return
    if db.execute("SELECT 1 FROM articles WHERE site = ? LIMIT 1", [site]).fetchone():
        return
    labels = site_labels(db)
    has = f"it has {', '.join(labels)}" if labels else "it has no articles"
    raise UnknownSite(f"no articles of site {site!r} in the archive; {has}")


# one site's rows of each summary table (the parameter: its label); failures have no site
_SITE_COUNTS = {
    "articles": "SELECT count(*) FROM articles WHERE site = ?",
    "authors": "SELECT count(DISTINCT aa.author_id) FROM article_authors aa"
    " JOIN articles a ON a.id = aa.article_id WHERE a.site = ?",
    "article_urls": "SELECT count(*) FROM article_urls u JOIN articles a ON a.id = u.article_id"
    " WHERE a.site = ?",
    "article_versions": "SELECT count(*) FROM article_versions v"
    " JOIN articles a ON a.id = v.article_id WHERE a.site = ?",
    "related_links": "SELECT count(*) FROM related_links r JOIN articles a ON a.id = r.article_id"
    " WHERE a.site = ?",
}


def summary(db: sqlite_utils.Database, runs: int = 10, site: str | None = None) -> ArchiveSummary:
    """Counts per table, the publication date range, articles per category, the last runs;
    with ``site``, of that site's articles and of the runs that crawled it (the failures
    table has no site: it is left out)."""
    where, params = ("WHERE site = ?", [site]) if site is not None else ("", [])
    first, last = db.execute(
        f"SELECT min(published_date), max(published_date) FROM articles {where}", params
    ).fetchone()
    categories = [
        (name, n)
        for name, n in db.execute(
            f"SELECT coalesce(category, '(none)'), count(*) FROM articles {where}"
            " GROUP BY 1 ORDER BY 2 DESC",
            params,
        )
    ]
    recent = recent_runs(db, runs, site)
    if site is None:
        counts = {table: db[table].count for table in SUMMARY_TABLES}
    else:
        counts = {t: int(db.execute(sql, [site]).fetchone()[0]) for t, sql in _SITE_COUNTS.items()}
    return ArchiveSummary(counts, first, last, categories, recent)


def recent_runs(
    db: sqlite_utils.Database, limit: int = 10, site: str | None = None
) -> list[RunRow]:
    """The last ``limit`` runs (rows of ``crawls``), newest first; with ``site``, the runs
    that crawled it (``crawls.site`` lists a run's sites, comma-separated)."""
    where, params = ("", [])
    if site is not None:
        where, params = "WHERE instr(',' || site || ',', ',' || ? || ',') > 0", [site]
    rows = db.execute(
        "SELECT id, started_at, command, status, pages_fetched, articles_new, "
        "articles_updated, articles_unchanged, failures, fill_rates, verdict, "
        f"extraction_layers, site FROM crawls {where} ORDER BY id DESC LIMIT ?",
        [*params, limit],
    )
    return [_run_row(row) for row in rows]


def _run_row(row: tuple[Any, ...]) -> RunRow:
    id_, started_at, command, status, pages, new, updated, unchanged, failures, *rest = row
    fills, verdict, layers, sites = rest
    return RunRow(
        id_,
        started_at,
        command,
        status,
        pages,
        new,
        updated,
        unchanged,
        failures,
        fill_rates=_json_object(fills),
        verdict=verdict,
        extraction_layers=_json_object(layers),
        sites=tuple(label for label in (sites or "").split(",") if label),
    )


def _json_object(text: str | None) -> dict[str, Any]:
    """A JSON object column as a dict ({} for NULL, bad JSON or another JSON type)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass
class ArticleView:
    """One archived article as a reader sees it, with its history (``kazscraper show``)."""

    article: dict[str, Any]
    authors: list[str]
    urls: list[str]
    related: dict[str, list[dict[str, Any]]]  # kind -> the block's latest captured entries
    versions: list[dict[str, Any]]  # earlier texts, oldest first
    captures: list[dict[str, Any]]  # every fetch of its URLs, oldest first


def find_article_id(db: sqlite_utils.Database, key: str) -> int | None:
    """The id of the article that ``key`` names: an id, its URL, or any URL that led to it."""
    if key.isdigit():  # '²' and '٣' are digits too; an id is ASCII and fits SQLite's INTEGER
        if not (key.isascii() and len(key) <= 19 and int(key) < 2**63):
            return None
        found = db.execute("SELECT id FROM articles WHERE id = ?", [int(key)]).fetchone()
        return found[0] if found else None
    found = db.execute("SELECT id FROM articles WHERE url = ?", [key]).fetchone()
    if found is None:
        found = db.execute("SELECT article_id FROM article_urls WHERE url = ?", [key]).fetchone()
    return found[0] if found else None


def article_view(db: sqlite_utils.Database, article_id: int) -> ArticleView | None:
    """Everything the archive holds about article ``article_id`` (None if there is none)."""
    rows = list(db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
    if not rows:
        return None
    authors = [
        name
        for (name,) in db.execute(
            "SELECT au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id"
            " WHERE aa.article_id = ? ORDER BY aa.position",
            [article_id],
        )
    ]
    urls = [
        url
        for (url,) in db.execute(
            "SELECT url FROM article_urls WHERE article_id = ? ORDER BY first_seen_at, url",
            [article_id],
        )
    ]
    related: dict[str, list[dict[str, Any]]] = {}
    for kind in ("similar", "top"):
        entries = list(
            db.query(
                "SELECT rank, title, url, author, date, views, linked_article_id, captured_at"
                " FROM related_links WHERE article_id = ? AND kind = ? AND captured_at ="
                " (SELECT max(captured_at) FROM related_links WHERE article_id = ? AND kind = ?)"
                " ORDER BY rank",
                [article_id, kind, article_id, kind],
            )
        )
        if entries:
            related[kind] = entries
    versions = list(
        db.query(
            "SELECT version, title, first_seen_at, superseded_at, content_hash"
            " FROM article_versions WHERE article_id = ? ORDER BY version",
            [article_id],
        )
    )
    captures = list(
        db.query(
            "SELECT c.url, c.status, c.record_type, c.fetched_at, c.warc_file, c.offset"
            " FROM captures c WHERE c.url IN (SELECT url FROM article_urls WHERE article_id = ?)"
            " ORDER BY c.fetched_at, c.id",
            [article_id],
        )
    )
    return ArticleView(rows[0], authors, urls, related, versions, captures)


def schema_is_current(db: sqlite_utils.Database) -> bool:
    """Whether the archive has every migration of this version applied and none it does not
    know (read-only): then opening it to read needs no upgrade, nor the crawl's run lock."""
    known = {
        m.name
        for m in migrations.pending(sqlite_utils.Database(memory=True, execute_plugins=False))
    }
    return {m.name for m in migrations.applied(db)} == known


def read_uri(path: str | Path) -> str:
    """The SQLite URI to read the archive at ``path`` without writing it: ``mode=rw`` where
    the file and its folder are writable (with ``PRAGMA query_only`` on the connection,
    see ``connect_to_read``), so that the last connection to close removes the -wal and
    -shm files; a ``mode=ro`` connection cannot, and left both beside the archive after
    every read. ``mode=ro`` where the archive cannot be written."""
    resolved = Path(path).resolve()
    writable = os.access(resolved, os.W_OK) and os.access(resolved.parent, os.W_OK)
    return f"{resolved.as_uri()}?mode={'rw' if writable else 'ro'}"


def connect_to_read(path: str | Path) -> sqlite3.Connection:
    """A connection that only reads the archive at ``path`` (``read_uri``, ``query_only``)."""
    conn = sqlite3.connect(read_uri(path), uri=True)
    conn.execute("PRAGMA query_only = 1")
    return conn


def crawl_commands(path: str | Path) -> set[str]:
    """The commands of the runs that wrote the archive at ``path`` (``crawl``, ``demo``,
    ``reparse``, ``store``…; read-only; none for a file that is not an archive)."""
    try:
        with closing(connect_to_read(path)) as conn:
            return {command for (command,) in conn.execute("SELECT DISTINCT command FROM crawls")}
    except sqlite3.Error:
        return set()


def has_articles(path: str | Path) -> bool:
    """Whether the file at ``path`` is an archive with at least one article (read-only;
    False for anything that is not one)."""
    try:
        conn = connect_to_read(path)
    except sqlite3.Error:
        return False
    try:
        return conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def foreign_database(path: str | Path) -> str | None:
    """Why the SQLite file at ``path`` is another program's, not a kazscraper archive
    (read-only: nothing is written to it); None when it is an archive, has no table yet,
    or is no SQLite file at all (opening it says what is wrong).

    An archive is a file whose ``_sqlite_migrations`` lists a kazscraper migration: a
    file with tables of its own (a browser's history, a file with its own ``articles``)
    is never migrated into one."""
    file = Path(path)
    if not file.is_file() or file.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name LIMIT 6"
            )
        ]
        if not tables:
            return None
        if "_sqlite_migrations" in tables:
            ours = conn.execute(
                "SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1",
                [migrations.name],
            ).fetchone()
            if ours is not None:
                return None
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    return f"{path} is not a kazscraper archive (a SQLite database of tables {shown})"


def connection(db: Db) -> sqlite3.Connection:
    """The plain connection of an open archive."""
    return db.conn if isinstance(db, sqlite_utils.Database) else db


def date_bounds(
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


@dataclass
class Overview:
    """What ``kazscraper report`` draws of an archive (or of one site's articles)."""

    articles: int
    first_date: str | None
    last_date: str | None
    per_month: list[tuple[str, int]]  # oldest first
    authors: list[tuple[str, int]]
    top_news: list[tuple[str, int, str, str]]  # title, days in the list, first day, last day
    runs: list[RunRow]  # oldest first


def overview(
    db_path: str | Path, *, months: int, people: int, runs: int, site: str | None = None
) -> Overview:
    """Read the report's figures from the archive at ``db_path``, opened read-only: the
    last ``months`` of articles per month, the ``people`` most frequent authors and
    longest-listed top news, the last ``runs`` runs; with ``site``, of that site's articles
    and the runs that crawled it."""
    conn = connect_to_read(db_path)
    # one site: its articles (the parameter is its label); every article: a true condition
    of_site = "a.site = ?" if site is not None else "? IS NULL"
    try:
        count, first, last = conn.execute(
            "SELECT count(*), min(published_date), max(published_date) FROM articles a"
            f" WHERE {of_site}",
            (site,),
        ).fetchone()
        per_month = conn.execute(
            "SELECT substr(published_date, 1, 7) AS month, count(*) FROM articles a"
            f" WHERE published_date IS NOT NULL AND {of_site} GROUP BY 1 ORDER BY 1 DESC LIMIT ?",
            (site, months),
        ).fetchall()
        authors = conn.execute(
            "SELECT au.name, count(DISTINCT aa.article_id) AS n FROM authors au"
            " JOIN article_authors aa ON aa.author_id = au.id"
            " JOIN articles a ON a.id = aa.article_id"
            f" WHERE {of_site} GROUP BY au.id ORDER BY n DESC, au.name LIMIT ?",
            (site, people),
        ).fetchall()
        top_news = conn.execute(
            "SELECT max(r.title), count(DISTINCT substr(r.captured_at, 1, 10)) AS days,"
            " min(substr(r.captured_at, 1, 10)), max(substr(r.captured_at, 1, 10))"
            " FROM related_links r JOIN articles a ON a.id = r.article_id"
            f" WHERE r.kind = 'top' AND {of_site}"
            " GROUP BY coalesce(r.url, r.title) ORDER BY days DESC, min(r.rank), 1 LIMIT ?",
            (site, people),
        ).fetchall()
        recent = recent_runs(sqlite_utils.Database(conn, execute_plugins=False), runs, site)
    finally:
        conn.close()
    return Overview(
        articles=count,
        first_date=first,
        last_date=last,
        per_month=[(m, n) for m, n in reversed(per_month)],
        authors=[(name, n) for name, n in authors],
        top_news=[(t or "", d, f, la) for t, d, f, la in top_news],
        runs=recent[::-1],
    )


#: a table or view -> its column names
Columns = dict[str, list[str]]
#: a table -> (its description, {column: description})
Described = dict[str, tuple[str, dict[str, str]]]


def tables_and_descriptions(db_path: str | Path) -> tuple[Columns, Described]:
    """The tables and views of the file at ``db_path`` (opened read-only) with their
    columns, and their descriptions: the file's own ``schema_descriptions``, else (an
    archive this version could not upgrade: a read-only file) this version's, for what the
    file has."""
    conn = connect_to_read(db_path)
    try:
        sql = "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
        names = [name for (name,) in conn.execute(sql)]
        have = {
            name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in names
        }
        if {"table_name", "column_name", "description"} <= set(have.get("schema_descriptions", [])):
            found: Described = {}
            rows = conn.execute(
                "SELECT table_name, column_name, description FROM schema_descriptions"
            )
            for table, column, text in rows:
                _, columns = found.setdefault(table, ("", {}))
                if column is None:
                    found[table] = (text, columns)
                else:
                    columns[column] = text
            return have, found
    finally:
        conn.close()
    return have, {
        table: (about, {c: d for c, d in columns.items() if c in have[table]})
        for table, (about, columns) in DESCRIPTIONS.items()
        if table in have
    }


def lost_articles(original: Path, rebuilt: Path) -> str | None:
    """Why the ``rebuilt`` archive would lose articles ``original`` has (fewer article rows,
    or archived article URLs that no rebuilt article holds: their captures claimed by no
    site), in one line; None when it keeps every one."""
    with closing(connect_to_read(rebuilt)) as conn:
        conn.execute("ATTACH DATABASE ? AS original", [read_uri(original)])
        (had,) = conn.execute("SELECT count(*) FROM original.articles").fetchone()
        (has,) = conn.execute("SELECT count(*) FROM main.articles").fetchone()
        (unclaimed,) = conn.execute(
            "SELECT count(*) FROM original.articles o WHERE NOT EXISTS "
            "(SELECT 1 FROM main.article_urls u WHERE u.url = o.url)"
        ).fetchone()
    if has >= had and not unclaimed:
        return None
    return (
        f"the rebuilt copy has {has} of the archive's {had} articles; {unclaimed} archived "
        "article URL(s) ended in no rebuilt article (captures claimed by no site?)"
    )


def captured_files(db: Path) -> tuple[tuple[str, ...], int]:
    """The WARC files the archive's ``captures`` table names, and its number of captures:
    what a reparse reads (a copy of an archive names the original's files)."""
    with closing(sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)) as conn:
        files = tuple(f for (f,) in conn.execute("SELECT DISTINCT warc_file FROM captures"))
        (count,) = conn.execute("SELECT count(*) FROM captures").fetchone()
    return files, count


def first_crawl(path: Path) -> tuple[Any, ...] | None:
    """The first run an archive records (its start time and arguments), read-only."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        row = conn.execute(
            "SELECT started_at, arguments FROM crawls ORDER BY id LIMIT 1"
        ).fetchone()
    return tuple(row) if row else None
