"""Where an archive's files are: its folder beside the SQLite file, and earlier layouts moved in.

An archive is its SQLite file and one folder beside it named after the file, ``<file>.files/``
(``archive/demo.sqlite`` → ``archive/demo.sqlite.files/``), holding ``warc/`` (every response)
and ``logs/`` (a log per run): two archives in one folder never share a folder (not even
``a.sqlite`` and ``a.db``), and an archive moves with its file and its folder. Everything is
found from the archive's real path (a symlink names the same archive). Versions before
this one kept ``warc/`` and ``logs/`` beside the file, shared by the archives of that folder:
``move_earlier_files`` (run under the run lock, by the schema upgrade) moves the archive's
own files from there into its folder, so an archive of an earlier version keeps working.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path

FOLDER_SUFFIX = ".files"

logger = logging.getLogger(__name__)


def archive_folder(db_path: str | Path) -> Path:
    """``<archive file>.files/`` beside the archive's real file (its WARC files and logs)."""
    real = Path(db_path).resolve()
    return real.with_name(real.name + FOLDER_SUFFIX)


def warc_directory(db_path: str | Path) -> Path:
    """The one answer to where an archive's WARC files are (its own, and its Redis
    workers'): ``<archive file>.files/warc/``."""
    return archive_folder(db_path) / "warc"


def log_directory(db_path: str | Path) -> Path:
    """Where an archive's runs log: ``<archive file>.files/logs/``."""
    return archive_folder(db_path) / "logs"


def default_log_file(db_path: str | Path, writer: str | None = None) -> str:
    """A new run's log file: ``<stem>-<UTC time>.log`` in the archive's log folder, or
    ``<stem>-<writer>-<UTC time>.log`` for a Redis worker or the store."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    stem = Path(db_path).resolve().stem
    who = f"-{writer}" if writer else ""
    return str(log_directory(db_path) / f"{stem}{who}-{stamp}.log")


def move_earlier_files(db_path: str | Path) -> int:
    """Move the files an earlier version kept for this archive beside it (its own and its
    workers' WARC files in ``warc/``, its logs in ``logs/``) into its folder; how many
    were moved. Call it with the run lock held. Another archive's files stay where they are
    (WARC files are told apart by the archive their ``warcinfo`` names, as ``warc_files``
    does); a worker's ``.open`` file that a live process writes is left for a later run."""
    real = Path(db_path).resolve()
    old_warc, old_logs = real.parent / "warc", real.parent / "logs"
    moves: list[tuple[Path, Path]] = []
    if old_warc.is_dir() and old_warc != warc_directory(real):
        from kazscraper.warc.files import OPEN_SUFFIX, in_use, warc_files  # (imports Scrapy)

        for suffix in (".warc.gz", f".warc.gz{OPEN_SUFFIX}"):
            for found in warc_files(old_warc, real.stem, suffix):
                if not (found.worker is not None and in_use(found.path)):
                    moves.append((found.path, warc_directory(real) / found.path.name))
    if old_logs.is_dir() and old_logs != log_directory(real):
        moves += [(p, log_directory(real) / p.name) for p in _earlier_logs(old_logs, real)]
    moved = 0
    for source, target in moves:
        if target.exists():  # never overwrite: the file stays where it is
            logger.warning("did not move %s: %s exists", source, target)
            continue
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)  # same file system: the folder is beside the file
            moved += 1
        except OSError as exc:
            logger.warning("could not move %s into %s: %s", source, target.parent, exc)
    if moved:
        logger.info("moved %d file(s) of an earlier layout into %s", moved, archive_folder(real))
    return moved


def _earlier_logs(folder: Path, real: Path) -> list[Path]:
    """The logs an earlier version wrote for the archive ``real`` into the shared ``logs/``
    folder: ``<stem>-<time>.log`` and ``<stem>-<writer>-<time>.log`` (store, workers), but
    not those of another archive of that folder whose stem is ``<stem>-<writer>``."""
    from kazscraper.warc.files import WORKER_NAME

    pattern = re.compile(re.escape(real.stem) + f"(?:-({WORKER_NAME}))?" + r"-\d{8}-\d{6}\.log")
    others = {p.stem for p in real.parent.iterdir() if p.is_file() and p != real}
    found = []
    for path in folder.glob(f"{real.stem}-*.log"):
        matched = pattern.fullmatch(path.name)
        if matched and not (matched[1] and f"{real.stem}-{matched[1]}" in others):
            found.append(path)
    return sorted(found)
