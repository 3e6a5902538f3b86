"""The last layer: pages the site profile does not match.

Main content comes from trafilatura (a maintained boilerplate remover: we do
not hand-write a readability clone), publication dates from the page's own
date elements read with our Kazakh-aware parser and, failing that, from
htmldate (trafilatura's date library). Both libraries are imported lazily:
pages that the profile matches never pay for them.

Also here: telling a listing page (teasers and links) from an article page,
so that a category page fetched at an article-like URL is refused, not
archived as an article made of teasers.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from copy import deepcopy
from datetime import datetime
from typing import Any

from parsel import Selector

from kazscraper.extract.blocks import attribute, node_text
from kazscraper.extract.dates import ParsedDate, find_date_in_text
from kazscraper.extract.names import PersonName, parse_byline, parse_display_name

# where a page's own date line lives: classes/attributes that name a date
_DATE_ELEMENTS = (
    "//body//*[self::time or @itemprop='datePublished'"
    " or contains(@class,'date') or contains(@class,'Date') or contains(@class,'time')"
    " or contains(@class,'published') or contains(@class,'meta')]"
)
# never read a date from furniture, scripts or another article's teaser
_FURNITURE = (
    "ancestor-or-self::script|ancestor-or-self::style|ancestor::footer|ancestor::aside"
    "|ancestor::nav|ancestor::header[not(ancestor::article)]"
    "|ancestor::*[contains(@class,'similar') or contains(@class,'related')"
    " or contains(@class,'popular') or contains(@class,'top-news') or contains(@class,'sidebar')"
    " or contains(@class,'comment') or contains(@class,'footer') or contains(@class,'widget')"
    " or contains(@id,'comment') or contains(@class,'news-item') or contains(@class,'teaser')]"
)
_MAX_DATE_LINE = 80  # a date line is short; a paragraph that mentions a date is not one

# a teaser list: many links, little running text per link
_MIN_LISTING_LINKS = 8
_MAX_TEXT_PER_LINK = 220


# a generic body shorter than this is a notice or an error page, not an article
MIN_GENERIC_BODY = 200

# dropped before trafilatura and htmldate see the page
_DROP = (
    "//script|//style|//noscript|//template|//nav|//footer|//aside|//form"
    "|//header[not(ancestor::article)]"
    "|//*[contains(@class,'similar') or contains(@class,'related') or contains(@class,'popular')"
    " or contains(@class,'top-news') or contains(@class,'sidebar') or contains(@class,'comment')"
    " or contains(@class,'cookie') or contains(@class,'banner') or contains(@class,'widget')"
    " or contains(@class,'share') or contains(@id,'comment') or contains(@id,'cookie')]"
)


# for the body only: feeds, breadcrumbs and the short date/views/author lines of the article
_DROP_FROM_TEXT = (
    "//*[contains(@class,'latest') or contains(@class,'breadcrumb') or contains(@class,'lenta')"
    " or contains(@class,'feed') or contains(@class,'tags')]"
    "|//time|//*[contains(@class,'date') or contains(@class,'time') or contains(@class,'views')"
    " or contains(@class,'info') or contains(@class,'meta') or contains(@class,'author')]"
)


def content_tree(page: Selector, blocks: list[Any] | tuple = (), for_text: bool = False) -> Any:
    """A copy of the page's tree without furniture, scripts and the given link ``blocks``.

    What the generic layer reads: the related-news and top-news blocks, the
    footer and scripts hold other articles' titles and dates, never this one's.
    ``for_text`` also drops feeds and the article's own short date, views and
    author lines, which are fields, not body text.
    """
    root = deepcopy(page.root)
    doomed = list(root.xpath(_DROP))
    if for_text:
        doomed += [
            node
            for node in root.xpath(_DROP_FROM_TEXT)
            if len(" ".join(node.itertext()).split()) <= 12 or "latest" in node.get("class", "")
        ]
    if blocks:  # the same nodes in the copy: walk both trees in step (same shape)
        wanted = {id(getattr(block, "root", block)) for block in blocks}
        doomed += [
            copied for original, copied in zip(page.root.iter(), root.iter(), strict=True)
            if id(original) in wanted
        ]  # fmt: skip
    for node in doomed:
        _drop_keeping_tail(node)
    return root


def _drop_keeping_tail(node: Any) -> None:
    """Remove ``node`` but keep the text that follows it (lxml keeps that text, the
    'tail', on the node itself: ``<p>a <span>x</span> b</p>`` must stay ``a b``)."""
    parent = node.getparent()
    if parent is None:  # gone already with an ancestor dropped before it
        return
    if node.tail:
        previous = node.getprevious()
        # lxml refuses to set text with control characters, which a parsed page may hold
        with suppress(ValueError):
            if previous is not None:
                previous.tail = _XML_UNSAFE.sub("", (previous.tail or "") + node.tail)
            else:
                parent.text = _XML_UNSAFE.sub("", (parent.text or "") + node.tail)
    parent.remove(node)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_TITLE_SEPARATORS = re.compile(r"\s+[|–—-]\s+|\s+::\s+")


def generic_title(page: Selector) -> tuple[str, str] | None:
    """The title of a page the profile does not match: its first ``<h1>``, else ``<title>``.

    A ``<title>`` usually carries the site's name (``Тақырып | Қазақстан
    дәуірі``): the longest part between separators is the article's.
    """
    for h1 in page.xpath("//body//h1"):
        if not h1.xpath(_NAV_ANCESTORS):
            text = node_text(h1)
            if text:
                return text, "h1"
    title = " ".join(page.xpath("//title//text()").getall()).split()
    if not title:
        return None
    parts = _TITLE_SEPARATORS.split(" ".join(title))
    return max(parts, key=len).strip(), "title element"


# trafilatura warns on every page it finds too short ("discarding data"): for us that is an
# ordinary outcome, reported in provenance, not a warning for the crawl log
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def trafilatura_paragraphs(tree: Any, url: str = "", title: str = "") -> list[str]:
    """The main content of the page ``tree`` as paragraphs, by trafilatura.

    Comments and tables are left out; a paragraph that repeats the title is
    dropped; less than ``MIN_GENERIC_BODY`` characters of text is no body.
    """
    import trafilatura

    text = trafilatura.extract(
        tree,
        url=url or None,
        include_comments=False,
        include_tables=False,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        return []
    lines = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [line for line in lines if line and line != title]
    if sum(len(p) for p in paragraphs) < MIN_GENERIC_BODY:
        return []
    return paragraphs


def date_from_elements(
    page: Selector, fetched_at: datetime | None, tz: str
) -> tuple[ParsedDate, str] | None:
    """A date from the page's own date line (``<span class="date">``, ``<time>``).

    Short elements only, outside footers, sidebars, comments and teaser blocks.
    Returns the date and the element's text.
    """
    for element in page.xpath(_DATE_ELEMENTS):
        if element.xpath(_FURNITURE):
            continue
        text = attribute(element, "datetime") or node_text(element)
        if not text or len(text) > _MAX_DATE_LINE:
            continue
        parsed = find_date_in_text(text, fetched_at=fetched_at, tz=tz)
        if parsed is not None:
            return parsed, text
    return None


_AUTHOR_TEST = (
    "[@rel='author' or @itemprop='author'"
    " or contains(@class,'author') or contains(@class,'byline')]"
)
_AUTHOR_ELEMENTS = "//body//*" + _AUTHOR_TEST
_MAX_AUTHOR_LINE = 120


def authors_from_elements(page: Selector) -> list[PersonName]:
    """Names from the page's visible author element (``<span class="post-author">``,
    ``<p class="article__author">Автор: …</p>``), outside teasers and furniture."""
    for element in page.xpath(_AUTHOR_ELEMENTS):
        if element.xpath(_FURNITURE) or element.xpath(".//*" + _AUTHOR_TEST):
            continue  # furniture, or a wrapper whose inner author element comes next
        text = node_text(element)
        if not text or len(text) > _MAX_AUTHOR_LINE:
            continue
        names = parse_byline(text)
        if not names and (person := parse_display_name(text)) is not None:
            names = [person]
        if names:
            return names
    return []


def date_from_lead(
    paragraphs: list[str], fetched_at: datetime | None, tz: str
) -> ParsedDate | None:
    """A dateline at the start of the lead: ``Астана, 2025 жылғы 11 желтоқсан. ...``."""
    if not paragraphs:
        return None
    head = paragraphs[0][:_MAX_DATE_LINE]
    return find_date_in_text(head, fetched_at=fetched_at, tz=tz)


def htmldate_date(tree: Any, url: str, fetched_at: datetime | None) -> str | None:
    """htmldate's reading of the publication date of the page ``tree`` (from ``content_tree``).

    Metadata, URL and date markup only, never its extensive search, which
    takes any date in the text (copyright lines, comment dates): a guess, and
    we store no guesses.
    """
    from htmldate import find_date

    try:
        return find_date(
            deepcopy(tree),
            url=url or None,
            original_date=True,
            extensive_search=False,
            outputformat="%Y-%m-%d",
            max_date=fetched_at.strftime("%Y-%m-%d") if fetched_at else None,
        )
    except (ValueError, TypeError):  # htmldate rejects some malformed inputs
        return None


_WORD_RE = re.compile(r"\w+")


def listing_evidence(page: Selector, paragraphs: list[str]) -> str | None:
    """Why the page looks like a list of teasers rather than one article, or None.

    A listing shows many links to other pages whose text makes up most of
    the page's running text; an article has paragraphs that link nowhere.
    """
    main = page.css("main") or page.css("body")
    if not main:
        return None
    links = [a for a in main[0].xpath(".//a[@href]") if not a.xpath(_NAV_ANCESTORS)]
    titled = [a for a in links if len(_WORD_RE.findall(node_text(a))) >= 3]
    if len(titled) < _MIN_LISTING_LINKS:
        return None
    text = sum(len(p) for p in paragraphs)
    if text / len(titled) > _MAX_TEXT_PER_LINK:
        return None
    return f"{len(titled)} teaser links and {text} characters of text: a listing page"


_NAV_ANCESTORS = "ancestor::nav|ancestor::footer|ancestor::aside|ancestor::header"
