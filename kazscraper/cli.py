"""The ``kazscraper`` command line.

Commands: ``crawl`` (the main job), ``demo`` (crawl the offline replica),
``replica serve``, ``stats``, ``parse``, and for analysts ``search`` and
``export`` (thin wrappers of ``kazscraper.analysis``). Library errors become one-line
messages; exit codes are documented in README.md (0 ok, 1 failed, 2 usage).
"""

from __future__ import annotations

import errno
import json
import math
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, NoReturn
from urllib.parse import urlsplit

import click

from kazscraper.archive import Archive, ArchiveError, check_writable, queries
from kazscraper.crawl import (
    EXIT_LOCKED,
    AlreadyRunning,
    CrawlOptions,
    CrawlResult,
    run_crawl,
    run_reparse,
    upgrade_if_idle,
)
from kazscraper.settings import DOWNLOAD_MAXSIZE
from kazscraper.sites import Sites, SiteSpecError, build_sites, get_profile, profile_for_url
from kazscraper.urls import redacted_url

DEFAULT_DB = "archive/qazdauiri.sqlite"
SITES_DB = "archive/press.sqlite"  # a crawl of several sites, without --db
DEMO_PORT = 8470  # kazscraper demo: the replica on 8470, its mirror on 8471
DEMO_DB = "archive/demo.sqlite"
# stats: one line per run, side by side
RUN_ROW = "  {:>4} {:<25} {:<8} {:<9} {:>6} {:>5} {:>5} {:>5} {:>5}  {:>6} {:>6} {:>6} {:>6}"
FILL_COLUMNS = ("title", "body", "published_date", "authors")
LOG_LEVELS = click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)


SQLITE_INT_MAX = 2**63 - 1  # the largest INTEGER SQLite binds (a LIMIT past it: OverflowError)
# a revisit window past this is every archived article; a date minus a billion days overflows
MAX_REVISIT_DAYS = 100_000


def default_read_archive(
    candidates: tuple[str, ...] = (DEFAULT_DB, DEMO_DB),
) -> str | None:
    """The archive a read command uses without --db: the first of ``candidates`` that holds
    articles, else the first that exists (a crawl of the real site that could not reach it
    leaves an archive without articles: it must not hide the demo's)."""
    existing = [path for path in candidates if Path(path).is_file()]
    for path in existing:
        if queries.has_articles(path):
            return path
    return existing[0] if existing else None


def _archive_to_read(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
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
    callback=_archive_to_read,
    help=f"The archive to read [default: {DEFAULT_DB} if it holds articles, else {DEMO_DB}].",
)
# stats, search, export, report: one site of the archive
site_filter_option = click.option(
    "--site",
    "site",
    metavar="LABEL",
    help="Only this site's articles (its label in articles.site: qazdauiri, abai.kz, …).",
)


def _check_site(archive: Archive, site: str | None) -> None:
    """An unknown ``--site`` label: a usage error naming the archive's sites."""
    try:
        queries.check_site(archive.db, site)
    except queries.UnknownSite as exc:
        raise click.BadParameter(str(exc), param_hint="'--site'") from exc


# a command that rebuilds an existing archive
existing_db_option = db_option(DEFAULT_DB, help="The archive to rebuild.")


def _http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
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


def _any_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A URL urllib can read (any scheme: ``parse --url`` only names the page)."""
    if value is not None:
        try:
            urlsplit(value).port  # noqa: B018 -- raises for a broken host or port
        except ValueError as exc:
            raise click.BadParameter(f"{value!r} is not a URL: {exc}") from exc
    return value


def _finite(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A number of seconds: ``nan`` and ``inf`` pass click's ranges but are no limit."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds")
    return value


def verdict_word(exit_code: int) -> str:
    """The first word of a run's summary line: ``ok``, ``UNHEALTHY`` (exit 3) or ``FAILED``."""
    return {0: "ok", 3: "UNHEALTHY"}.get(exit_code, "FAILED")


#: the largest replica ``demo`` and ``replica serve`` build (100,000 articles: 6 s, 70 MB)
MAX_REPLICA_ARTICLES = 1_000_000


def _default_db_for(start_url: str | None) -> str:
    """The real site's archive, or one named after another host (never mixed)."""
    if start_url is None:
        return DEFAULT_DB
    netloc = urlsplit(start_url).netloc
    if netloc == get_profile("qazdauiri").netloc:
        return DEFAULT_DB
    return f"archive/{netloc.replace(':', '-')}.sqlite"


