"""Raw capture: WARC records written, rotated, deduplicated as revisits, recovered, read back."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kazscraper.warc import (
    Exchange,
    WarcArchiver,
    payload_digest,
    read_captures,
    recover_open_files,
)

HTML = "<html><body><p>Қазақстан дәуірі</p></body></html>".encode()


def exchange(
    url: str = "https://qazdauiri.kz/news/a", body: bytes = HTML, status: int = 200
) -> Exchange:
    return Exchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "kazscraper-test")],
        status=status,
        response_headers=[
            ("Content-Type", "text/html; charset=utf-8"),
            ("Transfer-Encoding", "chunked"),
        ],
        body=body,
        fetched_at=datetime(2025, 12, 12, 8, 0, 0, tzinfo=UTC),
    )


def warcio_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    warcio = Path(sys.executable).parent / "warcio"
    return subprocess.run(
        [str(warcio), "check", *map(str, paths)], capture_output=True, text=True, check=False
    )


def test_records_are_valid_and_read_back(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    first = archiver.write(exchange())
    other = archiver.write(exchange("https://qazdauiri.kz/news/b", b"<p>other</p>"))
    archiver.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 1 and not list(tmp_path.glob("*.open"))
    assert warcio_check(*files).returncode == 0
    assert first.record_type == "response" and first.payload_digest == payload_digest(HTML)
    assert first.fetched_at == "2025-12-12T08:00:00+00:00"
    pages = list(read_captures(tmp_path))
    assert [p.capture.url for p in pages] == [first.url, other.url]
    assert pages[0].body == HTML
    assert (pages[0].capture.offset, pages[0].capture.length) == (first.offset, first.length)
    assert all(k.lower() != "transfer-encoding" for k, _ in pages[0].headers)


def test_each_record_is_its_own_gzip_member_at_its_offset(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    capture = archiver.write(exchange())
    archiver.close()
    raw = next(tmp_path.glob("*.warc.gz")).read_bytes()
    member = gzip.decompress(raw[capture.offset : capture.offset + capture.length])
    assert member.startswith(b"WARC/1.")
    assert b"WARC-Type: response" in member and HTML in member


def test_same_payload_again_is_a_revisit_and_304_too(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    first = archiver.write(exchange())
    again = archiver.write(exchange(), previous=first)
    not_modified = archiver.write(exchange(body=b"", status=304), previous=first)
    changed = archiver.write(exchange(body=HTML + b"<p>edit</p>"), previous=first)
    archiver.close()
    assert [c.record_type for c in (first, again, not_modified, changed)] == [
        "response",
        "revisit",
        "revisit",
        "response",
    ]
    assert not_modified.payload_digest == first.payload_digest
    assert again.length < first.length
    pages = list(read_captures(tmp_path))
    assert [p.body for p in pages[:3]] == [HTML, HTML, HTML]  # revisits resolve to the payload
    assert pages[2].capture.status == 304
    assert warcio_check(*tmp_path.glob("*.warc.gz")).returncode == 0


def test_files_rotate_by_size(tmp_path: Path) -> None:
    archiver = WarcArchiver(tmp_path, "test", max_bytes=2_000)
    noise = random.Random(1)
    for i in range(6):
        body = bytes(noise.randrange(256) for _ in range(1_500))  # does not compress
        archiver.write(exchange(f"https://qazdauiri.kz/news/{i}", body))
    archiver.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    assert warcio_check(*files).returncode == 0
    assert [p.capture.url[-1] for p in read_captures(tmp_path)] == list("012345")


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_a_file_torn_by_a_kill_is_trimmed_to_whole_records(tmp_path: Path, cut: int) -> None:
    archiver = WarcArchiver(tmp_path, "test")
    archiver.write(exchange())
    archiver.write(exchange("https://qazdauiri.kz/news/b"))
    archiver._fh.flush()  # the process dies here: no close, no rename
    torn = next(tmp_path.glob("*.open"))
    torn.write_bytes(torn.read_bytes()[:-cut])
    recovered = recover_open_files(tmp_path)
    assert len(recovered) == 1 and not list(tmp_path.glob("*.open"))
    assert warcio_check(*recovered).returncode == 0
    # only the last (request) record was torn: both responses survive whole
    assert [p.capture.url[-1] for p in read_captures(tmp_path)] == ["a", "b"]
