"""End to end in a real browser: a demo archive, ``kazscraper serve``, headless Chromium.

Debian's ``chromium`` (/usr/bin/chromium) is driven through Playwright's Python API;
Playwright's own browsers are never downloaded. CI installs chromium (``.ci/run``):
without it this test fails, it does not skip.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from .conftest import run_cli

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> bytes:
    """GET on loopback, ignoring any http_proxy of the environment."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        return response.read()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo archive of 60 articles."""
    db = tmp_path_factory.mktemp("datasette") / "demo.sqlite"
    built = run_cli("demo", "--articles", "60", "--db", str(db))
    assert built.returncode == 0, built.stdout + built.stderr
    return db


@pytest.fixture(scope="module")
def datasette_url(demo_db: Path) -> Iterator[str]:
    """``kazscraper serve`` on the demo archive; the database's URL."""
    db, tmp = demo_db, demo_db.parent
    port = free_port()
    log = (tmp / "serve.log").open("w+", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "kazscraper", "serve", "--db", str(db), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"kazscraper serve exited {server.returncode}:\n{_read(log)}")
            try:
                get(base + "/-/versions.json")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"kazscraper serve did not answer in time:\n{_read(log)}")
                time.sleep(0.2)
        yield f"{base}/demo"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser test needs Debian's chromium "
            "(apt-get install chromium; .ci/run installs it)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def search_titles(browser, table_url: str, words: str) -> list[str]:
    """Type WORDS in the articles table's search box, submit, return the result titles."""
    page = browser.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(table_url)
        box = page.locator("input#_search")
        box.fill(words)
        with page.expect_navigation():
            box.press("Enter")
        assert "_search=" in page.url
        assert page.locator("input#_search").input_value() == words
        return page.locator("table.rows-and-columns td.col-title").all_inner_texts()
    finally:
        page.close()


def test_search_box_finds_the_seed_article_whatever_the_case(
    datasette_url: str, browser, seed_expected: dict
) -> None:
    title = seed_expected["title"]
    assert "серіктестігі" in title and "Қазақстанның" in title
    table_url = datasette_url + "/articles"

    lower = search_titles(browser, table_url, "серіктестігі")
    assert title in lower
    assert search_titles(browser, table_url, "СЕРІКТЕСТІГІ") == lower

    kazakh = search_titles(browser, table_url, "қазақстанның")
    assert title in kazakh
    assert sorted(search_titles(browser, table_url, "ҚАЗАҚСТАННЫҢ")) == sorted(kazakh)


def test_metadata_and_canned_queries(datasette_url: str) -> None:
    metadata = json.loads(get(datasette_url.rsplit("/", 1)[0] + "/-/metadata.json"))
    articles = metadata["databases"]["demo"]["tables"]["articles"]
    assert articles["fts_table"] == "articles_fts"
    assert articles["columns"]["published_date"]
    queries = metadata["databases"]["demo"]["queries"]
    assert set(queries) == {
        "articles_by_month",
        "top_authors",
        "longest_in_top_news",
        "full_text_search",
    }
    database = json.loads(get(datasette_url + ".json"))
    tables = {t["name"] for t in database["tables"]} | {v["name"] for v in database["views"]}
    assert "articles" in tables
    assert not tables & set(queries), "a canned query would hide the table of its name"

    def rows(path: str) -> list[dict]:
        return json.loads(get(f"{datasette_url}/{path}"))

    assert sum(r["articles"] for r in rows("articles_by_month.json?_shape=array")) > 0
    assert rows("top_authors.json?_shape=array&year=2025")
    assert rows("longest_in_top_news.json?_shape=array")
    hits = rows("full_text_search.json?_shape=array&q=" + quote("КАСПИЙ"))
    assert hits and all("каспий" in (h["title"] + h["snippet"]).lower() for h in hits)
    assert rows("full_text_search.json?_shape=array&q=") == []


def test_serve_without_datasette_says_how_to_install_it(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    db.touch()
    code = (
        "import sys; sys.modules['datasette'] = None; "  # as if it were not installed
        "from kazscraper.cli import main; main(['serve', '--db', sys.argv[1]])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(db)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "kazscraper serve: error: Datasette is not installed: pip install 'kazscraper[datasette]'"
    )


def test_metadata_of_an_archive_without_the_views(demo_db: Path, tmp_path: Path) -> None:
    """An archive that has only the base tables still gets four working canned queries."""
    from kazscraper.datasette_metadata import build_metadata

    db = tmp_path / "old.sqlite"
    with sqlite3.connect(demo_db) as source, sqlite3.connect(db) as target:
        source.backup(target)
    with sqlite3.connect(db) as conn:
        views = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
        for name in views:
            conn.execute(f'DROP VIEW "{name}"')
        conn.execute("DROP TABLE IF EXISTS schema_descriptions")
    metadata = build_metadata(db)
    queries = metadata["databases"]["old"]["queries"]
    assert len(queries) == 4
    assert metadata["databases"]["old"]["tables"]["articles"]["fts_table"] == "articles_fts"
    with sqlite3.connect(db) as conn:
        for name, query in queries.items():
            rows = conn.execute(query["sql"], {"year": "", "q": "ҚАЗАҚСТАН"}).fetchall()
            assert rows, name
