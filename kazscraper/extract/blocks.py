"""Label-anchored link blocks: «Ұқсас жаңалықтар» and «Топ жаңалықтар».

A block is found by its heading text, not its classes: the element whose text
is the label, widened to its outermost wrapper that holds nothing else, and
the sibling elements after it up to the next heading. Each item of the block
yields a rank, a title, a link and, where the item shows them, an author, a
date and a view count (``Камила Мүлік - 2025-02-20 21340``). Interface text
such as "Show more" is never taken for data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin

from parsel import Selector

from kazscraper.extract.dates import find_date_span
from kazscraper.items import RelatedLink

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VIEWS_RE = re.compile(r"^\s*(\d[\d\s]{0,12})\b")
_RANK_RE = re.compile(r"^\d{1,3}$")
_SEPARATORS = " -–—|•·,"


def attribute(node: Selector, name: str) -> str | None:
    """One attribute of an element (parsel's ``.attrib`` builds them all, and lxml refuses
    to build one whose name or value holds control characters)."""
    value = node.root.get(name) if hasattr(node.root, "get") else None
    return value if isinstance(value, str) else None


def squash(text: str) -> str:
    """Collapse every run of whitespace (NBSP included) to one space."""
    return " ".join(text.split())


def node_text(node: Selector) -> str:
    """Visible text of an element: its text nodes outside script/style, squashed."""
    return squash(" ".join(node.xpath(".//text()[not(ancestor::script|ancestor::style)]").getall()))


def find_block(
    page: Selector, labels: Iterable[str], stop_labels: Iterable[str] = ()
) -> list[Selector] | None:
    """The elements that make up the block headed by one of ``labels``; None if no heading."""
    labels = [squash(label) for label in labels]
    wanted = {label.casefold() for label in labels}
    stops = wanted | {squash(label).casefold() for label in stop_labels}
    for label in labels:
        needle = label.split()[-1]  # XPath has no casefold: narrow down, then compare here
        for element in page.xpath(
            "//body//*[text()[contains(., $a) or contains(., $b)]][not(self::script|self::style)]",
            a=needle,
            b=needle.upper(),
        ):
            if node_text(element).casefold() in wanted:
                return _region_after(_widen(element), stops)
    return None


def _widen(element: Selector) -> Selector:
    """Climb to the outermost ancestor that contains the heading and nothing else."""
    own = node_text(element)
    while True:
        parent = element.xpath("..")
        if not parent or parent[0].root.tag in ("body", "html"):
            return element
        if len(parent[0].xpath("./*")) != 1 or node_text(parent[0]) != own:
            return element
        element = parent[0]


def _region_after(heading: Selector, stops: set[str]) -> list[Selector]:
    region = []
    for sibling in heading.xpath("following-sibling::*"):
        tag = sibling.root.tag if isinstance(sibling.root.tag, str) else ""
        if tag in HEADING_TAGS or node_text(sibling).casefold() in stops:
            break
        region.append(sibling)
    return region


def block_items(region: list[Selector]) -> list[Selector]:
    """The item elements of a block: list items, or the children that carry a link."""
    items: list[Selector] = []
    for element in region:
        found = element.xpath(".//li[.//a[@href]]") or element.xpath("./*[.//a[@href]]")
        if not found and element.xpath("self::*[.//a[@href]]"):
            found = [element]
        items.extend(found)
    return items


def parse_block(
    region: list[Selector], kind: str, base_url: str, interface_strings: Iterable[str]
) -> list[RelatedLink]:
    interface = {squash(s).casefold() for s in interface_strings}
    links = []
    for position, item in enumerate(block_items(region), start=1):
        link = parse_item(item, kind, position, base_url, interface)
        if link is not None:
            links.append(link)
    return links


def parse_item(
    item: Selector, kind: str, position: int, base_url: str, interface: set[str]
) -> RelatedLink | None:
    title_link = None
    for anchor in item.xpath(".//a[@href]"):
        text = node_text(anchor)
        if text and text.casefold() not in interface:
            title_link = anchor
            break
    if title_link is None:
        return None
    title = node_text(title_link)
    rest = [
        squash(t)
        for t in item.xpath(".//text()[not(ancestor::script|ancestor::style)]").getall()
        if squash(t)
    ]
    rank = position
    if rest and _RANK_RE.match(rest[0]):
        rank = int(rest[0])
        rest = rest[1:]
    meta = squash(" ".join(t for t in rest if t != title and t.casefold() not in interface))
    author, date, views = parse_meta_line(meta)
    href = (attribute(title_link, "href") or "").strip()
    return RelatedLink(
        kind=kind,
        rank=rank,
        url=urljoin(base_url, href) if href else None,
        title=title,
        author=author,
        date=date,
        views=views,
    )


def parse_meta_line(meta: str) -> tuple[str | None, str | None, int | None]:
    """``'Камила Мүлік - 2025-02-20 21340'`` → (author, ISO date, views).

    The date may be numeric or written with a month name (``10 декабря 2025``).
    """
    found = find_date_span(meta)
    if found is None:
        return (meta.strip(_SEPARATORS) or None), None, None
    parsed, start, end = found
    author = meta[:start].strip(_SEPARATORS) or None
    views_match = _VIEWS_RE.match(meta[end:])
    views = int(re.sub(r"\s", "", views_match.group(1))) if views_match else None
    return author, parsed.date, views
