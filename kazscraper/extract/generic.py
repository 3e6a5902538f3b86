"""The last layer: pages the site profile does not match.

Main content comes from trafilatura (a maintained boilerplate remover: we do
not hand-write a readability clone), publication dates from the page's own
date elements read with our Kazakh-aware parser and, failing that, from
htmldate (trafilatura's date library). Both libraries are imported lazily:
pages that the profile matches never pay for them.

Also here: telling a listing page (teasers and links) from an article page,
so that a category page fetched at an article-like URL is refused, not
archived as an article made of teasers.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable
from contextlib import suppress
from copy import deepcopy
from datetime import datetime
from itertools import permutations
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import attribute, node_text
from kazscraper.extract.dates import ParsedDate, find_date_in_text
from kazscraper.extract.names import (
    PersonName,
    is_source_name,
    name_key,
    parse_byline,
    parse_display_name,
)
from kazscraper.urls import urlsplit  # never raises on a page's link (http://[::1)

_MAX_DATE_LINE = 80  # a date line is short; a paragraph that mentions a date is not one

# a listing: at least this many teaser items (repeated siblings, each with a link) ...
_MIN_TEASERS = 5
# ... whose text makes up this share of the main text found
_TEASER_SHARE = 0.6
_MAX_TEASER = 400  # characters: a title, an excerpt, a date; a longer item is no teaser
# ... unless this much text (characters) is outside the teasers: an article's own text (a
# listing's introduction is a paragraph or two)
_OWN_TEXT = 1500
_TEASER_TAGS = frozenset({"div", "li", "article", "section", "tr", "dd", "figure"})

# a generic body shorter than this is a notice or an error page, not an article ...
MIN_GENERIC_BODY = 120
# ... unless it is a short news item: at least three paragraphs that are sentences
_SHORT_ITEM_PARAGRAPHS = 3
_SENTENCE_WORDS = 4

_FURNITURE_CLASSES = frozenset(xpaths.FURNITURE_CLASSES)
_FURNITURE_IDS = frozenset(xpaths.FURNITURE_IDS)
_TEXT_FURNITURE_CLASSES = frozenset(xpaths.TEXT_FURNITURE_CLASSES)
_MAX_FIELD_LINE_WORDS = 12
_CLASS_WORD = re.compile(r"[^\s_-]+")


def _class_words(node: Any) -> set[str]:
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
        if not _class_words(node) & xpaths.FIELD_LINE_WORDS:
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
        _drop_keeping_tail(node)
    return root


def text_tree(tree: Any) -> Any:
    """A copy of ``tree`` (from ``content_tree``) for the body's text: also without feeds,
    breadcrumbs and the article's own short date, views and author lines, which are
    fields, not body text."""
    root = deepcopy(tree)
    for node in _doomed(root, _is_text_furniture):
        _drop_keeping_tail(node)
    return root


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


def _drop_keeping_tail(node: Any) -> None:
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
        if _H1_IN_CHROME(h1) or _is_logo(h1):
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
            or not _class_words(node).isdisjoint(xpaths.HEADLINE_KICKER_WORDS)
        )
    ]  # fmt: skip
    if kickers:
        copy = deepcopy(h1)
        copy.tail = None
        for node in [n for n in copy.iterdescendants() if _is_kicker(n)]:
            _drop_keeping_tail(node)
        if text := node_text(copy).strip(" -–—|:·•"):  # "Kicker - Headline" without " - "
            return text
    return node_text(h1)


def _is_kicker(node: Any) -> bool:
    return isinstance(node.tag, str) and (
        node.tag in xpaths.HEADLINE_KICKER_TAGS
        or not _class_words(node).isdisjoint(xpaths.HEADLINE_KICKER_WORDS)
    )


_H1_IN_CHROME = etree.XPath("boolean(" + xpaths.NAV_ANCESTORS + ")")
_SITE_NAMES = etree.XPath(xpaths.SITE_NAMES, smart_strings=False)
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
    for site in _site_names(page):  # "Story - The Site - Its Slogan": all of it the site's
        if folded.endswith(site) and _TITLE_SEPARATORS.fullmatch(
            separator := _separator_before(title, len(title) - len(site))
        ):
            return title[: len(title) - len(site) - len(separator)].strip()
    for index in (-1, 0):  # the site's name comes last ("Story | Site") or first
        if _is_domain_name(parts[index], url):
            rest = title[: title.rfind(parts[-1])] if index == -1 else title[len(parts[0]) :]
            return rest.strip(" |–—»›•·-:/").strip()
    return title


def _site_names(page: Selector) -> list[str]:
    """The site's names it declares (``og:site_name``, ``application-name``), case folded."""
    names = (" ".join(name.split()).casefold() for name in _SITE_NAMES(page.root))
    return [name for name in names if name]


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


