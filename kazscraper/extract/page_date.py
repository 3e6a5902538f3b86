"""The publication date a page shows: its own date line, its dateline, htmldate's reading.

The date elements (``<time>``, ``<span class="date">``) are read outside furniture
with our Kazakh-aware parser, skipping the header's "today" line; the lead's dateline
(``Астана, 2025 жылғы 11 желтоқсан. ...``) next; htmldate (trafilatura's date
library, imported lazily) last.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import attribute, node_text
from kazscraper.extract.dates import ParsedDate, find_date_in_text
from kazscraper.extract.furniture import in_furniture

_MAX_DATE_LINE = 80  # a date line is short; a paragraph that mentions a date is not one


def date_from_elements(
    page: Selector, fetched_at: datetime | None, tz: str | None
) -> tuple[ParsedDate, str] | None:
    """A date from the page's own date line (``<span class="date">``, ``<time>``).

    Short elements only, outside footers, sidebars, comments and teaser blocks. Of
    several, the one nearest the headline (the ``<h1>``): the deepest element it shares
    with it, the first in the page on a tie; a header's "today" widget shares only the
    page's wrapper with the headline, whatever its markup (``<div class="header">``).
    Returns the date and the element's text.
    """
    found: list[tuple[Any, ParsedDate, str]] = []
    for element in page.xpath(xpaths.DATE_ELEMENTS):
        if in_furniture(element.root):
            continue
        text = attribute(element, "datetime") or node_text(element)
        if not text or len(text) > _MAX_DATE_LINE or _is_today_widget(element, text):
            continue
        parsed = find_date_in_text(text, fetched_at=fetched_at, tz=tz)
        if parsed is not None:
            found.append((element.root, parsed, text))
            if len(found) >= _MAX_DATE_ELEMENTS:
                break
    if not found:
        return None
    headline = _HEADLINE(page.root)
    if len(found) > 1 and headline:
        depths = _depths(headline[0])
        best = max(found, key=lambda item: _shared_depth(item[0], depths))  # first on a tie
        return best[1], best[2]
    return found[0][1], found[0][2]


_MAX_DATE_ELEMENTS = 12  # date lines weighed against each other (the rest: teasers)
_HEADLINE = etree.XPath("(//body//h1)[1]")


def _depths(element: Any) -> dict[Any, int]:
    """Each ancestor of ``element`` (itself included) and its depth, the root's being 0."""
    chain = [element, *element.iterancestors()]
    return {node: len(chain) - 1 - i for i, node in enumerate(chain)}


def _shared_depth(element: Any, depths: dict[Any, int]) -> int:
    """The depth of the deepest element that holds both ``element`` and the headline."""
    for node in (element, *element.iterancestors()):
        if node in depths:
            return depths[node]
    return 0


_TODAY = re.compile(r"\b(?:бүгін|сегодня|today|bugin|búgin)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|понедельник|вторник|среда"
    r"|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_BEFORE_HEADLINE = etree.XPath(xpaths.BEFORE_HEADLINE)


def _is_today_widget(element: Selector, text: str) -> bool:
    """The header's "today" line (``Бүгін, 25 қараша 2026, сәрсенбі``): the day the page
    was shown, not the day the article was published."""
    if _TODAY.search(text) and _YEAR.search(text):  # "Бүгін 14:30" is a date line, kept
        return True
    return bool(_WEEKDAY.search(text)) and _BEFORE_HEADLINE(element.root)


def date_from_lead(
    paragraphs: list[str], fetched_at: datetime | None, tz: str | None
) -> ParsedDate | None:
    """A dateline at the start of the lead: ``Астана, 2025 жылғы 11 желтоқсан. ...``."""
    if not paragraphs:
        return None
    head = paragraphs[0][:_MAX_DATE_LINE]
    return find_date_in_text(head, fetched_at=fetched_at, tz=tz)


def htmldate_date(
    tree: Any, url: str, fetched_at: datetime | None, extensive: bool = False
) -> str | None:
    """htmldate's reading of the publication date of the page ``tree`` (htmldate copies it).

    Metadata, URL and date markup only, unless ``extensive``: its extensive search
    takes dates from the text too, which on the site's own pages (where the profile
    knows the date line) would be a guess; on a page of another site it is what
    htmldate's own evaluation runs.
    """
    from htmldate import find_date

    try:
        return find_date(  # htmldate copies a tree it is given before pruning it
            tree,
            url=url or None,
            original_date=True,
            extensive_search=extensive,
            outputformat="%Y-%m-%d",
            max_date=fetched_at.strftime("%Y-%m-%d") if fetched_at else None,
        )
    except (ValueError, TypeError):  # htmldate rejects some malformed inputs
        return None
