"""The themed replica sites' article pages, rendered offline and read by the generic layer.

Each theme renders its pages without a server (``Theme.respond``); what the generic
profile extracts from them is scored against the theme's ground truth as
``bench/themes_offline.py`` does (its 120-article figures are in docs/extraction.md).
A dozen articles per theme: a few seconds.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from themes_offline import score_theme

# per theme: the least share of articles right (body: F1 >= 0.9; mean F1), of block links
# found: the targets (short items of two paragraphs are read without the page's
# furniture: WordPress and hand-made bodies 1.0 / 1.0 at 120 articles)
FLOORS = {
    "titles": 0.95,
    "body_f1": 0.95,
    "body_0_9": 0.9,
    "dates": 0.95,
    "authors": 0.9,
    "similar": 0.8,
}


@pytest.mark.parametrize("theme", ["wordpress", "bitrix", "drupal", "handmade"])
def test_a_themed_site_is_read_by_the_generic_layer(theme: str) -> None:
    figures = score_theme(theme, articles=24)
    below = {k: figures[k] for k, floor in FLOORS.items() if figures[k] < floor}
    assert not below, f"{theme}: {below} (all: {figures})"
    assert figures["block_precision"] is not None and figures["block_precision"] >= 0.9


@pytest.mark.parametrize("theme", ["wordpress", "bitrix", "drupal"])
def test_a_labelled_most_read_block_is_found(theme: str) -> None:
    assert score_theme(theme, articles=24)["top"] >= 0.8


@pytest.mark.parametrize("theme", ["wordpress", "bitrix", "drupal", "handmade"])
def test_a_similar_block_under_an_unknown_heading_is_found_by_structure(
    theme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no block label known (a site whose headings no label names), the similar-news
    block is found by its structure alone: a short heading after the ``<h1>`` followed by
    three or more links to the site's other articles (recall was 0 on all four themes)."""
    import themes_offline

    from kazscraper.sites.generic import PROFILE

    unlabelled = replace(PROFILE, similar_labels=(), top_labels=())
    monkeypatch.setattr(themes_offline, "PROFILE", unlabelled)
    figures = score_theme(theme, articles=18)
    assert figures["similar"] >= 0.8, figures
    assert figures["block_precision"] is not None and figures["block_precision"] >= 0.9


@pytest.mark.parametrize("theme", ["wordpress", "bitrix", "drupal", "handmade"])
def test_the_second_layout_is_a_redesign_of_the_same_site(theme: str) -> None:
    """``layout="2"`` serves the same articles and truth in other markup (the same article
    page), with none of the first layout's classes for the title and the body container
    (what a learned profile's rules select). The generic layer's figures on it:
    ``bench/themes_offline.py --layout 2``."""
    from kazscraper.replica.themes import get_theme

    first, second = get_theme(theme, n_articles=18), get_theme(theme, n_articles=18, layout="2")
    assert first.truth("http://h") == second.truth("http://h")
    article = first.content.articles[3]
    old = first.respond("http://h", first.article_path(article), "").body.decode()
    new = second.respond("http://h", second.article_path(article), "").body.decode()
    assert article.title in new and old != new
    title_class = old.split("<h1", 1)[1].split(">", 1)[0]
    assert title_class not in new
    with pytest.raises(ValueError, match="layout"):
        get_theme(theme, n_articles=18, layout="3")
