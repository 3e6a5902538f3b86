"""Which WARC files are an archive's: their names, the owner their warcinfo names, their lock.

Archives in one folder share its ``warc/`` folder: an archive's files are those
named after it (``<name>-<14 digits>-<5 digits>.warc.gz``, see ``own_files``), and
the files of the workers of a Redis crawl into it (``<name>-<worker>-<14 digits>-<5
digits>.warc.gz``, see ``warc_files``). A name alone can be read two ways (the worker
``w1`` of archive ``press`` and the archive ``press-w1`` write the same names), so each
file says whose it is in its first record (the ``warcinfo`` fields
``kazscraper-archive`` and ``kazscraper-worker``), and a file that says so belongs to
that archive and writer only; a file without them is judged by its name. A writer
holds an exclusive ``flock`` on the file it is writing (``in_use``).
"""

from __future__ import annotations

import fcntl
import re
from pathlib import Path
from typing import NamedTuple

from kazscraper.warc.limits import DAMAGED, archive_iterator

OPEN_SUFFIX = ".open"
#: the warcinfo fields naming a file's archive and (a Redis crawl's) worker
ARCHIVE_FIELD = "kazscraper-archive"
WORKER_FIELD = "kazscraper-worker"
#: a worker's name in file names (``kazscraper.distributed.worker.safe_worker_name``)
WORKER_NAME = r"[A-Za-z0-9_-]{1,64}"
_STAMP = r"(\d{14})-(\d{5})"
_INFO_MAX = 64 * 1024  # a warcinfo record is a few fields


class WarcFile(NamedTuple):
    """One WARC file of an archive: whose it is and where it stands in its writer's run."""

    path: Path
    worker: str | None  # None: the archive's own (a local crawl); else a Redis worker
    stamp: str  # ``<14 digits>-<5 digits>``: when its writer opened it, and its number


def file_owner(path: Path) -> tuple[str | None, str | None] | None:
    """(archive, worker) as the file's warcinfo record names them, or None when it names
    no archive (a file written before the fields existed, an empty or unreadable one)."""
    try:
        with open(path, "rb") as fh:
            for record in archive_iterator(fh):
                if record.rec_type != "warcinfo":
                    return None
                text = record.content_stream().read(_INFO_MAX).decode("utf-8", "replace")
                fields = dict(
                    (k.strip(), v.strip())
                    for k, _, v in (line.partition(":") for line in text.splitlines())
                )
                archive = fields.get(ARCHIVE_FIELD)
                return (archive, fields.get(WORKER_FIELD) or None) if archive else None
    except (*DAMAGED, UnicodeError):
        return None
    return None


def warc_files(
    directory: str | Path, name: str, suffix: str = ".warc.gz", workers: bool = True
) -> list[WarcFile]:
    """The WARC files of the archive called ``name``: its own and (``workers``) those of
    the workers of its Redis crawls, each in its writer's order. A file whose warcinfo
    names another archive or another writer is not the archive's, whatever its name."""
    own = re.compile(re.escape(name) + "-" + _STAMP + re.escape(suffix))
    of_worker = re.compile(re.escape(name) + f"-({WORKER_NAME})-" + _STAMP + re.escape(suffix))
    found = []
    for path in Path(directory).glob(f"*{suffix}"):
        local, worker = own.fullmatch(path.name), of_worker.fullmatch(path.name)
        if not local and not (workers and worker):
            continue
        owner = file_owner(path)
        if local and owner in (None, (name, None)):
            found.append(WarcFile(path, None, f"{local[1]}-{local[2]}"))
        elif workers and worker and owner in (None, (name, worker[1])):
            found.append(WarcFile(path, worker[1], f"{worker[2]}-{worker[3]}"))
    return sorted(found, key=lambda f: (f.worker or "", f.stamp, f.path.name))


def own_files(directory: str | Path, name: str | None, suffix: str = ".warc.gz") -> list[Path]:
    """The WARC files of the archive called ``name`` (as ``WarcArchiver`` names them, its
    own, not its workers'), in order; every ``*.warc.gz`` file when ``name`` is None."""
    if name is None:
        return sorted(Path(directory).glob(f"*{suffix}"))
    return [f.path for f in warc_files(directory, name, suffix, workers=False)]


def in_use(path: Path) -> bool:
    """A live process holds the file (``WarcArchiver`` locks the file it writes)."""
    try:
        with open(path, "rb") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
    except FileNotFoundError:
        return False
    return False


def files_in_use(directory: str | Path, name: str) -> list[Path]:
    """The archive's ``.open`` files (its own and its workers') that a live process is
    writing now."""
    files = warc_files(directory, name, f".warc.gz{OPEN_SUFFIX}")
    return [f.path for f in files if in_use(f.path)]
