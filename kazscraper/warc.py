"""Raw capture: every HTTP exchange as WARC records (ISO 28500), and reading them back.

``WarcArchiver`` writes a request and a response record per fetch (gzip per
record, through warcio) into ``<archive>/warc/<name>-<time>-<n>.warc.gz``,
rotating files by size. A page whose payload is the same as at its previous
capture, or that the server answered with 304, is written as a ``revisit``
record pointing at the earlier one instead of again in full. A file is
written under ``*.warc.gz.open`` and renamed when complete; a run killed
mid-write leaves an ``.open`` file that ``recover_open_files`` trims to its
last whole record. ``read_captures`` yields the records back in capture
order, revisits resolved to their original payload, for ``kazscraper reparse``.

Reading back streams: one record's payload at a time, never more than
``max_bytes`` of it (a gzip bomb kept in the archive is skipped as too large, not
inflated), revisits re-read their original from its file and offset (the index
holds offsets, not bodies), and a damaged record (truncated, corrupted) is
skipped and reported while reading goes on with the next whole record.

Archives in one folder share its ``warc/`` folder: an archive's files are those
named after it (``<name>-<14 digits>-<5 digits>.warc.gz``, see ``own_files``), and
the files of the workers of a Redis crawl into it (``<name>-<worker>-<14 digits>-<5
digits>.warc.gz``, see ``warc_files``). A name alone can be read two ways (the worker
``w1`` of archive ``press`` and the archive ``press-w1`` write the same names), so each
file says whose it is in its first record (the ``warcinfo`` fields
``kazscraper-archive`` and ``kazscraper-worker``), and a file that says so belongs to
that archive and writer only; a file without them (written before they existed) is
judged by its name. Recovery and reading take only an archive's own files, so that a
run never closes another archive's open file nor reparses another archive's pages, and
a writer holds an exclusive ``flock`` on the file it is writing: recovery leaves a file
alone while a live process holds it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import heapq
import io
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, Protocol

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParserException
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
#: the most payload bytes read back from one record (Scrapy's DOWNLOAD_MAXSIZE by default)
DEFAULT_RECORD_MAX = 10 * 1024 * 1024
_CHUNK = 64 * 1024
_GZIP_MAGIC = b"\x1f\x8b\x08"
#: the warcinfo fields naming a file's archive and (a Redis crawl's) worker
ARCHIVE_FIELD = "kazscraper-archive"
WORKER_FIELD = "kazscraper-worker"
#: a worker's name in file names (``kazscraper.distributed.worker.safe_worker_name``)
WORKER_NAME = r"[A-Za-z0-9_-]{1,64}"
_STAMP = r"(\d{14})-(\d{5})"
_INFO_MAX = 64 * 1024  # a warcinfo record is a few fields


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
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
# headers that describe the transfer, not the message: Scrapy has already undone them
_HOP_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


def payload_digest(body: bytes) -> str:
    """The WARC-Payload-Digest of ``body`` (``sha1:`` + base32, as warcio writes it)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(warc_date_text: str) -> str:
    """A WARC-Date (``2025-12-11T08:00:00Z``) as the archive writes times (``…+00:00``)."""
    return datetime.fromisoformat(warc_date_text.replace("Z", "+00:00")).isoformat()


@dataclass(frozen=True)
class Capture:
    """Where one fetched page lies in the raw archive (a row of the ``captures`` table)."""

    url: str
    status: int
    fetched_at: str  # ISO-8601 UTC (the WARC-Date, as +00:00)
    record_type: str  # 'response' | 'revisit'
    warc_file: str  # file name inside the WARC folder
    offset: int
    length: int
    payload_digest: str
    content_type: str | None = None


