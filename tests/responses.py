"""Saved responses for offline spider tests, in the manner of city-scrapers' ``file_response``.

``file_response(page, url=...)`` builds the Scrapy response a callback would get for
``url``: ``page`` is a file (a path, or a name under ``tests/fixtures/responses/``) or the
markup itself. The response carries a request (with ``meta``), so ``response.meta`` and
``response.urljoin`` work as in a crawl. Nothing touches the network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse, Request, Response, XmlResponse

RESPONSES = Path(__file__).parent / "fixtures" / "responses"


def file_response(
    page: str | bytes | Path,
    url: str,
    *,
    meta: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """The response for ``url`` with ``page`` as its body (file or markup)."""
    if isinstance(page, Path) or (isinstance(page, str) and not page.lstrip().startswith("<")):
        path = page if isinstance(page, Path) else RESPONSES / page
        body, name = path.read_bytes(), path.name
    else:
        body = page.encode("utf-8") if isinstance(page, str) else page
        name = url.rsplit("/", 1)[-1]
    request = Request(url, meta=meta or {})
    all_headers = {"Content-Type": _content_type(body, name), **(headers or {})}
    if all_headers["Content-Type"] == "application/gzip":  # bytes, no text
        return Response(url, status=status, headers=all_headers, body=body, request=request)
    kind = XmlResponse if "xml" in all_headers["Content-Type"] else HtmlResponse
    return kind(url, status=status, headers=all_headers, body=body, request=request)


def _content_type(body: bytes, name: str) -> str:
    if body[:2] == b"\x1f\x8b":
        return "application/gzip"
    if name.endswith(".xml") or body.lstrip().startswith(b"<?xml"):
        return "application/xml; charset=utf-8"
    return "text/html; charset=utf-8"
