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

import functools
import importlib.util
import mimetypes
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from w3lib.encoding import read_bom

from kazscraper.intake.challenge import challenge_problem
from kazscraper.intake.checked import checked_html
from kazscraper.intake.decode import UndecodablePage, decode_page
from kazscraper.items import Article, PageItem

HeaderPairs = Sequence[tuple[str, str]]
# The media types Scrapy gives a text response class (``ResponseTypes.CLASSES``: HTML, XML,
# JSON, text responses); any other ``text/...`` type is text too. Its decision is
# reproduced here, without importing Scrapy (and Twisted): ``kazscraper parse FILE`` would
# spend half its time on that import. tests/test_intake.py checks it against Scrapy's own.
#: the most bytes of one page: the crawl's download limit (its ``DOWNLOAD_MAXSIZE``) and the
#: most ``kazscraper parse FILE`` reads (here, so that parse needs no Scrapy settings)
PAGE_MAX_BYTES = 10 * 1024 * 1024

_TEXT_TYPES = frozenset(
    {
        "text/html",
        "application/atom+xml",
        "application/rdf+xml",
        "application/rss+xml",
        "application/xhtml+xml",
        "application/vnd.wap.xhtml+xml",
        "application/xml",
        "application/json",
        "application/x-json",
        "application/json-amazonui-streaming",
        "application/javascript",
        "application/x-javascript",
        "text/xml",
    }
)
# the control characters that make Scrapy take bytes for binary data (NUL, tab, CR, LF not)
_BINARY = bytes(i for i in range(32) if i not in (0, 9, 10, 13))


@dataclass(frozen=True)
class Refused:
    """Bytes that are no page to extract: where it failed ('fetch' or 'decode') and why."""

    url: str
    stage: str
    reason: str


def header_pairs(headers: Mapping[bytes, list[bytes]]) -> list[tuple[str, str]]:
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


def _present(headers: HeaderPairs, name: str) -> bool:
    wanted = name.lower()
    return any(k.lower() == wanted for k, _ in headers)


@functools.cache
def _scrapy_mimetypes() -> mimetypes.MimeTypes:
    """The extension table Scrapy reads a URL's type by: Python's defaults and Scrapy's own
    ``mime.types``, found without importing Scrapy."""
    table = mimetypes.MimeTypes()
    spec = importlib.util.find_spec("scrapy")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "mime.types"
        if path.is_file():
            with path.open(encoding="utf8") as f:
                table.readfp(f)
            break
    return table


def _text_type(mimetype: str) -> bool:
    return mimetype in _TEXT_TYPES or mimetype.split("/", maxsplit=1)[0] == "text"


def _named_text(name: str) -> bool:
    """A file name or URL whose extension names a text type."""
    mimetype, encoding = _scrapy_mimetypes().guess_type(name)
    return bool(mimetype) and not encoding and _text_type(mimetype or "")


def _declared_text(headers: HeaderPairs) -> bool:
    """The headers name a text type: Content-Type (unless a Content-Encoding is left), else
    the file name of Content-Disposition."""
    if (
        _present(headers, "Content-Type")
        and not header(headers, "Content-Encoding")
        and _text_type(header(headers, "Content-Type").split(";")[0].strip().lower())
    ):
        return True
    if _present(headers, "Content-Disposition"):
        try:
            name = header(headers, "Content-Disposition").split(";")[1].split("=")[1]
        except IndexError:
            return False
        return _named_text(name.strip("\"'"))
    return False


def is_text_page(url: str, headers: HeaderPairs, body: bytes) -> bool:
    """The page is text, as Scrapy decides when it builds the response (a ``TextResponse``,
    ``scrapy.responsetypes``): the headers, else the URL's extension, else the body (no
    control characters in its first 5,000 bytes); and a body with a byte-order mark and no
    Content-Type is text too (Scrapy's sniffing takes the NULs of UTF-16 for binary data)."""
    head = body[:5000]
    if (
        _declared_text(headers)
        or _named_text(url)
        or len(head.translate(None, _BINARY)) == len(head)
    ):
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
