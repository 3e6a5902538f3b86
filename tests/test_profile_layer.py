"""What a learned profile's rules read (extract/profile_layer.py): the body without the
other fields' elements, <br> lines, a signature after the paragraphs; dates; names."""

from __future__ import annotations

from dataclasses import replace

from parsel import Selector

from kazscraper.extract.article import extract_article
from kazscraper.extract.profile_layer import profile_date, profile_names, profile_paragraphs
from kazscraper.sites import SiteProfile, generic_site

ORIGIN = "http://127.0.0.1:8123"
BITRIX_LIKE = (
    '<html><body><h1 id="pagetitle">Жаңа мектеп</h1><div class="news-detail">'
    '<img src="/a.jpg"><span class="news-date-time">13.04.2024 12:56</span>'
    "<h3>Жаңа мектеп</h3>Бірінші жол, ұзын сөйлем.<br><br>Екінші <b>жол</b> осында.<br>"
    '<div style="clear:both"></div><br>Автор:&nbsp;Ерлан Сейітқали<br>'
    '<div class="news-detail-views">24000</div>'
    '<a class="print-link" href="?print=Y">Басып шығару нұсқасы</a></div>'
    '<div class="related"><p><a href="/news/a/">Бір</a></p><p><a href="/news/b/">Екі</a></p>'
    '<p><a href="/news/c/">Үш</a></p></div></body></html>'
)


def learned(**selectors: str) -> SiteProfile:
    base = generic_site(ORIGIN)
    return replace(base, selectors=replace(base.selectors, **selectors))


def test_br_lines_without_the_date_headline_counter_and_print_link() -> None:
    page = Selector(text=BITRIX_LIKE)
    profile = learned(body="div.news-detail", date="span.news-date-time", title="h1#pagetitle")
    container = page.css("div.news-detail")[0].root
    assert profile_paragraphs(page, container, profile) == [
        "Бірінші жол, ұзын сөйлем.",
        "Екінші жол осында.",
        "Автор: Ерлан Сейітқали",
    ]


def test_paragraphs_and_a_signature_line_after_them_in_order() -> None:
    html = (
        '<div class="t"><p>Бір.</p><p>Екі.</p><div class="share"><p>Бөлісу</p></div>'
        '<br>Автор: Асқар Иманғалиев<div class="sim"><p><a href="/x/">X</a></p></div></div>'
    )
    page = Selector(text=html)
    profile = learned(body="div.t", similar="div.sim")
    got = profile_paragraphs(page, page.css("div.t")[0].root, profile)
    assert got == ["Бір.", "Екі.", "Бөлісу", "Автор: Асқар Иманғалиев"]


def test_the_profile_layer_in_a_whole_extraction() -> None:
    profile = learned(
        body="div.news-detail",
        date="span.news-date-time",
        title="h1#pagetitle",
        similar="div.related",
    )
    article = extract_article(BITRIX_LIKE, f"{ORIGIN}/news/zhana-mektep-ashyldy/", profile)
    assert article.extraction["body"] == "profile"
    assert article.extraction["published_date"].startswith("profile")
    assert article.published_date == "2024-04-13"
    assert [a.name for a in article.authors] == ["Сейітқали Ерлан"]  # from the signature
    assert [r.url for r in article.related if r.kind == "similar"] == [
        f"{ORIGIN}/news/{x}/" for x in "abc"
    ]
    paragraphs = (article.body or "").split("\n\n")
    assert "24000" not in paragraphs and "Бір" not in paragraphs  # counter, block item


def test_dates_from_the_attribute_or_the_text_and_names_split() -> None:
    page = Selector(text='<time datetime="2025-03-01T10:00:00+05:00">кеше</time><b>1 наурыз</b>')
    found = profile_date(page, "time", None, "Asia/Almaty")
    assert found is not None and found[0].date == "2025-03-01"
    assert profile_date(page, "i.none", None, None) is None
    names = Selector(text='<span class="by">Анар Садықова, Мадина Бекмұхамбетова</span>')
    assert [n.name for n in profile_names(names, "span.by")] == [
        "Садықова Анар",
        "Бекмұхамбетова Мадина",
    ]
