"""Similar-news and most-read blocks on a site we have no profile for (issue 20).

Found by their heading in Kazakh (Cyrillic and Latin), Russian or English whatever the
heading's element, or, for a most-read block under a heading no label names, by its
structure: three or more links to the site's articles, each shown with its view count.
"""

from __future__ import annotations

import pytest
from lxml import html

from kazscraper.extract.article import extract_article
from kazscraper.extract.blocks import _ITEM_MEMO, parse_block
from kazscraper.items import RelatedLink
from kazscraper.sites.generic import PROFILE

URL = "https://news.example.kz/kk/news/bugingi-zhanalyq"
TEXT = "".join(
    f"<p>Ауыл мектептерінде заманауи зертханалар ашылып, оқушылардың ғылымға деген "
    f"қызығушылығы артты. Жаңа оқу жылында {n} жас маман жұмысқа орналасты.</p>"
    for n in range(6)
)


def _items(prefix: str, views: bool = False) -> str:
    return "".join(
        f'<li><a href="/kk/news/{prefix}-{n}">Өңірде жаңа жоба іске қосылды {n}</a>'
        + (f"<span>{1000 + n}</span>" if views else "")
        + "</li>"
        for n in range(1, 5)
    )


def _page(after_text: str, side: str = "") -> str:
    return (
        '<html lang="kk"><head><title>Бүгінгі жаңалық</title></head><body>'
        '<nav><ul><li><a href="/kk/popular">Популярное</a></li><li><a href="/kk/a">Саясат</a>'
        "</li></ul></nav>"
        f"<main><article><h1>Бүгінгі жаңалық</h1>{TEXT}</article>{after_text}</main>"
        f"<aside>{side}</aside></body></html>"
    )


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("<h3>Ұқсас жаңалықтар</h3>", "similar"),
        ('<div class="section-title">Оқи отырыңыз</div>', "similar"),
        ("<h2>Taqyrypqa qatysty</h2>", "similar"),
        ("<h3>Читайте также:</h3>", "similar"),
        ("<h2>Related</h2>", "similar"),
        ("<h4>Көп оқылған</h4>", "top"),
        ("<h4>ПОПУЛЯРНОЕ</h4>", "top"),
        ("<h2>Most read</h2>", "top"),
    ],
)
def test_a_block_is_found_by_its_heading(heading: str, kind: str) -> None:
    article = extract_article(_page(f"{heading}<ul>{_items('x')}</ul>"), URL, PROFILE)
    assert [(r.kind, r.rank, r.url) for r in article.related] == [
        (kind, n, f"https://news.example.kz/kk/news/x-{n}") for n in range(1, 5)
    ]
    assert article.related[0].title == "Өңірде жаңа жоба іске қосылды 1"
    assert "Өңірде жаңа жоба" not in (article.body or "")


def test_a_menu_entry_with_a_label_heads_no_block() -> None:
    """«Популярное» as a menu link is no heading: its sibling menu entries are no block."""
    assert extract_article(_page(""), URL, PROFILE).related == []


def test_rows_under_wrapper_elements_are_each_an_entry() -> None:
    """Drupal's Views: ``view > view-content > views-row``: four rows, not one."""
    rows = "".join(
        f'<div class="views-row"><span><a href="/kk/news/d-{n}">Жаңа жоба іске қосылды {n}'
        "</a></span></div>"
        for n in range(1, 5)
    )
    block = (
        f'<h2>Taqyrypqa qatysty</h2><div class="view"><div class="view-content">{rows}</div></div>'
    )
    related = extract_article(_page(block), URL, PROFILE).related
    assert [r.url for r in related] == [
        f"https://news.example.kz/kk/news/d-{n}" for n in range(1, 5)
    ]


def test_a_most_read_block_under_an_unknown_heading_is_found_by_its_view_counts() -> None:
    side = f"<section><h3>Оқырман таңдауы</h3><ul>{_items('t', views=True)}</ul></section>"
    related = extract_article(_page("", side), URL, PROFILE).related
    assert [(r.kind, r.views) for r in related] == [("top", 1000 + n) for n in range(1, 5)]


def test_a_latest_news_feed_without_counts_is_no_most_read_block() -> None:
    side = f"<section><h3>Жаңалықтар легі</h3><ul>{_items('f')}</ul></section>"
    assert extract_article(_page("", side), URL, PROFILE).related == []


