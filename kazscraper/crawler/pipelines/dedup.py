"""Drops a second article with the same canonical URL within one run."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from kazscraper.archive import content_hash
from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.records import DuplicatePage
from kazscraper.crawler.url_set import FingerprintMap
from kazscraper.items import Article
from kazscraper.sites.url_rules import canonical_url


class DedupPipeline(CrawlerPipeline):
    """Drops a second article with the same canonical URL within one run, and refuses a
    declared canonical that names another article with different content.

    A page's URL is its declared canonical only when that names an article whose
    text this run has seen to be the same (then the page is an alias of it). Any
    other claim to another article's URL (not met yet, or met with another text)
    is refused: the page keeps its own URL, so it can neither replace that
    article's text nor be dropped as its duplicate. Identical texts under two URLs
    still end as one row: the archive makes the second an alias by content.

    A spider whose items are successive captures of the same pages (reparse)
    sets ``dedup_within_run = False``: there a second capture is a later version.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        # canonical URL -> its content hash's first 8 bytes, this run (fingerprints: flat)
        self.seen = FingerprintMap(8)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        digest = bytes.fromhex(content_hash(item.title, item.body)[:16])
        own = canonical_url(item.fetched_url, self.profile_for(item.fetched_url, item.site))
        if item.url != own and self.seen.get(item.url) != digest:
            self.stats.inc_value("kazscraper/canonical_refused")
            item.extraction["canonical"] = f"refused: {item.url} (another article's URL)"
            item.url = own
        if item.url in self.seen and self.dedup_within_run:
            self.stats.inc_value("kazscraper/duplicates")
            raise DuplicatePage(item.fetched_url, item.url)
        self.seen[item.url] = digest
        return item
