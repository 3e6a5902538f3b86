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

Archives in one folder share its ``warc/`` folder: an archive's files are those
named after it (``<name>-<14 digits>-<5 digits>.warc.gz``, see ``own_files``), and
recovery and reading take only those, so that a run never closes another
archive's open file nor reparses another archive's pages.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OPEN_SUFFIX = ".open"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
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
    """Appends exchanges to size-rotated WARC files in ``directory``."""

    def __init__(self, directory: str | Path, name: str, max_bytes: int = DEFAULT_MAX_BYTES):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.max_bytes = max_bytes
        self._file: Path | None = None
        self._fh = None
        self._writer: WARCWriter | None = None
        self._sequence = 0

    def _open_next(self) -> None:
        self.close()
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._sequence += 1
        self._file = self.directory / f"{self.name}-{stamp}-{self._sequence:05d}.warc.gz"
        self._fh = open(f"{self._file}{OPEN_SUFFIX}", "wb")  # noqa: SIM115 - kept open across writes
        self._writer = WARCWriter(self._fh, gzip=True)
        info = self._writer.create_warcinfo_record(
            self._file.name, {"software": "kazscraper", "format": "WARC File Format 1.1"}
        )
        self._writer.write_record(info)

    def write(self, exchange: Exchange, previous: Capture | None = None) -> Capture:
        """Write the exchange; a revisit record if ``previous`` has the same payload or on 304."""
        if self._writer is None or self._fh.tell() >= self.max_bytes:
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


def own_files(directory: str | Path, name: str | None, suffix: str = ".warc.gz") -> list[Path]:
    """The WARC files of the archive called ``name`` (as ``WarcArchiver`` names them), in
    order; every ``*.warc.gz`` file when ``name`` is None."""
    if name is None:
        return sorted(Path(directory).glob(f"*{suffix}"))
    pattern = re.compile(re.escape(name) + r"-\d{14}-\d{5}" + re.escape(suffix))
    return sorted(p for p in Path(directory).glob(f"*{suffix}") if pattern.fullmatch(p.name))


def recover_open_files(directory: str | Path, name: str | None = None) -> list[Path]:
    """Trim the ``.open`` files of archive ``name`` left by a killed run to their last whole
    record, and close them. Another archive's ``.open`` file may be one a run is writing."""
    recovered = []
    for path in own_files(directory, name, f".warc.gz{OPEN_SUFFIX}"):
        good = 0
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            try:
                for record in iterator:
                    record.content_stream().read()
                    good = iterator.get_record_offset() + iterator.get_record_length()
            except (ArchiveLoadFailed, EOFError, OSError, ValueError):
                pass  # the torn record at the end
        with open(path, "r+b") as fh:
            fh.truncate(good)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.replace(path, final)
        recovered.append(final)
    return recovered


@dataclass(frozen=True)
class StoredPage:
    """A response read back from the WARC files, for reparsing."""

    capture: Capture
    headers: list[tuple[str, str]]
    body: bytes  # decoded payload (content-encoding undone)


def read_captures(directory: str | Path, name: str | None = None) -> Iterator[StoredPage]:
    """Every response and revisit record of archive ``name``'s files, in capture order;
    revisits carry the original body."""
    bodies: dict[str, bytes] = {}  # payload digest -> body, for revisits
    for path in own_files(directory, name):
        with open(path, "rb") as fh:
            iterator = ArchiveIterator(fh)
            for record in iterator:
                if record.rec_type not in ("response", "revisit"):
                    continue
                body = record.content_stream().read()
                headers = record.http_headers.headers if record.http_headers else []
                digest = record.rec_headers.get_header("WARC-Payload-Digest") or payload_digest(
                    body
                )
                if record.rec_type == "response":
                    bodies[digest] = body
                status = int(record.http_headers.get_statuscode()) if record.http_headers else 0
                capture = Capture(
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    status=status,
                    fetched_at=iso_date(record.rec_headers.get_header("WARC-Date")),
                    record_type=record.rec_type,
                    warc_file=path.name,
                    offset=iterator.get_record_offset(),
                    length=iterator.get_record_length(),
                    payload_digest=digest,
                    content_type=_header(headers, "content-type"),
                )
                yield StoredPage(capture, headers, bodies.get(digest, b""))
