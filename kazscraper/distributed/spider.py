"""The news spider as a worker: the shared frontier instead of the archive's."""

from __future__ import annotations

from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure

from kazscraper.crawler.frontier import ArchiveState
from kazscraper.crawler.spiders.news import NewsSpider
from kazscraper.distributed.lifecycle import pushing, worker_of, worker_owner
from kazscraper.distributed.shared import CrawlKnown, CrawlScheduled, crawl_rules


class WorkerSpider(NewsSpider):
    """The news spider as a worker: the same discovery; the archive's frontier and its
    run-local safety nets are replaced by the shared frontier and the in-flight hash."""

    name = "news"

    def _open_archive(self) -> None:
        """What the archive has, as the store published it in Redis (``shared``): the
        frontier skips archived articles, revisits those inside the window with their
        ETag, and stops a pagination that brings nothing new, as in a local crawl."""
        owner = worker_owner(self.crawler)
        # nothing is scheduled yet (this runs first in start()): the crawl's count decides
        self.frontier.scheduled = CrawlScheduled(lambda: owner.articles_scheduled)
        self.frontier.rules = crawl_rules(owner.client, owner.keys, self.frontier.rules)
        known = CrawlKnown(owner.client, owner.keys)
        self.frontier.load(ArchiveState(known=known))
        self.crawler.stats.set_value("kazscraper/known_articles", len(known))
        self.crawler.stats.set_value("kazscraper/known_revisit_window", len(known.recent))

    def _flush_frontier(self, everything: bool = False) -> None:
        self.frontier.new_urls(everything=True)  # the frontier is Redis's; nothing to keep here

    def on_idle(self) -> None:
        """Requests taken by another worker are answered there: nothing is awaited here
        (an unanswered request of this worker stays in its in-flight hash)."""
        self.frontier.awaited.clear()

    def on_spider_error(self, failure: Failure, response: Response, spider: Any = None) -> None:
        """The failure of a raising callback is pushed first (``page_failed``), then its
        request is acknowledged (``AckSpiderMiddleware`` left it in flight)."""
        super().on_spider_error(failure, response, spider)
        owner = worker_of(self.crawler)
        request = getattr(response, "request", None)
        if owner is not None and request is not None:
            with pushing(self.crawler):
                owner.output_done(request)

    def on_error(self, failure: Failure) -> None:
        super().on_error(failure)
        owner = worker_of(self.crawler)
        if owner is not None:
            owner.ack(failure.request)  # type: ignore[attr-defined]
