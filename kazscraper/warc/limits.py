"""Reading WARC records within bounds: payload and header sizes, and damaged records.

Reading back streams: one record's payload at a time, never more than ``max_bytes`` of
it (a gzip bomb kept in the archive is skipped as too large, not inflated), header
lines capped in size, and whatever warcio raises on a damaged record (truncated,
corrupted) is named in ``DAMAGED`` so that readers skip it and go on.
"""

from __future__ import annotations

import contextlib
import io
import zlib
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from kazscraper.compat import swap_archive_reader

#: the most payload bytes read back from one record (Scrapy's DOWNLOAD_MAXSIZE by default)
DEFAULT_RECORD_MAX = 10 * 1024 * 1024
CHUNK = 64 * 1024


class DamagedRecord(Exception):
    """A record whose block ends before its Content-Length: its gzip member is damaged
    (warcio reports such an inflate error only on stderr and returns what it has)."""


MAX_TARGET_URI = 8_192  # the longest URL the archive stores (archive/values.py)
#: the most bytes of header lines (WARC and HTTP) read for one record: the crawl caps a
#: response's headers at 1 MB (KAZSCRAPER_MAX_HEADER_BYTES); a record's own are ~1 KB
MAX_WARC_HEADER_BYTES = 4 * 1024 * 1024

#: what a damaged record raises while warcio reads it
DAMAGED = (
    DamagedRecord,
    ArchiveLoadFailed,
    EOFError,
    OSError,
    ValueError,
    zlib.error,
    StatusAndHeadersParserException,
    AttributeError,  # warcio on a record without WARC-Target-URI ('NoneType'.startswith)
)


class TooLarge(Exception):
    """A record's payload is larger than the reader's cap."""


def bounded_payload(record: object, max_bytes: int, as_sent: bool = False) -> bytes:
    """The record's payload, at most ``max_bytes``, whole and as written: a block cut short
    (a damaged gzip member) raises ``DamagedRecord``, one whose bytes changed fails its
    WARC-Block-Digest (the iterators read with ``check_digests="raise"``). With ``as_sent``
    the payload's Content-Encoding is left as it came (``kazscraper.compat.decode_content``
    undoes it as the crawl did); else warcio undoes what it knows (one gzip member only)."""
    swallowed = io.StringIO()  # warcio writes the inflate error it swallows to stderr
    stream = record.raw_stream if as_sent else record.content_stream()  # type: ignore[attr-defined]
    with contextlib.redirect_stderr(swallowed):
        body = stream.read(max_bytes + 1)
    if len(body) > max_bytes:
        raise TooLarge(f"payload larger than {max_bytes} bytes")
    missing = getattr(record.raw_stream, "limit", 0)  # type: ignore[attr-defined]
    if missing:
        cause = swallowed.getvalue().strip()[:200] or "damaged gzip"
        raise DamagedRecord(f"record block cut short ({missing} bytes missing): {cause}")
    return body


class _HeaderCappedReader(DecompressingBufferedReader):
    """warcio's reader, whose header lines (read by ``readline``) are counted between two
    payload reads: past ``MAX_WARC_HEADER_BYTES`` the record is damaged. warcio reads a
    header line whole, so a crafted member inflating to one 200 MB line would be held whole."""

    def readline(self, length: int | None = None) -> bytes:
        seen = getattr(self, "_header_bytes", 0)
        room = MAX_WARC_HEADER_BYTES - seen
        if room <= 0:
            raise DamagedRecord(f"WARC headers larger than {MAX_WARC_HEADER_BYTES} bytes")
        line: bytes = super().readline(room if length is None else min(length, room))
        self._header_bytes = seen + len(line)
        return line

    def read(self, length: int | None = None) -> bytes:
        self._header_bytes = 0
        data: bytes = super().read(length)
        return data


def archive_iterator(fh: BinaryIO, **options: Any) -> ArchiveIterator:
    """warcio's ``ArchiveIterator`` over ``fh``, its header lines capped in size."""
    return swap_archive_reader(ArchiveIterator(fh, **options), _HeaderCappedReader)