@dataclass(frozen=True)
class Exchange:
    """One HTTP exchange as fetched: what ``WarcArchiver.write`` records."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime


class WarcArchiver:
    """Appends exchanges to size-rotated WARC files in ``directory``: the archive
    ``name``'s own (``<name>-<time>-<n>``) or, with ``worker``, that worker's
    (``<name>-<worker>-<time>-<n>``); each file names both in its warcinfo record."""

    def __init__(
        self,
        directory: str | Path,
        name: str,
        max_bytes: int = DEFAULT_MAX_BYTES,
        worker: str | None = None,
    ):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.archive_name = name
        self.worker = worker
        self.name = f"{name}-{worker}" if worker else name
        self.max_bytes = max_bytes
        self._file: Path | None = None
        self._fh: BinaryIO | None = None
        self._writer: WARCWriter | None = None
        self._sequence = 0

    def _open_next(self) -> None:
        self.close()
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:  # a name no other writer has (archive ``a-w1`` and worker w1 of ``a``)
            self._sequence += 1
            self._file = self.directory / f"{self.name}-{stamp}-{self._sequence:05d}.warc.gz"
            try:  # the ``.open`` name is reserved atomically, then the final one checked
                self._fh = open(f"{self._file}{OPEN_SUFFIX}", "xb")  # noqa: SIM115 - kept open across writes
            except FileExistsError:
                continue
            if not self._file.exists():
                break
            self._fh.close()
            os.unlink(f"{self._file}{OPEN_SUFFIX}")
        fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held until closed (or killed)
        self._writer = WARCWriter(self._fh, gzip=True)
        fields = {"software": "kazscraper", "format": "WARC File Format 1.1"}
        fields[ARCHIVE_FIELD] = self.archive_name
        if self.worker:
            fields[WORKER_FIELD] = self.worker
        info = self._writer.create_warcinfo_record(self._file.name, fields)
        self._writer.write_record(info)
        self._fh.flush()  # the owner fields are on disk before the first capture

    def write(self, exchange: Exchange, previous: Capture | None = None) -> Capture:
        """Write the exchange; a revisit record if ``previous`` has the same payload or on 304."""
        if self._writer is None or self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open_next()
        assert self._writer is not None and self._fh is not None and self._file is not None
        date = warc_date(exchange.fetched_at)
        digest = payload_digest(exchange.body)
        http_headers = StatusAndHeaders(
            f"{exchange.status} {_reason(exchange.status)}",
            [(k, v) for k, v in exchange.response_headers if k.lower() not in _HOP_HEADERS],
            protocol="HTTP/1.1",
        )
        revisit_profile = None
        if previous is not None and exchange.status == 304:
            revisit_profile, digest = NOT_MODIFIED_PROFILE, previous.payload_digest
        elif previous is not None and previous.payload_digest == digest and exchange.status == 200:
            revisit_profile = IDENTICAL_PROFILE
        if revisit_profile is not None:
            assert previous is not None
            record = self._writer.create_revisit_record(
                exchange.url,
                digest,
                previous.url,
                warc_date(datetime.fromisoformat(previous.fetched_at)),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},
            )
            record.rec_headers.replace_header("WARC-Profile", revisit_profile)
        else:
            record = self._writer.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},
            )
        offset = self._fh.tell()
        self._writer.write_record(record)
        length = self._fh.tell() - offset
        self._write_request(exchange, date, record.rec_headers.get_header("WARC-Record-ID"))
        self._fh.flush()
        return Capture(
            url=exchange.url,
            status=exchange.status,
            fetched_at=iso_date(date),
            record_type=record.rec_type,
            warc_file=self._file.name,
            offset=offset,
            length=length,
            payload_digest=digest,
            content_type=_header(exchange.response_headers, "content-type"),
        )

    def _write_request(self, exchange: Exchange, date: str, response_id: str) -> None:
        assert self._writer is not None
        path = exchange.url.split("://", 1)[-1].partition("/")[2]
        request = self._writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"{exchange.method} /{path} HTTP/1.1",
                exchange.request_headers,
                is_http_request=True,
            ),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )
        self._writer.write_record(request)

    def close(self) -> None:
        """Finish the current file: flush, close and drop the ``.open`` suffix."""
        if self._fh is not None and self._file is not None:
            self._fh.close()
            os.replace(f"{self._file}{OPEN_SUFFIX}", self._file)
        self._fh = self._writer = self._file = None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


class WarcFile(NamedTuple):
    """One WARC file of an archive: whose it is and where it stands in its writer's run."""

    path: Path
    worker: str | None  # None: the archive's own (a local crawl); else a Redis worker
    stamp: str  # ``<14 digits>-<5 digits>``: when its writer opened it, and its number


