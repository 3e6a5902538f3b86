"""A start host whose name does not resolve fails at the first try (issue 25, item 3).

A DNS failure is known at once: retrying it (three times per request, with back-off) only
delayed the verdict by ~40 s when offline. ``.invalid`` never resolves (RFC 2606), so the
test needs no network.
"""

from __future__ import annotations

from pathlib import Path

from kazscraper.crawler.archive_files import log_directory

from .conftest import run_cli


def test_a_host_that_does_not_resolve_fails_without_retries(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    done = run_cli("crawl", "--start-url", "http://kazscraper-test.invalid/", "--db", str(db))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no page could be fetched from kazscraper-test.invalid: host name not found (DNS)" in (
        done.stderr
    )
    (log,) = log_directory(db).glob("*.log")
    stats = log.read_text(encoding="utf-8")
    assert "CannotResolveHostError" in stats or "DNSLookupError" in stats
    assert "'retry/count'" not in stats, "a name that does not resolve was retried"
