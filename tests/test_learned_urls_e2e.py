"""A learned profile's ``[urls]`` in a crawl (issue 24): discovery uses the learned article
pattern, over real HTTP on 127.0.0.1, and a bad one loses nothing the generic rules find.

The site: the hand-made theme with numeric article ids (``/kk/news/10070``), a third of
them older, shorter ids (``/kk/news/1007``: four digits). The generic rules read a story's
last segment as a slug of three words or a number of five digits or more, so a first crawl
misses the older third; the pattern learned from the pages it archived (``[0-9]+``) gets
them on the next crawl. Then the learned pattern is edited, too narrow (Kazakh only) and too
broad (every path): each crawl still finds every article the generic rules find, and the
broad one stores no section or about page (refused: its body is not the learned rule's).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from kazscraper.cli import main
from kazscraper.replica.themes import ThemeServer
from kazscraper.replica.themes.content import ThemeArticle
from kazscraper.replica.themes.handmade import HandmadeTheme
from kazscraper.sites.profile_file import learned_profile_path
from tests.conftest import run_cli

ARTICLES = 18

pytestmark = pytest.mark.slow  # four crawls of the site: about 20 s


class NumberedTheme(HandmadeTheme):
    """Articles known by a number alone, the older half with a four-digit one."""

    def article_path(self, article: ThemeArticle) -> str:
        number = article.number if article.number % 2 else article.number * 10
        return f"/{article.language}/news/{number}"


def stored_paths(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {urlsplit(u).path.rstrip("/") for (u,) in conn.execute("SELECT url FROM articles")}


def crawl(server: ThemeServer, db: Path) -> tuple[set[str], int]:
    """The article paths a crawl into ``db`` stored, and the requests it made."""
    before = server.requests
    result = run_cli("crawl", "--site", server.origin + "/", "--db", str(db))
    assert result.returncode in (0, 3), result.stderr[-3000:]
    return stored_paths(db), server.requests - before


def with_pattern(profile: Path, folder: Path, pattern: str) -> Path:
    """A fresh archive in ``folder`` whose learned file has ``pattern`` as its article rule."""
    text = profile.read_text(encoding="utf-8")
    lines = [
        f"article = {pattern!r}".replace("'", '"') if line.startswith("article = ") else line
        for line in text.splitlines()
    ]
    target = folder / "profiles" / profile.name
    target.parent.mkdir(parents=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "site.sqlite"


def test_a_crawl_uses_the_learned_article_pattern_and_a_bad_one_loses_nothing(
    tmp_path: Path,
) -> None:
    theme = NumberedTheme(ARTICLES)
    with ThemeServer(theme) as server:
        truth = {urlsplit(u).path for u in theme.truth(server.origin)}
        short = {p for p in truth if len(p.rsplit("/", 1)[1]) < 5}
        assert 0 < len(short) < len(truth)
        label = urlsplit(server.origin).netloc

        first = tmp_path / "first" / "site.sqlite"
        first.parent.mkdir()
        found, asked = crawl(server, first)
        assert found == truth - short  # the generic rules miss the short ids
        generic_cost = asked / len(found)
        learned = CliRunner().invoke(
            main, ["profile", "learn", "--db", str(first), "--site", label]
        )
        assert learned.exit_code == 0, learned.output
        profile = learned_profile_path(first, label)
        assert "[0-9]+" in profile.read_text(encoding="utf-8")

        # the learned pattern, in a fresh archive: every article, the short ids too
        again = with_pattern(profile, tmp_path / "learned", _article(profile))
        found, asked = crawl(server, again)
        assert found == truth
        # the listings walked the same way, the short ids fetched as articles
        assert asked / len(found) < generic_cost
        print(f"requests per article: generic {generic_cost:.2f}, learned {asked / len(found):.2f}")

        # too narrow (a hand edit: Kazakh only): the generic rules still find the rest
        narrow = with_pattern(profile, tmp_path / "narrow", r"^/kk/news/[0-9]+/?$")
        found, _ = crawl(server, narrow)
        want = {p for p in truth if p.startswith("/kk/")} | (truth - short)
        assert found == want

        # too broad (every path an article): the listings are still walked, and a page that
        # is an article by the pattern alone is kept only with the learned body rule's body
        broad = with_pattern(profile, tmp_path / "broad", r"^/.*$")
        found, _ = crawl(server, broad)
        assert found == truth  # no section or about page stored as an article
        with sqlite3.connect(broad) as conn:
            refused = {u for (u,) in conn.execute("SELECT url FROM failures")}
        assert any("/category/" in u for u in refused), refused


def _article(profile: Path) -> str:
    from kazscraper.sites.profile_file import read_profile_file

    return str(read_profile_file(profile).urls["article"])
