"""What every pipeline shares: the crawler, its stats and the crawl's site profiles."""

from __future__ import annotations

from scrapy.crawler import Crawler

from kazscraper.sites import SiteProfile, Sites, get_profile


class CrawlerPipeline:
    """Built by Scrapy with the crawler; the per-run configuration comes from the spider
    (read here only: ``profile``, ``sites``, ``dedup_within_run``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlerPipeline:
        return cls(crawler)

    @property
    def profile(self) -> SiteProfile:
        """The spider's profile (no spider, a pipeline alone: the default site's)."""
        found = getattr(self.crawler.spider, "profile", None)
        return found if isinstance(found, SiteProfile) else get_profile("qazdauiri")

    @property
    def sites(self) -> Sites:
        """The crawl's sites (a spider of one site: that one; no spider: the default site)."""
        found = getattr(self.crawler.spider, "sites", None)
        return found if isinstance(found, Sites) else Sites.single(self.profile)

    def profile_for(self, url: str, site: str = "") -> SiteProfile:
        """The profile of a record of site ``site`` (its label) fetched at ``url``."""
        return self.sites.profile_of(url, site)

    @property
    def dedup_within_run(self) -> bool:
        """False when the spider's items are successive captures of the same pages
        (reparse): a second capture of a URL is then its later version."""
        return bool(getattr(self.crawler.spider, "dedup_within_run", True))
