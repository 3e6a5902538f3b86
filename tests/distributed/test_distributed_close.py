"""Closing a Redis crawl while workers join, and what the ``crawls`` row counts: the
store's close steps called one by one against the real redis-server (no HTTP)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import redis

from kazscraper.archive import Archive
from kazscraper.distributed import RedisKeys
from kazscraper.distributed.queue import CLOSING, JOINED, NO_STORE, Registry
from kazscraper.distributed.store import Store, StoreOptions, _claim
from kazscraper.distributed.worker import NoStore, wait_for_store

KEYS = RedisKeys()


@pytest.fixture
def opened(tmp_path: Path, redis_url: str):
    """An archive and a Redis crawl a store has opened (its archive published, ready)."""
    archive = Archive(tmp_path / "a.sqlite", site="qazdauiri")
    client = redis.Redis.from_url(redis_url)
    options = StoreOptions(
        db_path=str(tmp_path / "a.sqlite"), redis_url=redis_url, site="qazdauiri", poll=0.1
    )
    crawl_id = _claim(client, KEYS, archive, options)
    yield Store(archive, client, KEYS, crawl_id), options
    archive.close()


def test_a_worker_cannot_join_while_the_store_closes_the_crawl(opened) -> None:
    """The race: w1 has finished, so the store's last check says the crawl is over; w2
    joins before the store removes the crawl's keys. Before: the removal took w2's
    registration and frontier with it. Now the store marks the crawl closing first (only
    if no worker is active), w2's join is refused meanwhile, and the store checks again."""
    store, options = opened
    client, registry = store.client, store.registry
    assert registry.join("w1", require_store=True) == JOINED
    registry.finish("w1", finished=True)
    assert registry.done() and not store.queue.backlog()  # the store's last check
    # w2 joins between that check and the close: the close is refused, w2 keeps its crawl
    assert registry.join("w2", require_store=True) == JOINED
    client.zadd(KEYS.requests, {"a request w2 scheduled": 0})
    assert not store.begin_close()
    assert not registry.closing()
    assert client.sismember(KEYS.workers, "w2") and client.zcard(KEYS.requests) == 1
    # w2 ends; now the close goes through, and a worker joining in between is refused
    client.delete(KEYS.requests)
    registry.finish("w2", finished=True)
    assert store.begin_close() and registry.closing()
    assert registry.join("w3", require_store=True) == CLOSING
    assert not client.sismember(KEYS.workers, "w3")
    result = store.end_crawl(options)
    assert result.exit_code == 0
    assert client.keys(f"{KEYS.prefix}:*") == []  # the closing mark went with the rest
    assert registry.join("w3", require_store=True) == NO_STORE  # no crawl open now
    crawl_id = _claim(client, KEYS, store.archive, options)  # the next crawl
    assert crawl_id != store.crawl_id
    assert registry.join("w3", require_store=True) == JOINED


def test_the_close_is_refused_while_records_wait_or_a_worker_lives(opened) -> None:
    store, _ = opened
    client, registry = store.client, store.registry
    assert not store.begin_close()  # no worker joined yet
    registry.join("w1")
    assert not store.begin_close()  # w1 is alive
    client.hset(KEYS.inflight("w1"), "f", "request")
    client.delete(KEYS.alive("w1"))  # w1 killed with a request in flight
    assert not store.begin_close()
    client.delete(KEYS.inflight("w1"))
    client.rpush(KEYS.items, b"{}")
    assert not store.begin_close()  # a record not yet stored
    client.delete(KEYS.items)
    assert store.begin_close() and registry.closing()


def test_a_stopped_store_calls_the_close_off(opened) -> None:
    """A store stopped (SIGTERM) after marking the crawl closing leaves it open: its
    workers may join again (restarted, the store closes it then)."""
    from kazscraper.distributed.store import _drain_crawl, _Stop

    store, options = opened
    store.registry.join("w1")
    store.registry.finish("w1", finished=True)
    stop = _Stop()
    original = store.begin_close

    def close_then_stop() -> bool:
        closed = original()
        stop.asked = True  # the signal arrives between the two phases
        return closed

    store.begin_close = close_then_stop  # type: ignore[method-assign]
    result = _drain_crawl(store, options, stop)
    assert result.reason == "stopped"
    assert not store.registry.closing() and store.client.exists(KEYS.store)
    assert store.registry.join("w2", require_store=True) == JOINED


