"""What a page costs in Redis: the store's take and a worker's lookups, counted in the
commands a real redis-server processed (``INFO stats``), never in seconds."""

from __future__ import annotations

import threading

import redis

from kazscraper.distributed import RedisKeys
from kazscraper.distributed.queue import ItemQueue
from kazscraper.distributed.shared import CrawlKnown

KEYS = RedisKeys()


def commands(client: redis.Redis) -> int:
    """Commands the server has processed so far (this INFO included)."""
    return int(client.info("stats")["total_commands_processed"])


def test_taking_a_batch_costs_a_few_commands_whatever_the_batch_size(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    queue = ItemQueue(client, KEYS)
    queue.push(b"r0", b"r1")
    before = commands(client)
    assert queue.take(500, timeout=1) == [b"r0", b"r1"]
    # a handful (the commands inside the script count too); before, an LMOVE per place
    # in the batch: 499 for two records
    assert commands(client) - before - 1 <= 10
    queue.ack()
    queue.push(*(f"s{i}".encode() for i in range(1200)))
    taken = queue.take(1100, timeout=1)
    assert taken == [f"s{i}".encode() for i in range(1100)]  # in order, none lost
    assert client.lrange(KEYS.processing, 0, -1) == taken  # kept until acknowledged
    assert queue.take(1100, timeout=1) == taken  # a killed store gets them again
    queue.ack()
    assert queue.take(1100, timeout=1) == [f"s{i}".encode() for i in range(1100, 1200)]
    queue.ack()
    assert queue.backlog() == 0


def test_records_pushed_while_the_store_lingers_join_its_batch(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    queue = ItemQueue(client, KEYS)
    pusher = redis.Redis.from_url(redis_url)

    def push_when_the_first_is_taken() -> None:
        for _ in range(2000):
            if pusher.llen(KEYS.processing):
                break
            threading.Event().wait(0.005)
        ItemQueue(pusher, KEYS).push(b"r1", b"r2")

    thread = threading.Thread(target=push_when_the_first_is_taken)
    queue.push(b"r0")
    thread.start()
    try:
        assert queue.take(10, timeout=1, linger=2.0) == [b"r0", b"r1", b"r2"]
    finally:
        thread.join()
    queue.ack()


def test_an_empty_archive_is_not_asked_about_each_url(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    known = CrawlKnown(client, KEYS)
    before = commands(client)
    urls = [f"http://127.0.0.1:9/news/{i}" for i in range(50)]
    assert not any(url in known for url in urls)
    assert commands(client) - before - 1 == 0  # before: a SISMEMBER per URL
