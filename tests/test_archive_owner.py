"""One owner for the archive: the extension's one connection, order-independent outcomes."""

from __future__ import annotations

import ast
import inspect
import re
import tracemalloc
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

import kazscraper
from kazscraper.archive import Archive
from kazscraper.crawler.archive_owner import ArchiveExtension, archive_of
from kazscraper.crawler.config import RUN_CONFIG, RunConfig
from kazscraper.crawler.pipelines.sink import SinkPipeline
from kazscraper.crawler.spiders.reparse import ReparseSpider
from kazscraper.crawler.url_set import ScheduledUrlSet
from kazscraper.sites import Sites, get_profile

from .test_archive import make_article

ORIGIN = "https://qazdauiri.kz/news/"


def crawler_for(db: Path, spider_cls: type = ReparseSpider, **settings):
    return get_crawler(
        spider_cls,
        {
            "KAZSCRAPER_DB": str(db),
            RUN_CONFIG: RunConfig(Sites.single(get_profile("qazdauiri"))),
            "EXTENSIONS": {"kazscraper.crawler.archive_owner.ArchiveExtension": 100},
            **settings,
        },
    )


def rows(db: Path, sql: str) -> list[tuple]:
    with Archive(db, migrate=False) as archive:
        return [tuple(r) for r in archive.db.execute(sql).fetchall()]