def file_owner(path: Path) -> tuple[str | None, str | None] | None:
    """(archive, worker) as the file's warcinfo record names them, or None when it names
    no archive (a file written before the fields existed, an empty or unreadable one)."""
    try:
        with open(path, "rb") as fh:
            for record in archive_iterator(fh):
                if record.rec_type != "warcinfo":
                    return None
                text = record.content_stream().read(_INFO_MAX).decode("utf-8", "replace")
                fields = dict(
                    (k.strip(), v.strip())
                    for k, _, v in (line.partition(":") for line in text.splitlines())
                )
                archive = fields.get(ARCHIVE_FIELD)
                return (archive, fields.get(WORKER_FIELD) or None) if archive else None
    except (*DAMAGED, UnicodeError):
        return None
    return None


def warc_files(
    directory: str | Path, name: str, suffix: str = ".warc.gz", workers: bool = True
) -> list[WarcFile]:
    """The WARC files of the archive called ``name``: its own and (``workers``) those of
    the workers of its Redis crawls, each in its writer's order. A file whose warcinfo
    names another archive or another writer is not the archive's, whatever its name."""
    own = re.compile(re.escape(name) + "-" + _STAMP + re.escape(suffix))
    of_worker = re.compile(re.escape(name) + f"-({WORKER_NAME})-" + _STAMP + re.escape(suffix))
    found = []
    for path in Path(directory).glob(f"*{suffix}"):
        local, worker = own.fullmatch(path.name), of_worker.fullmatch(path.name)
        if not local and not (workers and worker):
            continue
        owner = file_owner(path)
        if local and owner in (None, (name, None)):
            found.append(WarcFile(path, None, f"{local[1]}-{local[2]}"))
        elif workers and worker and owner in (None, (name, worker[1])):
            found.append(WarcFile(path, worker[1], f"{worker[2]}-{worker[3]}"))
    return sorted(found, key=lambda f: (f.worker or "", f.stamp, f.path.name))


def own_files(directory: str | Path, name: str | None, suffix: str = ".warc.gz") -> list[Path]:
    """The WARC files of the archive called ``name`` (as ``WarcArchiver`` names them, its
    own, not its workers'), in order; every ``*.warc.gz`` file when ``name`` is None."""
    if name is None:
        return sorted(Path(directory).glob(f"*{suffix}"))
    return [f.path for f in warc_files(directory, name, suffix, workers=False)]


def in_use(path: Path) -> bool:
    """A live process holds the file (``WarcArchiver`` locks the file it writes)."""
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except FileNotFoundError:
        return False
    return False


def recover_open_files(
    directory: str | Path,
    name: str | None = None,
    worker: str | None = None,
    workers: bool = False,
) -> list[Path]:
    """Trim the ``.open`` files of archive ``name`` left by a killed run to their last whole
    record, and close them: its own, or with ``worker`` only that worker's, or with
    ``workers`` its own and every worker's. A worker's file that a live process holds
    (``in_use``) is left alone (the archive's own are the run lock holder's), and so is
    another archive's ``.open`` file (a run may be writing it).

    Records are read through without decoding their payload, a bounded chunk at a time."""
    suffix = f".warc.gz{OPEN_SUFFIX}"
    if name is None:
        files = [WarcFile(path, None, "") for path in own_files(directory, None, suffix)]
    else:
        files = warc_files(directory, name, suffix, workers=workers or worker is not None)
        if worker is not None:
            files = [f for f in files if f.worker == worker]
        elif not workers:
            files = [f for f in files if f.worker is None]
    recovered = []
    for found in files:
        path = found.path
        if found.worker is not None and in_use(path):
            continue
        good = 0
        with open(path, "rb") as fh:
            iterator = archive_iterator(fh)
            try:
                for record in iterator:
                    while record.raw_stream.read(_CHUNK):
                        pass
                    good = iterator.get_record_offset() + iterator.get_record_length()
            except DAMAGED:
                pass  # the torn record at the end
        with open(path, "r+b") as fh:
            fh.truncate(good)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.replace(path, final)
        recovered.append(final)
    return recovered


