"""The WARC replay undoes Content-Encoding as the crawl does (issue 21, items 1, 2 and 4).

Each record is written as the crawl writes it (``WarcArchiver``: the body as transferred,
its headers as sent), then read back by ``read_captures``: the body must be what Scrapy's
``HttpCompressionMiddleware`` gave the crawl's spider, and a body the middleware refused
(past the size cap) is refused the same way, counted, and not taken for damage.
"""

from __future__ import annotations

import gzip
import importlib
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import brotli
import pytest

from kazscraper.warc.limits import MAX_TARGET_URI
from kazscraper.warc.records import Exchange
from kazscraper.warc.replay import read_captures
from kazscraper.warc.writer import WarcArchiver

# the standard library's zstd from Python 3.14, else backports.zstd (a declared dependency)
zstd: Any = importlib.import_module(
    "compression.zstd" if sys.version_info >= (3, 14) else "backports.zstd"
)

ARTICLE = (
    "<html><body><article><p>" + "Қазақстан дәуірі. " * 120 + "</p></article></body></html>"
).encode()
HALF = len(ARTICLE) // 2


def _members(count: int) -> bytes:
    step = -(-len(ARTICLE) // count)
    return b"".join(gzip.compress(ARTICLE[i : i + step]) for i in range(0, len(ARTICLE), step))


def _write(directory: Path, body: bytes, encodings: list[str], url: str = "") -> None:
    archiver = WarcArchiver(directory, "test")
    headers = [("Content-Type", "text/html; charset=utf-8")]
    headers += [("Content-Encoding", value) for value in encodings]
    archiver.write(
        Exchange(
            url=url or "https://qazdauiri.kz/news/a",
            method="GET",
            request_headers=[("Accept-Encoding", "gzip, deflate, br, zstd")],
            status=200,
            response_headers=headers,
            body=body,
            fetched_at=datetime(2025, 12, 12, 8, 0, 0, tzinfo=UTC),
        )
    )
    archiver.close()


CASES = {
    "gzip, two members": (_members(2), ["gzip"]),
    "gzip, forty members": (_members(40), ["gzip"]),
    "x-gzip": (gzip.compress(ARTICLE), ["x-gzip"]),
    "zstd": (zstd.compress(ARTICLE), ["zstd"]),
    "gzip, gzip": (gzip.compress(gzip.compress(ARTICLE)), ["gzip, gzip"]),
    "two Content-Encoding lines": (gzip.compress(gzip.compress(ARTICLE)), ["gzip", "gzip"]),
    "br, gzip": (gzip.compress(brotli.compress(ARTICLE)), ["br, gzip"]),
    "deflate": (__import__("zlib").compress(ARTICLE), ["deflate"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_capture_reads_back_decoded_as_the_crawl_read_it(tmp_path: Path, case: str) -> None:
    body, encodings = CASES[case]
    _write(tmp_path, body, encodings)
    skipped: list[tuple[str, str, str]] = []
    (page,) = read_captures(tmp_path, on_skipped=lambda *s: skipped.append(s))
    assert page.body == ARTICLE, case
    assert not [v for k, v in page.headers if k.lower() == "content-encoding"]
    assert skipped == []


def test_a_coding_nobody_decodes_is_left_named(tmp_path: Path) -> None:
    _write(tmp_path, gzip.compress(b"xx"), ["gzip, snappy"])  # snappy is outermost: kept
    (page,) = read_captures(tmp_path)
    assert ("Content-Encoding", "snappy, gzip") in page.headers or any(
        k.lower() == "content-encoding" for k, _ in page.headers
    )


def test_a_body_the_crawl_refused_is_refused_not_damaged(tmp_path: Path) -> None:
    """A gzip bomb: the middleware refused it past DOWNLOAD_MAXSIZE; so does the replay,
    as 'refused' (counted, never fatal), not as a damaged record."""
    bomb = _members(1)[:0] + gzip.compress(b"\0" * (4 * 1024 * 1024), compresslevel=9)
    _write(tmp_path, bomb, ["gzip"])
    skipped: list[tuple[str, str, str]] = []
    pages = list(read_captures(tmp_path, 1024 * 1024, on_skipped=lambda *s: skipped.append(s)))
    assert pages == [] and [kind for kind, _, _ in skipped] == ["refused"]


def test_a_target_uri_longer_than_the_archive_keeps_is_refused_not_damaged(
    tmp_path: Path,
) -> None:
    """An on-site redirect to a 10 KB URL: the crawl captured it and stored no article."""
    long_url = "https://qazdauiri.kz/news/" + "a" * (MAX_TARGET_URI + 2_000)
    _write(tmp_path, ARTICLE, [], url=long_url)
    skipped: list[tuple[str, str, str]] = []
    assert list(read_captures(tmp_path, on_skipped=lambda *s: skipped.append(s))) == []
    assert [kind for kind, _, _ in skipped] == ["refused"]