def _is_domain_name(part: str, url: str) -> bool:
    """Whether a title part spells the site's domain (``Vegolosi.it``, ``UKBDNEWS`` on
    ukbdnews.com): the site's name, not the headline's."""
    host = (urlsplit(url).hostname or "").casefold().removeprefix("www.")
    if not host:
        return False
    squashed = _squash(part)
    return bool(squashed) and squashed in _domain_names(host)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_NAME_PARTS = re.compile(r"\s*[,/|]\s*|\s+[–—-]\s+")


def without_the_site(
    name: str, page: Selector, url: str, publishers: Iterable[str] = ()
) -> str | None:
    """An author ``name`` without the parts that are the site itself (the publisher, not a
    person): its declared name (``og:site_name``, ``application-name``, the JSON-LD
    ``publishers``) or its domain (``Ann Lee, Example`` on example.com is ``Ann Lee``);
    None when nothing else is left. Words are compared in any order (a parsed name puts
    the surname first), and also without spaces (``StarsInsider`` is ``Stars Insider``)."""
    sites = {_word_key(site) for site in (*_site_names(page), *publishers)}
    sites |= {key for site in (*_site_names(page), *publishers) if (key := _squash(site))}
    parts = [part for part in _NAME_PARTS.split(name) if part]
    kept = [
        p
        for p in parts
        if _word_key(p) not in sites and _squash(p) not in sites and not _is_domain_name(p, url)
    ]
    if len(kept) == len(parts):
        return name
    return ", ".join(kept) or None


def _word_key(text: str) -> str:
    return " ".join(sorted(_squash(word) for word in text.split()))


def _domain_names(host: str) -> set[str]:
    """What a host spells as a name: the whole host and each label but the last and
    ``www`` (``edition.cnn.com``: ``editioncnncom``, ``edition``, ``cnn``)."""
    labels = host.removeprefix("www.").split(".")
    return {_squash(host.removeprefix("www."))} | {_squash(x) for x in labels[:-1] if len(x) > 2}


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


def date_from_elements(
    page: Selector, fetched_at: datetime | None, tz: str | None
) -> tuple[ParsedDate, str] | None:
    """A date from the page's own date line (``<span class="date">``, ``<time>``).

    Short elements only, outside footers, sidebars, comments and teaser blocks.
    Returns the date and the element's text.
    """
    for element in page.xpath(xpaths.DATE_ELEMENTS):
        if in_furniture(element.root):
            continue
        text = attribute(element, "datetime") or node_text(element)
        if not text or len(text) > _MAX_DATE_LINE or _is_today_widget(element, text):
            continue
        parsed = find_date_in_text(text, fetched_at=fetched_at, tz=tz)
        if parsed is not None:
            return parsed, text
    return None


_MAX_AUTHOR_LINE = 120


def authors_from_elements(page: Selector) -> list[PersonName]:
    """Names from the page's visible author element (``<span class="post-author">``,
    ``<p class="article__author">Автор: …</p>``), outside teasers and furniture."""
    for element in page.xpath(xpaths.AUTHOR_ELEMENTS):
        if in_furniture(element.root) or element.xpath(".//*" + xpaths.AUTHOR_TEST):
            continue  # furniture, or a wrapper whose inner author element comes next
        text = node_text(element)
        if not text or len(text) > _MAX_AUTHOR_LINE or _is_a_role(_BYLINE_LABEL.sub("", text)):
            continue  # ... or a role, an editorial label ("От Редакции", "Staff Writer")
        names = parse_byline(text)
        if not names and (person := parse_display_name(text)) is not None:
            names = [person]
        names = [n for n in names if not _BYLINE_LABEL.fullmatch(n.name)]  # "By" is no one
        if names:
            return names
    return []


