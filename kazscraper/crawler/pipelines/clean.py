"""Cleans each article and counts the fields it yielded (the health check's input)."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from kazscraper.archive.values import storable_article
from kazscraper.clean.article import clean_article
from kazscraper.crawler.pipelines.base import CrawlerPipeline
from kazscraper.crawler.pipelines.extract_pool import extract_workers
from kazscraper.crawler.verdict import REPORTED_FIELDS, site_stats_prefix
from kazscraper.items import Article


class CleanPipeline(CrawlerPipeline):
    """Cleans, and counts which fields each article page yielded (the health check's input).

    With extraction workers the worker has cleaned the article already (``extract_workers``
    says so to both stages): then this stage only makes it storable and counts."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.cleaned_upstream = extract_workers(crawler.settings) > 0

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        profile = self.profile_for(item.fetched_url, item.site)
        article = item if self.cleaned_upstream else clean_article(item, profile)
        # what SQLite cannot store (a lone surrogate, a 2^70 counter) is made storable here,
        # once per page: before dedup hashes the text, a worker sends it as JSON and the
        # sink writes it (which then does not check again)
        if storable_article(article):
            self.stats.inc_value("kazscraper/values_made_storable")
        # several sites: each site's counts too, for its own health check (verdict.py)
        prefixes = ["kazscraper/"]
        if len(self.sites) > 1:  # its pages counted by ExtractPipeline, as the whole run's
            prefixes.append(site_stats_prefix(profile.label))
        for name in REPORTED_FIELDS:
            if getattr(article, name):
                layer = article.extraction.get(name, "").split(" ")[0]
                for prefix in prefixes:
                    self.stats.inc_value(f"{prefix}filled/{name}")
                    self.stats.inc_value(f"{prefix}layer/{name}:{layer}")
        return article
