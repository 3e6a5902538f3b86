"""The body's paragraphs: the profile's container, else the main text by trafilatura.

For a page the profile does not match, trafilatura (a maintained boilerplate
remover: we do not hand-write a readability clone, imported lazily) reads the page
without its furniture (``GenericView``); a page that is a list of teasers yields no
body (``listing_evidence``), and so is refused by validation.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import css_select, node_text, squash
from kazscraper.extract.furniture import content_tree, text_tree
from kazscraper.extract.headline import generic_title
from kazscraper.extract.listing import listing_evidence
from kazscraper.extract.profile_layer import profile_paragraphs
from kazscraper.sites import SiteProfile

# a generic body shorter than this is a notice or an error page, not an article ...
MIN_GENERIC_BODY = 120
# ... unless it is a short news item: at least three paragraphs that are sentences
_SHORT_ITEM_PARAGRAPHS = 3
_SENTENCE_WORDS = 4

# trafilatura warns on every page it finds too short ("discarding data"): for us that is an
# ordinary outcome, reported in provenance, not a warning for the crawl log
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def trafilatura_paragraphs(tree: Any, url: str = "", title: str = "") -> list[str]:
    """The main content of the page ``tree`` as paragraphs, by trafilatura.

    Comments and tables are left out; a paragraph that repeats the title is
    dropped; less than ``MIN_GENERIC_BODY`` characters of text is no body, unless
    it is three sentences or more (a short news item).
    """
    import trafilatura

    text = trafilatura.extract(
        tree,
        url=url or None,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
        with_metadata=False,
    )
    if not text:
        return []
    lines = [" ".join(line.split()) for line in text.splitlines()]
    paragraphs = [line for line in lines if line and line != title]
    if sum(len(p) for p in paragraphs) < MIN_GENERIC_BODY and not _short_news_item(paragraphs):
        return []
    return paragraphs


def _short_news_item(paragraphs: list[str]) -> bool:
    """Three sentences or more (``The bridge reopened on Monday.``): a short article, not a
    notice (one line) or a menu (single words)."""
    sentences = [p for p in paragraphs if len(p.split()) >= _SENTENCE_WORDS]
    return len(sentences) >= _SHORT_ITEM_PARAGRAPHS


class GenericView:
    """The page as the generic layer sees it: built on first use, at most once."""

    def __init__(self, page: Selector, blocks: list[Any], url: str) -> None:
        self.page, self.blocks, self.url = page, blocks, url
        self._tree: Any = None
        self._text_tree: Any = None

    @property
    def tree(self) -> Any:
        """For dates: furniture gone, date elements kept."""
        if self._tree is None:
            self._tree = content_tree(self.page, self.blocks)
        return self._tree

    @property
    def text_tree(self) -> Any:
        """For the body: also without feeds and the short date/views/author lines."""
        if self._text_tree is None:
            self._text_tree = text_tree(self.tree)
        return self._text_tree

    def title(self) -> str:
        """The headline line that the body's text repeats (the ``<h1>`` as it stands)."""
        found = generic_title(self.page, whole_h1=True)
        return found[0] if found else ""


def body_paragraphs(
    page: Selector, profile: SiteProfile, generic: GenericView | None = None
) -> tuple[list[str], str]:
    """The body's paragraphs (signature included) and the layer that found them.

    The layer is ``profile`` or ``generic (trafilatura)``; for a page that is a
    list of teasers it is ``missing: ...`` with the evidence.
    """
    container = css_select(page, profile.selectors.body)
    if container and profile.name == "generic":  # a learned profile (extract/profile_layer.py)
        return profile_paragraphs(page, container[0], profile), "profile"
    if container:
        return _paragraph_texts(container[0], profile.selectors.paragraphs), "profile"
    if generic is None:
        return [], "missing: the profile's body selector matched nothing"
    if nested_deeper_than(page.root, MAX_GENERIC_DEPTH):
        # trafilatura's table handling and jusText are quadratic in the nesting: 3,000
        # nested tables (45 KB) keep them busy for two minutes
        return [], f"missing: markup nested deeper than {MAX_GENERIC_DEPTH} elements"
    paragraphs = trafilatura_paragraphs(generic.text_tree, generic.url, generic.title())
    if sum(len(p) for p in paragraphs) < _SHORT_BODY:
        # our drops may have taken too much: trafilatura on the page as it is (it copies
        # the tree), kept when it finds much more (a short item of two paragraphs gets the
        # page's furniture this way; only under 120 characters cost 0.007 of real-page F1)
        whole = trafilatura_paragraphs(page.root, generic.url, generic.title())
        if sum(len(p) for p in whole) > _MUCH_LONGER * sum(len(p) for p in paragraphs):
            paragraphs = whole
    listing = listing_evidence(page, paragraphs)
    if listing:
        return paragraphs, f"missing: {listing}"
    if not paragraphs:
        return [], (
            "missing: the profile's body selector matched nothing and trafilatura found"
            f" under {MIN_GENERIC_BODY} characters of main text"
        )
    return paragraphs, "generic (trafilatura)"


def nested_deeper_than(root: etree._Element, limit: int) -> bool:
    """True if some element of ``root``'s tree lies more than ``limit`` elements deep (one
    walk, stopped at the first such element)."""
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limit:
            return True
    return False


# the deepest page in 1,628 real pages of the evaluation sets is 43 elements deep
MAX_GENERIC_DEPTH = 256
_IN_FURNITURE = etree.XPath(f"boolean({xpaths.BODY_EXCLUDE})")
# a generic body shorter than this (characters) is checked against trafilatura's reading of
# the whole page, taken when it is this many times longer
_SHORT_BODY = 1000
_MUCH_LONGER = 2


_LOOSE_TEXT = etree.XPath(xpaths.LOOSE_TEXT, smart_strings=False)


def _paragraph_texts(container: Any, paragraph_css: str) -> list[str]:
    nodes = [p for p in css_select(container, paragraph_css) if not _IN_FURNITURE(p)]
    if not nodes:  # text set with <br> or bare text nodes instead of <p>
        return [t for t in (squash(x) for x in _LOOSE_TEXT(container)) if t]
    return [t for t in (node_text(p) for p in nodes) if t]
