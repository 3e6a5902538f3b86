"""The terminal progress line (shown only when stderr is a terminal)."""

from __future__ import annotations

import io

from scrapy.utils.test import get_crawler

from kazscraper.crawler.config import RUN_CONFIG
from kazscraper.crawler.progress import Progress
from kazscraper.crawler.runner import CrawlOptions, build_settings, crawl_config


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
    assert "kazscraper.crawler.progress.Progress" not in quiet.getdict("EXTENSIONS")
    assert "kazscraper.crawler.progress.Progress" in shown.getdict("EXTENSIONS")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_line_shows_the_rate_and_what_is_left_of_max_articles() -> None:
    config = crawl_config(CrawlOptions(db_path="x.sqlite", site="qazdauiri", max_articles=100))
    crawler = get_crawler(settings_dict={RUN_CONFIG: config})
    crawler.stats.open_spider()
    clock, stream = _Clock(), io.StringIO()
    progress = Progress(crawler, stream=stream, clock=clock)
    crawler.stats.set_value("response_received_count", 10)
    assert "pages/s" not in progress.line()  # one sample: no rate yet
    clock.now += 4
    crawler.stats.set_value("response_received_count", 30)
    crawler.stats.set_value("kazscraper/extracted", 20)
    line = progress.line()
    assert line.endswith("| 5.0 pages/s | ≤80 left, ~16s")


def test_progress_line_without_a_known_end_shows_only_the_rate() -> None:
    crawler = get_crawler()
    crawler.stats.open_spider()
    clock = _Clock()
    progress = Progress(crawler, stream=io.StringIO(), clock=clock)
    progress.line()
    clock.now += 2
    crawler.stats.set_value("response_received_count", 4000)
    assert progress.line().endswith("| 2000.0 pages/s")
