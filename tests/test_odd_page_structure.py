"""Pages libxml2 reads in odd shapes (found by the review of the profile path's speedups):
a second ``<body>`` (what follows ``</html>``, a ``<body>`` in a ``<noscript>`` of the
head) whose block the heading search's word filter missed; a JSON text served as HTML,
whose link reading raised outside the capture's checks."""

from __future__ import annotations

import pytest

from kazscraper.crawler.pipelines.extract_pool import PreparedCapture, prepare_capture
from kazscraper.extract.article import extract_article
from kazscraper.intake.links import anchor_hrefs
from kazscraper.sites import get_profile

PROFILE = get_profile("qazdauiri")
URL = "https://qazdauiri.kz/news/x"
ARTICLE = (
    "<h1>Мақала тақырыбы</h1><div class='news-text'>"
    "<p>Бірінші абзац мәтіні осында тұр, ол жеткілікті ұзын.</p><p>Екінші абзац.</p></div>"
)
BLOCK = (
    "<h3>Ұқсас жаңалықтар</h3><ul><li><a href='/news/a'>Бірінші ұқсас мақала</a></li>"
    "<li><a href='/news/b'>Екінші ұқсас мақала</a></li></ul>"
)


@pytest.mark.parametrize(
    "html",
    [
        f"<html><head><title>М</title></head><body>{ARTICLE}</body></html>\n<body>{BLOCK}</body>",
        f"<html><head><title>М</title><noscript><body>{BLOCK}</body></noscript></head>"
        f"<body>{ARTICLE}</body></html>",
    ],
    ids=["after-closing-html", "body-in-noscript"],
)
def test_profile_block_outside_the_first_body_is_still_found(html: str) -> None:
    article = extract_article(html, URL, PROFILE)
    assert [(link.kind, link.url) for link in article.related] == [
        ("similar", "https://qazdauiri.kz/news/a"),
        ("similar", "https://qazdauiri.kz/news/b"),
    ]


def test_a_json_body_served_as_html_is_a_capture_not_an_exception() -> None:
    body = b'["<a href=\\"/news/a\\">x</a>"]'
    headers = [("Content-Type", "text/html; charset=utf-8")]
    prepared = prepare_capture(URL, headers, body, "2026-12-07T00:00:00+00:00", 200, "", True, 50)
    assert isinstance(prepared, PreparedCapture)


def test_anchor_hrefs_on_deeply_nested_brackets_does_not_raise() -> None:
    assert anchor_hrefs("[" * 3000 + "<a href='/x'>x</a>") in ([], ["/x"])
