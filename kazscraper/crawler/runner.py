"""Running one crawl or reparse to its end: its settings, configuration and Scrapy process.

``run_crawl`` takes the archive's run lock (one run at a time, ``run_lock``), starts a
``CrawlerProcess`` with kazscraper's settings, runs the news spider to the end
and turns what happened into an exit code: 0 ok, 1 failed, 3 the health check
failed (fields the profile expects went missing: the layout probably changed).
The archive is upgraded (migrations) here, under the lock, before Scrapy starts;
during the run the archive extension (``kazscraper.crawler.archive_owner``) owns the file and
writes the run's ``crawls`` row once, verdict included (``kazscraper.crawler.verdict``).
Scrapy's reactor runs once per process: call this once, from the CLI.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from kazscraper.archive import Archive, ArchiveError
from kazscraper.archive.articles import REBUILT_TABLES
from kazscraper.archive.queries import captured_files, first_crawl, lost_articles
from kazscraper.crawler import settings as default_settings
from kazscraper.crawler.archive_owner import archive_of
from kazscraper.crawler.config import RUN_CONFIG, Mode, RunConfig
from kazscraper.crawler.frontier import Rules
from kazscraper.crawler.middlewares.warc_capture import warc_directory, warc_name
from kazscraper.crawler.pipelines.sink import SinkPipeline
from kazscraper.crawler.run_lock import AlreadyRunning, RunLock, queues_directory, upgrade
from kazscraper.crawler.run_log import console_handler, default_log_file
from kazscraper.crawler.spiders.news import NewsSpider
from kazscraper.crawler.spiders.reparse import ReparseSpider
from kazscraper.crawler.verdict import EXIT_FAILED, EXIT_OK, run_verdict
from kazscraper.sites import Sites, build_sites, crawled_sites, earlier_origins, get_profile
from kazscraper.sites.profile_file import with_learned
from kazscraper.urls import url_origin
from kazscraper.warc.files import files_in_use
from kazscraper.warc.recovery import recover_open_files

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    db_path: str
    command: str = "crawl"
    arguments: dict[str, Any] = field(default_factory=dict)
    start_url: str | None = None
    mirrors: tuple[str, ...] = ()
    sites: tuple[str, ...] = ()  # several sites: --site specs and --start-urls (build_sites)
    max_articles: int | None = None
    site: str | None = None  # one site: its profile's name (the CLI names it); not with sites
    log_level: str = "INFO"
    log_file: str | None = None  # default: <archive dir>/logs/<name>-<time>.log
    full: bool = False
    since: str | None = None  # YYYY-MM-DD
    revisit_days: int = 7
    stop_after: int = 2  # listing pages in a row with nothing new
    timeout: float = 30.0  # seconds per response (DOWNLOAD_TIMEOUT)
    workers: int | None = 0  # extraction worker processes (0: in the crawl process; None:
    # a reparse's choice, ``reparse_workers``)
    progress: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # extra Scrapy settings


@dataclass
class CrawlResult:
    exit_code: int
    reason: str
    stats: dict[str, Any]
    log_file: str | None = None

    @property
    def crawl_id(self) -> int | None:
        return self.stats.get("kazscraper/crawl_id")

    def count(self, key: str) -> int:
        return int(self.stats.get(f"kazscraper/{key}", 0))


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _spec_urls(specs: tuple[str, ...]) -> list[str]:
    """The URLs of the sites of a crawl (a bare profile name: its own origin)."""
    from kazscraper.sites import build_sites

    try:
        return [url for site in build_sites(specs) for url in site.start_urls]
    except ValueError:
        return [""]


def build_settings(options: CrawlOptions) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    overrides: dict[str, Any] = {
        "KAZSCRAPER_DB": options.db_path,
        "KAZSCRAPER_COMMAND": options.command,
        "KAZSCRAPER_ARGUMENTS": options.arguments,
        "LOG_LEVEL": options.log_level,
        "LOG_FILE": options.log_file,
        "LOG_FILE_APPEND": False,
        "DOWNLOAD_TIMEOUT": options.timeout,
        "KAZSCRAPER_EXTRACT_WORKERS": options.workers or 0,
    }
    if (options.start_url and is_loopback(options.start_url)) or (
        options.sites and all(is_loopback(u) for u in _spec_urls(options.sites))
    ):
        # Our own replica on this machine: politeness delays would only slow the tests.
        overrides.update(
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=False,
            CONCURRENT_REQUESTS=16,
            CONCURRENT_REQUESTS_PER_DOMAIN=16,
            KAZSCRAPER_RETRY_BACKOFF=0.1,
        )
    if options.progress:
        overrides["EXTENSIONS"] = {
            **settings.getdict("EXTENSIONS"),
            "kazscraper.crawler.progress.Progress": 500,
        }
    overrides.update(options.settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


def crawl_config(options: CrawlOptions, mode: Mode = "crawl") -> RunConfig:
    """The run configuration of a crawl with these options: a local crawl's, or with
    ``mode="worker"`` a Redis worker's.

    Several sites (``sites``): the specs, as ``build_sites`` reads them; one site: its
    profile (``site``) rebased on the start URL, with the mirrors."""
    rules = Rules.from_arguments(
        options.full, options.since, options.revisit_days, options.stop_after, options.max_articles
    )
    if options.sites:
        return RunConfig(build_sites(options.sites), rules, mode)
    profile = get_profile(_site_name(options))
    mirrors = tuple(m for m in options.mirrors if m)
    start = options.start_url
    if start and (start.rstrip("/") != profile.origin or mirrors):
        profile = profile.rebased(url_origin(start), mirrors)
    return RunConfig(Sites.single(profile, [start] if start else []), rules, mode)


def _learned(config: RunConfig, db_path: str) -> RunConfig:
    """The run's generic sites with their learned profiles (``profiles/<host>.toml`` beside
    the archive), each file said on stderr."""
    sites, notes = with_learned(config.sites, db_path)
    for note in notes:
        print(note, file=sys.stderr, flush=True)
    return replace(config, sites=sites) if notes else config


def _site_name(options: CrawlOptions) -> str:
    """The profile of a one-site run, which the caller (the CLI) names."""
    if options.site is None:
        raise ValueError("a one-site run needs its site profile's name (CrawlOptions.site)")
    return options.site


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl under the archive's lock; raises AlreadyRunning when another run holds it."""
    config = _learned(crawl_config(options), options.db_path)
    with RunLock(options.db_path):
        upgrade(options.db_path)
        return _run_process(options, NewsSpider, config)