def test_a_similar_block_under_an_unknown_heading_is_found_after_any_h1() -> None:
    """The headings after the page's first ``<h1>`` (here the site's logo) are looked at:
    the block after the article's own ``<h1>`` is among them (issue 22 made the XPath
    cheaper; the elements it finds are the same)."""
    block = f"<h3>Тағы не оқуға болады</h3><ul>{_items('s')}</ul>"
    page = _page(block).replace("<body>", '<body><div class="logo"><h1>Example</h1></div>', 1)
    related = extract_article(page, URL, PROFILE).related
    assert [(r.kind, r.url) for r in related] == [
        ("similar", f"https://news.example.kz/kk/news/s-{n}") for n in range(1, 5)
    ]


def test_a_block_item_linked_by_site_paths_is_parsed_once_for_every_page(monkeypatch) -> None:
    """The top-news list is the same on every page of a site: its items are parsed once
    (``blocks._ITEM_MEMO``). The test of a page-relative href skipped the opening quote
    (``["']?``), so every quoted href read as page-relative and no item was ever reused:
    76 µs an item, 9 items a page of the replica."""
    from lxml import etree

    from kazscraper.extract import blocks

    parsed = []
    real_parse_item = blocks.parse_item

    def counted(*args: object, **kwargs: object) -> object:
        parsed.append(args[0])
        return real_parse_item(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(blocks, "parse_item", counted)
    monkeypatch.setattr(blocks, "_ITEM_MEMO", {})
    monkeypatch.setattr(blocks, "_BLOCK_MEMO", {})
    items = (
        "<li><a href='/news/one'>Бірінші жаңалық</a> 12</li>"
        '<li><a href="https://x.kz/two">Екінші жаңалық</a></li>'
    )
    links = []
    for page in ("a", "b"):
        region = [etree.fromstring(f"<ul>{items}</ul>")]
        url = f"https://qazdauiri.kz/news/{page}"
        links += blocks.parse_block(region, "top", url, (), None)
    assert [link.url for link in links] == ["https://qazdauiri.kz/news/one", "https://x.kz/two"] * 2
    assert len(parsed) == 2
    for relative in ("news/one", "./one", "//cdn.kz/one", " /news/one"):  # the page's own
        region = [etree.fromstring(f"<ul><li><a href='{relative}'>Бірінші жаңалық</a></li></ul>")]
        for page in ("a", "b"):
            blocks.parse_block(region, "top", f"https://qazdauiri.kz/news/{page}", (), None)
    assert len(parsed) == 2 + 4 * 2


def test_a_block_seen_before_gives_its_entries_again_as_new_copies(monkeypatch) -> None:
    """A block whose markup was read on an earlier page (the top-news list, the same on
    every page) gives the same entries without its items found again (``blocks._BLOCK_MEMO``),
    each a new object; a block with an href relative to the page is read again on another
    page, and one over the size kept is read as it is."""
    from lxml import etree

    from kazscraper.extract import blocks

    found_items = []
    real_block_items = blocks.block_items

    def counted(region: list[etree._Element]) -> list[etree._Element]:
        found_items.append(len(region))
        return real_block_items(region)

    monkeypatch.setattr(blocks, "block_items", counted)
    monkeypatch.setattr(blocks, "_BLOCK_MEMO", {})
    items = "".join(f"<li><a href='/news/{n}'>Жаңалық нөмірі {n}</a> 1{n}</li>" for n in range(3))

    def read(page: str, markup: str = items) -> list[RelatedLink]:
        region = [etree.fromstring("<h4>Топ</h4>"), etree.fromstring(f"<ul>{markup}</ul>")]
        return blocks.parse_block(region, "top", f"https://qazdauiri.kz/news/{page}", (), 10)

    first, second = read("a"), read("b")
    assert first == second and len(first) == 3 and first[0].views == 10
    assert all(one is not two for one, two in zip(first, second, strict=True))
    second[0].title = "changed"
    assert read("c")[0].title == "Жаңалық нөмірі 0"
    assert len(found_items) == 1
    relative = "<li><a href='one'>Бірінші жаңалық</a></li>"
    assert read("a", relative)[0].url == "https://qazdauiri.kz/news/one"
    assert read("x/", relative)[0].url == "https://qazdauiri.kz/news/x/one"
    assert len(found_items) == 3
    flood = items * 400  # over _BLOCK_MEMO_BYTES: not kept
    assert len(read("a", flood)) == len(read("b", flood)) == 10
    assert len(found_items) == 5


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
