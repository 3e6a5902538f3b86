"""Reading sitemaps and feeds streaming, in flat memory, whatever their size or shape.

A sitemap response is inflated (``.xml.gz``, with or without ``Content-Encoding``; a gzip
file of several members too) 64 KB at a time and each piece goes straight to lxml's pull
parser: the inflated file is never held whole, and inflating stops at
``KAZSCRAPER_SITEMAP_MAX_BYTES``. The parse recovers from errors, with the options of
Scrapy's ``Sitemap`` (no entities resolved, no network), and every element is removed from
the tree once its end is read, so only the path being read is in memory: a file of
millions of tiny elements costs what a small one does. Reading stops at
``KAZSCRAPER_SITEMAP_MAX_ELEMENTS`` elements; a ``loc`` longer than
``KAZSCRAPER_SITEMAP_MAX_LOC`` characters (sitemaps.org: under 2,048) is skipped and
counted; at most ``max_entries`` entries are read per file. Entries are yielded as they
are read (``SitemapReader``), so neither the file nor its entries are ever held in full.

A feed (RSS ``item/link``, Atom ``entry/link/@href``) is read by the same pull parser
with the same element cap (``feed_links``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

SITEMAP_MAX_ENTRIES = 50_000  # per sitemap file (the sitemaps.org limit)
CHUNK = 64 * 1024  # inflated and parsed at a time
LASTMOD_CHARS = 64  # of a lastmod kept (a date; the rest of a longer one is no date)


@dataclass(frozen=True)
class SitemapLimits:
    """The bounds of reading one sitemap or feed (each a Scrapy setting, see ``Limits``)."""

    max_bytes: int = 50 * 1024 * 1024  # inflated
    max_entries: int = SITEMAP_MAX_ENTRIES
    # 20 per entry of a full sitemap (url, loc, lastmod, changefreq, priority, images...)
    max_elements: int = 1_000_000
    max_loc: int = 2_048  # sitemaps.org: a loc is under 2,048 characters


class _Stop(Exception):
    """Reading stops here (a cap reached): the reason."""


class _Refused(Exception):
    """The file is not read at all: the reason."""


def _inflated(body: bytes, max_bytes: int) -> Iterator[bytes]:
    """``body`` in pieces of at most ``CHUNK`` bytes, gunzipped (every member) when it is
    gzip; ``_Refused`` past ``max_bytes`` (inflated) or when the gzip is unreadable."""
    if body[:2] != b"\x1f\x8b":
        if len(body) > max_bytes:
            raise _Refused(f"sitemap larger than {max_bytes} bytes; not read")
        view = memoryview(body)
        for start in range(0, len(body), CHUNK):
            yield bytes(view[start : start + CHUNK])
        return
    data, total = body, 0
    while data[:2] == b"\x1f\x8b":  # one member after another (RFC 1952)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        while not inflater.eof:
            try:
                piece = inflater.decompress(data, CHUNK)  # never more than CHUNK at once
            except zlib.error as exc:
                if total:  # a damaged end: what was inflated is read, as with a cut file
                    return
                raise _Refused(f"unreadable gzipped sitemap: {exc}") from None
            data = inflater.unconsumed_tail
            total += len(piece)
            if total > max_bytes:
                # what was read before the cap is used; the rest is not read
                raise _Refused(
                    f"gzipped sitemap larger than {max_bytes} bytes inflated; read no further"
                )
            if piece:
                yield piece
            elif not data:
                return  # a cut file: what it had
        data = inflater.unused_data


class _Pieces:
    """A file-like object over pieces of bytes, for ``iterparse`` to read as it goes."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        self.pieces = iter(pieces)
        self.rest = b""

    def read(self, size: int = -1) -> bytes:
        while not self.rest:
            piece = next(self.pieces, None)
            if piece is None:
                return b""
            self.rest = piece
        if size < 0 or size >= len(self.rest):
            out, self.rest = self.rest, b""
        else:
            out, self.rest = self.rest[:size], self.rest[size:]
        return out


class _Stream:
    """The (event, element, depth) of a recovering streaming parse of pieces of XML; after
    an ``end`` is handled, the element is cleared and removed from its parent, so the tree
    holds only the open elements. ``_Stop`` past ``max_elements`` elements."""

    def __init__(
        self, pieces: Iterable[bytes], max_elements: int, encoding: str | None = None
    ) -> None:
        self.parse = etree.iterparse(
            _Pieces(pieces),
            events=("start", "end"),
            encoding=encoding,
            recover=True,
            remove_comments=True,
            resolve_entities=False,
            remove_blank_text=True,
            collect_ids=False,
            remove_pis=True,
            no_network=True,
        )
        self.max_elements = max_elements
        self.elements = 0

    def __iter__(self) -> Iterator[tuple[str, etree._Element, int]]:
        depth = 0
        for event, element in self.parse:
            if event == "start":
                depth += 1
                self.elements += 1
                if self.elements > self.max_elements:
                    raise _Stop(f"more than {self.max_elements} elements: read up to there")
                yield event, element, depth
                continue
            yield event, element, depth
            depth -= 1
            parent = element.getparent()
            if parent is not None:  # done with it: only the open path stays in the tree
                element.clear(keep_tail=False)
                parent.remove(element)

    def first_error(self) -> str | None:
        """The parse's first error, worded as the strict parser's ``XMLSyntaxError``."""
        for error in self.parse.error_log:
            if error.level >= etree.ErrorLevels.ERROR:
                return (
                    f"{error.message}, line {error.line}, column {error.column} "
                    f"(<string>, line {error.line})"
                )
        return None