def run_reparse(options: CrawlOptions) -> CrawlResult:
    """Rebuild the article tables from the WARC files alone, through the same pipelines.

    The rebuild goes into a copy of the archive (``<name>.reparse.sqlite`` beside it), which
    replaces the archive only when the run succeeds (exit 0). Otherwise the archive stays as
    it was and the copy is kept for inspection: with damaged WARC records, the articles whose
    only capture was damaged would be missing from it."""
    with RunLock(options.db_path):
        upgrade(options.db_path)
        warc_dir, name = warc_directory(options.db_path), warc_name(options.db_path)
        recover_open_files(warc_dir, name, workers=True)  # killed workers' files too
        busy = files_in_use(warc_dir, name)
        if busy:  # a worker of a Redis crawl writes it: its pages would be missing
            raise AlreadyRunning(
                f"a worker of a Redis crawl into this archive is writing {busy[0].name}; "
                "nothing was done: reparse once the workers have stopped"
            )
        target = Path(options.db_path).resolve()  # a symlink's file, not the link, is replaced
        rebuilt = target.with_name(f"{target.stem}.reparse{target.suffix}")
        _refuse_foreign_copy(rebuilt, target)
        _remove_database(rebuilt)
        # the copy is made under a name of its own and takes the copy's name once whole: a
        # run killed while copying leaves only that scratch file, this command's under the
        # lock, which the next run deletes (a partial copy at the copy's name would be
        # refused as another archive's file, for ever)
        copying = target.with_name(f"{rebuilt.name}.copying")
        _refuse_foreign_copy(copying, target, partial=True)
        _remove_database(copying)
        with Archive(target) as archive:
            origin, mirrors = archive.crawled_origin()
            # a several-site archive: each capture with its site's profile
            crawl_runs = archive.crawl_arguments()
            sites = crawled_sites(crawl_runs, _site_name(options))
            # the archive but the tables the run rebuilds (copied, then emptied, they cost
            # the copy of every article and a full-text delete for each)
            archive.copy_to(copying, empty=REBUILT_TABLES)
        os.replace(copying, rebuilt)
        named, captures = captured_files(target)
        if options.workers is None:
            options.workers = reparse_workers(captures)
        options.settings["KAZSCRAPER_WARC"] = False  # reading the raw archive, not adding to it
        options.settings["KAZSCRAPER_DB"] = str(rebuilt)
        if sites is None:
            profile = get_profile(_site_name(options))
            if origin:
                profile = profile.rebased(origin, tuple(m for m in mirrors if m))
            # captures of crawls from other origins (a demo on another port) as read then
            sites = Sites.single(profile, earlier=earlier_origins(crawl_runs, profile))
        config = RunConfig(
            sites, mode="reparse", warc_dir=str(warc_dir), warc_name=name, warc_named=named
        )
        config = _learned(config, options.db_path)
        result = _run_process(options, ReparseSpider, config)
        if captures and not result.stats.get("kazscraper/reparse/read"):
            # an archive with captures of which none could be read: never an empty "ok"
            reason = (
                f"no capture could be read back of the archive's {captures} "
                f"(in {len(named)} WARC file(s) of {warc_dir}; missing: "
                f"{result.stats.get('kazscraper/reparse/missing', 0)})"
            )
            logger.error("%s", reason)
            result = replace(result, exit_code=EXIT_FAILED, reason=reason)
        lost = lost_articles(target, rebuilt) if result.exit_code == EXIT_OK else None
        if lost:  # the safety net: a rebuild that lost articles the archive has is refused
            logger.error(
                "reparse refused: %s; the archive %s was not replaced; the rebuilt copy is %s",
                lost,
                target,
                rebuilt,
            )
            result = replace(result, exit_code=EXIT_FAILED, reason=f"reparse refused: {lost}")
        elif result.exit_code == EXIT_OK:
            _remove_database(target, keep_main=True)
            os.replace(rebuilt, target)
        else:
            logger.error("the archive %s was not replaced; the rebuilt copy is %s", target, rebuilt)
        return result


