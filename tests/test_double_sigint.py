"""A double Ctrl-C (issue 21, item 13): Scrapy's second SIGINT stops the reactor at once,
so the engine never closes the spider and nothing wrote the run's ``crawls`` row: it stayed
``running`` for good. The run must end ``failed`` (exit 1, 'ended early'), the archive
consistent, and the next run must complete it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from .conftest import crawl_args, run_cli


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _wait_for(proc: subprocess.Popen[str], log: Path, text: str) -> None:
    while proc.poll() is None and text not in _text(log):
        time.sleep(0.02)


@pytest.mark.slow  # a crawl cut short and a second one to complete it: about 15 s
def test_a_double_sigint_ends_the_run_failed_and_the_next_run_completes_it(
    replica, small_site, tmp_path
) -> None:
    db = tmp_path / "a.sqlite"
    log = tmp_path / "crawl.log"
    debug = ("--log-file", str(log), "--log-level", "debug")  # 'Scraped from' is DEBUG
    proc = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", *crawl_args(replica, db), *debug],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        _wait_for(proc, log, "Scraped from")  # articles in the pipelines
        proc.send_signal(signal.SIGINT)
        _wait_for(proc, log, "shutting down gracefully")
        proc.send_signal(signal.SIGINT)  # the second: Scrapy stops the reactor at once
        _, stderr = proc.communicate(timeout=60)  # a hang guard, not a measure
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "forcing unclean shutdown" in _text(log)
    assert proc.returncode == 1, stderr
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        (status, reason, code, verdict), *_ = conn.execute(
            "SELECT status, finish_reason, exit_code, verdict FROM crawls ORDER BY id"
        ).fetchall()
    assert (status, code) == ("failed", 1)
    assert "forced" in reason and "ended early" in verdict

    result = run_cli(*crawl_args(replica, db))  # the next run completes the archive
    assert result.returncode == 0, result.stderr
    with closing(sqlite3.connect(db)) as conn:
        (articles,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        statuses = [s for (s,) in conn.execute("SELECT status FROM crawls ORDER BY id")]
    assert articles == len(small_site.articles)  # every article, once
    assert statuses == ["failed", "ok"]
