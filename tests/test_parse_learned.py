"""``kazscraper parse FILE`` reads a page with its host's learned profile (issue 24): the one
beside ``--db`` (``profiles/<host>.toml``), or the ``--profile`` file, named on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from kazscraper.replica.themes import get_theme
from kazscraper.sites.profile_file import learned_profile_path
from tests.conftest import run_cli_here

ORIGIN = "http://127.0.0.1:8123"
PROFILE = """[fields.title]
path = "h1#pagetitle"
support = "20/20"

[fields.body]
path = "div.news-detail"
support = "20/20"
"""


def saved_page(tmp_path: Path) -> tuple[Path, str]:
    theme = get_theme("bitrix", n_articles=18)
    url = next(iter(theme.truth(ORIGIN)))
    page = tmp_path / "page.html"
    page.write_bytes(theme.respond(ORIGIN, url[len(ORIGIN) :], "").body)
    return page, url


def test_parse_uses_the_learned_profile_beside_the_archive_and_says_so(tmp_path: Path) -> None:
    page, url = saved_page(tmp_path)
    db = tmp_path / "site.sqlite"
    plain = run_cli_here("parse", str(page), "--url", url, "--db", str(db))
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["extraction"]["body"] != "profile"
    assert "profile" not in plain.stderr

    learned = learned_profile_path(db, "127.0.0.1:8123")
    learned.parent.mkdir()
    learned.write_text(PROFILE, encoding="utf-8")
    result = run_cli_here("parse", str(page), "--url", url, "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["extraction"]["body"] == "profile"
    assert f"uses the learned profile {learned} (title, body)" in result.stderr


def test_parse_takes_an_explicit_profile_file(tmp_path: Path) -> None:
    page, url = saved_page(tmp_path)
    edited = tmp_path / "mine.toml"
    edited.write_text(PROFILE, encoding="utf-8")
    result = run_cli_here("parse", str(page), "--url", url, "--profile", str(edited))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["extraction"]["body"] == "profile"
    assert f"uses the profile {edited.resolve()}" in result.stderr
    edited.write_text("[fields.body]\npth = 'div'\n", encoding="utf-8")
    bad = run_cli_here("parse", str(page), "--url", url, "--profile", str(edited))
    assert bad.returncode == 1
    assert "unknown [fields.body] key 'pth'" in bad.stderr
