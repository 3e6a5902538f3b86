"""Scrapy extensions of kazscraper.

``Progress`` prints a one-line, self-overwriting progress display on a
terminal (the CLI enables it only when stderr is a TTY, so cron stays quiet).
``CappedLogFormatter`` keeps Scrapy's log lines about items short: an item
is logged as its first ``LOG_VALUE_MAX_CHARS`` characters, never a whole page.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.internet import task

INTERVAL_SECONDS = 1.0
LOG_VALUE_MAX_CHARS = 500


def capped(value: Any, limit: int = LOG_VALUE_MAX_CHARS) -> str:
    """``str(value)``, cut to ``limit`` characters with the size of what was left out."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text) - limit} more chars]"


class CappedLogFormatter(LogFormatter):
    """Scrapy's messages about items (dropped, failed, scraped), each value capped: an
    item carries a page's HTML (up to the 10 MB download limit), which a log must not."""

    def _capped(self, result: LogFormatterResult) -> LogFormatterResult:
        args = result.get("args") or {}
        return {**result, "args": {k: capped(v) for k, v in args.items()}}

    def dropped(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        return self._capped(super().dropped(*args, **kwargs))

    def item_error(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        return self._capped(super().item_error(*args, **kwargs))

    def scraped(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        return self._capped(super().scraped(*args, **kwargs))


class Progress:
    def __init__(self, crawler: Crawler, stream: TextIO = sys.stderr) -> None:
        self.stats = crawler.stats
        self.stream = stream
        self.loop = task.LoopingCall(self.show)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler)

    def line(self) -> str:
        get = self.stats.get_value
        return (
            f"pages {get('response_received_count', 0)} | "
            f"articles {get('kazscraper/articles_new', 0)} new, "
            f"{get('kazscraper/articles_updated', 0)} updated | "
            f"failures {get('kazscraper/failures', 0)}"
        )

    def show(self) -> None:
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()

    def opened(self) -> None:
        self.loop.start(INTERVAL_SECONDS, now=False)

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.show()
        self.stream.write("\n")
