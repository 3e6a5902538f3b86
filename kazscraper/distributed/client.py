"""The Redis client of a worker or the store, checked when it is made."""

from __future__ import annotations

import redis


def connect(redis_url: str) -> redis.Redis:
    """A client for ``redis_url`` (``redis://[:password@]host:port/db``), checked with PING."""
    client = redis.Redis.from_url(redis_url, socket_timeout=30, health_check_interval=30)
    client.ping()
    return client
