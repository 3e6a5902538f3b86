"""The SQLite archive: the only code that writes it.

One file per site, opened through ``Archive``. The package is split by concern:

- ``migrate``: frozen migrations (sqlite-utils ``Migrations``), each with the SQL it ran;
- ``schema``: the views and column descriptions, each migration's frozen copy and the
  current ones;
- ``store``: the article write path (rows, versions, addresses, related links,
  authors, near-duplicates), in batched transactions;
- ``state``: the crawl's own rows (``crawls``, ``frontier``, ``failures``, ``captures``);
- ``records`` and ``sink``: the typed records of a crawl and the one sink that writes
  them, for a local crawl and for ``kazscraper store`` alike;
- ``neardup``: near-duplicate detection (MinHash signatures, LSH band keys);
- ``queries``: read-only questions (``stats``, ``show``, ``report``); ``search`` and
  ``export``: full-text search and exports.

During a crawl one ``Archive`` (one connection) is held by the archive extension
(``kazscraper.crawler.archive_owner.ArchiveExtension``); the spider, the WARC middleware and the
store pipeline (through ``sink``) write through it. The database runs in WAL mode with a
busy timeout so analysts can read while a crawl writes, and a killed crawl loses at most
the batch in flight, never the file's consistency. Migrations are applied by ``Archive(path)``
(``migrate=True``): the crawl runner does it under the run lock, before the crawl.

Tables (documented for analysts in docs/schema.md and in ``schema_descriptions``):
``articles``, ``authors``, ``article_authors``, ``article_urls``,
``article_versions``, ``related_links``, ``crawls``, ``failures``, ``frontier``,
``captures``, ``anomalies`` and the FTS5 index ``articles_fts`` over title and body.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path


def _import_sqlite_utils() -> None:
    """Import sqlite-utils with NumPy and pandas hidden (unless already imported).

    sqlite-utils imports both when they are installed (0.1-0.2 s: a read command's whole
    budget), only to map their scalar types to column types when it creates a table from
    values. The archive's tables come from its migrations and its rows hold Python values,
    so it needs no such mapping. They are hidden for this one import and stay importable
    (the near-duplicate signatures import NumPy during a crawl)."""
    hidden = [name for name in ("numpy", "pandas") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # an import raises ImportError
    try:
        import sqlite_utils  # noqa: F401
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]


_import_sqlite_utils()

import sqlite_utils  # noqa: E402

from kazscraper.archive.articles import (  # noqa: E402
    ArticleWriter,
    Outcome,
    content_hash,
    is_virtual_table,
)
from kazscraper.archive.migrate import migrations  # noqa: E402
from kazscraper.archive.state import CrawlState, utc_now  # noqa: E402

BUSY_TIMEOUT_MS = 30_000

__all__ = [
    "BUSY_TIMEOUT_MS",
    "Archive",
    "ArchiveError",
    "Outcome",
    "check_writable",
    "content_hash",
    "migrations",
    "utc_now",
]


class ArchiveError(Exception):
    """The archive file cannot be opened or written (wrong file, read-only, full disk)."""


class Archive(ArticleWriter, CrawlState):
    """An open archive file (one connection). Use as a context manager or call ``close``.

    ``migrate=False`` opens the file as it is (no schema change): for readers, and for a
    crawl whose runner has already upgraded the file under the run lock. ``site`` is the
    label of the run's ``crawls`` row and of articles that name no site: whoever writes
    them names it (the crawl's archive owner, ``kazscraper store``); a reader needs none.
    """

    def __init__(self, path: str | Path, site: str = "", migrate: bool = True) -> None:
        self.path = Path(path)
        self.site = site
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite_utils.Database(self.path, execute_plugins=False)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.enable_wal()
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            if migrate:
                _refuse_newer(self.db)
                migrations.apply(self.db)
            elif "articles" not in self.db.table_names():
                raise sqlite3.DatabaseError("not a kazscraper archive (no articles table)")
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

    def count(self, table: str) -> int:
        return self.db[table].count

    def copy_to(self, path: str | Path, empty: Iterable[str] = ()) -> None:
        """A consistent copy of the file at ``path``: the whole file (``VACUUM INTO``), or,
        with tables named in ``empty``, a new file with the same schema (the same SQL, in
        the same order) and the rows of every other table: ``copy_schema`` (a reparse
        copies the archive but its article tables, which it rebuilds)."""
        emptied = tuple(empty)
        if emptied:
            try:
                copy_schema(self.path, Path(path), frozenset(emptied))
                return
            except VirtualTableKept:  # an analyst's own index (``sqlite-utils enable-fts``):
                # the whole file, then the tables emptied, their triggers keeping it right
                Path(path).unlink(missing_ok=True)
        self.db.execute("VACUUM INTO ?", [str(path)])
        if emptied:
            with Archive(path, migrate=False) as copy:
                copy.clear_articles(emptied)


def _refuse_newer(db: sqlite_utils.Database) -> None:
    """Raise when a newer kazscraper changed this file's schema (a migration unknown here):
    this version would write it with its own idea of every table."""
    # every migration this version knows is pending on an empty database (a public,
    # read-only question to sqlite-utils)
    known = {
        m.name
        for m in migrations.pending(sqlite_utils.Database(memory=True, execute_plugins=False))
    }
    applied = [m.name for m in migrations.applied(db)]
    unknown = sorted(set(applied) - known)
    if unknown:
        raise sqlite3.DatabaseError(
            f"it was written by a newer kazscraper (migration {unknown[0]} unknown to this "
            "version): upgrade kazscraper to write it"
        )


def check_writable(path: str | Path) -> None:
    """Raise ``ArchiveError`` when a run could not write the existing file at ``path``
    (read-only file or mount), before the run starts (inside Scrapy it would fail with its
    tracebacks). A probe write is rolled back; a busy file (another run) or a file that is
    not SQLite passes: the lock and the opening of the archive say so next, in one line."""
    if not Path(path).exists():
        return
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("CREATE TABLE _kazscraper_write_probe (x)")  # rolled back below
    except sqlite3.DatabaseError as exc:
        name = getattr(exc, "sqlite_errorname", "")
        if not isinstance(exc, sqlite3.OperationalError):
            return  # not SQLite: opening it as the archive says so
        if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
            return  # another run is writing: its lock says so
        if name == "SQLITE_READONLY":
            raise ArchiveError(
                f"{path} is read-only (file permissions or a read-only disk): "
                "a run must write to it; `kazscraper stats`, `search` and `export` can read it"
            ) from exc
        raise ArchiveError(f"cannot write {path}: {exc}") from exc
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


class VirtualTableKept(ValueError):
    """A virtual table (a full-text index) whose rows ``copy_schema`` would have to keep."""


def copy_schema(source: Path, target: Path, empty: frozenset[str]) -> None:
    """A new SQLite file at ``target`` with ``source``'s schema and the rows of its tables
    but those named in ``empty``, in one read transaction of ``source`` (a consistent
    copy, as ``VACUUM INTO``'s).

    Each table, index, trigger and view is created by the SQL ``source`` keeps for it, in
    the order it was created (tables, rows, then the rest: indexes are built once, on the
    copied rows); a virtual table makes its own shadow tables, which are not copied (a
    full-text index of emptied tables starts empty, as in a new archive). Copying only
    what is kept is what makes this cheaper than copying everything and deleting (each
    deleted article also runs the full-text index's delete trigger). The file is written
    without a journal (it is a scratch file until its owner keeps it) and left in the
    journal mode, page size, ``user_version`` and ``application_id`` of ``source``."""
    if target.exists():
        raise FileExistsError(target)
    with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src:
        pragmas = {
            name: src.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_size", "journal_mode", "user_version", "application_id")
        }
    # a URI connection: ATTACH of a URI then works whatever SQLite's build (SQLITE_USE_URI)
    conn = sqlite3.connect(target.resolve().as_uri(), uri=True, isolation_level=None)
    try:
        conn.execute(f"PRAGMA page_size = {int(pragmas['page_size'])}")
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("ATTACH DATABASE ? AS source", [f"{source.resolve().as_uri()}?mode=ro"])
        conn.execute("BEGIN")
        shadow = {
            row[1]
            for row in conn.execute("PRAGMA source.table_list")
            if row[0] == "source" and row[2] == "shadow"
        }
        objects = conn.execute(
            "SELECT type, name, sql FROM source.sqlite_master "
            "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
        ).fetchall()
        tables = [(name, sql) for kind, name, sql in objects if kind == "table"]
        for name, sql in tables:
            if name not in shadow:
                conn.execute(sql)
        for name, sql in tables:
            if name in shadow or name in empty:
                continue
            if is_virtual_table(sql):
                raise VirtualTableKept(f"the virtual table {name} is copied only empty")
            columns = ", ".join(
                f'"{row[1]}"' for row in conn.execute(f'PRAGMA source.table_info("{name}")')
            )
            conn.execute(
                f'INSERT INTO main."{name}" ({columns}) SELECT {columns} FROM source."{name}"'
            )
        for kind, _name, sql in objects:
            if kind != "table":
                conn.execute(sql)
        sequences = conn.execute(
            "SELECT 1 FROM source.sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()
        if sequences:  # AUTOINCREMENT's counters, of emptied tables too (as a DELETE leaves);
            # the rows copied above already counted theirs: one counter a table, the source's
            conn.execute("DELETE FROM main.sqlite_sequence")
            conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM source.sqlite_sequence")
        conn.execute("COMMIT")
        conn.execute("DETACH DATABASE source")
        conn.execute(f"PRAGMA user_version = {int(pragmas['user_version'])}")
        conn.execute(f"PRAGMA application_id = {int(pragmas['application_id'])}")
        conn.execute(f"PRAGMA journal_mode = {pragmas['journal_mode']}")
    finally:
        conn.close()