#: captures from which a reparse's default is a pool of worker processes: below, their
#: start-up (a second or two of CPU each) costs more than it saves
POOL_FROM_CAPTURES = 500


#: the most extraction processes a reparse starts by itself (a machine of 64 cores)
MOST_DEFAULT_WORKERS = 8


def reparse_workers(captures: int, cpus: int | None = None) -> int:
    """A reparse's extraction processes when none are asked for: one per core it may run on
    (at most ``MOST_DEFAULT_WORKERS``) on a machine with several, for an archive of
    ``POOL_FROM_CAPTURES`` captures or more; else none."""
    if cpus is None:
        affinity = getattr(os, "sched_getaffinity", None)
        cpus = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    if cpus < 2 or captures < POOL_FROM_CAPTURES:
        return 0
    return min(cpus, MOST_DEFAULT_WORKERS)


def _refuse_foreign_copy(rebuilt: Path, target: Path, partial: bool = False) -> None:
    """``ArchiveError`` when ``rebuilt`` exists and is not an earlier reparse copy of
    ``target`` (the same first run): another archive or file named like the copy is never
    deleted. With ``partial`` (the scratch name a copy is made under), also a copy a killed
    run left part-made is ours: an empty file, or an SQLite file that names no first run
    or cannot be read through."""
    if not rebuilt.exists():
        return
    try:
        first = first_crawl(rebuilt)
        ours = first == first_crawl(target) or (partial and first is None)
    except sqlite3.Error:
        ours = partial and _empty_or_sqlite(rebuilt)
    if not ours:
        raise ArchiveError(
            f"{rebuilt} exists and is not a reparse copy of {target.name}; nothing was done: "
            "move it away first"
        )


