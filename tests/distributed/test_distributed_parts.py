"""The parts of the distributed mode, each against a real redis-server (no HTTP)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from scrapy import Request
from scrapy.utils.request import request_from_dict

from kazscraper.archive import Archive
from kazscraper.archive.records import AliasRecord, ArticleRecord, CaptureRecord, FailureRecord
from kazscraper.distributed import RedisKeys, serializer
from kazscraper.distributed.queue import ItemQueue, Registry
from kazscraper.distributed.rate_limit import take_host_turn
from kazscraper.distributed.shared import CrawlKnown
from kazscraper.distributed.store import Store, StoreError, StoreOptions, run_store
from kazscraper.distributed.wire import encode
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.warc.records import Capture

from ..conftest import run_cli

KEYS = RedisKeys()
ORIGIN = "http://127.0.0.1:9/"


def client_of(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def article(slug: str, body: str = "Мәтін бірінші абзац.\n\nЕкінші абзац.") -> Article:
    return Article(
        url=f"{ORIGIN}news/{slug}",
        fetched_url=f"{ORIGIN}news/{slug}",
        fetched_at="2026-01-02T03:04:05+00:00",
        title=f"Тақырып {slug}",
        body=body,
        published_date="2026-01-01",
        authors=[Author(name="Ахметова Зауреш", surname="Ахметова", given="Зауреш")],
        related=[RelatedLink(kind="similar", rank=1, url=f"{ORIGIN}news/x", title="X")],
        tags=["саясат"],
        extraction={"title": "jsonld"},
    )


def capture(url: str, offset: int) -> Capture:
    return Capture(url, 200, "2026-01-02T03:04:05+00:00", "response", "a-w1-1.warc.gz", offset,
                   100, "sha1:X", "text/html")  # fmt: skip


def test_requests_travel_as_json_not_pickle() -> None:
    request = Request(
        "http://127.0.0.1/news/a?x=1",
        headers={"If-None-Match": '"abc"'},
        body=b"\x00\xffbytes",
        meta={"article_url": "http://127.0.0.1/news/a", "handle_httpstatus_list": [304]},
        priority=3,
    )
    data = serializer.dumps(request.to_dict())
    json.loads(data)  # plain JSON
    back = request_from_dict(serializer.loads(data))
    assert (back.url, back.body, back.priority) == (request.url, request.body, 3)
    assert back.headers.get("If-None-Match") == b'"abc"'
    assert back.meta == request.meta


def test_serializer_refuses_what_is_not_a_request() -> None:
    with pytest.raises(ValueError):
        serializer.loads(b"[1, 2]")


def test_records_taken_but_not_acknowledged_come_back(redis_url: str) -> None:
    queue = ItemQueue(client_of(redis_url), KEYS)
    queue.push(*(f"r{i}".encode() for i in range(5)))
    first = queue.take(3, timeout=1)
    assert first == [b"r0", b"r1", b"r2"]
    assert queue.take(3, timeout=1) == first  # the store was killed before its commit
    queue.ack()
    assert queue.take(3, timeout=1) == [b"r3", b"r4"]
    queue.ack()
    assert queue.backlog() == 0
    assert queue.take(3, timeout=1) == []


def test_one_host_is_held_for_the_delay_across_workers(redis_url: str) -> None:
    client = client_of(redis_url)
    assert take_host_turn(client, KEYS, "example.kz", 5.0) == 0.0  # worker 1 fetches
    wait = take_host_turn(client, KEYS, "example.kz", 5.0)  # worker 2 must wait
    assert 0 < wait <= 5.0
    assert take_host_turn(client, KEYS, "other.kz", 5.0) == 0.0  # another host is free
    client.delete(KEYS.host("example.kz"))  # the delay is over
    assert take_host_turn(client, KEYS, "example.kz", 5.0) == 0.0


def test_the_crawl_waits_for_live_and_killed_workers(redis_url: str) -> None:
    client = client_of(redis_url)
    registry = Registry(client, KEYS)
    assert not registry.done()  # no worker has joined yet
    registry.join("w1")
    registry.join("w2")
    assert registry.waiting_for() == ["w1", "w2"]
    registry.finish("w1", finished=True)
    client.hset(KEYS.inflight("w2"), "f", "request")
    client.delete(KEYS.alive("w2"))  # w2 killed: no heartbeat, a request in flight
    assert registry.waiting_for() == ["w2"] and not registry.done()
    assert not registry.busy()  # a dead worker's requests do not keep the others up
    registry.join("w2")  # restarted under its name
    assert registry.busy()
    client.hdel(KEYS.inflight("w2"), "f")
    registry.finish("w2", finished=True)
    assert registry.done()
    client.zadd(KEYS.requests, {"r": 0})
    assert not registry.done() and registry.busy()  # requests left in the frontier


@pytest.fixture
def store(tmp_path: Path, redis_url: str):
    archive = Archive(tmp_path / "a.sqlite", site="qazdauiri")
    client = client_of(redis_url)
    crawl_id = archive.begin_crawl("crawl", {"distributed": True})
    yield Store(archive, client, KEYS, crawl_id)
    archive.close()


def table(store: Store, sql: str) -> list[tuple]:
    return store.archive.db.execute(sql).fetchall()


def test_a_batch_delivered_twice_is_stored_once(store: Store) -> None:
    batch = [
        encode(ArticleRecord(article("a"))),
        encode(ArticleRecord(article("b", "Басқа мәтін.\n\nТағы."), {f"{ORIGIN}m/b"})),
        encode(CaptureRecord(capture(f"{ORIGIN}news/a", 0))),
        encode(CaptureRecord(capture(f"{ORIGIN}news/b", 100))),
        encode(FailureRecord(f"{ORIGIN}news/c", "fetch", "HTTP 500", 500)),
    ]
    first = store.store_batch(batch)
    assert first == {"captures": 2, "failures": 1, "articles_new": 2}
    again = store.store_batch(batch)  # the store was killed before the acknowledgement
    assert again == {}  # committed already: acknowledged only
    assert store.counts() == first  # the crawl's figures unchanged (issue 26, item 5)
    assert table(store, "SELECT count(*) FROM articles") == [(2,)]
    assert table(store, "SELECT count(*) FROM article_versions") == [(0,)]
    assert table(store, "SELECT count(*) FROM captures") == [(2,)]
    assert table(store, "SELECT count(*) FROM related_links") == [(2,)]
    assert table(store, "SELECT count(*) FROM article_authors") == [(2,)]
    assert table(store, "SELECT url, attempts FROM failures") == [(f"{ORIGIN}news/c", 1)]
    assert (f"{ORIGIN}m/b",) in table(store, "SELECT url FROM article_urls")


def test_an_edit_from_another_worker_is_a_version(store: Store) -> None:
    store.store_batch([encode(ArticleRecord(article("a")))])
    edited = article("a", "Түзетілген мәтін бірінші абзац.\n\nЕкінші абзац.")
    assert store.store_batch([encode(ArticleRecord(edited))]) == {"articles_updated": 1}
    assert table(store, "SELECT version FROM articles") == [(2,)]
    assert table(store, "SELECT count(*) FROM article_versions") == [(1,)]


def test_an_alias_before_its_article_waits_in_redis(store: Store) -> None:
    alias = f"{ORIGIN}mirror/a"
    assert store.store_batch([encode(AliasRecord(alias, f"{ORIGIN}news/a"))]) == {}
    assert store.client.hexists(KEYS.waiting_aliases, f"{ORIGIN}news/a")
    store.store_batch([encode(ArticleRecord(article("a")))])
    urls = [r[0] for r in table(store, "SELECT url FROM article_urls ORDER BY url")]
    assert alias in urls
    assert not store.client.hexists(KEYS.waiting_aliases, f"{ORIGIN}news/a")


def test_an_unusable_record_is_kept_aside_not_lost(store: Store) -> None:
    counts = store.store_batch([b"not json", b'{"kind": "nothing"}', b'{"kind": "article"}'])
    assert counts == {"rejected_records": 3}
    assert store.client.llen(f"{KEYS.prefix}:rejected") == 3


def test_one_redis_crawl_goes_into_one_archive(tmp_path: Path, redis_url: str) -> None:
    client = client_of(redis_url)
    client.set(KEYS.store, json.dumps({"db": str(tmp_path / "other.sqlite"), "crawl_id": 1}))
    with pytest.raises(StoreError, match="stored into"):
        run_store(
            StoreOptions(db_path=str(tmp_path / "a.sqlite"), redis_url=redis_url, site="qazdauiri")
        )


def test_store_drains_and_ends_once_the_workers_have_finished(
    tmp_path: Path, redis_url: str
) -> None:
    client = client_of(redis_url)
    ItemQueue(client, KEYS).push(encode(ArticleRecord(article("a"))))
    registry = Registry(client, KEYS)
    registry.join("w1")
    registry.finish("w1", finished=True)
    db = tmp_path / "a.sqlite"
    result = run_store(
        StoreOptions(db_path=str(db), redis_url=redis_url, site="qazdauiri", poll=0.1)
    )
    assert (result.exit_code, result.counts["articles_new"]) == (0, 1)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (1,)
        assert conn.execute("SELECT status, articles_new FROM crawls").fetchall() == [("ok", 1)]
    assert client.keys(f"{KEYS.prefix}:*") == []


def test_worker_with_no_redis_fails_in_one_line(tmp_path: Path) -> None:
    result = run_cli(
        "crawl", "--redis", "redis://127.0.0.1:9/0", "--start-url", ORIGIN,
        "--db", str(tmp_path / "a.sqlite"), timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot use Redis at redis://127.0.0.1:9/0" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "a.sqlite").exists()  # a worker never writes the archive


@pytest.mark.parametrize("command", ["crawl", "store"])
def test_no_redis_error_line_hides_the_password(tmp_path: Path, command: str) -> None:
    extra = ("--start-url", ORIGIN) if command == "crawl" else ()
    result = run_cli(
        command, "--redis", "redis://:s3cret-pw@127.0.0.1:9/0", *extra,
        "--db", str(tmp_path / "a.sqlite"), timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "redis://***@127.0.0.1:9/0" in result.stderr
    assert "s3cret-pw" not in result.stderr


def test_store_with_no_redis_fails_in_one_line(tmp_path: Path) -> None:
    result = run_cli(
        "store", "--redis", "redis://127.0.0.1:9/0", "--db", str(tmp_path / "a.sqlite"),
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "cannot reach Redis" in result.stderr and "Traceback" not in result.stderr


def test_a_new_crawl_skips_archived_articles_but_revisits_recent_ones(store: Store) -> None:
    old, recent, undated = article("old"), article("recent", "Жаңа.\n\nМәтін."), article("u", "Ү")
    today = datetime.now(UTC).date()
    recent.published_date = today.isoformat()
    recent.etag = '"v1-recent"'
    undated.published_date = None
    for item in (old, recent, undated):
        store.store_batch([encode(ArticleRecord(item))])
    assert store.mark_archived(revisit_days=7) == 3
    known = CrawlKnown(store.client, KEYS)  # what a worker's frontier is given
    assert known[old.url] == (None, None)  # archived and old: known, not fetched again
    assert known[undated.url] == (None, None)
    assert known[recent.url] == (recent.published_date, '"v1-recent"')  # revisited, ETag sent
    assert f"{ORIGIN}news/never-seen" not in known
    assert len(known) == 3 and list(known) == [recent.url]
    # this crawl's duplicate filter stays apart from the archive (the pagination stop
    # asks "archived?", not "scheduled?")
    assert not store.client.exists(KEYS.dupefilter)
    store.client.delete(KEYS.archived, KEYS.revisit)
    assert store.mark_archived(revisit_days=None) == 3  # --full: every article revisited
    assert not store.client.exists(KEYS.archived) and store.client.hlen(KEYS.revisit) == 3


def test_store_stopped_by_sigterm_keeps_the_rest_in_redis(tmp_path: Path, redis_url: str) -> None:
    import signal
    import subprocess
    import sys
    import time

    client = client_of(redis_url)
    Registry(client, KEYS).join("w1")  # a worker still crawling: the store would wait
    db = tmp_path / "a.sqlite"
    store = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", "store", "--redis", redis_url, "--db", str(db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not client.exists(KEYS.store):  # the store has opened the crawl
        assert time.monotonic() < deadline and store.poll() is None, store.communicate()
        time.sleep(0.05)
    store.send_signal(signal.SIGTERM)
    out, err = store.communicate(timeout=60)
    assert store.returncode == 0, err
    assert out.startswith("ok: stored") and "Traceback" not in err
    assert client.exists(KEYS.store) and client.sismember(KEYS.workers, "w1")  # crawl kept
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM crawls").fetchall() == [("running",)]


def test_a_worker_name_is_taken_while_its_worker_beats(redis_url: str) -> None:
    client = client_of(redis_url)
    registry = Registry(client, KEYS)
    assert registry.claim("w1", wait=0.3)
    assert not registry.claim("w1", wait=0.3)  # a live worker of that name
    assert registry.claim("w2", wait=0.3)
    client.delete(KEYS.alive("w1"))  # killed: its heartbeat expired
    assert registry.claim("w1", wait=0.3)


@pytest.mark.slow
def test_second_worker_of_the_same_name_exits_75(tmp_path: Path, redis_url: str) -> None:
    client_of(redis_url).set(KEYS.alive("w1"), "1", ex=600)  # w1 is alive
    result = run_cli(
        "crawl", "--redis", redis_url, "--worker-name", "w1", "--start-url", ORIGIN,
        "--db", str(tmp_path / "a.sqlite"), timeout=120,
    )  # fmt: skip
    assert result.returncode == 75, result.stderr
    assert "a worker named w1 is running" in result.stderr


def test_store_fails_in_one_line_when_redis_goes_away_and_its_restart_loses_nothing(
    tmp_path: Path,
) -> None:
    """Redis killed under a draining store (its append-only file synced on every write):
    the store exits 1 with one line; Redis and the store started again, every record is
    committed once, in the crawl the first store opened."""
    import os
    import subprocess
    import sys

    from .conftest import start_redis
    from .helpers import count, finish, kill9, wait_for

    folder = tmp_path / "redis"
    folder.mkdir()
    server = start_redis(folder, persistent=True)
    try:
        client = server.client()
        total = 1500
        ItemQueue(client, KEYS).push(
            *(
                encode(ArticleRecord(article(f"a{i}", f"Мәтін {i}.\n\nЕкінші абзац {i}.")))
                for i in range(total)
            )
        )
        registry = Registry(client, KEYS)
        registry.join("w1")
        registry.finish("w1", finished=True)
        db = tmp_path / "a.sqlite"
        command = [sys.executable, "-m", "kazscraper", "store", "--redis", server.url,
                   "--db", str(db), "--batch-size", "5"]  # fmt: skip
        env = {**os.environ, "KAZSCRAPER_REDIS_PATIENCE": "2"}  # retried 2 s, then given up
        store = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        wait_for(db, "SELECT count(*) FROM articles", 50)
        kill9(server.process)
        out, err = store.communicate(timeout=120)
        assert store.returncode == 1, out + err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kazscraper store: error: Redis failed")
        stored = count(db, "SELECT count(*) FROM articles")
        assert 50 <= stored < total
        server = start_redis(folder, port=server.port, persistent=True)
        store = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert finish(store, timeout=300) == 0, store.communicate()
        assert count(db, "SELECT count(*) FROM articles") == total
        assert count(db, "SELECT count(DISTINCT url) FROM articles") == total
        assert count(db, "SELECT count(*) FROM crawls") == 1
        assert count(db, "SELECT count(*) FROM crawls WHERE status = 'ok'") == 1
    finally:
        server.process.kill()
        server.process.wait()


def test_a_worker_waits_for_a_store_to_open_the_crawl_then_gives_up(redis_url: str) -> None:
    from kazscraper.distributed.worker import NoStore, store_ready, wait_for_store

    client = client_of(redis_url)
    registry = Registry(client, KEYS)
    assert registry.claim("w1", wait=0.3)
    with pytest.raises(NoStore, match="no `kazscraper store` opened this Redis crawl"):
        wait_for_store(client, KEYS, 0.5, registry, "w1")
    assert registry.alive("w1")  # its name stays claimed while it waits
    client.set(KEYS.store, json.dumps({"db": "/a.sqlite", "crawl_id": 1, "ready": False}))
    assert not store_ready(client, KEYS)  # opened, the archive not yet published
    client.set(KEYS.store, json.dumps({"db": "/a.sqlite", "crawl_id": 1, "ready": True}))
    wait_for_store(client, KEYS, 0.5, registry, "w1")  # returns at once


KILL_AT_ACK = """
import os, signal, sys
from kazscraper.distributed import queue, store
calls = {"n": 0}
ack = queue.ItemQueue.ack
def killing_ack(self):
    calls["n"] += 1
    if calls["n"] == 3:  # the third batch is committed, not acknowledged: kill -9 now
        os.kill(os.getpid(), signal.SIGKILL)
    ack(self)
