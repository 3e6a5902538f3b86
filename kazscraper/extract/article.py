"""HTML of an article page → an ``Article`` record, layer by layer.

Each field comes from the first layer that yields it, and
``Article.extraction`` records which one did (or why the field is missing):

1. ``jsonld`` / ``opengraph`` / ``meta-author`` / ``time-element``: what the page declares;
2. ``profile``: the site profile's CSS selectors;
3. ``signature`` / ``byline`` / ``label``: the signature block at the end of the
   body and the blocks found by their headings;
4. ``generic``: for pages the profile does not match, the main content by
   trafilatura (``extract.body``), a date from the page's own date line or dateline,
   then htmldate (``extract.page_date``), the byline (``extract.byline``), the
   headline (``extract.headline``). A listing page (teasers, not an article) yields no
   body (``extract.listing``), and so is refused by validation.

The page is parsed once. No Scrapy, no I/O: the same function serves the
crawl, ``kazscraper parse`` and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import (
    PageWords,
    css_select,
    find_block,
    heading_candidates,
    heading_keys,
    most_read_by_structure,
    node_text,
    parse_block,
    similar_by_structure,
    squash,
)
from kazscraper.extract.body import GenericView, body_paragraphs
from kazscraper.extract.byline import (
    MAX_AUTHORS,
    BylineReading,
    authors_from_elements,
    has_author_markup,
    is_no_person,
    is_organisation,
    name_as_written,
    read_byline,
    same_person_in_full,
    site_words,
    trafilatura_authors,
)
from kazscraper.extract.dates import parse_date
from kazscraper.extract.headline import generic_title, headline_of
from kazscraper.extract.language import text_language
from kazscraper.extract.metadata import PageMetadata, read_metadata
from kazscraper.extract.names import PersonName, parse_display_name
from kazscraper.extract.page_date import DateVote, htmldate_date, publication_date
from kazscraper.extract.profile_layer import profile_date, profile_names
from kazscraper.extract.signature import Signature, split_signature
from kazscraper.extract.site_name import without_the_site
from kazscraper.intake.checked import html_problem, parsed
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.sites import SiteProfile
from kazscraper.urls import join_url, urlsplit

MAX_VIEW_DIGITS = 4_000  # int() refuses 4,300; past 19 digits values.py stores None
# the most kept of one page's lists; the rest is dropped with a note in ``extraction``
MAX_RELATED = 500  # similar and top news together: a real page has 4 + 10
# '-', '‐', non-breaking '‑', '‒', '–', '−', small, wide
_MINUS = frozenset("-\u2010\u2011\u2012\u2013\u2212\ufe63\uff0d")


class NotHtmlError(ValueError):
    """The input is not an HTML document (binary data, empty, plain text)."""


class PageTooComplex(NotHtmlError):
    """A page of more elements than any article has (``MAX_ELEMENTS``): not extracted.

    Every layer walks the tree several times (ours, trafilatura twice, readability,
    htmldate): about 40 µs per element on the profile's path and 160 µs on the generic
    one, so a 4 MB page of a million ``<br>`` takes about 44 s, and one of 250,000 about 43 s
    on the generic layer. It says nothing about the site's layout (the health check)."""


#: the most elements a page may have to be extracted; the most in 1,628 real pages of the
#: evaluation sets is 10,106; 100,000 similar-news links (200,012 elements, a tested flood
#: whose article is stored) are under it. 250,000 ``<br>`` take ~6 s, ~43 s on the generic layer
MAX_ELEMENTS = 250_000
_ELEMENT_COUNT = etree.XPath(xpaths.ELEMENT_COUNT)


