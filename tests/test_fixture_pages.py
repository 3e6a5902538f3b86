"""The quality gate: every saved page in ``tests/fixtures/pages`` extracts exactly as expected.

Each ``NAME.html`` has a ``NAME.expected.json`` stating what a correct
extraction yields; only the keys it gives are checked, and each is compared
exactly. A page marked ``not_article`` must yield no body (and so is refused
by validation), with the reason in provenance. The seed page is checked
against ``../shared/seed/expected.json`` by ``test_extract_seed.py``.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import extract_article
from kazscraper.items import Article
from kazscraper.sites import get_profile

PAGES = Path(__file__).parent / "fixtures" / "pages"
EXPECTED = sorted(PAGES.glob("*.expected.json"))


def load(expected_path: Path) -> tuple[dict[str, Any], Article]:
    spec = json.loads(expected_path.read_text(encoding="utf-8"))
    html = expected_path.with_name(expected_path.name.replace(".expected.json", ".html"))
    profile = get_profile(spec.get("site", "qazdauiri"))
    raw = extract_article(
        html.read_text(encoding="utf-8"), spec["url"], profile, spec["fetched_at"]
    )
    return spec, clean_article(raw, profile)


def related(article: Article, kind: str) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in asdict(r).items() if k != "kind"}
        for r in article.related
        if r.kind == kind
    ]


def actual(article: Article, key: str, wanted: Any) -> Any:
    """The extracted value for an expected ``key``, in the expected value's shape."""
    body = article.body or ""
    if key == "body_paragraphs":
        return len(article.body_paragraphs)
    if key == "body_starts_with":
        return body[: len(wanted)]
    if key == "body_ends_with":
        return body[-len(wanted) :] if wanted else ""
    if key == "body_must_not_contain":
        return [s for s in wanted if s not in body]  # every string absent: the list unchanged
    if key in ("similar_news", "top_news"):
        got = related(article, key.split("_")[0])
        if len(got) != len(wanted):
            return got
        # an expected item may leave keys out (e.g. url): compare the keys it gives
        return [{k: g.get(k) for k in w} for g, w in zip(got, wanted, strict=True)]
    if key == "authors":
        return [asdict(a) for a in article.authors]
    return getattr(article, key)


def test_there_are_at_least_15_fixture_pages() -> None:
    assert len(EXPECTED) >= 15
    for path in EXPECTED:
        assert path.with_name(path.name.replace(".expected.json", ".html")).exists()


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_fixture_page_extracts_as_expected(expected_path: Path) -> None:
    spec, article = load(expected_path)
    if spec.get("not_article"):
        assert article.body is None
        assert article.extraction["body"].startswith("missing:")
        return
    diffs = {}
    for key, wanted in spec["expect"].items():
        got = actual(article, key, wanted)
        if got != wanted:
            diffs[key] = {"expected": wanted, "got": got}
    assert not diffs, json.dumps(diffs, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.split(".")[0])
def test_missing_fields_say_why(expected_path: Path) -> None:
    _, article = load(expected_path)
    for name in ("title", "body", "published_date", "authors"):
        if not getattr(article, name):
            assert article.extraction[name].startswith("missing:"), name
