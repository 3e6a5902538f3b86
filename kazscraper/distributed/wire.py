"""The archive's records as JSON on the Redis item list, and back (``encode``/``decode``).

A worker pushes the same typed records a local crawl hands to the archive's sink
(``archive.records``), one JSON object each with its ``kind``, plus its crawl stats when
it ends (``StatsRecord``). Anything else on the list is a ``BadRecord``: the store keeps
it aside, never drops it silently.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import asdict, dataclass, fields
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from kazscraper.archive.records import (
    AliasRecord,
    ArticleRecord,
    CaptureRecord,
    FailureRecord,
    Record,
    RevisitRecord,
)
from kazscraper.items import Article
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
            if set(record) - {"kind", "article", "aliases"}:
                raise BadRecord("unknown fields in an article record")
            article = article_from_dict(record["article"])
            aliases = record.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise BadRecord("an article's aliases are not a list of URLs")
            _check_urls(*aliases)
            return ArticleRecord(article, set(aliases))
        if kind == "capture":
            if set(record) - {"kind", "capture"}:
                raise BadRecord("unknown fields in a capture record")
            return CaptureRecord(capture_from_dict(record["capture"]))
        if kind == "failure":
            failure = typed(FailureRecord, _payload(record))
            _check_urls(failure.url)
            return failure
        if kind == "alias":
            alias = typed(AliasRecord, _payload(record))
            _check_urls(alias.url, alias.canonical)
            return alias
        if kind == "touch":
            touch = typed(RevisitRecord, _payload(record))
            _check_urls(touch.url)
            return touch
        stats = typed(StatsRecord, _payload(record))
        if not all(_number(v) for v in stats.stats.values()):
            raise BadRecord("a worker's stats hold something else than numbers")
        return stats
    except (KeyError, TypeError, ValueError) as exc:
        raise BadRecord(f"not a usable {record['kind']} record: {exc!r}") from None


def article_from_dict(data: dict[str, Any]) -> Article:
    """The ``Article`` that ``encode`` sent (authors and related links as rows)."""
    article = typed(Article, data)
    _check_urls(article.url, article.fetched_url)
    return article


def capture_from_dict(data: dict[str, Any]) -> Capture:
    capture = typed(Capture, data)
    _check_urls(capture.url)
    name = capture.warc_file
    if "/" in name or "\\" in name or name.startswith(".") or not name.endswith(".warc.gz"):
        raise BadRecord(f"a capture's WARC file is not a bare .warc.gz name: {name[:120]!r}")
    if capture.offset < 0 or capture.length < 0:
        raise BadRecord("a capture's offset or length is negative")
    return capture


# -- the records' fields checked against their declared types --------------------------


def _payload(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "kind"}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_urls(*urls: str | None) -> None:
    """Every URL a record names is an http(s) URL (no ``file:``, no ``javascript:``)."""
    for url in urls:
        if url is None:
            continue
        try:
            parts = urlsplit(url)
        except ValueError:
            raise BadRecord(f"not a URL: {url[:120]!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BadRecord(f"not an http(s) URL: {url[:120]!r}")


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _fits(value: Any, hint: Any) -> Any:
    """``value`` as a ``hint`` (the dataclasses of a record rebuilt); raises BadRecord."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return _fits(value, option)
            except BadRecord:
                continue
        raise BadRecord(f"{type(value).__name__} is not a {hint}")
    if hint is type(None):
        if value is None:
            return None
        raise BadRecord("not null")
    if origin in (list, set, frozenset):
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise BadRecord(f"{type(value).__name__} is not a list")
        return origin(_fits(v, item) for v in value)
    if origin is dict:
        key, item = typing.get_args(hint)
        if not isinstance(value, dict):
            raise BadRecord(f"{type(value).__name__} is not an object")
        return {_fits(k, key): _fits(v, item) for k, v in value.items()}
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        if not isinstance(value, dict):
            raise BadRecord(f"{type(value).__name__} is not a {hint.__name__}")
        return typed(hint, value)
    if hint is float:
        if _number(value):
            return value
        raise BadRecord(f"{type(value).__name__} is not a number")
    if hint in (int, str, bool):
        if type(value) is hint:
            return value
        raise BadRecord(f"{type(value).__name__} is not a {hint.__name__}")
    raise BadRecord(f"unexpected field type {hint}")


def typed(cls: type[Any], data: Any) -> Any:
    """``cls(**data)`` when ``data`` holds only ``cls``'s fields, each of its declared
    type (nested dataclasses too); raises BadRecord otherwise."""
    if not isinstance(data, dict):
        raise BadRecord(f"a {cls.__name__} is not an object")
    hints = _hints(cls)  # type: ignore[arg-type]
    names = {f.name for f in fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise BadRecord(
            f"unknown {cls.__name__} fields: {', '.join(sorted(map(str, unknown)))[:200]}"
        )
    values = {}
    for name, value in data.items():
        try:
            values[name] = _fits(value, hints[name])
        except BadRecord as exc:
            raise BadRecord(f"{cls.__name__}.{name}: {exc}") from None
    try:
        return cls(**values)
    except TypeError as exc:
        raise BadRecord(f"not a {cls.__name__}: {exc}") from None
