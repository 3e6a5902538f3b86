"""The archive's records as JSON on the Redis item list, and back (``encode``/``decode``).

A worker pushes the same typed records a local crawl hands to the archive's sink
(``archive.records``), one JSON object each with its ``kind``, plus its crawl stats when
it ends (``StatsRecord``). Anything else on the list is a ``BadRecord``: the store keeps
it aside, never drops it silently.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

from kazscraper.archive.records import (
    AliasRecord,
    ArticleRecord,
    CaptureRecord,
    FailureRecord,
    Record,
    RevisitRecord,
)
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.warc.records import Capture

KINDS = ("article", "capture", "failure", "alias", "touch", "stats")


class BadRecord(ValueError):
    """A queued record that is not one of ours (kept aside, never dropped silently)."""


@dataclass(frozen=True)
class StatsRecord:
    """A worker run's crawler stats (numbers only), pushed when it ends."""

    worker: str
    run: str
    stats: dict[str, Any]


def _json(kind: str, **payload: Any) -> bytes:
    return json.dumps({"kind": kind, **payload}, ensure_ascii=False).encode()


def encode(record: Record | StatsRecord) -> bytes:
    if isinstance(record, ArticleRecord):
        return _json("article", article=asdict(record.article), aliases=sorted(record.aliases))
    if isinstance(record, CaptureRecord):
        return _json("capture", capture=asdict(record.capture))
    if isinstance(record, FailureRecord):
        return _json("failure", **asdict(record))
    if isinstance(record, AliasRecord):
        return _json("alias", **asdict(record))
    if isinstance(record, RevisitRecord):
        return _json("touch", **asdict(record))
    return _json("stats", **asdict(record))


def stats_record(worker: str, run: str, stats: dict[str, Any]) -> StatsRecord:
    """The numbers of a worker run's crawler stats (what the store sums)."""
    numbers = {
        k: v for k, v in stats.items() if isinstance(v, (int, float)) and not isinstance(v, bool)
    }
    return StatsRecord(worker, run, numbers)


def decode(data: bytes) -> Record | StatsRecord:
    """The record ``encode`` made; raises ``BadRecord`` for anything else."""
    try:
        record = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRecord(f"not JSON: {exc}") from None
    if not isinstance(record, dict) or record.get("kind") not in KINDS:
        raise BadRecord("not a kazscraper record (no known 'kind')")
    try:
        kind = record["kind"]
        if kind == "article":
            article = article_from_dict(record["article"])
            return ArticleRecord(article, set(record.get("aliases") or ()))
        if kind == "capture":
            return CaptureRecord(capture_from_dict(record["capture"]))
        if kind == "failure":
            return FailureRecord(
                record["url"], record["stage"], record["reason"], record.get("http_status")
            )
        if kind == "alias":
            return AliasRecord(record["url"], record["canonical"])
        if kind == "touch":
            return RevisitRecord(record["url"], record["fetched_at"])
        return StatsRecord(str(record.get("worker")), str(record.get("run")),
                           dict(record.get("stats") or {}))  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRecord(f"not a usable {record['kind']} record: {exc!r}") from None


def article_from_dict(data: dict[str, Any]) -> Article:
    """The ``Article`` that ``encode`` sent (authors and related links as rows)."""
    names = {f.name for f in fields(Article)}
    unknown = set(data) - names
    if unknown:
        raise BadRecord(f"unknown article fields: {', '.join(sorted(unknown))}")
    values = dict(data)
    try:
        values["authors"] = [Author(**a) for a in values.get("authors") or []]
        values["related"] = [RelatedLink(**r) for r in values.get("related") or []]
        return Article(**values)
    except TypeError as exc:
        raise BadRecord(f"not an article: {exc}") from None


def capture_from_dict(data: dict[str, Any]) -> Capture:
    try:
        return Capture(**data)
    except TypeError as exc:
        raise BadRecord(f"not a capture: {exc}") from None
