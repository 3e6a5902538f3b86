"""The commands that run a crawl: ``crawl`` (alone or as a Redis worker), ``store``, ``reparse``.

Each ends with a one-line summary and the run's exit code. The crawl runner (Scrapy) is
imported when a command runs, not when the CLI starts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from kazscraper.cli.default_archive import (
    DEFAULT_DB,
    DEFAULT_SITE,
    default_db_for,
    default_db_for_sites,
)
from kazscraper.cli.errors import fail
from kazscraper.cli.options import (
    LOG_LEVELS,
    MAX_REVISIT_DAYS,
    check_log_file,
    check_writable_archive,
    crawl_options,
    db_option,
    existing_db_option,
    finite,
    http_url,
)
from kazscraper.crawler.verdict import EXIT_LOCKED
from kazscraper.sites import Sites, SiteSpecError, build_sites, get_profile
from kazscraper.urls import redacted_url


@contextmanager
def needs_distributed(what: str) -> Iterator[None]:
    """Imports of the Redis mode: without the 'distributed' extra, one line that says so."""
    try:
        yield
    except ImportError as exc:
        raise click.ClickException(
            f"{what} needs the 'distributed' extra (pip install 'kazscraper[distributed]'): {exc}"
        ) from exc


if TYPE_CHECKING:
    from kazscraper.crawler.runner import CrawlOptions, CrawlResult


def verdict_word(exit_code: int) -> str:
    """The first word of a run's summary line: ``ok``, ``UNHEALTHY`` (exit 3) or ``FAILED``."""
    return {0: "ok", 3: "UNHEALTHY"}.get(exit_code, "FAILED")