class SitemapReader:
    """The entries (``{'loc': …, 'lastmod': …}``) of one sitemap response body, yielded as
    they are read. Once iterated: ``kind`` (``urlset``, ``sitemapindex``), ``refused`` (not
    read at all: empty, over the size cap, unreadable gzip), ``problem`` (malformed XML, or
    a cap that stopped reading; the entries before it were yielded) and ``too_long`` (the
    entries skipped for a ``loc`` over ``max_loc``)."""

    def __init__(self, body: bytes, limits: SitemapLimits | None = None) -> None:
        self.body = body
        self.limits = limits or SitemapLimits()
        self.kind = ""
        self.refused: str | None = None
        self.problem: str | None = None
        self.too_long = 0
        self.entries = 0  # yielded

    def __iter__(self) -> Iterator[dict[str, str]]:
        held: dict[str, str] | None = None  # the last entry: the one at a break is not used
        for entry in self._read():
            if held is not None:
                self.entries += 1
                yield held
            held = entry
        if held is not None and not self.refused and not self.problem:
            self.entries += 1
            yield held
        elif held is not None and self.problem and self.problem.startswith("more than"):
            self.entries += 1  # stopped by the element cap, not by a break: it is whole
            yield held

    def _read(self) -> Iterator[dict[str, str]]:
        limits = self.limits
        if not self.body.strip():
            self.refused = "empty sitemap"
            return
        entry: dict[str, str] | None = None
        stream = _Stream(_inflated(self.body, limits.max_bytes), limits.max_elements)
        read = 0
        try:
            for event, element, depth in stream:
                name = _name(element)
                if depth == 1:
                    self.kind = self.kind or name
                elif depth == 2 and name in ("url", "sitemap"):
                    if event == "start":
                        entry = {}
                    elif entry is not None:
                        if self._keep(entry):
                            read += 1
                            yield entry
                            if read >= limits.max_entries:
                                break  # the rest is not read: sitemaps.org's limit
                        entry = None
                elif depth == 3 and event == "end" and entry is not None:
                    self._field(entry, name, element.text or "")
        except _Refused as exc:
            self.refused = str(exc)
            return
        except _Stop as exc:
            self.problem = str(exc)
            return
        except (etree.LxmlError, ValueError) as exc:  # nothing of an element at all
            if not stream.elements:
                self.refused = f"unreadable sitemap: {exc}"
            else:
                self.problem = str(exc)
            return
        if not stream.elements:
            self.refused = "unreadable sitemap: no XML element"
        else:
            self.problem = stream.first_error()

    def _field(self, entry: dict[str, str], name: str, text: str) -> None:
        """An entry's ``loc`` or ``lastmod`` (the first of each; other fields are not read)."""
        if name in ("loc", "lastmod") and name not in entry:
            entry[name] = text.strip() if len(text) <= self.limits.max_loc else text

    def _keep(self, entry: dict[str, str]) -> bool:
        """An entry with a ``loc`` of at most ``max_loc`` characters (a longer one counted)."""
        loc = entry.get("loc")
        if not loc:
            return False
        if len(loc) > self.limits.max_loc:
            self.too_long += 1
            return False
        if "lastmod" in entry:
            entry["lastmod"] = entry["lastmod"][:LASTMOD_CHARS]
        return True


def feed_links(text: str, max_links: int, max_elements: int) -> Iterator[str]:
    """The links of an RSS (``item/link``) or Atom (``entry/link/@href``) feed, read by the
    pull parser over ``text`` (encoded 64 KB at a time, read as UTF-8 whatever it declares:
    the response's decoding is Scrapy's), at most ``max_links``, up to ``max_elements``."""
    chunks = (text[i : i + CHUNK].encode("utf-8", "replace") for i in range(0, len(text), CHUNK))
    found = 0
    parents: list[str] = []
    try:
        for event, element, _depth in _Stream(chunks, max_elements, "utf-8"):
            name = _name(element)
            if event == "start":
                parent = parents[-1] if parents else ""
                parents.append(name)
                if name == "link" and parent == "entry" and element.get("href"):
                    found += 1
                    yield element.get("href", "").strip()
            else:
                parents.pop()
                parent = parents[-1] if parents else ""
                if name == "link" and parent == "item" and element.text:
                    found += 1
                    yield element.text.strip()
            if found >= max_links:
                return
    except (_Stop, etree.LxmlError, ValueError):
        return  # the links before the cap or the break


def _name(element: etree._Element) -> str:
    """The tag's local name ('' for a comment or a processing instruction)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.partition("}")[2] or tag
