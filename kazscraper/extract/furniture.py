"""What the generic layer leaves out of a page: furniture, scripts and link blocks.

The related-news and top-news blocks, the footer, the side rails and scripts hold
other articles' titles and dates, never this one's: ``content_tree`` is the page
without them (for dates and bylines), ``text_tree`` also without the article's own
short field lines (for the body's text). Class and id tokens are compared whole
(``xpaths.FURNITURE_CLASSES``), never as substrings.
"""

from __future__ import annotations

import re
from contextlib import suppress
from copy import deepcopy
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths

_FURNITURE_CLASSES = frozenset(xpaths.FURNITURE_CLASSES)
_FURNITURE_IDS = frozenset(xpaths.FURNITURE_IDS)
_TEXT_FURNITURE_CLASSES = frozenset(xpaths.TEXT_FURNITURE_CLASSES)
_MAX_FIELD_LINE_WORDS = 12
_CLASS_WORD = re.compile(r"[^\s_-]+")


def class_words(node: Any) -> set[str]:
    """The words of an element's class: ``news-detail__info`` -> {news, detail, info}."""
    return {word.casefold() for word in _CLASS_WORD.findall(node.get("class") or "")}


# whether an element is or holds one of the main text's elements, ``xpaths.
# MAIN_TEXT_ANCHORS`` (which searches the whole tree), asked of the element's own: by
# the attributes of those names, not a test of every element (a fifth of the time)
_HOLDS_MAIN_TEXT = etree.XPath(
    "boolean(descendant-or-self::main"
    " | descendant-or-self::*/@itemprop[.='articleBody']"
    " | descendant-or-self::*/@role[.='main']"
    " | descendant-or-self::h1[not(ancestor::nav or ancestor::header or ancestor::footer"
    " or ancestor::aside)])"
)
_MAIN_TEXT_ANCHORS = etree.XPath(xpaths.MAIN_TEXT_ANCHORS)
_NEVER_READ_TAGS = xpaths.NEVER_READ_TAGS
_FURNITURE_TAGS = xpaths.FURNITURE_TAGS


def _furniture_by_name(node: Any) -> bool:
    """Whether ``node``'s class or id names furniture, by whole tokens."""
    classes = node.get("class")
    if classes and not _FURNITURE_CLASSES.isdisjoint(classes.split()):
        return True
    ident = node.get("id")
    return bool(ident) and not _FURNITURE_IDS.isdisjoint(ident.split())


def _is_field_line(node: Any) -> bool:
    """The article's own short date, views or author line (``<span class="post-date">``)."""
    if node.tag != "time":
        classes = node.get("class")
        if not classes or not any(word in classes for word in xpaths.FIELD_LINE_WORDS):
            return False  # a cheap test first: most elements have no such class
        if not class_words(node) & xpaths.FIELD_LINE_WORDS:
            return False
    return len(" ".join(node.itertext()).split()) <= _MAX_FIELD_LINE_WORDS


def in_furniture(node: Any) -> bool:
    """Whether ``node`` is (in) a script, or inside furniture: a footer, aside, nav, a
    header outside ``<article>``, or an element whose class or id names furniture."""
    if node.tag in ("script", "style"):
        return True
    ancestors = list(node.iterancestors())
    for index, ancestor in enumerate(ancestors):
        tag = ancestor.tag
        if tag in ("script", "style", "footer", "aside", "nav") or _furniture_by_name(ancestor):
            return True
        if tag == "header" and not any(a.tag == "article" for a in ancestors[index + 1 :]):
            return True
    return False


def content_tree(page: Selector, blocks: list[Any] | tuple = ()) -> Any:
    """A copy of the page's tree without furniture, scripts and the given link ``blocks``.

    What the generic layer reads: the related-news and top-news blocks, the
    footer and scripts hold other articles' titles and dates, never this one's.
    An element that holds the main text (the ``<h1>``, ``<main>``, the article
    body) is never dropped. The page is copied once and walked once (class
    tokens are compared in Python: an XPath token test per class name costs ten
    times more); what is dropped is not visited.
    """
    root = deepcopy(page.root)
    doomed = _furniture(root)
    # the same nodes in the copy, by their places (the same shape)
    nodes = [getattr(block, "root", block) for block in blocks]
    doomed.extend(copied for copied in _same_places(nodes, page.root, root) if copied is not None)
    for node in doomed:
        drop_keeping_tail(node)
    return root


