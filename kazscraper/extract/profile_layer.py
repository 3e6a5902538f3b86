"""What a learned site profile's rules read on a page: its body, date, authors and blocks.

A learned profile (``learn/profile.py``, docs/profiles.md) has one element path per field.
Its body container may hold the elements of other fields (the date line, a repeated
headline, the view counter, the similar-news block: a theme puts them anywhere): the body
is the container's paragraphs without the elements the profile's other rules select;
where the text is set with ``<br>`` (no paragraphs), its lines, without block elements
(a heading, a counter in a ``<div>``) and lines that are a link alone ("Print version").
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import css_select, node_text, squash
from kazscraper.extract.dates import ParsedDate, parse_date
from kazscraper.extract.names import PersonName, parse_display_name
from kazscraper.sites import SiteProfile

_IN_FURNITURE = etree.XPath(f"boolean({xpaths.BODY_EXCLUDE})")
_LOOSE_TEXT = etree.XPath(xpaths.LOOSE_TEXT)  # smart strings: each knows its element
#: inline markup: its text belongs to the line around it
_INLINE = frozenset(
    {"b", "strong", "i", "em", "u", "s", "span", "sub", "sup", "mark", "small", "font", "q",
     "abbr", "cite", "code", "br"}
)  # fmt: skip
# between two names in one author element: a comma, a semicolon, an "and"
_NAME_SEPARATORS = re.compile(r"\s*[,;&]\s*|\s+(?:and|және|мен|и)\s+")
MAX_NAMES = 20


def field_elements(page: Selector, profile: SiteProfile) -> frozenset[Any]:
    """The elements the profile's rules other than the body select (first match each; every
    author element): never part of the body."""
    sel = profile.selectors
    found: list[Any] = []
    for path in (sel.title, sel.date, sel.views, sel.similar, sel.top):
        if path and "::" not in path:
            found += css_select(page, path)[:1]
    if sel.authors and "::" not in sel.authors:
        found += css_select(page, sel.authors)[:MAX_NAMES]
    return frozenset(e for e in found if not isinstance(e, str))


def profile_paragraphs(page: Selector, container: Any, profile: SiteProfile) -> list[str]:
    """The body's paragraphs in the learned profile's ``container``, in their order: its
    paragraphs (``selectors.paragraphs``) outside furniture and the other fields'
    elements, and its loose lines (text set with ``<br>``, a signature after the last
    paragraph)."""
    skip = field_elements(page, profile)

    def skipped(node: Any) -> bool:
        return node in skip or any(a in skip for a in node.iterancestors())

    paragraphs = {
        p
        for p in css_select(container, profile.selectors.paragraphs or "p")
        if not isinstance(p, str) and not _IN_FURNITURE(p) and not skipped(p)
    }
    out: list[str] = []
    done: set[Any] = set()
    line: list[str] = []  # the loose line being read: text up to a <br> or a block

    def end_line() -> None:
        if line:
            out.append(squash(" ".join(line)))
            line.clear()

    for text in _LOOSE_TEXT(container):  # in document order: paragraphs and loose lines
        owner = text.getparent()
        if owner is None:
            continue
        holder = owner.getparent() if text.is_tail else owner  # the element the text is in
        if holder is None:
            continue
        paragraph = next((a for a in (holder, *holder.iterancestors()) if a in paragraphs), None)
        if paragraph is not None:
            end_line()
            if paragraph not in done:
                done.add(paragraph)
                out.append(node_text(paragraph))
        elif _on_the_line(holder, container) and not skipped(holder):
            if text.is_tail and not _inline(owner):  # after a <br> or a block: a new line
                end_line()
            line.append(str(text))
        else:
            end_line()
    end_line()
    out = [t for t in out if t]
    if not out:  # every line inside some element: the container's text as it is
        out = [t for t in (squash(x) for x in _LOOSE_TEXT(container)) if t]
    return out


def _on_the_line(element: Any, container: Any) -> bool:
    """True when ``element`` is the container or inline markup in it (not a heading, a
    block, a link alone on its line: "Print version" is no body text)."""
    node = element
    for _ in range(32):
        if node is container:
            return True
        if node is None or not isinstance(node.tag, str):
            return False
        if node.tag not in _INLINE and not (node.tag == "a" and not _alone(node)):
            return False
        node = node.getparent()
    return False


def _inline(element: Any) -> bool:
    """Inline markup that continues a line (not a ``<br>``, a block or a link alone)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    return (tag in _INLINE and tag != "br") or (tag == "a" and not _alone(element))


def _alone(link: Any) -> bool:
    """A link with no text of its line before or after it (``<br>`` or a block around)."""
    before = link.getprevious()
    text_before = (before.tail if before is not None else link.getparent().text) or ""
    return not text_before.strip() and not (link.tail or "").strip()


def profile_date(
    page: Selector, css: str, fetched: datetime | None, tz: str | None
) -> tuple[ParsedDate, str, str] | None:
    """The date the profile's date element states: its ``datetime`` attribute, else its
    text; (parsed, raw, layer) or None."""
    found = css_select(page, css)
    if not found or isinstance(found[0], str):
        return None
    raw = found[0].get("datetime") or node_text(found[0])
    parsed = parse_date(raw, fetched_at=fetched, tz=tz) if raw else None
    return (parsed, raw, "profile") if parsed is not None else None


def profile_names(page: Selector, css: str) -> list[PersonName]:
    """The people a profile's author elements name (one element may name several)."""
    names: list[PersonName] = []
    for element in css_select(page, css)[:MAX_NAMES]:
        text = node_text(element) if not isinstance(element, str) else squash(element)
        for part in _NAME_SEPARATORS.split(text[:500]):
            person = parse_display_name(part)
            if person is not None and not any(n.name == person.name for n in names):
                names.append(person)
    return names
