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
from collections.abc import Callable, Iterable, Iterator
from functools import cached_property, lru_cache
from itertools import islice
from typing import Any

from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator

from kazscraper.extract.dates import find_date_span
from kazscraper.items import RelatedLink
from kazscraper.urls import is_safe_link, join_url, url_origin

HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VIEWS_RE = re.compile(r"^\s*(\d[\d\s]{0,12})\b")
_RANK_RE = re.compile(r"^\d{1,3}$")
_SEPARATORS = " -–—|•·,"


# Compiled once: parsel's .xpath() wraps every result in a Selector, which cost more than the
# queries themselves on a 60 KB page; these helpers work on lxml elements directly.
_VISIBLE_TEXT = etree.XPath(".//text()[not(ancestor::script|ancestor::style)]", smart_strings=False)
# (``descendant::``, not ``.//``: libxml2 reads ``.//li[…]`` as the li children of every
# node below, a node-set each, merged: ~1.6x the time)
_LI_WITH_LINK = etree.XPath("descendant::li[descendant::a[@href]]")
_LINKS = etree.XPath("descendant-or-self::a[@href]")

Node = Selector | etree._Element


def _element(node: Node) -> Any:
    return node.root if isinstance(node, Selector) else node


def _is_element(node: Any) -> bool:
    return isinstance(getattr(node, "tag", None), str)  # not a comment, PI or text


@lru_cache(maxsize=256)
def _css_xpath(css: str) -> etree.XPath:
    return etree.XPath(_without_class_presence(HTMLTranslator().css_to_xpath(css)))


# cssselect's test of a class (``.news-text``, ``[class*=x]``) first asks that the element
# have the attribute: ``@class and contains(@class, 'x') and …``. A non-empty string is in
# @class only where there is one, so the first test decides nothing: dropped, it no longer
# costs a node-set for each element of its tag (~8 µs a selector on a 60 KB page)
_CLASS_PRESENCE = re.compile(r"""@class and (?=contains\(@class, (?:'[^']|"[^"]))""")


def _without_class_presence(xpath: str) -> str:
    return _CLASS_PRESENCE.sub("", xpath)


def css_select(node: Node, css: str) -> list[Any]:
    """Elements (or, with ``::attr(x)``/``::text``, strings) matching ``css`` under ``node``:
    parsel's CSS dialect, compiled once per selector, without wrapping results."""
    if not css:
        return []
    return list(_css_xpath(css)(_element(node)))


def attribute(node: Node, name: str) -> str | None:
    """One attribute of an element (parsel's ``.attrib`` builds them all, and lxml refuses
    to build one whose name or value holds control characters)."""
    element = _element(node)
    value = element.get(name) if hasattr(element, "get") else None
    return value if isinstance(value, str) else None


def squash(text: str) -> str:
    """Collapse every run of whitespace (NBSP included) to one space."""
    return " ".join(text.split())


def node_text(node: Node) -> str:
    """Visible text of an element: its text nodes outside script/style, squashed."""
    element = _element(node)
    if isinstance(element, str):
        return squash(element)
    if next(element.iterdescendants("script", "style"), None) is not None:  # (an XPath: 2x)
        return squash(" ".join(_VISIBLE_TEXT(element)))
    return squash(" ".join(element.itertext()))  # no script inside: the fast path


def find_block(
    page: Selector,
    labels: Iterable[str],
    stop_labels: Iterable[str] = (),
    candidates: list[etree._Element] | None = None,
    keyed: list[tuple[str, etree._Element]] | None = None,
) -> list[etree._Element] | None:
    """The elements that make up the block headed by one of ``labels``; None if no heading.

    ``candidates``: the elements that may be headings, from ``heading_candidates`` (one
    pass for several blocks of the same page); ``keyed``: the same with their texts as
    labels are compared (``heading_keys``: read once for several blocks).
    """
    labels, wanted, stops = _label_keys(tuple(labels), tuple(stop_labels))
    if keyed is None:
        if candidates is None:
            candidates = heading_candidates(page, labels)
        keyed = heading_keys(candidates)
    for key in wanted:  # the profile's order of preference
        for text, element in keyed:
            if text == key and not _in_menu(element):
                return _region_after(_widen(element), stops)
    return None


