"""The captures index: the ``captures`` rows a killed run did not write, found in its files."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from kazscraper.warc.files import own_files
from kazscraper.warc.limits import CHUNK, DAMAGED, archive_iterator
from kazscraper.warc.records import Capture, first_header, iso_date


def unindexed_captures(path: Path, spans: list[tuple[int, int]]) -> Iterator[Capture]:
    """The response and revisit records of ``path`` outside ``spans`` ((offset, length) of
    the records already indexed).

    Only the gaps between indexed records are read (the request records, and whatever a
    killed run wrote but did not index), record headers parsed, payloads streamed through
    a bounded chunk at a time, never inflated into memory. A damaged record ends the
    reading of its gap."""
    size = path.stat().st_size
    gaps: list[tuple[int, int]] = []
    start = 0
    for offset, length in sorted(spans):
        if offset > start:
            gaps.append((start, offset))
        start = max(start, offset + length)
    if start < size:
        gaps.append((start, size))
    with open(path, "rb") as fh:
        for gap_start, gap_end in gaps:
            if _only_a_request(fh, gap_start, gap_end):
                continue  # the usual gap: the request record written after its response
            fh.seek(gap_start)
            iterator = archive_iterator(fh)
            try:
                for record in iterator:
                    offset = iterator.get_record_offset()
                    if offset >= gap_end:
                        break
                    if record.rec_type not in ("response", "revisit"):
                        continue
                    rec_headers, http_headers = record.rec_headers, record.http_headers
                    while record.raw_stream.read(CHUNK):
                        pass
                    headers = http_headers.headers if http_headers else []
                    yield Capture(
                        url=rec_headers.get_header("WARC-Target-URI"),
                        status=int(http_headers.get_statuscode()) if http_headers else 0,
                        fetched_at=iso_date(rec_headers.get_header("WARC-Date")),
                        record_type=record.rec_type,
                        warc_file=path.name,
                        offset=offset,
                        length=iterator.get_record_length(),
                        payload_digest=rec_headers.get_header("WARC-Payload-Digest") or "",
                        content_type=first_header(headers, "content-type"),
                    )
            except DAMAGED:
                continue


_REQUEST_MAX = 64 * 1024  # a request record is headers only


def _only_a_request(fh: BinaryIO, start: int, end: int) -> bool:
    """Whether bytes ``start``..``end`` are exactly one gzip member holding a request record
    (checked with zlib alone: the fast path that keeps re-indexing cheap)."""
    if not 0 < end - start <= _REQUEST_MAX:
        return False
    fh.seek(start)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        head = inflater.decompress(fh.read(end - start), _REQUEST_MAX)
    except zlib.error:
        return False
    complete = inflater.eof and not inflater.unused_data
    return complete and head.startswith(b"WARC/") and b"\r\nWARC-Type: request\r\n" in head


class CaptureIndex(Protocol):
    """What ``reindex_captures`` needs of the archive (``Archive`` is one)."""

    def capture_spans(self, warc_file: str, size: int) -> list[tuple[int, int]]: ...

    def add_captures(self, captures: Iterable[Capture]) -> None: ...


def reindex_captures(archive: CaptureIndex, directory: str | Path, name: str) -> int:
    """Add the ``captures`` rows missing for records of the archive's WARC files (a run
    killed with ``kill -9`` wrote records whose rows were still in memory); rows that
    point past the end of their file are dropped. Returns how many rows were added."""
    added = 0
    for path in own_files(directory, name):
        spans = archive.capture_spans(path.name, path.stat().st_size)
        batch: list[Capture] = []
        for capture in unindexed_captures(path, spans):
            batch.append(capture)
            if len(batch) >= 500:
                archive.add_captures(batch)
                added, batch = added + len(batch), []
        if batch:
            archive.add_captures(batch)
            added += len(batch)
    return added
