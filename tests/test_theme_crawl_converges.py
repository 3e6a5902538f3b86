"""A crawl of an unseen site ends on its own (issue 20): the hand-made themed site, whose
"load more" link is still there past the last page and whose tag pages have three-word
slugs and their own pagination, crawled with ``crawl --site URL`` over real HTTP."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from kazscraper.replica.themes import ThemeServer, get_theme

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
