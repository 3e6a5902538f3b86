"""The Redis client of a worker or the store, checked when it is made.

Every command is retried while Redis is unreachable or stalled (a restart, a failover, a
``SIGSTOP``), with back-off, for at most ``patience`` seconds (``KAZSCRAPER_REDIS_PATIENCE``,
default 120; a command waits ``KAZSCRAPER_REDIS_TIMEOUT`` seconds for its reply, default
10); then the error is raised, and the worker or the store exits non-zero with
one line. A command retried after a lost reply may run twice: every write of the mode is
idempotent or counted again harmlessly (``docs/distributed.md``).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

PATIENCE_ENV = "KAZSCRAPER_REDIS_PATIENCE"
PATIENCE = 120.0  # seconds a command is retried while Redis is unreachable
TIMEOUT_ENV = "KAZSCRAPER_REDIS_TIMEOUT"
SOCKET_TIMEOUT = 10.0  # seconds one command may wait for its reply (a stalled Redis)


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name) or default))
    except ValueError:
        return default


def patience() -> float:
    """``KAZSCRAPER_REDIS_PATIENCE`` seconds (default 120)."""
    return _seconds(PATIENCE_ENV, PATIENCE)


class PatientRetry(Retry):
    """Redis's retry, bounded by time rather than by a count of attempts: ``seconds`` per
    outage, not per command (once Redis has been gone that long, every command fails at
    once until one succeeds: a worker closing does not wait again for each of its acks)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(ExponentialBackoff(cap=5.0, base=0.25), retries=1_000_000)
        self.seconds = seconds
        self.down_since: float | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> PatientRetry:
        return self  # one outage clock for every connection of the client

    def call_with_retry(
        self,
        do: Callable[[], Any],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> Any:
        failures = 0
        while True:
            try:
                result = do()
                self.down_since = None
                return result
            except self._supported_errors as error:
                if self.down_since is None:
                    self.down_since = time.monotonic()
                deadline = self.down_since + self.seconds
                if is_retryable is not None and not is_retryable(error):
                    raise
                failures += 1
                if with_failure_count:
                    fail(error, failures)
                else:
                    fail(error)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise
                if failures == 1:
                    logger.warning("Redis failed (%s); retrying for up to %.0fs", error, left)
                time.sleep(min(self._backoff.compute(failures), left))


def connect(redis_url: str, wait: float | None = None) -> redis.Redis:
    """A client for ``redis_url`` (``redis://[:password@]host:port/db``), checked with PING
    (without retries: a wrong URL fails at once); its commands then retry for ``wait``
    seconds (default ``patience()``)."""
    seconds = patience() if wait is None else wait
    timeout = _seconds(TIMEOUT_ENV, SOCKET_TIMEOUT) or SOCKET_TIMEOUT
    client = redis.Redis.from_url(
        redis_url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        health_check_interval=30,
        retry=PatientRetry(0.0),
    )
    client.ping()
    client.set_retry(PatientRetry(seconds))
    return client