def _same_places(nodes: list[Any], root: Any, copy: Any) -> list[Any]:
    """The elements of ``copy`` (a copy of ``root``) where ``nodes`` are in ``root`` (None
    for one not in ``root``). A parent's children are paired with their copies once, however
    many nodes it holds (40,000 blocks in one parent: linear)."""
    copies = {root: copy}  # an element of root -> its copy (the dict keeps lxml's proxies)
    found: list[Any] = []
    for node in nodes:
        path: list[Any] = []
        while node not in copies:
            parent = node.getparent()
            if parent is None:  # not in root
                break
            path.append(node)
            node = parent
        else:
            for child in reversed(path):
                if child not in copies:  # its parent's children, paired in one pass
                    parent = child.getparent()
                    copies.update(zip(parent, copies[parent], strict=False))  # same shape
            found.append(copies[path[0]] if path else copies[node])
            continue
        found.append(None)
    return found


def text_tree(tree: Any) -> Any:
    """A copy of ``tree`` (from ``content_tree``) for the body's text: also without feeds,
    breadcrumbs and the article's own short date, views and author lines, which are
    fields, not body text."""
    root = deepcopy(tree)
    for node in _text_furniture(root):
        drop_keeping_tail(node)
    paragraphs_from_breaks(root)
    without_xml_unsafe_text(root)
    return root


def without_xml_unsafe_text(root: Any) -> None:
    """Control characters out of the text of ``root`` (each a space): the HTML parser keeps
    them (Word's manual line break, U+000B, pasted into a CMS), but lxml refuses them in
    the elements trafilatura builds from this tree, and trafilatura then returns nothing
    for the whole page. One pass in C tells whether any is there (most pages have none)."""
    if not _XML_UNSAFE.search(etree.tostring(root, method="text", encoding="unicode")):
        return
    for node in root.iter():
        if node.text and _XML_UNSAFE.search(node.text):
            node.text = _XML_UNSAFE.sub(" ", node.text)
        if node.tail and _XML_UNSAFE.search(node.tail):
            node.tail = _XML_UNSAFE.sub(" ", node.tail)


