"""Profile files: the TOML round trip, the built-in profile as a file, refusals."""

from __future__ import annotations

import sqlite3
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


def test_earlier_paths_round_trip_and_make_a_css_group(tmp_path: Path) -> None:
    profile = learned()
    rules = dict(profile.rules, title=Rule("h1.post__title", (9, 10), earlier=("h1.entry-title",)))
    path = tmp_path / "p.toml"
    write_profile_file(path, ProfileFile(profile.site, rules), "")
    back = read_profile_file(path).rules["title"]
    assert back.earlier == ("h1.entry-title",)
    assert 'earlier = [\n    "h1.entry-title",\n]' in path.read_text(encoding="utf-8") or (
        'earlier = ["h1.entry-title"]' in path.read_text(encoding="utf-8")
    )
    site = read_profile_file(path).to_profile(generic_site("http://x.kz"))
    assert site.selectors.title == "h1.post__title, h1.entry-title"
    path.write_text('[fields.title]\npath = "h1"\nearlier = "h2"\n', encoding="utf-8")
    with pytest.raises(ProfileFileError, match="earlier must be a list"):
        read_profile_file(path)


def test_accepting_a_proposal_keeps_the_old_file_as_a_backup(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from kazscraper.sites.profile_file import accept_proposal, proposed_profile_path

    db = tmp_path / "a.sqlite"
    kept, proposal = learned_profile_path(db, "x.kz"), proposed_profile_path(db, "x.kz")
    assert proposal == kept.with_name("x.kz.proposed.toml")
    now = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    with pytest.raises(ProfileFileError, match=r"no proposed profile of x\.kz"):
        accept_proposal(db, "x.kz", now)
    write_profile_file(kept, learned(), "old")
    old_text = kept.read_text(encoding="utf-8")
    proposal.write_text('[fields.title]\npath = "h1"\nbogus = 1\n', encoding="utf-8")
    with pytest.raises(ProfileFileError, match="bogus"):  # a broken proposal moves nothing
        accept_proposal(db, "x.kz", now)
    assert kept.read_text(encoding="utf-8") == old_text
    write_profile_file(proposal, ProfileFile({}, {"title": Rule("h1.new", (5, 5))}), "new")
    assert accept_proposal(db, "x.kz", now) == (kept, kept.with_name("x.kz.20261207T070000Z.toml"))
    assert read_profile_file(kept).rules["title"].path == "h1.new"
    assert kept.with_name("x.kz.20261207T070000Z.toml").read_text(encoding="utf-8") == old_text
    assert not proposal.exists()
    write_profile_file(proposal, learned(), "again")  # a second accept in the same second
    assert accept_proposal(db, "x.kz", now)[1] == kept.with_name("x.kz.20261207T070000Z-2.toml")


def test_a_store_publishes_the_kept_files_only(tmp_path: Path) -> None:
    """What a Redis crawl's store publishes: each site's kept file, never a proposal (a
    half-edited one stopped the store that a local crawl ignores) nor the backups that
    ``profile accept`` leaves (enough of them pushed kept files past the cap)."""
    from kazscraper.sites.profile_file import learned_texts, proposed_profile_path

    db = tmp_path / "a.sqlite"
    kept = learned_profile_path(db, "x.kz")
    write_profile_file(kept, learned(), "kept")
    proposed_profile_path(db, "x.kz").write_text("[site\n", encoding="utf-8")
    for name in ("x.kz.20261207T070000Z.toml", "x.kz.20261207T070000Z-2.toml"):
        kept.with_name(name).write_text("[site\n", encoding="utf-8")
    write_profile_file(learned_profile_path(db, "127.0.0.1:8000"), learned(), "other")
    assert sorted(learned_texts(db)) == ["127.0.0.1_8000.toml", "x.kz.toml"]


def test_profile_accept_on_the_command_line(tmp_path: Path) -> None:
    from .conftest import run_cli_here

    db = tmp_path / "a.sqlite"
    sqlite3.connect(db).close()
    missing = run_cli_here("profile", "accept", "--db", str(db))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    assert "--site" in missing.stderr
    none = run_cli_here("profile", "accept", "--db", str(db), "--site", "x.kz")
    assert none.returncode == 1 and len(none.stderr.strip().splitlines()) == 1
    assert "no proposed profile of x.kz" in none.stderr
    write_profile_file(learned_profile_path(db, "x.kz"), learned(), "")
    write_profile_file(
        learned_profile_path(db, "x.kz").with_name("x.kz.proposed.toml"), learned(), ""
    )
    done = run_cli_here("profile", "accept", "--db", str(db), "--site", "x.kz")
    assert done.returncode == 0, done.stderr
    assert "accepted:" in done.stdout and "the old profile is kept as" in done.stdout
