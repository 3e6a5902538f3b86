"""Whether page text is HTML to parse, checked once per page: the result travels with the text.

Intake checks a page's text when it decodes it (``page_item``); the extractor, often in
another process, reads the verdict from the text it is given (``CheckedHtml``) instead
of checking again. Text that did not come through intake (a test's string, a
benchmark's file) is checked where it is parsed (``html_problem``). The crawl's link reader
parses an article page before it is extracted: its parse travels with the text too, and the
extractor takes it (``parsed``) instead of parsing the page again.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from kazscraper.intake.markup import markup_problem

if TYPE_CHECKING:
    from lxml import etree
    from parsel import Selector

_HEAD = 4096  # the first characters where binary data or markup shows


class CheckedHtml(str):
    """Page text that intake has checked: ``problem`` says why it is no HTML to parse ('' when
    it is), its markup already found parseable (``markup_problem``). Any change of the text
    (a slice, a replacement) gives a plain ``str``, to be checked again."""

    problem: str
    _parsed: Selector | None  # the page parsed as HTML by its first reader, for the next

    def __new__(cls, text: str, problem: str = "") -> CheckedHtml:
        checked = super().__new__(cls, text)
        checked.problem = problem
        checked._parsed = None
        return checked

    def keep_parsed(self, page: Selector) -> None:
        """Keep ``page`` (this text parsed as HTML, unchanged) for the extractor: the crawl
        reads a page's links, then extracts it, from one parse (``parsed``)."""
        self._parsed = page

    def drop_parsed(self) -> None:
        """Forget the parse kept (the page is extracted elsewhere: no tree held meanwhile)."""
        self._parsed = None

    def __reduce__(self) -> tuple[type[CheckedHtml], tuple[str, str]]:
        # to an extraction worker process, with the verdict
        return CheckedHtml, (str(self), self.problem)


def text_problem(html: str) -> str | None:
    """Why ``html`` is no HTML document (empty, binary data, no markup at its start), or None."""
    if not html or html.isspace():  # (``strip`` would copy the page)
        return "empty document"
    if "\x00" in html[:_HEAD]:
        return "binary data, not HTML"
    if "<" not in html[:_HEAD]:
        return "no markup in the first 4 KB: not HTML"
    return None


def html_problem(html: str) -> str | None:
    """Why ``html`` must not be parsed, or None: the verdict ``CheckedHtml`` carries, else
    the checks of ``text_problem`` then ``markup_problem``."""
    if isinstance(html, CheckedHtml):
        return html.problem or None
    return text_problem(html) or markup_problem(html)


def parsed(html: str) -> Selector:
    """``html`` parsed as HTML: the parse its link reader kept (``CheckedHtml.keep_parsed``),
    handed over once (its reader is done with it; the extractor may change the tree), else a
    new one. Either is ``Selector(text=html, type="html")``."""
    if isinstance(html, CheckedHtml) and (page := html._parsed) is not None:
        html._parsed = None
        return page
    return html_selector(html)


def html_selector(html: str) -> Selector:
    """``Selector(text=html, type="html")``, the same tree, made without parsel's copy of the
    whole page to take out NUL characters that are seldom there (``str.replace`` copies the
    page even when it finds none: ~35 µs of a 60 KB page): looked for first, in the bytes."""
    from lxml import etree
    from parsel import Selector

    # as parsel's ``create_root_node``: stripped, without NUL, UTF-8; a NUL is one 0 byte in
    # UTF-8 and no other character has one, so the bytes are searched (memchr, not a str scan)
    body = html.strip().encode("utf-8")
    if b"\x00" in body:
        body = body.replace(b"\x00", b"")
    # collect_ids=False: libxml2 builds no table of the ``id`` attributes, which nothing
    # looks elements up by (XPath's id(), getElementById); the tree is the same
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=True, collect_ids=False)
    parser.set_element_class_lookup(_html_classes())
    root = etree.fromstring(body or b"<html/>", parser=parser)
    if root is None:  # (as parsel does for a document libxml2 makes nothing of)
        root = etree.fromstring(b"<html/>", parser=parser)
    return Selector(root=root, type="html")


@cache
def _html_classes() -> etree.ElementNamespaceClassLookup:
    """lxml.html's element classes (``HtmlElement``, ``FormElement`` for ``<form>``, ...), as
    ``lxml.html.HTMLParser`` gives them, chosen in C: its own lookup is a Python method called
    for each element object made (~6,000 a page on the generic layer, ours and trafilatura's
    walks). HTML's parser gives lower-case tag names, which its lookup lower-cases anyway."""
    import lxml.html
    from lxml import etree

    fallback = etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    names = lookup.get_namespace(None)
    classes = lxml.html.HtmlElementClassLookup._default_element_classes  # type: ignore[attr-defined]
    for tag, cls in classes.items():  # form, input, select, textarea, label
        names[tag] = cls
    return lookup


def checked_html(text: str) -> CheckedHtml:
    """Decoded page text whose markup passed ``markup_problem``, with its other checks done."""
    return CheckedHtml(text, text_problem(text) or "")
