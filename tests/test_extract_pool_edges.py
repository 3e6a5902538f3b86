"""The extraction pool read by the event loop: calls that must end (an error a future
refuses, a worker that cannot be replaced, the pool closed under them) and two pages that
go to two idle workers (found by the review of branch workers4)."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from kazscraper.crawler.pipelines.extract_pool import ExtractWorkers
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")


@pytest.fixture
def workers():
    pool = ExtractWorkers(2, PROFILE)
    yield pool
    pool.close()


def test_two_pages_in_flight_run_on_two_idle_workers(workers: ExtractWorkers) -> None:
    async def two() -> list[int]:
        await asyncio.gather(*(workers.call(os.getpid) for _ in range(4)))  # both started
        return list(await asyncio.gather(workers.call(os.getpid), workers.call(os.getpid)))

    pids = asyncio.run(two())
    assert len(set(pids)) == 2, pids


def test_a_call_that_raises_stopiteration_fails_and_does_not_hang(
    workers: ExtractWorkers,
) -> None:
    async def stop() -> tuple[bool, object]:
        task = asyncio.ensure_future(workers.call(next, iter(())))  # StopIteration
        # the worker answers, the loop reads the answer (the worker has no call left)
        for _ in range(2000):
            await asyncio.sleep(0.005)
            if workers._workers and not any(w.calls for w in workers._workers):
                break
        done = task.done()
        outcome = task.exception() if done else None
        task.cancel()
        return done, outcome

    done, outcome = asyncio.run(stop())
    assert done, "the call's answer was read, yet its future is not done"
    assert isinstance(outcome, Exception)


def test_close_ends_a_call_in_flight(workers: ExtractWorkers) -> None:
    async def in_flight() -> bool:
        task = asyncio.ensure_future(workers.call(time.sleep, 0.2))
        await asyncio.sleep(0)  # written to its worker
        assert workers._workers[0].calls or workers._workers[1].calls
        workers.close()  # returns once the workers have ended
        for _ in range(10):
            await asyncio.sleep(0)
        done = task.done()
        task.cancel()
        return done

    assert asyncio.run(in_flight())


def test_a_call_whose_worker_cannot_be_replaced_fails_and_does_not_hang() -> None:
    resource = pytest.importorskip("resource")
    pool = ExtractWorkers(1, PROFILE)

    async def in_flight() -> bool:
        await pool.call(os.getpid)  # the worker started
        task = asyncio.ensure_future(pool.call(time.sleep, 0.2))
        await asyncio.sleep(0)  # written to its worker
        (process,) = pool.processes()
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")), hard))
        try:  # no descriptor left for a new worker's pipes
            assert process.pid is not None
            os.kill(process.pid, signal.SIGKILL)
            process.join()
            for _ in range(50):  # the loop sees the death
                await asyncio.sleep(0.01)
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        done = task.done()
        task.cancel()
        return done

    try:
        assert asyncio.run(in_flight())
    finally:
        pool.close()


def _die_at_start() -> None:
    os._exit(3)


class _SitesThatKillTheWorker:
    """What a worker unpickles as it starts, and dies of (a broken installation)."""

    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_die_at_start, ())


def test_workers_that_die_at_start_are_not_started_for_ever() -> None:
    """Each dead worker was replaced, each page costing two process starts and ending as
    "died on this page twice", for ever; after ``FRUITLESS_DEATHS`` workers in a row died
    answering nothing, the pool starts no more and runs each call in the crawl process."""
    from kazscraper.crawler.pipelines.extract_pool import FRUITLESS_DEATHS, WorkerDied

    pool = ExtractWorkers(2, PROFILE)
    pool.sites = _SitesThatKillTheWorker()  # type: ignore[assignment]

    async def pages(n: int) -> list[object]:
        return await asyncio.gather(
            *(pool.call(os.getpid) for _ in range(n)), return_exceptions=True
        )

    try:
        first = asyncio.run(pages(20))
        assert all(isinstance(o, WorkerDied) or o == os.getpid() for o in first), first
        assert first.count(os.getpid()) >= 20 - FRUITLESS_DEATHS // 2
        assert pool.replaced <= FRUITLESS_DEATHS
        started = pool.replaced
        assert asyncio.run(pages(5)) == [os.getpid()] * 5  # here, at once
        assert pool.replaced == started and pool.processes() == []
    finally:
        pool.close()
