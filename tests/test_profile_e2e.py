"""A learned profile end to end (issue 24): a themed site crawled over real HTTP on
127.0.0.1, its profile learned from the WARC files, the archive reparsed with it, the fields
checked against the site's truth; then the profile broken by hand, and the health check
(exit 3) keeps the archive as it was."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from kazscraper.cli import main
from kazscraper.replica.themes import ThemeServer, get_theme
from kazscraper.sites.profile_file import learned_profile_path, read_profile_file

KAZSCRAPER = (sys.executable, "-m", "kazscraper")
ARTICLES = 20

pytestmark = pytest.mark.slow  # two crawls' worth of subprocesses: about 30 s


def norm(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path.rstrip('/')}"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KAZSCRAPER, *args], capture_output=True, text=True, timeout=300, cwd=cwd
    )


def stored(db: Path) -> dict[str, dict]:
    conn = sqlite3.connect(db)
    out = {}
    for id_, url, title, date, extraction in conn.execute(
        "SELECT id, url, title, published_date, extraction FROM articles"
    ):
        people = [
            name
            for (name,) in conn.execute(
                "SELECT a.name FROM article_authors aa JOIN authors a ON a.id = aa.author_id"
                " WHERE aa.article_id = ?",
                (id_,),
            )
        ]
        links = {
            (kind, norm(link))
            for kind, link in conn.execute(
                "SELECT kind, url FROM related_links WHERE article_id = ?", (id_,)
            )
        }
        layers = json.loads(extraction)
        out[norm(url)] = {
            "title": title,
            "date": date,
            "people": people,
            "links": links,
            **{"layers": layers},
        }
    conn.close()
    return out


def test_crawl_learn_reparse_uses_the_profile_and_the_health_check_guards_it(
    tmp_path: Path,
) -> None:
    theme = get_theme("bitrix", n_articles=ARTICLES)
    db = tmp_path / "site.sqlite"
    with ThemeServer(theme) as server:
        crawl = ("crawl", "--site", server.origin + "/", "--db", str(db))
        crawled = run(*crawl, cwd=tmp_path)
        truth = {norm(u): t for u, t in theme.truth(server.origin).items()}
        label = urlsplit(server.origin).netloc
        assert crawled.returncode == 0, crawled.stderr[-3000:]

        learned = CliRunner().invoke(main, ["profile", "learn", "--db", str(db), "--site", label])
        assert learned.exit_code == 0, learned.output
        path = learned_profile_path(db, label)
        rules = read_profile_file(path).rules
        assert {"title", "body", "date", "similar", "top"} <= set(rules)
        assert all(r.support and r.support[0] >= 0.9 * r.support[1] for r in rules.values())
        again = run(*crawl, cwd=tmp_path)  # the next crawl of the host uses it too
        assert again.returncode == 0, again.stderr[-3000:]
        assert f"uses the learned profile {path}" in again.stderr

    # in worker processes (issue 22): they read with the learned profile too
    reparsed = run("reparse", "--db", str(db), "--workers", "2", cwd=tmp_path)
    assert reparsed.returncode == 0, reparsed.stderr[-3000:]
    assert f"uses the learned profile {path}" in reparsed.stderr
    articles = stored(db)
    assert set(articles) == set(truth)
    for url, got in articles.items():
        want = truth[url]
        assert got["layers"]["body"] == "profile", url
        assert got["title"] == want["title"]
        assert got["date"] == want["published"][:10]
        assert sorted(got["people"]) == sorted(want["authors"]), url
        assert {(b["kind"], norm(b["url"])) for b in want["blocks"]} <= got["links"]

    checked = CliRunner().invoke(main, ["profile", "check", "--db", str(db), "--site", label])
    assert checked.exit_code == 0, checked.output
    assert f"body      {ARTICLES}/{ARTICLES} agree" in checked.output

    # a redesign, as far as the profile can tell: its body rule matches nothing any more
    text = path.read_text(encoding="utf-8").replace(
        f'path = "{rules["body"].path}"', 'path = "div.gone"'
    )
    path.write_text(text, encoding="utf-8")
    rechecked = CliRunner().invoke(main, ["profile", "check", "--db", str(db), "--site", label])
    assert rechecked.exit_code == 1, rechecked.output  # agrees far less than when learned
    assert f"body      0/{ARTICLES} agree  div.gone" in rechecked.output
    before = db.read_bytes()
    broken = run("reparse", "--db", str(db), "--workers", "2", cwd=tmp_path)
    assert broken.returncode == 3, broken.stdout + broken.stderr[-2000:]
    assert "body:profile" in broken.stdout + broken.stderr
    assert db.read_bytes() == before  # the archive was not replaced


def test_a_redesign_exits_3_then_learn_proposes_accept_takes_it_and_the_next_crawl_is_exact(
    tmp_path: Path,
) -> None:
    """Issue 24's redesign flow over real HTTP on 127.0.0.1: a themed site crawled and its
    profile learned; the server switched to the theme's second layout (the same origin);
    the next crawl exits 3 and stores nothing worse than it had; `profile learn` writes a
    proposal (the kept file untouched) and prints the diff with each rule's support;
    `profile accept` takes it, keeping the old file; the next crawl and a reparse of every
    capture (both layouts) are exact, every body from the profile."""
    from .conftest import run_cli, run_cli_here

    articles = 18  # the least a themed site has
    theme = get_theme("handmade", n_articles=articles)
    db = tmp_path / "site.sqlite"
    with ThemeServer(theme) as server:
        label = urlsplit(server.origin).netloc
        crawl = ("crawl", "--site", server.origin + "/", "--db", str(db), "--full")
        truth = {norm(u): t for u, t in theme.truth(server.origin).items()}
        first = run_cli(*crawl)
        assert first.returncode == 0, first.stderr[-3000:]
        where = ("--db", str(db), "--site", label)
        assert run_cli_here("profile", "learn", *where).returncode == 0
        kept = learned_profile_path(db, label)
        old_text = kept.read_text(encoding="utf-8")

        server.use(get_theme("handmade", n_articles=articles, layout="2"))
        switched = run_cli(*crawl)
        assert switched.returncode == 3, switched.stdout + switched.stderr[-3000:]
        assert "body:profile" in switched.stderr
        after_switch = stored(db)  # the generic layer's reading: nothing worse stored
        for url, got in after_switch.items():
            assert (
                got["title"] == truth[url]["title"] and got["date"] == truth[url]["published"][:10]
            )
            assert sorted(got["people"]) == sorted(truth[url]["authors"]), url

        learned = run_cli_here("profile", "learn", *where)
        assert learned.returncode == 0, learned.stderr
        proposal = kept.with_name(f"{kept.stem}.proposed.toml")
        assert kept.read_text(encoding="utf-8") == old_text  # the kept file is left alone
        assert f"--- {kept}\n+++ {proposal}\n" in learned.stdout
        assert f'support = "{articles}/{articles}"' in learned.stdout  # each rule's
        assert "no longer reads" in learned.stderr
        assert f"profile accept --db {db} --site {label}" in learned.stdout

        accepted = run_cli_here("profile", "accept", *where)
        assert accepted.returncode == 0, accepted.stderr
        backups = [p for p in kept.parent.glob("*.toml") if p not in (kept, proposal)]
        assert [p.read_text(encoding="utf-8") for p in backups] == [old_text]
        assert not proposal.exists()
        again = run_cli(*crawl)
        assert again.returncode == 0, again.stderr[-3000:]
    reparsed = run_cli("reparse", "--db", str(db))
    assert reparsed.returncode == 0, reparsed.stderr[-3000:]  # captures of both layouts
    for step in (again, reparsed):
        assert f"uses the learned profile {kept}" in step.stderr
    articles_now = stored(db)
    assert set(articles_now) == set(truth)
    for url, got in articles_now.items():
        want = truth[url]
        assert got["layers"]["body"] == "profile", url
        assert got["title"] == want["title"] and got["date"] == want["published"][:10]
        assert sorted(got["people"]) == sorted(want["authors"]), url
        assert {(b["kind"], norm(b["url"])) for b in want["blocks"]} <= got["links"]
