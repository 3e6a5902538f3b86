"""The private internals ``kazscraper.compat_sink`` reads: these fail when they change."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from kazscraper.compat_sink import pool_processes, spawn_workers_up_front


def _square(n: int) -> int:
    return n * n


def test_the_pool_lists_its_live_worker_processes() -> None:
    pool = ProcessPoolExecutor(2, mp_context=get_context("forkserver"))
    try:
        assert hasattr(pool, "_processes")  # the internal pool_processes reads
        spawn_workers_up_front(pool)
        assert pool.submit(_square, 3).result(timeout=60) == 9
        processes = pool_processes(pool)
        assert len(processes) == 2 and all(p.is_alive() for p in processes)
    finally:
        pool.shutdown(wait=True)


def test_the_pool_still_has_the_flag_that_spawns_workers_on_demand() -> None:
    pool = ProcessPoolExecutor(1, mp_context=get_context("forkserver"))
    try:
        # CPython's flag: without it spawn_workers_up_front would set an unread attribute
        assert pool._safe_to_dynamically_spawn_children is True  # type: ignore[attr-defined]
        spawn_workers_up_front(pool)
        assert pool._safe_to_dynamically_spawn_children is False  # type: ignore[attr-defined]
    finally:
        pool.shutdown(wait=True)
