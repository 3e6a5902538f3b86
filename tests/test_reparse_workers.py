"""``kazscraper reparse --workers N`` (issue 22): each captured page's intake, links and
extraction in the extract pool's worker processes, in capture order. The rebuilt archive is
the one an in-process reparse builds, row for row; a page whose worker dies is a failure."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Awaitable
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from kazscraper.crawler.archive_files import archive_folder
from kazscraper.crawler.config import RUN_CONFIG, RunConfig
from kazscraper.crawler.pipelines.extract import ExtractPipeline
from kazscraper.crawler.pipelines.extract_pool import ExtractWorkers, PreparedCapture, WorkerDied
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.crawler.runner import reparse_workers
from kazscraper.crawler.spiders.reparse import ReparseSpider, may_leave_its_host
from kazscraper.items import PageItem
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from kazscraper.sites import Sites, get_profile
from kazscraper.warc.records import Capture
from kazscraper.warc.replay import StoredPage

from .conftest import crawl_args, run_cli

#: every table a reparse rebuilds, without the times a run stamps on its own rows
REBUILT = {
    "articles": "SELECT url, site, title, body, lead, published_date, published_at, date_raw, "
    "category, tags, image_url, views, language, word_count, content_hash, version, "
    "fetched_url, extraction, etag, near_duplicate_of IS NULL FROM articles ORDER BY url",
    "versions": "SELECT a.url, v.version, v.title, v.body FROM article_versions v "
    "JOIN articles a ON a.id = v.article_id ORDER BY 1, 2",
    "addresses": "SELECT u.url, a.url FROM article_urls u JOIN articles a ON a.id = u.article_id "
    "ORDER BY 1",
    "authors": "SELECT a.url, w.name FROM article_authors x JOIN articles a ON a.id = x.article_id "
    "JOIN authors w ON w.id = x.author_id ORDER BY 1, 2",
    "related": "SELECT a.url, r.* FROM related_links r JOIN articles a ON a.id = r.article_id "
    "ORDER BY 1, 2, 3, 4",
    "failures": "SELECT url, stage, reason FROM failures ORDER BY 1, 2",
}


def rebuilt(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in REBUILT.items()}


def copy_archive(db: Path, to: Path) -> Path:
    to.mkdir()
    shutil.copy(db, to / db.name)
    shutil.copytree(archive_folder(db), archive_folder(to / db.name))
    return to / db.name


@pytest.mark.slow  # two crawls and two reparses: about 15 s on a quiet machine
def test_a_reparse_in_worker_processes_rebuilds_what_one_process_rebuilds(tmp_path: Path) -> None:
    """A crawl, then a second one of an edited site (new versions, revisit records, aliases
    at the mirror): the archive rebuilt with 2 workers is the one rebuilt in-process."""
    db = tmp_path / "crawl" / "a.sqlite"
    with ReplicaServer(ReplicaSite(16)) as server:
        assert run_cli(*crawl_args(server, db)).returncode == 0
        server.use(ReplicaSite(16, edition=2))
        assert run_cli(*crawl_args(server, db, "--full")).returncode == 0
    results = {}
    for workers in ("0", "2"):
        copy = copy_archive(db, tmp_path / f"w{workers}")
        log = tmp_path / f"w{workers}.log"
        result = run_cli("reparse", "--db", str(copy), "--workers", workers, "--log-file", str(log))
        assert result.returncode == 0, result.stdout + result.stderr
        in_workers = f"'kazscraper/reparse/workers': {workers}" in log.read_text()
        assert in_workers is (workers != "0")
        results[workers] = rebuilt(copy)
    assert results["2"] == results["0"]
    assert all(results["2"][name] for name in ("articles", "versions", "addresses", "related"))
    crawled = rebuilt(db)
    for name in ("articles", "versions", "addresses"):
        assert results["2"][name] == crawled[name], name


def _capture(url: str) -> StoredPage:
    capture = Capture(url, 200, "2026-12-07T00:00:00+00:00", "response", "a.warc.gz", 0, 1, "d")
    return StoredPage(capture, [("Content-Type", "text/html")], b"<p>x</p>")


def test_a_page_whose_worker_died_twice_is_a_failure_row(tmp_path: Path) -> None:
    """The worker that reads a page dies on it twice: the page is a failure (stage
    extract, 'died'), not counted against the layout; a listing page is only logged."""
    profile = get_profile("qazdauiri")
    config = RunConfig(Sites.single(profile), mode="reparse", warc_dir=str(tmp_path))
    crawler = get_crawler(ReparseSpider, settings_dict={RUN_CONFIG: config})
    crawler.spider = spider = ReparseSpider.from_crawler(crawler)
    pipeline = ExtractPipeline(crawler)

    async def died() -> PreparedCapture:
        raise WorkerDied("the extraction worker process died on this page twice")

    async def item_of(url: str) -> object:
        page = _capture(url)
        claim = spider._claim(page)
        assert isinstance(claim, tuple)
        return await spider._item_of(page, claim, asyncio.ensure_future(died()))

    article, listing = asyncio.run(
        _both(item_of("https://qazdauiri.kz/news/x"), item_of("https://qazdauiri.kz/"))
    )
    assert listing is None
    assert isinstance(article, PreparedCapture)
    with pytest.raises(PageRejected) as rejected:
        pipeline._prepared(article)
    assert rejected.value.stage == "extract" and "died" in rejected.value.reason
    assert rejected.value.url == "https://qazdauiri.kz/news/x"
    assert crawler.stats.get_value("kazscraper/extracted") == 0
    assert crawler.stats.get_value("kazscraper/worker_deaths") == 1


async def _both(*jobs: Awaitable[object]) -> list[object]:
    return [await job for job in jobs]


class KillerBody(bytes):
    """A page body that kills the worker process unpickling it (as a crash in a C parser)."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return os._exit, (70,)


