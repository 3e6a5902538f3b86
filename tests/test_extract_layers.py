"""Extraction layers on markups other than the replica's: metadata first, then fallbacks."""

from __future__ import annotations

import json
from copy import deepcopy
from pathlib import Path

import pytest

from kazscraper.clean.article import clean_article
from kazscraper.extract import xpaths
from kazscraper.extract.article import NotHtmlError, extract_article
from kazscraper.extract.body import MIN_GENERIC_BODY
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")
FIXTURES = Path(__file__).parent / "fixtures" / "pages"
URL = "https://qazdauiri.kz/news/test-article"
FETCHED = "2025-12-12T08:00:00+00:00"
PARAGRAPHS = [
    "Каспий теңізінің деңгейі соңғы жылдары айтарлықтай төмендеп, экологтарды алаңдатып отыр. "
    "Мамандар су ресурстарын үнемді пайдалану мәселесіне ерекше назар аударуды ұсынды.",
    "Сарапшылардың пікірінше, өңірдің экономикалық әлеуеті әлі толық пайдаланылмай келеді. "
    "Жергілікті тұрғындар жаңа жобаның ауыл өміріне оң әсер ететініне сенім білдіріп отыр.",
]


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='kk'><head>{head}</head><body>{body}</body></html>"


def extract(html: str):
    return clean_article(extract_article(html, URL, PROFILE, FETCHED), PROFILE)


def test_jsonld_news_article_is_the_first_layer() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Қазақстан дәуірі"},
            {
                "@type": "NewsArticle",
                "headline": "JSON-LD тақырыбы",
                "datePublished": "2025-12-11T09:30:00+05:00",
                "author": [
                    {"@type": "Person", "name": "Камила МҮЛІК"},
                    {"@type": "Organization", "name": "ҚазАқпарат"},
                ],
                "articleSection": "Экономика",
                "keywords": "Каспий, Экология",
                "image": {"@type": "ImageObject", "url": "https://qazdauiri.kz/i.jpg"},
            },
        ],
    }
    html = page(
        f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
        '<meta property="og:title" content="OG тақырыбы">',
        "<h1>H1 тақырыбы</h1><div class='news-text'>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div>",
    )
    article = extract(html)
    assert article.title == "JSON-LD тақырыбы"
    assert article.published_date == "2025-12-11"
    assert article.published_at == "2025-12-11T09:30:00+05:00"
    assert [a.name for a in article.authors] == ["Мүлік Камила"]
    assert article.category == "Экономика"
    assert article.tags == ["Каспий", "Экология"]
    assert article.image_url == "https://qazdauiri.kz/i.jpg"
    assert article.extraction["title"] == "jsonld"
    assert article.extraction["authors"] == "jsonld"
    assert article.extraction["published_date"].startswith("jsonld")


def test_malformed_jsonld_is_skipped_for_opengraph() -> None:
    html = page(
        '<script type="application/ld+json">{"@type": "NewsArticle", broken</script>'
        '<meta property="og:title" content="OG тақырыбы">'
        '<meta property="article:published_time" content="2025-11-30T10:00:00Z">'
        '<meta name="author" content="Аққу СӘЛІМБЕК">',
        "<div class='news-text'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>",
    )
    article = extract(html)
    assert (article.title, article.published_date) == ("OG тақырыбы", "2025-11-30")
    assert [a.name for a in article.authors] == ["Сәлімбек Аққу"]
    assert article.extraction["authors"] == "meta-author"


def test_byline_at_the_top_and_no_date_anywhere() -> None:
    html = page(
        body="<h1>Тақырып</h1><div class='news-text'><p>Автор: Камила Мүлік</p>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</div><footer><p>ҚР Ақпарат министрлігінде 12.03.2014 тіркелген</p></footer>"
    )
    article = extract(html)
    assert [a.name for a in article.authors] == ["Мүлік Камила"]
    assert article.body.startswith("Каспий теңізінің")
    assert article.published_date is None  # the footer's date is not the article's
    assert article.extraction["published_date"].startswith("missing:")


def test_generic_fallback_when_the_profile_body_is_absent() -> None:
    html = page(
        body="<nav><p>Мәзір</p></nav><div class='story'><h1>Тақырып</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "<p>11.12.2025</p></div><aside><p>Жарнама</p></aside>"
    )
    article = extract(html)
    assert article.body_paragraphs == PARAGRAPHS  # the title and the date line are not body
    assert article.extraction["body"] == "generic (trafilatura)"
    assert article.title == "Тақырып"
    assert article.extraction["title"] == "generic (h1)"
    assert article.published_date == "2025-12-11"