def test_a_worker_refused_while_closing_joins_the_next_crawl(opened) -> None:
    """The worker side: refused while the store closes the crawl, it waits (its name kept)
    and joins the next crawl once the store has cleared the old one and opened a new."""
    store, options = opened
    registry = Registry(store.client, KEYS)
    registry.join("w1")
    registry.finish("w1", finished=True)
    assert store.begin_close()
    assert registry.claim("w2", wait=0.3)
    pauses: list[float] = []

    def pause(seconds: float) -> None:  # the store works while the worker waits
        pauses.append(seconds)
        if len(pauses) == 1:
            assert registry.closing() and not store.client.sismember(KEYS.workers, "w2")
            store.end_crawl(options)
        elif len(pauses) == 2:
            _claim(store.client, KEYS, store.archive, options)

    wait_for_store(store.client, KEYS, 30.0, registry, "w2", pause=pause)
    assert len(pauses) == 2  # refused (closing), refused (no store), then joined
    assert store.client.sismember(KEYS.workers, "w2") and registry.alive("w2")
    claimed = json.loads(store.client.get(KEYS.store) or "{}")
    assert claimed["crawl_id"] != store.crawl_id and claimed["ready"]


def test_a_worker_gives_up_in_one_line_when_no_crawl_opens_after_a_close(opened) -> None:
    store, _ = opened
    registry = store.registry
    registry.join("w1")
    registry.finish("w1", finished=True)
    assert store.begin_close()
    assert registry.claim("w2", wait=0.3)
    with pytest.raises(NoStore, match="the store was closing this Redis crawl") as caught:
        wait_for_store(store.client, KEYS, 0.0, registry, "w2", pause=lambda s: None)
    assert "\n" not in str(caught.value)
    assert not store.client.sismember(KEYS.workers, "w2")


def test_a_killed_worker_that_never_comes_back_still_counts(opened) -> None:
    """The ``crawls`` row sums the workers' stats: a worker's heartbeat publishes its
    running totals, so a worker killed (no final stats pushed) and never restarted counts
    up to its last heartbeat. Before: only the runs that ended counted."""
    from scrapy.utils.test import get_crawler

    from kazscraper.distributed.lifecycle import WorkerLifecycle

    store, options = opened
    settings = {"KAZSCRAPER_REDIS_URL": options.redis_url, "KAZSCRAPER_WORKER": "w1"}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    worker = WorkerLifecycle(crawler)
    worker.registry.join("w1")
    crawler.stats.set_value("response_received_count", 7)
    crawler.stats.set_value("downloader/response_status_count/200", 7)
    crawler.stats.set_value("kazscraper/extracted", 5)
    worker._beat()
    crawler.stats.inc_value("response_received_count", 3)
    worker._beat()  # the next heartbeat: the running totals replace the last ones
    store.client.delete(KEYS.alive("w1"))  # kill -9: no final stats, no finish
    assert store.registry.done()  # nothing in flight: the crawl does not wait for it
    assert store.begin_close()
    store.end_crawl(options)
    row = store.archive.db.execute(
        "SELECT pages_fetched, http_statuses FROM crawls WHERE id = ?", [store.crawl_id]
    ).fetchone()
    assert row[0] == 10 and json.loads(row[1]) == {"200": 7}


def test_a_worker_that_starts_after_the_crawl_closed_leaves_no_trace_in_redis(opened) -> None:
    """A worker slow to start (its wait for the store done, its spider not yet open, its
    heartbeat expired meanwhile) may find the crawl closed and cleared: it stops without
    joining a crawl that has no store, starts no heartbeat and pushes no stats. Before: its
    second join registered it anew in the cleared keys and its stats went to the items."""
    from types import SimpleNamespace

    from scrapy.utils.test import get_crawler

    from kazscraper.distributed.lifecycle import WorkerLifecycle

    store, options = opened
    settings = {"KAZSCRAPER_REDIS_URL": options.redis_url, "KAZSCRAPER_WORKER": "w1"}
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    worker = WorkerLifecycle(crawler)
    assert worker.registry.join("w1", require_store=True) == JOINED  # its wait_for_store
    store.client.delete(KEYS.alive("w1"))  # its heartbeat expired before the spider opened
    assert store.begin_close()
    store.end_crawl(options)
    crawler.engine, crawler.spider = SimpleNamespace(close_spider=lambda *a: None), None
    worker.opened()
    assert worker.heartbeat is None
    worker.closed("crawl_closed")
    assert store.client.keys(f"{KEYS.prefix}:*") == []


