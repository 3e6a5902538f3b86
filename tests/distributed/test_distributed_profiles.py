"""A Redis crawl extracts with the learned profile (issue 24): the store publishes the
learned files beside its archive, and a worker whose own ``--db`` folder has none (another
machine) extracts every page with them, as a local crawl into that archive would; the
store's health check judges the crawl by the learned profile's floors."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from kazscraper.cli import main
from kazscraper.replica.themes import ThemeServer, get_theme
from kazscraper.sites.profile_file import learned_profile_path

from ..conftest import run_cli
from .helpers import IDLE_TIMEOUT, finish, start, start_store

ARTICLES = 18

pytestmark = pytest.mark.slow  # a local crawl, then a store and a worker: about 20 s


def body_layers(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [json.loads(x)["body"] for (x,) in conn.execute("SELECT extraction FROM articles")]


def test_a_worker_on_another_machine_extracts_with_the_archives_learned_profile(
    tmp_path: Path, redis_url: str
) -> None:
    theme = get_theme("bitrix", n_articles=ARTICLES)
    with ThemeServer(theme) as server:
        label = urlsplit(server.origin).netloc
        first = tmp_path / "first" / "site.sqlite"
        first.parent.mkdir()
        crawled = run_cli("crawl", "--site", server.origin + "/", "--db", str(first))
        assert crawled.returncode == 0, crawled.stderr[-2000:]
        learned = CliRunner().invoke(
            main, ["profile", "learn", "--db", str(first), "--site", label]
        )
        assert learned.exit_code == 0, learned.output

        # the store's archive has the learned file; the worker's folder has none
        db = tmp_path / "store" / "site.sqlite"
        profile = learned_profile_path(db, label)
        profile.parent.mkdir(parents=True)
        shutil.copy(learned_profile_path(first, label), profile)
        elsewhere = tmp_path / "worker" / "site.sqlite"
        elsewhere.parent.mkdir()
        log = tmp_path / "w1.out"
        worker = start(
            "crawl", "--redis", redis_url, "--worker-name", "w1",
            "--idle-timeout", IDLE_TIMEOUT, "--site", server.origin + "/",
            "--db", str(elsewhere), log=log,
        )  # fmt: skip
        store = start_store(db, redis_url)
        assert finish(worker) == 0, log.read_text(errors="replace")[-3000:]
        assert finish(store) == 0, (db.parent / "store.out").read_text(errors="replace")
    said = log.read_text(errors="replace")
    assert f"uses the learned profile {profile} (from the store)" in said
    assert body_layers(db) == ["profile"] * ARTICLES  # every body from the learned rule
    assert not (elsewhere.parent / "profiles").exists()


def test_the_store_refuses_a_learned_file_that_is_not_a_profile(
    tmp_path: Path, redis_url: str
) -> None:
    db = tmp_path / "site.sqlite"
    bad = learned_profile_path(db, "127.0.0.1:9")
    bad.parent.mkdir()
    bad.write_text("[fields.body]\npth = 'div'\n", encoding="utf-8")
    result = run_cli("store", "--redis", redis_url, "--db", str(db))
    assert result.returncode == 1
    assert f"{bad}: unknown [fields.body] key 'pth'" in result.stderr
