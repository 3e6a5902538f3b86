"""A real Redis for the distributed tests: Debian's ``redis-server`` on a free loopback port.

The server runs in a temporary folder (no RDB snapshots, append-only file off) for the
session; each test gets it emptied (``FLUSHALL``). Without ``redis-server`` the tests are
skipped, saying why; with ``KAZSCRAPER_REQUIRE_REDIS=1`` (set by ``.ci/run``) they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

redis = pytest.importorskip("redis", reason="the 'distributed' extra (redis) is not installed")

START_TIMEOUT = 20.0  # seconds for redis-server to answer PING


@dataclass
class RedisServer:
    process: subprocess.Popen[bytes]
    port: int
    directory: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, db=0)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _executable() -> str:
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").exists() else None
    )
    if found:
        return found
    message = "redis-server is not installed (apt-get install redis-server)"
    if os.environ.get("KAZSCRAPER_REQUIRE_REDIS") == "1":
        pytest.fail(message + "; KAZSCRAPER_REQUIRE_REDIS=1 requires it")
    pytest.skip(message)


def start_redis(directory: Path, port: int | None = None, persistent: bool = False) -> RedisServer:
    """Start ``redis-server`` on a free loopback port (or ``port``), its files in
    ``directory``; ``persistent``: every write in the append-only file, synced (a server
    started again on the same folder has everything)."""
    executable = _executable()
    for _attempt in range(5):  # another process may take the free port first
        chosen = port or _free_port()
        process = subprocess.Popen(
            [
                executable,
                "--port", str(chosen),
                "--bind", "127.0.0.1",
                "--save", "",
                "--appendonly", "yes" if persistent else "no",
                "--appendfsync", "always",
                "--dir", str(directory),
                "--protected-mode", "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        server = RedisServer(process, chosen, directory)
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            try:
                if server.client().ping():
                    return server
            except redis.ConnectionError:
                time.sleep(0.05)
        process.kill()
        process.wait()
    raise RuntimeError("redis-server did not start")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = start_redis(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for this test."""
    client = redis_server.client()
    client.flushall()
    client.close()
    return redis_server.url


ROUND_ARTICLES = 400  # the replica of the rounds tests (test_distributed_e2e_rounds.py)


@pytest.fixture(scope="session")
def replicas() -> Iterator[Callable[[int], tuple[ReplicaSite, ReplicaServer]]]:
    """``replica(n)``: the replica of ``n`` articles, served over HTTP on 127.0.0.1; one
    site and one server per size for the whole test process (the tests only read it)."""
    running: dict[int, tuple[ReplicaSite, ReplicaServer]] = {}
    with ExitStack() as stack:

        def replica(n: int) -> tuple[ReplicaSite, ReplicaServer]:
            if n not in running:
                site = ReplicaSite(n)
                running[n] = (site, stack.enter_context(ReplicaServer(site)))
            return running[n]

        yield replica


@pytest.fixture
def site(replicas: Callable[[int], tuple[ReplicaSite, ReplicaServer]]) -> ReplicaSite:
    return replicas(ROUND_ARTICLES)[0]


@pytest.fixture
def server(replicas: Callable[[int], tuple[ReplicaSite, ReplicaServer]]) -> ReplicaServer:
    return replicas(ROUND_ARTICLES)[1]
