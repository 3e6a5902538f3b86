"""The pool of extraction processes (``crawl``, ``reparse --workers``) that outlives its workers."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, TypeVar

from scrapy.settings import Settings

from kazscraper.archive.neardup import sign_ahead
from kazscraper.clean.article import clean_article
from kazscraper.extract.article import extract_article
from kazscraper.intake.links import anchor_hrefs
from kazscraper.intake.page import Refused, page_item
from kazscraper.items import Article, PageItem
from kazscraper.sites import SiteProfile, Sites

logger = logging.getLogger(__name__)

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


_HEADER = 8  # a frame: its length (8 bytes, big-endian), then a pickle
_DEPTH = 2  # calls given to a worker at a time
# workers in a row that died before answering any call (a broken installation, a memory
# limit that kills each at start): the pool starts no more and runs each call in the crawl
# process, not two process starts a page (and a failure row) for ever
FRUITLESS_DEATHS = 8


def _frame(obj: object) -> bytes:
    payload = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_HEADER, "big") + payload


def _read_exactly(fd: int, n: int) -> bytes | None:
    """``n`` bytes read from ``fd`` (blocking), or None at its end (the crawl closed it)."""
    parts = bytearray()
    while len(parts) < n:
        chunk = os.read(fd, min(n - len(parts), 1 << 20))
        if not chunk:
            return None
        parts += chunk
    return bytes(parts)


def _serve(tasks: Any, results: Any, sites: Sites) -> None:
    """A worker process: calls read from its own pipe, one at a time, each answered on its
    own pipe as ``(True, value)`` or ``(False, exception)``; it ends when the crawl closes
    its end of the tasks' pipe."""
    _start_worker(sites)
    task_fd, result_fd = tasks.fileno(), results.fileno()
    while (header := _read_exactly(task_fd, _HEADER)) is not None:
        payload = _read_exactly(task_fd, int.from_bytes(header, "big"))
        if payload is None:
            return
        try:
            function, args = pickle.loads(payload)  # a trusted pipe: the crawl's own call
            answer: tuple[bool, Any] = (True, function(*args))
        except Exception as exc:
            answer = (False, exc)
        try:
            frame = _frame(answer)
        except Exception as exc:  # a result or an error that does not pickle
            frame = _frame((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        view = memoryview(frame)
        try:
            while view:
                view = view[os.write(result_fd, view) :]
        except BrokenPipeError:  # the crawl closed the pool while this call ran
            return


@dataclass(eq=False)
class _Call:
    """A call waiting for a worker, or on one: its pickled frame and the deaths it saw."""

    frame: bytes
    future: asyncio.Future[Any]
    deaths: int = 0


class _Worker:
    """One worker process and the crawl's ends of its two pipes (non-blocking)."""

    def __init__(self, sites: Sites) -> None:
        context = get_context("forkserver")
        task_r, task_w = context.Pipe(duplex=False)
        result_r, result_w = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve, args=(task_r, result_w, sites), daemon=True, name="kazscraper-extract"
        )
        self.process.start()
        task_r.close()  # the worker's ends: a dead worker's pipes then break at once
        result_w.close()
        self._task_conn, self._result_conn = task_w, result_r  # they own the descriptors
        self.task_fd, self.result_fd = task_w.fileno(), result_r.fileno()
        os.set_blocking(self.task_fd, False)
        os.set_blocking(self.result_fd, False)
        self.sentinel = self.process.sentinel
        self.calls: deque[_Call] = deque()  # the calls given to it, the one it runs first
        self.unsent = bytearray()  # what of their frames is not written yet
        self.received = bytearray()
        self.answered = 0  # calls it answered
        self.loop: asyncio.AbstractEventLoop | None = None  # where its descriptors are watched

    def close(self) -> None:
        self._task_conn.close()
        self._result_conn.close()


class ExtractWorkers:
    """A pool of extraction processes that outlives its workers, read by the event loop.

    Each worker has its own pair of pipes; the crawl's thread writes a call to an idle
    worker (non-blocking: a page larger than the pipe's buffer is written as the pipe
    drains) and reads the answer when the loop says it is readable. No helper thread in the
    crawl process (``concurrent.futures``' feeder and manager threads took the GIL from the
    reactor), and a worker's death is known by the worker: its call alone is tried again,
    on a fresh worker that replaces it; a call that kills a second worker raises
    ``WorkerDied`` (a failure row), and the other calls go on.
    """

    def __init__(self, workers: int, profile: SiteProfile | Sites) -> None:
        self.workers = workers
        self.sites = profile if isinstance(profile, Sites) else Sites.single(profile)
        self._workers: list[_Worker] = []  # started with the first call
        self._waiting: deque[_Call] = deque()
        self.replaced = 0  # dead workers replaced
        self._closed = False
        self._fruitless = 0  # workers in a row that died before answering a call
        self._broken = ""  # why the pool starts no more workers

    def processes(self) -> list[BaseProcess]:
        """The worker processes (a test kills them)."""
        return [worker.process for worker in self._workers]

    async def run(self, html: str, url: str, fetched_at: str, site: str = "") -> Article:
        args = (html, url, fetched_at, site) if site else (html, url, fetched_at)
        return await self.call(extract_and_clean, *args)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """``function(*args)`` in a worker process (a module-level function: the crawl's
        ``extract_and_clean``, reparse's ``prepare_capture``), tried once more on a fresh
        worker when its worker dies, else ``WorkerDied``. A call that does not pickle raises
        its error here."""
        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        if self._broken and not self._workers:
            return self._in_process(function, args)
        loop = asyncio.get_running_loop()
        call = _Call(_frame((function, args)), loop.create_future())
        if not self._workers:  # a run that extracts nothing (incremental) starts none
            started: list[_Worker] = []
            try:
                while len(started) < self.workers:
                    started.append(_Worker(self.sites))
            except BaseException:
                for worker in started:  # no process left behind (then the error is the call's)
                    self._stop(worker)
                raise
            self._workers = started
        self._waiting.append(call)
        self._dispatch(loop)
        result: T = await call.future
        return result

    # -- the event loop's side -----------------------------------------------------------

    def _watch(self, worker: _Worker, loop: asyncio.AbstractEventLoop) -> None:
        """The worker's answers and its death watched by ``loop`` (the running one: a test
        runs several loops in turn)."""
        if worker.loop is loop:
            return
        self._unwatch(worker)
        loop.add_reader(worker.result_fd, self._readable, worker)
        loop.add_reader(worker.sentinel, self._died, worker)
        worker.loop = loop

    @staticmethod
    def _unwatch(worker: _Worker) -> None:
        loop, worker.loop = worker.loop, None
        if loop is None or loop.is_closed():
            return
        loop.remove_reader(worker.result_fd)
        loop.remove_reader(worker.sentinel)
        loop.remove_writer(worker.task_fd)

    def _dispatch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Waiting calls to workers: one to each idle worker first, then a second to each
        (the next is in its pipe while it runs one, so it does not wait for this thread
        between pages)."""
        for depth in range(1, _DEPTH + 1):
            for worker in list(self._workers):
                if not self._waiting:
                    return
                if worker.loop is not loop:
                    self._watch(worker, loop)
                while len(worker.calls) < depth and self._waiting and worker in self._workers:
                    call = self._waiting.popleft()
                    if call.future.done():  # cancelled while it waited
                        continue
                    worker.calls.append(call)
                    start = not worker.unsent
                    worker.unsent += call.frame
                    if start:
                        self._write(worker)

    def _write(self, worker: _Worker) -> None:
        if worker.loop is None or worker not in self._workers:
            return
        try:
            written = os.write(worker.task_fd, worker.unsent)
        except BlockingIOError:
            written = 0
        except OSError:  # the worker is gone: its sentinel says so, or will
            worker.loop.remove_writer(worker.task_fd)
            self._died(worker)
            return
        del worker.unsent[:written]
        if worker.unsent:
            worker.loop.add_writer(worker.task_fd, self._write, worker)
        else:
            worker.loop.remove_writer(worker.task_fd)

    def _readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.result_fd, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:  # the worker's end closed: it died
            self._died(worker)
            return
        received = worker.received
        received += chunk
        while len(received) >= _HEADER:  # every answer in: two may come in one read
            size = int.from_bytes(received[:_HEADER], "big")
            if len(received) < _HEADER + size:
                return
            payload = bytes(received[_HEADER : _HEADER + size])
            del received[: _HEADER + size]
            call = worker.calls.popleft() if worker.calls else None
            worker.answered += 1
            self._fruitless = 0
            if call is not None and not call.future.done():
                try:
                    ok, value = pickle.loads(payload)  # a trusted pipe: our own worker's answer
                except Exception as exc:  # an error that does not load again
                    ok, value = False, RuntimeError(f"{type(exc).__name__}: {exc}")
                if ok:
                    call.future.set_result(value)
                else:
                    _fail(call, value)
            if worker.loop is not None:
                self._dispatch(worker.loop)
            if worker not in self._workers:  # it died as it was given the next call
                return

    def _died(self, worker: _Worker) -> None:
        """A worker died (its sentinel, the end of its pipe, a broken write): a fresh one
        replaces it and its call is tried once more, or fails as ``WorkerDied``."""
        if worker not in self._workers:
            return  # already replaced (seen by its sentinel and its pipe both)
        loop = worker.loop
        self._stop(worker)
        if not worker.answered:
            self._fruitless += 1
        # it runs its calls in order: the first unanswered one is the one it died on; the
        # others were never read, and go back as they were
        calls = list(worker.calls)
        worker.calls.clear()
        self._waiting.extendleft(reversed([c for c in calls[1:] if not c.future.done()]))
        if calls and not calls[0].future.done():
            call = calls[0]
            call.deaths += 1
            if call.deaths < 2:
                self._waiting.appendleft(call)
            else:
                _fail(
                    call,
                    WorkerDied(
                        "the extraction worker process died on this page twice "
                        "(crashed or killed); not extracted"
                    ),
                )
        if self._fruitless >= FRUITLESS_DEATHS:
            self._broken = (
                f"{self._fruitless} extraction worker processes in a row died before "
                "answering any call (a broken installation? a memory limit?); no more are "
                "started, the pages are extracted in the crawl process"
            )
            logger.error("%s", self._broken)
        else:
            try:
                fresh = _Worker(self.sites)
            except Exception as exc:  # no process or descriptor to be had (EMFILE, EAGAIN)
                self._broken = (
                    f"no extraction worker process could replace a dead one ({exc}); the "
                    "pages are extracted by the others, or in the crawl process"
                )
                logger.error("%s", self._broken)
            else:
                self._workers[self._workers.index(worker)] = fresh
                self.replaced += 1
        if self._broken:
            self._workers.remove(worker)
            if not self._workers:  # none left: the calls run here, none waits
                waiting, self._waiting = self._waiting, deque()
                for call in waiting:
                    if call.future.done():
                        continue
                    try:
                        function, args = pickle.loads(call.frame[_HEADER:])  # our own frame
                        call.future.set_result(self._in_process(function, args))
                    except Exception as exc:
                        _fail(call, exc)
        if loop is not None and not loop.is_closed():
            self._dispatch(loop)

    def _in_process(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        """``function(*args)`` in the crawl process, as a worker would run it (the pool
        could keep no worker alive)."""
        global _worker_sites
        if _worker_sites is None:
            _worker_sites = self.sites
        return function(*args)

    def _stop(self, worker: _Worker) -> None:
        """A worker's descriptors unwatched and closed, its process ended (no orphan)."""
        self._unwatch(worker)
        worker.close()
        worker.process.join(timeout=5)  # dead: its sentinel is ready, or soon
        if worker.process.is_alive():  # its pipe broke, yet it lives
            worker.process.kill()
            worker.process.join()

    # -- figures and the end -------------------------------------------------------------

    def cpu_seconds(self) -> float:
        """User and system CPU seconds of the live worker processes so far (Linux's
        ``/proc``; 0 elsewhere): a benchmark's figure, as the crawl process's own."""
        ticks = 0
        for process in self.processes():
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
        for process in self.processes():
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        return peak / 1024

    def close(self) -> None:
        """Stop the workers: each reads the end of its pipe and exits (killed if it does not
        within seconds); calls still waiting are cancelled. No process is left behind."""
        self._closed = True
        in_flight = [call for worker in self._workers for call in worker.calls]
        for call in [*self._waiting, *in_flight]:
            if not call.future.done() and not call.future.get_loop().is_closed():
                call.future.cancel()
        self._waiting.clear()
        for worker in self._workers:
            self._unwatch(worker)
            worker.close()
        for worker in self._workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()


def _fail(call: _Call, error: BaseException) -> None:
    """``call`` fails with ``error``; one a future refuses (``StopIteration``, which
    ``set_exception`` turns into a ``TypeError`` raised here) as a ``RuntimeError`` naming
    it: a call always ends, so its page ends as an article or a failure row."""
    try:
        call.future.set_exception(error)
    except TypeError:
        call.future.set_exception(RuntimeError(f"{type(error).__name__}: {error}"))


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
