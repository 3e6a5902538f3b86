"""One run at a time per archive: the run lock, and the schema upgrade done under it.

``RunLock`` is an exclusive ``flock`` on ``<archive>.lock`` (released by the kernel even on
``kill -9``); a run takes it before anything else and upgrades the archive (migrations)
while it holds it, before Scrapy starts.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from kazscraper.archive import Archive
from kazscraper.crawler.archive_files import move_earlier_files


class AlreadyRunning(Exception):
    """Another run holds the archive's lock."""


class RunLock:
    """An exclusive ``flock`` on ``<archive>.lock``: released by the kernel even on kill -9.

    Beside the real file: a symlink or another spelling of the path takes the same lock.
    A hard link has a lock file of its own, so the archive file itself (its device and
    inode, whatever its name) is locked too, by a second ``flock`` (SQLite's own locks are
    ``fcntl`` locks, which ``flock`` does not touch on Linux)."""

    def __init__(self, db_path: str | Path) -> None:
        self.db = Path(db_path).resolve()
        self.path = Path(f"{self.db}.lock")
        self._fd: int | None = None
        self._db_fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(
                f"another kazscraper run (pid {holder}) is using {self.path.with_suffix('')}; "
                "exiting without crawling"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        try:
            self._db_fd = os.open(self.db, os.O_RDONLY)
        except OSError:  # no archive yet (nothing can link to it) or unreadable: the run says
            return self
        try:
            fcntl.flock(self._db_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise AlreadyRunning(
                f"another kazscraper run is using {self.db} under another name (a hard link); "
                "exiting without crawling"
            ) from None
        return self

    def release(self) -> None:
        if self._db_fd is not None:
            os.close(self._db_fd)  # closing drops its flock
            self._db_fd = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def queues_directory(db_path: str | Path) -> Path:
    """``<archive>.queues/``: the run's disk queue of requests, removed when it ends."""
    return Path(f"{Path(db_path).resolve()}.queues")


def upgrade(db_path: str | Path) -> None:
    """Create or upgrade the archive's schema; call it with the run lock held.

    Raises ``ArchiveError`` (one line for the CLI) when the file cannot be an archive. The
    files an earlier version kept beside it move into its folder (``archive_files``)."""
    Archive(db_path).close()
    move_earlier_files(db_path)


def upgrade_if_idle(db_path: str | Path) -> bool:
    """Upgrade the archive unless a run holds its lock (that run upgrades it itself)."""
    try:
        with RunLock(db_path):
            upgrade(db_path)
    except (AlreadyRunning, PermissionError):  # a run holds it; a folder we cannot write
        return False
    return True
