"""Running one crawl: lock, settings, the Scrapy process, the health check, the verdict.

``run_crawl`` takes the archive's run lock (one run at a time), starts a
``CrawlerProcess`` with kazscraper's settings, runs the news spider to the end
and turns what happened into an exit code: 0 ok, 1 failed, 3 the health check
failed (fields the profile expects went missing: the layout probably changed).
The archive is upgraded (migrations) here, under the lock, before Scrapy starts;
during the run the archive extension (``kazscraper.extension``) owns the file and
writes the run's ``crawls`` row once, verdict included (``kazscraper.verdict``).
Scrapy's reactor runs once per process: call this once, from the CLI.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import os
import shutil
import sqlite3
import sys
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from kazscraper import settings as default_settings
from kazscraper.archive import Archive
from kazscraper.extensions import capped
from kazscraper.middlewares import warc_directory, warc_name
from kazscraper.sites import crawled_sites, get_profile
from kazscraper.spiders.news import NewsSpider
from kazscraper.spiders.reparse import ReparseSpider
from kazscraper.verdict import (
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_UNHEALTHY,
    health_breaches,
    verdict,
)
from kazscraper.warc.files import files_in_use
from kazscraper.warc.recovery import recover_open_files

__all__ = [
    "EXIT_FAILED",
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_UNHEALTHY",
    "health_breaches",
    "verdict",
]

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
    site: str = "qazdauiri"
    log_level: str = "INFO"
    log_file: str | None = None  # default: <archive dir>/logs/<name>-<time>.log
    full: bool = False
    since: str | None = None  # YYYY-MM-DD
    revisit_days: int = 7
    stop_after: int = 2  # listing pages in a row with nothing new
    timeout: float = 30.0  # seconds per response (DOWNLOAD_TIMEOUT)
    workers: int = 0  # extraction worker processes (0: in the crawl process)
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


class AlreadyRunning(Exception):
    """Another run holds the archive's lock."""


class RunLock:
    """An exclusive ``flock`` on ``<archive>.lock``: released by the kernel even on kill -9.

    Beside the real file: a symlink or another spelling of the path takes the same lock."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = Path(f"{Path(db_path).resolve()}.lock")
        self._fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another kazscraper run (pid {holder}) is using {self.path.with_suffix('')}; "
                "exiting without crawling"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def queues_directory(db_path: str | Path) -> Path:
    """``<archive>.queues/``: the run's disk queue of requests, removed when it ends."""
    return Path(f"{Path(db_path).resolve()}.queues")


