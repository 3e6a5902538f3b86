"""Where a run logs: its log file, and errors on stderr one line each (cron's mail)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

from kazscraper.crawler.archive_files import default_log_file
from kazscraper.crawler.log_format import capped

__all__ = ["OneLineFormatter", "console_handler", "default_log_file", "setup_store_logging"]


class OneLineFormatter(logging.Formatter):
    """``kazscraper <command>: error: <first line of the message>``, capped: stderr (cron's
    mail) gets one line per error; the traceback stays in the run's log file."""

    def __init__(self, command: str) -> None:
        super().__init__()
        self.command = command

    def format(self, record: logging.LogRecord) -> str:
        lines = record.getMessage().strip().splitlines() or [""]
        level = "error" if record.levelno >= logging.ERROR else record.levelname.lower()
        return f"kazscraper {self.command}: {level}: {capped(lines[0], 300)}"


def console_handler(stream: TextIO, command: str = "crawl") -> logging.Handler:
    handler = logging.StreamHandler(stream)
    handler.setLevel(logging.ERROR)
    handler.setFormatter(OneLineFormatter(command))
    return handler


def setup_store_logging(log_file: str, level: str) -> None:
    """``kazscraper store``'s log: everything at ``level`` into ``log_file``, errors on
    stderr in one line each (as for a crawl)."""
    Path(log_file).parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.setLevel(level.upper())
    root.addHandler(handler)
    root.addHandler(console_handler(sys.stderr, "store"))
