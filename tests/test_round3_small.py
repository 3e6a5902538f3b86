"""Smaller items of issue 21 (item 13): a non-ASCII Retry-After, a hard link to the archive."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.retry import retry_after_seconds
from kazscraper.crawler.run_lock import AlreadyRunning, RunLock


@pytest.mark.parametrize("value", [b"\xb2", "²".encode(), "٣".encode(), b"1\xb2"])
def test_a_retry_after_of_other_digits_is_no_wait_not_an_error(value: bytes) -> None:
    assert retry_after_seconds(value) is None


def test_retry_after_seconds_still_read() -> None:
    assert retry_after_seconds(b" 7 ") == 7.0


def test_a_hard_link_to_the_archive_takes_the_same_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    Archive(db).close()
    (tmp_path / "other").mkdir()
    link = tmp_path / "other" / "b.sqlite"
    os.link(db, link)
    with RunLock(db), pytest.raises(AlreadyRunning):
        RunLock(link).acquire()
    with RunLock(link):  # released: free again
        pass