def parse_html(html: str) -> Selector:
    """The page parsed, or ``NotHtmlError`` with why not: the verdict of intake's checks
    where ``html`` came through intake (``CheckedHtml``), else those checks made here."""
    if problem := html_problem(html):
        raise NotHtmlError(problem)
    page = parsed(html)  # the crawl's link reader parsed it already: the same parse
    # no field is read from a comment, and lxml's itertext (ours, htmldate's, trafilatura's)
    # is quadratic in comments side by side (a million "<!--x-->" would take minutes)
    etree.strip_tags(page.root, etree.Comment, etree.ProcessingInstruction)
    elements = int(_ELEMENT_COUNT(page.root))  # counted by libxml2, in C
    if elements > MAX_ELEMENTS:
        raise PageTooComplex(
            f"page too complex: {elements} elements (more than {MAX_ELEMENTS}); not extracted"
        )
    return page


def extract_article(html: str, url: str, profile: SiteProfile, fetched_at: str = "") -> Article:
    """Extract every field of the article page at ``url``; missing fields stay None."""
    page = parse_html(html)
    meta = read_metadata(page)
    article = Article(url=url, fetched_url=url, fetched_at=fetched_at)
    prov = article.extraction

    blocks = related_blocks(page, profile, html, url)
    generic = GenericView(page, [el for _, region in blocks for el in region], url)
    if profile.name == "generic" and not any(kind == "similar" for kind, _ in blocks):
        # a similar-news block under a heading no label names: its links are stored, but
        # the body is read as it was (a list of links after the text is no body anyway)
        used = [el for _, region in blocks for el in region]
        if (region := similar_by_structure(page, url, used)) is not None:
            blocks.append(("similar", region))
    paragraphs, body_layer = body_paragraphs(page, profile, generic)
    signature = split_signature(paragraphs)
    body = paragraphs[signature.body_start : signature.body_end]
    if body_layer.startswith("missing"):  # e.g. a listing page: its teasers are no article body
        body = []
    elif not body:
        body_layer = "missing: no body paragraphs found"
    article.body = "\n\n".join(body) or None
    article.lead = body[0] if body else None
    prov["body"] = body_layer

    _title(article, page, meta, profile)
    _date(article, page, generic, meta, signature, body, profile)
    _authors(
        article, page, meta, signature, generic if profile.name == "generic" else None, profile
    )
    article.affiliation = signature.affiliation
    prov["affiliation"] = "signature" if signature.affiliation else "missing: no affiliation line"

    _simple_fields(article, page, meta, profile, url)
    article.related = related_links(blocks, profile, url)
    prov["related"] = "label" if article.related else "missing: no similar/top news items"
    if len(article.related) > MAX_RELATED:
        article.related = article.related[:MAX_RELATED]
        prov["related"] += f"; over {MAX_RELATED} entries, the first {MAX_RELATED} kept"
    if meta.canonical and (declared := join_url(url, meta.canonical)):
        article.declared_canonical = declared
    return article


MAX_TITLE = 400  # longer is not a headline but a parse gone wrong (an unclosed <title>)


def _title(article: Article, page: Selector, meta: PageMetadata, profile: SiteProfile) -> None:
    def candidates() -> Iterator[tuple[str, str]]:  # lazily: the first good one wins
        declared = squash(meta.title or "")
        layer = meta.source.get("title", "metadata")
        if declared and profile.name == "generic":  # another site: its name is no part of it
            headline = headline_of(declared, page, article.url)
            if headline != declared and (h1 := generic_title(page)) and h1[0] == headline:
                layer = "generic (h1)"  # the visible headline, which the declared title holds
            declared = headline
        yield declared, layer
        yield first_text(page, profile.selectors.title), "profile"
        if generic := generic_title(page):
            yield generic[0], f"generic ({generic[1]})"

    too_long = []
    for title, layer in candidates():
        if title and len(title) <= MAX_TITLE:
            article.title = title
            article.extraction["title"] = layer
            return
        if title:
            too_long.append(f"{layer} gave {len(title)} characters")
    reason = "; ".join(too_long) or "no metadata title, no <h1> and no <title>"
    article.extraction["title"] = f"missing: {reason}"


