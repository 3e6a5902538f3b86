"""A one-line, self-overwriting progress display of the crawl on a terminal.

The CLI enables ``Progress`` only when stderr is a TTY, so cron stays quiet: counts,
the rate over the last few seconds, and an estimate of what is left where one is
known (``--max-articles``, else the requests waiting in the scheduler, which grows as
discovery goes on: "at least").
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Callable
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

from kazscraper.crawler.config import RUN_CONFIG, RunConfig

INTERVAL_SECONDS = 1.0
RATE_WINDOW = 10  # samples (seconds) the rate is measured over


class Progress:
    def __init__(
        self,
        crawler: Crawler,
        stream: TextIO = sys.stderr,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.stream = stream
        self.clock = clock
        # --max-articles of the run, where the runner configured one
        config = crawler.settings.get(RUN_CONFIG)
        self.max_articles = config.max_articles if isinstance(config, RunConfig) else None
        self.samples: deque[tuple[float, int]] = deque(maxlen=RATE_WINDOW)
        self.loop = task.LoopingCall(self.show)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        return cls(crawler)

    def line(self) -> str:
        get = self.stats.get_value
        pages = get("response_received_count", 0)
        text = (
            f"pages {pages} | "
            f"articles {get('kazscraper/articles_new', 0)} new, "
            f"{get('kazscraper/articles_updated', 0)} updated | "
            f"failures {get('kazscraper/failures', 0)}"
        )
        self.samples.append((self.clock(), pages))
        rate = self.rate()
        if rate is None:
            return text
        text += f" | {rate:.1f} pages/s"
        left = self.pages_left()
        if left is not None and rate > 0:
            text += f" | {left[1]}{left[0]} left, ~{_duration(left[0] / rate)}"
        return text

    def rate(self) -> float | None:
        """Pages per second over the last samples (None until two samples exist)."""
        if len(self.samples) < 2:
            return None
        (t0, p0), (t1, p1) = self.samples[0], self.samples[-1]
        return (p1 - p0) / (t1 - t0) if t1 > t0 else None

    def pages_left(self) -> tuple[int, str] | None:
        """(pages, qualifier) still to fetch, where that can be told: with --max-articles the
        articles still allowed (at most), else the requests waiting (at least: discovery adds)."""
        limit = self.max_articles
        if limit:
            return max(limit - self.stats.get_value("kazscraper/extracted", 0), 0), "≤"
        queued = _queued(self.crawler)
        return (queued, "≥") if queued else None

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


def _queued(crawler: Any) -> int:
    """Requests waiting in the scheduler (0 when the engine is not running)."""
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # Scrapy raises until the crawl has started
        return 0
    scheduler = getattr(engine, "scheduler", None)  # None before the spider has started
    try:
        return len(scheduler)  # type: ignore[arg-type]
    except TypeError:  # no scheduler yet, or one without a length
        return 0


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
