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
from collections.abc import Callable
from contextlib import suppress
from copy import deepcopy
from datetime import datetime
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
_HOME_LINK = etree.XPath(".//a[@href]/@href", smart_strings=False)


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


def generic_title(page: Selector) -> tuple[str, str] | None:
    """The title of a page the profile does not match: its first ``<h1>`` (not the site's
    logo), else the ``<title>`` without the site's name.

    A ``<title>`` usually carries the site's name (``Тақырып | Қазақстан
    дәуірі``): the longest part between separators is the article's.
    """
    for h1 in page.root.iter("h1"):
        if _H1_IN_CHROME(h1) or _is_logo(h1):
            continue
        text = node_text(h1)
        if text:
            return text, "h1"
    title = " ".join(page.xpath("//title//text()").getall()).split()
    if not title:
        return None
    parts = _TITLE_SEPARATORS.split(" ".join(title))
    return max(parts, key=len).strip(), "title element"


_H1_IN_CHROME = etree.XPath("boolean(" + xpaths.NAV_ANCESTORS + ")")
_SITE_NAMES = etree.XPath(
    "//meta[@property='og:site_name' or @name='application-name']/@content", smart_strings=False
)
_WORD = re.compile(r"\w+")
# the share of the shorter title's words the other must hold to tell the same story
_SAME_STORY = 0.5


def headline_of(title: str, page: Selector, url: str = "") -> str:
    """A declared title (``og:title``, JSON-LD ``headline``) as the page's headline.

    The page's visible ``<h1>`` where the declared title is that headline with more
    around it (the site's name, a section: ``Chronik: Story``, ``Story (Site)``) or
    tells the same story in other words (the social-media version of the headline);
    the declared title where the ``<h1>`` is it with more (a kicker, a date) or
    another thing (a logo, a newsletter box). Else the declared title without a part
    that is the site's name (``og:site_name`` or its domain: ``Story | Site.com``).
    Entities a page escaped twice (``&#8222;``) are decoded.
    """
    title = " ".join(html.unescape(title).split())
    found = generic_title(page)
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
        return declared
    declared_words, h1_words = set(_WORD.findall(folded)), set(_WORD.findall(visible))
    shorter = min(len(declared_words), len(h1_words))
    if shorter >= 2 and len(declared_words & h1_words) >= _SAME_STORY * shorter:
        return h1
    return None


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


def without_the_site(name: str, page: Selector, url: str) -> str | None:
    """An author ``name`` without the parts that are the site itself (the publisher, not a
    person): its declared name or its domain (``Ann Lee, Example`` on example.com is
    ``Ann Lee``); None when nothing else is left. Words are compared in any order (a
    parsed name puts the surname first)."""
    sites = {_word_key(site) for site in _site_names(page)}
    parts = [part for part in _NAME_PARTS.split(name) if part]
    kept = [p for p in parts if _word_key(p) not in sites and not _is_domain_name(p, url)]
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
        if not text or len(text) > _MAX_AUTHOR_LINE:
            continue
        names = parse_byline(text)
        if not names and (person := parse_display_name(text)) is not None:
            names = [person]
        names = [n for n in names if not _BYLINE_LABEL.fullmatch(n.name)]  # "By" is no one
        if names:
            return names
    return []


_TODAY = re.compile(r"\b(?:бүгін|сегодня|today|bugin|búgin)\b", re.IGNORECASE)
_WEEKDAY = re.compile(
    r"\b(?:дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|понедельник|вторник|среда"
    r"|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_BEFORE_HEADLINE = etree.XPath("boolean(following::h1)")


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
    return [name for part in found.split(";") if (name := name_as_written(part)) is not None]


# a byline's label before the names: "Author", "Post author By", "Geschrieben von", "Автор:"
_BYLINE_LABEL = re.compile(
    r"^(?:(?:post|article|artikel|beitrag|written|posted|geschrieben|publié|escrito|scritto"
    r"|about|the|this|author|autor|auteur|autore|автор|by|von|vom|par|por|di|de|от|name)\b"
    r"[\s:.,]*)+",
    re.IGNORECASE,
)


# a CMS's default account, not a person
_ROLE_NAMES = frozenset(
    {"admin", "administrator", "webmaster", "wpadmin", "site admin", "siteadmin"}
)  # fmt: skip
# how a comment list heads each comment: "Ann says:", "Ann sagt:"
_COMMENT_VERBS = frozenset({"says", "said", "wrote", "sagt", "schreibt", "schrieb", "dit", "dice"})


def name_as_written(text: str) -> PersonName | None:
    """A name from a byline or a declared author, without its label: parsed where our
    parser takes it, else kept as written (``mh``, ``det/dpa``); None for a label alone or
    a news agency."""
    text = _BYLINE_LABEL.sub("", " ".join(text.split())).strip(" :,.")
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


_HAS_LINK = etree.XPath("boolean(descendant-or-self::a[@href])")
_IN_CHROME = etree.XPath("boolean(ancestor-or-self::*[self::nav or self::header or self::footer])")
