"""URL canonicalisation and classification against the qazdauiri profile."""

import pytest

from kazscraper.sites import get_profile
from kazscraper.sites.url_rules import canonical_url, classify_url
from kazscraper.urls import is_safe_link, redacted_url

PROFILE = get_profile("qazdauiri")
CANON = "https://qazdauiri.kz/news/ortalyq-aziya"


@pytest.mark.parametrize(
    "url",
    [
        "https://qazdauiri.kz/news/ortalyq-aziya",
        "https://image.qazdauiri.kz/news/ortalyq-aziya",
        "http://www.qazdauiri.kz/news/ortalyq-aziya",
        "https://m.qazdauiri.kz/news/ortalyq-aziya/",
        "https://QAZDAUIRI.KZ:443/news/ortalyq-aziya#comments",
        "https://qazdauiri.kz/news/ortalyq-aziya?utm_source=fb&utm_medium=social",
        "https://qazdauiri.kz/news/ortalyq-aziya?fbclid=abc123",
        "  https://qazdauiri.kz/news/ortalyq-aziya  ",
    ],
)
def test_aliases_of_one_article_share_a_canonical_url(url: str) -> None:
    assert canonical_url(url, PROFILE) == CANON


def test_seed_mirror_url_maps_to_expected_canonical(seed_expected: dict) -> None:
    assert canonical_url(seed_expected["url"], PROFILE) == seed_expected["canonical_url"]


def test_meaningful_query_parameters_are_kept_and_sorted() -> None:
    url = "https://qazdauiri.kz/category/sport?page=3&utm_campaign=x&b=1"
    assert canonical_url(url, PROFILE) == "https://qazdauiri.kz/category/sport?b=1&page=3"


def test_percent_encoding_is_normalised() -> None:
    assert canonical_url("https://qazdauiri.kz/news/a%7eb", PROFILE) == canonical_url(
        "https://qazdauiri.kz/news/a~b", PROFILE
    )


def test_other_sites_keep_their_host() -> None:
    assert canonical_url("https://Example.com/x/?utm_source=1", PROFILE) == "https://example.com/x"


def test_root_keeps_its_slash() -> None:
    assert canonical_url("https://image.qazdauiri.kz", PROFILE) == "https://qazdauiri.kz/"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://qazdauiri.kz/news/some-slug", "article"),
        ("https://image.qazdauiri.kz/news/some-slug?utm_source=x", "article"),
        ("https://qazdauiri.kz/", "listing"),
        ("https://qazdauiri.kz/category/sport?page=2", "listing"),
        ("https://qazdauiri.kz/search?q=x", None),
        ("https://qazdauiri.kz/news/a/b", None),
        ("https://example.com/news/some-slug", None),
        ("mailto:info@qazdauiri.kz", None),
    ],
)
def test_classify(url: str, kind: str | None) -> None:
    assert classify_url(url, PROFILE) == kind


def test_rebased_profile_treats_mirror_port_as_the_site() -> None:
    replica = PROFILE.rebased("http://127.0.0.1:8000", ("http://127.0.0.1:8001",))
    assert canonical_url("http://127.0.0.1:8001/news/x?utm_source=a", replica) == (
        "http://127.0.0.1:8000/news/x"
    )
    assert classify_url("https://qazdauiri.kz/news/x", replica) is None


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://qazdauiri.kz/news/x", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        ("data:text/html,hi", False),
        ("/news/x", False),
    ],
)
def test_safe_links(url: str, safe: bool) -> None:
    assert is_safe_link(url) is safe


def test_the_pure_url_module_imports_nothing_of_the_project() -> None:
    """``kazscraper/urls.py`` serves any code (the replica, a profile) without an import loop."""
    import ast
    from pathlib import Path

    import kazscraper.urls as pure

    tree = ast.parse(Path(pure.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    ] + [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    assert imported and not [name for name in imported if name.startswith("kazscraper")]


def test_clean_url_needs_only_plain_values() -> None:
    from kazscraper.urls import clean_url

    hosts = {"example.com", "m.example.com"}
    url = "HTTP://m.Example.com:80/a/b/?utm_source=x&z=1&a=2#top"
    assert clean_url(url, "https://example.com", hosts, ("utm_*",)) == (
        "https://example.com/a/b?a=2&z=1"
    )
    assert clean_url(url, "https://example.com", hosts, ("utm_*",), map_mirrors=False) == (
        "http://m.example.com/a/b?a=2&z=1"
    )
    assert clean_url("javascript:void(0) ", "https://example.com", hosts, ()) == (
        "javascript:void(0)"
    )


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:s3cret@10.0.0.5:6379/0", "redis://***@10.0.0.5:6379/0"),
        ("redis://user:p@ss@host/1", "redis://***@host/1"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("user:pw@host", "***@host"),
    ],
)
def test_redacted_url_hides_credentials(url: str, shown: str) -> None:
    assert redacted_url(url) == shown
