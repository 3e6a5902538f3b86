"""JSON for the requests in the shared frontier (scrapy-redis ``SCHEDULER_SERIALIZER``).

scrapy-redis pickles requests by default; unpickling what a network service hands back
runs whatever code it holds. Requests (``Request.to_dict``) are plain values, so they
travel as JSON: bytes (headers, body) as ``{"__bytes__": base64}``, tuples as lists.
"""

from __future__ import annotations

import base64
import json
from typing import Any

_BYTES = "__bytes__"


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {_BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _key(key: Any) -> str:
    if isinstance(key, bytes):  # header names
        return _BYTES + base64.b64encode(key).decode("ascii")
    return str(key)


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {_BYTES}:
            return base64.b64decode(value[_BYTES])
        return {_unkey(k): _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _unkey(key: str) -> str | bytes:
    return base64.b64decode(key[len(_BYTES) :]) if key.startswith(_BYTES) else key


def dumps(obj: dict[str, Any]) -> bytes:
    """A request dict as JSON bytes (a value JSON cannot hold raises TypeError)."""
    return json.dumps(_plain(obj), ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes | str) -> dict[str, Any]:
    restored = _restore(json.loads(data))
    if not isinstance(restored, dict):
        raise ValueError("a queued request is not a JSON object")
    return restored