queue.ItemQueue.ack = killing_ack
store.run_store(store.StoreOptions(db_path=sys.argv[1], redis_url=sys.argv[2], site="qazdauiri",
                                   batch_size=10))
"""


def test_a_store_killed_after_its_commit_before_its_ack_counts_right(
    tmp_path: Path, redis_url: str
) -> None:
    """Issue 26, item 5: a real kill -9 of the store between a batch's commit and its
    acknowledgement (a patched ``ItemQueue.ack``), then the store again: every figure of
    the ``crawls`` row is the archive's (it said 1881 new, 119 unchanged for 2,000 new)."""
    import subprocess
    import sys

    from .helpers import rows

    client = client_of(redis_url)
    total = 50
    records = []
    for i in range(total):
        records.append(encode(ArticleRecord(article(f"a{i}", f"Мәтін {i}.\n\nЕкінші {i}."))))
        records.append(encode(CaptureRecord(capture(f"{ORIGIN}news/a{i}", i * 100))))
    ItemQueue(client, KEYS).push(*records)
    registry = Registry(client, KEYS)
    registry.join("w1")
    registry.finish("w1", finished=True)
    db = tmp_path / "a.sqlite"
    killed = subprocess.run([sys.executable, "-c", KILL_AT_ACK, str(db), redis_url],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    assert client.llen(KEYS.processing) == 10  # the committed batch, not acknowledged
    result = run_cli("store", "--redis", redis_url, "--db", str(db), timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"articles {total} new, 0 updated, 0 unchanged" in result.stdout, result.stdout
    assert f"{total} captures" in result.stdout, result.stdout
    (new, unchanged, status) = rows(
        db, "SELECT articles_new, articles_unchanged, status FROM crawls"
    )[0]
    assert (new, unchanged or 0, status) == (total, 0, "ok")


@pytest.mark.parametrize("command", ["crawl", "store"])
def test_the_redis_url_from_a_file_or_the_environment(tmp_path: Path, command: str) -> None:
    """Issue 26, item 6: the URL (and its password) need not be on the command line."""
    import os

    extra = ("--start-url", ORIGIN) if command == "crawl" else ()
    secret = tmp_path / "redis-url"
    secret.write_text("redis://:s3cret-pw@127.0.0.1:9/0\n")
    result = run_cli(
        command, "--redis-url-file", str(secret), *extra,
        "--db", str(tmp_path / "a.sqlite"), timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "redis://***@127.0.0.1:9/0" in result.stderr  # the file's URL was used
    assert "s3cret-pw" not in result.stderr
    if command == "store":
        os.environ["KAZSCRAPER_REDIS_URL"] = "redis://:s3cret-pw@127.0.0.1:9/0"
        try:
            result = run_cli("store", "--db", str(tmp_path / "a.sqlite"), timeout=60)
        finally:
            del os.environ["KAZSCRAPER_REDIS_URL"]
        assert result.returncode == 1 and "redis://***@127.0.0.1:9/0" in result.stderr


def test_status_shows_workers_in_flight_rates_and_the_stuck_and_stalled_ones(
    redis_url: str,
) -> None:
    """Issue 26, item 6: ``kazscraper status`` reads the crawl: the crawl's pages per
    minute and requests in flight; w1 alive with its rate and last page, w2 dead with
    requests in flight (stuck: the store waits for it), w3 finished, w4 alive with requests
    in flight and no page for 1,000 s (a hung fetch: no progress), w5 stalled (the store
    gave its requests to the others)."""
    import re

    client = client_of(redis_url)
    client.set(KEYS.store, json.dumps({"db": "/a.sqlite", "crawl_id": 4, "ready": True}))
    registry = Registry(client, KEYS)
    for name in ("w1", "w2", "w3", "w4", "w5"):
        registry.join(name)
    client.delete(KEYS.alive("w2"))  # its heartbeat expired: the machine is gone
    for name in ("w1", "w3", "w4", "w5"):  # they beat throughout (a heartbeat's 10 s TTL ran
        client.expire(KEYS.alive(name), 3600)  # out before the last command at load 20)
    client.hset(KEYS.inflight("w1"), mapping={"a": "x"})
    client.hset(KEYS.inflight("w2"), mapping={"a": "x", "b": "y"})
    client.hset(KEYS.inflight("w4"), mapping={"a": "x", "b": "y", "c": "z"})
    registry.finish("w3", finished=True)
    client.set(KEYS.stats("w1-abc"), json.dumps({"response_received_count": 12}))
    client.hset(KEYS.progress("w1"), "rate", "30.0")
    now = int(client.time()[0])
    client.hset(KEYS.progress("w4"), mapping={"at": now - 1000, "rate": "0.0"})
    client.sadd(KEYS.stalled, "w5")
    client.zadd(KEYS.requests, {"r1": 0, "r2": 0})
    result = run_cli("status", "--redis", redis_url, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = [
        r"crawl 4 of /a\.sqlite",
        r"frontier 2 requests; items 0 waiting, 0 being stored",
        r"30\.0 pages/min, 6 in flight, 3 of 5 workers alive",
        r"worker w1: alive, 1 in flight, 12 pages, 30\.0 pages/min, last page \ds ago",
        r"worker w2: not alive, 2 in flight, 0 pages, 0\.0 pages/min, last page \ds ago"
        r" - STUCK: restart it under this name \(its requests then go back\)",
        r"worker w3: finished, 0 in flight, 0 pages",
        r"worker w4: alive, 3 in flight, 0 pages, 0\.0 pages/min, last page 10\d\ds ago"
        r" - NO PROGRESS for 10\d\ds with requests in flight \(a hung fetch\?\): the store"
        r" puts them back \(--stall-after\)",
        r"worker w5: alive, 0 in flight, 0 pages, 0\.0 pages/min, last page \ds ago"
        r" - STALLED: the store gave its requests to the others \(no page finished for"
        r" --stall-after\); restart it under this name to join again",
    ]
    assert len(lines) == len(expected), lines
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
    # the operator gives up on w2 (its machine is gone): its requests go back, it is done
    result = run_cli("status", "--redis", redis_url, "--give-up", "w2", timeout=60)
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout.splitlines()[0] == "gave up on worker w2: 2 request(s) back in the frontier"
    )
    assert "frontier 4 requests" in result.stdout
    assert "worker w2: finished, 0 in flight" in result.stdout and "STUCK" not in result.stdout
    refused = run_cli("status", "--redis", redis_url, "--give-up", "w1", timeout=60)
    assert refused.returncode == 1 and "worker w1 is alive" in refused.stderr
    assert client.hlen(KEYS.inflight("w1")) == 1  # untouched


def test_a_stalled_workers_late_answer_is_not_stored_over_the_refetch(store: Store) -> None:
    """Issue 26's note: the store finds w1 stalled (a request in flight, no page for 1,000 s)
    and puts its request back; w2 fetches the page again (edited since). w1's hung fetch
    then answers, before its next heartbeat has seen the mark: what that late, older answer
    produced must not reach the archive (before: pushed, and stored as a second version of
    the article, older than the one it replaced)."""
    from types import SimpleNamespace

    from kazscraper.distributed.lifecycle import WorkerItems
    from kazscraper.distributed.stall import requeue_stalled

    client = store.client
    registry = Registry(client, KEYS)
    for name in ("w1", "w2"):
        registry.join(name)
    request = json.dumps({"url": f"{ORIGIN}news/a", "priority": 0})
    client.hset(KEYS.inflight("w1"), "f1", request)
    client.hset(KEYS.progress("w1"), "at", int(client.time()[0]) - 1000)
    assert [s.worker for s in requeue_stalled(client, KEYS, 300)] == ["w1"]
    assert client.zcard(KEYS.requests) == 1  # back in the frontier, for w2
    # w2 takes it, fetches the page as it is now, and pushes its records
    edited = article("a", "Түзетілген мәтін бірінші абзац.\n\nЕкінші абзац.")
    ItemQueue(client, KEYS).push(
        encode(ArticleRecord(edited)), encode(CaptureRecord(capture(f"{ORIGIN}news/a", 0)))
    )
    # w1's hung fetch answers (the page as it was): its heartbeat has not seen the mark yet
    w1 = SimpleNamespace(client=client, keys=KEYS, name="w1", stalled=False)
    WorkerItems(w1).push(  # type: ignore[arg-type]
        encode(ArticleRecord(article("a"))),
        encode(CaptureRecord(capture(f"{ORIGIN}news/a", 100))),
    )
    stored: dict[str, int] = {}
    while batch := ItemQueue(client, KEYS).take(500, 1):
        for key, n in store.store_batch(batch).items():
            stored[key] = stored.get(key, 0) + n
        ItemQueue(client, KEYS).ack()
    assert stored == {"articles_new": 1, "captures": 1}
    assert table(store, "SELECT version, body FROM articles") == [(1, edited.body)]
    assert table(store, "SELECT count(*) FROM article_versions") == [(0,)]