def _empty_or_sqlite(path: Path) -> bool:
    """``path`` is empty or begins as an SQLite file does."""
    with path.open("rb") as file:
        head = file.read(16)
    return head in (b"", b"SQLite format 3\x00")


def _remove_database(path: Path, keep_main: bool = False) -> None:
    """Remove an SQLite file and its -wal/-shm companions (only those with ``keep_main``)."""
    for suffix in ("-wal", "-shm", *(() if keep_main else ("",))):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _run_process(options: CrawlOptions, spider_cls: type[Spider], config: RunConfig) -> CrawlResult:
    if options.log_file is None:
        options.log_file = default_log_file(options.db_path)
    Path(options.log_file).parent.mkdir(parents=True, exist_ok=True)
    settings = build_settings(options)
    # The requests waiting to be fetched (a sitemap yields every article at once) wait on
    # disk, not in memory, in the archive's own folder (beside the real file: the run lock
    # covers it, another archive's run never touches it); resuming goes by the frontier.
    queues = queues_directory(options.db_path)
    shutil.rmtree(queues, ignore_errors=True)  # left by a killed run of this archive
    settings.set("JOBDIR", str(queues / str(os.getpid())), priority="cmdline")
    settings.set("KAZSCRAPER_ARCHIVE_READY", True, priority="cmdline")  # upgraded under the lock
    try:
        return run_spider(options, settings, spider_cls, config)
    finally:
        shutil.rmtree(queues, ignore_errors=True)


def _finish_after_forced_stop(crawler: Crawler) -> None:
    """Finish a run whose reactor was stopped under its engine.

    A second SIGINT or SIGTERM (a double Ctrl-C) makes Scrapy stop the reactor at once: the
    engine never closes the spider, so neither the sink's last batch nor the run's ``crawls``
    row was written (it stayed ``running`` for good). Here, once the reactor is gone: the
    records in hand are written, the row is finished (``failed``, exit 1, 'crawl ended
    early: shutdown forced'), the archive closed; what was not stored waits in the frontier
    for the next run."""
    owner = archive_of(crawler)
    if owner is None or owner.archive is None:
        return  # the engine closed the run (or the run has no archive)
    assert crawler.stats is not None
    crawler.stats.set_value("finish_reason", "shutdown forced (a second SIGINT or SIGTERM)")
    engine = crawler.engine
    for pipeline in engine.scraper.itemproc.middlewares if engine is not None else ():
        if isinstance(pipeline, SinkPipeline):
            pipeline.close_spider()  # the batch in hand: every item in it went through
    owner.finish()


def run_spider(
    options: CrawlOptions,
    settings: Settings,
    spider_cls: type[Spider],
    config: RunConfig,
) -> CrawlResult:
    """Run ``spider_cls`` for the run ``config`` with these Scrapy ``settings``, to its end,
    and judge it: the exit code and reason the archive owner wrote in the ``crawls`` row,
    or (a crawler without one: a Redis worker) the verdict of its stats.

    The run lock, the archive's upgrade and the request queue on disk are the caller's
    (``run_crawl``, ``run_reparse``; a Redis worker has neither lock nor archive). The
    configuration reaches every component through the settings (``RUN_CONFIG``). Errors
    go to stderr one line each. Scrapy's reactor runs once per process: call this once.
    """
    settings.set(RUN_CONFIG, config, priority="cmdline")
    process = CrawlerProcess(settings)
    # errors reach cron's mail, one line each
    logging.getLogger().addHandler(console_handler(sys.stderr, options.command))
    logging.raiseExceptions = False  # a log file on a full disk: no traceback per record
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler)
    process.start()
    _finish_after_forced_stop(crawler)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if "kazscraper/exit_code" in stats:  # judged by the archive extension, in the crawls row
        exit_code, reason = stats["kazscraper/exit_code"], stats["kazscraper/verdict"]
    else:
        exit_code, reason = run_verdict(stats, config)
    if exit_code != EXIT_OK:
        logger.error("%s", reason)
    return CrawlResult(exit_code=exit_code, reason=reason, stats=stats, log_file=options.log_file)