def _date(
    article: Article,
    page: Selector,
    generic: GenericView,
    meta: PageMetadata,
    sig: Signature,
    body: list[str],
    profile: SiteProfile,
) -> None:
    """The publication date, by ``extract.page_date.publication_date``: what the page
    declares, the signature's date line, the date line nearest the headline, microdata,
    the URL, the lead's dateline, htmldate. Relative forms are anchored to the fetch
    time; a date after the fetch is refused by the parser."""
    fetched = _as_datetime(article.fetched_at)
    url = article.fetched_url

    def guess() -> str | None:
        return _htmldate(page, generic, url, fetched, profile)

    learned = None
    if profile.selectors.date and (
        rule := profile_date(page, profile.selectors.date, fetched, profile.timezone)
    ):
        learned = DateVote(rule[2], rule[0], rule[1])
    vote = publication_date(
        page,
        meta.declared_dates,
        url,
        body,
        fetched,
        profile.timezone,
        guess,
        sig.date_text,
        learned,
    )
    if vote is None:
        article.extraction["published_date"] = (
            "missing: no date in metadata, signature, date line or lead"
        )
    elif vote.source == "htmldate":
        article.published_date = vote.parsed.date
        article.extraction["published_date"] = "htmldate"
    else:
        article.published_date = vote.parsed.date
        article.published_at = vote.parsed.datetime
        article.date_raw = vote.raw
        article.extraction["published_date"] = f"{vote.source} ({vote.parsed.method})"
    if meta.modified:
        modified = parse_date(meta.modified, fetched_at=fetched, tz=profile.timezone)
        article.modified_at = (modified.datetime or modified.date) if modified else None


def _htmldate(
    page: Selector, generic: GenericView, url: str, fetched: datetime | None, profile: SiteProfile
) -> str | None:
    """htmldate's reading: on the site's own pages, of the tree without furniture and from
    metadata and markup only (the profile knows the date line: a guess from the text would
    be worse); on another site's page, of the page as it is with its extensive search, as
    htmldate's own evaluation runs it (measured on the dev sets: 192 of 250 pages right,
    against 178 without furniture, whose header often holds the date)."""
    if profile.name == "generic":
        return htmldate_date(page.root, url, fetched, extensive=True)
    return htmldate_date(generic.tree, url, fetched)


def _as_datetime(fetched_at: str) -> datetime | None:
    if not fetched_at:
        return None
    try:
        return datetime.fromisoformat(fetched_at)
    except ValueError:
        return None