_ITEMPROP_NAME = etree.XPath(xpaths.ITEMPROP_NAME)
MAX_AUTHORS = 50  # a real article is signed by one to five people
# a line that opens with a byline's label: "By Ann Lee", "Von Ann Lee", "par Ann Lee"
_BYLINE_OPENING = re.compile(
    r"^(?:by|von|par|por|door|av|af|от|автор(?:ы)?\s*:|авторлар\s*:|author\s*:|authors\s*:"
    r"|autor(?:in)?\s*:|text\s*:|written by|posted by|geschrieben von|verfasst von)\s",
    re.IGNORECASE,
)
_MAX_BYLINE = 80  # characters: a byline line; a longer element is a bio or a paragraph
# several people in one byline: "Ann Lee and Tom Berg", "Ann Lee, Tom Berg", "… және …"
_PEOPLE = re.compile(r"\s*(?:[,;&]|\s(?:and|und|y|et|e|и|және|та)\s)\s*", re.IGNORECASE)
# what a byline says after the names: "Ann Lee am 3. Mai", "Ann Lee on May 3", "· 5 min";
# "le", "el", "den" only before a date's digits ("Jean Dupont le 3 mai"): else they are a
# name's particles ("Jean le Carré", "Peter van den Berg")
_AFTER_NAMES = re.compile(r"\s(?:[|·•—–]|-\s|on|am|um|il|at|vor)(?:\s|$)|\s(?:le|el|den)\s(?=\d)")
# name particles written in lower case: "Walter von Aachen", "Jacobo de la Cruz"
_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos",
     "das", "ter", "ten", "zu", "bin", "ibn", "al", "el", "y", "e"}
)  # fmt: skip
# degrees and honorifics alone are no one: "Ann Lee, PhD"
_DEGREES = frozenset({"phd", "ph.d", "md", "dr", "prof", "msc", "mba", "jr", "sr"})
# the words of a site's buttons and labels where a byline's markup holds no name
_UI_WORDS = frozenset(
    {"posted", "follow", "share", "comments", "comment", "reply", "datum", "date", "published",
     "updated", "more", "read", "view", "profile", "menu", "search", "login", "home", "on", "by",
     "at", "am", "veröffentlicht", "publiziert", "aktualisiert", "erstellt", "publié", "publicado",
     "quelle", "source", "источник", "дереккөз", "foto", "fotos", "photo", "photos", "bild",
     "image", "credit", "фото", "сурет"}
)  # fmt: skip


def byline_authors(page: Selector, url: str = "") -> list[PersonName]:
    """The people a page of another site names in its visible byline: the innermost
    element marked as an author's (``rel=author``, ``itemprop=author`` and its ``name``,
    an hCard's ``fn``, a class word ``author``/``byline``/``autor``/``auteur``/``writer``
    or a known compound: ``post-author``, ``articleByline``), else a short line that opens
    with a byline's label (``By …``, ``Von …``, ``par …``, ``Автор: …``). Candidates in the
    ``<h1>``'s article (or main) or after the ``<h1>`` come first (a side rail's teaser
    before the article is not its byline). Outside furniture, comments, captions and photo
    credits; labels, dates after the names, degrees, roles and outlets after a comma
    (``Ann Lee, Staff Writer``) are left out; several people are split at commas, ``&``
    and "and" in the page's language (``and``, ``und``, ``y``, ``et``, ``и``, ``және``). A
    single word is a name only in a ``rel=author``/``itemprop=author`` element, kept as
    written where our parser does not take it (a lower-case handle: ``marc``). At most
    ``MAX_AUTHORS + 1`` people are read (the caller tells that some were dropped)."""
    marked, openings = _byline_candidates(page.root)
    wrappers = {ancestor for el in marked for ancestor in el.iterancestors()}
    for element in marked:
        if element in wrappers or _not_the_articles(element):
            continue  # a wrapper whose inner author element comes next, or furniture
        names = _byline_people(_author_text(element), markup=_strong_mark(element))
        if names:
            keys = {n.key for n in names}
            parent, tag, classes = element.getparent(), element.tag, element.get("class")
            for sibling in marked:  # "By <a rel=author>Ann</a> and <a rel=author>Tom</a>"
                if len(names) > MAX_AUTHORS:
                    break
                if (
                    sibling is element or sibling.getparent() is not parent
                    or sibling.tag != tag or sibling.get("class") != classes
                ):  # fmt: skip
                    continue
                for person in _byline_people(_author_text(sibling), _strong_mark(sibling)):
                    if person.key not in keys:
                        keys.add(person.key)
                        names.append(person)
            return names[: MAX_AUTHORS + 1]
    for element in openings:
        line = _short_text(element, _MAX_BYLINE)
        if line and not _not_the_articles(element):
            names = _byline_people(line, markup=False)
            if names:
                return names[: MAX_AUTHORS + 1]
    return []


