"""End to end with a real redis-server, the second part (its own file so that the two
halves run side by side on the test processes): --max-articles per crawl, revisits with
conditional GETs and the pagination stop, the per-host rate limit, store --follow."""

from __future__ import annotations

import json
import signal
import threading
from collections import Counter
from pathlib import Path

import pytest
import redis

from kazscraper.crawler.archive_files import warc_directory
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from ..conftest import run_cli
from .conftest import RedisServer
from .helpers import (
    WORKERS,
    count,
    finish,
    output,
    rows,
    start_store,
    start_worker,
    wait_for,
)


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


@pytest.mark.slow
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


@pytest.mark.slow
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
    files = {p.name for p in warc_directory(db).glob("*.warc.gz")}
    assert files and all(name.startswith(("press-w1-", "press-w2-")) for name in files)
    result = run_cli("reparse", "--db", str(db), timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert articles_as_read(db) == before
    assert rows(db, "SELECT url, reason FROM failures") == []


class HostTurns:
    """The per-host limit's decisions, read from Redis while workers crawl: each turn
    granted (a ``set`` keyspace event: ``SET NX`` set the host's key) and the hold each
    turn asked for (the ``PX`` of every ``SET`` of a host key, by ``MONITOR``)."""

    def __init__(self, url: str) -> None:
        self.granted: Counter[str] = Counter()  # host:port -> turns granted
        self.holds: set[str] = set()  # the PX values asked for
        self.refused_or_granted = 0  # every SET of a host key
        self.stop = threading.Event()
        # held (its pool is the connections); no read timeout: MONITOR may be silent a while
        self.client = client = redis.Redis.from_url(url, socket_timeout=None)
        client.config_set("notify-keyspace-events", "E$")  # keyevents of string commands
        self.events = client.pubsub(ignore_subscribe_messages=True)
        self.events.subscribe("__keyevent@0__:set")
        self.monitor = client.monitor()
        self.monitor.__enter__()
        sock = self.monitor.connection._sock  # its address: close() kills it
        assert sock is not None
        self.monitor_address = f"127.0.0.1:{sock.getsockname()[1]}"
        self.threads = [threading.Thread(target=t) for t in (self._read_events, self._monitor)]
        for thread in self.threads:
            thread.start()

    def _read_events(self) -> None:
        while True:
            message = self.events.get_message(timeout=0.2)
            if message is None and self.stop.is_set():  # the workers ended: all read
                return
            key = message and message["data"].decode()
            if key and ":host:" in key:
                self.granted[key.split(":host:", 1)[1]] += 1

    def _monitor(self) -> None:
        while True:
            try:
                command = self.monitor.next_command()["command"].split()
            except redis.ConnectionError:  # killed by close()
                return
            if command[0].upper() == "SET" and ":host:" in command[1]:
                self.refused_or_granted += 1
                self.holds.add(" ".join(command[3:]).upper())

    def close(self) -> None:
        self.stop.set()
        self.client.client_kill(self.monitor_address)
        for thread in self.threads:
            thread.join()
        self.events.close()
        self.client.close()


@pytest.mark.slow
def test_one_host_is_fetched_at_most_once_per_delay_by_all_workers(
    tmp_path: Path, redis_url: str
) -> None:
    """Three workers, one site whose robots.txt asks for a Crawl-delay of 0.5 s: every
    request the site sees (robots.txt, fetched once by each worker before it knows the
    delay, aside) was let out by a turn of the crawl's limit for its host, one turn per
    request, each turn holding the host for the delay (``SET NX PX 500``: Redis grants no
    other turn for it until the hold expires, on its own clock), and workers were refused
    turns while another held one. The limiter's decisions, read from Redis; the gaps
    between arrivals, measured by this process's clock, measured the machine's load."""
    delay = 0.5
    db = tmp_path / "press.sqlite"
    seen: list[str] = []  # the host:port of each request the site saw (append: thread-safe)
    with ReplicaServer(ReplicaSite(30)) as running:
        for http in (running._main, running._mirror):
            host = f"127.0.0.1:{http.server_address[1]}"
            respond = http.respond

            def recording(raw_path: str, respond=respond, host=host) -> tuple[int, str, str]:
                if raw_path.startswith("/robots.txt"):
                    return 200, "text/plain", f"User-agent: *\nCrawl-delay: {delay}\n"
                seen.append(host)
                return respond(raw_path)

            http.respond = recording  # type: ignore[method-assign]
        turns = HostTurns(redis_url)
        try:
            workers = [start_worker(running, db, redis_url, name) for name in WORKERS]
            store = start_store(db, redis_url)
            for name, process in zip(WORKERS, workers, strict=True):
                assert finish(process) == 0, output(db, name)
            assert finish(store) == 0, output(db, "store")
        finally:
            turns.close()
        main = f"127.0.0.1:{running._main.server_address[1]}"
    arrivals = Counter(seen)
    assert count(db, "SELECT count(*) FROM articles") == 30
    fetched_by = {r[0].split("-")[1] for r in rows(db, "SELECT DISTINCT warc_file FROM captures")}
    assert len(fetched_by) >= 2, fetched_by  # the workers shared the site
    assert arrivals[main] > 30
    assert turns.granted == arrivals, (turns.granted, arrivals)  # one turn per request
    assert turns.holds == {f"NX PX {int(delay * 1000)}"}, turns.holds  # each for the delay
    assert turns.refused_or_granted > sum(turns.granted.values())  # some were refused


@pytest.mark.slow
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
