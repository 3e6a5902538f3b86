"""The seed page (a real qazdauiri.kz article, as the replica renders it) → expected.json."""

from __future__ import annotations

import pytest

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import extract_article
from kazscraper.items import Article
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")


@pytest.fixture(scope="module")
def seed_article(seed_html: str, seed_expected: dict) -> Article:
    raw = extract_article(seed_html, seed_expected["url"], PROFILE, "2025-12-12T08:00:00+00:00")
    return clean_article(raw, PROFILE)


def test_canonical_url(seed_article: Article, seed_expected: dict) -> None:
    assert seed_article.url == seed_expected["canonical_url"]
    assert seed_article.fetched_url == seed_expected["url"]


def test_title_is_single_spaced(seed_article: Article, seed_expected: dict) -> None:
    assert seed_article.title == seed_expected["title"]


def test_published_date_from_the_signature(seed_article: Article, seed_expected: dict) -> None:
    assert seed_article.published_date == seed_expected["published_date"]
    assert seed_article.published_at is None  # no time of day on the page: none invented
    assert seed_article.date_raw == "11.12.2025"
    assert seed_article.extraction["published_date"].startswith("signature")


def test_body_holds_the_paragraphs_and_nothing_else(
    seed_article: Article, seed_expected: dict
) -> None:
    body = seed_article.body
    assert body is not None
    assert len(seed_article.body_paragraphs) == seed_expected["body_paragraphs"]
    assert body.startswith(seed_expected["body_starts_with"])
    assert body.endswith(seed_expected["body_ends_with"])
    for forbidden in seed_expected["body_must_not_contain"]:
        assert forbidden not in body
    assert "\xa0" not in body and "  " not in body


def test_affiliation(seed_article: Article, seed_expected: dict) -> None:
    assert seed_article.affiliation == seed_expected["affiliation"]


def test_five_authors_in_order_with_name_parts(seed_article: Article, seed_expected: dict) -> None:
    got = [
        {"name": a.name, "surname": a.surname, "given": a.given, "patronymic": a.patronymic}
        for a in seed_article.authors
    ]
    assert got == seed_expected["authors"]
    assert seed_article.extraction["authors"] == "signature"


def test_similar_news_block_is_empty(seed_article: Article, seed_expected: dict) -> None:
    assert [r for r in seed_article.related if r.kind == "similar"] == seed_expected["similar_news"]


def test_top_news_entries(seed_article: Article, seed_expected: dict) -> None:
    top = [r for r in seed_article.related if r.kind == "top"]
    got = [
        {"rank": r.rank, "title": r.title, "author": r.author, "date": r.date, "views": r.views}
        for r in top
    ]
    assert got == seed_expected["top_news"]
    assert all(r.url and r.url.startswith("https://qazdauiri.kz/news/") for r in top)
    assert "Show more" not in {r.title for r in top}


def test_category_and_language(seed_article: Article) -> None:
    assert seed_article.category == "Қоғам"
    assert seed_article.language == "kk"
