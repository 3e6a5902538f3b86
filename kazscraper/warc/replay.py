"""Reading captures back, in capture order, revisits resolved: what ``kazscraper reparse`` reads.

Revisits re-read their original from its file and offset (an index of offsets, not
bodies), a damaged record is skipped and reported while reading goes on with the
next whole record, and only an archive's own files (and its workers') are read.
"""

from __future__ import annotations

import heapq
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from kazscraper.compat import DecodedTooLarge, decode_content
from kazscraper.warc.files import own_files, warc_files
from kazscraper.warc.limits import (
    CHUNK,
    DAMAGED,
    DEFAULT_RECORD_MAX,
    MAX_TARGET_URI,
    DamagedRecord,
    TooLarge,
    archive_iterator,
    bounded_payload,
)
from kazscraper.warc.records import Capture, first_header, iso_date, payload_digest

_GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass(frozen=True)
class StoredPage:
    """A response read back from the WARC files, for reparsing."""

    capture: Capture
    headers: list[tuple[str, str]]  # of the decoded payload (no Content-Encoding undone)
    body: bytes  # decoded payload (content-encoding undone)


#: called for a record that is skipped: (kind, where, reason); kind 'damaged' (cannot be
#: read back), 'too_large' (a payload past the reader's cap) or 'refused' (a capture the
#: crawl refused as well: a body past DOWNLOAD_MAXSIZE once decoded, a URL no table keeps)
OnSkipped = Callable[[str, str, str], None]


class Refused(Exception):
    """A capture the crawl refused too (``OnSkipped`` kind 'refused')."""


def decoded(
    headers: list[tuple[str, str]], body: bytes, max_bytes: int
) -> tuple[list[tuple[str, str]], bytes]:
    """The headers and body a crawl's spider got of this payload as sent: Content-Encoding
    undone by the crawl's own decoding (``kazscraper.compat.decode_content``, Scrapy's
    ``HttpCompressionMiddleware``), at most ``max_bytes`` decoded (else ``Refused``, as the
    middleware refused it); the codings nobody decodes stay named."""
    codings = [v for k, v in headers if k.lower() == "content-encoding"]
    if not codings:
        return headers, body
    try:
        body, kept = decode_content(body, codings, max_bytes)
    except DecodedTooLarge as exc:
        raise Refused(f"larger than {max_bytes} bytes once decoded, as the crawl found") from exc
    except (OSError, EOFError, ValueError, zlib.error) as exc:  # the middleware's errors too
        raise Refused(f"undecodable {', '.join(codings)} body: {type(exc).__name__}") from exc
    others = [(k, v) for k, v in headers if k.lower() != "content-encoding"]
    return others + ([("Content-Encoding", ", ".join(kept))] if kept else []), body


