"""What every pipeline shares: the crawler, its stats and the run's configuration."""

from __future__ import annotations

from scrapy.crawler import Crawler

from kazscraper.crawler.config import RunConfig, run_config
from kazscraper.sites import SiteProfile, Sites


class CrawlerPipeline:
    """Built by Scrapy with the crawler; the run's sites and mode come from its
    ``RunConfig`` (``kazscraper.crawler.config``), never from the spider."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.config: RunConfig = run_config(crawler.settings)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlerPipeline:
        return cls(crawler)

    @property
    def profile(self) -> SiteProfile:
        """The run's main site's profile."""
        return self.config.profile

    @property
    def sites(self) -> Sites:
        """The run's sites."""
        return self.config.sites

    def profile_for(self, url: str, site: str = "") -> SiteProfile:
        """The profile of a record of site ``site`` (its label) fetched at ``url``."""
        return self.sites.profile_of(url, site)

    @property
    def dedup_within_run(self) -> bool:
        """False in a reparse, whose items are successive captures of the same pages: a
        second capture of a URL is then its later version."""
        return self.config.dedup_within_run
