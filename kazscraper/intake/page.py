"""One way in for pages: (url, headers, bytes, fetch time, status) -> ``PageItem``.

The crawl (``NewsSpider.parse_article``), ``kazscraper reparse`` (``ReparseSpider``,
from the WARC files) and ``kazscraper parse FILE`` all turn a page's bytes into text
here, so the same bytes give the same ``PageItem`` whichever route they came by. A
page that cannot be one is a ``Refused`` with the stage and reason to record: not a
text page (decided as Scrapy decides the response class: Content-Type, then
Content-Disposition, the URL's extension, the first bytes), an empty page, bytes no
encoding reads as text (``intake.decode``). The body is the payload with its
content-encoding undone (Scrapy's and warcio's readers both do that); a
Content-Encoding header that is still there names one nobody could undo, and the page
is not text. The page's text carries the verdict of intake's checks to the extractor
(``intake.checked``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes
from w3lib.encoding import read_bom

from kazscraper.intake.challenge import challenge_problem
from kazscraper.intake.checked import checked_html
from kazscraper.intake.decode import UndecodablePage, decode_page
from kazscraper.items import Article, PageItem

HeaderPairs = Sequence[tuple[str, str]]
# what Scrapy reads to choose a response's class
_TYPE_HEADERS = frozenset({"content-type", "content-encoding", "content-disposition"})


@dataclass(frozen=True)
class Refused:
    """Bytes that are no page to extract: where it failed ('fetch' or 'decode') and why."""

    url: str
    stage: str
    reason: str


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """Scrapy's headers as (name, value) pairs, every value kept, as the WARC files hold
    them (latin-1: a header's bytes are never refused)."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def header(headers: HeaderPairs, name: str) -> str:
    """The last value of header ``name`` (as Scrapy's ``Headers.get``), or ''."""
    wanted = name.lower()
    return next((v for k, v in reversed(headers) if k.lower() == wanted), "")


def is_text_page(url: str, headers: HeaderPairs, body: bytes) -> bool:
    """The page is text, as Scrapy decides when it builds the response (a ``TextResponse``):
    by Content-Type (and Content-Encoding), Content-Disposition, the URL, the body; and a
    body with a byte-order mark and no Content-Type is text too (Scrapy's sniffing takes
    the NULs of UTF-16 for binary data)."""
    scrapy_headers = Headers(
        [
            (k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
            for k, v in headers
            if k.lower() in _TYPE_HEADERS
        ]
    )
    cls = responsetypes.from_args(headers=scrapy_headers, url=url, body=body)
    if issubclass(cls, TextResponse):
        return True
    return not header(headers, "Content-Type") and bool(read_bom(body)[0])


def page_item(
    url: str,
    headers: HeaderPairs,
    body: bytes,
    fetched_at: str = "",
    status: int = 200,
) -> PageItem | Refused:
    """The ``PageItem`` of a fetched page, or why it cannot be one."""
    content_type = header(headers, "Content-Type")
    if not is_text_page(url, headers, body):
        if not content_type and b"\x00" in body[:4096]:
            return Refused(url, "fetch", "binary data, not HTML")
        return Refused(url, "fetch", f"not a text page ({content_type or 'no type'})")
    if not body.strip():
        return Refused(url, "fetch", "empty document")
    try:
        page = decode_page(body, content_type)
    except UndecodablePage as exc:
        return Refused(url, "decode", str(exc))
    if challenge := challenge_problem(headers, page.text):
        return Refused(url, "fetch", challenge)
    return PageItem(
        url=url,
        html=checked_html(page.text),
        status=status,
        fetched_at=fetched_at,
        content_type=content_type,
        etag=header(headers, "ETag"),
        encoding=f"{page.encoding} ({page.note})" if page.note else page.encoding,
    )


def with_page(article: Article, page: PageItem) -> Article:
    """What the page itself adds to the record extracted from it: its validator, the
    codec that decoded it (``extraction.encoding``) and its site's label; the crawl,
    reparse and ``parse`` alike."""
    article.etag = page.etag or None
    article.site = page.site
    if page.encoding:
        article.extraction["encoding"] = page.encoding
    return article
