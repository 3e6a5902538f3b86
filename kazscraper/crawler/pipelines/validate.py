"""Drops a page that lacks what makes an article (a title and a body)."""

from __future__ import annotations

from typing import Any

from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.items import Article

REQUIRED_FIELDS = ("title", "body")


class ValidatePipeline(CrawlerPipeline):
    """An article without a title or a body is a ``PageRejected`` that says which is missing."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
        if missing:
            reasons = "; ".join(
                f"{name}: {item.extraction.get(name, 'missing')}" for name in missing
            )
            raise PageRejected(item.fetched_url, "validate", f"not an article page ({reasons})")
        self.stats.inc_value("kazscraper/articles_valid")
        return item
