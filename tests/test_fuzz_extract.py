"""Fuzzing the extractor with hypothesis: mutated article pages never make it raise
(except the documented ``NotHtmlError``) and never give a field outside its type.

The inputs are the saved fixture pages, cut, spliced, duplicated and sprinkled
with the things that trip extractors: stray tags, block labels, signature
lines, dates, entities, control characters, scripts and huge numbers.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import NotHtmlError, extract_article
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")
PAGES = [
    p.read_text(encoding="utf-8")
    for p in sorted((Path(__file__).parent / "fixtures" / "pages").glob("*.html"))
]
FETCHED = "2025-12-12T08:00:00+00:00"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

TRICKY = [
    "<p>", "</p>", "<div>", "</div>", "</html>", "<body>", "<br>", "<script>", "</script>",
    "<style>", "<!--", "-->", "<![CDATA[", "<h1>", "<h3>Ұқсас жаңалықтар</h3>",
    "<h3>Топ жаңалықтар</h3>", "<p>АХМЕТОВА Зауреш Болатхановна,</p>", "<p>11.12.2025</p>",
    "<p>2 сағат бұрын</p>", "<p>31.02.2025</p>", "<p>99.99.9999</p>", "Show more",
    "<a href='javascript:alert(1)'>x</a>", "<a href='//evil.example/x'>y</a>",
    "<time datetime='9999-12-31T25:61:00+99:00'>", "&#0;", "&#xD800;", "&amp;", "\x00",
    "\x1b", "\ufeff", "\u202e", "ə", "<span class='views-count'>99999999999999999999999</span>",
    "<script type=\"application/ld+json\">"
    '{"@type":"NewsArticle","author":[[{}]],"datePublished":7}</script>',
    '<script type="application/ld+json">{"@type": ["NewsArticle"], "headline": null}</script>',
    "<meta property='og:title' content=''>", "<p>Автор: , және ,</p>", "<p>Фото:</p>",
]  # fmt: skip


@st.composite
def mutated_pages(draw: st.DrawFn) -> str:
    page = draw(st.sampled_from(PAGES))
    for _ in range(draw(st.integers(1, 6))):
        n = len(page)
        start = draw(st.integers(0, n))
        end = draw(st.integers(start, min(n, start + 2000)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "truncate", "replace"]))
        if action == "delete":
            page = page[:start] + page[end:]
        elif action == "insert":
            piece = draw(st.sampled_from(TRICKY) | st.text(max_size=40))
            page = page[:start] + piece + page[start:]
        elif action == "duplicate":
            page = page[:end] + page[start:end] + page[end:]
        elif action == "truncate":
            page = page[:start]
        else:
            page = page[:start] + draw(st.text(max_size=200)) + page[end:]
    return page


def check_types(article: Article, cleaned: bool) -> None:
    for name in ("title", "body", "lead", "date_raw", "category", "image_url", "affiliation"):
        value = getattr(article, name)
        assert value is None or (isinstance(value, str) and value), name
    if article.published_date is not None:
        assert ISO_DATE.match(article.published_date)
        day = date.fromisoformat(article.published_date)
        assert 1990 <= day.year <= 2025 and day <= date(2025, 12, 13)  # never after the fetch
    if article.published_at is not None:
        assert datetime.fromisoformat(article.published_at).tzinfo is not None
    assert article.views is None or (isinstance(article.views, int) and article.views >= 0)
    assert article.language is None or isinstance(article.language, str)
    assert all(isinstance(t, str) and t for t in article.tags)
    for author in article.authors:
        assert isinstance(author, Author) and isinstance(author.name, str) and author.name
    for link in article.related:
        assert isinstance(link, RelatedLink)
        assert link.kind in ("similar", "top") and isinstance(link.rank, int)
        assert isinstance(link.title, str) and link.title
        assert link.url is None or urlsplit(link.url).scheme in ("http", "https")
        assert link.date is None or ISO_DATE.match(link.date)
        assert link.views is None or isinstance(link.views, int)
    for key, value in article.extraction.items():
        assert isinstance(key, str) and isinstance(value, str) and value
    if cleaned:  # clean text: no control characters, no replacement characters
        text = " ".join(filter(None, [article.title, article.body, article.affiliation]))
        assert not any(ch < " " and ch not in "\n" for ch in text)
        assert "\ufffd" not in text


@pytest.mark.slow
@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,  # the same cases on every CI run: a failure is reproducible
)
@given(mutated_pages())
def test_the_extractor_survives_mutated_pages(page: str) -> None:
    try:
        raw = extract_article(page, "https://qazdauiri.kz/news/fuzz", PROFILE, FETCHED)
    except NotHtmlError:
        return
    check_types(raw, cleaned=False)
    check_types(clean_article(raw, PROFILE), cleaned=True)
