"""Writing captures: each HTTP exchange as a response (or revisit) and a request record.

``WarcArchiver`` writes each record as warcio makes it, a gzip member of its own (at
``GZIP_LEVEL``), into ``<archive>/warc/<name>-<time>-<n>.warc.gz``, rotating files by
size. A page whose payload is the same as at its previous capture, or that the server
answered with 304, is written as a ``revisit`` record pointing at the earlier one instead
of again in full. A file is written under ``*.warc.gz.open``, locked, and renamed when complete.

With ``background=True`` (the crawl's raw capture) each record is made in the caller's
thread and compressed and written in one thread of its own: zlib's deflate, most of a
record's cost, releases the GIL, so it runs beside the crawl's reactor. ``write`` then
returns a capture whose place (file, offset, length) is not known yet; ``placed()`` waits
until every record given so far is on disk and returns their captures, placed, in order:
what the captures index may name.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter

from kazscraper.warc.files import ARCHIVE_FIELD, OPEN_SUFFIX, WORKER_FIELD
from kazscraper.warc.records import (
    IDENTICAL_PROFILE,
    NOT_MODIFIED_PROFILE,
    Capture,
    Exchange,
    first_header,
    iso_date,
    payload_digest,
    warc_date,
)

DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# each record is a gzip member of its own (as warcio writes them), compressed at zlib's
# default level: warcio's level 9 took 40 % more CPU for files 0.7 % smaller (400 real pages
# of 160 KB: 5.5 against 3.3 ms a page, 30.2 against 30.4 KB; docs/performance.md)
GZIP_LEVEL = 6
# headers that describe the transfer, not the message: Scrapy has already undone them
_HOP_HEADERS = frozenset({"transfer-encoding", "connection", "keep-alive"})


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
        background: bool = False,
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
        self._record = BytesIO()  # one record as warcio writes it, before it is gzipped
        # background: the thread that compresses and writes, the records given to it
        self.background = background
        self._thread = ThreadPoolExecutor(1, "warc-writer") if background else None
        self._format = WARCWriter(BytesIO(), gzip=False)  # records made in the caller's thread
        self._given: list[Future[Capture]] = []
        self._error: OSError | None = None  # the writer thread's, raised at the next write

    def _open_next(self) -> None:
        self._finish_file()
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
        self._writer = WARCWriter(self._record, gzip=False)  # gzipped by ``_put``
        fields = {"software": "kazscraper", "format": "WARC File Format 1.1"}
        fields[ARCHIVE_FIELD] = self.archive_name
        if self.worker:
            fields[WORKER_FIELD] = self.worker
        info = self._writer.create_warcinfo_record(self._file.name, fields)
        self._put(info)  # the owner fields are on disk before the first capture

    def write(self, exchange: Exchange, previous: Capture | None = None) -> Capture:
        """Write the exchange; a revisit record if ``previous`` has the same payload or on 304.

        In the background (``background=True``) the capture returned has no place yet
        (``warc_file`` empty, ``offset`` and ``length`` -1): ``placed()`` gives it placed."""
        if self._thread is not None:
            if self._error is not None:
                raise self._error
            capture, response, request = self._records(self._format, exchange, previous)
            blobs = (self._bytes(self._format, response), self._bytes(self._format, request))
            self._given.append(self._thread.submit(self._place, capture, *blobs))
            return capture
        if self._writer is None or self._fh is None or self._fh.tell() >= self.max_bytes:
            self._open_next()
        assert self._writer is not None and self._fh is not None and self._file is not None
        capture, response, request = self._records(self._writer, exchange, previous)
        offset = self._fh.tell()
        self._put(response)
        length = self._fh.tell() - offset
        self._put(request)
        self._fh.flush()
        return _placed(capture, self._file.name, offset, length)

    def _place(self, capture: Capture, response: bytes, request: bytes) -> Capture:
        """(The writer thread) A response's and its request's records, compressed and
        written: the capture with its place. Its ``OSError`` is raised by the next ``write``
        too."""
        try:
            if self._writer is None or self._fh is None or self._fh.tell() >= self.max_bytes:
                self._open_next()
            assert self._fh is not None and self._file is not None
            offset = self._fh.tell()
            self._fh.write(_gzip(response))
            length = self._fh.tell() - offset
            self._fh.write(_gzip(request))
            self._fh.flush()
        except OSError as exc:
            self._error = exc
            raise
        return _placed(capture, self._file.name, offset, length)

    def placed(self) -> list[Capture]:
        """(background) The captures of every record given so far, each once, in order, when
        all are on disk; a write that failed raises its ``OSError`` here."""
        given, self._given = self._given, []
        return [future.result() for future in given]

    def _records(
        self, writer: WARCWriter, exchange: Exchange, previous: Capture | None
    ) -> tuple[Capture, ArcWarcRecord, ArcWarcRecord]:
        """The exchange's response (or revisit) record, its request record, and its capture
        (not placed: no file, offset or length)."""
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
            record = writer.create_revisit_record(
                exchange.url,
                digest,
                previous.url,
                warc_date(datetime.fromisoformat(previous.fetched_at)),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": date},
            )
            record.rec_headers.replace_header("WARC-Profile", revisit_profile)
        else:
            record = writer.create_warc_record(
                exchange.url,
                "response",
                payload=BytesIO(exchange.body),
                length=len(exchange.body),
                http_headers=http_headers,
                warc_headers=_warc_headers(writer, date, "response", exchange.url, digest),
            )
        request = self._request_record(
            writer, exchange, date, record.rec_headers.get_header("WARC-Record-ID")
        )
        capture = Capture(
            url=exchange.url,
            status=exchange.status,
            fetched_at=iso_date(date),
            record_type=record.rec_type,
            warc_file="",
            offset=-1,
            length=-1,
            payload_digest=digest,
            content_type=first_header(exchange.response_headers, "content-type"),
        )
        return capture, record, request

    @staticmethod
    def _request_record(
        writer: WARCWriter, exchange: Exchange, date: str, response_id: str
    ) -> ArcWarcRecord:
        path = exchange.url.split("://", 1)[-1].partition("/")[2]
        return writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=StatusAndHeaders(
                f"{exchange.method} /{path} HTTP/1.1",
                exchange.request_headers,
                is_http_request=True,
            ),
            warc_headers=_warc_headers(
                writer,
                date,
                "request",
                exchange.url,
                _EMPTY_DIGEST,
                concurrent_to=response_id,
            ),
        )

    def _put(self, record: ArcWarcRecord) -> None:
        """Write ``record`` to the file as a gzip member of its own, at ``GZIP_LEVEL``."""
        assert self._writer is not None and self._fh is not None
        self._fh.write(_gzip(self._bytes(self._writer, record)))
        self._fh.flush()

    @staticmethod
    def _bytes(writer: WARCWriter, record: ArcWarcRecord) -> bytes:
        """``record`` as warcio writes it, uncompressed (``writer`` writes into a buffer)."""
        out = writer.out
        out.seek(0)
        out.truncate()
        writer.write_record(record)
        return bytes(out.getvalue())

    def close(self) -> None:
        """Finish the current file: flush, close and drop the ``.open`` suffix (in the
        background: once every record given is written; its ``OSError`` raised)."""
        if self._thread is not None:
            try:
                self.placed()
            finally:
                self._thread.shutdown(wait=True)
                self._thread = None
                self._finish_file()
            return
        self._finish_file()

    def _finish_file(self) -> None:
        if self._fh is not None and self._file is not None:
            self._fh.close()
            os.replace(f"{self._file}{OPEN_SUFFIX}", self._file)
        self._fh = self._writer = self._file = None


def _gzip(record: bytes) -> bytes:
    """One record as a gzip member of its own (zlib releases the GIL while it deflates)."""
    gzipped = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return gzipped.compress(record) + gzipped.flush()


def _placed(capture: Capture, warc_file: str, offset: int, length: int) -> Capture:
    return replace(capture, warc_file=warc_file, offset=offset, length=length)


# the payload digest of a request record (no body)
_EMPTY_DIGEST = payload_digest(b"")


def _warc_headers(
    writer: WARCWriter,
    date: str,
    record_type: str,
    uri: str,
    digest: str,
    concurrent_to: str | None = None,
) -> StatusAndHeaders:
    """A record's WARC headers with its payload digest, in the order warcio gives them
    (WARC-Block-Digest, Content-Type and Content-Length are added as it writes the record).

    With the digest and the length given, warcio hashes the record once (its block digest)
    and writes the payload from the page's bytes; without them it copies each payload into
    a temporary file twice and hashes it three times (``create_warc_record`` and
    ``write_record`` each recompute what they were not given)."""
    headers = [("WARC-Date", date)]
    if concurrent_to is not None:
        headers.append(("WARC-Concurrent-To", concurrent_to))
    headers += [
        ("WARC-Type", record_type),
        ("WARC-Record-ID", StatusAndHeadersParser.make_warc_id()),
        ("WARC-Target-URI", uri),
        ("WARC-Payload-Digest", digest),
    ]
    return StatusAndHeaders("", headers, protocol=writer.warc_version)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
