"""Reading one sitemap response, parsed once: its entries and what is wrong with it.

A gzipped sitemap (``.xml.gz``, with or without ``Content-Encoding``) is inflated up to
``KAZSCRAPER_SITEMAP_MAX_BYTES``. The XML is read by one recovering, streaming parse
with the options of Scrapy's ``Sitemap`` (no entities resolved, no network): a malformed
sitemap gives the entries up to the break, and the parse's first error says why.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from io import BytesIO

from lxml import etree

SITEMAP_MAX_ENTRIES = 50_000  # per sitemap file (the sitemaps.org limit)


@dataclass(frozen=True)
class SitemapFile:
    """What one sitemap holds: ``urlset`` or ``sitemapindex``, its entries (``loc``,
    ``lastmod``...) and why it is not well-formed XML (None when it is)."""

    kind: str
    entries: list[dict[str, str]]
    problem: str | None


def sitemap_body(body: bytes, max_bytes: int) -> tuple[bytes, str | None]:
    """The XML of a sitemap response, gunzipped when it is gzip (``.xml.gz``, served with or
    without ``Content-Encoding``), and why it cannot be used (empty, too large), or None."""
    if body[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
        try:
            body = inflater.decompress(body, max_bytes + 1)  # never more than the cap
        except zlib.error as exc:
            return b"", f"unreadable gzipped sitemap: {exc}"
        if len(body) > max_bytes:
            return b"", f"gzipped sitemap larger than {max_bytes} bytes inflated; not read"
    if len(body) > max_bytes:
        return b"", f"sitemap larger than {max_bytes} bytes; not read"
    if not body.strip():
        return b"", "empty sitemap"
    return body, None


def read_sitemap(body: bytes, max_entries: int = SITEMAP_MAX_ENTRIES) -> SitemapFile:
    """The first ``max_entries`` entries of the sitemap XML ``body`` and its first parse
    error; raises ``etree.LxmlError`` (or ``ValueError``) when nothing can be read."""
    events = etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        recover=True,
        remove_comments=True,
        resolve_entities=False,
        remove_blank_text=True,
        collect_ids=False,
        remove_pis=True,
    )
    _, root = next(events)
    entries: list[dict[str, str]] = []
    for event, element in events:  # to the end: a break after the last entry kept counts
        if event == "end" and _name(element) in ("url", "sitemap"):
            entry = _entry(element)
            if entry is not None and len(entries) < max_entries:
                entries.append(entry)
    errors = [e for e in events.error_log if e.level >= etree.ErrorLevels.ERROR]
    problem = None
    if errors:  # worded as the strict parser's XMLSyntaxError
        first = errors[0]
        problem = (
            f"{first.message}, line {first.line}, column {first.column} "
            f"(<string>, line {first.line})"
        )
    return SitemapFile(_name(root), entries, problem)


def _entry(element: etree._Element) -> dict[str, str] | None:
    """One ``<url>`` or ``<sitemap>``: its children's text by name (None without ``loc``);
    the element is cleared once read, so memory stays flat over a long file."""
    entry = {}
    for child in element:
        name = _name(child)
        if name and name != "link":
            entry[name] = child.text.strip() if child.text else ""
        child.clear()
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]
    return entry if "loc" in entry else None


def _name(element: etree._Element) -> str:
    """The tag's local name ('' for a comment or a processing instruction)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.partition("}")[2] or tag
