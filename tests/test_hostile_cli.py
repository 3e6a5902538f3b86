"""The command line against hostile or careless input: one line and the right exit code,
never a traceback, never the archive overwritten, never a secret stored."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kazscraper.archive import Archive
from kazscraper.cli import main
from kazscraper.crawler.archive_files import log_directory
from kazscraper.crawler.settings import DOWNLOAD_MAXSIZE
from kazscraper.replica.server import ReplicaServer

from .conftest import FIXTURES, run_cli, run_cli_here
from .test_archive import make_article


def one_error_line(text: str, command: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert lines[0].startswith(f"kazscraper {command}: error: "), text
    assert "Traceback" not in text
    return lines[0]


def invoke(args: list[str]):
    return CliRunner().invoke(main, args, prog_name="kazscraper")


@pytest.fixture
def archive_db(tmp_path: Path) -> Path:
    db = tmp_path / "a.sqlite"
    with Archive(db, site="qazdauiri") as archive:
        archive.write_batch([(make_article(), [])])
    return db


# -- nothing written over the archive: --log-file, --out (issue 11, item 6) -----------------


@pytest.mark.parametrize("target", ["db", "wal", "shm", "lock", "symlink", "other-sqlite"])
@pytest.mark.parametrize(
    ("command", "option"),
    [("crawl", "--log-file"), ("reparse", "--log-file"), ("export", "--out"), ("report", "--out")],
)
def test_a_file_written_over_the_archive_or_a_database_is_refused(
    tmp_path: Path, archive_db: Path, target: str, command: str, option: str
) -> None:
    """A log file or an output file never overwrites the archive (issue 11, item 6)."""
    other = tmp_path / "other.sqlite"
    with Archive(other, site="qazdauiri"):
        pass
    link = tmp_path / "link.out"
    link.symlink_to(archive_db)
    path = {
        "db": str(tmp_path / "." / "a.sqlite"),  # the same file under another spelling
        "wal": f"{archive_db}-wal",
        "shm": f"{archive_db}-shm",
        "lock": f"{archive_db}.lock",
        "symlink": str(link),
        "other-sqlite": str(other),
    }[target]
    before = archive_db.read_bytes()
    args = [command, "--db", str(archive_db), option, path]
    if command == "crawl":
        args += ["--start-url", "http://127.0.0.1:9/"]
    result = invoke(args)
    assert result.exit_code == 2, result.output
    assert option in one_error_line(result.output, command)
    assert archive_db.read_bytes() == before
    with sqlite3.connect(other) as conn:  # still a database
        conn.execute("SELECT count(*) FROM articles").fetchone()


# -- parse reads at most DOWNLOAD_MAXSIZE (item 19) -----------------------------------------


def test_parse_refuses_an_endless_input_with_one_line() -> None:
    result = invoke(["parse", "/dev/zero"])  # would read forever
    assert result.exit_code == 2, result.output
    line = one_error_line(result.output, "parse")
    assert "larger than" in line and str(DOWNLOAD_MAXSIZE // (1024 * 1024)) in line


def test_parse_still_reads_a_page(tmp_path: Path) -> None:
    page = FIXTURES / "pages" / "qazdauiri-seed.html"
    result = invoke(["parse", str(page)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"]


# -- credentials in --start-url (item 19) ----------------------------------------------------


def test_credentials_in_the_start_url_are_stored_nowhere(
    replica: ReplicaServer, tmp_path: Path
) -> None:
    host = replica.origin.split("://", 1)[1]
    secret = "s3cretPassw0rd"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kazscraper",
            "crawl",
            "--start-url",
            f"http://reader:{secret}@{host}/",
            "--mirror",
            f"http://reader:{secret}@{replica.mirror_origin.split('://', 1)[1]}",
            "--max-articles",
            "3",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert secret not in result.stdout + result.stderr
    files = [p for p in (tmp_path / "archive").rglob("*") if p.is_file()]
    db = tmp_path / "archive" / f"{host.replace(':', '-')}.sqlite"
    assert db in files, files
    for path in files:
        assert secret not in str(path) and "reader" not in path.name
        assert secret.encode() not in path.read_bytes(), path
    with sqlite3.connect(db) as conn:
        (arguments,) = conn.execute("SELECT arguments FROM crawls").fetchone()
    assert json.loads(arguments)["start_url"] == f"http://{host}/"


# -- one line, never a traceback (item 20) ---------------------------------------------------


def test_an_unreachable_site_ends_with_the_cause_in_words(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    result = run_cli("crawl", "--start-url", "http://127.0.0.1:1/", "--db", str(db))  # closed
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("kazscraper crawl: error: "), result.stderr
    assert "127.0.0.1:1" in last and "connection refused" in last
    assert "kazscraper demo" in last  # works offline
    assert all(line.startswith("kazscraper crawl: ") for line in result.stderr.splitlines())
    (log,) = log_directory(db).glob("*.log")
    assert "Traceback" in log.read_text()  # the details stay in the run's log


@pytest.mark.parametrize("where", ["proc", "under-a-file"])
def test_an_unwritable_log_file_is_one_line(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "plain-file"
    blocker.write_text("x")
    log = {"proc": "/proc/kazscraper-test.log", "under-a-file": f"{blocker}/run.log"}[where]
    args = ["--db", str(tmp_path / "a.sqlite"), "--log-file", log]
    result = run_cli("crawl", "--start-url", "http://127.0.0.1:9/", *args)
    assert result.returncode == 2
    line = one_error_line(result.stderr, "crawl")
    assert "--log-file" in line and "cannot write" in line


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
def test_export_to_a_full_disk_is_one_line(archive_db: Path) -> None:
    result = run_cli("export", "--format", "csv", "--out", "/dev/full", "--db", str(archive_db))
    assert result.returncode == 1
    line = one_error_line(result.stderr, "export")
    assert "/dev/full" in line and "No space left on device" in line
    with open("/dev/full", "w") as full:  # stdout on the full disk
        piped = subprocess.run(
            [sys.executable, "-m", "kazscraper", "export", "--db", str(archive_db)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    assert piped.returncode == 1
    assert "No space left on device" in one_error_line(piped.stderr, "export")


@pytest.fixture
def read_only_archive(archive_db: Path):
    """The archive file bind-mounted read-only (as root, chmod does not stop a write)."""
    if os.geteuid() == 0:
        mount = subprocess.run(["mount", "--bind", archive_db, archive_db], check=False)
        if mount.returncode != 0:
            pytest.skip("cannot bind-mount here: no way to make a file read-only for root")
        try:
            subprocess.run(["mount", "-o", "remount,ro,bind", archive_db], check=True)
            yield archive_db
        finally:
            subprocess.run(["umount", archive_db], check=False)
    else:
        archive_db.chmod(0o444)
        yield archive_db


@pytest.mark.parametrize("command", ["crawl", "reparse"])
def test_a_read_only_archive_is_one_line(read_only_archive: Path, command: str) -> None:
    args = ["--start-url", "http://127.0.0.1:9/"] if command == "crawl" else []
    result = run_cli(command, "--db", str(read_only_archive), *args)
    assert result.returncode == 1
    line = one_error_line(result.stderr, command)
    assert "read-only" in line and str(read_only_archive) in line


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["search", "x", "--limit", "99999999999999999999"], "--limit"),
        (["stats", "--runs", "99999999999999999999"], "--runs"),
        (["crawl", "--start-url", "http://127.0.0.1:9/", "--revisit-days", "10" * 10], "--revisit"),
        (["store", "--redis", "redis://127.0.0.1:9/0", "--revisit-days", "10" * 10], "--revisit"),
        (["crawl", "--redis", "redis://[::1"], "--redis"),
    ],
)
def test_a_number_past_what_sqlite_or_a_date_holds_is_a_usage_error(
    args: list[str], option: str, archive_db: Path
) -> None:
    """Before: an OverflowError traceback (SQLite's 64-bit LIMIT; ``timedelta`` past a
    billion days, raised in the spider's callbacks of a crawl with archived articles), and
    a Redis URL urllib cannot parse blamed on --worker-name."""
    # a read command in this process; a run (refused before it starts) in its own
    run = run_cli if args[0] in ("crawl", "store") else run_cli_here
    done = run(*args, "--db", str(archive_db))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"kazscraper {args[0]}: error: ") and option in line, line
