"""Whoever can write to Redis must not steer a worker or the store (issue 26, item 3).

Hostile entries are written into a real redis-server before a real worker and store run
on a small replica over HTTP: requests naming a class path, a ``file:`` URL, another
host, a POST, a private method as callback, garbage; records with a ``file:`` URL, a WARC
file outside the folder, wrong types. Each is dropped and counted, never imported, fetched
or written; the crawl itself completes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kazscraper.crawler.archive_files import log_directory
from kazscraper.distributed import RedisKeys, serializer, wire
from kazscraper.distributed.scheduler import BAD_REQUESTS
from kazscraper.replica.server import ReplicaServer
from kazscraper.replica.site import ReplicaSite

from .conftest import RedisServer
from .helpers import count, finish, output, rows, start_store, start_worker

KEYS = RedisKeys()
ARTICLES = 12


def hostile_requests(origin: str, probe: str) -> list[bytes]:
    good = {"url": origin + "/", "callback": "parse_listing", "errback": "on_error",
            "method": "GET", "headers": {}, "body": b"", "cookies": {}, "meta": {},
            "encoding": "utf-8", "priority": 0, "dont_filter": True, "flags": [],
            "cb_kwargs": {}}  # fmt: skip
    entries = [
        {**good, "_class": f"{probe}.Evil"},  # request_from_dict would import it
        {**good, "url": "file:///etc/hostname", "meta": {"allow_offsite": True}},
        {**good, "url": "http://127.0.0.1:1/elsewhere"},  # the crawl's host, not its port
        {**good, "url": "http://example.invalid/x"},
        {**good, "method": "POST", "body": b"x=1"},
        {**good, "callback": "_open_archive"},
        {**good, "meta": {"proxy": "http://127.0.0.1:1"}},
        {**good, "priority": "high"},
    ]
    return [serializer.dumps(e) for e in entries] + [b"\x80not json", b"[1, 2]"]


def hostile_records(origin: str) -> list[bytes]:
    capture = {"url": origin + "/news/x", "status": 200, "fetched_at": "2026-01-01T00:00:00+00:00",
               "record_type": "response", "warc_file": "a-w1-1.warc.gz", "offset": 0,
               "length": 10, "payload_digest": "sha1:X", "content_type": "text/html"}  # fmt: skip
    records = [
        {"kind": "capture", "capture": {**capture, "url": "file:///etc/hostname"}},
        {"kind": "capture", "capture": {**capture, "warc_file": "../../etc/passwd"}},
        {"kind": "capture", "capture": {**capture, "offset": "0"}},
        {"kind": "failure", "url": origin + "/x", "stage": "fetch", "reason": ["a"]},
        {"kind": "alias", "url": "javascript:alert(1)", "canonical": origin + "/news/x"},
        {"kind": "stats", "worker": "w9", "run": "r", "stats": {"x": "not a number"}},
        {
            "kind": "article",
            "article": {"url": origin + "/news/x", "fetched_url": 1, "fetched_at": "2026-01-01"},
        },
    ]
    return [json.dumps(r).encode() for r in records]


def test_hostile_records_are_refused_by_decode() -> None:
    for raw in hostile_records("http://127.0.0.1:9"):
        with pytest.raises(wire.BadRecord):
            wire.decode(raw)


def test_hostile_requests_are_dropped_counted_never_run(
    tmp_path: Path,
    redis_url: str,
    redis_server: RedisServer,
    replicas: Callable[[int], tuple[ReplicaSite, ReplicaServer]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site, server = replicas(ARTICLES)
    db = tmp_path / "press.sqlite"
    # a module that leaves a mark when it is imported, on the worker's path
    probe = "kazscraper_hostile_probe"
    marker = tmp_path / "imported"
    (tmp_path / f"{probe}.py").write_text(
        f"open({str(marker)!r}, 'w').close()\nclass Evil:\n    pass\n"
    )
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    client = redis_server.client()
    requests = hostile_requests(server.origin, probe)
    store = start_store(db, redis_url, "--batch-size", "5")
    # taken before anything else (the lowest score first), some from the in-flight
    # hash a worker's earlier life left (put back into the frontier when it starts)
    client.zadd(KEYS.requests, {r: -1000 for r in requests[:6]})
    client.hset(KEYS.inflight("w1"), mapping={f"f{i}": r for i, r in enumerate(requests[6:])})
    client.rpush(KEYS.items, *hostile_records(server.origin))
    worker = start_worker(server, db, redis_url, "w1")
    assert finish(worker) == 0, output(db, "w1")
    assert finish(store) == 1, output(db, "store")  # the rejected records fail it
    log = output(db, "w1")
    assert not marker.exists()  # the class path was never imported
    assert log.count("dropped a queued request that is not a worker's") == len(requests), log
    (worker_log,) = log_directory(db).glob("press-w1-*.log")
    assert re.search(rf"'{BAD_REQUESTS}': {len(requests)}\b", worker_log.read_text()), log
    urls = {r[0] for r in rows(db, "SELECT url FROM captures")}
    urls |= {r[0] for r in rows(db, "SELECT url FROM failures")}
    assert all(u.startswith(server.origin) or u.startswith(server.mirror_origin) for u in urls)
    assert not any("elsewhere" in u or "example.invalid" in u for u in urls)
    # the crawl itself went on: every article stored once
    assert count(db, "SELECT count(DISTINCT url) FROM articles") == site.n_articles
    # the records: kept aside in Redis and counted in the crawls row's verdict
    (verdict,) = rows(db, "SELECT verdict FROM crawls")[0]
    assert verdict.startswith(f"{len(hostile_records(server.origin))} queued record(s) unusable")
    assert client.llen("kazscraper:rejected") == len(hostile_records(server.origin))
