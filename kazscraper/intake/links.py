"""A page's links: its ``href`` values, and the mirror-host addresses of articles among them.

``anchor_hrefs`` reads a page's links (bounded, by the HTML parser); ``Aliases`` reports
the mirror-host address of an article met in a link, once per run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice

from parsel import Selector
from scrapy.crawler import Crawler

from kazscraper.items import PageItem
from kazscraper.signals import alias_found
from kazscraper.sites import SiteProfile
from kazscraper.sites.urls import canonical_url, classify_url
from kazscraper.urls import join_url

MAX_LINKS_PER_PAGE = 5_000  # links read from one page (KAZSCRAPER_MAX_LINKS_PER_PAGE)


def anchor_hrefs(html: str, limit: int = MAX_LINKS_PER_PAGE) -> list[str]:
    """The first ``limit`` distinct ``href`` values of ``<a>`` tags, in page order.

    Read by the HTML parser (linear in the page's size, which the download limit
    caps), never by a regex over the markup: a regex can backtrack for minutes on
    a hostile page (``<a `` repeated).
    """
    if not html.strip():
        return []
    hrefs = (h.strip() for h in Selector(text=html).xpath("//a/@href").getall())
    return list(islice(dict.fromkeys(h for h in hrefs if h), limit))


@dataclass
class Aliases:
    """The mirror-host addresses of the site's articles met this run, each told to the
    archive once (the ``alias_found`` signal): ``image.qazdauiri.kz/news/x`` is another
    address of ``qazdauiri.kz/news/x``."""

    profile: SiteProfile
    reported: set[str] = field(default_factory=set)

    def report(self, crawler: Crawler, url: str, canonical: str | None = None) -> None:
        """Report ``url`` (an article URL; ``canonical``: its canonical URL, if known)."""
        canonical = canonical or canonical_url(url, self.profile)
        alias = canonical_url(url, self.profile, map_mirrors=False)
        if alias != canonical and alias not in self.reported:
            self.reported.add(alias)
            crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)

    def report_links(self, crawler: Crawler, page: PageItem, hrefs: Iterable[str]) -> None:
        """Report the article links among ``hrefs`` (read from ``page``)."""
        for href in hrefs:
            url = join_url(page.url, href)  # None: a link urllib cannot parse, skipped
            if url is not None and classify_url(url, self.profile) == "article":
                self.report(crawler, url)
