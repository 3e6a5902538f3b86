"""The terminal progress line (shown only when stderr is a terminal)."""

from __future__ import annotations

import io

from scrapy.utils.test import get_crawler

from kazscraper.crawl import CrawlOptions, build_settings
from kazscraper.extensions import Progress


def test_progress_line_shows_counts_and_overwrites_itself() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    stream = io.StringIO()
    progress = Progress(crawler, stream=stream)
    crawler.stats.set_value("response_received_count", 42)
    crawler.stats.set_value("kazscraper/articles_new", 7)
    crawler.stats.set_value("kazscraper/failures", 1)
    progress.show()
    assert stream.getvalue() == "\rpages 42 | articles 7 new, 0 updated | failures 1\x1b[K"


def test_progress_is_enabled_only_when_asked() -> None:
    quiet = build_settings(CrawlOptions(db_path="x.sqlite"))
    shown = build_settings(CrawlOptions(db_path="x.sqlite", progress=True))
    assert "kazscraper.extensions.Progress" not in quiet.getdict("EXTENSIONS")
    assert "kazscraper.extensions.Progress" in shown.getdict("EXTENSIONS")
