"""Profile files: the TOML round trip, the built-in profile as a file, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from kazscraper.sites import generic_site, get_profile
from kazscraper.sites.profile_file import (
    ProfileFile,
    ProfileFileError,
    Rule,
    builtin_profile_path,
    learned_profile_path,
    profile_toml,
    read_profile_file,
    write_profile_file,
)


def learned() -> ProfileFile:
    return ProfileFile(
        site={"language": "kk"},
        rules={
            "title": Rule("h1.entry-title", (58, 60)),
            "body": Rule("div.entry-content", (60, 60), {"paragraphs": "p"}),
            "date": Rule("time.published", (59, 60), {"format": "%d.%m.%Y"}),
            "similar": Rule("div.related", (40, 42), {"item": "li"}),
        },
        urls={"article": r"^/\d{4}/\d\d/[^/]+/$", "listing": ["^/$"], "pagination": "/page/N/"},
        health={"body:profile": 0.9, "min_pages": 10},
        notes={"pages": "60", "from": "x.sqlite"},
    )


def test_round_trip_keeps_every_rule_and_support(tmp_path: Path) -> None:
    path = tmp_path / "profiles" / "example.kz.toml"
    write_profile_file(path, learned(), header="learned by a test\nsecond line")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# learned by a test\n# second line\n")
    assert 'support = "58/60"' in text
    assert read_profile_file(path) == learned()


def test_a_learned_file_on_the_generic_profile_keeps_its_label() -> None:
    base = generic_site("http://127.0.0.1:8123/")
    profile = learned().to_profile(base)
    assert profile.label == "127.0.0.1:8123"
    assert profile.selectors.body == "div.entry-content"
    assert profile.selectors.date_format == "%d.%m.%Y"
    assert profile.selectors.similar_item == "li"
    # the learned pattern is on top of the generic rules, which stay (the fallback)
    assert profile.learned_article == r"^/\d{4}/\d\d/[^/]+/$"
    assert profile.article_path == base.article_path
    assert profile.health_thresholds == {"body:profile": 0.9}
    assert profile.health_min_pages == 10
    assert profile.similar_labels == base.similar_labels  # not in the file: the base's


def test_the_builtin_profile_is_its_file_and_survives_a_round_trip(tmp_path: Path) -> None:
    path = builtin_profile_path("qazdauiri")
    assert path.is_file()
    again = tmp_path / "q.toml"
    write_profile_file(again, read_profile_file(path))
    assert read_profile_file(again).to_profile() == get_profile("qazdauiri")


def test_the_learned_file_lies_beside_the_archive(tmp_path: Path) -> None:
    path = learned_profile_path(tmp_path / "a.sqlite", "127.0.0.1:8000")
    assert path == tmp_path.resolve() / "profiles" / "127.0.0.1_8000.toml"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[fields.titel]\npath = 'h1'\n", "unknown field 'titel'"),
        ("[fields.title]\npath = 'h1'\nsupport = [1]\n", "support must be"),
        ("[fields.title]\npath = 'h1'\nsupport = '61/60'\n", "support must be"),
        ("[urls]\narticle = '(['\n", "does not compile"),
        ("[site\n", "not a TOML file"),
        ("[colours]\n", "unknown section 'colours'"),
    ],
)
def test_a_bad_file_is_refused_with_what_is_wrong(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileFileError, match=says) as caught:
        read_profile_file(path)
    assert str(path) in str(caught.value)


def test_the_text_is_readable_toml() -> None:
    text = profile_toml(learned())
    assert "[fields.body]" in text and 'path = "div.entry-content"' in text
