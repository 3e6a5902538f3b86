"""End to end with a real redis-server, as issue 14 asks: 3 workers and 1 store crawl a
replica of 2,000 articles over real HTTP into one archive; one worker and the store are
killed (-9) halfway and started again; the archive completes with every article once.
The parts of the mode that a crawl shows are in test_distributed_e2e_rounds.py."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from warcio.archiveiterator import ArchiveIterator

from kazscraper.crawler.archive_files import warc_directory
from kazscraper.distributed import RedisKeys, serializer
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import RedisServer
from .helpers import (
    WORKERS,
    count,
    finish,
    kill9,
    output,
    rows,
    start_store,
    start_worker,
    wait_for,
)

ARTICLES = 2000  # the replica (bench/distributed.py crawls the same size)


def assert_every_article_once(db: Path, site: ReplicaSite, server: ReplicaServer) -> None:
    urls = [r[0] for r in rows(db, "SELECT url FROM articles")]
    assert len(urls) == len(set(urls)) == site.n_articles
    ids = dict(rows(db, "SELECT url, article_id FROM article_urls"))
    stored = {ids.get(server.origin + a.path) for a in site.articles}
    assert None not in stored  # every replica article is stored ...
    assert len(stored) == site.n_articles  # ... each as its own row
    assert rows(db, "SELECT url, reason FROM failures") == []


def assert_warc_matches_captures(db: Path) -> list[str]:
    """Every WARC file reads to its end with warcio; every capture row points at a
    response record of its URL; every response record is indexed once. Returns the files."""
    warc = warc_directory(db)
    assert not list(warc.glob("*.open"))  # a killed worker's file was recovered
    files = sorted(p.name for p in warc.glob("*.warc.gz"))
    indexed = {(f, o): u for f, o, u in rows(db, "SELECT warc_file, offset, url FROM captures")}
    assert len(indexed) == count(db, "SELECT count(*) FROM captures")  # no row twice
    records = {}
    for name in files:
        with open(warc / name, "rb") as stream:
            iterator = ArchiveIterator(stream)
            for record in iterator:
                if record.rec_type == "response":
                    record.content_stream().read()
                    records[(name, iterator.get_record_offset())] = record.rec_headers.get_header(
                        "WARC-Target-URI"
                    )
    assert set(indexed) <= set(records)
    for where, url in indexed.items():
        assert records[where] == url
    return files


def record_requests(server: ReplicaServer) -> tuple[Counter[str], Callable[[], None]]:
    """Count every request the replica answers, by URL (both origins); and the undo."""
    asked: Counter[str] = Counter()
    undo = []
    for origin, http in ((server.origin, server._main), (server.mirror_origin, server._mirror)):
        respond = http.respond

        def recording(raw_path: str, respond=respond, origin=origin) -> tuple[int, str, str]:
            asked[origin + raw_path] += 1
            return respond(raw_path)

        http.respond = recording  # type: ignore[method-assign]
        undo.append((http, respond))

    def restore() -> None:
        for http, respond in undo:
            http.respond = respond  # type: ignore[method-assign]

    return asked, restore


def in_flight_urls(redis_server: RedisServer, worker: str) -> set[str]:
    """The URLs a (killed) worker had taken from the frontier and not acknowledged."""
    held = redis_server.client().hvals(RedisKeys().inflight(worker))
    return {serializer.loads(data)["url"] for data in held}


@pytest.mark.slow
def test_three_workers_and_a_store_killed_halfway_crawl_every_article_once(
    tmp_path: Path,
    redis_url: str,
    redis_server: RedisServer,
    replicas: Callable[[int], tuple[ReplicaSite, ReplicaServer]],
) -> None:
    site, server = replicas(ARTICLES)
    db = tmp_path / "press.sqlite"
    asked, restore = record_requests(server)
    try:
        workers = {name: start_worker(server, db, redis_url, name) for name in WORKERS}
        store = start_store(db, redis_url, "--batch-size", "50")  # commits as the crawl goes
        wait_for(db, "SELECT count(*) FROM articles", site.n_articles // 3)
        kill9(workers["w2"])
        kill9(store)
        stored_at_kill = count(db, "SELECT count(*) FROM articles")
        assert stored_at_kill < site.n_articles  # killed halfway
        # what w2 had taken and not acknowledged: the only requests that may be sent twice
        # (its restart puts them back in the frontier; it may have fetched them already)
        again = in_flight_urls(redis_server, "w2")
        workers["w2"] = start_worker(server, db, redis_url, "w2")
        store = start_store(db, redis_url)
        for name, process in workers.items():
            assert finish(process) == 0, output(db, name)
        assert finish(store) == 0, output(db, "store")
    finally:
        restore()
    assert "ok: stored" in output(db, "store")

    assert_every_article_once(db, site, server)
    # no URL fetched twice across the workers, from the site's side: robots.txt is asked
    # once by each worker life (4), anything else once, but for w2's in-flight requests
    robots = {url for url in asked if urlsplit(url).path == "/robots.txt"}
    assert all(asked[url] <= len(WORKERS) + 1 for url in robots)
    twice = {url for url, n in asked.items() if n > 1} - robots
    assert twice <= again, sorted(twice - again)[:5]
    assert all(asked[url] == 2 for url in twice)
    # ... and from the captures: each URL's response indexed once, the same exceptions
    captured = rows(
        db,
        "SELECT url, count(*) FROM captures WHERE url NOT LIKE '%/robots.txt' "
        "GROUP BY url HAVING count(*) > 1",
    )
    assert {url for url, _ in captured} <= again
    # every page the site served is indexed (what the killed worker fetched included)
    served = set(asked) - robots
    indexed = {r[0] for r in rows(db, "SELECT DISTINCT url FROM captures")}
    assert served <= indexed, sorted(served - indexed)[:5]
    files = assert_warc_matches_captures(db)
    writers = {name.split("-")[1] for name in files}
    assert writers == set(WORKERS)  # the three workers shared the crawl
    # one crawl, resumed by the restarted store
    (n, status, verdict, fetched) = rows(
        db, "SELECT count(*), min(status), min(verdict), sum(pages_fetched) FROM crawls"
    )[0]
    assert (n, status, verdict) == (1, "ok", "ok")
    # the killed worker's first life counts up to its last heartbeat (README): at most one
    # response per capture, plus the in-flight pages it fetched and never pushed
    (captures,) = rows(db, "SELECT count(*) FROM captures")[0]
    assert 0 < fetched <= captures + len(again), (fetched, captures, len(again))
    # the crawl is over: its Redis keys are gone, so the next run is a new crawl
    assert redis_server.client().keys("kazscraper:*") == []
    # (the next run, incremental: test_distributed_e2e_rounds.py, revisits)
