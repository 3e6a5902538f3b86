"""Private APIs of the standard library that the extraction process pool uses.

Each has no public equivalent on the versions we support; tests/test_compat_sink.py
fails when the internal it reads changes.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing.process import BaseProcess


def pool_processes(pool: ProcessPoolExecutor) -> list[BaseProcess]:
    """The live worker processes of ``pool`` (``ProcessPoolExecutor._processes``; Python
    3.14's ``kill_workers`` is the public way, not in 3.11)."""
    return list((getattr(pool, "_processes", None) or {}).values())


def spawn_workers_up_front(pool: ProcessPoolExecutor) -> None:
    """Make ``pool`` start every worker with its first task, none on demand later: a worker
    spawned while a broken pool is torn down is never stopped, and joining it hangs for ever
    (CPython 3.11); 'fork' pools always work this way (``_safe_to_dynamically_spawn_children``)."""
    pool._safe_to_dynamically_spawn_children = False  # type: ignore[attr-defined]