def checked_site_specs(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """``--site`` specs, a URL in them checked as ``--start-url`` is (credentials dropped)."""
    specs = []
    for spec in value:
        name, sep, url = spec.strip().partition("=")
        if sep and "://" not in name:
            specs.append(f"{name}={http_url(ctx, param, url)}")
        elif "://" in spec:
            specs.append(str(http_url(ctx, param, spec.strip())))
        else:
            specs.append(spec.strip())
    return tuple(specs)


def sites_note(sites: Sites) -> str:
    """One line naming each site of a crawl, its archive label and its profile."""
    parts = []
    for site in sites:
        profile = site.profile
        kind = "generic profile" if profile.name == "generic" else f"{profile.name} profile"
        parts.append(f"{site.label} ({kind} at {profile.origin})")
    return "sites: " + "; ".join(parts)


def profile_note(start_url: str | None) -> str | None:
    """One line saying which profile a crawl of another host uses (None for qazdauiri.kz
    and for a replica on this machine, which the qazdauiri profile serves as it is)."""
    from kazscraper.crawler.runner import is_loopback

    if start_url is None or is_loopback(start_url):
        return None
    site = get_profile(DEFAULT_SITE)
    netloc = urlsplit(start_url).netloc.lower()
    if netloc in site.site_netlocs:
        return None
    return (
        f"profile: {DEFAULT_SITE} (its paths and selectors, rebased on {netloc}); pages it does not"
        " match are read by the generic layer"
    )


@click.command()
@db_option(
    None,
    exists=False,
    help=f"The archive file [default: {DEFAULT_DB}, or one named after --start-url's host].",
)
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    callback=lambda c, p, v: tuple(http_url(c, p, u) for u in v),
    help="Start here instead of the site's home page. Repeated: one site per host (its"
    " profile if it is a known site's host, else the generic profile), in one archive.",
)
@click.option(
    "--site",
    "site_specs",
    multiple=True,
    metavar="SPEC",
    callback=checked_site_specs,
    help="A site of the crawl (repeatable; several: one archive for all): NAME (a known"
    " profile at its own address: qazdauiri), NAME=URL (that profile at another address:"
    " a replica, a staging copy) or URL (any other site: the generic profile).",
)
@click.option(
    "--mirror",
    "mirrors",
    multiple=True,
    callback=lambda c, p, v: tuple(http_url(c, p, m) for m in v),
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
    "--redis-url-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Like --redis, the URL read from this file's first line (its password stays out of"
    " `ps` and unit files).",
)
@click.option(
    "--worker-name",
    help="With --redis: this worker's name, unique in the crawl (restart a killed worker"
    " under the same name) [default: the host name]",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    callback=finite,
    default=60.0,
    show_default=True,
    help="With --redis: exit once the shared frontier has stayed empty this many seconds.",
)
@click.option(
    "--warc-dir",
    type=click.Path(file_okay=False),
    help="With --redis: write the WARC files into this folder, the archive's WARC folder"
    " shared with the store's machine (a network mount), so that the archive's reparse"
    " reads them [default: the WARC folder beside --db].",
)
@crawl_options
def crawl(
    db_path: str | None,
    start_urls: tuple[str, ...],
    site_specs: tuple[str, ...],
    mirrors: tuple[str, ...],
    redis_url: str | None,
    redis_url_file: str | None,
    worker_name: str | None,
    idle_timeout: float,
    warc_dir: str | None,
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
    (docs/distributed.md): it writes WARC files beside --db (or into --warc-dir,
    the archive's WARC folder shared with the store), named after the worker, and
    pushes articles and captures to Redis; it never writes --db.
    """
    from kazscraper.crawler.runner import CrawlOptions

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
    db = db_path or (default_db_for_sites(sites) if sites else default_db_for(start_url))
    redis_url = redis_url_from(redis_url, redis_url_file)
    if redis_url is not None:
        run_worker_and_exit(
            db, start_url, mirrors, redis_url, worker_name, idle_timeout, kwargs, specs, warc_dir
        )
        return
    if warc_dir is not None:
        raise click.UsageError("--warc-dir goes with --redis (a worker's WARC files)")
    if sites is not None:
        click.echo(sites_note(sites), err=True)
    elif (note := profile_note(start_url)) is not None:
        click.echo(note, err=True)
    options = CrawlOptions(
        db_path=db, site=DEFAULT_SITE, start_url=start_url, mirrors=mirrors, sites=specs, **kwargs
    )
    options.arguments = run_arguments(options)
    run_and_exit(options)


def run_arguments(options: CrawlOptions) -> dict[str, Any]:
    """A run's options as ``crawls.arguments`` keeps them (``sites`` only when it has any:
    a one-site crawl's row is as it always was)."""
    values = asdict(options)
    return {
        k: v
        for k, v in values.items()
        if k not in ("arguments", "command") and not (k == "sites" and not v)
    }


STALL_AFTER = 300.0  # seconds (``distributed.stall.STALL_AFTER``: not imported, no redis here)


def stall_after_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--stall-after",
        type=click.FloatRange(min=1),
        callback=finite,
        default=STALL_AFTER,
        show_default=True,
        metavar="SECONDS",
        help=help,
    )


def run_worker_and_exit(
    db: str,
    start_url: str | None,
    mirrors: tuple[str, ...],
    redis_url: str,
    worker_name: str | None,
    idle_timeout: float,
    kwargs: dict[str, Any],
    specs: tuple[str, ...] = (),
    warc_dir: str | None = None,
) -> None:
    """``crawl --redis``: one worker of a Redis crawl; exits with its code."""
    with needs_distributed("--redis"):
        import redis

        from kazscraper.distributed.worker import default_worker_name, run_worker
    from kazscraper.crawler.run_lock import AlreadyRunning
    from kazscraper.crawler.runner import CrawlOptions
    from kazscraper.sites.profile_file import ProfileFileError

    check_log_file(kwargs.get("log_file"), db)
    try:  # a URL redis-py cannot read is the --redis value's fault, said before anything runs
        redis.connection.parse_url(redis_url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--redis'") from exc
    options = CrawlOptions(
        db_path=db, site=DEFAULT_SITE, start_url=start_url, mirrors=mirrors, sites=specs, **kwargs
    )
    options.progress = sys.stderr.isatty()
    name = worker_name or default_worker_name()
    started = time.monotonic()
    try:
        result = run_worker(options, redis_url, name, idle_timeout, warc_dir)
    except AlreadyRunning as exc:
        fail("kazscraper crawl", str(exc), EXIT_LOCKED)
    except ProfileFileError as exc:  # a learned profile the store published, gone bad
        raise click.ClickException(str(exc)) from exc
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


@click.command()
@click.option(
    "--redis",
    "redis_url",
    envvar="KAZSCRAPER_REDIS_URL",
    metavar="redis://HOST:PORT/DB",
    help="The Redis of the crawl (as given to the workers' `crawl --redis`)"
    " [default: $KAZSCRAPER_REDIS_URL].",
)
@click.option(
    "--redis-url-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Like --redis, the URL read from this file's first line.",
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
    "--site", default=DEFAULT_SITE, show_default=True, help="Site profile (the health check)."
)
@stall_after_option(
    "A worker with requests in flight that finished no page for this many seconds (a hung"
    " fetch, a stopped process) is stalled: its requests go back into the frontier for the"
    " others, and the crawl stops waiting for it."
)
@click.option(
    "--log-file",
    type=click.Path(dir_okay=False),
    help="[default: <archive dir>/logs/<name>-store-<time>.log]",
)
@click.option("--log-level", type=LOG_LEVELS, default="INFO", show_default=True)
def store(
    redis_url: str | None,
    redis_url_file: str | None,
    db_path: str,
    follow: bool,
    batch_size: int,
    revisit_days: int,
    full: bool,
    site: str,
    stall_after: float,
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
    redis_url = redis_url_from(redis_url, redis_url_file)
    if redis_url is None:
        raise click.UsageError("give --redis, --redis-url-file or KAZSCRAPER_REDIS_URL")
    with needs_distributed("store"):
        from kazscraper.distributed.store import StoreError, StoreOptions, run_store
    from kazscraper.archive import ArchiveError
    from kazscraper.crawler.run_lock import AlreadyRunning
    from kazscraper.crawler.run_log import default_log_file, setup_store_logging

    check_log_file(log_file, db_path)
    check_writable_archive(db_path)
    log = log_file or default_log_file(db_path, "store")
    setup_store_logging(log, log_level)
    options = StoreOptions(
        db_path=db_path,
        redis_url=redis_url,
        follow=follow,
        batch_size=batch_size,
        site=site,
        revisit_days=revisit_days,
        full=full,
        stall_after=stall_after,
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


@click.command()
@existing_db_option
@click.option("--log-file", type=click.Path(dir_okay=False))
@click.option("--log-level", type=LOG_LEVELS, default="INFO", show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(min=0, max=16),
    default=None,
    help="Read and extract pages in N worker processes (0: in this process)  "
    "[default: one per core for an archive of 500 captures or more]",
)
def reparse(db_path: str, log_file: str | None, log_level: str, workers: int | None) -> None:
    """Rebuild the article tables from the archive's WARC files, with no network.

    Every archived article page goes through the extraction pipelines again, in
    capture order: after an extractor or profile fix, this brings the whole
    archive up to date. Captures, crawls and failures are kept.

    Without --db, the archive `stats` reads (archive/qazdauiri.sqlite if it holds
    articles, else archive/demo.sqlite).

    \b
    Example:
      kazscraper reparse --db archive/qazdauiri.sqlite
    """
    from kazscraper.crawler.runner import CrawlOptions, run_reparse

    options = CrawlOptions(
        db_path=db_path,
        command="reparse",
        site=DEFAULT_SITE,
        log_file=log_file,
        log_level=log_level,
        workers=workers,
    )
    options.arguments = {"db": db_path}
    run_and_exit(options, run_reparse)


def run_and_exit(options: CrawlOptions, run: Callable | None = None) -> None:
    """Run the crawl (``run``: the crawl runner's ``run_crawl`` unless given) and exit with
    its code, printing the one-line summary."""
    from kazscraper.archive import ArchiveError
    from kazscraper.crawler.run_lock import AlreadyRunning
    from kazscraper.crawler.runner import run_crawl
    from kazscraper.sites.profile_file import ProfileFileError

    check_log_file(options.log_file, options.db_path)
    check_writable_archive(options.db_path)
    options.progress = sys.stderr.isatty()
    started = time.monotonic()
    try:
        result = (run or run_crawl)(
            options
        )  # a bad archive path fails first, under the lock, in one line
    except AlreadyRunning as exc:
        fail(f"kazscraper {options.command}", str(exc), EXIT_LOCKED)
    except (ArchiveError, ProfileFileError) as exc:  # a learned profile file gone bad too
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the lock file beside the archive cannot be made
        raise click.ClickException(
            f"cannot create the archive at {options.db_path}: {exc}"
        ) from exc
    result.stats["kazscraper/elapsed_seconds"] = round(time.monotonic() - started, 1)
    line = summary_line(result, options.db_path)
    if options.command == "reparse" and result.exit_code == 0 and not pages_of(result):
        line += " (no article page in the archive's WARC files: nothing to rebuild)"
    click.echo(line)
    sys.exit(result.exit_code)


def pages_of(result: CrawlResult) -> int:
    """Pages fetched (a crawl) or article records read back from the WARC files (reparse)."""
    s = result.stats
    return int(s.get("response_received_count") or s.get("kazscraper/reparse/records", 0))


def summary_line(result: CrawlResult, db: str) -> str:
    s = result.stats
    verdict = verdict_word(result.exit_code)
    return (
        f"{verdict}: {pages_of(result)} pages in {s.get('kazscraper/elapsed_seconds', 0)}s; "
        f"articles {result.count('articles_new')} new, "
        f"{result.count('articles_updated')} updated, "
        f"{result.count('articles_unchanged')} unchanged; "
        f"{result.count('duplicates') + result.count('articles_alias')} duplicates, "
        f"{result.count('failures')} failures "
        f"-> {db}" + ("" if result.exit_code == 0 else f" ({result.reason})")
    )


def redis_url_from(url: str | None, path: str | None) -> str | None:
    """``--redis``, or the first line of ``--redis-url-file`` (not both)."""
    if path is None:
        return url
    if url is not None:
        raise click.UsageError("give --redis or --redis-url-file, not both")
    with open(path, encoding="utf-8") as file:
        found = file.readline(4096).strip()
    if not found:
        raise click.BadParameter("the file is empty", param_hint="'--redis-url-file'")
    return found


@click.command()
@click.option(
    "--redis",
    "redis_url",
    envvar="KAZSCRAPER_REDIS_URL",
    metavar="redis://HOST:PORT/DB",
    help="The Redis of the crawl [default: $KAZSCRAPER_REDIS_URL].",
)
@click.option(
    "--redis-url-file",
    type=click.Path(exists=True, dir_okay=False),
    help="Like --redis, the URL read from this file's first line.",
)
@click.option(
    "--give-up",
    "give_up_on",
    metavar="WORKER",
    help="Give up on a dead worker (its machine gone): its requests in flight go back into"
    " the frontier for the others, and the store stops waiting for it.",
)
@stall_after_option(
    "Flag a worker with requests in flight that finished no page for this many seconds"
    " (give the store's value)."
)
def status(
    redis_url: str | None, redis_url_file: str | None, give_up_on: str | None, stall_after: float
) -> None:
    """Show a Redis crawl: the crawl open, the frontier, pages per minute and requests in
    flight, each worker (alive, in flight, pages, pages per minute, last page) and the
    stuck ones (not alive, requests in flight), those with no progress (requests in
    flight, no page finished for --stall-after: a hung fetch) and those stalled (the store
    gave their requests to the others). Read-only, but for --give-up.

    \b
    Examples:
      kazscraper status --redis redis://10.0.0.5:6379/0
    """
    redis_url = redis_url_from(redis_url, redis_url_file)
    if redis_url is None:
        raise click.UsageError("give --redis, --redis-url-file or KAZSCRAPER_REDIS_URL")
    with needs_distributed("status"):
        import redis

        from kazscraper.distributed import PREFIX, RedisKeys
        from kazscraper.distributed.status import StillAlive, crawl_status, give_up, status_lines
    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=10, socket_connect_timeout=10)
        if give_up_on is not None:
            n = give_up(client, RedisKeys(PREFIX), give_up_on)
            click.echo(f"gave up on worker {give_up_on}: {n} request(s) back in the frontier")
        state = crawl_status(client, RedisKeys(PREFIX), stall_after)
    except StillAlive as exc:
        raise click.ClickException(str(exc)) from exc
    except redis.RedisError as exc:
        raise click.ClickException(f"cannot use Redis at {redacted_url(redis_url)}: {exc}") from exc
    for line in status_lines(state):
        click.echo(line)