def test_generic_title_from_the_title_element_without_the_site_name() -> None:
    html = page(
        head="<title>Каспий тартылып барады | Қазақстан дәуірі</title>",
        body="<div class='story'>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</div>",
    )
    article = extract(html)
    assert article.title == "Каспий тартылып барады"
    assert article.extraction["title"] == "generic (title element)"


def test_a_short_notice_is_no_generic_body() -> None:
    html = page(
        body="<h1>Тақырып</h1><div class='notice'><p>Материал уақытша қолжетімсіз.</p></div>"
    )
    article = extract(html)
    assert article.body is None
    assert f"under {MIN_GENERIC_BODY} characters" in article.extraction["body"]


def test_similar_block_items_are_parsed_and_unsafe_links_dropped() -> None:
    html = page(
        body="<h1>Тақырып</h1><div class='news-text'><p>" + PARAGRAPHS[0] + "</p></div>"
        "<div class='x'><span>Ұқсас жаңалықтар</span></div>"
        "<ul><li><a href='/news/a?utm_source=x'>Бірінші</a> <i>10.12.2025</i></li>"
        "<li><a href='javascript:alert(1)'>Зиянды</a></li></ul>"
        "<h2>Басқа</h2><ul><li><a href='/news/c'>Блоктан тыс</a></li></ul>"
    )
    similar = [r for r in extract(html).related if r.kind == "similar"]
    assert [(r.rank, r.title, r.url, r.date) for r in similar] == [
        (1, "Бірінші", "https://qazdauiri.kz/news/a", "2025-12-10"),
        (2, "Зиянды", None, None),
    ]


@pytest.mark.parametrize("data", ["", "   ", "plain text without markup", "\x89PNG\x00\x00binary"])
def test_not_html_is_refused(data: str) -> None:
    with pytest.raises(NotHtmlError):
        extract_article(data, URL, PROFILE)


def test_listing_page_yields_no_body() -> None:
    html = page(
        body="<h1>Экономика</h1><div class='news-list'>"
        + "".join(
            f"<div class='news-item'><a href='/news/{i}'>Жаңалық {i}</a></div>" for i in range(20)
        )
        + "</div>"
    )
    assert extract(html).body is None


def test_the_generic_layer_keeps_the_text_around_a_dropped_date_line() -> None:
    # lxml keeps the text after an element on the element: dropping the <span> must not drop it
    sentence = "Жиынға 300-ден астам адам қатысты, олар жаңа жобаны талқылады."
    html = page(
        head="<title>Жиын</title>",
        body="<div class='story'><h1>Жиын</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + f"<p>Кеше <span class='date'>10.12.2025</span> {sentence}</p></div>",
    )
    article = extract(html)
    assert article.extraction["body"] == "generic (trafilatura)"
    assert sentence in article.body


# the XPaths that find elements by their attributes, each beside the test of every element
# it replaced: the same elements, in the same order
_BY_ATTRIBUTE = {
    "metadata._ITEMPROP_PUBLISHED": (
        "(//*[@itemprop='datePublished'][not(ancestor::li|ancestor::aside|ancestor::footer)])[1]"
    ),
    "xpaths.HOME_LINKS": (
        "(//a[contains(concat(' ', normalize-space(@rel), ' '), ' home ')])[position() <= 3]"
    ),
    "xpaths.AUTHOR_ELEMENTS": "//body//*" + xpaths.AUTHOR_TEST,
    "xpaths.DATE_ELEMENTS": (
        "//body//*[self::time or @itemprop='datePublished'"
        " or (@class and (contains(@class,'date') or contains(@class,'Date')"
        " or contains(@class,'time') or contains(@class,'published') or contains(@class,'meta')))]"
    ),
    "xpaths.AUTHOR_HINT": (
        "boolean(//body//*[@rel='author' or @itemprop='author' or contains(@class,'author')"
        " or contains(@class,'Author') or contains(@class,'autor') or contains(@class,'byline')"
        " or contains(@class,'writer') or contains(@id,'author')])"
    ),
}
_ATTRIBUTE_MARKUP = page(
    "<meta itemprop='datePublished' content='2023-11-08'><link rel='home' href='/'>",
    "<ul><li><time itemprop='datePublished'>1</time></li></ul><a rel='home' href='/'>S</a>"
    "<a rel=' nofollow  home'>S2</a><a rel='homepage'>no</a><a rel='HOME'>no</a>"
    "<div itemscope><span itemprop='datePublished' class='date'>2</span></div>"
    "<span rel='author'>A</span><span itemprop='author' class='x'>B</span>"
    "<p class='post-author byline'>C</p><p class='Author'>no</p><a rel='author home'>D</a>"
    "<footer><span itemprop='datePublished'>3</span><a rel='home'>S3</a></footer>"
    "<time>4</time><div class='post-meta'><span class='pubDate'>5</span><i class='times'>6</i>"
    "</div><b class='published'>7</b><b class='typewriter'>8</b><b id='author-box'>9</b>",
)