def _short_text(element: Any, limit: int) -> str | None:
    """The element's text when it is at most ``limit`` characters long, else None; a longer
    text is not read past the limit (a byline is a short line)."""
    seen = 0
    for piece in element.itertext():
        seen += len(piece.strip())
        if seen > limit:
            return None
    text = node_text(element)
    return text if len(text) <= limit else None


def _byline_candidates(root: Any) -> tuple[list[Any], list[Any]]:
    """In one walk of the page (an XPath of a dozen ``contains()`` tests costs three times
    more): the elements marked as an author's, and those whose text opens with a byline's
    label; those in the first headline's article (or main) or after it first."""
    marked, openings = [], []
    headline: Any = None
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in xpaths.NEVER_READ_TAGS:
            continue
        if headline is None and element.tag == "h1" and not _H1_IN_CHROME(element):
            headline = element
        if element.attrib and _marks_an_author(element):
            marked.append((headline is not None, element))
        text = element.text
        if text and _BYLINE_OPENING.match(text.lstrip()):
            openings.append((headline is not None, element))
    region = None
    if headline is not None:
        region = next((a for a in headline.iterancestors() if a.tag in ("article", "main")), None)

    def in_order(found: list[tuple[bool, Any]]) -> list[Any]:
        def later(item: tuple[bool, Any]) -> bool:
            after, element = item
            if after or region is None:
                return not after and headline is not None
            return not any(a is region for a in element.iterancestors())

        return [element for _, element in sorted(found, key=later)]  # stable

    return in_order(marked), in_order(openings)


def _marks_an_author(element: Any) -> bool:
    """Whether the element is marked as an author's: ``rel=author``, ``itemprop=author``,
    an hCard's ``fn``, a class word (split at - and _ and camel case) in
    ``xpaths.BYLINE_CLASS_WORDS``, not a word that only holds one (``autorefresh``,
    ``authorization``, ``typewriter``)."""
    if _strong_mark(element):
        return True
    classes = element.get("class") or ""
    folded = classes.casefold()
    if not folded or not ("fn" in folded or any(s in folded for s in xpaths.BYLINE_CLASS_STEMS)):
        return False  # a cheap test first: most elements have no such class
    words = {w.casefold() for w in _CLASS_PART.findall(classes)}
    words |= _class_words(element)
    return "fn" in words or not words.isdisjoint(xpaths.BYLINE_CLASS_WORDS)


# a class's words: split at - and _ and where a lower-case letter meets an upper-case one
_CLASS_PART = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _strong_mark(element: Any) -> bool:
    """``rel=author`` or ``itemprop=author``: a single word in it is a name (a handle)."""
    return "author" in (element.get("rel") or "").split() or element.get("itemprop") == "author"


def _not_the_articles(element: Any) -> bool:
    """In comments (a comment list, Disqus, a discussion), a caption or a photo credit, or
    furniture: no byline of the article."""
    for node in (element, *element.iterancestors()):
        if node.tag == "figcaption":
            return True
        if not _class_words(node).isdisjoint(xpaths.NOT_BYLINE_CLASS_WORDS):
            return True
        ident = (node.get("id") or "").casefold()
        if ident.startswith("comment") or "disqus" in ident:
            return True
    return in_furniture(element)


