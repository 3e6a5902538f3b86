"""Extraction in worker processes (``crawl --workers``) survives a worker's death (issue 11,
item 12): the pool is replaced, the page tried once more alone, a page that kills the worker
again is a failure with its reason, and no page's HTML is ever logged."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from kazscraper.crawler.config import RUN_CONFIG, RunConfig
from kazscraper.crawler.log_format import CappedLogFormatter
from kazscraper.crawler.pipelines.extract import ExtractPipeline
from kazscraper.crawler.pipelines.extract_pool import ExtractWorkers, WorkerDied
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.items import Article, PageItem
from kazscraper.sites import Sites, get_profile

PROFILE = get_profile("qazdauiri")
# a one-site run of the qazdauiri profile, extraction in this process
ONE_SITE_RUN = {"KAZSCRAPER_EXTRACT_WORKERS": 0, RUN_CONFIG: RunConfig(Sites.single(PROFILE))}
PAGE = (
    "<html><head><title>Жаңалық</title></head><body><article><h1 class='news-title'>Жаңалық"
    "</h1><div class='news-text'><p>Облыс әкімдігі жаңа аурухана құрылысының екінші кезеңін "
    "бастады, нысан келесі жылы пайдалануға беріледі.</p></div></article></body></html>"
)


class KillerPage(str):
    """A page that kills the worker process that receives it (as a segfault in a C parser
    or the OOM killer would): unpickled in the worker, it calls ``os._exit``. The pool runs
    its real extraction function; only the page is deadly."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (70,)


KILLER = KillerPage(PAGE)


def run(workers: ExtractWorkers, *pages: str) -> list[Article | BaseException]:
    async def all_pages() -> list[Article | BaseException]:
        jobs = [
            workers.run(page, f"https://qazdauiri.kz/news/p{n}", "") for n, page in enumerate(pages)
        ]
        return await asyncio.gather(*jobs, return_exceptions=True)

    return asyncio.run(all_pages())


@pytest.fixture
def workers():
    pool = ExtractWorkers(2, PROFILE)
    yield pool
    pool.close()


def test_a_killed_worker_is_replaced_and_later_pages_are_extracted(
    workers: ExtractWorkers,
) -> None:
    assert isinstance(run(workers, PAGE)[0], Article)
    for process in workers.processes():  # the OOM killer strikes
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    results = run(workers, PAGE, PAGE, PAGE)
    assert all(isinstance(r, Article) and r.title == "Жаңалық" for r in results), results
    assert workers.replaced == 2  # each dead worker, by a fresh one


def test_a_page_that_kills_the_worker_twice_fails_alone(workers: ExtractWorkers) -> None:
    results = run(workers, PAGE, KILLER, PAGE, PAGE)
    died = results[1]
    assert isinstance(died, WorkerDied) and "died" in str(died)
    assert all(isinstance(r, Article) for n, r in enumerate(results) if n != 1), results
    assert isinstance(run(workers, PAGE)[0], Article)  # and the pool works on


def test_pages_larger_than_a_pipe_come_back_each_to_its_own_call(
    workers: ExtractWorkers,
) -> None:
    """The crawl writes a call as its worker's pipe drains (a page is larger than the pipe's
    64 KB buffer), each answer goes to the call that asked for it, and the crawl process
    has no thread more for it."""
    threads = threading.active_count()
    padding = "<div class='ad'>" + "ж" * 200_000 + "</div>"  # 400 KB of UTF-8
    pages = [PAGE.replace("Жаңалық", f"Жаңалық {n}").replace("</article>", padding + "</article>")
             for n in range(5)]  # fmt: skip
    results = run(workers, *pages)
    assert [getattr(r, "title", r) for r in results] == [f"Жаңалық {n}" for n in range(5)]
    assert workers.replaced == 0
    # the event loop's thread did it all: no helper thread (they took the GIL from it)
    assert threading.active_count() == threads


def test_a_page_item_is_logged_without_its_html() -> None:
    item = PageItem(url="https://qazdauiri.kz/news/x", html="<p>" + "ж" * 1_000_000)
    assert len(repr(item)) < 300 and "https://qazdauiri.kz/news/x" in repr(item)


def test_a_dropped_or_failed_item_is_logged_capped() -> None:
    formatter = CappedLogFormatter.from_crawler(get_crawler())
    huge = PageItem(url="https://qazdauiri.kz/news/x", html="x" * 1_000_000)
    drop = PageRejected(huge.url, "extract", "y" * 1_000_000)
    for entry in (
        formatter.dropped(huge, drop, None, None),
        formatter.item_error(huge, ValueError("z" * 1_000_000), None, None),
    ):
        message = entry["msg"] % entry["args"]
        assert len(message) < 5_000
        assert logging.getLevelName(entry["level"]) in ("WARNING", "ERROR", "DEBUG")


class Unprintable(PageItem):
    def __str__(self) -> str:
        raise AssertionError("made text for a line no handler writes")

    __repr__ = __str__


def test_a_scraped_item_is_made_text_only_for_a_log_that_writes_debug() -> None:
    formatter = CappedLogFormatter.from_crawler(get_crawler())
    item = Unprintable(url="https://qazdauiri.kz/news/x", html="x")
    scraper = logging.getLogger("scrapy.core.scraper")  # where Scrapy logs the line
    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO)  # as a crawl's log at INFO: the DEBUG line is dropped
    saved = scraper.level, scraper.propagate
    scraper.setLevel(logging.DEBUG)  # the logger passes it: the handler decides
    scraper.propagate = False  # this handler alone (not pytest's capture)
    scraper.addHandler(handler)
    try:
        assert formatter.scraped(item, None, None)["args"]["item"] is item  # type: ignore[index]
        handler.setLevel(logging.DEBUG)
        with pytest.raises(AssertionError, match="no handler writes"):
            formatter.scraped(item, None, None)
    finally:
        scraper.removeHandler(handler)
        scraper.level, scraper.propagate = saved


def test_a_page_whose_worker_died_is_a_failure_and_not_counted_against_the_layout() -> None:
    crawler = get_crawler(settings_dict=ONE_SITE_RUN)
    pipeline = ExtractPipeline.from_crawler(crawler)
    item = PageItem(url="https://qazdauiri.kz/news/x", html=PAGE)
    crawler.stats.inc_value("kazscraper/extracted")  # as process_item does first

    def died() -> Article:
        raise WorkerDied("the extraction worker process died on this page twice")

    with pytest.raises(PageRejected) as rejected:
        pipeline._finish(item, died)
    assert rejected.value.stage == "extract" and "died" in rejected.value.reason
    assert crawler.stats.get_value("kazscraper/extracted") == 0
    assert crawler.stats.get_value("kazscraper/worker_deaths") == 1


def test_a_pipeline_without_a_run_configuration_is_not_built() -> None:
    with pytest.raises(NotConfigured):
        ExtractPipeline.from_crawler(get_crawler(settings_dict={"KAZSCRAPER_EXTRACT_WORKERS": 0}))


def test_a_pipeline_reads_its_sites_from_the_run_configuration() -> None:
    """A pipeline built alone (no spider, as in a unit test) reads its sites from the run's
    configuration, so the per-site page count asks ``sites`` like the crawl does."""
    pipeline = ExtractPipeline.from_crawler(get_crawler(settings_dict=ONE_SITE_RUN))
    assert len(pipeline.sites) == 1
    assert pipeline.sites.first.label == get_profile("qazdauiri").label
    assert pipeline.profile_for("https://qazdauiri.kz/news/x").label == "qazdauiri"
