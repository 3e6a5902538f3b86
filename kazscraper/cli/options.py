"""The options several commands share, and the checks their values go through.

``--db`` in its three forms (read, write, rebuild), ``--site LABEL``, the crawl options of
``crawl`` and ``demo``, and the callbacks that turn a bad URL, date, number or output
file into a one-line usage error (exit 2) before anything runs.
"""

from __future__ import annotations

import errno
import gzip
import math
import os
import zlib
from collections.abc import Callable
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from kazscraper.cli.default_archive import DEFAULT_DB, DEMO_DB, archive_to_read

LOG_LEVELS = click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)


SQLITE_INT_MAX = 2**63 - 1  # the largest INTEGER SQLite binds (a LIMIT past it: OverflowError)
# a revisit window past this is every archived article; a date minus a billion days overflows
MAX_REVISIT_DAYS = 100_000
#: the largest replica ``demo`` and ``replica serve`` build (100,000 articles: 6 s, 70 MB)
MAX_REPLICA_ARTICLES = 1_000_000


def db_option(
    default: str | None,
    *,
    exists: bool = True,
    callback: Callable[[click.Context, click.Parameter, Any], Any] | None = None,
    help: str = "The archive file.",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The ``--db`` option (the archive file, passed as ``db_path``) of every command: one
    declaration, told apart only by its default, whether the file must exist already, and
    how a missing value is chosen (``callback``)."""
    return click.option(
        "--db",
        "db_path",
        type=click.Path(exists=exists, dir_okay=False),
        default=default,
        show_default=default is not None,
        callback=callback,
        help=help,
    )


# the commands that read an archive: without --db, the one that holds articles
read_db_option = db_option(
    None,
    callback=archive_to_read,
    help=f"The archive to read [default: {DEFAULT_DB} if it holds articles, else {DEMO_DB}].",
)
# stats, search, export, report: one site of the archive
site_filter_option = click.option(
    "--site",
    "site",
    metavar="LABEL",
    help="Only this site's articles (its label in articles.site: qazdauiri, abai.kz, …).",
)


# a command that rebuilds an existing archive
# (chosen as a read command chooses it: the same archive `stats` shows)
existing_db_option = db_option(
    None,
    callback=archive_to_read,
    help=f"The archive to rebuild [default: {DEFAULT_DB} if it holds articles, else {DEMO_DB}].",
)


def http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An http(s) URL, without the ``user:password@`` it may carry: a secret must not end up
    in the archive's file name, ``crawls.arguments`` or the logs (and Scrapy does not send it)."""
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 -- raises for a port past 65535 or not a number
    except ValueError as exc:  # http://[::1, a host NFKC changes
        raise click.BadParameter(f"{value!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        value = parts.geturl()
        click.echo(
            f"{ctx.command_path}: warning: the user name and password in {param.opts[0]} "
            f"are not used and not stored ({value})",
            err=True,
        )
    return value


def any_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A URL urllib can read (any scheme: ``parse --url`` only names the page)."""
    if value is not None:
        try:
            urlsplit(value).port  # noqa: B018 -- raises for a broken host or port
        except ValueError as exc:
            raise click.BadParameter(f"{value!r} is not a URL: {exc}") from exc
    return value


def finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A number of seconds: ``nan`` and ``inf`` pass click's ranges but are no limit."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


def since_date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def crawl_options(func: Callable) -> Callable:
    """Options shared by ``crawl`` and ``demo``: how much to fetch, where to log."""
    options = [
        click.option(
            "--max-articles",
            type=click.IntRange(min=1),
            help="Fetch at most this many article pages (a run stops discovery at "
            "KAZSCRAPER_MAX_ARTICLES_PER_RUN, 200,000, anyway).",
        ),
        click.option(
            "--full", is_flag=True, help="Walk every listing page and revisit every article."
        ),
        click.option(
            "--since", callback=since_date, help="Backfill bound: skip articles before YYYY-MM-DD."
        ),
        click.option(
            "--revisit-days",
            type=click.IntRange(min=0, max=MAX_REVISIT_DAYS),
            default=7,
            show_default=True,
            help="Revisit articles published in the last N days (conditional GET) to catch edits.",
        ),
        click.option(
            "--stop-after",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="Stop a category's pagination after N pages in a row with nothing new.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0, max=16),
            default=0,
            show_default=True,
            help="Extract pages in N worker processes (uses more cores; 0: in the crawl process).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            callback=finite,
            default=30.0,
            show_default=True,
            help="Give up on a response after this many seconds (then retried, then recorded).",
        ),
        click.option(
            "--log-file",
            type=click.Path(dir_okay=False),
            help="[default: <archive dir>/logs/<name>-<time>.log]",
        ),
        click.option(
            "--log-level",
            type=LOG_LEVELS,
            default="INFO",
            show_default=True,
            help="Of the log file.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


_SQLITE_HEADER = b"SQLite format 3\x00"
_ARCHIVE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def _is_warc(path: Path) -> bool:
    """A WARC file, whatever its name: plain (``WARC/``) or gzipped records."""
    name = path.name.lower()
    if name.endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
        return True
    try:
        with open(path, "rb") as fh:
            head = fh.read(2)
            if head == b"WA":
                return fh.read(3) == b"RC/"
            if head != b"\x1f\x8b":
                return False
            fh.seek(0)
            with gzip.GzipFile(fileobj=fh) as inflated:
                return inflated.read(5) == b"WARC/"
    except (OSError, EOFError, zlib.error):
        return False


def _sqlite_file(path: Path) -> bool:
    with suppress(OSError), open(path, "rb") as fh:
        return fh.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER
    return False


def refuse_overwrite(path: str, db_path: str, option: str, what: str) -> Path:
    """The one check of every output option (``--out``, ``--log-file``): refuse a ``path``
    that would overwrite the archive (its -wal, -shm, lock file, through any path or
    symlink), any other SQLite database, a WARC file (whatever its name), anything under
    a ``warc/`` folder (where archives keep their captures), or a named pipe that no
    process reads (writing would block for ever); its resolved path."""
    target = Path(path).resolve()
    db = Path(db_path).resolve()
    reason = None
    if target in {Path(f"{db}{suffix}") for suffix in _ARCHIVE_COMPANIONS}:
        reason = f"is the archive {db_path}" + ("" if target == db else " (one of its files)")
    elif "warc" in target.parent.parts:
        reason = "is in a warc/ folder, where an archive keeps its captures"
    elif target.is_fifo():
        try:
            os.close(os.open(target, os.O_WRONLY | os.O_NONBLOCK))
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                raise click.BadParameter(
                    f"{path!r} is a named pipe that no process reads: {what} would wait for ever",
                    param_hint=f"'{option}'",
                ) from exc
    elif target.is_file():
        if _sqlite_file(target):
            reason = "is a SQLite database"
        elif _is_warc(target):
            reason = "is a WARC file"
    if reason:
        raise click.BadParameter(
            f"{path!r} {reason}: {what} there would overwrite it", param_hint=f"'{option}'"
        )
    return target


def check_log_file(log_file: str | None, db_path: str) -> None:
    """Refuse a ``--log-file`` that would overwrite the archive or any SQLite database, or
    that cannot be written."""
    if log_file is None:
        return
    target = refuse_overwrite(log_file, db_path, "--log-file", "a log")
    try:  # can the log be written at all? (a missing folder is made, as the run would)
        target.parent.mkdir(parents=True, exist_ok=True)
        # non-blocking: a named pipe that nobody reads would make the run wait forever
        os.close(os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise click.BadParameter(
                f"{log_file!r} is a named pipe that no process reads: the run would wait",
                param_hint="'--log-file'",
            ) from exc
        raise click.BadParameter(
            f"cannot write {log_file!r}: {exc.strerror}", param_hint="'--log-file'"
        ) from exc


def check_writable_archive(db_path: str) -> None:
    from kazscraper.archive import ArchiveError, check_writable

    try:
        check_writable(db_path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