def read_body_at(path: Path, offset: int, max_bytes: int = DEFAULT_RECORD_MAX) -> bytes:
    """The payload of the record at ``offset`` of ``path`` (a revisit's original), decoded
    as the crawl decoded it (``decoded``)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in archive_iterator(fh, check_digests="raise"):
            http_headers = record.http_headers
            headers = _payload_headers(http_headers.headers) if http_headers else []
            return decoded(headers, bounded_payload(record, max_bytes, as_sent=True), max_bytes)[1]
    return b""


def _next_member(fh: object, start: int) -> int | None:
    """The offset of the next gzip member at or after ``start`` (resynchronising after a
    damaged record), or None at the end of the file."""
    position = start
    while True:
        fh.seek(position)  # type: ignore[attr-defined]
        chunk = fh.read(CHUNK + 2)  # type: ignore[attr-defined]
        if len(chunk) < 3:
            return None
        found = chunk.find(_GZIP_MAGIC)
        if found >= 0:
            return position + found
        position += CHUNK


def read_captures(
    directory: str | Path,
    max_bytes: int = DEFAULT_RECORD_MAX,
    on_skipped: OnSkipped | None = None,
    name: str | None = None,
    named: Iterable[str] = (),
) -> Iterator[StoredPage]:
    """Every response and revisit record of archive ``name``'s files, its own and its
    workers' (every file's, in name order, when None), in capture order; revisits carry
    the original body.

    Capture order across writers is by fetch time (the WARC-Date, to the second; records
    of one second in writer order: the archive's own first, then the workers by name):
    each writer's files are read in the order it wrote them, and the writers' records are
    merged. Memory stays flat: one payload per writer at a time (at most ``max_bytes``),
    and for revisits an index of where each payload's original lies (digest -> file and
    offset). A damaged or too large record is reported to ``on_skipped`` and reading
    goes on.

    ``named``: the files the archive's ``captures`` table names (a copy of an archive names
    the original's files, not its own), read as well, each writer's (its name without
    the stamp) in stamp order; one that is not there is reported ('missing')."""
    skipped = on_skipped or (lambda kind, where, reason: None)
    if name is None:
        streams = [_read_files(own_files(directory, None), max_bytes, skipped)]
    else:
        writers: dict[str | None, list[Path]] = {}
        for found in warc_files(directory, name):
            writers.setdefault(found.worker, []).append(found.path)
        seen = {path.name for paths in writers.values() for path in paths}
        for file_name in sorted(set(named) - seen, key=_stamp_order):
            path = Path(directory) / file_name
            if Path(file_name).name != file_name or not path.is_file():
                skipped("missing", file_name, "a WARC file the captures table names is missing")
                continue
            writers.setdefault(_stamp_order(file_name)[0], []).append(path)
        streams = [_read_files(paths, max_bytes, skipped) for paths in writers.values()]
    originals: dict[str, tuple[Path, int]] = {}  # payload digest -> its response record
    merged = heapq.merge(*streams, key=lambda page: page.capture.fetched_at)
    for page in merged:
        capture = page.capture
        if capture.record_type == "response":
            where = Path(directory) / capture.warc_file
            originals[capture.payload_digest] = (where, capture.offset)
            yield page
            continue
        body = b""
        if capture.payload_digest in originals:
            try:
                body = read_body_at(*originals[capture.payload_digest], max_bytes=max_bytes)
            except (TooLarge, Refused, *DAMAGED):
                body = b""
        headers = [(k, v) for k, v in page.headers if k.lower() != "content-encoding"]
        yield StoredPage(capture, headers, body)


_STAMPED = re.compile(r"(.*)-(\d{14}-\d{5})\.warc\.gz")


def _stamp_order(file_name: str) -> tuple[str, str]:
    """(writer, stamp) of a WARC file name (``<writer>-<14 digits>-<5 digits>.warc.gz``)."""
    found = _STAMPED.fullmatch(file_name)
    return (found[1], found[2]) if found else (file_name, "")


def _read_files(paths: list[Path], max_bytes: int, skipped: OnSkipped) -> Iterator[StoredPage]:
    """The response and revisit records of ``paths``, one file after the other; a revisit's
    body is left empty (``read_captures`` finds its original)."""
    for path in paths:
        with open(path, "rb") as fh:
            start: int | None = 0
            while start is not None:
                fh.seek(start)
                iterator = archive_iterator(fh, check_digests="raise")
                last_end = start
                try:
                    for record in iterator:
                        page = _page(record, path, iterator, max_bytes, skipped)
                        last_end = iterator.get_record_offset() + iterator.get_record_length()
                        if page is not None:
                            yield page
                    start = None
                    if last_end < path.stat().st_size:  # warcio stops quietly at a torn end
                        skipped("damaged", f"{path.name} at byte {last_end}", "truncated record")
                        start = _next_member(fh, last_end + 1)
                except DAMAGED as exc:
                    where = f"{path.name} at byte {last_end}"
                    skipped("damaged", where, f"{type(exc).__name__}: {exc}")
                    start = _next_member(fh, last_end + 1)


def _page(
    record: object,
    path: Path,
    iterator: ArchiveIterator,
    max_bytes: int,
    skipped: OnSkipped,
) -> StoredPage | None:
    rec_type = record.rec_type  # type: ignore[attr-defined]
    if rec_type not in ("response", "revisit"):
        return None
    rec_headers = record.rec_headers  # type: ignore[attr-defined]
    http_headers = record.http_headers  # type: ignore[attr-defined]
    url = rec_headers.get_header("WARC-Target-URI")
    if not url or not rec_headers.get_header("WARC-Date"):
        # no file this archive wrote has such a record: damaged, never a crash of reparse
        raise DamagedRecord("a response record without a WARC-Date or a Target-URI")
    if len(url) > MAX_TARGET_URI:  # an on-site redirect to it: captured, no article kept
        skipped("refused", f"{url[:200]}… ({path.name})", f"URL longer than {MAX_TARGET_URI}")
        return None
    headers = _payload_headers(http_headers.headers) if http_headers else []
    try:
        body = bounded_payload(record, max_bytes, as_sent=True)
        if rec_type == "response":
            headers, body = decoded(headers, body, max_bytes)
    except TooLarge as exc:
        skipped("too_large", f"{url} ({path.name})", str(exc))
        return None
    except Refused as exc:
        skipped("refused", f"{url} ({path.name})", str(exc))
        return None
    offset = iterator.get_record_offset()
    digest = rec_headers.get_header("WARC-Payload-Digest") or payload_digest(body)
    if rec_type == "revisit":
        body = b""
    status = int(http_headers.get_statuscode()) if http_headers else 0
    capture = Capture(
        url=url,
        status=status,
        fetched_at=iso_date(rec_headers.get_header("WARC-Date")),
        record_type=rec_type,
        warc_file=path.name,
        offset=offset,
        length=iterator.get_record_length(),
        payload_digest=digest,
        content_type=first_header(headers, "content-type"),
    )
    return StoredPage(capture, headers, body)


def _payload_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The HTTP headers of a record, as the crawl's middlewares got them (``decoded``
    undoes their Content-Encoding)."""
    return list(headers)