def _author_text(element: Any) -> str:
    """An author element's name: a schema.org ``name`` inside it, else its text (None
    when longer than a byline)."""
    if element.get("itemprop") == "author":
        for name in _ITEMPROP_NAME(element):
            text = name.get("content") or _short_text(name, _MAX_BYLINE)
            if text:
                return text
        if element.tag == "meta":
            return element.get("content") or ""
    return _short_text(element, _MAX_BYLINE) or ""


def _byline_people(line: str, markup: bool) -> list[PersonName]:
    """The people of one byline line (see ``byline_authors``)."""
    if not line or len(line) > _MAX_BYLINE:
        return []
    text = _BYLINE_LABEL.sub("", " ".join(line.split())).strip(" :,.-–—|")
    if cut := _AFTER_NAMES.search(text):
        text = text[: cut.start()]
    people: list[PersonName] = []
    for index, part in enumerate(_PEOPLE.split(text)):
        words = part.strip(" .,:").split()
        if not words or (words[0].casefold().strip(".") in _DEGREES and len(words) == 1):
            continue
        folded = {w.casefold().strip(".:") for w in words}
        if not folded.isdisjoint(_ROLE_WORDS):
            continue  # "Staff Writer", "Washington Post", "корреспондент", "Редакции"
        if not _looks_like_a_name(words, markup):
            if index and people:
                continue  # after a comma: no person ("Ann Lee, 34")
            return []  # a sentence or a label, not a byline
        if (person := name_as_written(" ".join(words))) is not None:
            people.append(person)
    return people


# what a byline says after a comma that is no person: a role, an outlet, an editorial label
_ROLE_WORDS = frozenset(
    {"staff", "writer", "writers", "correspondent", "reporter", "editor", "editors", "columnist",
     "contributor", "contributing", "senior", "chief", "freelance", "journalist", "redakteur",
     "redakteurin", "korrespondent", "korrespondentin", "journaliste", "rédacteur",
     "rédaction", "redacción", "redaktion", "redactie", "periodista", "corresponsal",
     "editorial", "newsroom", "desk", "post", "times", "tribune", "herald", "journal",
     "gazette", "press", "news", "agency", "корреспондент", "корреспондента", "редактор",
     "журналист", "обозреватель", "редакция", "редакции", "редакциясы", "редакциядан",
     "тілші", "тілшісі", "шолушы", "редакторы"}
)  # fmt: skip


# one word in an author's class or after a byline's label that is a button, a label or a day
_LABEL_WORDS = frozenset(
    {"subscribe", "email", "e-mail", "mail", "tags", "tag", "yesterday", "today", "tomorrow",
     "print", "newsletter", "contact", "author", "authors", "autor", "autoren", "auteur",
     "admin", "anonymous", "unknown", "guest", "gestern", "heute", "hier", "abonnieren",
     "teilen", "drucken", "schlagworte", "kategorie", "category", "categories", "archive",
     "anmelden", "login", "logout", "register", "signin", "welcome", "aktualisieren",
     "reload", "refresh", "вчера", "сегодня", "кеше", "бүгін", "подписаться", "теги"}
)  # fmt: skip


def _looks_like_a_name(words: list[str], markup: bool) -> bool:
    """1-5 words, each capitalised, an initial or a particle, the first capitalised, two
    at least; in a ``rel=author``/``itemprop=author`` element one word or handle as
    written (``marc``, ``delta201``); elsewhere one capitalised word that is no button, label
    or day (``Subscribe``, ``Tags``, ``Yesterday``)."""
    if len(words) > 5 or any(w.casefold().strip(".:") in _UI_WORDS for w in words):
        return False
    if len(words) == 1 and markup:
        return any(ch.isalpha() for ch in words[0]) and "@" not in words[0]
    if len(words) == 1:  # a first name in an author class ("Ulrike"), not a button or a day
        word = words[0]
        return word.isalpha() and word[:1].isupper() and word.casefold() not in _LABEL_WORDS
    if any(ch.isdigit() for w in words for ch in w):
        return False
    return all(w[:1].isupper() or w in _PARTICLES for w in words) and words[0][:1].isupper()


