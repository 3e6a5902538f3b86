"""kazscraper's own Scrapy signals, and stopping a crawl whose archive cannot be written."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: A URL failed for good (download error, HTTP error after retries, not a text page,
#: unreadable sitemap). Arguments: url, stage ('discovery' | 'fetch'), reason, http_status.
page_failed = object()

#: Another address of an article was found (a mirror-host link). Arguments: url, canonical.
alias_found = object()

#: The sink is about to write a batch of records: the raw captures given so far are put on
#: disk (and indexed) first, so no row names a page whose capture a kill would lose.
archive_batch_due = object()

#: The stat set when the WARC folder or the captures index refused a write: the sink then
#: writes no more rows this run (their pages' raw captures may be on no disk).
RAW_CAPTURE_FAILED = "kazscraper/warc/failed"


def raw_capture_failed(crawler: Crawler) -> bool:
    """Whether this run's WARC folder (or captures index) refused a write: the last
    pipeline (the sink, a Redis worker's queue) then writes or pushes nothing more."""
    return crawler.stats is not None and bool(crawler.stats.get_value(RAW_CAPTURE_FAILED))


def stop_on_archive_error(crawler: Crawler, where: str, exc: BaseException) -> None:
    """The archive (SQLite file or WARC folder) refused a write: disk full, read-only,
    I/O error. Record why (once), and close the spider: the run ends with exit 1, the
    file keeps every committed transaction, and the next run fetches what was not stored."""
    if crawler.stats is None or crawler.stats.get_value("kazscraper/archive_error"):
        return
    message = f"{where}: {type(exc).__name__}: {exc}"
    crawler.stats.set_value("kazscraper/archive_error", message)
    logger.error("cannot write the archive (%s)", message)
    if crawler.engine is not None and crawler.spider is not None:
        crawler.engine.close_spider(crawler.spider, "archive_write_failed")
