"""A link trap: article pages that each link thousands of fresh article URLs, forever.

``KAZSCRAPER_MAX_ARTICLES_PER_RUN`` bounds the article requests of a run; past it
discovery stops as with ``--max-articles``, and the run still accounts for every URL it
scheduled. Real HTTP against the replica (its ``link-trap`` fault), real archives on disk;
the subprocess timeout is a hang guard only (without the bound the crawl never ends).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kazscraper.crawler.archive_files import log_directory
from kazscraper.replica.faults import TRAP_PREFIX
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from tests.test_hostile_site import _RUN, Run, assert_scheduled_articles_accounted_for

HANG_GUARD = 120  # seconds: a crawl that would never end fails the test, not CI
LIMIT = 30


@pytest.fixture(scope="module")
def small() -> Iterator[ReplicaServer]:
    with ReplicaServer(ReplicaSite(10)) as server:
        yield server


def crawl(server: ReplicaServer, db: Path, settings: dict[str, Any]) -> Run:
    arguments = {
        "db_path": str(db),
        "site": "qazdauiri",
        "start_url": server.origin + "/",
        "mirrors": [server.mirror_origin],
        "timeout": 5.0,
        "revisit_days": 0,  # the replica's articles are old: nothing is revisited
        "settings": settings,
    }
    done = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(arguments)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Run(
        result["exit_code"], result["reason"], result["stats"], done.stderr, db, server.origin
    )


def article_requests(run: Run) -> list[str]:
    """Article URLs fetched (one capture each: nothing here is retried or revisited)."""
    return [
        u
        for (u,) in run.rows(
            "SELECT url FROM captures WHERE url LIKE ? ORDER BY id", run.origin + "/news/%"
        )
    ]


def test_a_link_trap_ends_at_the_article_limit(small: ReplicaServer, tmp_path: Path) -> None:
    site = small.site
    small.set_faults({site.articles[0].path: "link-trap"})  # the seed, linked from home
    try:
        run = crawl(small, tmp_path / "trap.sqlite", {"KAZSCRAPER_MAX_ARTICLES_PER_RUN": LIMIT})
    finally:
        small.set_faults({})
    assert run.exit_code == 0, run.reason  # the limit is no failure: the crawl finished
    asked = article_requests(run)
    assert len(asked) == len(set(asked)) <= LIMIT
    # the site has 10 articles: most of the requests went into the trap, then it stopped
    assert sum(TRAP_PREFIX in u for u in asked) >= LIMIT - len(site.articles)
    assert run.stats.get("kazscraper/article_limit_reached") == 1
    (log,) = log_directory(tmp_path / "trap.sqlite").glob("*.log")
    warning = "WARNING: article limit reached (30 requests, KAZSCRAPER_MAX_ARTICLES_PER_RUN)"
    assert warning in log.read_text(encoding="utf-8")
    assert run.stats.get("kazscraper/scheduled_articles", 0) <= LIMIT
    assert run.stats.get("kazscraper/unaccounted") == 0
    assert_scheduled_articles_accounted_for(run)


def test_the_next_run_goes_on_where_the_limit_stopped(small: ReplicaServer, tmp_path: Path) -> None:
    db = tmp_path / "runs.sqlite"
    fetched: list[str] = []
    reached = []
    for limit in (6, 6):  # 6, then the last 4 of the site's 10
        run = crawl(small, db, {"KAZSCRAPER_MAX_ARTICLES_PER_RUN": limit})
        assert run.exit_code == 0, run.reason
        assert_scheduled_articles_accounted_for(run)
        new = article_requests(run)[len(fetched) :]
        assert len(new) <= limit
        fetched += new
        reached.append(run.stats.get("kazscraper/article_limit_reached"))
    assert reached == [1, None]  # the 4 left fit in the second run
    assert len(fetched) == len(set(fetched))  # an archived article is never asked for again
    stored = {u for (u,) in run.rows("SELECT url FROM article_urls")}
    assert {small.origin + a.path for a in small.site.articles} <= stored