_TODAY = re.compile(r"\b(?:бүгін|сегодня|today|bugin|búgin)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|понедельник|вторник|среда"
    r"|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_BEFORE_HEADLINE = etree.XPath(xpaths.BEFORE_HEADLINE)


def _is_today_widget(element: Selector, text: str) -> bool:
    """The header's "today" line (``Бүгін, 25 қараша 2026, сәрсенбі``): the day the page
    was shown, not the day the article was published."""
    if _TODAY.search(text) and _YEAR.search(text):  # "Бүгін 14:30" is a date line, kept
        return True
    return bool(_WEEKDAY.search(text)) and _BEFORE_HEADLINE(element.root)


_AUTHOR_HINT = etree.XPath(xpaths.AUTHOR_HINT)


def has_author_markup(tree: Any) -> bool:
    """Whether ``tree`` has any author markup (``rel=author``, a class naming an author or
    a byline) where trafilatura's byline reading could find a name: one cheap test before
    that reading of a whole page."""
    return bool(_AUTHOR_HINT(tree))


def trafilatura_authors(tree: Any) -> list[PersonName]:
    """The byline trafilatura reads in the markup of ``tree`` (``<span class="author">``,
    ``rel=author``, ...), one name per ``;``, without its label (``Post author By``,
    ``Geschrieben von``); a name our parser does not take (a nickname, a lower-case
    handle) is kept as written."""
    from trafilatura.metadata import extract_author

    try:
        found = extract_author(tree) or ""
    except (ValueError, TypeError):
        return []
    names = (name_as_written(part) for part in found.split(";"))
    return [name for name in names if name is not None and not _is_a_role(name.name)]


def _is_a_role(name: str) -> bool:
    """Whether every word of ``name`` is a role's or an editorial label's (``Редакции``,
    ``Staff Writer``): no person."""
    words = {w.casefold().strip(".:") for w in name.split()}
    return bool(words) and words <= _ROLE_WORDS


# a byline's label before the names: "Author", "Post author By", "Geschrieben von", "Автор:"
_BYLINE_LABEL = re.compile(
    r"^(?:(?:post|posts|article|articles|artikel|beitrag|beiträge|written|posted|geschrieben"
    r"|verfasst|publié|escrito|scritto|about|the|this|author|authors|autor|autorin|auteur"
    r"|autore|автор|авторы|авторлар|дайындаған|by|von|vom|par|por|di|de|от|name|text|view"
    r"|all|zeige|alle|alles|mehr|more|zum|profil|profile|erstellt|veröffentlicht|publiziert"
    r"|interview|pressemitteilung|press release)\b"
    r"[\s:.,]*)+",
    re.IGNORECASE,
)


# a CMS's default account, not a person
_ROLE_NAMES = frozenset(
    {"admin", "administrator", "webmaster", "wpadmin", "site admin", "siteadmin"}
)  # fmt: skip
# how a comment list heads each comment: "Ann says:", "Ann sagt:"
_COMMENT_VERBS = frozenset({"says", "said", "wrote", "sagt", "schreibt", "schrieb", "dit", "dice"})


# an organisation, not a person: a legal form ("e.V.", "GmbH", "Inc.") or a web address
_ORGANISATION = re.compile(
    r"(?:^|\s)(?:e\.\s?v|g?gmbh|mbh|ag|kg|ohg|inc|ltd|llc|plc|s\.a|sarl|corp|co\.\s?kg)\.?(?:\s|$|,)"
    r"|www\.|^[\w-]+\.(?:[a-z]{2}|com|org|net|info)$",
    re.IGNORECASE,
)


def is_organisation(name: str) -> bool:
    """A company, association or web address given as the author (``Web Commerce GmbH``,
    ``Verein e.V.``, ``Deutsche Welle (www.dw.com)``, ``example.de``): the publisher."""
    return bool(_ORGANISATION.search(" ".join(name.split()).strip(" ()")))


def as_organisation(name: str) -> PersonName:
    """An organisation's name as written (not reordered like a person's)."""
    text = " ".join(html.unescape(name).split())
    return PersonName(name=text, surname=None, given=None, patronymic=None, key=name_key(text))


def same_person_in_full(declared: list[PersonName], shown: list[PersonName]) -> bool:
    """Whether the visible byline ``shown`` writes the ``declared`` names in full: each a
    single word (``Todd``) or a handle (``christian.stadtfeld``) that is one word, or all
    the letters, of a name of the byline (``Todd Bates``, ``Christian Stadtfeld``)."""
    if not declared or not shown:
        return False
    full = []
    for shown_name in shown:
        words = shown_name.name.split()
        if 1 < len(words) <= 3:  # written in any order: the parser puts the surname first
            wholes = {"".join(_squash(w) for w in order) for order in permutations(words)}
            full.append(({_squash(w) for w in words}, wholes))
    for name in declared:
        squashed = _squash(name.name)
        if len(name.name.split()) != 1 or not any(
            squashed in words or squashed in wholes for words, wholes in full
        ):
            return False
    return True


def name_as_written(text: str) -> PersonName | None:
    """A name from a byline or a declared author, without its label: parsed where our
    parser takes it, else kept as written (``mh``, ``det/dpa``); None for a label alone or
    a news agency."""
    text = _BYLINE_LABEL.sub("", " ".join(html.unescape(text).split())).strip(" :,.")
    if " @" in text:  # "Ann Lee @annlee": the social-media handle beside the name
        text = " ".join(w for w in text.split() if not w.startswith("@")) or text
    if not text or len(text) > _MAX_AUTHOR_LINE or is_source_name(text) or "://" in text:
        return None  # ... or an address (an author's page given for the name)
    words = text.casefold().split()
    if text.casefold() in _ROLE_NAMES or words[-1] in _COMMENT_VERBS:
        return None  # a CMS's default account ("admin"), or a comment's heading ("Ann says")
    return parse_display_name(text) or PersonName(
        name=text, surname=None, given=None, patronymic=None, key=name_key(text)
    )


def date_from_lead(
    paragraphs: list[str], fetched_at: datetime | None, tz: str | None
) -> ParsedDate | None:
    """A dateline at the start of the lead: ``Астана, 2025 жылғы 11 желтоқсан. ...``."""
    if not paragraphs:
        return None
    head = paragraphs[0][:_MAX_DATE_LINE]
    return find_date_in_text(head, fetched_at=fetched_at, tz=tz)


def htmldate_date(
    tree: Any, url: str, fetched_at: datetime | None, extensive: bool = False
) -> str | None:
    """htmldate's reading of the publication date of the page ``tree`` (htmldate copies it).

    Metadata, URL and date markup only, unless ``extensive``: its extensive search
    takes dates from the text too, which on the site's own pages (where the profile
    knows the date line) would be a guess; on a page of another site it is what
    htmldate's own evaluation runs.
    """
    from htmldate import find_date

    try:
        return find_date(  # htmldate copies a tree it is given before pruning it
            tree,
            url=url or None,
            original_date=True,
            extensive_search=extensive,
            outputformat="%Y-%m-%d",
            max_date=fetched_at.strftime("%Y-%m-%d") if fetched_at else None,
        )
    except (ValueError, TypeError):  # htmldate rejects some malformed inputs
        return None


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
    teasers = _teaser_texts(page.root)
    if len(teasers) < _MIN_TEASERS:
        return None
    joined = "\n".join(teasers)
    in_teasers = sum(len(p) for p in paragraphs if p in joined)
    if in_teasers < _TEASER_SHARE * text or text - in_teasers >= _OWN_TEXT:
        return None  # the page's own text, outside teasers, is an article's
    return (
        f"{len(teasers)} teasers hold {in_teasers} of the {text} characters of text: a listing page"
    )


def _teaser_texts(root: Any) -> list[str]:
    """The text of each teaser: an item of a run of >= ``_MIN_TEASERS`` sibling elements
    of one tag and class, each holding a link (outside menus, header and footer)."""
    found: list[str] = []
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
    return found


_HAS_LINK = etree.XPath(xpaths.HAS_LINK)
_IN_CHROME = etree.XPath(xpaths.IN_CHROME)
