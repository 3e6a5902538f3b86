"""The byline reader's one walk of a page: the same candidates, the same author marks as
the whole-page XPaths, the page's byline read once per article, and trafilatura's gate
read one attribute at a time. Small pages written here (never pages of the dev sets)."""

from __future__ import annotations

import pytest
from lxml import etree
from parsel import Selector

from kazscraper.extract import article as article_module
from kazscraper.extract import byline, xpaths
from kazscraper.extract.article import extract_article
from kazscraper.sites import profile_for_url

URL = "https://news.example.com/2020/03/storm-hits-the-coast"
TEXT = "<p>" + "The storm reached the coast on Saturday and the town lost power. " * 6 + "</p>"


def page_of(body: str, head: str = "") -> Selector:
    return Selector(text=f"<html><head>{head}</head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("body", "head"),
    [
        ('<span class="post-author">Mara Lindqvist</span>', ""),
        ('<span class="PostAuthor">Mara Lindqvist</span>', ""),
        ('<span class="AUTHOR">Mara Lindqvist</span>', ""),  # a stem, not the hint's case
        ('<span class="writer-box">Mara Lindqvist</span>', ""),
        ('<span class="autorname">Mara Lindqvist</span>', ""),
        ('<a rel="author me" href="/m">Mara Lindqvist</a>', ""),  # marked, not the hint
        ('<a rel="author" href="/m">Mara Lindqvist</a>', ""),
        ('<span itemprop="author">Mara Lindqvist</span>', ""),
        ('<div id="author-box">Mara Lindqvist</div>', ""),  # the id: read when asked
        ('<noscript><span class="byline">Mara Lindqvist</span></noscript>', ""),
        ("<span>Mara Lindqvist</span>", '<link rel="author" href="/m">'),  # not in the body
        ("<p>By Mara Lindqvist</p>", ""),
        ("<span>Mara Lindqvist</span>", ""),
    ],
)
def test_the_walk_tells_author_markup_as_the_whole_page_xpath_does(body: str, head: str) -> None:
    page = page_of(f"<article><h1>Storm</h1>{body}{TEXT}</article>", head)
    reading = byline.read_byline(page)
    assert has_markup(page, reading.marked_in_body) is has_markup(page, None)
    assert reading.names == byline.byline_authors(page)


def has_markup(page: Selector, marked_in_body: bool | None) -> bool:
    return byline.has_author_markup(page.root, marked_in_body)


def test_the_walk_finds_what_a_test_of_every_element_finds() -> None:
    body = (
        '<aside><span class="author">Tom Berg</span></aside>'
        '<article><div class="entry-meta"><p class="articleByline">By Ann Lee</p></div>'
        '<h1>Storm</h1><span class="vcard"><span class="fn">Ann Lee</span></span>'
        '<span class="autorefresh">x</span><p class="typewriter">y</p>'
        '<a rel="author" href="/a">ann</a><span itemprop="author">Ann Lee</span>'
        "<script>By Nobody</script><p>Von Ann Lee</p><p>  \u00a0by Tom Berg</p>"
        f"{TEXT}</article>"
    )
    page = page_of(body)
    marked, openings, _ = byline._walk(page.root)
    every = [e for e in page.root.iter() if e.attrib and marks_an_author(e)]
    assert sorted(marked, key=every.index) == every
    assert [e.get("class") for e in marked[:1]] == ["articleByline"]  # in the h1's article
    assert "autorefresh" not in [e.get("class") for e in marked]
    assert [e.text.strip() for e in openings] == ["By Ann Lee", "Von Ann Lee", "by Tom Berg"]


def marks_an_author(element: etree._Element) -> bool:
    """The element-by-element test the walk replaced (the reference): ``rel=author``,
    ``itemprop=author``, or a class holding a byline's stem (or ``fn``) whose words (split
    at - and _ and camel case) are ``fn`` or in ``xpaths.BYLINE_CLASS_WORDS``."""
    if byline._strong_mark(element):
        return True
    classes = element.get("class") or ""
    folded = classes.casefold()
    if not folded or not ("fn" in folded or any(s in folded for s in xpaths.BYLINE_CLASS_STEMS)):
        return False
    return byline._class_marks(element, classes)


def test_the_walks_class_stems_are_the_byline_stems() -> None:
    assert set(xpaths.BYLINE_CLASS_STEMS) == {"author", "byline", "autor", "auteur", "writer"}


def test_an_article_reads_its_byline_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counting(page: Selector) -> byline.BylineReading:
        calls.append(page)
        return byline.read_byline(page)

    monkeypatch.setattr(article_module, "read_byline", counting)
    site = '<meta property="og:site_name" content="Example News">'
    declared = '<meta name="author" content="Example News">'  # the site: its byline asked
    html = (
        f"<html><head>{site}{declared}</head><body>"
        f"<article><h1>Storm</h1><p>Story</p>{TEXT}</article></body></html>"
    )
    extract_article(html, URL, profile_for_url(URL, "qazdauiri"))
    assert len(calls) == 1


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="author">A</div>',
        '<div id="zuozhe">A</div>',
        '<a rel="author">A</a>',
        '<span itemprop="author">A</span>',
        '<div data-testid="AuthorCard">A</div>',
        '<div data-component="Byline">A</div>',
        "<author>A</author>",
        '<div class="x" id="y" data-testid="z">A</div>',
    ],
)
def test_trafilaturas_gate_reads_each_attribute_as_the_union_did(markup: str) -> None:
    tree = page_of(markup).root
    union = etree.XPath(xpaths.TRAFILATURA_AUTHOR_ATTRIBUTES, smart_strings=False)
    values = "\n".join(union(tree))
    found = any(stem in values for stem in xpaths.TRAFILATURA_AUTHOR_STEMS) or (
        next(tree.iter(*xpaths.TRAFILATURA_AUTHOR_TAGS), None) is not None
    )
    assert byline._may_name_an_author(tree) is found
