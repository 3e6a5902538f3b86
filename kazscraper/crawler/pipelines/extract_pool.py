"""The pool of extraction processes (``crawl``, ``reparse --workers``) that outlives its workers."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from scrapy.settings import Settings

from kazscraper.archive.neardup import sign_ahead
from kazscraper.clean.article import clean_article
from kazscraper.compat import pool_processes, spawn_workers_up_front
from kazscraper.extract.article import extract_article
from kazscraper.intake.links import anchor_hrefs
from kazscraper.intake.page import Refused, page_item
from kazscraper.items import Article, PageItem
from kazscraper.sites import SiteProfile, Sites

_worker_sites: Sites | None = None  # in a worker process: the crawl's sites
T = TypeVar("T")


def _start_worker(sites: Sites) -> None:
    global _worker_sites
    _worker_sites = sites
    # Ctrl-C reaches the whole process group: the crawl process stops the run (and its
    # pool); a worker that raised KeyboardInterrupt in a call would end the event loop
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def extract_and_clean(html: str, url: str, fetched_at: str, site: str = "") -> Article:
    """Extraction and cleaning of one page: what a worker process runs (picklable in and out).

    The sites' profiles are sent once, when the worker starts, not with every page; ``site``
    (the page's site label) picks the profile."""
    assert _worker_sites is not None, "worker started without a profile"
    profile = _worker_sites.profile_of(url, site)
    article = clean_article(extract_article(html, url, profile, fetched_at), profile)
    sign_ahead(article)  # the archive's near-duplicate signature, made here, not by the writer
    return article


def extract_workers(settings: Settings) -> int:
    """Extraction processes of the run (``KAZSCRAPER_EXTRACT_WORKERS``, ``crawl --workers``).

    With workers, each page is extracted and cleaned in one worker call (the second core
    does both); the clean stage, which reads the same setting, then only counts."""
    return settings.getint("KAZSCRAPER_EXTRACT_WORKERS", 0)


class WorkerDied(Exception):
    """The extraction worker process died (killed, crashed) on this page, twice."""


class ExtractWorkers:
    """A pool of extraction processes that outlives its workers.

    A worker that dies (a crash in a C parser, the OOM killer) breaks Python's whole pool:
    every page in flight fails with ``BrokenProcessPool`` and so would every later one. The
    broken pool is replaced at once and each of those pages is tried once more, alone, in a
    one-process pool: a bystander succeeds, and a page that kills that worker too raises
    ``WorkerDied``, which becomes a failure row; the other pages go on.
    """

    def __init__(self, workers: int, profile: SiteProfile | Sites) -> None:
        self.workers = workers
        self.sites = profile if isinstance(profile, Sites) else Sites.single(profile)
        self.pool = self._new_pool(workers)
        self.alone: ProcessPoolExecutor | None = None  # the one-process pool for second tries
        self._alone_lock: asyncio.Lock | None = None
        self.replaced = 0  # broken pools replaced

    def _new_pool(self, workers: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            workers,
            mp_context=get_context("forkserver"),
            initializer=_start_worker,
            initargs=(self.sites,),
        )
        spawn_workers_up_front(pool)
        return pool

    @staticmethod
    def _discard(pool: ProcessPoolExecutor) -> None:
        """Stop a broken pool without blocking the crawl: kill what is left of it."""
        for process in pool_processes(pool):
            process.kill()
        pool.shutdown(wait=False)

    async def run(self, html: str, url: str, fetched_at: str, site: str = "") -> Article:
        args = (html, url, fetched_at, site) if site else (html, url, fetched_at)
        return await self.call(extract_and_clean, *args)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker process (a module-level function: the crawl's
        ``extract_and_clean``, reparse's ``prepare_capture``), tried once more alone when
        its worker dies, else ``WorkerDied``."""
        pool = self.pool
        try:
            return await asyncio.wrap_future(pool.submit(function, *args))
        except BrokenProcessPool:
            if self.pool is pool:  # the first page to see it replaces it, for every page
                self.pool = self._new_pool(self.workers)
                self.replaced += 1
                self._discard(pool)
        if self._alone_lock is None:
            self._alone_lock = asyncio.Lock()
        async with self._alone_lock:
            if self.alone is None:
                self.alone = self._new_pool(1)
            try:
                future = self.alone.submit(function, *args)
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                self._discard(self.alone)
                self.alone = None
                raise WorkerDied(
                    "the extraction worker process died on this page twice "
                    "(crashed or killed); not extracted"
                ) from None

    def cpu_seconds(self) -> float:
        """User and system CPU seconds of the live worker processes so far (Linux's
        ``/proc``; 0 elsewhere): a benchmark's figure, as the crawl process's own."""
        ticks = 0
        for pool in (self.pool, self.alone):
            for process in pool_processes(pool) if pool is not None else ():
                try:
                    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1]
                    ticks += sum(int(n) for n in fields.split()[11:13])  # utime, stime
                except (OSError, ValueError, IndexError):
                    continue
        return ticks / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 0.0

    def peak_rss_mb(self) -> float:
        """The largest peak RSS of the live worker processes (``/proc``'s VmHWM; 0
        elsewhere): with the crawl process's own, the run's memory."""
        peak = 0
        for pool in (self.pool, self.alone):
            for process in pool_processes(pool) if pool is not None else ():
                try:
                    status = Path(f"/proc/{process.pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def close(self) -> None:
        for pool in (self.pool, self.alone):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self.alone = None


@dataclass
class PreparedCapture:
    """What a worker made of one captured page for ``kazscraper reparse``: the intake's
    ``PageItem`` (its HTML left in the worker) or its refusal, the article extracted and
    cleaned from it (or the extraction's error), and the page's links.

    It is the item the reparse spider yields for an article page; the extract stage counts
    it as a page and takes its article (or its error) as if it had extracted it."""

    page: PageItem | Refused
    article: Article | None = None
    error: BaseException | None = None
    hrefs: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.page.url

    def __repr__(self) -> str:  # in log lines: never the whole record
        return f"PreparedCapture(url={self.url!r})"


def prepare_capture(
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
    fetched_at: str,
    status: int,
    site: str,
    extract: bool,
    link_limit: int,
) -> PreparedCapture:
    """One captured page through the intake, its links read and (``extract``: an article
    page) extracted and cleaned, in a worker process: what the reparse spider and the
    extract and clean stages do in the crawl process without workers."""
    page = page_item(url, headers, body, fetched_at, status)
    if isinstance(page, Refused):
        return PreparedCapture(page)
    page.site = site
    prepared = PreparedCapture(page, hrefs=anchor_hrefs(page.html, link_limit))
    if extract:
        try:
            prepared.article = extract_and_clean(page.html, url, fetched_at, site)
        except Exception as exc:  # the extract stage makes it a failure row, with its reason
            prepared.error = _picklable(exc)
    page.html = ""  # not sent back: the article is what the pipelines need
    return prepared


def prepare_captures(jobs: list[tuple[Any, ...]]) -> list[PreparedCapture]:
    """``prepare_capture`` of several pages, in one call to a worker."""
    return [prepare_capture(*job) for job in jobs]


def _picklable(exc: Exception) -> Exception:
    """``exc``, or a ``RuntimeError`` naming it when it cannot go back to the crawl process
    (it does not pickle, or does not load again: an ``__init__`` its ``args`` do not fit)."""
    try:
        pickle.loads(pickle.dumps(exc))  # a trusted round trip: our own worker's object
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc
