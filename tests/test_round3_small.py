"""Smaller items of issue 21 (item 13): a non-ASCII Retry-After, a hard link to the archive."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from kazscraper.archive import Archive
from kazscraper.crawler.middlewares.retry import retry_after_seconds
from kazscraper.crawler.run_lock import AlreadyRunning, RunLock


@pytest.mark.parametrize("value", [b"\xb2", "²".encode(), "٣".encode(), b"1\xb2"])
def test_a_retry_after_of_other_digits_is_no_wait_not_an_error(value: bytes) -> None:
    assert retry_after_seconds(value) is None


def test_retry_after_seconds_still_read() -> None:
    assert retry_after_seconds(b" 7 ") == 7.0


def test_a_hard_link_to_the_archive_takes_the_same_lock(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    Archive(db).close()
    (tmp_path / "other").mkdir()
    link = tmp_path / "other" / "b.sqlite"
    os.link(db, link)
    with RunLock(db), pytest.raises(AlreadyRunning):
        RunLock(link).acquire()
    with RunLock(link):  # released: free again
        pass


def test_reparse_never_deletes_another_archive_named_like_its_copy(tmp_path: Path) -> None:
    from tests.conftest import run_cli
    from tests.test_archive import make_article

    db = tmp_path / "news.sqlite"
    with Archive(db) as archive:
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:9/"})
    other = tmp_path / "news.reparse.sqlite"  # another archive, with an article of its own
    with Archive(other) as archive:
        time.sleep(0.01)  # another start time
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:8/"})
        archive.write_batch([(make_article(), [])])
    before = other.read_bytes()
    done = run_cli("reparse", "--db", str(db), timeout=120)
    assert done.returncode == 1, done.stderr
    assert "news.reparse.sqlite" in done.stderr and "Traceback" not in done.stderr
    assert other.read_bytes() == before


@pytest.mark.parametrize(
    "params",
    [
        {"sql": "SELECT rowid FROM articles_fts WHERE articles_fts = '{q}'"},
        {"sql": "SELECT * FROM articles_fts('{q}')"},
        {"sql": "SELECT rowid FROM articles_fts WHERE articles_fts = :w", "w": "{q}"},
        {"_where": "rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts = '{q}')"},
        {"_where": "articles_fts MATCH '{q}'"},
    ],
    ids=["equals", "table-function", "parameter", "where-subquery", "where-match"],
)
def test_the_datasette_guard_sees_every_spelling_of_a_full_text_query(
    params: dict[str, str],
) -> None:
    from urllib.parse import urlencode

    from kazscraper.serve.datasette_guard import refusal

    near = "NEAR(" + " ".join(f"a{i}*" for i in range(1000)) + ")"
    query = urlencode({k: v.replace("{q}", near) for k, v in params.items()})
    assert refusal(query) is not None
    harmless = urlencode({k: v.replace("{q}", "қазақ") for k, v in params.items()})
    assert refusal(harmless) is None


@pytest.mark.parametrize("host", ["қазақ.kz", "ҚАЗАҚ.kz", "xn--80aau21bd.kz", "XN--80AAU21BD.KZ"])
def test_a_host_is_idna_encoded_wherever_a_url_is_read(host: str) -> None:
    from kazscraper.urls import clean_url, netloc_in, normalize_netloc

    assert normalize_netloc("http", f"{host}:80") == "xn--80aau21bd.kz"
    assert netloc_in(f"http://{host}/news/a", {"xn--80aau21bd.kz"})
    assert clean_url(f"http://{host}/news/a", "http://x.kz", {"x.kz"}, ()) == (
        "http://xn--80aau21bd.kz/news/a"
    )


def test_the_origin_of_an_idn_start_url_is_idna_encoded() -> None:
    from kazscraper.urls import url_origin

    assert url_origin("http://қазақ.kz/news/a") == "http://xn--80aau21bd.kz"


_CHALLENGE = (
    "<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    "<noscript>Enable JavaScript</noscript><form id='challenge-form' action='/?__cf_chl_f_tk=x'>"
    "</form><script>window._cf_chl_opt={cType:'managed'}</script></body></html>"
)


@pytest.mark.parametrize(
    ("headers", "page"),
    [
        ([("Content-Type", "text/html")], _CHALLENGE),
        ([("Content-Type", "text/html"), ("cf-mitigated", "challenge")], "<html><p>x</p></html>"),
        ([("Content-Type", "text/html")], "<html><head><title>DDoS-Guard</title></head></html>"),
        ([("Content-Type", "text/html")], _CHALLENGE.replace("Just a moment...", "x")),
    ],
)
def test_a_challenge_page_is_a_failure_not_an_article(headers: list, page: str) -> None:
    from kazscraper.intake.page import Refused, page_item

    item = page_item("http://x.kz/news/a", headers, page.encode())
    assert isinstance(item, Refused) and "challenge page" in item.reason


def test_a_real_page_with_an_injected_challenge_script_is_an_article() -> None:
    from kazscraper.intake.page import PageItem, page_item
    from tests.conftest import FIXTURES

    page = (FIXTURES / "pages" / "qazdauiri-seed.html").read_text(encoding="utf-8")
    page = page.replace(
        "</body>", '<script src="/cdn-cgi/challenge-platform/h/b/s.js"></script></body>'
    )
    item = page_item("http://x.kz/news/a", [("Content-Type", "text/html")], page.encode())
    assert isinstance(item, PageItem)


_KILLED_WHILE_COPYING = """
import os, signal, sqlite3, sys
import kazscraper.archive

def killed(source, target, empty):  # the copy's schema begun, then a kill -9
    conn = sqlite3.connect(target)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("CREATE TABLE crawls (id INTEGER PRIMARY KEY, started_at, arguments)")
    conn.commit()
    os.kill(os.getpid(), signal.SIGKILL)

kazscraper.archive.copy_schema = killed
from kazscraper.cli import main
main(["reparse", "--db", sys.argv[1]], prog_name="kazscraper")
"""


def test_a_reparse_killed_while_copying_the_archive_leaves_nothing_that_blocks_the_next(
    tmp_path: Path,
) -> None:
    """A reparse killed while it copied the archive left a partial copy at the copy's name,
    which the next reparse refused as "not a reparse copy" (for ever, until moved by hand)."""
    import subprocess
    import sys

    from tests.conftest import run_cli

    db = tmp_path / "news.sqlite"
    with Archive(db) as archive:
        archive.begin_crawl("crawl", {"start_url": "http://127.0.0.1:9/"})
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_WHILE_COPYING, str(db)], capture_output=True, timeout=120
    )
    assert killed.returncode == -9, killed.stderr
    done = run_cli("reparse", "--db", str(db), timeout=120)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir() if "reparse" in p.name] == []