@pytest.mark.parametrize("order", [("slug", "slug-4"), ("slug-4", "slug")])
def test_one_text_under_two_urls_is_named_by_the_shortest_url_whatever_came_first(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    # a CMS serving one article at two paths, each page declaring itself canonical: the
    # crawl's concurrent responses arrive in either order, and reparse replays the WARC order
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        for n, path in enumerate(order):
            page = make_article(ORIGIN + path, fetched_at=f"2026-01-0{n + 1}T10:00:00+00:00")
            page.etag = f'"{path}"'
            archive.write_batch([(page, [])], run_start=lambda _: "2026-01-01T00:00:00+00:00")
        row = archive.db.execute("SELECT url, fetched_url, etag, version FROM articles").fetchall()
        urls = archive.db.execute("SELECT url FROM article_urls ORDER BY url").fetchall()
    assert [tuple(r) for r in row] == [(ORIGIN + "slug", ORIGIN + "slug", '"slug"', 1)]
    assert [u for (u,) in urls] == [ORIGIN + "slug", ORIGIN + "slug-4"]


def test_a_row_made_by_an_earlier_run_keeps_its_url(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        first = make_article(ORIGIN + "slug-4", fetched_at="2026-01-01T10:00:00+00:00")
        archive.write_batch([(first, [])])
        later = make_article(ORIGIN + "slug", fetched_at="2026-01-08T10:00:00+00:00")
        assert archive.write_batch([(later, [])], run_start=lambda _: "2026-01-08T09:00:00+00:00")
        (url,) = archive.db.execute("SELECT url FROM articles").fetchone()
    assert url == ORIGIN + "slug-4"


def test_an_alias_reported_for_a_renamed_row_finds_it(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        same_run = {"run_start": lambda _: ""}
        archive.write_batch([(make_article(ORIGIN + "slug-4"), [])], **same_run)
        archive.write_batch([(make_article(ORIGIN + "slug"), [])], **same_run)
        assert archive.record_alias("https://m.qazdauiri.kz/news/slug-4", ORIGIN + "slug-4", "t")
        (target,) = archive.db.execute(
            "SELECT a.url FROM article_urls u JOIN articles a ON a.id = u.article_id "
            "WHERE u.url = 'https://m.qazdauiri.kz/news/slug-4'"
        ).fetchone()
    assert target == ORIGIN + "slug"


def test_two_captures_of_one_url_in_one_batch_are_two_versions(tmp_path: Path) -> None:
    # reparse: an edited article's original and edited captures both fall in one batch of
    # the store pipeline; the later one used to replace the earlier in the pending batch,
    # losing version 1, its first_seen_at and the aliases reported with it
    db = tmp_path / "a.sqlite"
    crawler = crawler_for(db)
    store = SinkPipeline(crawler)
    store.open_spider()
    original = make_article(fetched_at="2026-01-01T10:00:00+00:00")
    edited = make_article(body="Түзетілген мәтін.", fetched_at="2026-01-08T10:00:00+00:00")
    store.process_item(original)
    store.on_alias_found("https://m.qazdauiri.kz/news/kaspii", original.url)
    store.process_item(edited)
    store.close_spider()
    owner = archive_of(crawler)
    assert owner is not None
    owner.finish()
    assert rows(db, "SELECT version, first_seen_at, last_seen_at FROM articles") == [
        (2, "2026-01-01T10:00:00+00:00", "2026-01-08T10:00:00+00:00")
    ]
    assert rows(db, "SELECT version, body FROM article_versions") == [
        (1, "Каспий теңізі туралы мақала.")
    ]
    assert ("https://m.qazdauiri.kz/news/kaspii",) in rows(db, "SELECT url FROM article_urls")


def test_the_store_pipeline_writes_through_the_extensions_connection(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path / "a.sqlite")
    owner = crawler.get_extension(ArchiveExtension)
    store = SinkPipeline(crawler)
    store.open_spider()
    assert owner is not None and store.archive is owner.archive
    assert store.crawl_id == owner.crawl_id


def test_the_crawls_row_is_written_once_with_its_verdict(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    crawler = crawler_for(db, KAZSCRAPER_COMMAND="reparse")
    assert crawler.stats is not None
    crawler.stats.set_value("finish_reason", "finished")
    crawler.stats.set_value("response_received_count", 1)
    store = SinkPipeline(crawler)
    store.open_spider()
    store.process_item(make_article())
    store.close_spider()
    owner = archive_of(crawler)
    assert owner is not None
    (running,) = rows(db, "SELECT status FROM crawls")
    assert running == ("running",)
    owner.finish()
    assert rows(db, "SELECT command, status, exit_code, verdict, articles_new FROM crawls") == [
        ("reparse", "ok", 0, "ok", 1)
    ]


def module_of(filename: str, package: Path) -> str | None:
    """``filename`` as a path inside the package directory ``package`` (``crawl.py``,
    ``crawler/pipelines/sink.py``), or None outside it. Relative to the package itself,
    not cut at the first ``kazscraper/``: a clone folder named kazscraper holds it too."""
    try:
        return Path(filename).resolve().relative_to(package.resolve()).as_posix()
    except ValueError:
        return None


# Runs `kazscraper ARGS` in this process with sqlite3.connect wrapped: every connection to
# the archive file is recorded with the kazscraper modules that asked for it.
_COUNTING_RUNNER = (
    "from pathlib import Path\n"
    + inspect.getsource(module_of)
    + r"""
import json, os, sqlite3, sys, traceback
from types import SimpleNamespace
from sqlite_utils.utils import sqlite3 as su_sqlite3
import kazscraper

package = Path(kazscraper.__file__).parent
archive, report = Path(sys.argv[1]).resolve(), sys.argv[2]
opened = []
real_connect = su_sqlite3.connect

def connect(database, *args, **kwargs):
    if Path(str(database)).resolve() == archive:
        stack = [module_of(f.filename, package) for f in traceback.extract_stack()]
        opened.append(sorted({s for s in stack if s is not None}))
    return real_connect(database, *args, **kwargs)

su_sqlite3.connect = sqlite3.connect = connect
from kazscraper.cli import main
try:
    main(sys.argv[3:])
finally:
    Path(report).write_text(json.dumps(opened))
"""
)


def test_module_paths_are_relative_to_the_package_even_in_a_folder_named_kazscraper(
    tmp_path: Path,
) -> None:
    clone = tmp_path / "kazscraper"  # the clone folder has the package's name
    package = clone / "kazscraper"
    assert module_of(str(package / "crawl.py"), package) == "crawl.py"
    store = package / "crawler" / "pipelines" / "sink.py"
    assert module_of(str(store), package) == "crawler/pipelines/sink.py"
    assert module_of(str(clone / "tests" / "test_x.py"), package) is None
    assert module_of(str(clone / ".venv" / "lib" / "scrapy" / "engine.py"), package) is None


def test_one_connection_writes_the_archive_during_a_crawl(replica, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    from .conftest import crawl_args

    db = tmp_path / "a.sqlite"
    report = tmp_path / "connections.json"
    result = subprocess.run(
        [sys.executable, "-c", _COUNTING_RUNNER, str(db), str(report), *crawl_args(replica, db)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    opened = json.loads(report.read_text())
    # one to upgrade the schema under the run lock (closed before the crawl starts), one for
    # the whole crawl: the archive extension's, through which every component writes
    assert len(opened) == 2, opened
    upgrade, crawl = opened
    assert "crawler/runner.py" in upgrade and "crawler/archive_owner.py" not in upgrade
    assert "crawler/archive_owner.py" in crawl
    for modules in opened:
        assert not {"crawler/middlewares/warc_capture.py", "crawler/spiders/news.py"} & set(modules)
        assert not [m for m in modules if m.startswith("crawler/pipelines/")]


PACKAGE = Path(kazscraper.__file__).parent

#: SQL in a string: a statement's shape, in capitals as the project writes SQL (not
#: English prose such as "select a site" or "update the archive")
_SQL = re.compile(
    r"\bSELECT\b[\s\S]+?\bFROM\b|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\b"
    r"|\bUPDATE\s+\[?\w+\]?\s+SET\b|\bDELETE\s+FROM\b"
    r"|\b(?:CREATE|DROP)\s+(?:VIRTUAL\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)\b"
    r"|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+"
)
_SQL_CALLS = ("execute", "executemany", "executescript")


def sql_in(source: str) -> list[str]:
    """Where ``source`` holds SQL: a call of a DB-API ``execute*`` with a statement (Redis
    pipelines' ``execute()`` takes none), or a string shaped like a SQL statement."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _SQL_CALLS
            and node.args
        ):
            found.append(f"line {node.lineno}: .{node.func.attr}(...)")
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL.search(node.value)
        ):
            found.append(f"line {node.lineno}: {node.value[:60]!r}")
    return found


def test_all_sql_lives_in_the_archive_package() -> None:
    holding = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE).as_posix()
        if module.startswith("archive/"):
            continue
        found = sql_in(path.read_text(encoding="utf-8"))
        if found:
            holding[module] = found
    assert holding == {}


def test_the_sql_check_sees_sql_and_only_sql() -> None:
    assert sql_in('db.execute("SELECT url FROM articles WHERE id = ?", [1])')
    assert sql_in('q = "DELETE FROM frontier"')
    assert sql_in("conn.executescript(script)")
    assert sql_in('s = """\n  INSERT OR IGNORE INTO frontier (url) VALUES (?)"""')
    assert not sql_in("pipe.execute()")  # a Redis pipeline
    assert not sql_in('"select a site, then update the archive from the list"')
    assert not sql_in('"Select the articles from one month"')


def _imports(path: Path) -> set[str]:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        elif isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
    return imported


def test_the_archive_package_imports_neither_extraction_nor_the_crawler() -> None:
    for path in (PACKAGE / "archive").glob("*.py"):
        imported = _imports(path)
        layers = ("kazscraper.extract", "kazscraper.crawler", "kazscraper.cli")
        bad = {m for m in imported if m.startswith(layers)}
        assert not bad, (path.name, bad)


def test_the_spiders_have_no_archive_access() -> None:
    # they ask the archive's owner (the extension): no Archive, no SQLite of their own
    for path in (PACKAGE / "crawler" / "spiders").glob("*.py"):
        imported = _imports(path)
        bad = {m for m in imported if m.startswith(("kazscraper.archive", "sqlite"))}
        assert not bad, (path.name, bad)


def test_the_news_spider_reads_the_crawl_state_from_the_owner(tmp_path: Path) -> None:
    from kazscraper.crawler.spiders.news import NewsSpider

    db = tmp_path / "a.sqlite"
    with Archive(db, site="qazdauiri") as archive:
        archive.write_batch([(make_article(ORIGIN + "known"), [])])
        archive.add_to_frontier([ORIGIN + "waiting"])
    crawler = crawler_for(db, NewsSpider)
    crawler.spider = spider = crawler._create_spider()
    crawler.extensions = type(crawler.extensions).from_crawler(crawler)
    spider._open_archive()
    assert spider.owner is archive_of(crawler)
    assert not any(isinstance(v, Archive) for v in vars(spider).values())
    assert ORIGIN + "known" in spider.frontier.known
    assert list(spider.frontier.resumed) == [ORIGIN + "waiting"]
    spider.frontier.link(ORIGIN + "new")
    spider.on_closed("shutdown")  # interrupted: the new URL goes to the frontier, via the owner
    owner = archive_of(crawler)
    assert owner is not None
    owner.finish()
    waiting = {u for (u,) in rows(db, "SELECT url FROM frontier")}
    assert ORIGIN + "new" in waiting


def test_old_migrations_carry_their_own_views_and_descriptions() -> None:
    import inspect

    from kazscraper.archive import migrate

    for name in ("m006_views", "m008_lsh_in_sqlite"):
        source = inspect.getsource(getattr(migrate, name))
        assert "_M00" in source and "VIEWS)" not in source and "DESCRIPTIONS)" not in source


def _finished_crawl(db: Path, scheduled: set[str], finish_reason: str = "finished"):
    crawler = crawler_for(db, KAZSCRAPER_COMMAND="crawl")
    assert crawler.stats is not None
    crawler.stats.set_value("finish_reason", finish_reason)
    crawler.stats.set_value("response_received_count", len(scheduled))
    owner = archive_of(crawler)
    assert owner is not None
    owner.account_for(scheduled)  # what the spider asked for
    store = SinkPipeline(crawler)
    store.open_spider()
    return crawler, store


def test_a_scheduled_url_neither_stored_nor_failed_fails_the_run(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    stored, failed, lost = (ORIGIN + name for name in ("stored", "failed", "lost"))
    crawler, store = _finished_crawl(db, {stored, failed, lost})
    store.process_item(make_article(url=stored))
    store.on_page_failed(failed, "fetch", "HTTP 404", 404)
    store.close_spider()  # `lost` ends neither as an article nor as a failure
    owner = archive_of(crawler)
    assert owner is not None
    owner.finish()
    [(scheduled, unaccounted, exit_code, status, verdict)] = rows(
        db, "SELECT scheduled_articles, unaccounted, exit_code, status, verdict FROM crawls"
    )
    assert (scheduled, unaccounted, exit_code, status) == (3, 1, 1, "failed")
    assert "1 scheduled article URL(s) ended neither as an article nor as a failure" in verdict
    assert crawler.stats is not None
    assert crawler.stats.get_value("kazscraper/unaccounted") == 1


def test_an_interrupted_run_accounts_for_what_waits_in_the_frontier(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    stored, waiting, lost = (ORIGIN + name for name in ("stored", "waiting", "lost"))
    crawler, store = _finished_crawl(db, {stored, waiting, lost}, finish_reason="shutdown")
    assert store.archive is not None
    store.archive.add_to_frontier([waiting])
    store.process_item(make_article(url=stored))
    store.close_spider()
    owner = archive_of(crawler)
    assert owner is not None
    owner.finish()
    assert rows(db, "SELECT scheduled_articles, unaccounted FROM crawls") == [(3, 1)]


def _package_imports() -> dict[str, set[str]]:
    """Which of the project's packages and top-level modules each one imports."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        unit = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for module in _imports(path):
            if module.startswith("kazscraper."):
                other = module.split(".")[1]
                if other != unit:
                    graph.setdefault(unit, set()).add(other)
    return graph


def test_no_import_loop_between_the_packages() -> None:
    # extract/ and clean/ are pure layers over the leaf modules (urls, markup, items),
    # never over each other in both directions
    graph = _package_imports()
    loops = []

    def walk(unit: str, path: list[str]) -> None:
        for other in sorted(graph.get(unit, ())):
            if other in path:
                loops.append([*path[path.index(other) :], other])
            elif len(path) < 12:
                walk(other, [*path, other])

    for unit in sorted(graph):
        walk(unit, [unit])
    assert loops == []
    assert "extract" in graph.get("clean", set())  # the check sees real edges


def test_the_url_module_imports_nothing_of_the_project() -> None:
    assert {m for m in _imports(PACKAGE / "urls.py") if m.startswith("kazscraper")} == set()


def test_no_row_is_written_once_the_raw_capture_failed(tmp_path: Path) -> None:
    """The WARC folder refuses a write when a batch is due (disk full in the writer thread,
    found by ``placed()``): the batch in hand and every later record stay out of the
    archive, whose rows would name pages with no raw capture; the next run fetches them."""
    from kazscraper.crawler.signals import (
        RAW_CAPTURE_FAILED,
        archive_batch_due,
        stop_on_archive_error,
    )

    db = tmp_path / "a.sqlite"
    crawler = crawler_for(db, KAZSCRAPER_BATCH_SIZE=2)
    assert crawler.stats is not None

    def warc_refuses() -> None:  # what the WARC middleware's flush does on OSError
        crawler.stats.set_value(RAW_CAPTURE_FAILED, True)
        stop_on_archive_error(crawler, "WARC", OSError(28, "No space left on device"))

    crawler.signals.connect(warc_refuses, signal=archive_batch_due)
    store = SinkPipeline(crawler)
    store.open_spider()
    store.process_item(make_article(ORIGIN + "one"))
    store.process_item(make_article(ORIGIN + "two", body="Екінші мақала."))  # the batch is due
    store.process_item(make_article(ORIGIN + "three", body="Үшінші мақала."))
    store.close_spider()
    assert rows(db, "SELECT url FROM articles") == []
    assert "WARC" in crawler.stats.get_value("kazscraper/archive_error")


class _UnreadableScheduled(ScheduledUrlSet):
    """The scheduled URLs' file once TMPDIR filled: ``flush()`` in ``__iter__`` raises."""

    def __iter__(self):
        raise OSError(28, "No space left on device")
        yield  # pragma: no cover


def test_the_runs_verdict_is_written_when_the_scheduled_urls_cannot_be_read(
    tmp_path: Path,
) -> None:
    """ArchiveExtension._account catches sqlite3.Error only; the scheduled URLs now come
    from a file, whose read (its flush, on a full TMPDIR: seen for real with
    RLIMIT_FSIZE) raises OSError out of finish(): the crawls row stays 'running' with no
    verdict, and the archive is never closed by its owner."""
    db = tmp_path / "a.sqlite"
    scheduled = _UnreadableScheduled()
    scheduled.add(ORIGIN + "stored")
    crawler, store = _finished_crawl(db, scheduled)  # type: ignore[arg-type]
    store.process_item(make_article(url=ORIGIN + "stored"))
    store.close_spider()
    owner = archive_of(crawler)
    assert owner is not None
    owner.finish()
    [(status, verdict)] = rows(db, "SELECT status, verdict FROM crawls")
    assert status != "running" and verdict


def test_the_crawl_state_keeps_the_archived_urls_in_flat_memory(tmp_path: Path) -> None:
    # issue 22: an incremental run's ``known`` (archived URL -> date, ETag) was a dict of
    # strings, about 400 bytes an article held for the whole run (40 MB at 100,000)
    db, n, now = tmp_path / "a.sqlite", 2000, "2026-12-01T00:00:00+00:00"
    dated = [
        (f"{ORIGIN}maqala-{i}", f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", f'"e{i:x}"')
        for i in range(n)
    ]
    with Archive(db, site="qazdauiri") as archive:
        archive.db.conn.executemany(
            "INSERT INTO articles (id, url, site, published_date, etag, first_seen_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (i + 1, u, "qazdauiri", day, etag, now, now)
                for i, (u, day, etag) in enumerate(dated)
            ],
        )
        archive.db.conn.executemany(
            "INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at) "
            "VALUES (?, ?, ?, ?)",
            [(url, i + 1, now, now) for i, (url, _, _) in enumerate(dated)],
        )
        archive.db.conn.commit()
    owner = crawler_for(db).get_extension(ArchiveExtension)
    tracemalloc.start()
    try:
        state = owner.crawl_state()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert state is not None
    assert held / n < 150, f"{held / n:.0f} bytes an archived article"
    assert len(state.known) == n
    assert all(state.known[url] == (day, etag) for url, day, etag in dated[::37])
    assert ORIGIN + "maqala-new" not in state.known


def _archive_with_rows(db: Path, articles: list[tuple], urls: list[tuple]) -> None:
    now = "2026-12-01T00:00:00+00:00"
    with Archive(db, site="qazdauiri") as archive:
        archive.db.conn.executemany(
            "INSERT INTO articles (id, url, site, published_date, etag, first_seen_at, "
            "last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(i, u, "qazdauiri", day, etag, now, now) for i, u, day, etag in articles],
        )
        archive.db.conn.executemany(
            "INSERT INTO article_urls (url, article_id, first_seen_at, last_seen_at) "
            "VALUES (?, ?, ?, ?)",
            [(url, i, now, now) for url, i in urls],
        )
        archive.db.conn.commit()


def test_the_crawl_state_loads_an_archive_with_a_null_url_row(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    _archive_with_rows(
        db,
        [(1, ORIGIN + "a", "2025-01-02", '"a"'), (2, ORIGIN + "b", "2025-01-03", '"b"')],
        [(ORIGIN + "a", 1), (None, 2)],
    )
    with Archive(db, migrate=False) as archive:
        before = archive.known_articles()  # the dict the crawl used until scale2
    assert before[ORIGIN + "a"] == ("2025-01-02", '"a"')
    state = crawler_for(db).get_extension(ArchiveExtension).crawl_state()
    assert state is not None
    assert state.known[ORIGIN + "a"] == before[ORIGIN + "a"]
    assert ORIGIN + "b" not in state.known


@pytest.mark.parametrize(
    ("day", "etag"), [("2025-01-02", b'"blob"'), (b"2025-01-02", '"a"')], ids=["etag", "date"]
)
def test_the_crawl_state_loads_an_etag_or_a_date_stored_as_a_blob(
    tmp_path: Path, day: str | bytes, etag: str | bytes
) -> None:
    db = tmp_path / "a.sqlite"
    _archive_with_rows(
        db,
        [(1, ORIGIN + "a", day, etag), (2, ORIGIN + "b", "2025-01-03", '"b"')],
        [(ORIGIN + "a", 1), (ORIGIN + "b", 2)],
    )
    with Archive(db, migrate=False) as archive:
        before = archive.known_articles()
    assert before[ORIGIN + "a"] == (day, etag)  # SQLite kept the BLOB as bytes
    state = crawler_for(db).get_extension(ArchiveExtension).crawl_state()
    assert state is not None
    assert state.known[ORIGIN + "a"] == before[ORIGIN + "a"]
    assert state.known[ORIGIN + "b"] == ("2025-01-03", '"b"')
