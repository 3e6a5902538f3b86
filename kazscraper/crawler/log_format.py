"""Scrapy's log lines about items, each value capped: never a whole page in the log."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter, LogFormatterResult

LOG_VALUE_MAX_CHARS = 500


def capped(value: Any, limit: int = LOG_VALUE_MAX_CHARS) -> str:
    """``str(value)``, cut to ``limit`` characters with the size of what was left out."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… [{len(text) - limit} more chars]"


class CappedLogFormatter(LogFormatter):
    """Scrapy's messages about items (dropped, failed, scraped), each value capped: an
    item carries a page's HTML (up to the 10 MB download limit), which a log must not."""

    def _capped(self, result: LogFormatterResult) -> LogFormatterResult:
        args = result.get("args") or {}
        if isinstance(args, dict):
            return {**result, "args": {k: capped(v) for k, v in args.items()}}
        return {**result, "args": tuple(capped(v) for v in args)}

    def dropped(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        return self._capped(super().dropped(*args, **kwargs))

    def item_error(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        return self._capped(super().item_error(*args, **kwargs))

    def scraped(self, *args: Any, **kwargs: Any) -> LogFormatterResult:
        result = super().scraped(*args, **kwargs)
        if not written(_SCRAPER_LOG, result.get("level", logging.DEBUG)):
            return result  # a DEBUG line no handler writes: not made text (each page's item)
        return self._capped(result)


_SCRAPER_LOG = logging.getLogger("scrapy.core.scraper")  # where Scrapy logs these lines


def written(logger: logging.Logger, level: int) -> bool:
    """Whether a record of ``level`` from ``logger`` reaches a handler that writes it (the
    root logger of a Scrapy run is NOTSET: its handler's level is what filters)."""
    if not logger.isEnabledFor(level):
        return False
    current: logging.Logger | None = logger
    while current is not None:
        if any(level >= handler.level for handler in current.handlers):
            return True
        current = current.parent if current.propagate else None
    return logging.lastResort is not None and level >= logging.lastResort.level
