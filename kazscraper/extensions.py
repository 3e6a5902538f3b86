"""Scrapy extensions of kazscraper.

``Progress`` prints a one-line, self-overwriting progress display on a
terminal (the CLI enables it only when stderr is a TTY, so cron stays quiet).
"""

from __future__ import annotations

import sys
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

INTERVAL_SECONDS = 1.0


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