def test_a_several_site_crawl_lists_its_sites_in_the_crawls_row(opened) -> None:
    """As a local several-site crawl: ``crawls.site`` lists the sites' labels, in the specs'
    order (before: the store's own ``--site``)."""
    store, options = opened
    specs = ["qazdauiri=http://127.0.0.1:8001/", "http://127.0.0.1:8002/"]
    store.client.hset(KEYS.origins, "w1", json.dumps({"sites": specs}))
    store.registry.join("w1")
    store.registry.finish("w1", finished=True)
    assert store.begin_close()
    store.end_crawl(options)
    row = store.archive.db.execute(
        "SELECT site, arguments FROM crawls WHERE id = ?", [store.crawl_id]
    ).fetchone()
    assert row[0] == "qazdauiri,127.0.0.1:8002"
    assert json.loads(row[1])["sites"] == specs


def test_store_full_revisits_every_archived_article_with_its_etag(
    tmp_path: Path, redis_url: str
) -> None:
    """``store --full`` is a local ``crawl --full``: every archived article, old or not, is
    fetched again with ``If-None-Match`` (its ETag), and every listing page walked. Before:
    the store published nothing and the workers fetched every article unconditionally."""
    from kazscraper.archive.records import ArticleRecord
    from kazscraper.crawler.frontier import Frontier, Rules
    from kazscraper.distributed.shared import CrawlKnown, crawl_rules
    from kazscraper.distributed.wire import encode
    from kazscraper.items import Article
    from kazscraper.sites import get_profile

    url = "https://qazdauiri.kz/news/eski-makala"
    old = Article(url=url, fetched_url=url, fetched_at="2020-01-02T03:04:05+00:00",
                  title="Ескі", body="Ескі мәтін.\n\nЕкінші абзац.",
                  published_date="2020-01-01", etag='"v1-old"')  # fmt: skip
    client = redis.Redis.from_url(redis_url)
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        Store(archive, client, KEYS, archive.begin_crawl("crawl", {})).store_batch(
            [encode(ArticleRecord(old))]
        )
        client.flushdb()
        options = StoreOptions(
            db_path=str(tmp_path / "a.sqlite"), redis_url=redis_url, site="qazdauiri"
        )
        for full, expected in ((False, {}), (True, {"If-None-Match": '"v1-old"'})):
            client.flushdb()
            _claim(client, KEYS, archive, StoreOptions(**{**options.__dict__, "full": full}))
            frontier = Frontier(get_profile("qazdauiri"), Rules(revisit_days=7))
            frontier.rules = crawl_rules(client, KEYS, frontier.rules)  # as a worker's
            frontier.known = CrawlKnown(client, KEYS)
            decision = frontier.decide(url)
            assert frontier.rules.full is full
            assert decision.fetch is full and dict(decision.headers) == expected


