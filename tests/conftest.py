"""Shared fixtures: saved pages, the seed expectations, a live replica on loopback."""

from __future__ import annotations

import atexit
import contextlib
import io
import itertools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads((FIXTURES / "seed" / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_page_text() -> str:
    return (FIXTURES / "seed" / "article-page.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_html() -> str:
    return (FIXTURES / "pages" / "qazdauiri-seed.html").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def small_site() -> ReplicaSite:
    return ReplicaSite(60)


@pytest.fixture(scope="session")
def replica(small_site: ReplicaSite) -> Iterator[ReplicaServer]:
    """A real HTTP replica (two loopback ports) for the whole session."""
    with ReplicaServer(small_site) as server:
        yield server


@pytest.fixture(scope="session")
def demo_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo archive of 60 articles (``kazscraper demo``), built once, read by many tests."""
    db = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    built = run_cli("demo", "--articles", "60", "--db", str(db))
    assert built.returncode == 0, built.stdout + built.stderr
    return db


def crawl_args(server: ReplicaServer, db: Path, *extra: str) -> list[str]:
    """``kazscraper crawl`` arguments for the replica ``server`` (both origins) into ``db``."""
    return [
        "crawl",
        "--start-url",
        server.origin + "/",
        "--mirror",
        server.mirror_origin,
        "--db",
        str(db),
        *extra,
    ]


def run_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run ``kazscraper ARGS`` in a process of its own (Scrapy's reactor runs once per
    process): forked from this test process's pre-imported ``kazscraper`` (tests/cli_zygote.py:
    a real process and exit, without a second of imports each time), or a fresh
    ``python -m kazscraper`` where the zygote cannot stand for one (another interpreter
    environment, ``KAZSCRAPER_TEST_FORK=0``)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    zygote = _zygote()
    if zygote is not None and zygote.serves(env):
        return zygote.run(list(args), env, timeout)
    return subprocess.run(
        [sys.executable, "-m", "kazscraper", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


class _Zygote:
    """This test process's pre-imported ``kazscraper`` server (tests/cli_zygote.py)."""

    # environment that decides how an interpreter starts: a command run with other values
    # than the zygote's gets a fresh interpreter
    STARTUP = ("PYTHON", "LANG", "LC_")

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="kzy-")
        self.path = os.path.join(self.folder, "s")
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.runs = itertools.count()
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("cli_zygote.py")), self.path],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=self.env,
        )
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"ready\n":
            self.process.kill()
            raise RuntimeError("tests/cli_zygote.py did not start")
        atexit.register(self.close)

    def startup_env(self, env: dict[str, str]) -> dict[str, str]:
        return {k: v for k, v in env.items() if k.startswith(self.STARTUP)}

    def serves(self, env: dict[str, str]) -> bool:
        return self.process.poll() is None and self.startup_env(env) == self.startup_env(self.env)

    def run(
        self, args: list[str], env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]:
        stem = os.path.join(self.folder, f"{os.getpid()}-{threading.get_ident()}-{next(self.runs)}")
        out, err = f"{stem}.out", f"{stem}.err"
        request = {"args": args, "cwd": os.getcwd(), "env": env, "stdout": out, "stderr": err}
        pid = None
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(timeout)
                conn.connect(self.path)
                conn.sendall(json.dumps(request).encode() + b"\n")
                with conn.makefile("rb") as replies:
                    try:
                        pid = _reply(replies, "pid")
                        code = _reply(replies, "code")
                    except TimeoutError:
                        if pid is not None:
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(pid, signal.SIGKILL)
                        raise subprocess.TimeoutExpired(
                            ["kazscraper", *args], timeout, _read(out), _read(err)
                        ) from None
            return subprocess.CompletedProcess(["kazscraper", *args], code, _read(out), _read(err))
        finally:
            for path in (out, err):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _reply(replies: io.BufferedReader, key: str) -> int:
    """The zygote handler's next reply (``{"pid": N}``, then ``{"code": N}``)."""
    line = replies.readline()
    if not line:
        raise RuntimeError(f"tests/cli_zygote.py: the handler ended without a {key}")
    return int(json.loads(line)[key])