@pytest.mark.slow  # worker processes started five times: about 10 s on a loaded machine
def test_pages_prepared_in_a_worker_and_one_that_kills_it_alone(tmp_path: Path) -> None:
    """Three pages go to a worker in one call; the second kills its worker (twice): the
    call is tried page by page, and only that page is lost (``WorkerDied``)."""
    page = (
        "<html><body><article><h1 class='news-title'>Жаңалық</h1><div class='news-text'><p>"
        "Облыс әкімдігі жаңа аурухана құрылысының екінші кезеңін бастады.</p></div>"
        "<a href='https://image.qazdauiri.kz/news/y'>y</a></article></body></html>"
    ).encode()
    headers = [("Content-Type", "text/html; charset=utf-8")]
    profile = get_profile("qazdauiri")
    config = RunConfig(Sites.single(profile), mode="reparse", warc_dir=str(tmp_path))
    spider = ReparseSpider.from_crawler(
        get_crawler(ReparseSpider, settings_dict={RUN_CONFIG: config})
    )
    fetched_at = "2026-12-07T00:00:00+00:00"
    jobs = [
        ("https://qazdauiri.kz/news/x", headers, body, fetched_at, 200, "", True, 100)
        for body in (page, KillerBody(page), page)
    ]
    workers = ExtractWorkers(1, profile)
    try:

        async def batch() -> list[object]:
            loop = asyncio.get_running_loop()
            futures = [loop.create_future() for _ in jobs]
            await spider._prepare(workers, list(zip(jobs, futures, strict=True)))
            return [f.exception() or f.result() for f in futures]

        first, killed, last = asyncio.run(batch())
    finally:
        workers.close()
    assert isinstance(killed, WorkerDied)
    for prepared in (first, last):
        assert isinstance(prepared, PreparedCapture) and prepared.error is None
        assert prepared.article is not None and prepared.article.title == "Жаңалық"
        assert prepared.hrefs == ["https://image.qazdauiri.kz/news/y"]
        assert isinstance(prepared.page, PageItem) and prepared.page.html == ""  # left there


@pytest.mark.parametrize(
    ("href", "may"),
    [
        ("/news/x", False),
        ("news/x?a=1#b", False),
        ("//mirror.kz/news/x", True),
        ("/\t/mirror.kz/news/x", True),  # urllib drops the tab: //mirror.kz
        ("http://qazdauiri.kz/news/x", True),
        ("HTTPS:x", True),
    ],
)
def test_which_links_may_leave_their_pages_host(href: str, may: bool) -> None:
    assert may_leave_its_host(href) is may


def test_a_reparse_has_workers_by_default_only_when_they_pay() -> None:
    assert reparse_workers(10_000, cpus=2) == 2
    assert reparse_workers(10_000, cpus=1) == 0  # one core: the pool would only share it
    assert reparse_workers(60, cpus=2) == 0  # a small archive: their start-up costs more
    assert reparse_workers(10_000, cpus=64) == 8


class TwoPartError(Exception):
    """An error that pickles but does not unpickle (its ``__init__`` takes two arguments,
    its ``args`` hold one): as some libraries' exceptions are."""

    def __init__(self, stage: str, reason: str) -> None:
        super().__init__(f"{stage}: {reason}")


def test_an_extraction_error_that_does_not_unpickle_comes_back_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page's extraction error goes back from the worker pickled; one that pickles but
    does not load again (``_picklable`` checked only ``dumps``) broke the pool's result
    thread in the crawl process instead of becoming the page's failure row."""
    import pickle

    from kazscraper.crawler.pipelines import extract_pool

    def raising(*_: object) -> None:
        raise TwoPartError("body", "no container")

    monkeypatch.setattr(extract_pool, "extract_and_clean", raising)
    page = b"<html><body><h1>x</h1><p>Text.</p></body></html>"
    headers = [("Content-Type", "text/html; charset=utf-8")]
    url, fetched_at = "https://qazdauiri.kz/news/x", "2026-12-07T00:00:00+00:00"
    prepared = extract_pool.prepare_capture(url, headers, page, fetched_at, 200, "", True, 10)
    back = pickle.loads(pickle.dumps(prepared))  # what the pool sends to the crawl process
    assert isinstance(back.error, RuntimeError)
    assert str(back.error) == "TwoPartError: body: no container"
