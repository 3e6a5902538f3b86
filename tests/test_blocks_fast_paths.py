"""The block finders' fast paths give what the plain definitions they replace gave.

Each cheaper computation in ``extract.blocks`` (the heading search's word test, the
section headings walked by lxml, list items found without an XPath per element, the
climb from a heading without joining texts, the row count that stops once decided) is
compared here with the definition it stands for, on pages made to reach its edges.
"""

from __future__ import annotations

import pytest
from lxml import etree

from kazscraper.extract import blocks
from kazscraper.extract.article import parse_html
from kazscraper.sites.generic import PROFILE

LABELS = PROFILE.similar_labels + PROFILE.top_labels


def _words_plainly(page_root: etree._Element, labels: tuple[str, ...]) -> list[str]:
    text = blocks._body_text(page_root)
    needles = {n for label in labels for w in (label.split()[-1],) for n in (w, w.upper())}
    return sorted(n for n in needles if n.encode() in text)


@pytest.mark.parametrize(
    "body",
    [
        "<p>Related news and MOST READ stories</p>",
        "<p>ПОХОЖИЕ НОВОСТИ</p><div>Көп оқылған жаңалықтар</div>",
        "<p>Jańalyqtar: UQSAS JAŃALYQTAR, oqylǵan</p>",
        "<p>ALSOREADING NEWSROOM XREADX</p><p>A\xa0POPULAR\u2009TRENDING</p>",
        "<p>nothing of the labels here</p><script>var RELATED='Popular';</script>",
        "<p>Танымал</p></body></html><div>Trending after the end</div>",
        "",
    ],
)
def test_the_word_test_finds_what_a_search_of_the_whole_text_finds(body: str) -> None:
    page = parse_html(f"<html><head><title>t</title></head><body>{body}</body></html>")
    words = blocks.PageWords(page.root)
    for labels in (LABELS[:1], LABELS, LABELS[:1], PROFILE.top_labels):  # (asked again: kept)
        assert words.present(labels) == _words_plainly(page.root, labels)


def test_the_heading_search_is_the_same_with_the_pages_words_kept() -> None:
    page = parse_html(
        "<html><body><h3>Related</h3><ul><li><a href='/a'>One story of the day</a></li></ul>"
        "<div><span>Most read</span></div><p>POPULAR</p><p>Read also</p></body></html>"
    )
    html = etree.tostring(page.root, encoding="unicode")
    words = blocks.PageWords(page.root)
    found = []
    for labels in (LABELS[:2], LABELS):
        alone = blocks.heading_candidates(page, labels, html)
        assert blocks.heading_candidates(page, labels, html, words) == alone
        found.append(len(alone))
    assert found[0] == 0 and found[1] >= 4


_SECTION_XPATH = etree.XPath(
    "(//body//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6]"
    "[not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::a)])"
    "[position() <= 60]"
)


@pytest.mark.parametrize(
    "markup",
    [
        "<html><head><noscript><body><h2>in the head</h2></body></noscript></head>"
        "<body><h2>one</h2><nav><h3>menu</h3></nav><header><h2>top</h2></header>"
        "<a href='/x'><h4>linked</h4></a><div><h5>deep</h5><footer><h6>foot</h6></footer>"
        "</div></body></html><div><h2>after the end</h2></div>",
        "<html><body>" + "".join(f"<h{2 + n % 5}>h{n}</h{2 + n % 5}>" for n in range(90)),
        "<html><head><h2>no body</h2></head></html>",
    ],
)
def test_section_headings_are_those_of_the_xpath(markup: str) -> None:
    page = parse_html(markup)
    assert blocks._section_headings(page.root) == _SECTION_XPATH(page.root)


_LI = etree.XPath(".//li[.//a[@href]]")
_CHILDREN = etree.XPath("./*[descendant-or-self::a[@href]]")


def _items_plainly(region: list[etree._Element]) -> list[etree._Element]:
    items: list[etree._Element] = []
    for element in region:
        found = _LI(element) or _CHILDREN(element)
        for _ in range(8):
            if len(found) != 1 or len(blocks._LINKS(found[0])) < 2:
                break
            found = _CHILDREN(found[0])
        if not found and blocks._LINKS(element):
            found = [element]
        items.extend(found)
    return items


ITEMS_PAGE = """<html><body><section>
<div id="a"><ul><li><a href="/1">one</a></li><li>no link</li><li><a>no href</a></li>
  <li><ul><li><a href="/2">nested</a></li></ul></li></ul></div>
<div id="b"><div class="view"><div class="content"><div><a href="/3">x</a></div>
  <div><a href="/4">y</a><!-- c --></div></div></div></div>
<div id="c"><a href="/5">alone</a></div>
<div id="d"><p>text only</p><a>no href</a></div>
<div id="e"><!-- c --><span><a href="">empty href</a></span>t<b><a href="/6">six</a></b></div>
<a id="f" href="/7">a link itself</a>
</section></body></html>"""


def test_block_items_are_those_of_the_xpaths() -> None:
    page = parse_html(ITEMS_PAGE)
    region = list(page.root.find(".//section"))
    for start in range(len(region)):
        assert blocks.block_items(region[start:]) == _items_plainly(region[start:])
        known: dict[etree._Element, list[etree._Element]] = {}
        assert blocks.block_items(region[start:], known) == _items_plainly(region[start:])
        assert blocks.block_items(region[start:], known) == _items_plainly(region[start:])


def _widen_plainly(element: etree._Element) -> etree._Element:
    own = blocks.node_text(element)
    while True:
        parent = element.getparent()
        if parent is None or parent.tag in ("body", "html"):
            return element
        if not blocks._one_element_child(parent) or blocks.node_text(parent) != own:
            return element
        element = parent


WIDEN_PAGE = """<html><body>
<div><div>  <h2 id="w1">Plain</h2>
</div></div>
<div>Before <h2 id="w2">Text beside</h2></div>
<div><h2 id="w3">Tail</h2> after</div>
<div><!-- c --><h2 id="w4">Comment</h2></div>
<div><span><h3 id="w5">Script <script>var x = 1;</script>inside</h3></span></div>
<div>\xa0<h3 id="w6">NBSP</h3>\u2003</div>
<div><h4 id="w7">Two</h4><p>children</p></div>
</body></html>"""


def test_a_heading_is_widened_as_the_texts_compared_widened_it() -> None:
    page = parse_html(WIDEN_PAGE)
    for n in range(1, 8):
        heading = page.root.get_element_by_id(f"w{n}")
        assert blocks._widen(heading) is _widen_plainly(heading), n
    # a comment kept beside the heading (a tree not from parse_html): the texts are compared
    tree = etree.fromstring("<html><body><div><!-- c --><h2>Kept</h2></div></body></html>")
    heading = tree.find(".//h2")
    assert blocks._widen(heading) is _widen_plainly(heading) is heading.getparent()


@pytest.mark.parametrize("least", [1, 3])
def test_the_row_count_stops_only_where_the_outcome_is_decided(least: int) -> None:
    for size in range(0, 9):
        for mask in range(1 << size):
            passes = [bool(mask >> n & 1) for n in range(size)]
            seen: list[int] = []

            def test(n: int, passes: list[bool] = passes, seen: list[int] = seen) -> bool:
                seen.append(n)
                return passes[n]

            count = sum(passes)
            expected = count >= least and count * 2 >= size
            assert blocks._most_pass(list(range(size)), least, test) is expected
            assert seen == list(range(len(seen)))  # in order, each once