def test_two_sites_on_one_host_name_have_a_slot_and_a_rate_limit_each(redis_url: str) -> None:
    """A site is host[:port] (its label): Scrapy's politeness slot (delay, concurrency, a
    robots.txt Crawl-delay) and the Redis rate limit are per host:port, so two replicas on
    127.0.0.1 do not slow each other. Before: Scrapy's slot was the host name alone."""
    from scrapy import Request
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    from kazscraper.crawler import settings as project
    from kazscraper.distributed.rate_limit import take_host_turn

    crawler = get_crawler(settings_dict={"DOWNLOADER": project.DOWNLOADER})
    downloader = load_object(crawler.settings["DOWNLOADER"])(crawler)
    try:
        a, b = Request("http://127.0.0.1:8001/news/x"), Request("http://127.0.0.1:8002/news/x")
        assert downloader.get_slot_key(a) == "127.0.0.1:8001"
        assert downloader.get_slot_key(b) == "127.0.0.1:8002"
        same = Request("https://qazdauiri.kz/"), Request("http://qazdauiri.kz/news/y")
        assert {downloader.get_slot_key(r) for r in same} == {"qazdauiri.kz"}
        assert downloader.get_slot_key(Request("http://x.kz/", meta={"download_slot": "s"})) == "s"
    finally:
        downloader.close()
    client = redis.Redis.from_url(redis_url)
    assert take_host_turn(client, KEYS, "127.0.0.1:8001", 5.0) == 0.0
    assert take_host_turn(client, KEYS, "127.0.0.1:8002", 5.0) == 0.0  # a limit of its own
    assert take_host_turn(client, KEYS, "127.0.0.1:8001", 5.0) > 0


def test_a_raising_article_callback_is_acknowledged_only_after_its_failure_is_pushed(
    redis_url: str,
) -> None:
    """An article page whose callback raised ends as a failure of stage ``spider``; its
    request leaves the worker's in-flight hash only once that failure is in the item list
    (a kill in between: the restarted worker fetches the page again, nothing is lost).
    Before: the spider middleware acknowledged it as the callback raised, before Scrapy's
    spider_error signal pushed the failure."""
    from scrapy import Request, signals
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler
    from twisted.python.failure import Failure

    from kazscraper.crawler.config import RUN_CONFIG
    from kazscraper.crawler.runner import CrawlOptions, crawl_config
    from kazscraper.distributed.ack import AckSpiderMiddleware
    from kazscraper.distributed.queue_pipeline import QueuePipeline
    from kazscraper.distributed.scheduler import INFLIGHT
    from kazscraper.distributed.spider import WorkerSpider

    settings = {
        "KAZSCRAPER_REDIS_URL": redis_url,
        "KAZSCRAPER_WORKER": "w1",
        "EXTENSIONS": {"kazscraper.distributed.lifecycle.WorkerLifecycle": 100},
        RUN_CONFIG: crawl_config(
            CrawlOptions(db_path="unused", site="qazdauiri", start_url="http://127.0.0.1:9/"),
            mode="worker",
        ),
    }
    crawler = get_crawler(WorkerSpider, settings)
    spider = WorkerSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    pipeline = QueuePipeline(crawler)  # pushes the spider's page_failed (signals hold it weakly)
    client = redis.Redis.from_url(redis_url)
    client.hset(KEYS.inflight("w1"), "f", "the request")
    asked = "http://127.0.0.1:9/news/a-page-that-breaks-the-callback"
    request = Request(asked, meta={"article_url": asked, INFLIGHT: "f"})
    response = HtmlResponse(asked, body=b"<html><h1>x</h1></html>", request=request)

    def callback():
        raise KeyError("k")
        yield

    with pytest.raises(KeyError):
        list(AckSpiderMiddleware(crawler).process_spider_output(response, callback()))
    assert client.hexists(KEYS.inflight("w1"), "f")  # not yet: no failure pushed
    crawler.signals.send_catch_log(
        signal=signals.spider_error, failure=Failure(KeyError("k")), response=response
    )
    records = [json.loads(r) for r in client.lrange(KEYS.items, 0, -1)]
    assert [(r.get("url"), r.get("stage")) for r in records] == [(asked, "spider")], records
    assert not client.hexists(KEYS.inflight("w1"), "f")
    assert pipeline.worker.name == "w1"


