"""What the generic layer leaves out of a page: furniture, scripts and link blocks.

The related-news and top-news blocks, the footer, the side rails and scripts hold
other articles' titles and dates, never this one's: ``content_tree`` is the page
without them (for dates and bylines), ``text_tree`` also without the article's own
short field lines (for the body's text). Class and id tokens are compared whole
(``xpaths.FURNITURE_CLASSES``), never as substrings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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


_MAIN_TEXT_ANCHORS = etree.XPath(xpaths.MAIN_TEXT_ANCHORS)


def _furniture_by_name(node: Any) -> bool:
    """Whether ``node``'s class or id names furniture, by whole tokens."""
    attrib = node.attrib
    if not attrib:
        return False
    classes = attrib.get("class")
    if classes and not _FURNITURE_CLASSES.isdisjoint(classes.split()):
        return True
    ident = attrib.get("id")
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


def _is_text_furniture(node: Any, tag: str = "", in_article: bool = False) -> bool:
    classes = node.get("class")
    if classes and not _TEXT_FURNITURE_CLASSES.isdisjoint(classes.split()):
        return True
    return _is_field_line(node)


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
    doomed = _doomed(root, _is_furniture)
    if blocks:  # the same nodes in the copy: walk both trees in step (same shape)
        wanted = {id(getattr(block, "root", block)) for block in blocks}
        doomed += [
            copied for original, copied in zip(page.root.iter(), root.iter(), strict=True)
            if id(original) in wanted
        ]  # fmt: skip
    for node in doomed:
        drop_keeping_tail(node)
    return root


def text_tree(tree: Any) -> Any:
    """A copy of ``tree`` (from ``content_tree``) for the body's text: also without feeds,
    breadcrumbs and the article's own short date, views and author lines, which are
    fields, not body text."""
    root = deepcopy(tree)
    for node in _doomed(root, _is_text_furniture):
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
_HOLDS_A_BREAK = etree.XPath("descendant-or-self::*[br]")


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


def _is_furniture(node: Any, tag: str, in_article: bool) -> bool:
    return (
        tag in xpaths.FURNITURE_TAGS
        or (tag == "header" and not in_article)
        or _furniture_by_name(node)
    )


def _doomed(root: Any, test: Callable[[Any, str, bool], bool]) -> list[Any]:
    """The elements of ``root`` to drop: scripts, and those ``test`` names unless they
    hold the main text (elements inside a doomed one are not visited)."""
    # the elements themselves, not their id(): lxml makes a new proxy object on each access
    keep = {root}
    for anchor in _MAIN_TEXT_ANCHORS(root):
        keep.update(anchor.iterancestors())
        keep.add(anchor)
    doomed = []
    stack = [(root, False)]
    while stack:
        parent, in_article = stack.pop()
        for node in parent:
            tag = node.tag
            if not isinstance(tag, str):  # a comment or processing instruction
                continue
            if tag in xpaths.NEVER_READ_TAGS or (test(node, tag, in_article) and node not in keep):
                doomed.append(node)
            elif len(node):
                stack.append((node, in_article or tag == "article"))
    return doomed


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