def default_log_file(db_path: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return str(Path(db_path).parent / "logs" / f"{Path(db_path).stem}-{stamp}.log")


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
        "KAZSCRAPER_EXTRACT_WORKERS": options.workers,
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
            "kazscraper.extensions.Progress": 500,
        }
    overrides.update(options.settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


class OneLineFormatter(logging.Formatter):
    """``kazscraper <command>: error: <first line of the message>``, capped: stderr (cron's
    mail) gets one line per error; the traceback stays in the run's log file."""

    def __init__(self, command: str) -> None:
        super().__init__()
        self.command = command

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines() or [""]
        level = "error" if record.levelno >= logging.ERROR else record.levelname.lower()
        return f"kazscraper {self.command}: {level}: {capped(lines[0], 300)}"


def _console_handler(stream: TextIO, command: str = "crawl") -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(OneLineFormatter(command))
    return handler


def news_spider_arguments(options: CrawlOptions) -> dict[str, Any]:
    """The news spider's arguments for a crawl with these options (local or a worker).

    Several sites (``sites``): the specs, as ``build_sites`` reads them; one site: its
    profile name, start URL and mirrors, as ever."""
    several = {"sites": list(options.sites)} if options.sites else {}
    return several | {
        "site": options.site,
        "start_url": options.start_url,
        "mirrors": ",".join(options.mirrors),
        "max_articles": options.max_articles,
        "full": options.full,
        "since": options.since,
        "revisit_days": options.revisit_days,
        "stop_after": options.stop_after,
    }


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl under the archive's lock; raises AlreadyRunning when another run holds it."""
    spider_kwargs = news_spider_arguments(options)
    with RunLock(options.db_path):
        upgrade(options.db_path)
        return _run_process(options, NewsSpider, spider_kwargs)


def upgrade(db_path: str | Path) -> None:
    """Create or upgrade the archive's schema; call it with the run lock held.

    Raises ``ArchiveError`` (one line for the CLI) when the file cannot be an archive."""
    Archive(db_path).close()


def upgrade_if_idle(db_path: str | Path) -> bool:
    """Upgrade the archive unless a run holds its lock (that run upgrades it itself)."""
    try:
        with RunLock(db_path):
            upgrade(db_path)
    except (AlreadyRunning, PermissionError):  # a run holds it; a folder we cannot write
        return False
    return True


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
        _remove_database(rebuilt)
        with Archive(target) as archive:
            origin, mirrors = archive.crawled_origin()
            sites = crawled_sites(archive.crawl_arguments())
            archive.db.conn.execute("VACUUM INTO ?", [str(rebuilt)])
        with Archive(rebuilt) as copy:
            copy.clear_articles()
        options.settings["KAZSCRAPER_WARC"] = False  # reading the raw archive, not adding to it
        options.settings["KAZSCRAPER_DB"] = str(rebuilt)
        spider_kwargs = {
            "site": options.site,
            "warc_dir": str(warc_dir),
            "warc_name": name,
            "origin": origin,
            "mirrors": ",".join(mirrors),
            "sites": sites,  # a several-site archive: each capture with its site's profile
        }
        result = _run_process(options, ReparseSpider, spider_kwargs)
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


def lost_articles(original: Path, rebuilt: Path) -> str | None:
    """Why the ``rebuilt`` archive would lose articles ``original`` has (fewer article rows,
    or archived article URLs that no rebuilt article holds: their captures claimed by no
    site), in one line; None when it keeps every one."""
    with closing(sqlite3.connect(f"{rebuilt.as_uri()}?mode=ro", uri=True)) as conn:
        conn.execute("ATTACH DATABASE ? AS original", [f"{original.as_uri()}?mode=ro"])
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


def _remove_database(path: Path, keep_main: bool = False) -> None:
    """Remove an SQLite file and its -wal/-shm companions (only those with ``keep_main``)."""
    for suffix in ("-wal", "-shm", *(() if keep_main else ("",))):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def setup_store_logging(log_file: str, level: str) -> None:
    """``kazscraper store``'s log: everything at ``level`` into ``log_file``, errors on
    stderr in one line each (as for a crawl)."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level.upper())
    root.addHandler(handler)
    root.addHandler(_console_handler(sys.stderr, "store"))


def _run_process(
    options: CrawlOptions, spider_cls: type[Spider], spider_kwargs: dict[str, Any]
) -> CrawlResult:
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
        return _crawl(options, settings, spider_cls, spider_kwargs)
    finally:
        shutil.rmtree(queues, ignore_errors=True)


def _crawl(
    options: CrawlOptions,
    settings: Settings,
    spider_cls: type[Spider],
    spider_kwargs: dict[str, Any],
) -> CrawlResult:
    process = CrawlerProcess(settings)
    # errors reach cron's mail, one line each
    logging.getLogger().addHandler(_console_handler(sys.stderr, options.command))
    logging.raiseExceptions = False  # a log file on a full disk: no traceback per record
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if "kazscraper/exit_code" in stats:  # judged by the archive extension, in the crawls row
        exit_code, reason = stats["kazscraper/exit_code"], stats["kazscraper/verdict"]
    else:
        profile = getattr(crawler.spider, "profile", None) or get_profile(options.site)
        sites = getattr(getattr(crawler.spider, "sites", None), "profiles", ())
        exit_code, reason = verdict(
            stats,
            profile,
            need_responses=spider_cls is NewsSpider,
            start_url=options.start_url,
            sites=sites,
        )
    if exit_code != EXIT_OK:
        logger.error("%s", reason)
    return CrawlResult(exit_code=exit_code, reason=reason, stats=stats, log_file=options.log_file)