def test_a_worker_slow_to_start_stays_alive_from_its_join_to_its_spider(
    opened, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26, item 5 (the join-to-open gap): a worker joins, then starts Scrapy; under
    load that start outlived the heartbeat's TTL (the heartbeat began only when the spider
    opened). Meanwhile the store saw a worker joined, not alive, nothing in flight and an
    empty frontier: the crawl was over, so it closed it, and the worker, refused, stopped.
    Now the worker beats from its claim until its spider's own heartbeat takes over."""
    from kazscraper.crawler import runner
    from kazscraper.crawler.runner import CrawlOptions, CrawlResult
    from kazscraper.distributed import queue
    from kazscraper.distributed.worker import run_worker

    store, options = opened
    monkeypatch.setattr(queue, "HEARTBEAT_TTL", 1)  # a start 3x the TTL, not 3x 10 s
    seen: list[tuple[bool, bool]] = []

    def slow_start(*args: object) -> CrawlResult:
        for _ in range(12):  # Scrapy starting on a busy machine: ~3 TTLs
            time.sleep(0.25)
            seen.append((store.registry.alive("w1"), store.begin_close()))
        return CrawlResult(0, "finished", {})

    monkeypatch.setattr(runner, "run_spider", slow_start)
    worker = CrawlOptions(db_path=str(tmp_path / "w1.sqlite"), site="qazdauiri")
    run_worker(worker, options.redis_url, "w1", idle_timeout=0)
    assert store.registry.workers() == {"w1"}
    assert seen == [(True, False)] * 12  # alive throughout; the store never closed


def test_a_worker_holding_requests_with_no_progress_is_stalled_its_requests_go_back(
    opened,
) -> None:
    """Issue 26: a worker whose heartbeat beats but which finished no page for
    ``--stall-after`` seconds with requests in flight (a hung fetch) kept the crawl waiting
    for ever. The store's check puts its requests back at their priority, marks it stalled
    and stops waiting for it, once; a worker that makes progress is left alone; a late
    acknowledgement of a request given away is no progress; started again, it joins afresh.
    A dead worker (a stopped process, a machine gone) is stalled the same way."""
    from kazscraper.distributed.stall import Acks, requeue_stalled

    store, _ = opened
    client, registry = store.client, store.registry
    for name in ("w1", "w2", "w3"):
        assert registry.join(name, require_store=True) == JOINED
    first = json.dumps({"url": "http://a.test/1", "priority": 5})
    second = json.dumps({"url": "http://a.test/2", "priority": 0})
    client.hset(KEYS.inflight("w1"), mapping={"f1": first, "f2": second})
    client.hset(KEYS.inflight("w2"), mapping={"g": second})
    now = int(client.time()[0])
    client.hset(KEYS.progress("w1"), "at", now - 400)  # w1 beats; no page for 400 s
    third = json.dumps({"url": "http://a.test/3", "priority": 1})
    client.hset(KEYS.inflight("w3"), mapping={"h": third})
    client.hset(KEYS.progress("w3"), "at", now - 301)  # w3 stopped (SIGSTOP) 301 s ago
    client.delete(KEYS.alive("w3"))
    assert registry.waiting_for() == ["w1", "w2", "w3"]

    found = sorted(requeue_stalled(client, KEYS, 300), key=lambda s: s.worker)
    assert [(s.worker, s.requests) for s in found] == [("w1", 2), ("w3", 1)]
    assert found[0].seconds >= 400 and found[1].seconds >= 301
    assert client.hlen(KEYS.inflight("w1")) == 0 and client.hlen(KEYS.inflight("w2")) == 1
    assert client.zrange(KEYS.requests, 0, -1, withscores=True) == [
        (first.encode(), -5.0),
        (third.encode(), -1.0),
        (second.encode(), 0.0),
    ]
    assert registry.alive("w1") and registry.waiting_for() == ["w2"]
    assert requeue_stalled(client, KEYS, 300) == []  # once

    Acks(client, KEYS, "w1")("f1", page=True)  # its hung fetch answered after all
    assert client.hget(KEYS.progress("w1"), "pages") is None
    Acks(client, KEYS, "w2")("g", page=True)
    assert client.hget(KEYS.progress("w2"), "pages") == b"1"
    assert int(client.hget(KEYS.progress("w2"), "at")) >= now

    registry.finish("w2", finished=True)
    client.delete(KEYS.requests)  # the other workers fetched them
    assert store.begin_close()  # w1 beats, but the crawl no longer waits for it
    registry.reopen()
    assert registry.join("w1", require_store=True) == JOINED  # restarted under its name
    assert not client.sismember(KEYS.stalled, "w1") and registry.waiting_for() == ["w1"]