def _authors(
    article: Article,
    page: Selector,
    meta: PageMetadata,
    sig: Signature,
    generic: GenericView | None,
    profile: SiteProfile,
) -> None:
    names: list[PersonName] = []
    layer = None
    publisher: tuple[list[PersonName], str] | None = None
    # the page declared the site itself as the author: only a visible byline names someone
    # else (trafilatura's guesses are left out: a tag cloud, a "Recipe by <site>" line)
    the_site_declared = False
    reading: list[BylineReading] = []

    def shown() -> list[PersonName]:  # the visible byline, read once
        if not reading:
            reading.append(read_byline(page))
        return reading[0].names

    def people(found: list[PersonName], source: str) -> list[PersonName]:
        """On another site's page, the names without the site itself (the publisher named
        beside its people, or in place of a byline that a later layer finds). A site named
        alone in the visible byline is kept for the end (a blog signs its posts with its own
        name); one named alone in a meta tag or JSON-LD is no author (a CMS's default, the
        publisher's name: right on 9 of 53 pages of the development sets)."""
        nonlocal publisher
        if generic is None:
            return found
        kept = []
        for name in found:
            rest = without_the_site(name.name, page, article.url, meta.publishers)
            if rest == name.name:
                kept.append(name)
            elif rest is not None and (person := parse_display_name(rest)) is not None:
                kept.append(person)  # a person beside the site ("Ann Lee, Example")
        if found and not kept and publisher is None and source not in _DECLARED_LAYERS:
            publisher = found, source
        return kept

    if meta.authors:  # another site's page: its declared names as it writes them
        read = name_as_written if generic is not None else parse_display_name
        layer = meta.source["authors"]
        names = [n for n in (read(a) for a in meta.authors) if n is not None]
        if generic is not None and names:
            names = _declared_people(names, people(names, layer), shown)
            the_site_declared = not names and not any(is_organisation(a) for a in meta.authors)
            if names and layer != "jsonld" and all(is_organisation(a) for a in meta.authors):
                names = []  # a company, not a person (a meta tag's default)
        if generic is not None and names and all(len(n.name.split()) == 1 for n in names):
            byline = shown()  # "Todd" declared, "Todd Bates" shown
            if same_person_in_full(names, byline):
                names, layer = byline, "byline"
    if not names and sig.authors:
        names, layer = sig.authors, sig.author_source
    # a learned profile's author elements: where they name no one, no one (no guessing)
    ruled = bool(profile.selectors.authors) and generic is not None
    if not names and ruled:
        layer = "profile"
        names = profile_names(page, profile.selectors.authors)
        generic = None if not names else generic
    if not names and generic is not None:  # another site's page: its visible byline
        layer = "byline"
        names = people(shown(), layer)
    if not names and generic is not None and not the_site_declared:  # trafilatura's reading
        layer = "generic (trafilatura)"
        names = people(trafilatura_authors(generic.tree), layer)
    if not names and generic is None and not ruled:  # the byline reader covers these on another
        layer = "author-element"  # site's page: what it leaves (teasers, furniture) is no one's
        names = authors_from_elements(page)
    marked_in_body = reading[0].marked_in_body if reading else None  # (read with the byline)
    if (
        not names and generic is not None and not the_site_declared
        and has_author_markup(page.root, marked_in_body)
    ):  # fmt: skip
        # a byline in the header or footer we dropped
        layer = "generic (trafilatura, whole page)"
        names = people(trafilatura_authors(page.root), layer)
    if not names and publisher is not None:
        names, layer = publisher[0], f"{publisher[1]} (the site's own byline: no person named)"
    if names:  # «Admin», «Редакция», «Дала жаршысы редакциясы»: no one
        site_read: list[frozenset[str]] = []

        def site() -> frozenset[str]:  # read once, where a name's words need them
            if not site_read:
                site_read.append(site_words(page, article.url))
            return site_read[0]

        names = [n for n in names if not is_no_person(n.name, site)]
    article.authors = [
        Author(name=n.name, surname=n.surname, given=n.given, patronymic=n.patronymic)
        for n in names[:MAX_AUTHORS]
    ]
    article.extraction["authors"] = (
        layer if names and layer else "missing: no metadata, byline, signature or author element"
    )
    if len(names) > MAX_AUTHORS:
        article.extraction["authors"] += f"; {len(names)} names, the first {MAX_AUTHORS} kept"


# the layers of what a page declares about its author (not what it shows)
_DECLARED_LAYERS = frozenset({"jsonld", "meta-author"})


def _declared_people(
    declared: list[PersonName], kept: list[PersonName], byline: Callable[[], list[PersonName]]
) -> list[PersonName]:
    """The people of a declared author, ``kept`` being ``declared`` without the site itself.
    Where the site was all it declared (``"author": "The Economist"``), the visible byline
    when it shows the same name (a personal site named after its owner: kept as declared);
    else nobody (a later layer reads the byline)."""
    if kept or not declared:
        return kept
    shown = {name.key for name in byline()}
    return declared if shown and {name.key for name in declared} <= shown else []