def heading_keys(candidates: list[etree._Element]) -> list[tuple[str, etree._Element]]:
    """Each candidate heading with its text as a label is compared (``label_key``)."""
    return [(label_key(node_text(element)), element) for element in candidates]


@lru_cache(maxsize=64)
def _label_keys(
    labels: tuple[str, ...], stop_labels: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """The labels squashed, their keys in the same order, and the keys that end a block
    (``stop_labels``' too): a profile's few labels, made once, not on every page."""
    squashed = tuple(squash(label) for label in labels)
    wanted = tuple(label_key(label) for label in squashed)
    return squashed, wanted, frozenset(wanted) | {label_key(label) for label in stop_labels}


def label_key(text: str) -> str:
    """A heading as compared with a label: squashed, case-folded, without the colon, dash
    or arrow a theme puts around it (``Читайте также:``, ``POPULAR »``)."""
    return squash(text).strip(_LABEL_TRIM).casefold()


_LABEL_TRIM = " :：-–—|•·»«>›<‹→\u2192#"
# a label inside a menu (a "Popular" tab of the navigation, a link of a list) heads no block
_MENU_TAGS = ("nav", "li", "option")


def _in_menu(element: etree._Element) -> bool:
    """``boolean(ancestor-or-self::*[self::nav or self::li or self::option])``, by lxml's
    walk up the tree (an XPath's call costs ~5x more)."""
    return element.tag in _MENU_TAGS or next(element.iterancestors(*_MENU_TAGS), None) is not None


def heading_candidates(
    page: Selector,
    labels: Iterable[str],
    html: str | None = None,
    words: PageWords | None = None,
) -> list[etree._Element]:
    """Elements whose own text holds the last word of one of ``labels``, in one pass.

    XPath 1.0 cannot casefold: the words are looked for as written and in capitals, and
    the exact, case-folded match is made after. Given the page's ``html``, words that do
    not occur in it at all are not looked for. ``words``: the page's ``PageWords``, where
    several label sets are looked for on the same page (each word searched once).
    """
    if words is None:
        words = PageWords(page.root)
    # a word in none of the body's text nodes heads nothing: the body's text (serialised
    # in C, a fraction of the HTML, in UTF-8: a word is in the text where its bytes are in
    # the bytes) is searched first, the HTML (on another site's page) only for what is in it
    needles = [n for n in words.present(tuple(labels)) if html is None or n in html]
    if not needles:
        return []
    return _heading_xpath(tuple(needles))(page.root)


class PageWords:
    """Which of the labels' words one page's body text holds (``heading_candidates``): the
    text serialised once, each word searched once, however many label sets ask. Made for a
    page and dropped with it (``related_blocks``), never shared between pages.

    A search reads the whole text when the word is not there (most of the ~90 words of the
    generic profile's labels: ~35 µs each on a 47 KB text), so it is avoided where a cheaper
    test decides: a word with a byte the text lacks (a Cyrillic letter's first byte on a
    page in English: memchr) is not there; a word in Latin capitals is looked for in the
    text's runs of capitals only (an occurrence is inside one): a few hundred bytes."""

    def __init__(self, root: etree._Element) -> None:
        self._root = root
        self._known: dict[bytes, bool] = {}  # words and single bytes: in the text or not

    def present(self, labels: tuple[str, ...]) -> list[str]:
        """The labels' last words, as written and in capitals (sorted), that occur in the
        body's text: those ``word.encode() in text`` finds."""
        text = self.text
        known = self._known
        found = []
        for word, needle, lead_bytes, capitals in _needles(labels):
            hit = known.get(needle)
            if hit is None:
                for byte in lead_bytes:  # a letter's first byte, not in the text: no word
                    if (has := known.get(byte)) is None:
                        has = known[byte] = byte in text
                    if not has:
                        hit = False
                        break
                else:
                    hit = needle in (self._capital_runs if capitals else text)
                known[needle] = hit
            if hit:
                found.append(word)
        return found

    @cached_property
    def text(self) -> bytes:
        """The text of the page's ``<body>`` elements, UTF-8 (``_body_text``)."""
        return _body_text(self._root)

    @cached_property
    def _capital_runs(self) -> bytes:
        """The text's runs of Latin capitals, each once: a word of capitals alone is in the
        text where it is in one of them."""
        return b" ".join(set(self.text.translate(_CAPITAL_RUNS).split()))


# every byte but a Latin capital made a space: the text's runs of capitals, split apart
_CAPITAL_RUNS = bytes(b if 0x41 <= b <= 0x5A else 0x20 for b in range(256))


@lru_cache(maxsize=64)
def _needles(labels: tuple[str, ...]) -> tuple[tuple[str, bytes, tuple[bytes, ...], bool], ...]:
    """The last word of each label, as written and in capitals, sorted (once per label set),
    each with its UTF-8, the lead bytes of its non-ASCII characters, and whether it is Latin
    capitals alone (A-Z)."""
    last_words = [squash(label).split()[-1] for label in labels]
    needles = []
    for word in sorted({n for last in last_words for n in (last, last.upper())}):
        needle = word.encode()
        lead_bytes = tuple(bytes((b,)) for b in sorted({b for b in needle if b >= 0xC0}))
        capitals = all(0x41 <= b <= 0x5A for b in needle)
        needles.append((word, needle, lead_bytes, capitals))
    return tuple(needles)


def _body_text(root: etree._Element) -> bytes:
    """Every text node of the page's ``<body>`` elements (of the page if it has none), as
    UTF-8 (libxml2's own: not decoded, ~0.3 of the time). Every one that ``//body`` finds:
    libxml2 also makes a ``<body>`` of what follows ``</html>`` (in an element beside the
    root) and of one inside a ``<noscript>`` of the ``<head>``."""
    tops = [root, *root.itersiblings()] if root.getparent() is None else [root]
    bodies = [body for top in tops for body in top.iter("body")]
    if len(bodies) == 1:
        return etree.tostring(bodies[0], method="text", encoding="utf-8")
    if not bodies:
        return etree.tostring(root, method="text", encoding="utf-8")
    return b"\n".join(etree.tostring(body, method="text", encoding="utf-8") for body in bodies)


@lru_cache(maxsize=64)
def _heading_xpath(needles: tuple[str, ...]) -> etree.XPath:
    # the text nodes tested, then their parents: the elements under <body> (not it) with a
    # text of their own that holds a needle, in page order, as ``//body//*[text()[…]]``
    # gave them, without a node-set of text children made for each element (~0.3 of the cost)
    test = " or ".join(f"contains(., {_xpath_literal(n)})" for n in needles)
    # (a script's or style's text is left out before it is searched: a tail script is often
    # most of a page's text)
    return etree.XPath(
        f"//body/descendant::text()[{test}][not(parent::script|parent::style)]"
        "/parent::*[not(self::body)]"
    )


def _xpath_literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"


def _widen(element: etree._Element) -> etree._Element:
    """Climb to the outermost ancestor that contains the heading and nothing else."""
    while True:
        parent = element.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return element
        if not _one_element_child(parent) or not _same_text(parent, element):
            return element
        element = parent


def _same_text(parent: etree._Element, child: etree._Element) -> bool:
    """``node_text(parent) == node_text(child)``, ``child`` being its one child element.

    Where ``child`` is the only node in ``parent``, ``parent``'s visible text is its own
    text, then ``child``'s, then ``child``'s tail, each squashed apart (joined with a
    space): the same as ``child``'s where neither of the others holds a word, told without
    joining any text. (A comment or instruction beside ``child``: the texts compared.)"""
    if len(parent) == 1:
        return not (_has_words(parent.text) or _has_words(child.tail))
    return node_text(parent) == node_text(child)


def _has_words(text: str | None) -> bool:
    return bool(text and not text.isspace())


def _one_element_child(parent: etree._Element) -> bool:
    """``parent`` has one child element (text, comments aside): read no further than two."""
    children = parent.iterchildren(etree.Element)  # (elements only, told in C)
    return next(children, None) is not None and next(children, None) is None


def _region_after(
    heading: etree._Element, stops: frozenset[str] | set[str]
) -> list[etree._Element]:
    region = []
    longest = _longest(stops) if isinstance(stops, frozenset) else max(map(len, stops), default=0)
    for sibling in heading.itersiblings(etree.Element):  # (elements only, told in C)
        if sibling.tag in HEADING_TAGS or (
            stops and label_key(_short_text(sibling, longest)) in stops
        ):
            break
        region.append(sibling)
    return region


@lru_cache(maxsize=64)
def _longest(stops: frozenset[str]) -> int:
    return max(map(len, stops), default=0)


def _short_text(element: etree._Element, limit: int) -> str:
    """``node_text`` of an element whose text may be a label; '' when it is longer than
    ``limit`` plus spacing (a block of items, not a heading): that is the common case, and
    it is decided before any squashing, reading no further than that length."""
    room = 4 * limit + 40
    for text in element.itertext():
        room -= len(text)
        if room < 0:
            return ""
    return node_text(element)


def block_items(
    region: list[etree._Element], known: dict[etree._Element, list[etree._Element]] | None = None
) -> list[etree._Element]:
    """The item elements of a block: list items, or the children that carry a link.

    ``known``: each element's items as read before, from one search of one page (the
    regions after its headings overlap: each element is read once)."""
    if known is None:
        return [item for element in region for item in _element_items(element)]
    items: list[etree._Element] = []
    for element in region:
        found = known.get(element)
        if found is None:
            found = known[element] = _element_items(element)
        items.extend(found)
    return items


def _element_items(element: etree._Element) -> list[etree._Element]:
    if not _has_link(element):  # (no link: no item, without a search for one)
        return []
    found = _items_of(element)
    for _ in range(8):  # wrappers (``view > view-content > rows``): down to the rows
        if len(found) != 1 or not _two_links(found[0]):
            break
        found = _children_with_link(found[0])
    return found or [element]


def _items_of(element: etree._Element) -> list[etree._Element]:
    """``.//li[.//a[@href]]``, else ``./*[descendant-or-self::a[@href]]``: the XPath only
    where there is a list item (lxml's walk in C tells), the children by lxml's walks."""
    if next(element.iterdescendants("li"), None) is not None and (found := _LI_WITH_LINK(element)):
        return found
    return _children_with_link(element)


def _children_with_link(element: etree._Element) -> list[etree._Element]:
    """``./*[descendant-or-self::a[@href]]``: the child elements that are or hold a link."""
    return [child for child in element.iterchildren(etree.Element) if _has_link(child)]


def _href_links(element: etree._Element) -> Iterator[etree._Element]:
    """``descendant-or-self::a[@href]`` (``_LINKS``) in page order, by lxml's walk, read
    lazily: a test stops at the link that decides it."""
    return (a for a in element.iter("a") if a.get("href") is not None)


def _has_link(element: etree._Element) -> bool:
    """``boolean(descendant-or-self::a[@href])``, stopping at the first."""
    return next(_href_links(element), None) is not None


def _two_links(element: etree._Element) -> bool:
    """``count(descendant-or-self::a[@href]) >= 2``, stopping at the second."""
    return next(islice(_href_links(element), 1, None), None) is not None


def parse_block(
    region: list[etree._Element],
    kind: str,
    base_url: str,
    interface_strings: Iterable[str],
    limit: int | None = None,
) -> list[RelatedLink]:
    """The entries of a block, at most ``limit`` of them (the items past it are not read).

    A block seen before (the top-news list is the same on every page of a site) gives its
    entries again from its markup, without its items found and read one by one."""
    interface = _interface_keys(tuple(interface_strings))
    origin = url_origin(base_url)
    if len(region) > _BLOCK_MEMO_ELEMENTS:
        return _parse_block(region, kind, base_url, interface, origin, limit)
    markup = tuple(etree.tostring(e, with_tail=False, encoding="utf-8") for e in region)
    if sum(map(len, markup)) > _BLOCK_MEMO_BYTES:  # (a flood of links: read as it is)
        return _parse_block(region, kind, base_url, interface, origin, limit)
    # an href relative to the page makes the entries page-specific (as ``_parse_item_memo``)
    relative = any(_SITE_RELATIVE.search(m.lower()) for m in markup)
    key = (markup, kind, base_url if relative else origin, interface, limit)
    found = _BLOCK_MEMO.get(key)
    if found is None:
        if len(_BLOCK_MEMO) >= _BLOCK_MEMO_SIZE:
            _BLOCK_MEMO.clear()
        found = _BLOCK_MEMO[key] = _parse_block(region, kind, base_url, interface, origin, limit)
    # copies (``dataclasses.replace`` checks every field: twice the time)
    return [RelatedLink(**vars(link)) for link in found]


# blocks by their markup: a few per site, each of a few KB (a larger one is not kept)
_BLOCK_MEMO: dict[tuple[Any, ...], list[RelatedLink]] = {}
_BLOCK_MEMO_SIZE = 256
_BLOCK_MEMO_ELEMENTS = 16
_BLOCK_MEMO_BYTES = 32_000


def _parse_block(
    region: list[etree._Element],
    kind: str,
    base_url: str,
    interface: frozenset[str],
    origin: str,
    limit: int | None,
) -> list[RelatedLink]:
    links: list[RelatedLink] = []
    for position, item in enumerate(block_items(region), start=1):
        if limit is not None and len(links) >= limit:
            break
        link = _parse_item_memo(item, kind, position, base_url, interface, origin)
        if link is not None:
            links.append(link)
    return links


@lru_cache(maxsize=64)
def _interface_keys(interface_strings: tuple[str, ...]) -> frozenset[str]:
    """A profile's interface strings as item texts are compared with them (made once)."""
    return frozenset(squash(s).casefold() for s in interface_strings)


# Parsed items by their markup: the top-news list is the same on every page of a site, and
# similar-news items recur. A hit returns a copy (callers may change the links they get).
_ITEM_MEMO: dict[tuple[Any, ...], RelatedLink | None] = {}
_ITEM_MEMO_SIZE = 4096
# read in the lower-cased markup (a case-sensitive pattern is searched 4x faster); possessive
# (``?+``, ``*+``): a quote or a space given back let the test read the quote as the href's
# start, and every quoted href as page-relative (no item was ever reused); ``https:story``
# (no ``//``) is relative to the page
_SITE_RELATIVE = re.compile(rb'href\s*+=\s*+["\']?+(?!/[^/]|https?://)')


def _parse_item_memo(
    item: etree._Element,
    kind: str,
    position: int,
    base_url: str,
    interface: frozenset[str],
    origin: str,
) -> RelatedLink | None:
    markup = etree.tostring(item, with_tail=False, encoding="utf-8")  # not &#NNNN;: 2x faster
    # an href relative to the page (not '/path' nor 'http…') makes the result page-specific
    base = base_url if _SITE_RELATIVE.search(markup.lower()) else origin
    key = (markup, kind, position, base, interface)
    if key not in _ITEM_MEMO:
        if len(_ITEM_MEMO) >= _ITEM_MEMO_SIZE:
            _ITEM_MEMO.clear()
        _ITEM_MEMO[key] = parse_item(item, kind, position, base_url, set(interface), origin)
    found = _ITEM_MEMO[key]
    # a copy (``dataclasses.replace`` checks every field: twice the time)
    return RelatedLink(**vars(found)) if found is not None else None


def _absolute(base_url: str, href: str, origin: str) -> str | None:
    """``urljoin``, with a shortcut for the common site-absolute path (``/news/slug``);
    None for anything but an http(s) URL (``javascript:``, ``data:``, ``mailto:``)."""
    if origin and href.startswith("/") and not href.startswith("//") and "/." not in href:
        return origin + href
    url = join_url(base_url, href)
    return url if url and is_safe_link(url) else None


def parse_item(
    item: etree._Element,
    kind: str,
    position: int,
    base_url: str,
    interface: set[str],
    origin: str = "",
) -> RelatedLink | None:
    title_link = None
    title = ""
    for anchor in _LINKS(item):
        text = node_text(anchor)
        if text and text.casefold() not in interface:
            title_link, title = anchor, text
            break
    if title_link is None:
        return None
    rest = [text for text in (squash(t) for t in _VISIBLE_TEXT(item)) if text]
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
        url=_absolute(base_url, href, origin) if href else None,
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
        if (views_only := _VIEWS_RE.fullmatch(meta.strip(_SEPARATORS))) is not None:
            return None, None, int(re.sub(r"\s", "", views_only.group(1)))  # '22748': views
        return (meta.strip(_SEPARATORS) or None), None, None
    parsed, start, end = found
    author = meta[:start].strip(_SEPARATORS) or None
    views_match = _VIEWS_RE.match(meta[end:])
    views = int(re.sub(r"\s", "", views_match.group(1))) if views_match else None
    return author, parsed.date, views


_SECTION_TAGS = ("h2", "h3", "h4", "h5", "h6")
_NOT_UNDER = ("nav", "header", "footer", "a")
_MOST_HEADINGS = 60


def _section_headings(root: etree._Element) -> list[etree._Element]:
    """``(//body//*[self::h2 or … or self::h6][not(ancestor::nav or ancestor::header or
    ancestor::footer or ancestor::a)])[position() <= 60]``, by lxml's walks in C (the
    XPath's ``//*`` with a predicate made a node-set of the children of every node under
    ``<body>``: ~0.6 ms a page): the headings under a ``<body>``, in page order, of every
    element the document holds (``//`` starts at the document: what follows ``</html>``
    too), none inside a nav, header, footer or link."""
    top = root.getroottree().getroot()
    found = []
    for element in (top, *top.itersiblings()):
        if not _is_element(element):
            continue
        for heading in element.iter(*_SECTION_TAGS):
            above = [e.tag for e in heading.iterancestors("body", *_NOT_UNDER)]
            if above and above.count("body") == len(above):
                found.append(heading)
                if len(found) == _MOST_HEADINGS:
                    return found
    return found


_COUNTER = re.compile(r"^\d[\d\s]{0,12}$")


def most_read_by_structure(
    page: Selector, base_url: str, skip: Iterable[etree._Element] = ()
) -> list[etree._Element] | None:
    """A most-read block under a heading no label names (``Оқырман таңдауы``): a heading
    followed by three or more links to other pages of the same site, each shown with its
    view count (a number of its own beside the title). None when there is none."""
    host = url_origin(base_url)
    taken = set(skip)
    known: dict[etree._Element, list[etree._Element]] = {}  # (this page's, this search's)
    for heading in _section_headings(page.root):
        if len(node_text(heading)) > 60:
            continue
        region = _region_after(_widen(heading), set())
        if any(element in taken for element in region):  # a block found by its label
            continue
        items = block_items(region, known)
        if len(items) < 3:
            continue
        if _most_pass(items, 3, lambda item: _counted_row(item, base_url, host)):
            return region
    return None


def _counted_row(item: etree._Element, base_url: str, host: str) -> bool:
    """A most-read row: its first link titled in three words or more, a number of its own
    beside it (the view count), and that link to another page of the site."""
    link = _first_link(item)
    if len(node_text(link).split()) < 3:  # the text's tests first: cheaper than the link's
        return False
    if not any(_COUNTER.match(t) for t in map(squash, _VISIBLE_TEXT(item)) if t):
        return False
    return _same_site_link(link, base_url, host)


def _most_pass(items: list[etree._Element], least: int, test: Callable[[Any], bool]) -> bool:
    """``test`` passes ``least`` of the ``items`` or more, and half of them or more: the
    items read only until that is decided (a menu of 40 links fails after 21)."""
    needed = max(least, (len(items) + 1) // 2)
    passed, left = 0, len(items)
    for item in items:
        if passed >= needed or passed + left < needed:
            break
        left -= 1
        if test(item):
            passed += 1
    return passed >= needed


def _first_link(item: etree._Element) -> etree._Element:
    """``_LINKS(item)[0]`` (an item of ``block_items`` holds a link)."""
    return next(_href_links(item))


def _same_site_link(link: etree._Element, base_url: str, host: str) -> bool:
    """``link`` leads to another page of the site at ``host`` (not the page itself)."""
    href = _absolute(base_url, (attribute(link, "href") or "").strip(), host)
    if not href:
        return False
    return url_origin(href) == host and href.split("#")[0] != base_url


# a similar-news heading no label names: a short text of its own, no link, after the <h1>
# (what follows the page's first <h1>, and any <h1> inside it: the same elements as what
# follows every <h1>, without libxml2 building and merging one set per <h1>: 4x faster)
_SHORT_HEADINGS = etree.XPath(
    "((/descendant::h1[1]/following::* | /descendant::h1[1]//h1/following::*)"
    "[not(self::a or self::script or self::style or self::li)]"
    "[normalize-space(text())][not(.//a)][string-length(normalize-space(.)) <= 60]"
    "[not(ancestor::nav or ancestor::aside or ancestor::header or ancestor::footer"
    " or ancestor::a or ancestor::li or ancestor::form)])[position() <= 300]"
)
_SIMILAR_ROWS = 3


def similar_by_structure(
    page: Selector, base_url: str, skip: Iterable[etree._Element] = ()
) -> list[etree._Element] | None:
    """A similar-news block under a heading no label names: after the ``<h1>``, outside a
    side rail, nav, header or footer, a short heading followed by three or more rows, each
    a link to another page of the same site titled in three words or more, and no
    paragraph of text. The first such block; None when there is none."""
    host = url_origin(base_url)
    taken = set(skip)
    known: dict[etree._Element, list[etree._Element]] = {}  # (this page's, this search's)
    for heading in _SHORT_HEADINGS(page.root):
        region = _region_after(_widen(heading), set())
        if not region or any(element in taken for element in region):
            continue
        items = block_items(region, known)
        if len(items) < _SIMILAR_ROWS or any(_LONG_TEXT(element) for element in region):
            continue
        if _most_pass(items, _SIMILAR_ROWS, lambda item: _similar_row(item, base_url, host)):
            return region
    return None


def _similar_row(item: etree._Element, base_url: str, host: str) -> bool:
    """A similar-news row: its longest link text three words or more, its first link to
    another page of the site."""
    links = list(_href_links(item))
    if len(max((node_text(a) for a in links), key=len).split()) < 3:  # (cheaper: first)
        return False
    return _same_site_link(links[0], base_url, host)


# a paragraph of text (a sentence of 25 words or more): the body, not a block of links
_LONG_TEXT = etree.XPath("boolean(descendant-or-self::p[string-length(normalize-space()) > 160])")
