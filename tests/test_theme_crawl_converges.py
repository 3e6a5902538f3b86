"""A crawl of an unseen site ends on its own (issue 20): the hand-made themed site, whose
"load more" link is still there past the last page and whose tag pages have three-word
slugs and their own pagination, crawled with ``crawl --site URL`` over real HTTP; and the
WordPress theme whose older posts are reached only by its ``/page/N/`` pagination, or only
by the sitemap index its robots.txt names."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from kazscraper.replica.themes import ThemeServer, get_theme
from kazscraper.replica.themes.content import SECTIONS
from kazscraper.replica.themes.wordpress import WordPressTheme

CRAWL = (sys.executable, "-m", "kazscraper", "crawl")
ARTICLES = 18  # the least a themed site holds


def norm(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path.rstrip('/')}"


def test_the_hand_made_site_is_crawled_to_the_end_each_article_once(tmp_path: Path) -> None:
    theme = get_theme("handmade", n_articles=ARTICLES)
    db = tmp_path / "site.sqlite"
    with ThemeServer(theme) as server:
        result = subprocess.run(
            [*CRAWL, "--site", server.origin + "/", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        truth = {norm(u) for u in theme.truth(server.origin)}
        paths = server.paths
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    stored = [norm(u) for (u,) in conn.execute("SELECT url FROM articles")]
    languages = {lang for (lang,) in conn.execute("SELECT DISTINCT language FROM articles")}
    failures = conn.execute("SELECT url, reason FROM failures").fetchall()
    conn.close()
    assert sorted(stored) == sorted(truth)  # every article once, no tag or rules page
    assert "kz" not in languages  # <html lang="kz"> is Kazakh
    assert not any("/tag/" in p or p.startswith("/storage/") for p in paths)
    # listings, robots.txt and the guessed sitemap aside, about one request an article
    assert len(paths) <= 2 * ARTICLES + 12, sorted(paths)
    assert all("sitemap" in url for url, _ in failures), failures


def linked_without(theme: WordPressTheme, origin: str) -> set[str]:
    """The articles a reader reaches without the pagination and the sitemap: from the first
    pages of the home and category archives and the feeds, following article links."""
    queue = ["/", "/ru/", "/feed/", "/ru/feed/"]
    queue += [f"/category/{slug}/" for slug, _ in SECTIONS["kk"]]
    queue += [f"/ru/category/{slug}/" for slug, _ in SECTIONS["ru"]]
    found: set[str] = set()
    while queue:
        path = queue.pop()
        body = theme.respond(origin, path, "").body.decode()
        links = [urljoin(origin + path, h) for h in re.findall(r'href="([^"]+)"', body)]
        for url in links + re.findall(r"<link>([^<]+)</link>", body):
            article = urlsplit(url).path
            if article in theme.by_path and norm(url) not in found:
                found.add(norm(url))
                queue.append(article)
    return found


@pytest.mark.slow  # about 9 s each (a crawl in a subprocess); the rules' unit tests are fast
@pytest.mark.parametrize("reach", ["pages", "sitemap"])
def test_older_posts_found_only_by_path_pagination_or_the_robots_sitemap(
    tmp_path: Path, reach: str
) -> None:
    """WordPress's ``/page/N/`` pagination is walked (and ends: a 404 past the last page is
    never asked for), and the sitemap index robots.txt names (``/wp-sitemap.xml``, not the
    guessed ``/sitemap.xml``) is read: each is the only way to the older posts here."""
    theme = get_theme("wordpress", n_articles=ARTICLES, reach=reach)
    assert isinstance(theme, WordPressTheme)
    db = tmp_path / "site.sqlite"
    with ThemeServer(theme) as server:
        truth = {norm(u) for u in theme.truth(server.origin)}
        hidden = truth - linked_without(theme, server.origin)
        result = subprocess.run(
            [*CRAWL, "--site", server.origin + "/", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        paths = server.paths
    assert len(hidden) >= 3  # older posts, reached only the way under test
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(db)
    stored = [norm(u) for (u,) in conn.execute("SELECT url FROM articles")]
    failures = conn.execute("SELECT url, reason FROM failures").fetchall()
    conn.close()
    assert sorted(stored) == sorted(truth)  # every post once, no static, tag or author page
    assert not failures, failures
    # the home page with a search, attachment, reply, share or print query is never asked
    assert not [p for p in paths if "?" in p], sorted(paths)
    if reach == "pages":
        assert "/page/2/" in paths and "/ru/page/2/" in paths
        # Polylang's Russian category archives are walked as the Kazakh ones are
        for language in ("kk", "ru"):
            prefix = theme.prefix(language)
            sections = {a.section for a in theme.content.latest(language)}
            assert {f"{prefix}/category/{s}/" for s in sections} <= set(paths)
        last = theme.page_count(theme.content.latest("kk"))
        assert f"/page/{last + 1}/" not in paths  # the last page links no next one
    else:
        assert "/wp-sitemap.xml" in paths and "/wp-sitemap-posts-post-1.xml" in paths
        assert not any("/page/" in p for p in paths)
    assert len(paths) <= 2 * ARTICLES + 12, sorted(paths)