def test_a_worker_idle_longer_than_stall_after_is_not_stalled_by_its_next_take(opened) -> None:
    """The stall clock counts from the worker's last finished page *with requests in
    flight*: a worker idle on an empty frontier for longer than ``--stall-after`` that then
    takes a request starts its clock at that take (before: the store's next check gave its
    fresh request away and told it to stop). A worker that takes more while a request is
    still in flight keeps its clock (a hung fetch stays found)."""
    from kazscraper.distributed.scheduler import _TAKE
    from kazscraper.distributed.stall import requeue_stalled

    store, _ = opened
    client, registry = store.client, store.registry
    take = client.register_script(_TAKE)
    for name in ("w1", "w2"):
        assert registry.join(name, require_store=True) == JOINED
    now = int(client.time()[0])
    for name in ("w1", "w2"):
        client.hset(KEYS.progress(name), "at", now - 1000)  # its last page, 1,000 s ago
    client.hset(KEYS.inflight("w2"), "hung", json.dumps({"url": "http://a.test/0"}))
    for n in (1, 2):
        client.zadd(KEYS.requests, {json.dumps({"url": f"http://a.test/{n}"}): 0})
    for name in ("w1", "w2"):
        assert take(keys=[KEYS.requests, KEYS.inflight(name), KEYS.progress(name)])
    assert int(client.hget(KEYS.progress("w1"), "at")) >= now
    assert int(client.hget(KEYS.progress("w2"), "at")) == now - 1000
    found = requeue_stalled(client, KEYS, 300)
    assert [(s.worker, s.requests) for s in found] == [("w2", 2)]
    assert client.hlen(KEYS.inflight("w1")) == 1


def test_a_worker_is_stalled_only_past_stall_after_whole_seconds(opened) -> None:
    """Redis's clock is read in whole seconds: a last page at ``at`` (a whole second) and a
    check at ``now`` are ``now - at`` apart give or take a second, so ``now - at`` equal to
    ``--stall-after`` may be a second less. Before, that stalled a worker: with
    ``--stall-after 2`` one that had finished a page 1.1 s earlier (the fault test's healthy
    worker, at load 19, exited 1 'stalled'). Now only ``now - at`` past it stalls."""
    from kazscraper.distributed.stall import requeue_stalled

    store, _ = opened
    client, registry = store.client, store.registry
    assert registry.join("w1", require_store=True) == JOINED
    for _ in range(100):  # a check within the second ``now`` was read in (bounded tries)
        client.delete(KEYS.requests, KEYS.stalled)
        client.hset(KEYS.inflight("w1"), "f", json.dumps({"url": "http://a.test/1"}))
        now = int(client.time()[0])
        client.hset(KEYS.progress("w1"), "at", now - 2)  # 1 to 2 seconds ago (and a few ms)
        found = requeue_stalled(client, KEYS, 2)
        if int(client.time()[0]) == now:
            break
    assert found == []
    client.hset(KEYS.progress("w1"), "at", now - 3)  # over 2 seconds ago, whatever the ms
    assert [(s.worker, s.requests) for s in requeue_stalled(client, KEYS, 2)] == [("w1", 1)]


def test_a_store_resuming_a_ready_crawl_keeps_the_profiles_its_workers_were_given(
    opened,
) -> None:
    """A store restarted on a ready crawl publishes no profile again (by design, not an
    oversight): a profile accepted meanwhile would have the crawl's late workers extract
    with another profile than its first ones. The next crawl publishes it."""
    from kazscraper.distributed.store import publish_profiles
    from kazscraper.sites.profile_file import (
        ProfileFile,
        Rule,
        learned_profile_path,
        write_profile_file,
    )

    store, options = opened  # ready, with no learned profile
    path = learned_profile_path(Path(options.db_path), "127.0.0.1:9")
    path.parent.mkdir()
    write_profile_file(path, ProfileFile({}, {"title": Rule("h1.title", (5, 5))}), "accepted")
    assert _claim(store.client, KEYS, store.archive, options) == store.crawl_id  # resumed
    assert store.client.hgetall(KEYS.profiles) == {}
    publish_profiles(store.client, KEYS, options.db_path)  # what the next crawl publishes
    assert list(store.client.hgetall(KEYS.profiles)) == [path.name.encode()]
