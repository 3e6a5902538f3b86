"""The run's configuration: what every component of one crawl or reparse needs to know.

The runner (``kazscraper.crawler.runner``) builds one ``RunConfig`` from the CLI's options
and puts it in the crawler's settings (``RUN_CONFIG``); the spiders, the archive owner,
the extensions, the middlewares and the schedulers read it in ``from_crawler`` with
``run_config(crawler.settings)``. The spider is not a configuration object: nothing reads
a run's sites, rules or mode from its attributes.

A reparse is a *mode* of the configuration (``mode="reparse"``), as is a Redis worker's
run (``mode="worker"``). In a reparse no page is fetched,
captures of one URL over several crawls are its versions (not duplicates within the
run), and no article URL is scheduled, so none is accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from kazscraper.crawler.frontier import Rules
from kazscraper.sites import SiteProfile, Sites

#: the Scrapy setting that carries the run's ``RunConfig``
RUN_CONFIG = "KAZSCRAPER_RUN"

#: crawl: a local crawl; worker: one worker of a Redis crawl (its shared frontier may
#: give it nothing to fetch); reparse: the WARC files read back, nothing fetched
Mode = Literal["crawl", "worker", "reparse"]


@dataclass(frozen=True)
class RunConfig:
    """One run: its sites (profiles, start URLs), its rules and its mode."""

    sites: Sites  # in order; the first is the run's main site
    rules: Rules = field(default_factory=Rules)  # the crawl's incremental rules, max_articles
    mode: Mode = "crawl"
    warc_dir: str | None = None  # reparse: the WARC folder read back
    warc_name: str | None = None  # reparse: only this archive's files (others may share it)
    warc_named: tuple[str, ...] = ()  # reparse: the files its captures table names

    @property
    def profile(self) -> SiteProfile:
        """The main site's profile (a one-site run's only one)."""
        return self.sites.first

    @property
    def profiles(self) -> list[SiteProfile]:
        """Every site's profile (the health check judges each site apart when several)."""
        return self.sites.profiles

    @property
    def label(self) -> str:
        """The run's sites as ``crawls.site`` names them: their labels, comma-separated."""
        return ",".join(self.sites.labels)

    @property
    def start_urls(self) -> list[str]:
        """Where discovery starts (each site's home page or start URL); none in a reparse."""
        return self.sites.start_urls() if self.fetches_pages else []

    @property
    def start_url(self) -> str | None:
        """The first start URL (the host a run that fetched nothing names), or None."""
        return next(iter(self.start_urls), None)

    @property
    def max_articles(self) -> int | None:
        """Articles scheduled before discovery ends (``--max-articles``), or None."""
        return self.rules.max_articles

    @property
    def fetches_pages(self) -> bool:
        """Pages come from the network (a crawl, a worker), not from the WARC files."""
        return self.mode != "reparse"

    @property
    def needs_responses(self) -> bool:
        """A run without HTTP responses has failed (a local crawl; a worker may be given
        nothing by the shared frontier, a reparse fetches nothing)."""
        return self.mode == "crawl"

    @property
    def dedup_within_run(self) -> bool:
        """A URL met twice in the run is a duplicate (in a reparse: another version)."""
        return self.mode != "reparse"

    @property
    def accounts_scheduled(self) -> bool:
        """Every article URL the run scheduled must end as an article or a failure."""
        return self.mode == "crawl"


def run_config(settings: BaseSettings) -> RunConfig:
    """The run's configuration in the crawler's ``settings``; ``NotConfigured`` when the
    crawler was not built by the runner (nor given one, as tests do)."""
    config = settings.get(RUN_CONFIG)
    if not isinstance(config, RunConfig):
        raise NotConfigured(f"no run configuration ({RUN_CONFIG}) in the crawler's settings")
    return config
