"""The body's paragraphs: the profile's container, else the main text by trafilatura.

For a page the profile does not match, trafilatura (a maintained boilerplate
remover: we do not hand-write a readability clone, imported lazily) reads the page
without its furniture (``GenericView``); a page that is a list of teasers yields no
body (``listing_evidence``), and so is refused by validation.
"""

from __future__ import annotations

import logging
from functools import cache
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


def trafilatura_paragraphs(
    tree: Any, url: str = "", title: str = "", precise: bool = False
) -> list[str]:
    """The main content of the page ``tree`` as paragraphs, by trafilatura.

    Comments and tables are left out; a paragraph that repeats the title is
    dropped; less than ``MIN_GENERIC_BODY`` characters of text is no body, unless
    it is three sentences or more (a short news item). ``precise``: what trafilatura's
    own extractor finds, however short, without its fallback for short results (which
    reads the page's whole text as one line: a short item's category, meta line and
    teasers with it).
    """
    import trafilatura
    from trafilatura.settings import DEFAULT_CONFIG

    text = trafilatura.extract(
        tree,
        config=_precise_config() if precise else DEFAULT_CONFIG,
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


@cache
def _precise_config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    return config


def prose_length(paragraphs: list[str]) -> int:
    """Characters of the paragraphs that are sentences (four words or more, ending as a
    sentence ends): a category, a date line or a teaser's title is none."""
    return sum(
        len(p)
        for p in paragraphs
        if len(p.split()) >= _SENTENCE_WORDS and p.rstrip(_CLOSING).endswith(_SENTENCE_ENDS)
    )


_CLOSING = "\"'»”’)]* "
_SENTENCE_ENDS = (".", "!", "?", "…", ":", ";")


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
        self._title: str | None = None

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
        """The headline line that the body's text repeats (the ``<h1>`` as it stands); read
        once (a short reading asks again)."""
        if self._title is None:
            found = generic_title(self.page, whole_h1=True)
            self._title = found[0] if found else ""
        return self._title


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
        paragraphs = _short_reading(page, generic, paragraphs)
    paragraphs = without_trailing_links(paragraphs, page.root)
    listing = listing_evidence(page, paragraphs)
    if listing:
        return paragraphs, f"missing: {listing}"
    if not paragraphs:
        return [], (
            "missing: the profile's body selector matched nothing and trafilatura found"
            f" under {MIN_GENERIC_BODY} characters of main text"
        )
    return paragraphs, "generic (trafilatura)"


def _short_reading(page: Selector, generic: GenericView, paragraphs: list[str]) -> list[str]:
    """A short reading read again: trafilatura's precise reading of our tree (a short item
    of two paragraphs, without the line its fallback makes of the whole page), unless the
    page as it is (our drops may have taken the text: it copies the tree) holds much more
    prose, sentences not teasers, dates or categories (only under 120 characters cost 0.007
    of real-page F1; every time, a short item got the page's furniture)."""
    title = generic.title()
    precise = trafilatura_paragraphs(generic.text_tree, generic.url, title, precise=True)
    whole = trafilatura_paragraphs(page.root, generic.url, title, precise=True)
    ours = precise or paragraphs
    if sum(map(len, whole)) > _MUCH_LONGER * sum(map(len, ours)) and prose_length(
        whole
    ) > prose_length(ours):
        return whole
    return ours


def without_trailing_links(paragraphs: list[str], root: Any) -> list[str]:
    """The body without the list of links after its text: two or more last paragraphs that
    are each the whole text of a link (ad links, "read also", a similar-news list with no
    heading we know), and the short label line before them or left alone at the end
    (``Читайте также:``). The text itself stays: at least one paragraph."""
    end = len(paragraphs)
    if end > _TRAILING_LINKS:
        while end > 1 and _is_link_text(paragraphs[end - 1].lstrip(_BULLETS), root):
            end -= 1
        if len(paragraphs) - end < _TRAILING_LINKS:
            end = len(paragraphs)
        elif end > 1 and _is_label(paragraphs[end - 1], colon=False):
            end -= 1  # "Ұқсас жаңалықтар" over the links
    if end > 1 and _is_label(paragraphs[end - 1], colon=True):
        end -= 1  # "Читайте также:" whose links trafilatura left out
    return paragraphs[:end]


def _is_label(line: str, colon: bool) -> bool:
    if len(line.split()) > _LABEL_WORDS:
        return False
    return line.rstrip().endswith(":") if colon else not prose_length([line])


def _is_link_text(line: str, root: Any) -> bool:
    """Whether ``line`` is the text of a link of the page (of its first 5,000), as
    ``node_text`` reads it. Only the links whose text holds the line's first word are read
    (a word lies within one text node: libxml2 finds them); reading every link's text cost
    more than the rest of the test."""
    words = line.split()
    if not words:
        return False
    return any(node_text(a) == line for a in _LINKS_HOLDING(root, word=words[0]))


_TRAILING_LINKS = 2
_LABEL_WORDS = 4
_BULLETS = "-–—•·* "
# (``//body//a[@href]`` as descendant steps: the same links, without the node-set of every
# node that ``//`` before a step with a predicate builds)
_LINKS_HOLDING = etree.XPath(
    "(/descendant::body/descendant::a[@href])[position() <= 5000][contains(., $word)]"
)


def nested_deeper_than(root: etree._Element, limit: int) -> bool:
    """True if some element of ``root``'s tree lies more than ``limit`` elements deep
    (``root`` being 1 deep): one XPath of ``limit`` child steps, evaluated by libxml2 level
    by level, each element visited once (a walk in Python cost 20 times more)."""
    return bool(_deeper_than(limit)(root))


@cache
def _deeper_than(limit: int) -> etree.XPath:
    return etree.XPath("boolean(" + "/".join(["*"] * limit) + ")")


# the deepest page in 1,628 real pages of the evaluation sets is 43 elements deep
MAX_GENERIC_DEPTH = 256
# a generic body shorter than this (characters) is checked against trafilatura's reading of
# the whole page, taken when it is this many times longer
_SHORT_BODY = 1000
_MUCH_LONGER = 2


_LOOSE_TEXT = etree.XPath(xpaths.LOOSE_TEXT, smart_strings=False)


def _paragraph_texts(container: Any, paragraph_css: str) -> list[str]:
    # xpaths.BODY_EXCLUDE read by lxml's walk up the tree (an XPath's call costs 3x more)
    nodes = [
        p
        for p in css_select(container, paragraph_css)
        if next(p.iterancestors(*xpaths.BODY_EXCLUDE_TAGS), None) is None
    ]
    if not nodes:  # text set with <br> or bare text nodes instead of <p>
        return [t for t in (squash(x) for x in _LOOSE_TEXT(container)) if t]
    return [t for t in (node_text(p) for p in nodes) if t]
