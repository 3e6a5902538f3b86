"""Scrapy's log lines about items, each value capped: never a whole page in the log."""

from __future__ import annotations

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
        return self._capped(super().scraped(*args, **kwargs))
