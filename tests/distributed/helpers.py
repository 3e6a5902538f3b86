"""Running workers and the store as separate processes (as on many machines)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from kazscraper.replica.server import ReplicaServer

IDLE_TIMEOUT = "3"  # seconds the frontier must stay empty before a worker ends
WORKERS = ("w1", "w2", "w3")


def worker_args(
    server: ReplicaServer, db: Path, redis_url: str, name: str, *extra: str
) -> list[str]:
    return [
        "crawl",
        "--redis", redis_url,
        "--worker-name", name,
        "--idle-timeout", IDLE_TIMEOUT,
        "--start-url", server.origin + "/",
        "--mirror", server.mirror_origin,
        "--db", str(db),
        *extra,
    ]  # fmt: skip


def start(*args: str, log: Path) -> subprocess.Popen[bytes]:
    """``kazscraper ARGS`` in its own process, its output in ``log``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "kazscraper", *args], stdout=out, stderr=out, env=env
        )


def start_worker(
    server: ReplicaServer, db: Path, redis_url: str, name: str, *extra: str
) -> subprocess.Popen[bytes]:
    return start(*worker_args(server, db, redis_url, name, *extra), log=db.parent / f"{name}.out")


def start_store(db: Path, redis_url: str, *extra: str) -> subprocess.Popen[bytes]:
    return start(
        "store", "--redis", redis_url, "--db", str(db), *extra, log=db.parent / "store.out"
    )


# finish and wait_for bound a hung process, they assert no duration: at load 19 a
# 2,000-article crawl had not stored 666 articles in 180 s
def finish(process: subprocess.Popen[bytes], timeout: float = 900) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise


def kill9(process: subprocess.Popen[bytes]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def count(db: Path, sql: str) -> int:
    """A count from the archive now (0 while it does not exist yet)."""
    try:
        with closing(sqlite3.connect(db, timeout=5)) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.Error:
        return 0


def wait_for(db: Path, sql: str, at_least: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while count(db, sql) < at_least:
        if time.monotonic() > deadline:
            raise AssertionError(f"{sql!r} did not reach {at_least}")
        time.sleep(0.05)


def output(db: Path, name: str) -> str:
    path = db.parent / f"{name}.out"
    return path.read_text(errors="replace") if path.exists() else ""


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, params).fetchall()