def files_in_use(directory: str | Path, name: str) -> list[Path]:
    """The archive's ``.open`` files (its own and its workers') that a live process is
    writing now."""
    files = warc_files(directory, name, f".warc.gz{OPEN_SUFFIX}")
    return [f.path for f in files if in_use(f.path)]


@dataclass(frozen=True)
class StoredPage:
    """A response read back from the WARC files, for reparsing."""

    capture: Capture
    headers: list[tuple[str, str]]  # of the decoded payload (no Content-Encoding undone)
    body: bytes  # decoded payload (content-encoding undone)


#: called for a record that is skipped: (kind 'damaged' | 'too_large', where, reason)
OnSkipped = Callable[[str, str, str], None]


class TooLarge(Exception):
    """A record's payload is larger than the reader's cap."""


def _bounded(record: object, max_bytes: int) -> bytes:
    """The record's payload, at most ``max_bytes``, whole and as written: a block cut short
    (a damaged gzip member) raises ``DamagedRecord``, one whose bytes changed fails its
    WARC-Block-Digest (the iterators read with ``check_digests="raise"``)."""
    swallowed = io.StringIO()  # warcio writes the inflate error it swallows to stderr
    with contextlib.redirect_stderr(swallowed):
        body = record.content_stream().read(max_bytes + 1)  # type: ignore[attr-defined]
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
    iterator = ArchiveIterator(fh, **options)
    iterator.reader.__class__ = _HeaderCappedReader  # no state of its own but a counter
    return iterator


def read_body_at(path: Path, offset: int, max_bytes: int = DEFAULT_RECORD_MAX) -> bytes:
    """The payload of the record at ``offset`` of ``path`` (a revisit's original)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        for record in archive_iterator(fh, check_digests="raise"):
            return _bounded(record, max_bytes)
    return b""


def _next_member(fh: object, start: int) -> int | None:
    """The offset of the next gzip member at or after ``start`` (resynchronising after a
    damaged record), or None at the end of the file."""
    position = start
    while True:
        fh.seek(position)  # type: ignore[attr-defined]
        chunk = fh.read(_CHUNK + 2)  # type: ignore[attr-defined]
        if len(chunk) < 3:
            return None
        found = chunk.find(_GZIP_MAGIC)
        if found >= 0:
            return position + found
        position += _CHUNK


def read_captures(
    directory: str | Path,
    max_bytes: int = DEFAULT_RECORD_MAX,
    on_skipped: OnSkipped | None = None,
    name: str | None = None,
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
    goes on."""
    skipped = on_skipped or (lambda kind, where, reason: None)
    if name is None:
        streams = [_read_files(own_files(directory, None), max_bytes, skipped)]
    else:
        writers: dict[str | None, list[Path]] = {}
        for found in warc_files(directory, name):
            writers.setdefault(found.worker, []).append(found.path)
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
            except (TooLarge, *DAMAGED):
                body = b""
        yield StoredPage(capture, page.headers, body)


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
    if not url or len(url) > MAX_TARGET_URI or not rec_headers.get_header("WARC-Date"):
        # no file this archive wrote has such a record: damaged, never a crash of reparse
        raise DamagedRecord("a response record without a WARC-Date or a usable Target-URI")
    try:
        body = _bounded(record, max_bytes)
    except TooLarge as exc:
        skipped("too_large", f"{url} ({path.name})", str(exc))
        return None
    offset = iterator.get_record_offset()
    headers = _payload_headers(http_headers.headers) if http_headers else []
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
        content_type=_header(headers, "content-type"),
    )
    return StoredPage(capture, headers, body)


def _payload_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a payload read back: without the Content-Encoding warcio undid
    (``StoredPage.body`` is the decoded payload, as a crawl's response body is)."""
    supported = BufferedReader.get_supported_decompressors()
    return [
        (k, v)
        for k, v in headers
        if not (k.lower() == "content-encoding" and v.strip().lower() in supported)
    ]


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
                    while record.raw_stream.read(_CHUNK):
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
                        content_type=_header(headers, "content-type"),
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
