"""The generic layer's cheaper calls read what the former ones read."""

from __future__ import annotations

from lxml import etree

from kazscraper.extract import body
from kazscraper.extract.body import GenericView, _is_link_text
from kazscraper.extract.site_name import without_the_site
from kazscraper.intake.checked import html_selector

_PAGE = (
    "<html><head><title>Story | Example</title>"
    "<meta property='og:site_name' content='Example News'></head><body>"
    "<h1>Story</h1><p>Text of the story, long enough.</p>"
    "<div><a href='/a'>Read this other story</a><a>Read this without href</a></div>"
    "<ul><li><a href='/b'>Read  this\n second one</a></li></ul></body></html>"
)


def test_the_links_holding_a_word_are_those_of_the_former_xpath() -> None:
    """``(/descendant::body/descendant::a[@href])`` is ``(//body//a[@href])``: the same
    links, in the same order, the first 5,000."""
    former = etree.XPath("(//body//a[@href])[position() <= 5000][contains(., $word)]")
    root = html_selector(_PAGE).root
    for word in ("Read", "this", "second", "href", "Story"):
        assert body._LINKS_HOLDING(root, word=word) == former(root, word=word)
    assert _is_link_text("Read this other story", root)
    assert _is_link_text("Read this second one", root)
    assert not _is_link_text("Read this without href", root)


def test_the_title_is_read_once_for_the_body() -> None:
    page = html_selector(_PAGE)
    view = GenericView(page, [], "https://example.com/story")
    assert view.title() == "Story"
    page.root.find(".//h1").text = "Changed"  # not read again
    assert view.title() == "Story"


def test_a_name_without_the_site_reads_the_site_s_names_once() -> None:
    page = html_selector(_PAGE)
    url = "https://example.com/story"
    assert without_the_site("Ann Lee, Example News", page, url) == "Ann Lee"
    assert without_the_site("Ann Lee, The Paper", page, url, ["The Paper"]) == "Ann Lee"
    assert without_the_site("Example News", page, url) is None
    assert without_the_site("Ann Lee", page, url) == "Ann Lee"