def _simple_fields(
    article: Article, page: Selector, meta: PageMetadata, profile: SiteProfile, url: str
) -> None:
    sel = profile.selectors
    prov = article.extraction
    category = meta.section or first_text(page, sel.category) or None
    article.category = category
    prov["category"] = meta.source.get("section", "profile") if category else "missing: no section"

    tags = meta.tags or [node_text(t) for t in css_select(page, sel.tags)]
    article.tags = [t for t in tags if t]
    prov["tags"] = meta.source.get("tags", "profile") if article.tags else "missing: no tags"

    image = meta.image or next(iter(css_select(page, sel.image)), None)
    image_url = join_url(url, image.strip()) if image else None
    # an http(s) address (relative only when the page's URL is unknown), never javascript:
    if image_url and urlsplit(image_url).scheme.lower() in ("", "http", "https"):
        article.image_url = image_url
        prov["image_url"] = meta.source.get("image", "profile")
    else:
        prov["image_url"] = "refused: not an http(s) URL" if image else "missing: no image"

    views_text = first_text(page, sel.views)
    digits = "".join(ch for ch in views_text if ch.isdecimal())  # not '²': int() refuses it
    if digits and _negative(views_text):
        article.views = None
        prov["views"] = f"refused: a negative view counter ({views_text[:40]!r})"
    elif len(digits) > MAX_VIEW_DIGITS:
        article.views = None
        prov["views"] = f"refused: a view counter of {len(digits)} digits"
    else:
        article.views = int(digits) if digits else None
        prov["views"] = "profile" if digits else "missing: no view counter on the page"

    language, layer = meta.language or profile.language, meta.source.get("language", "profile")
    if not language.strip():  # the generic profile: the page's own text tells
        language = text_language(f"{article.title or ''}\n{article.body or ''}") or ""
        layer = "text" if language else "missing: not declared, not told by the text"
    article.language = language.strip().split("-")[0].lower() or None
    prov["language"] = layer


def first_text(page: Selector, css: str) -> str:
    """Text of the first element matching ``css`` ('' when the selector is empty or unmatched)."""
    found = css_select(page, css)
    return node_text(found[0]) if found else ""


def _negative(counter: str) -> bool:
    """A minus sign directly before the counter's first digit, whatever precedes it
    (``Views:-1234``, ``(-5)``), or with spaces between when nothing precedes it
    (``- 1 234``, ``− 5``); a dash between a word and spaces (``Қаралды - 1 234``) is no
    sign."""
    first = next(i for i, ch in enumerate(counter) if ch.isdecimal())
    if first and counter[first - 1] in _MINUS:
        return True
    before = counter[:first].rstrip()
    return bool(before) and before[-1] in _MINUS and not before[:-1].strip()


def related_blocks(
    page: Selector, profile: SiteProfile, html: str | None = None, url: str = ""
) -> list[tuple[str, list[Any]]]:
    """The similar-news and top-news blocks, found by their headings: (kind, elements).

    The headings are looked for by the profile's first label of each kind first (one
    cheap pass); the other labels only when a block was not found that way.
    """
    found = []
    all_labels = profile.similar_labels + profile.top_labels
    words = PageWords(page.root)  # the body's text and its words: read once for both searches
    # on another site's page the usual labels are seldom in its text: looked for there first
    usual = heading_keys(
        heading_candidates(
            page,
            profile.similar_labels[:1] + profile.top_labels[:1],
            html if profile.name == "generic" else None,
            words,
        )
    )
    every: list[Any] | None = None
    for kind, labels in (("similar", profile.similar_labels), ("top", profile.top_labels)):
        container = getattr(profile.selectors, kind)  # a learned profile's block container
        held = css_select(page, container)[:1] if container else []
        if held and not isinstance(held[0], str):
            found.append((kind, held))
            continue
        region = find_block(page, labels, stop_labels=all_labels, keyed=usual)
        if region is None and len(labels) > 1:
            if every is None:
                every = heading_keys(heading_candidates(page, all_labels, html, words))
            region = find_block(page, labels, stop_labels=all_labels, keyed=every)
        if region:
            found.append((kind, region))
    if profile.name == "generic" and not any(kind == "top" for kind, _ in found):
        used = [el for _, region in found for el in region]
        if (region := most_read_by_structure(page, url, used)) is not None:
            found.append(("top", region))
    return found


def related_links(
    blocks: list[tuple[str, list[Any]]], profile: SiteProfile, base_url: str
) -> list[RelatedLink]:
    """The entries of the similar-news and top-news ``blocks`` (from ``related_blocks``)."""
    links: list[RelatedLink] = []
    for kind, region in blocks:
        limit = MAX_RELATED - len(links) + 1  # one more: to know that some were dropped
        links += parse_block(region, kind, base_url, profile.interface_strings, limit)
    return links
