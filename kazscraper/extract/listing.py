"""Telling a listing page (teasers and links) from an article page.

A category page fetched at an article-like URL is refused, not archived as an
article made of teasers; a short article beside a sidebar of many teasers (read with the
sidebar by the whole-page fallback) is no listing: its own text sits beside the teasers,
next to its headline.
"""

from __future__ import annotations

from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths

# a listing: at least this many teaser items (repeated siblings, each with a link) ...
_MIN_TEASERS = 5
# ... whose text makes up this share of the main text found
_TEASER_SHARE = 0.6
_MAX_TEASER = 400  # characters: a title, an excerpt, a date; a longer item is no teaser
# ... unless this much text (characters) is outside the teasers: an article's own text (a
# listing's introduction is a paragraph or two)
_OWN_TEXT = 1500
_TEASER_TAGS = frozenset({"div", "li", "article", "section", "tr", "dd", "figure"})
# ... or this much text (characters) beside the teasers where the headline meets them: a
# short article's own paragraphs (a listing's headline stands beside a line of intro)
_BESIDE_HEADLINE = 200


def listing_evidence(page: Selector, paragraphs: list[str]) -> str | None:
    """Why the page is a list of teasers rather than one article, or None.

    A listing has no main text of its own (under ``_OWN_TEXT`` characters outside
    teasers): what text it has sits in teasers, repeated sibling items
    (``<div class="news-item">``, ``<li>``) that each link to another page. An
    article with link boxes around it (a menu, a related-news rail, a most-read
    list) is not one: its paragraphs are outside those boxes.
    """
    text = sum(len(p) for p in paragraphs)
    if not text:
        return None
    # a paragraph is counted in teasers only as part of one teaser (it holds no line break),
    # so it is one of the short ones: where those could not make a listing, the page's
    # teasers are not looked for (most articles: a walk of the whole page saved)
    short = sum(len(p) for p in paragraphs if len(p) <= _MAX_TEASER)
    if short < _TEASER_SHARE * text or text - short >= _OWN_TEXT:
        return None
    teasers, runs = _teaser_texts(page.root)
    if len(teasers) < _MIN_TEASERS:
        return None
    joined = "\n".join(teasers)
    in_teasers = sum(len(p) for p in paragraphs if p in joined)
    if in_teasers < _TEASER_SHARE * text or text - in_teasers >= _OWN_TEXT:
        return None  # the page's own text, outside teasers, is an article's
    beside = _beside_headline(page.root, runs)
    if sum(len(p) for p in paragraphs if p in beside and p not in joined) >= _BESIDE_HEADLINE:
        return None  # a short article with a sidebar of teasers
    return (
        f"{len(teasers)} teasers hold {in_teasers} of the {text} characters of text: a listing page"
    )


def _beside_headline(root: Any, runs: list[Any]) -> str:
    """The text beside the teasers where the page's headline (its first ``<h1>``) meets
    them: of the children of the headline's nearest ancestor that holds a teaser run, those
    that hold none. "" when the headline is in a run, or there is no headline."""
    headline = next(root.iter("h1"), None)
    if headline is None:
        return ""
    # the elements themselves, not their id(): the set keeps lxml's proxies alive
    holders = {a for run in runs for a in (run, *run.iterancestors())}
    run_set = set(runs)
    if any(a in run_set for a in headline.iterancestors()):
        return ""  # the headline is inside a run of teasers (a listing's item)
    meeting = next((a for a in headline.iterancestors() if a in holders), None)
    if meeting is None:
        return ""
    beside = [c for c in meeting if isinstance(c.tag, str) and c not in holders]
    return "\n".join(" ".join(" ".join(c.itertext()).split()) for c in beside)


def _teaser_texts(root: Any) -> tuple[list[str], list[Any]]:
    """The text of each teaser: an item of a run of >= ``_MIN_TEASERS`` sibling elements
    of one tag and class, each holding a link (outside menus, header and footer); and the
    runs' parents."""
    found: list[str] = []
    runs: list[Any] = []
    for parent in root.iter():
        if len(parent) < _MIN_TEASERS:  # most elements: too few children to hold a run
            continue
        children = [c for c in parent if isinstance(c.tag, str) and c.tag in _TEASER_TAGS]
        if len(children) < _MIN_TEASERS:
            continue
        groups: dict[tuple[str, str], list[Any]] = {}
        for child in children:
            groups.setdefault((child.tag, child.get("class") or ""), []).append(child)
        for items in groups.values():
            linked = [item for item in items if _HAS_LINK(item)]
            if len(linked) >= _MIN_TEASERS and not _IN_CHROME(parent):
                texts = [" ".join(" ".join(item.itertext()).split()) for item in linked]
                found += [text for text in texts if len(text) <= _MAX_TEASER]
                runs.append(parent)
    return found, runs


_HAS_LINK = etree.XPath(xpaths.HAS_LINK)
_IN_CHROME = etree.XPath(xpaths.IN_CHROME)
