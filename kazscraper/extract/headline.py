"""The headline of a page the profile does not match: its ``<h1>``, its declared title.

``generic_title`` reads the visible headline (the first ``<h1>`` that is not the site's
logo or a screen-reader label, else the ``<title>`` without the site's name);
``headline_of`` weighs a declared title (``og:title``, JSON-LD ``headline``) against it.
"""

from __future__ import annotations

import html
import re
from copy import deepcopy
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import node_text
from kazscraper.extract.furniture import class_words, drop_keeping_tail
from kazscraper.extract.site_name import is_domain_name, site_names
from kazscraper.urls import urlsplit  # never raises on a page's link (http://[::1)

# between a headline and the site's name or section: " | ", " - ", " – ", " — ", " :: ",
# " » ", " › ", " • ", " · ", " // " (spaced, so that "Covid-19" or "1/4" stay whole)
_TITLE_SEPARATORS = re.compile(r"\s+(?:[|–—»›•·-]|::|//)\s+")

# a heading for screen readers only (visually hidden): never the headline
_HIDDEN_CLASSES = frozenset(xpaths.VISUALLY_HIDDEN_CLASSES)
_HOME_LINK = etree.XPath(xpaths.H1_LINKS, smart_strings=False)


def _is_logo(h1: Any) -> bool:
    """An ``<h1>`` that is the site's logo or a screen-reader label, not the headline:
    it links to the site's home page (``<h1><a href="/">The Site</a></h1>``, an old
    theme's habit) or its class hides it from view (``sr-only``, ``visually-hidden``)."""
    classes = h1.get("class")
    if classes and not _HIDDEN_CLASSES.isdisjoint(classes.casefold().split()):
        return True
    return any(_is_home(href) for href in _HOME_LINK(h1))


def _is_home(href: str) -> bool:
    """Whether ``href`` is a site's home page (``/``, ``https://host/``, ``index.html``),
    also as a web archive's copy (``/web/2014.../http://host/``)."""
    href = href.strip()
    if "://" in href[8:]:  # a copy kept by a web archive: the address it copied
        href = "//" + href[href.rindex("://") + 3 :]
    parts = urlsplit(href)
    if parts.query or not (parts.path or parts.netloc):  # "?p=12" is a post, "#top" this page
        return False
    return parts.path.rstrip("/") in ("", "/index.html", "/index.php", "/index.htm")


def generic_title(page: Selector, whole_h1: bool = False) -> tuple[str, str] | None:
    """The title of a page the profile does not match: its first ``<h1>`` (not the site's
    logo), else the ``<title>`` without the site's name.

    ``whole_h1``: the ``<h1>``'s whole text, its kicker included (the line that
    trafilatura's text repeats). A ``<title>`` usually carries the site's name
    (``Тақырып | Қазақстан дәуірі``): the longest part between separators is the article's.
    """
    for h1 in page.root.iter("h1"):
        if H1_IN_CHROME(h1) or _is_logo(h1):
            continue
        text = node_text(h1) if whole_h1 else _headline_text(h1)
        if text:
            return text, "h1"
    title = " ".join(page.xpath(xpaths.TITLE_TEXT).getall()).split()
    if not title:
        return None
    parts = _TITLE_SEPARATORS.split(" ".join(title))
    return max(parts, key=len).strip(), "title element"


def _headline_text(h1: Any) -> str:
    """The text of an ``<h1>`` without the kicker, date or label it holds before or after
    the headline (``<span class="dachzeile">Nach Corona</span> <span>Headline</span>``),
    when some text is left without them."""
    kickers = [
        node for node in h1.iterdescendants()
        if isinstance(node.tag, str) and (
            node.tag in xpaths.HEADLINE_KICKER_TAGS
            or not class_words(node).isdisjoint(xpaths.HEADLINE_KICKER_WORDS)
        )
    ]  # fmt: skip
    if kickers:
        copy = deepcopy(h1)
        copy.tail = None
        for node in [n for n in copy.iterdescendants() if _is_kicker(n)]:
            drop_keeping_tail(node)
        if text := node_text(copy).strip(" -–—|:·•"):  # "Kicker - Headline" without " - "
            return text
    return node_text(h1)


def _is_kicker(node: Any) -> bool:
    return isinstance(node.tag, str) and (
        node.tag in xpaths.HEADLINE_KICKER_TAGS
        or not class_words(node).isdisjoint(xpaths.HEADLINE_KICKER_WORDS)
    )