def _read(path: str) -> str:
    """A command's output as ``subprocess.run(text=True)`` gives it (universal newlines);
    "" when the command never started (no file)."""
    try:
        with open(path, "rb") as raw:
            return io.TextIOWrapper(io.BytesIO(raw.read())).read()
    except FileNotFoundError:
        return ""


_ZYGOTE: list[_Zygote | None] = []


@pytest.fixture(scope="session", autouse=True)
def _cli_zygote() -> None:
    """Start the zygote before any test changes the environment it starts with."""
    _zygote()


def _zygote() -> _Zygote | None:
    """The zygote of this process, started at first use (``None``: turned off)."""
    if os.environ.get("KAZSCRAPER_TEST_FORK", "1") == "0":
        return None
    if not _ZYGOTE:
        _ZYGOTE.append(_Zygote())
    return _ZYGOTE[0]


def run_cli_here(*args: str) -> subprocess.CompletedProcess[str]:
    """``kazscraper ARGS`` in this process (click's runner), for a command that starts no
    crawl (a read command, a refusal by the option checks): as ``run_cli`` but without a
    new Python process. An exception that escapes the command is raised here (where the
    command's own process would have printed a traceback)."""
    from click.testing import CliRunner

    from kazscraper.cli import main

    done = CliRunner().invoke(main, list(args), prog_name="kazscraper")  # as __main__ names it
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return subprocess.CompletedProcess(
        ["kazscraper", *args], done.exit_code, done.stdout, done.stderr
    )


def stored_articles(db: Path) -> int:
    """Rows in ``articles`` now (0 while the file or the table does not exist yet)."""
    try:
        with closing(sqlite3.connect(db, timeout=5)) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def kill_crawl_after(
    server: ReplicaServer, db: Path, articles: int, timeout: float = 120, *extra: str
) -> None:
    """Crawl the replica ``server`` into ``db`` (``extra``: more ``crawl`` options) and kill -9
    the crawl once it has stored at least ``articles`` articles (a killed cron run)."""
    victim = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", *crawl_args(server, db, *extra)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while stored_articles(db) < articles:
            if time.monotonic() > deadline or victim.poll() is not None:
                raise AssertionError(f"the crawl did not store {articles} articles to be killed")
            time.sleep(0.05)
    finally:
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()


# The test files that take longest (sums of their tests' durations, measured on 2 cores):
# pytest-xdist hands out whole files (--dist loadfile) in collection order
# (--no-loadscope-reorder in pyproject.toml), so these start first and the two workers end
# together on the short files, instead of one worker running a long file alone at the end.
# Longest first; every other file follows in the usual order. A rough order is enough.
LONGEST_FILES = (
    "tests/test_scheduled_crawls.py",
    "tests/test_e2e_crawl.py",
    "tests/test_hostile_site.py",
    "tests/test_multisite_e2e.py",
    "tests/distributed/test_distributed_parts.py",
    "tests/test_decode_fast_path.py",
    "tests/test_realpages_gate.py",
    "tests/test_captures_index.py",
    "tests/test_hostile_round3.py",
    "tests/test_article_limit.py",
    "tests/test_archive_stress.py",
    "tests/test_reparse_safety.py",
    "tests/test_docs.py",
    "tests/test_left_behind.py",
    "tests/test_archive_folders.py",
    "tests/test_storage_faults.py",
    "tests/test_hostile_cli.py",
    "tests/test_datasette_browser.py",
    "tests/test_report.py",
    "tests/test_workers.py",
    "tests/test_hostile_input.py",
    "tests/test_cli.py",
    "tests/test_settings.py",
    "tests/test_theme_crawl_converges.py",
    "tests/test_redteam.py",
    "tests/test_offline_failure.py",
    "tests/distributed/test_distributed_hostile.py",
    "tests/test_themes_offline.py",
    "tests/test_faults.py",
    "tests/test_archive_owner.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first (``LONGEST_FILES``), each file's tests in their own order."""
    rank = {name: i for i, name in enumerate(LONGEST_FILES)}

    def key(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::", 1)[0], len(rank))

    items.sort(key=key)  # stable: the rest keep their order
