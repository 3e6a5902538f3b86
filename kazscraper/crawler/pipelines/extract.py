"""HTML → Article, in this process or in the pool of extraction processes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.extract_pool import (
    ExtractWorkers,
    PreparedCapture,
    WorkerDied,
    extract_workers,
)
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.crawler.verdict import site_stats_prefix
from kazscraper.extract.article import NotHtmlError, PageTooComplex, extract_article
from kazscraper.intake.checked import CheckedHtml
from kazscraper.intake.page import with_page
from kazscraper.items import Article, PageItem
from kazscraper.sites import SiteProfile

logger = logging.getLogger(__name__)


class ExtractPipeline(CrawlerPipeline):
    """HTML → Article, in this process or, with ``KAZSCRAPER_EXTRACT_WORKERS`` > 0, in a pool
    of worker processes (the second core: the crawl process keeps fetching meanwhile).

    ``process_item`` is a coroutine: a page sent to the pool is awaited, and pages in flight
    overlap (Scrapy 2.19 warns that a Deferred returned by a pipeline is deprecated)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.workers = extract_workers(crawler.settings)
        self.pool: ExtractWorkers | None = None
        if self.workers:
            crawler.signals.connect(self._open_pool, signal=signals.spider_opened)
            crawler.signals.connect(self._close_pool, signal=signals.spider_closed)

    def _open_pool(self) -> None:
        self.pool = ExtractWorkers(self.workers, self.sites)

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.stats.set_value("kazscraper/workers_replaced", self.pool.replaced)
            self.stats.set_value("kazscraper/worker_cpu_s", round(self.pool.cpu_seconds(), 2))
            self.stats.set_value("kazscraper/worker_peak_rss_mb", round(self.pool.peak_rss_mb()))
            self.pool.close()
            self.pool = None

    async def process_item(self, item: Any) -> Any:
        if isinstance(item, PreparedCapture):  # reparse: extracted in a worker already
            return self._prepared(item)
        if not isinstance(item, PageItem):
            return item
        self._count_page(item, 1)  # before extraction: a page that raises is a page
        if self.pool is None:
            return self._finish(item, lambda: extract_article(*self._args(item)))
        if isinstance(item.html, CheckedHtml):
            item.html.drop_parsed()  # no tree held while the page waits for a worker
        with self._rejections(item):
            article = await self.pool.run(item.html, item.url, item.fetched_at, item.site)
        return with_page(article, item)

    def _prepared(self, item: PreparedCapture) -> Article:
        """The article a worker extracted from a reparsed page, or its error: counted and
        rejected as an extraction in this stage would be."""
        page = item.page
        assert isinstance(page, PageItem), "a refused capture is no item"
        self._count_page(page, 1)
        with self._rejections(page):
            if item.error is not None:
                raise item.error
            assert item.article is not None
            article = item.article
        return with_page(article, page)

    def _count_page(self, item: PageItem, step: int) -> None:
        """The health check's page count, of the whole run and (several sites) of its site."""
        self.stats.inc_value("kazscraper/extracted", step)
        if len(self.sites) > 1:
            label = self.profile_for(item.url, item.site).label
            self.stats.inc_value(f"{site_stats_prefix(label)}extracted", step)

    def _args(self, item: PageItem) -> tuple[str, str, SiteProfile, str]:
        return item.html, item.url, self.profile_for(item.url, item.site), item.fetched_at

    def _finish(self, item: PageItem, extract: Callable[[], Article]) -> Article:
        with self._rejections(item):
            article = extract()
        return with_page(article, item)

    @contextmanager
    def _rejections(self, item: PageItem) -> Iterator[None]:
        """An extraction that fails makes the page a ``PageRejected`` with the reason."""
        try:
            yield
        except WorkerDied as exc:
            # no extractor saw the page: it says nothing about the layout (the health check)
            self._count_page(item, -1)
            self.stats.inc_value("kazscraper/worker_deaths")
            raise PageRejected(item.url, "extract", str(exc)) from None
        except PageTooComplex as exc:
            # refused before any layer read it: it says nothing about the layout
            self._count_page(item, -1)
            self.stats.inc_value("kazscraper/pages_too_complex")
            raise PageRejected(item.url, "extract", str(exc)) from exc
        except NotHtmlError as exc:
            raise PageRejected(item.url, "extract", str(exc)) from exc
        except Exception as exc:
            # A page that breaks the extractor is a finding to record, not a reason to
            # lose the page silently: keep the URL and the error for a later reparse.
            self.stats.inc_value("kazscraper/extract_errors")
            logger.exception("extractor error on %s", item.url)
            raise PageRejected(item.url, "extract", f"{type(exc).__name__}: {exc}") from exc


def extraction_pool(crawler: Crawler) -> ExtractWorkers | None:
    """The run's pool of extraction processes (``KAZSCRAPER_EXTRACT_WORKERS``), if it has
    one: the extract stage's, to which the reparse spider sends its captured pages."""
    engine = crawler.engine
    for pipeline in engine.scraper.itemproc.middlewares if engine is not None else ():
        if isinstance(pipeline, ExtractPipeline):
            return pipeline.pool
    return None
