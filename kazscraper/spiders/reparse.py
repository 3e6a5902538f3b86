"""The reparse spider: article pages read back from the WARC files, no network.

It yields the same items the news spider yields (a ``PageItem`` per archived
article response, ``NotModified`` for a 304 revisit), in capture order, so the
unchanged pipelines rebuild the article tables from the raw archive alone:
after an extractor fix, ``kazscraper reparse`` improves every stored article.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from parsel import Selector
from w3lib.encoding import html_to_unicode

from kazscraper.clean.encoding import UndecodablePage, decode_page
from kazscraper.clean.urls import canonical_url, classify_url, join_url
from kazscraper.items import NotModified, PageItem
from kazscraper.signals import alias_found, page_failed
from kazscraper.sites import SiteProfile, get_profile
from kazscraper.warc import DEFAULT_RECORD_MAX, StoredPage, read_captures


class ReparseSpider(scrapy.Spider):
    name = "reparse"
    dedup_within_run = False  # captures of one URL over several crawls are its versions
    fetches_pages = False  # no network: a run without HTTP responses is not a failure

    def __init__(
        self,
        warc_dir: str,
        warc_name: str | None = None,
        site: str = "qazdauiri",
        origin: str | None = None,
        mirrors: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        profile: SiteProfile = get_profile(site)
        if origin:
            profile = profile.rebased(origin, tuple(m for m in mirrors.split(",") if m))
        self.profile = profile
        self.warc_dir = warc_dir
        self.warc_name = warc_name  # only this archive's files (others may share the folder)
        self.reported: set[str] = set()

    async def start(self) -> AsyncIterator[PageItem | NotModified]:
        max_bytes = self.settings.getint("DOWNLOAD_MAXSIZE") or DEFAULT_RECORD_MAX
        for page in read_captures(self.warc_dir, max_bytes, self.on_skipped, self.warc_name):
            self.report_aliases(page)
            item = self.item_for(page)
            if item is not None:
                self.crawler.stats.inc_value("kazscraper/reparse/records")
                yield item

    def on_skipped(self, kind: str, where: str, reason: str) -> None:
        """A WARC record that cannot be read back (damaged) or is larger than the download
        limit (a gzip bomb the crawl refused): counted, logged, and reading goes on."""
        self.crawler.stats.inc_value(f"kazscraper/reparse/{kind}")
        self.logger.error("WARC record skipped (%s): %s: %s", kind, where, reason)

    def report_aliases(self, page: StoredPage) -> None:
        """Mirror-host links in the captured page, as the crawl reported them."""
        if not (200 <= page.capture.status < 300 and "html" in (page.capture.content_type or "")):
            return
        _, html = html_to_unicode(page.capture.content_type, page.body)
        for href in Selector(text=html).css("a::attr(href)").getall():
            url = join_url(page.capture.url, href.strip())
            if url is None or classify_url(url, self.profile) != "article":
                continue
            alias = canonical_url(url, self.profile, map_mirrors=False)
            canonical = canonical_url(url, self.profile)
            if alias != canonical and alias not in self.reported:
                self.reported.add(alias)
                self.crawler.signals.send_catch_log(alias_found, url=alias, canonical=canonical)

    def item_for(self, page: StoredPage) -> PageItem | NotModified | None:
        capture = page.capture
        if classify_url(capture.url, self.profile) != "article":
            return None
        if capture.status == 304:
            return NotModified(
                url=canonical_url(capture.url, self.profile), fetched_at=capture.fetched_at
            )
        if not 200 <= capture.status < 300:
            return None
        try:
            decoded = decode_page(page.body, capture.content_type or "")
        except UndecodablePage as exc:
            self.crawler.signals.send_catch_log(
                page_failed, url=capture.url, stage="decode", reason=str(exc), http_status=None
            )
            return None
        return PageItem(
            url=capture.url,
            html=decoded.text,
            encoding=f"{decoded.encoding} ({decoded.note})" if decoded.note else decoded.encoding,
            status=capture.status,
            fetched_at=capture.fetched_at,
            content_type=capture.content_type or "",
            etag=next((v for k, v in page.headers if k.lower() == "etag"), ""),
        )