H1_IN_CHROME = etree.XPath("boolean(" + xpaths.NAV_ANCESTORS + ")")
_WORD = re.compile(r"\w+")
# the share of the shorter title's words the other must hold to tell the same story
_SAME_STORY = 0.5


def headline_of(title: str, page: Selector, url: str = "") -> str:
    """A declared title (``og:title``, JSON-LD ``headline``) as the page's headline.

    The page's visible ``<h1>`` where the declared title is that headline with more
    around it (the site's name, a section: ``Chronik: Story``, ``Story (Site)``) or
    tells the same story in other words (the social-media version of the headline);
    the ``<h1>`` that goes on where the declared title stops (``Story – and more``,
    a declared title cut short), the declared title where the ``<h1>`` is it with more
    before it or a date (a kicker, ``Story 12.03.2020``) or
    another thing (a logo, a newsletter box). Else the declared title without a part
    that is the site's name (``og:site_name`` or its domain: ``Story | Site.com``).
    Entities a page escaped twice (``&#8222;``) are decoded.
    """
    title = " ".join(html.unescape(title).split())
    found = generic_title(page)
    folded = title.casefold()
    if (
        found
        and found[1] == "h1"
        and folded != found[0].casefold()
        and folded.startswith(found[0].casefold())
    ):  # what was left out follows the headline: "Rates rise <small>again</small>"
        whole = generic_title(page, whole_h1=True)
        if whole and " ".join(whole[0].split()).casefold() == title.casefold():
            return title
    if found and found[1] == "h1" and (chosen := _visible_or_declared(title, found[0])):
        return chosen
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    if found and found[1] == "h1" and found[0] in parts:
        return found[0]
    folded = title.casefold()
    for site in site_names(page):  # "Story - The Site - Its Slogan": all of it the site's
        if folded.endswith(site) and _TITLE_SEPARATORS.fullmatch(
            separator := _separator_before(title, len(title) - len(site))
        ):
            return title[: len(title) - len(site) - len(separator)].strip()
    for index in (-1, 0):  # the site's name comes last ("Story | Site") or first
        if is_domain_name(parts[index], url):
            rest = title[: title.rfind(parts[-1])] if index == -1 else title[len(parts[0]) :]
            return rest.strip(" |–—»›•·-:/").strip()
    return title


def _separator_before(text: str, end: int) -> str:
    """The separator (spaces and one mark) that ends at ``end`` in ``text``, or ''."""
    start = end
    while start > 0 and text[start - 1].isspace():
        start -= 1
    if start > 0 and not text[start - 1].isalnum():
        start -= 1
        while start > 0 and text[start - 1] in "/:":
            start -= 1
    while start > 0 and text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _visible_or_declared(declared: str, h1: str) -> str | None:
    """The headline when the declared title and the ``<h1>`` tell: see ``headline_of``."""
    folded, visible = declared.casefold(), h1.casefold()
    if folded == visible:
        return declared
    if visible in folded and _has_word_edges(folded, visible) and len(visible) > 0.3 * len(folded):
        return h1
    if folded in visible:
        rest = visible[len(folded) :] if visible.startswith(folded) else ""
        if (
            rest and _has_word_edges(visible, folded) and not any(ch.isdigit() for ch in rest)
            and not _is_a_label_after(rest)
        ):  # fmt: skip
            return h1  # the headline goes on where the declared one stops: "Story – more"
        return declared
    declared_words, h1_words = set(_WORD.findall(folded)), set(_WORD.findall(visible))
    shorter = min(len(declared_words), len(h1_words))
    if shorter >= 2 and len(declared_words & h1_words) >= _SAME_STORY * shorter:
        return h1
    return None


# what opens a label after a headline, not its continuation: "| Site", "(Video)", "[Update]"
_LABEL_OPENING = frozenset("|»›•·/([{")
_DASHES = frozenset("-–—:")
_MIN_CONTINUATION_WORDS = 3  # "Story – town without power"; not "Story – Live"


def _is_a_label_after(rest: str) -> bool:
    """Whether the ``<h1>``'s text after the declared title is a label: it opens with a
    title separator or a bracket (``| Example News``, ``(Video)``), or is a dash and
    fewer than three words (``– Live``)."""
    rest = rest.strip()
    if rest[:1] in _LABEL_OPENING:
        return True
    if rest[:1] in _DASHES:
        return len(_WORD.findall(rest)) < _MIN_CONTINUATION_WORDS
    return False


def _has_word_edges(text: str, part: str) -> bool:
    """Whether ``part`` stands in ``text`` as whole words (not inside a longer word)."""
    start = text.find(part)
    end = start + len(part)
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())