@pytest.mark.parametrize("name", sorted(_BY_ATTRIBUTE))
def test_an_xpath_by_attribute_finds_what_the_test_of_every_element_found(name: str) -> None:
    from lxml import etree
    from parsel import Selector

    from kazscraper.extract import metadata

    module, attr = name.split(".")
    found = getattr({"metadata": metadata, "xpaths": xpaths}[module], attr)
    by_attribute = found if isinstance(found, etree.XPath) else etree.XPath(found)
    every_element = etree.XPath(_BY_ATTRIBUTE[name])
    pages = [_ATTRIBUTE_MARKUP] + [p.read_text() for p in sorted(FIXTURES.glob("*.html"))]
    hits = 0
    for html in pages:
        root = Selector(text=html, type="html").root
        assert by_attribute(root) == every_element(root)
        found_here = every_element(root)
        hits += found_here if isinstance(found_here, bool) else len(found_here)
    assert hits  # the markup above holds each kind
    if by_attribute.path.startswith("boolean("):  # and some page has none
        assert not all(by_attribute(Selector(text=html, type="html").root) for html in pages)


def test_block_headings_are_the_elements_the_test_of_every_element_found() -> None:
    """``blocks._heading_xpath`` tests the text nodes, then takes their parents: the same
    elements, in the same order, as ``//body//*[text()[…]]`` without script and style."""
    from lxml import etree
    from parsel import Selector

    from kazscraper.extract.blocks import _heading_xpath

    markup = page(
        "<title>Ұқсас жаңалықтар</title>",
        "Ұқсас жаңалықтар <h3>Ұқсас <b>жаңалықтар</b></h3><div>Топ ЖАҢАЛЫҚТАР<p>x</p>"
        "соңғы жаңалықтар</div><script>var s='жаңалықтар'</script><style>/*жаңалықтар*/</style>"
        "<ul><li><a>жаңалықтар</a> және жаңалықтар</li></ul><h2>Басқа</h2>",
    )
    root = Selector(text=markup, type="html").root
    needles = ("ЖАҢАЛЫҚТАР", "жаңалықтар")
    every = etree.XPath(
        "//body//*[text()[contains(., 'ЖАҢАЛЫҚТАР') or contains(., 'жаңалықтар')]]"
        "[not(self::script|self::style)]"
    )
    found = _heading_xpath(needles)(root)
    assert [el.tag for el in found] == ["b", "div", "li", "a"]  # page order
    assert found == every(root)


@pytest.mark.parametrize(
    "text",
    [
        "<html><body><p>a</p></body></html>",
        "  \n<p>x\x00y</p>\x00 \n",
        "<p>\x00</p>",
        "\x00 <b>Ә</b>",
        "<p>a<!--c--><?pi x?></p><form><label>L<input name=q></label><select><option>o"
        "</select><textarea>t</textarea></form><FORM></FORM>&amp;&nbsp;<svg><path/></svg>",
    ],
)
def test_the_page_is_parsed_to_the_tree_parsel_makes(text: str) -> None:
    """``checked.html_selector`` looks for NUL in the page's bytes, not its text: the same
    tree as ``Selector(text=..., type="html")``."""
    from lxml import etree
    from parsel import Selector

    from kazscraper.intake.checked import html_selector

    ours, parsels = html_selector(text), Selector(text=text, type="html")
    assert ours.type == parsels.type == "html"
    assert etree.tostring(ours.root) == etree.tostring(parsels.root)
    # lxml.html's classes (``FormElement`` ...), chosen in C, not by its Python lookup
    assert [type(e) for e in ours.root.iter()] == [type(e) for e in parsels.root.iter()]
    copied, made = deepcopy(ours.root), etree.SubElement(ours.root, "form")
    assert [type(e) for e in copied.iter()] == [type(e) for e in parsels.root.iter()]
    assert type(made) is type(parsels.root.find(".//form")) or "<form" not in text


