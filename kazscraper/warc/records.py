"""What the raw archive records: one HTTP exchange, where its capture lies, digests, dates."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


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


def first_header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)
