"""Output options never write over WARC files, an archive's warc/ folder, a database, or
block on a named pipe nobody reads (issue 21, item 8)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from kazscraper.archive import Archive

from .conftest import run_cli_here
from .test_archive import make_article

WARC_HEAD = b"WARC/1.1\r\nWARC-Type: warcinfo\r\n\r\n"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "a.sqlite"
    with Archive(db) as arc:
        arc.write_batch([(make_article(), [])])
    return db


@pytest.mark.parametrize("target", ["warc-gz", "warc-named-otherwise", "in-warc-folder"])
@pytest.mark.parametrize(
    ("command", "option"), [("export", "--out"), ("report", "--out"), ("crawl", "--log-file")]
)
def test_an_output_option_never_writes_over_a_warc_file(
    tmp_path: Path, archive: Path, target: str, command: str, option: str
) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    path = {
        "warc-gz": warc / "a-20261207.warc.gz",
        "warc-named-otherwise": tmp_path / "capture.bin",
        "in-warc-folder": warc / "notes.txt",
    }[target]
    if target != "in-warc-folder":
        path.write_bytes(gzip.compress(WARC_HEAD))
    before = path.read_bytes() if path.exists() else None
    db = tmp_path / "other.sqlite" if command == "crawl" else archive
    args = [command, "--db", str(db), option, str(path)]
    if command == "crawl":
        args += ["--start-url", "http://127.0.0.1:9/"]
    done = run_cli_here(*args)  # refused by the option checks, before anything starts
    assert done.returncode == 2, done.stderr
    assert option in done.stderr and "Traceback" not in done.stderr
    assert (path.read_bytes() if path.exists() else None) == before


def test_export_to_a_pipe_nobody_reads_is_refused_not_waited_on(
    tmp_path: Path, archive: Path
) -> None:
    pipe = tmp_path / "out.fifo"
    os.mkfifo(pipe)
    done = run_cli_here("export", "--db", str(archive), "--out", str(pipe))
    assert done.returncode == 2, done.stderr
    assert "no process reads" in done.stderr
