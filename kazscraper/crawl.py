"""Running one crawl: lock, settings, the Scrapy process, the health check, the verdict.

``run_crawl`` takes the archive's run lock (one run at a time), starts a
``CrawlerProcess`` with kazscraper's settings, runs the news spider to the end
and turns what happened into an exit code: 0 ok, 1 failed, 3 the health check
failed (fields the profile expects went missing: the layout probably changed).
The verdict is written into the run's ``crawls`` row. Scrapy's reactor runs
once per process: call this once, from the CLI.
"""

from __future__ import annotations

import fcntl
import ipaddress
import logging
import os
import shutil
import sqlite3
import sys
from dataclasses import dataclass, field
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
from kazscraper.sites import SiteProfile, get_profile
from kazscraper.spiders.news import NewsSpider
from kazscraper.spiders.reparse import ReparseSpider
from kazscraper.warc import recover_open_files

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNHEALTHY = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    db_path: str
    command: str = "crawl"
    arguments: dict[str, Any] = field(default_factory=dict)
    start_url: str | None = None
    mirrors: tuple[str, ...] = ()
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
    if options.start_url and is_loopback(options.start_url):
        # Our own replica on this machine: politeness delays would only slow the tests.
        overrides.update(
            DOWNLOAD_DELAY=0,
            AUTOTHROTTLE_ENABLED=False,
            CONCURRENT_REQUESTS=16,
            CONCURRENT_REQUESTS_PER_DOMAIN=16,
            KAZSCRAPER_RETRY_BACKOFF=0.1,
        )
    if options.progress:
        overrides["EXTENSIONS"] = {"kazscraper.extensions.Progress": 500}
    overrides.update(options.settings)
    settings.setdict(overrides, priority="cmdline")
    return settings


# download errors in words, by (a part of) the exception's class name in Scrapy's stats
_NETWORK_CAUSES = (
    ("ConnectionRefused", "connection refused"),
    ("DNSLookup", "host name not found (DNS)"),
    ("TimedOut", "no answer (timed out)"),
    ("Timeout", "no answer (timed out)"),
    ("NoRoute", "no route to the host"),
    ("SSL", "TLS handshake failed"),
    ("TLS", "TLS handshake failed"),
    ("ConnectionLost", "connection lost"),
    ("ResponseNeverReceived", "no response"),
)


def network_cause(stats: dict[str, Any]) -> str | None:
    """The commonest download error of the run, in words (None if there was none)."""
    prefix = "downloader/exception_type_count/"
    errors = sorted(
        ((v, k[len(prefix) :]) for k, v in stats.items() if k.startswith(prefix)), reverse=True
    )
    for _, name in errors:
        for part, words in _NETWORK_CAUSES:
            if part in name:
                return words
    return errors[0][1].rsplit(".", 1)[-1] if errors else None


def verdict(
    stats: dict[str, Any],
    profile: SiteProfile,
    need_responses: bool = True,
    start_url: str | None = None,
) -> tuple[int, str]:
    """Exit code and a one-line reason for a finished Scrapy run."""
    finish_reason = stats.get("finish_reason", "unknown")
    if stats.get("kazscraper/archive_error"):
        return EXIT_FAILED, f"cannot write the archive: {stats['kazscraper/archive_error']}"
    if finish_reason != "finished":
        return EXIT_FAILED, f"crawl ended early: {finish_reason}"
    if need_responses and not stats.get("response_received_count"):
        host = urlsplit(start_url or profile.origin).netloc
        cause = network_cause(stats) or "no response"
        return EXIT_FAILED, (
            f"no page could be fetched from {host}: {cause}; check the address and the "
            "network (`kazscraper demo` works offline)"
        )
    errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if errors:
        return EXIT_FAILED, f"{errors} spider error(s); see the log"
    breaches = health_breaches(stats, profile)
    if breaches:
        return EXIT_UNHEALTHY, "health check failed, fields dropped: " + ", ".join(breaches)
    return EXIT_OK, "ok"


def health_breaches(stats: dict[str, Any], profile: SiteProfile) -> list[str]:
    """Fields whose fill rate on this run's article pages is below the profile's threshold.

    A threshold named ``field:layer`` (``body:profile``) counts only the pages
    where that layer gave the field: the generic fallback may rescue a page
    whose layout changed, but the change is still reported.
    """
    pages = stats.get("kazscraper/extracted", 0)
    if pages < profile.health_min_pages:
        return []
    breaches = []
    for name, minimum in profile.health_thresholds.items():
        key = f"kazscraper/layer/{name}" if ":" in name else f"kazscraper/filled/{name}"
        rate = stats.get(key, 0) / pages
        if rate < minimum:
            note = " (the profile's selectors no longer match)" if ":profile" in name else ""
            breaches.append(f"{name} {rate:.0%} < {minimum:.0%}{note}")
    return breaches


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


def run_crawl(options: CrawlOptions) -> CrawlResult:
    """Crawl under the archive's lock; raises AlreadyRunning when another run holds it."""
    spider_kwargs = {
        "site": options.site,
        "start_url": options.start_url,
        "mirrors": ",".join(options.mirrors),
        "max_articles": options.max_articles,
        "full": options.full,
        "since": options.since,
        "revisit_days": options.revisit_days,
        "stop_after": options.stop_after,
    }
    with RunLock(options.db_path):
        return _run_process(options, NewsSpider, spider_kwargs)


def run_reparse(options: CrawlOptions) -> CrawlResult:
    """Rebuild the article tables from the WARC files alone, through the same pipelines."""
    with RunLock(options.db_path):
        warc_dir, name = warc_directory(options.db_path), warc_name(options.db_path)
        recover_open_files(warc_dir, name)
        with Archive(options.db_path) as archive:
            origin, mirrors = archive.crawled_origin()
            archive.clear_articles()
        options.settings["KAZSCRAPER_WARC"] = False  # reading the raw archive, not adding to it
        spider_kwargs = {
            "site": options.site,
            "warc_dir": str(warc_dir),
            "warc_name": name,
            "origin": origin,
            "mirrors": ",".join(mirrors),
        }
        return _run_process(options, ReparseSpider, spider_kwargs)


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
    profile = getattr(crawler.spider, "profile", None) or get_profile(options.site)
    exit_code, reason = verdict(
        stats, profile, need_responses=spider_cls is NewsSpider, start_url=options.start_url
    )
    crawl_id = stats.get("kazscraper/crawl_id")
    if crawl_id is not None:
        status = {EXIT_OK: "ok", EXIT_UNHEALTHY: "unhealthy"}.get(exit_code, "failed")
        try:
            with Archive(options.db_path) as archive:
                archive.finish_crawl(
                    crawl_id,
                    status=status,
                    finish_reason=stats.get("finish_reason"),
                    exit_code=exit_code,
                    verdict=reason,
                )
        except sqlite3.Error as exc:  # the disk is still full: the verdict goes to the log
            logger.error("could not record the run's verdict in the archive: %s", exc)
    if exit_code != EXIT_OK:
        logger.error("%s", reason)
    return CrawlResult(exit_code=exit_code, reason=reason, stats=stats, log_file=options.log_file)