def _site_specs(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """``--site`` specs, a URL in them checked as ``--start-url`` is (credentials dropped)."""
    specs = []
    for spec in value:
        name, sep, url = spec.strip().partition("=")
        if sep and "://" not in name:
            specs.append(f"{name}={_http_url(ctx, param, url)}")
        elif "://" in spec:
            specs.append(str(_http_url(ctx, param, spec.strip())))
        else:
            specs.append(spec.strip())
    return tuple(specs)


def _default_db_for_sites(sites: Sites) -> str:
    """One site: as for its start URL; several: one archive for all of them."""
    if len(sites) > 1:
        return SITES_DB
    site = next(iter(sites))
    if (
        site.profile.name != "generic"
        and site.profile.origin == get_profile(site.profile.name).origin
    ):
        return DEFAULT_DB
    return _default_db_for(site.start_urls[0])


def sites_note(sites: Sites) -> str:
    """One line naming each site of a crawl, its archive label and its profile."""
    parts = []
    for site in sites:
        profile = site.profile
        kind = "generic profile" if profile.name == "generic" else f"{profile.name} profile"
        parts.append(f"{site.label} ({kind} at {profile.origin})")
    return "sites: " + "; ".join(parts)


def _profile_note(start_url: str | None) -> str | None:
    """One line saying which profile a crawl of another host uses (None for qazdauiri.kz
    and for a replica on this machine, which the qazdauiri profile serves as it is)."""
    from kazscraper.crawl import is_loopback

    if start_url is None or is_loopback(start_url):
        return None
    site = get_profile("qazdauiri")
    netloc = urlsplit(start_url).netloc.lower()
    if netloc in site.site_netlocs:
        return None
    return (
        f"profile: qazdauiri (its paths and selectors, rebased on {netloc}); pages it does not"
        " match are read by the generic layer"
    )


class OneLineErrors(click.Group):
    """Errors as one line on stderr (cron mails and log greps read one line), in one format
    for every command: ``kazscraper <command>: error: <message>``; exit 2 for usage.

    ``kazscraper crawl: error: Invalid value for '--since': ... (see 'kazscraper crawl --help')``
    A file the system refuses (read-only, full disk, missing) is an error of the
    environment, not a bug: one line and exit 1 too, whichever command met it.
    """

    command_path = "kazscraper"  # of the command being run, for errors raised outside click

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        finally:
            if ctx.invoked_subcommand:
                self.command_path = f"{ctx.command_path} {ctx.invoked_subcommand}"

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else self.command_path
            fail(path, f"{exc.format_message()} (see '{path} --help')", exc.exit_code)
        except click.ClickException as exc:
            fail(self.command_path, exc.format_message(), exc.exit_code)
        except click.Abort:
            fail(self.command_path, "aborted", 1)
        except (OSError, sqlite3.Error) as exc:
            fail(self.command_path, describe_error(exc), 1)
        sys.exit(code if isinstance(code, int) else 0)


def fail(command_path: str, message: str, exit_code: int) -> NoReturn:
    """Print ``<command path>: error: <message>`` as one line on stderr and exit."""
    click.echo(f"{command_path}: error: {' '.join(message.split())}", err=True)
    sys.exit(exit_code)


def describe_error(exc: BaseException) -> str:
    """An OS or SQLite error in words, with the file it concerns."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return str(exc) or type(exc).__name__


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kazscraper")
def main() -> None:
    """Crawl the Kazakh news site qazdauiri.kz into a SQLite archive.

    \b
    Examples:
      kazscraper demo                      # offline: crawl a local replica
      kazscraper crawl                     # the real site into archive/qazdauiri.sqlite
      kazscraper stats
    """


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
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
            "--since", callback=_since, help="Backfill bound: skip articles before YYYY-MM-DD."
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
            callback=_finite,
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


@main.command()
@db_option(
    None,
    exists=False,
    help=f"The archive file [default: {DEFAULT_DB}, or one named after --start-url's host].",
)
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    callback=lambda c, p, v: tuple(_http_url(c, p, u) for u in v),
    help="Start here instead of the site's home page. Repeated: one site per host (its"
    " profile if it is a known site's host, else the generic profile), in one archive.",
)
@click.option(
    "--site",
    "site_specs",
    multiple=True,
    metavar="SPEC",
    callback=_site_specs,
    help="A site of the crawl (repeatable; several: one archive for all): NAME (a known"
    " profile at its own address: qazdauiri), NAME=URL (that profile at another address:"
    " a replica, a staging copy) or URL (any other site: the generic profile).",
)
@click.option(
    "--mirror",
    "mirrors",
    multiple=True,
    callback=lambda c, p, v: tuple(_http_url(c, p, m) for m in v),
    help="An origin that serves the same site (repeatable); its links count as the site's.",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="redis://HOST:PORT/DB",
    help="Run as a worker of the crawl in this Redis (shared frontier; `kazscraper store`"
    " writes the archive). Needs the 'distributed' extra.",
)
@click.option(
    "--worker-name",
    help="With --redis: this worker's name, unique in the crawl (restart a killed worker"
    " under the same name) [default: the host name]",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    callback=_finite,
    default=60.0,
    show_default=True,
    help="With --redis: exit once the shared frontier has stayed empty this many seconds.",
)
@crawl_options
def crawl(
    db_path: str | None,
    start_urls: tuple[str, ...],
    site_specs: tuple[str, ...],
    mirrors: tuple[str, ...],
    redis_url: str | None,
    worker_name: str | None,
    idle_timeout: float,
    **kwargs: Any,
) -> None:
    """Crawl qazdauiri.kz (or --start-url) into the archive.

    Discovers articles through the sitemap, the RSS feed, the category pages
    and links between articles; extracts, cleans and deduplicates them, and
    writes them to SQLite. Incremental by default: articles already archived
    are not fetched again unless published in the last --revisit-days.
    One run at a time per archive; exit codes: 0 ok, 1 failed, 2 usage,
    3 health check failed (the site's layout probably changed), 75 another
    run holds the archive.

    \b
    Examples:
      kazscraper crawl
      kazscraper crawl --db /data/qazdauiri.sqlite --max-articles 100
      kazscraper crawl --full --since 2025-01-01
      kazscraper crawl --start-url http://127.0.0.1:8000/ --mirror http://127.0.0.1:8001
      kazscraper crawl --redis redis://10.0.0.5:6379/0 --worker-name w1 --idle-timeout 120
      kazscraper crawl --site qazdauiri --site https://abai.kz/ --db archive/press.sqlite
      kazscraper crawl --site qazdauiri=http://127.0.0.1:8000/ --site http://127.0.0.1:8002/

    Several sites (--site, or more than one --start-url) go into one archive
    [default: archive/press.sqlite]; articles.site tells them apart (a known
    profile's name, or the host of a site read with the generic profile), and
    stats, search, export and report take --site LABEL.

    With --redis this is one worker of a crawl shared by any number of workers
    (README, "Many machines"): it writes WARC files beside --db, named after the
    worker, and pushes articles and captures to Redis; it never writes --db.
    """
    specs = site_specs + (start_urls if site_specs or len(start_urls) > 1 else ())
    start_url = None if specs else next(iter(start_urls), None)
    sites: Sites | None = None
    if specs:
        if mirrors:
            raise click.UsageError(
                "--mirror goes with one --start-url: with --site or several --start-url, "
                "give each site as its own --site"
            )
        try:
            sites = build_sites(specs)
        except SiteSpecError as exc:
            raise click.BadParameter(str(exc), param_hint="'--site'") from exc
    db = db_path or (_default_db_for_sites(sites) if sites else _default_db_for(start_url))
    if redis_url is not None:
        _run_worker(db, start_url, mirrors, redis_url, worker_name, idle_timeout, kwargs, specs)
        return
    if sites is not None:
        click.echo(sites_note(sites), err=True)
    elif (note := _profile_note(start_url)) is not None:
        click.echo(note, err=True)
    options = CrawlOptions(db_path=db, start_url=start_url, mirrors=mirrors, sites=specs, **kwargs)
    options.arguments = run_arguments(options)
    _run_and_exit(options)


def run_arguments(options: CrawlOptions) -> dict[str, Any]:
    """A run's options as ``crawls.arguments`` keeps them (``sites`` only when it has any:
    a one-site crawl's row is as it always was)."""
    values = asdict(options)
    return {
        k: v
        for k, v in values.items()
        if k not in ("arguments", "command") and not (k == "sites" and not v)
    }


def _run_worker(
    db: str,
    start_url: str | None,
    mirrors: tuple[str, ...],
    redis_url: str,
    worker_name: str | None,
    idle_timeout: float,
    kwargs: dict[str, Any],
    specs: tuple[str, ...] = (),
) -> None:
    """``crawl --redis``: one worker of a Redis crawl; exits with its code."""
    try:
        import redis

        from kazscraper.distributed.worker import default_worker_name, run_worker
    except ImportError as exc:
        raise click.ClickException(
            f"--redis needs the 'distributed' extra (pip install 'kazscraper[distributed]'): {exc}"
        ) from exc
    _check_log_file(kwargs.get("log_file"), db)
    try:  # a URL redis-py cannot read is the --redis value's fault, said before anything runs
        redis.connection.parse_url(redis_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--redis'") from exc
    options = CrawlOptions(db_path=db, start_url=start_url, mirrors=mirrors, sites=specs, **kwargs)
    options.progress = sys.stderr.isatty()
    name = worker_name or default_worker_name()
    started = time.monotonic()
    try:
        result = run_worker(options, redis_url, name, idle_timeout)
    except AlreadyRunning as exc:
        fail("kazscraper crawl", str(exc), EXIT_LOCKED)
    except ValueError as exc:  # a worker name made of nothing usable
        raise click.BadParameter(str(exc), param_hint="'--worker-name'") from exc
    except redis.RedisError as exc:
        raise click.ClickException(f"cannot use Redis at {redacted_url(redis_url)}: {exc}") from exc
    s = result.stats
    verdict = verdict_word(result.exit_code)
    click.echo(
        f"{verdict}: worker {name}: {s.get('response_received_count', 0)} pages in "
        f"{round(time.monotonic() - started, 1)}s; "
        f"{s.get('kazscraper/distributed/articles_pushed', 0)} articles and "
        f"{s.get('kazscraper/failures', 0)} failures pushed to Redis"
        + ("" if result.exit_code == 0 else f" ({result.reason})")
    )
    sys.exit(result.exit_code)


@main.command()
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="redis://HOST:PORT/DB",
    help="The Redis of the crawl (as given to the workers' `crawl --redis`).",
)
@db_option(DEFAULT_DB, exists=False, help="The archive the store writes (made if missing).")
@click.option(
    "--follow",
    is_flag=True,
    help="Keep running (a service): when the workers have finished, end that crawl and open"
    " a new one for the next workers that start; SIGTERM exits 0.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(1, 10_000),
    default=500,
    show_default=True,
    help="Records per write transaction (at most: when fewer are waiting, the store lets"
    " 0.2 s pass for more, then commits what it has).",
)
@click.option(
    "--revisit-days",
    type=click.IntRange(min=0, max=MAX_REVISIT_DAYS),
    default=7,
    show_default=True,
    help="A new crawl fetches again only the archived articles published in the last N days.",
)
@click.option(
    "--full",
    is_flag=True,
    help="A new crawl is a full one, as a local crawl --full: the workers walk every "
    "listing page and revisit every archived article (If-None-Match with its ETag).",
)
@click.option(
    "--site", default="qazdauiri", show_default=True, help="Site profile (the health check)."
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="[default: <archive dir>/logs/<name>-store-<time>.log]",
)
@click.option("--log-level", type=LOG_LEVELS, default="INFO", show_default=True)
def store(
    redis_url: str,
    db_path: str,
    follow: bool,
    batch_size: int,
    revisit_days: int,
    full: bool,
    site: str,
    log_file: str | None,
    log_level: str,
) -> None:
    """Write a Redis crawl's articles and captures into the archive (the one writer).

    Drains what the workers (`crawl --redis`) push, in batched transactions, with the
    same dedup, versions and aliases as a local crawl; what it has not committed stays
    in Redis, so a killed store loses nothing when started again. Exits 0 once every
    worker of the crawl has finished and everything is stored (then the crawl's Redis
    keys are removed: the workers' next run is a new crawl), unless --follow.
    A new crawl's store first publishes what the archive has (the workers wait for it):
    archived articles are not fetched again, those of the last --revisit-days are asked
    for with If-None-Match, and a category's pagination stops after --stop-after pages
    with nothing new, as in an incremental local crawl. With --follow each round of
    workers is a crawl of its own.
    Exit codes: 0 ok, 1 failed, 3 health check failed, 75 another run holds the archive.

    \b
    Examples:
      kazscraper store --redis redis://10.0.0.5:6379/0 --db /data/qazdauiri.sqlite
      kazscraper store --redis redis://127.0.0.1:6379/0 --follow
    """
    try:
        from kazscraper.distributed.store import StoreError, StoreOptions, run_store
    except ImportError as exc:
        raise click.ClickException(
            f"store needs the 'distributed' extra (pip install 'kazscraper[distributed]'): {exc}"
        ) from exc
    from kazscraper.crawl import default_log_file, setup_store_logging

    _check_log_file(log_file, db_path)
    _check_writable(db_path)
    log = log_file or default_log_file(str(Path(db_path).with_name(Path(db_path).stem + "-store")))
    setup_store_logging(log, log_level)
    options = StoreOptions(
        db_path=db_path,
        redis_url=redis_url,
        follow=follow,
        batch_size=batch_size,
        site=site,
        revisit_days=revisit_days,
        full=full,
    )
    started = time.monotonic()
    try:
        result = run_store(options)
    except AlreadyRunning as exc:
        fail("kazscraper store", str(exc), EXIT_LOCKED)
    except (ArchiveError, StoreError) as exc:
        raise click.ClickException(str(exc)) from exc
    c = result.counts
    verdict = verdict_word(result.exit_code)
    click.echo(
        f"{verdict}: stored in {round(time.monotonic() - started, 1)}s: articles "
        f"{c.get('articles_new', 0)} new, {c.get('articles_updated', 0)} updated, "
        f"{c.get('articles_unchanged', 0)} unchanged, {c.get('articles_alias', 0)} aliases; "
        f"{c.get('captures', 0)} captures, {c.get('failures', 0)} failures -> {db_path}"
        + ("" if result.exit_code == 0 else f" ({result.reason})")
    )
    sys.exit(result.exit_code)


@main.command()
@click.option(
    "--articles",
    type=click.IntRange(min=6, max=MAX_REPLICA_ARTICLES),
    default=300,
    show_default=True,
    help="How many articles the replica has (as in `replica serve`).",
)
@click.option(
    "--port",
    type=click.IntRange(1, 65534),
    default=DEMO_PORT,
    show_default=True,
    help="The replica's port (the mirror: the next one). The same port on every run keeps"
    " the demo's URLs, so a second demo is an incremental crawl of the same site.",
)
@db_option(DEMO_DB, exists=False)
@crawl_options
def demo(articles: int, port: int, db_path: str, **kwargs: Any) -> None:
    """Serve the offline replica on loopback and crawl it into an archive.

    Needs no network: this is how to see kazscraper work on a new machine.
    The replica has exactly ARTICLES articles, the real seed article among them.
    Every crawl option works here too. Run it again and it crawls the same site
    incrementally (nothing new, nothing changed), as a scheduled crawl would.

    \b
    Examples:
      kazscraper demo --articles 300 --db /tmp/a.sqlite
      kazscraper demo --articles 2000 --max-articles 100 --workers 2
    """
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    site = ReplicaSite(articles)
    try:
        server = ReplicaServer(site, port=port, mirror_port=port + 1)
    except OSError:
        server = ReplicaServer(site)
        click.echo(
            f"kazscraper demo: ports {port} and {port + 1} are busy; serving on other ports,"
            f" so the archive gets these URLs beside any earlier demo's (use another --db or"
            f" --port)",
            err=True,
        )
    with server:
        click.echo(
            f"Replica of {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
            err=True,
        )
        options = CrawlOptions(
            db_path=db_path,
            command="demo",
            start_url=server.origin + "/",
            mirrors=(server.mirror_origin,),
            **kwargs,
        )
        options.arguments = run_arguments(options) | {"articles": articles}
        _run_and_exit(options)


@main.command()
@existing_db_option
@click.option("--log-file", type=click.Path(dir_okay=False))
@click.option("--log-level", type=LOG_LEVELS, default="INFO", show_default=True)
def reparse(db_path: str, log_file: str | None, log_level: str) -> None:
    """Rebuild the article tables from the archive's WARC files, with no network.

    Every archived article page goes through the extraction pipelines again, in
    capture order: after an extractor or profile fix, this brings the whole
    archive up to date. Captures, crawls and failures are kept.

    \b
    Example:
      kazscraper reparse --db archive/qazdauiri.sqlite
    """
    options = CrawlOptions(
        db_path=db_path, command="reparse", log_file=log_file, log_level=log_level
    )
    options.arguments = {"db": db_path}
    _run_and_exit(options, run_reparse)


_SQLITE_HEADER = b"SQLite format 3\x00"
_ARCHIVE_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


def _refuse_overwrite(path: str, db_path: str, option: str, what: str) -> Path:
    """Refuse an output ``path`` that would overwrite the archive (its -wal, -shm, lock
    file, through any path or symlink) or any other SQLite database; its resolved path."""
    target = Path(path).resolve()
    db = Path(db_path).resolve()
    reason = None
    if target in {Path(f"{db}{suffix}") for suffix in _ARCHIVE_COMPANIONS}:
        reason = f"is the archive {db_path}" + ("" if target == db else " (one of its files)")
    elif target.is_file():
        with suppress(OSError), open(target, "rb") as fh:
            if fh.read(len(_SQLITE_HEADER)) == _SQLITE_HEADER:
                reason = "is a SQLite database"
    if reason:
        raise click.BadParameter(
            f"{path!r} {reason}: {what} there would overwrite it", param_hint=f"'{option}'"
        )
    return target


def _check_log_file(log_file: str | None, db_path: str) -> None:
    """Refuse a ``--log-file`` that would overwrite the archive or any SQLite database, or
    that cannot be written."""
    if log_file is None:
        return
    target = _refuse_overwrite(log_file, db_path, "--log-file", "a log")
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


def _check_writable(db_path: str) -> None:
    try:
        check_writable(db_path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


def _run_and_exit(options: CrawlOptions, run: Callable = run_crawl) -> None:
    """Run the crawl and exit with its code, printing the one-line summary."""
    _check_log_file(options.log_file, options.db_path)
    _check_writable(options.db_path)
    options.progress = sys.stderr.isatty()
    started = time.monotonic()
    try:
        result = run(options)  # a bad archive path fails first, under the lock, in one line
    except AlreadyRunning as exc:
        fail(f"kazscraper {options.command}", str(exc), EXIT_LOCKED)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the lock file beside the archive cannot be made
        raise click.ClickException(
            f"cannot create the archive at {options.db_path}: {exc}"
        ) from exc
    result.stats["kazscraper/elapsed_seconds"] = round(time.monotonic() - started, 1)
    click.echo(summary_line(result, options.db_path))
    sys.exit(result.exit_code)


def summary_line(result: CrawlResult, db: str) -> str:
    s = result.stats
    verdict = verdict_word(result.exit_code)
    pages = s.get("response_received_count") or s.get("kazscraper/reparse/records", 0)
    return (
        f"{verdict}: {pages} pages in {s.get('kazscraper/elapsed_seconds', 0)}s; "
        f"articles {result.count('articles_new')} new, "
        f"{result.count('articles_updated')} updated, "
        f"{result.count('articles_unchanged')} unchanged; "
        f"{result.count('duplicates') + result.count('articles_alias')} duplicates, "
        f"{result.count('failures')} failures "
        f"-> {db}" + ("" if result.exit_code == 0 else f" ({result.reason})")
    )


@main.group()
def replica() -> None:
    """The offline replica of qazdauiri.kz (for tests, benchmarks and demos)."""


@replica.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--mirror-port", type=click.IntRange(0, 65535), default=0, help="[default: any free port]"
)
@click.option(
    "--articles",
    type=click.IntRange(min=6, max=MAX_REPLICA_ARTICLES),
    default=300,
    show_default=True,
)
@click.option("--seed", type=int, default=1, show_default=True, help="Content seed.")
def replica_serve(port: int, mirror_port: int, articles: int, seed: int) -> None:
    """Serve the replica on 127.0.0.1 until interrupted.

    The second port plays the site's image. mirror host.

    \b
    Example:
      kazscraper replica serve --port 8000 --articles 1000
      kazscraper crawl --start-url http://127.0.0.1:8000/ --mirror http://127.0.0.1:<mirror port>
    """
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    try:
        server = ReplicaServer(ReplicaSite(articles, seed=seed), port=port, mirror_port=mirror_port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    click.echo(
        f"Serving {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
        err=True,
    )
    click.echo(f"{server.origin} {server.mirror_origin}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@read_db_option
@click.option(
    "--runs", type=click.IntRange(min=1, max=SQLITE_INT_MAX), default=10, show_default=True
)
@site_filter_option
def stats(db_path: str, runs: int, site: str | None) -> None:
    """Summarise an archive: counts, date range, categories, recent runs.

    With --site: that site's articles (and their authors, addresses, versions,
    related links) and the runs that crawled it; failures have no site and are
    left out.

    \b
    Examples:
      kazscraper stats --db archive/demo.sqlite
      kazscraper stats --db archive/press.sqlite --site abai.kz
    """
    with _open_archive(db_path) as archive:
        _check_site(archive, site)
        found = queries.summary(archive.db, runs=runs, site=site)
        labels = queries.site_labels(archive.db)
    click.echo(f"Archive {db_path}" + (f", site {site}" if site else ""))
    if site is None and len(labels) > 1:
        click.echo(f"  sites             {', '.join(labels)}")
    for table, n in found.counts.items():
        click.echo(f"  {table:<17} {n:>8}")
    first, last = found.first_published or "-", found.last_published or "-"
    click.echo(f"  published         {first} .. {last}")
    click.echo("Categories:")
    for name, n in found.categories:
        click.echo(f"  {name:<20} {n:>8}")
    click.echo("Recent runs (fill rates: share of the run's article pages with the field):")
    header = ("id", "started", "command", "status", "pages", "new", "upd", "same", "fail")
    click.echo(RUN_ROW.format(*header, *(f[:6] for f in FILL_COLUMNS)))
    for run in found.runs:
        fills = run.fill_rates
        rates = (f"{fills[f]:.0%}" if fills.get(f) is not None else "-" for f in FILL_COLUMNS)
        row = (
            run.id,
            run.started_at,
            run.command,
            run.status,
            run.pages_fetched,
            run.articles_new,
            run.articles_updated,
            run.articles_unchanged,
            run.failures,
        )
        values = (v if v is not None else "-" for v in row)
        click.echo(RUN_ROW.format(*values, *rates))


@main.command(context_settings={"ignore_unknown_options": True})
@read_db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0: every interface).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
def serve(db_path: str, host: str, port: int, datasette_args: tuple[str, ...]) -> None:
    """Browse and query the archive in Datasette, until interrupted.

    Needs the optional extra: pip install 'kazscraper[datasette]'. Tables and
    columns are described, the articles table has a full-text search box, and
    canned queries answer the usual questions (articles per month, top authors
    of a year, top-news history, full-text search). An older archive is upgraded
    first; then Datasette reads it while crawls go on writing. Arguments after --
    go to `datasette serve`.

    \b
    Examples:
      kazscraper serve --db archive/demo.sqlite      # then open http://127.0.0.1:8001/
      kazscraper serve --port 8080 -- --setting sql_time_limit_ms 10000
    """
    import tempfile

    try:
        from datasette.cli import cli as datasette_cli
    except ImportError:
        fail(
            "kazscraper serve", "Datasette is not installed: pip install 'kazscraper[datasette]'", 2
        )

    from datasette.plugins import pm

    from kazscraper import datasette_guard
    from kazscraper.datasette_metadata import TEMPLATES, TRUNCATE_CELLS, build_metadata

    if not pm.is_registered(datasette_guard):  # full-text queries bounded (see its docstring)
        pm.register(datasette_guard, name="kazscraper-guard")

    try:
        # an older archive gets the current schema and views (unless a crawl holds the lock:
        # that crawl upgrades it)
        upgrade_if_idle(db_path)
    except ArchiveError as exc:
        click.echo(f"kazscraper serve: warning: {exc}; serving it as it is", err=True)
    try:
        metadata = build_metadata(db_path)
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"cannot read {db_path} as an archive: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="kazscraper-serve-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        click.echo(f"Datasette on http://{host}:{port}/ for {db_path}; Ctrl-C stops it", err=True)
        args = ["serve", db_path, "--metadata", str(metadata_file), "--host", host]
        args += ["--port", str(port), "--setting", "sql_time_limit_ms", "5000"]
        args += ["--template-dir", str(TEMPLATES)]
        args += ["--setting", "truncate_cells_html", str(TRUNCATE_CELLS), *datasette_args]
        datasette_cli.main(args, prog_name="datasette", standalone_mode=False)


def _open_archive(db_path: str) -> Archive:
    """Open an archive to read it, or exit with a one-line message. An older archive is
    upgraded first, under the run lock (unless a run holds it: that run upgrades it)."""
    try:
        upgrade_if_idle(db_path)
        return Archive(db_path, migrate=False)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("query")
@click.option("--since", callback=_since, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", callback=_since, help="Only articles published on or before YYYY-MM-DD.")
@click.option("--author", help="Only articles by an author whose name contains this (any case).")
@click.option(
    "--limit", type=click.IntRange(min=1, max=SQLITE_INT_MAX), default=20, show_default=True
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object with the total and the hits (for scripts).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    callback=_finite,
    default=5.0,
    show_default=True,
    help="Stop a search that runs longer than this many seconds.",
)
@site_filter_option
@read_db_option
def search(
    query: str,
    since: str | None,
    until: str | None,
    author: str | None,
    limit: int,
    fmt: str,
    time_limit: float,
    site: str | None,
    db_path: str,
) -> None:
    """Full-text search of titles and bodies, best matches first.

    Case does not matter, Kazakh letters included (ҚАЗАҚСТАН = қазақстан), and
    each word also finds its suffixed forms (Каспий finds Каспийдің). A query
    with quotes, *, AND, OR, NOT or NEAR is passed to SQLite FTS5 as it is.
    Prints date, title, URL, authors and a snippet with the match in [brackets],
    then how many articles match in all and how many are shown.

    \b
    Examples:
      kazscraper search Каспий --db archive/demo.sqlite
      kazscraper search 'ҚАЗАҚСТАН' --since 2025-01-01 --until 2025-06-30 --author ахметова
      kazscraper search '"су тасқыны" OR су*' --limit 5 --format json | jq .total
      kazscraper search Абай --site abai.kz --db archive/press.sqlite
    """
    from kazscraper.analysis import SearchTooSlow, count_matches
    from kazscraper.analysis import search as run_search

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    with _open_archive(db_path) as archive:
        _check_site(archive, site)
        try:
            hits = run_search(
                archive.db,
                query,
                limit=limit,
                since=since,
                until=until,
                author=author,
                time_limit=time_limit,
                site=site,
            )
            total = (
                count_matches(
                    archive.db,
                    query,
                    since=since,
                    until=until,
                    author=author,
                    time_limit=time_limit,
                    site=site,
                )
                if len(hits) == limit
                else len(hits)
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="QUERY") from exc
        except SearchTooSlow as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        payload = {"query": query, "total": total, "shown": len(hits)}
        payload["hits"] = [asdict(hit) for hit in hits]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for n, hit in enumerate(hits, start=1):
        click.echo(f"{n:>3}. {hit.published_date or '----------'}  {hit.title}")
        click.echo(f"     {hit.url}")
        if hit.authors:
            click.echo(f"     {'; '.join(hit.authors)}")
        click.echo(f"     {hit.snippet}")
    click.echo(matches_line(total, len(hits)), err=True)


@main.command()
@click.argument("article")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@read_db_option
def show(article: str, fmt: str, db_path: str) -> None:
    """Show one archived article as a reader sees it, with its history.

    ARTICLE is its id (as `search` prints it in --format json, or Datasette
    shows it) or any URL that led to it (mirror and alias addresses too).
    Prints the title, date, category, authors and body, the similar-news and
    top-news blocks as last captured, the earlier versions of an edited article,
    its addresses, and every capture of its pages (WARC file and offset).

    \b
    Examples:
      kazscraper show 12 --db archive/demo.sqlite
      kazscraper show https://qazdauiri.kz/news/some-slug --format json
    """
    with _open_archive(db_path) as archive:
        article_id = queries.find_article_id(archive.db, article)
        view = queries.article_view(archive.db, article_id) if article_id is not None else None
    if view is None:
        raise click.BadParameter(f"no article {article!r} in {db_path}", param_hint="'ARTICLE'")
    if fmt == "json":
        click.echo(json.dumps(asdict(view), ensure_ascii=False, indent=2))
        return
    for line in article_lines(view):
        click.echo(line)


_BLOCK_NAMES = {"similar": "Ұқсас жаңалықтар (similar news)", "top": "Топ жаңалықтар (top news)"}


def article_lines(view: queries.ArticleView) -> Iterator[str]:
    """``kazscraper show``'s text: the article first, its history after."""
    a = view.article
    yield f"#{a['id']} · version {a['version']} · {a['url']}"
    yield ""
    yield a["title"] or "(no title)"
    facts = [a["published_at"] or a["published_date"] or "no date", a["category"], a["language"]]
    yield " · ".join(str(f) for f in facts if f)
    if view.authors:
        yield "Authors: " + "; ".join(view.authors)
    yield ""
    yield from (a["body"] or "(no body)").split("\n")
    for kind, entries in view.related.items():
        yield ""
        yield f"{_BLOCK_NAMES.get(kind, kind)}, as captured {entries[0]['captured_at']}:"
        for entry in entries:
            target = f" (#{entry['linked_article_id']})" if entry["linked_article_id"] else ""
            yield f"  {entry['rank']}. {entry['title']}{target}"
            if entry["url"]:
                yield f"     {entry['url']}"
    yield ""
    if view.versions:
        yield f"Earlier versions ({len(view.versions)}):"
        for version in view.versions:
            yield (
                f"  v{version['version']}: seen {version['first_seen_at']},"
                f" replaced {version['superseded_at']}: {version['title']}"
            )
    else:
        yield "Earlier versions: none"
    yield f"Addresses ({len(view.urls)}): " + ", ".join(view.urls)
    yield f"Captures ({len(view.captures)}):"
    for capture in view.captures:
        yield (
            f"  {capture['fetched_at']}  {capture['status']} {capture['record_type']:<8}"
            f" {capture['warc_file']}@{capture['offset']}  {capture['url']}"
        )
    yield f"First seen {a['first_seen_at']}, last seen {a['last_seen_at']}."


def matches_line(total: int, shown: int) -> str:
    """``3 matches``, ``1 match``, ``no matches``, or ``108 matches, 5 shown (--limit)``."""
    if total == 0:
        return "no matches"
    line = f"{total} match{'' if total == 1 else 'es'}"
    return line if shown == total else f"{line}, {shown} shown (--limit)"


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option("--since", callback=_since, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", callback=_since, help="Only articles published on or before YYYY-MM-DD.")
@click.option(
    "--out", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="[default: stdout]"
)
@site_filter_option
@read_db_option
def export(
    fmt: str, since: str | None, until: str | None, out: str, site: str | None, db_path: str
) -> None:
    """Export articles (with their authors) in publication order, streaming.

    JSONL: one object per line, UTF-8 (Kazakh letters as they are), authors and
    tags as lists. CSV: UTF-8 with a byte-order mark so spreadsheets read it
    right, a header row, authors and tags joined with '; '. With --since or
    --until, articles without a publication date are left out.

    \b
    Examples:
      kazscraper export --format jsonl --db archive/demo.sqlite > articles.jsonl
      kazscraper export --format csv --since 2025-01-01 --until 2025-12-31 --out 2025.csv
      kazscraper export --site qazdauiri --db archive/press.sqlite > qazdauiri.jsonl
    """
    import io

    from kazscraper.analysis import iter_articles, write_csv, write_jsonl

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    if out != "-":
        _refuse_overwrite(out, db_path, "--out", "the export")
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with _open_archive(db_path) as archive:
        _check_site(archive, site)
        if out == "-":
            sys.stdout.flush()
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        else:
            try:
                stream = open(out, "w", encoding=encoding, newline="")  # noqa: SIM115
            except OSError as exc:
                raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
        try:
            records = iter_articles(archive.db, since=since, until=until, site=site)
            n = (write_csv if fmt == "csv" else write_jsonl)(records, stream)
            stream.flush()
        except OSError as exc:  # a full disk, a closed pipe
            where = "stdout" if out == "-" else out
            if out == "-":  # what is left in stdout's buffer must not fail again at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.ClickException(f"cannot write {where}: {exc.strerror}") from exc
        finally:
            with suppress(OSError):  # the error, if any, is reported above
                if out == "-":
                    stream.detach()
                else:
                    stream.close()
    click.echo(f"{n} articles -> {'stdout' if out == '-' else out}", err=True)


def _declared_url(html: str) -> str:
    """The absolute http(s) URL a page declares for itself (canonical link, og:url), or ''."""
    from kazscraper.extract.article import NotHtmlError, parse_html
    from kazscraper.extract.metadata import read_metadata

    try:
        declared = (read_metadata(parse_html(html)).canonical or "").strip()
    except NotHtmlError:
        return ""  # the extraction below says why
    parts = urlsplit(declared)
    return declared if parts.scheme in ("http", "https") and parts.netloc else ""


@main.command()
@read_db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default="report.html",
    show_default=True,
    help="The HTML file to write (overwritten).",
)
@site_filter_option
def report(db_path: str, out: str, site: str | None) -> None:
    """Write a one-file HTML report of the archive, with charts.

    Articles per month, the most frequent authors, the stories longest in the
    top-news list, and the last runs' health: fill rates per field (red under
    the health floor) and the share of bodies from the generic layer, so that a
    layout change shows at a glance. The file opens offline in any browser: no
    scripts, no network, charts inline as SVG. The archive is only read.

    \b
    Example:
      kazscraper report --db archive/demo.sqlite --out demo-report.html
      kazscraper report --db archive/press.sqlite --site abai.kz --out abai.html
    """
    import sqlite3

    from kazscraper.report import write_report

    _refuse_overwrite(out, db_path, "--out", "the report")
    with suppress(ArchiveError):  # an older archive gets the current schema, if no run holds it
        upgrade_if_idle(db_path)
    if site is not None:
        with _open_archive(db_path) as archive:
            _check_site(archive, site)
    try:
        data = write_report(db_path, out, site=site)
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot read {db_path} as an archive: {exc}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"{data.articles} articles, {len(data.runs)} runs -> {out}", err=True)


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option(
    "--url",
    default=None,
    callback=_any_url,
    help="The page's URL (for canonical URLs and relative links).",
)
@click.option(
    "--site",
    type=click.Choice(["qazdauiri", "generic"]),
    default=None,
    help="The site profile [default: qazdauiri for its hosts or no --url, else generic].",
)
def parse(source: BinaryIO, url: str | None, site: str | None) -> None:
    """Extract one saved page (FILE, or - for stdin) and print the record as JSON.

    Shows which layer gave each field (``extraction``): use it to check a page
    saved from a browser against the site profile. The bytes are decoded as the
    crawl decodes a response (UTF-8, the page's charset, legacy Cyrillic
    encodings, windows-1252; the codec in ``extraction.encoding``). A page of
    another host is read with the generic profile (language from the page,
    dates in the page's own offset).

    \b
    Examples:
      kazscraper parse page.html --url https://qazdauiri.kz/news/some-slug
      kazscraper parse saved.html --url https://example.com/2024/05/story.html
      kazscraper parse saved.html   # URL: the page's canonical link, if it has one
    """
    from kazscraper.clean.article import clean_article
    from kazscraper.extract.article import NotHtmlError, extract_article
    from kazscraper.intake.page import Refused, page_item, with_page

    profile = get_profile(site) if site else profile_for_url(url)
    data = source.read(DOWNLOAD_MAXSIZE + 1)  # /dev/zero or a video must not fill the memory
    if len(data) > DOWNLOAD_MAXSIZE:
        raise click.BadParameter(
            f"{getattr(source, 'name', 'input')} is larger than "
            f"{DOWNLOAD_MAXSIZE // (1024 * 1024)} MB, the crawl's download limit: not a saved page",
            param_hint="'SOURCE'",
        )
    page = page_item(url or "", [], data)  # as the crawl and reparse read a page's bytes
    if isinstance(page, Refused):
        raise click.ClickException(f"{getattr(source, 'name', 'input')}: {page.reason}")
    html = page.html
    note = ""
    if url:
        page_url = url
    else:  # the page's own canonical link; a host is not ours to invent
        page_url = _declared_url(html)
        note = (
            f"kazscraper parse: no --url: using the page's canonical link {page_url}"
            if page_url
            else "kazscraper parse: no --url and no canonical link in the page: "
            "the record has no URL"
        )
        if page_url and not site:  # the canonical link's host decides the profile
            profile = profile_for_url(page_url)
        if page_url and profile.name == "generic":  # its links resolved as that host's
            parts = urlsplit(page_url)
            profile = profile.rebased(f"{parts.scheme}://{parts.netloc}")
    try:
        article = with_page(clean_article(extract_article(html, page_url, profile), profile), page)
    except NotHtmlError as exc:
        raise click.ClickException(f"{getattr(source, 'name', 'input')}: {exc}") from exc
    if note:
        click.echo(note, err=True)
    click.echo(json.dumps(asdict(article), ensure_ascii=False, indent=2))
