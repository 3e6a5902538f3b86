"""Hostile round 3 (issue 21): robots.txt that fails closed, over real HTTP to the replica."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kazscraper.replica.hostile_faults import PRIVATE_PREFIX
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite
from tests.test_hostile_site import Hostile

FAST_RETRY = {"KAZSCRAPER_RETRY_BACKOFF": 0.05}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    site = ReplicaSite(8)
    with ReplicaServer(site) as server:
        yield Hostile(site, server, tmp_path_factory.mktemp("round3"))


def _fetched(run: object) -> set[str]:
    return {u for (u,) in run.rows("SELECT url FROM captures")}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("mode", "options"),
    [
        ("robots-padded", {}),  # Disallow: /news/ + 11 MB of comments
        ("robots-trickle", {"timeout": 1.0}),  # Disallow: / past the download timeout
        ("503", {}),  # four times 503 (a try and three retries)
    ],
)
def test_an_unreadable_robots_txt_forbids_what_it_may_forbid(
    hostile: Hostile, mode: str, options: dict[str, float]
) -> None:
    hostile.faults = {"/robots.txt": mode}
    run = hostile.crawl(f"robots-{mode}", FAST_RETRY, **options)
    hostile.faults = {}
    private = {u for u in _fetched(run) if PRIVATE_PREFIX in u}
    assert private == set()
    assert run.rows("SELECT count(*) FROM articles") == [(0,)]
    assert run.exit_code == 1
    # the trickle ends as a timeout: the host gave no answer, which the reason says
    assert "robots.txt" in run.reason or "timed out" in run.reason, run.reason
    # said once, not once per request
    assert run.stderr.count("this run") == 1, run.stderr[-3000:]
