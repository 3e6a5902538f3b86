"""Drops a page that lacks what makes an article (a title and a body)."""

from __future__ import annotations

from typing import Any

from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.records import PageRejected
from kazscraper.items import Article
from kazscraper.sites.url_rules import learned_only

REQUIRED_FIELDS = ("title", "body")
LEARNED_ONLY = (
    "not an article page (an article by the learned URL pattern alone, and the learned body "
    "rule finds no body in it)"
)


class ValidatePipeline(CrawlerPipeline):
    """An article without a title or a body is a ``PageRejected`` that says which is missing;
    so is a page that is an article only by a learned URL pattern (the generic rules call it
    a listing or nothing: ``url_rules.learned_only``) whose body the learned body rule did not
    find: a pattern too broad stores no section or about page as an article."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
        if missing:
            reasons = "; ".join(
                f"{name}: {item.extraction.get(name, 'missing')}" for name in missing
            )
            raise PageRejected(item.fetched_url, "validate", f"not an article page ({reasons})")
        profile = self.profile_for(item.url, item.site)
        by_rule = not profile.selectors.body or item.extraction.get("body") == "profile"
        if not by_rule and learned_only(item.url, profile):  # a learned pattern too broad
            raise PageRejected(item.fetched_url, "validate", LEARNED_ONLY)
        self.stats.inc_value("kazscraper/articles_valid")
        return item