def test_the_page_s_elements_are_lxml_html_s_and_chosen_without_a_python_call() -> None:
    """``checked.html_selector`` gives its tree ``lxml.html``'s element classes by a lookup
    in C (``lxml.html.HTMLParser``'s is a Python call for each element touched): every
    element, comment and processing instruction is of ``lxml.html``'s classes, with their
    methods (``text_content``, ``drop_tree``), and the tree is parsel's."""
    import lxml.html
    from lxml import etree
    from parsel import Selector

    from kazscraper.intake.checked import html_selector

    text = (
        "<html><body><form action='/s'><label>Іздеу</label><input name='q'>"
        "<select><option>a</option></select><textarea>t</textarea></form>"
        "<!-- c --><?pi x?><p>Мәтін <b>қалың</b></p></body></html>"
    )
    root = html_selector(text).root
    assert etree.tostring(root) == etree.tostring(Selector(text=text, type="html").root)
    nodes = list(root.iter())
    assert {"form", "label", "input", "select", "textarea"} <= {n.tag for n in nodes}
    for node in nodes:
        assert isinstance(node, lxml.html.HtmlMixin), node
    assert isinstance(root.find(".//form"), lxml.html.HtmlElement)
    assert any(isinstance(node, lxml.html.HtmlComment) for node in nodes)
    assert root.find(".//p").text_content() == "Мәтін қалың"


@pytest.mark.parametrize(
    "css",
    [
        "div.news-text",
        "nav.main-menu li.active a",
        "[class*=ws]",
        "[class~=b]",
        "div.a.b",
        "article h1, h1.news-title",
        ".x::attr(src)",
        "span.views-count",
    ],
)
def test_a_profile_selector_finds_what_cssselect_s_xpath_finds(css: str) -> None:
    """``blocks.css_select`` drops the ``@class and`` that cssselect puts before a test of
    the class's text: the same elements, in the same order."""
    from lxml import etree
    from parsel import Selector
    from parsel.csstranslator import HTMLTranslator

    from kazscraper.extract.blocks import css_select

    markup = page(
        "",
        "<nav class='main-menu'><ul><li class='active'><a>A</a></li><li><a>B</a></li></ul></nav>"
        "<div class='news-text'>x</div><div class='\tnews-text\n other'>y</div>"
        "<div class=''>e</div><div class='news-textual'>n</div><div>no class</div>"
        "<div class='a b'>ab</div>"
        "<div class='b a ws'>ba</div><span class='views-count'>7</span><span class>0</span>"
        "<article><h1 class='news-title'>H</h1></article><img class='x' src='/i.png'>",
    )
    cssselect = etree.XPath(HTMLTranslator().css_to_xpath(css))
    pages = [markup] + [p.read_text() for p in sorted(FIXTURES.glob("*.html"))]
    hits = 0
    for html in pages:
        root = Selector(text=html, type="html").root
        assert css_select(root, css) == cssselect(root)
        hits += len(cssselect(root))
    assert hits


def test_a_heading_in_a_menu_is_told_as_the_xpath_told_it() -> None:
    """``blocks._in_menu`` walks up by lxml: what ``ancestor-or-self::*[self::nav or
    self::li or self::option]`` said, for each element."""
    from lxml import etree
    from parsel import Selector

    from kazscraper.extract.blocks import _in_menu

    xpath = etree.XPath("boolean(ancestor-or-self::*[self::nav or self::li or self::option])")
    markup = page(
        "",
        "<nav><div><h3>a</h3></div></nav><ul><li><b>b</b></li></ul><h3>c</h3>"
        "<select><option>d</option></select><section><h2><span>e</span></h2></section>",
    )
    elements = list(Selector(text=markup, type="html").root.iter())
    told = [_in_menu(el) for el in elements]
    assert told == [xpath(el) for el in elements]
    assert any(told) and not all(told)
