"""Review finding (branch review1): blocks._ITEM_MEMO shared across pages."""

from __future__ import annotations

from lxml import html

from kazscraper.extract.blocks import _ITEM_MEMO, parse_block

ITEMS = (
    '<div><ul><li><a href="https:story-one">The first story of the day</a></li>'
    '<li><a href="https:story-two">The second story of the day</a></li></ul></div>'
)


def test_a_scheme_relative_href_is_resolved_against_each_page_not_the_first() -> None:
    """``href="https:story-one"`` on an https page is relative to the page (RFC 3986's
    legacy form; ``urljoin`` gives ``<page dir>/story-one``), but ``_SITE_RELATIVE``'s
    lookahead ``https?:`` takes it for an absolute URL, so the memo is keyed by the origin
    and a second page of the site gets the first page's links."""
    _ITEM_MEMO.clear()
    first = parse_block([html.fromstring(ITEMS)], "related", "https://site.kz/news/a/1", [])
    second = parse_block([html.fromstring(ITEMS)], "related", "https://site.kz/blog/b/2", [])
    _ITEM_MEMO.clear()
    fresh = parse_block([html.fromstring(ITEMS)], "related", "https://site.kz/blog/b/2", [])
    assert [link.url for link in first] == [
        "https://site.kz/news/a/story-one",
        "https://site.kz/news/a/story-two",
    ]
    assert [link.url for link in second] == [link.url for link in fresh]
