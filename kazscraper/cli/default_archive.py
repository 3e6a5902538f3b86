"""Which archive a command uses (the default-archive policy), and opening it to read.

Without ``--db``: a crawl of qazdauiri.kz writes ``archive/qazdauiri.sqlite``; a crawl of
another host, an archive named after that host (never mixed); several sites,
``archive/press.sqlite``; ``demo``, ``archive/demo.sqlite``. A command that reads takes
the first of the real site's archive and the demo's that holds articles, upgraded first
when no run holds it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from kazscraper.sites import Sites, get_profile

if TYPE_CHECKING:  # the archive (sqlite-utils) is imported by the commands that open one
    from kazscraper.archive import Archive

# the site profile of a one-site crawl, reparse or parse that names none
DEFAULT_SITE = "qazdauiri"
DEFAULT_DB = "archive/qazdauiri.sqlite"
SITES_DB = "archive/press.sqlite"  # a crawl of several sites, without --db
DEMO_DB = "archive/demo.sqlite"


def default_read_archive(
    candidates: tuple[str, ...] = (DEFAULT_DB, DEMO_DB),
) -> str | None:
    """The archive a read command uses without --db: the first of ``candidates`` that holds
    articles, else the first that exists (a crawl of the real site that could not reach it
    leaves an archive without articles: it must not hide the demo's)."""
    from kazscraper.archive import queries

    existing = [path for path in candidates if Path(path).is_file()]
    for path in existing:
        if queries.has_articles(path):
            return path
    return existing[0] if existing else None


def archive_to_read(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """``--db`` of a command that reads: the archive given, else ``default_read_archive``'s
    choice (named on stderr), else a usage error."""
    if value is not None:
        return value
    chosen = default_read_archive()
    if chosen is None:
        raise click.BadParameter(
            f"no archive at {DEFAULT_DB} or {DEMO_DB} yet: run `kazscraper demo` (offline) or "
            "`kazscraper crawl` first, or name one with --db",
            param_hint="'--db'",
        )
    click.echo(f"kazscraper {ctx.info_name}: reading {chosen}", err=True)
    return chosen


def default_db_for(start_url: str | None) -> str:
    """The real site's archive, or one named after another host (never mixed)."""
    if start_url is None:
        return DEFAULT_DB
    netloc = urlsplit(start_url).netloc
    if netloc == get_profile(DEFAULT_SITE).netloc:
        return DEFAULT_DB
    return f"archive/{netloc.replace(':', '-')}.sqlite"


def default_db_for_sites(sites: Sites) -> str:
    """One site: as for its start URL; several: one archive for all of them."""
    if len(sites) > 1:
        return SITES_DB
    site = next(iter(sites))
    if (
        site.profile.name != "generic"
        and site.profile.origin == get_profile(site.profile.name).origin
    ):
        return DEFAULT_DB
    return default_db_for(site.start_urls[0])


def _current_archive(db_path: str) -> Archive | None:
    """The archive at ``db_path`` opened to read if its schema is this version's (every
    migration applied, none unknown), else None: it needs an upgrade, or it is no archive."""
    from kazscraper.archive import Archive, ArchiveError
    from kazscraper.archive.queries import schema_is_current

    try:
        archive = Archive(db_path, migrate=False)
    except ArchiveError:
        return None
    try:
        if schema_is_current(archive.db):
            return archive
    except sqlite3.DatabaseError:
        pass  # the upgrade says what is wrong with the file
    archive.close()
    return None


def refuse_foreign(db_path: str) -> None:
    """Exit 1 with one line when ``db_path`` is another program's SQLite database: a read
    command neither migrates it nor switches it to WAL (nothing is written to it)."""
    from kazscraper.archive.queries import foreign_database

    reason = foreign_database(db_path)
    if reason is not None:
        raise click.ClickException(f"{reason}; nothing was written to it")


def upgrade_if_needed(db_path: str) -> None:
    """Upgrade an archive whose schema is not this version's, under the run lock (unless a
    run holds it: that run upgrades it); ``ArchiveError`` when the file cannot be one. The
    upgrade's code (the run lock) is imported only when an upgrade is needed."""
    refuse_foreign(db_path)
    archive = _current_archive(db_path)
    if archive is not None:
        archive.close()
        return
    _upgrade(db_path)


def _upgrade(db_path: str) -> None:
    from kazscraper.crawler.run_lock import upgrade_if_idle

    upgrade_if_idle(db_path)


def open_archive(db_path: str) -> Archive:
    """Open an archive to read it, or exit with a one-line message. An older archive is
    upgraded first (as by ``upgrade_if_needed``); a file that is not a current archive goes
    the same way, which says what is wrong."""
    from kazscraper.archive import Archive, ArchiveError

    refuse_foreign(db_path)
    archive = _current_archive(db_path)
    if archive is not None:
        return archive
    try:
        _upgrade(db_path)
        return Archive(db_path, migrate=False)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def check_site(archive: Archive, site: str | None) -> None:
    """An unknown ``--site`` label: a usage error naming the archive's sites."""
    from kazscraper.archive import queries

    try:
        queries.check_site(archive.db, site)
    except queries.UnknownSite as exc:
        raise click.BadParameter(str(exc), param_hint="'--site'") from exc
