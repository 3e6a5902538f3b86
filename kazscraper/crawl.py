"""Running one crawl: settings, the Scrapy process, the verdict.

``run_crawl`` starts a ``CrawlerProcess`` with kazscraper's settings, runs the
news spider to the end and turns what happened into an exit code, which it
also writes into the run's ``crawls`` row. Scrapy's reactor can run once per
process: call this once, from the CLI.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from kazscraper import settings as default_settings
from kazscraper.archive import Archive
from kazscraper.spiders.news import NewsSpider

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

logger = logging.getLogger(__name__)


@dataclass
class CrawlResult:
    exit_code: int
    reason: str
    stats: dict[str, Any]

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


def build_settings(db_path: str, log_level: str, start_url: str | None, **extra: Any) -> Settings:
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("KAZSCRAPER_DB", db_path, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if start_url and is_loopback(start_url):
        # Our own replica on this machine: politeness delays would only slow the tests.
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", 16, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 16, priority="cmdline")
    for name, value in extra.items():
        settings.set(name, value, priority="cmdline")
    return settings


def verdict(stats: dict[str, Any]) -> tuple[int, str]:
    """Exit code and a reason for a finished Scrapy run."""
    finish_reason = stats.get("finish_reason", "unknown")
    if finish_reason != "finished":
        return EXIT_FAILED, f"crawl ended early: {finish_reason}"
    if not stats.get("response_received_count"):
        return EXIT_FAILED, "no page could be fetched (site unreachable?)"
    errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if errors:
        return EXIT_FAILED, f"{errors} spider error(s); see the log"
    return EXIT_OK, "ok"


def run_crawl(
    *,
    db_path: str,
    command: str,
    arguments: dict[str, Any],
    start_url: str | None = None,
    mirrors: tuple[str, ...] = (),
    max_articles: int | None = None,
    site: str = "qazdauiri",
    log_level: str = "WARNING",
) -> CrawlResult:
    settings = build_settings(
        db_path,
        log_level,
        start_url,
        KAZSCRAPER_COMMAND=command,
        KAZSCRAPER_ARGUMENTS=arguments,
    )
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    process.crawl(
        crawler,
        site=site,
        start_url=start_url,
        mirrors=",".join(mirrors),
        max_articles=max_articles,
    )
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    exit_code, reason = verdict(stats)
    crawl_id = stats.get("kazscraper/crawl_id")
    if crawl_id is not None:
        with Archive(db_path) as archive:
            archive.finish_crawl(
                crawl_id,
                status="ok" if exit_code == EXIT_OK else "failed",
                finish_reason=stats.get("finish_reason"),
                exit_code=exit_code,
            )
    return CrawlResult(exit_code=exit_code, reason=reason, stats=stats)