_INLINE = frozenset(
    {"a", "b", "strong", "i", "em", "span", "u", "small", "sup", "sub", "abbr", "cite", "q",
     "mark", "font", "time", "br"}
)  # fmt: skip
_NOT_A_SECTION = frozenset({"p", "li", "td", "th", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_DOUBLE_BREAK = etree.XPath(
    "boolean(br[following-sibling::node()[1][self::br]"
    " or (following-sibling::node()[1][self::text()][not(normalize-space())]"
    " and following-sibling::node()[2][self::br])])"
)


def paragraphs_from_breaks(root: Any) -> None:
    """Text set with ``<br><br>`` between paragraphs (a Bitrix detail page), not in ``<p>``:
    where loose text follows a heading straight away (the body's first run is the heading's
    tail), each run of loose text and inline elements between two breaks or block elements
    becomes a ``<p>``, so that the first run is read as a paragraph like the others.

    Only there: a page whose ``<br><br>`` runs follow no heading's text is left as it is
    (wrapping those changed trafilatura's reading of 12 real pages, body F1 0.927 -> 0.926).
    """
    for parent in _HOLDS_A_BREAK(root):  # only these may hold <br><br>: one XPath, in C
        if parent.tag in _NOT_A_SECTION or not _DOUBLE_BREAK(parent):
            continue
        if any(child.tag in _HEADINGS and (child.tail or "").strip() for child in parent):
            _wrap_runs(parent)


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# the elements that hold a <br> (``descendant-or-self::*[br]``, the root too), found by
# the <br>s, not by a test of every element
_HOLDS_A_BREAK = etree.XPath("descendant::br/parent::*")


def _wrap_runs(parent: Any) -> None:
    children = list(parent)
    text = parent.text
    for child in children:
        parent.remove(child)
    parent.text = None
    run_text: str | None = text  # the loose text and inline elements of the paragraph
    run: list[Any] = []

    def close() -> None:
        nonlocal run_text, run
        if (run_text or "").strip() or any(
            c.tag != "br" and ("".join(c.itertext()).strip() or (c.tail or "").strip()) for c in run
        ):
            paragraph = etree.SubElement(parent, "p")
            paragraph.text = run_text
            for c in run:
                paragraph.append(c)
        else:
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + (run_text or "")
            else:
                parent.text = (parent.text or "") + (run_text or "")
            for c in run:
                parent.append(c)
        run_text, run = None, []

    for child in children:
        tail, child.tail = child.tail, None
        if (
            isinstance(child.tag, str)
            and child.tag == "br"
            and run
            and run[-1].tag == "br"
            and not (run[-1].tail or "").strip()
        ):
            run.pop()
            close()
            run_text = tail
        elif isinstance(child.tag, str) and child.tag in _INLINE:
            child.tail = tail
            run.append(child)
        else:
            close()
            parent.append(child)
            run_text = tail
    close()


def _furniture(root: Any) -> list[Any]:
    """The elements of ``root`` to drop for ``content_tree``: scripts, and furniture
    (``xpaths.FURNITURE_TAGS``, a header outside ``<article>``, a furniture class or id
    token) unless it holds the main text.

    One pass over the elements in document order, the tests inline; what is dropped is
    not visited. Whether an element holds the main text is asked of the furniture only
    (an XPath over the whole page for the main text's elements cost half the pass).
    """
    doomed = []
    holds_main_text = _MainText(root)
    after = None  # inside a dropped element until this element (the next after it)
    in_article, article_after = False, None  # inside an <article> until this element
    for node in root.iterdescendants(etree.Element):
        if in_article and node is article_after:
            in_article = False
        if after is not None:
            if node is not after:
                continue
            after = None
        tag = node.tag
        if tag == "article" and not in_article:
            in_article, article_after = True, _next_outside(node, root)
        if tag not in _NEVER_READ_TAGS:
            if tag in _FURNITURE_TAGS or (tag == "header" and not in_article):
                pass
            else:
                names = node.keys()  # most elements have neither class nor id: one call
                if not names or not (
                    (
                        "class" in names
                        and not _FURNITURE_CLASSES.isdisjoint(node.get("class").split())
                    )
                    or ("id" in names and not _FURNITURE_IDS.isdisjoint(node.get("id").split()))
                ):
                    continue
            if holds_main_text(node):
                continue
        doomed.append(node)
        after = _next_outside(node, root)
        if after is None:
            break
    return doomed


class _MainText:
    """Whether an element of ``root`` holds the main text (``xpaths.MAIN_TEXT_ANCHORS``):
    asked of the element itself (an XPath over what it holds: furniture is a few elements
    of a page) until an answer is yes; from then on, by the set of the main text's elements
    and their ancestors, built once. Furniture nested in furniture that holds the main
    text, level in level, is then not searched again at every level (quadratic)."""

    def __init__(self, root: Any) -> None:
        self.root = root
        self.kept: set[Any] | None = None

    def __call__(self, node: Any) -> bool:
        if self.kept is not None:
            return node in self.kept
        if not _HOLDS_MAIN_TEXT(node):
            return False
        kept: set[Any] = set()
        for anchor in _MAIN_TEXT_ANCHORS(self.root):
            while anchor is not None and anchor not in kept:  # each element once
                kept.add(anchor)
                anchor = anchor.getparent()
        self.kept = kept
        return True


def _text_furniture(root: Any) -> list[Any]:
    """The elements of ``root`` to drop for ``text_tree``: scripts, feeds and breadcrumbs
    (``xpaths.TEXT_FURNITURE_CLASSES``), and the article's own short field lines, unless
    they hold the main text (asked of these few elements only, not of the whole tree: an
    element holds it if the main text's XPath finds something in it). One pass in document
    order; what is dropped is not visited."""
    doomed = []
    holds_main_text = _MainText(root)
    after = None  # inside a dropped element until this element (the next after it)
    for node in root.iterdescendants(etree.Element):
        if after is not None:
            if node is not after:
                continue
            after = None
        tag = node.tag
        if tag in _NEVER_READ_TAGS:
            furniture = True
        else:
            classes = node.get("class")
            if classes and not _TEXT_FURNITURE_CLASSES.isdisjoint(classes.split()):
                furniture = not holds_main_text(node)
            elif tag == "time" or (
                classes
                and ("date" in classes or "time" in classes or "views" in classes
                     or "info" in classes or "meta" in classes or "author" in classes
                     or "byline" in classes)
            ):  # fmt: skip
                furniture = _is_field_line(node) and not holds_main_text(node)
            else:
                continue
        if furniture:
            doomed.append(node)
            after = _next_outside(node, root)
            if after is None:
                break
    return doomed


def _next_outside(node: Any, root: Any) -> Any:
    """The element after ``node`` and all it holds, in document order, inside ``root``
    (None if there is none)."""
    while node is not root:
        following = next(node.itersiblings(etree.Element), None)
        if following is not None:
            return following
        node = node.getparent()
    return None


def drop_keeping_tail(node: Any) -> None:
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
