"""Workers crawl several sites (``crawl --redis --site …``): the same sites reach every
worker (``news_spider_arguments``), each article is stored under its own site's label by the
one store, and the store judges each site's health apart."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from kazscraper.sites import host_label

from .helpers import IDLE_TIMEOUT, finish, start, start_store


def output(db: Path, name: str) -> str:
    return (db.parent / f"{name}.out").read_text(errors="replace")


@pytest.mark.slow
def test_two_workers_and_a_store_crawl_two_sites_into_one_archive(
    tmp_path: Path, redis_url: str
) -> None:
    with (
        ReplicaServer(ReplicaSite(30, seed=7)) as a,
        ReplicaServer(ReplicaSite(20, seed=8)) as b,
    ):
        db = tmp_path / "press.sqlite"
        sites = ["--site", f"qazdauiri={a.origin}/", "--site", f"{b.origin}/"]
        workers = [
            start(
                "crawl",
                "--redis",
                redis_url,
                "--worker-name",
                name,
                "--idle-timeout",
                IDLE_TIMEOUT,
                *sites,
                "--db",
                str(db),
                log=tmp_path / f"{name}.out",
            )
            for name in ("w1", "w2")
        ]
        store = start_store(db, redis_url)
        for name, process in zip(("w1", "w2"), workers, strict=True):
            assert finish(process) == 0, output(db, name)
        assert finish(store) == 0, output(db, "store")  # healthy: each site judged apart
    with sqlite3.connect(db) as conn:
        by_site = dict(conn.execute("SELECT site, count(*) FROM articles GROUP BY site"))
        assert by_site == {"qazdauiri": 30, host_label(b.origin): 20}
        twice = conn.execute(
            "SELECT url FROM captures WHERE url NOT LIKE '%/robots.txt' "
            "GROUP BY url HAVING count(*) > 1"
        ).fetchall()
        assert twice == []
        before = conn.execute("SELECT url, site, title, body FROM articles ORDER BY url").fetchall()
    # reparse reads each capture with its own site's profile: the workers published their
    # sites and the store wrote them into the crawls row (reparse once lost every article)
    rebuilt = subprocess.run(
        [sys.executable, "-m", "kazscraper", "reparse", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT url, site, title, body FROM articles ORDER BY url").fetchall()
    assert after == before
