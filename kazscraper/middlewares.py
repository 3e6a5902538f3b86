"""Downloader middlewares: raw capture of every response into WARC files, retries,
redirects and meta refreshes within the site only, robots.txt with its Crawl-delay.

Placed next to the downloader (see ``settings.DOWNLOADER_MIDDLEWARES``), it
sees each response before decompression and writes it, with its request, to
the archive's WARC folder; the ``captures`` table indexes every record (written
through the run's archive owner, ``kazscraper.extension``). The
capture time is passed to the spider in ``request.meta["fetched_at"]`` so the
archive rows and the raw records carry the same timestamp.
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import suppress
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.robotstxt import RobotParser
from scrapy.settings import BaseSettings
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import get_meta_refresh, response_status_message
from twisted.internet.defer import Deferred
from twisted.internet.task import deferLater

from kazscraper.archive import Archive
from kazscraper.download import headers_too_large
from kazscraper.extension import archive_of
from kazscraper.intake.page import header_pairs
from kazscraper.signals import stop_on_archive_error
from kazscraper.sites.urls import is_site_url
from kazscraper.urls import urlsplit as safe_urlsplit
from kazscraper.warc.index import reindex_captures
from kazscraper.warc.records import Capture, Exchange
from kazscraper.warc.recovery import recover_open_files
from kazscraper.warc.writer import WarcArchiver

CAPTURE_BATCH = 200

logger = logging.getLogger(__name__)


def warc_directory(db_path: str | Path) -> Path:
    """The WARC folder beside the archive file (the real one, if ``db_path`` is a symlink)."""
    return Path(db_path).resolve().parent / "warc"


def warc_name(db_path: str | Path) -> str:
    """The prefix of the archive's WARC file names: its real file's stem."""
    return Path(db_path).resolve().stem


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("KAZSCRAPER_WARC", True) or not settings.get("KAZSCRAPER_DB"):
            raise NotConfigured("raw capture is off")
        self.crawler = crawler
        self.db_path = settings.get("KAZSCRAPER_DB")
        self.max_bytes = settings.getint("KAZSCRAPER_WARC_MAX_BYTES")
        self.archiver: WarcArchiver | None = None
        self.archive: Archive | None = None
        # this run's response captures not yet in the captures table (earlier ones: looked up)
        self.unflushed: dict[str, Capture] = {}
        self.pending: list[Capture] = []
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def opened(self, spider: Spider) -> None:
        directory, name = warc_directory(self.db_path), warc_name(self.db_path)
        recover_open_files(directory, name)  # a killed run's last file (this archive's only)
        self.archiver = WarcArchiver(directory, name, self.max_bytes)
        owner = archive_of(self.crawler)
        self.archive = owner.archive if owner is not None else None
        if self.archive is not None:  # the rows a killed run had not written yet
            try:
                added = reindex_captures(self.archive, directory, name)
            except (sqlite3.Error, OSError) as exc:
                self.archive = None
                self._failed("captures index", exc)
                return
            if added:
                logger.warning("re-indexed %d WARC records missing from captures", added)
            self.crawler.stats.set_value("kazscraper/warc/reindexed", added)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.archiver is None:
            return response
        fetched_at = datetime.now(UTC)
        exchange = Exchange(
            url=response.url,
            method=request.method,
            request_headers=header_pairs(request.headers),
            status=response.status,
            response_headers=header_pairs(response.headers),
            body=response.body,
            fetched_at=fetched_at,
        )
        try:
            capture = self.archiver.write(exchange, self._previous(response.url))
        except OSError as exc:  # disk full, read-only folder: stop, as for the SQLite file
            self._failed("WARC", exc)
            return response
        if capture.record_type == "response":
            self.unflushed[response.url] = capture
        self.pending.append(capture)
        request.meta["fetched_at"] = capture.fetched_at
        self.crawler.stats.inc_value(f"kazscraper/warc/{capture.record_type}")
        if len(self.pending) >= CAPTURE_BATCH:
            self.flush()
        return response

    def _failed(self, where: str, exc: BaseException) -> None:
        self.archiver, archiver = None, self.archiver
        if archiver is not None:
            with suppress(OSError):
                archiver.close()
        stop_on_archive_error(self.crawler, where, exc)

    def _previous(self, url: str) -> Capture | None:
        """The latest full capture of ``url``, for a revisit record: one indexed lookup, so
        memory does not grow with the archive."""
        if url in self.unflushed:
            return self.unflushed[url]
        return self.archive.latest_capture(url) if self.archive is not None else None

    def flush(self) -> None:
        if self.archive is not None and self.pending:
            try:
                self.archive.add_captures(self.pending)
            except sqlite3.Error as exc:
                self.archive = None
                self._failed("captures index", exc)
            self.pending = []
            self.unflushed = {}

    def closed(self) -> None:
        self.flush()
        if self.archiver is not None:
            try:
                self.archiver.close()
            except OSError as exc:
                self._failed("WARC", exc)
        self.archive = None  # closed by the archive extension


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a pause before each: ``Retry-After`` when the server sends one
    (429, 503), else exponential back-off (``KAZSCRAPER_RETRY_BACKOFF`` × 2^n seconds).

    A ``Retry-After`` longer than ``KAZSCRAPER_RETRY_AFTER_MAX`` is not waited for in this
    run: the URL is given up, recorded in ``failures``, and tried again on the next run.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff = settings.getfloat("KAZSCRAPER_RETRY_BACKOFF", 1.0)
        self.max_wait = settings.getfloat("KAZSCRAPER_RETRY_AFTER_MAX", 120.0)

    def _will_retry(self, request: Request) -> bool:
        limit = request.meta.get("max_retry_times", self.max_retry_times)
        return not request.meta.get("dont_retry", False) and request.meta.get(
            "retry_times", 0
        ) < int(limit)

    async def _pause(self, seconds: float) -> None:
        from twisted.internet import reactor

        if seconds > 0:
            await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))

    # Scrapy (2.13+) also takes a coroutine process_response; RetryMiddleware's is typed sync
    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status not in self.retry_http_codes or not self._will_retry(request):
            return response
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        if wait is None:
            wait = self.backoff * 2 ** request.meta.get("retry_times", 0)
        elif wait > self.max_wait:
            self.crawler.stats.inc_value("kazscraper/retry_after_too_long")
            return response  # given up for this run: the next run retries it
        self.crawler.stats.inc_value("kazscraper/retry_wait_ms", int(wait * 1000))
        await self._pause(wait)
        return self._retry(request, response_status_message(response.status)) or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if (too_large := headers_too_large(exception)) is not None:
            # the same server sends the same headers again: recorded at once, in words
            self.crawler.stats.inc_value("kazscraper/headers_too_large")
            raise IgnoreRequest(f"{too_large}: not read")
        if not isinstance(exception, self.exceptions_to_retry) or not self._will_retry(request):
            return None
        await self._pause(self.backoff * 2 ** request.meta.get("retry_times", 0))
        return self._retry(request, exception)


def retry_after_seconds(value: bytes | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date (RFC 9110); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def off_site(crawler: Crawler, url: str) -> bool:
    """True when ``url`` is not on one of the site's own origins (the canonical host or a
    known mirror, port included): another port of the same host, or a subdomain that is not
    a known mirror, is off the site."""
    sites = getattr(crawler.spider, "sites", None)
    if sites is not None and len(sites) > 1:  # several sites: off every one of them
        return sites.for_url(url) is None
    profile = getattr(crawler.spider, "profile", None)
    if profile is not None:
        return not is_site_url(url, profile)
    allowed = getattr(crawler.spider, "allowed_domains", None) or ()
    host = (urlsplit(url).hostname or "").lower()
    return bool(allowed) and host not in allowed


def _site_only(crawler: Crawler, request: Request, result: Request | Response, what: str) -> Any:
    """A redirect (``what``) to another site refused; one within the site not filtered as a
    duplicate, so a loop ends at ``REDIRECT_MAX_TIMES`` with an error instead of vanishing."""
    if isinstance(result, Request) and result is not request:
        if off_site(crawler, result.url):
            crawler.stats.inc_value("kazscraper/offsite_redirects")
            raise IgnoreRequest(f"{what} off the site refused: {result.url}")
        result.dont_filter = True
    return result


class LoopSafeRedirectMiddleware(RedirectMiddleware):
    """Redirects within the site only, and loops that end in a recorded error.

    A redirect off the site's origins (``off_site``) is refused (IgnoreRequest,
    recorded as a failure of the URL asked for). Redirect hops are not dropped as
    duplicates, so that a loop (A → B → A) ends at ``REDIRECT_MAX_TIMES`` with an
    error, instead of vanishing silently when the duplicate filter drops the hop
    back to A.
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        redirecting = response.status in (301, 302, 303, 307, 308)  # as Scrapy's (not 304)
        location = response.headers.get(b"Location") if redirecting else None
        if location and not request.meta.get("dont_redirect"):
            # Scrapy hands a redirect to file:, data:, ftp: back as the 3xx response
            # ('HTTP 302'); it is a redirect off the site like any other, and said so
            target = location.decode("latin-1").strip()
            if safe_urlsplit(target).scheme.lower() not in ("", "http", "https"):
                self.crawler.stats.inc_value("kazscraper/offsite_redirects")
                raise IgnoreRequest(f"redirect off the site refused: {target[:200]}")
        result = super().process_response(request, response)
        return _site_only(self.crawler, request, result, "redirect")


class SiteMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Meta refresh, under the same rules as HTTP redirects (``LoopSafeRedirectMiddleware``).

    A refresh to the page itself (a page that reloads every few minutes) is not a
    redirect: the page is the response. A refresh off the site is refused with a
    recorded reason; a loop ends at ``REDIRECT_MAX_TIMES``. A refresh to a
    ``javascript:`` URL is not followed (Scrapy's rule): the page is the response.
    """

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if isinstance(response, HtmlResponse):
            _interval, url = get_meta_refresh(response, ignore_tags=self._ignore_tags)
            if url and (
                urldefrag(url)[0] == urldefrag(request.url)[0]
                or urlsplit(url).scheme.lower() not in ("http", "https")
            ):
                return response
        result = super().process_response(request, response)
        return _site_only(self.crawler, request, result, "meta refresh")


class RobotsCrawlDelayMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, checking every request (start requests included:
    see ``robot_parser``), which also honours ``Crawl-delay``.

    A host's ``Crawl-delay`` (capped at ``KAZSCRAPER_CRAWL_DELAY_MAX`` seconds) becomes
    the least delay of its download slot, without random jitter (which would shorten
    half the gaps); AutoThrottle may lengthen the delay but never shortens it below that.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_delay = crawler.settings.getfloat("KAZSCRAPER_CRAWL_DELAY_MAX", 30.0)
        self.delays: dict[str, float] = {}  # download slot -> least delay, seconds
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        # connected after AutoThrottle's handler: restores the floor it may have lowered
        crawler.signals.connect(self._keep_delay, signal=signals.response_downloaded)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parsed robots.txt (None: it could not be fetched, all is allowed).

        Scrapy hands the parser to the first request that waited for robots.txt and None
        to the others waiting with it (one Deferred, several awaiting it): those went out
        unchecked (the feed, under ``Disallow: /``). Read it again from the cache."""
        parser = await super().robot_parser(request)
        if parser is None:
            cached = self._parsers.get(urlparse_cached(request).netloc)
            if not isinstance(cached, Deferred):
                parser = cached
        return parser

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        agent = self._robotstxt_useragent or request.headers.get(
            b"User-Agent", self._default_useragent
        )
        try:
            asked = robotparser.crawl_delay(agent)
        except (NotImplementedError, ValueError, TypeError):
            return
        if not asked or asked <= 0:
            return
        delay = min(float(asked), self.max_delay)
        key = self._downloader.get_slot_key(request)
        self.delays[key] = max(self.delays.get(key, 0.0), delay)
        self._stats.max_value("kazscraper/robots/crawl_delay", delay)
        self._enforce(key)

    @property
    def _downloader(self) -> Any:
        assert self.crawler.engine is not None
        return self.crawler.engine.downloader

    def _enforce(self, key: str) -> float | None:
        """Raise the slot's delay to the host's crawl delay; the slot's delay, if it has one."""
        delay = self.delays.get(key)
        if delay is None:
            return None
        downloader = self._downloader
        # a slot dropped when idle is created again with these (Scrapy's DOWNLOAD_SLOTS)
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is None:
            return delay
        slot.delay = max(slot.delay, delay)
        slot.jitter = 0.0
        return slot.delay

    def _keep_delay(self, response: Response, request: Request, spider: Spider) -> None:
        key = request.meta.get("download_slot")
        if key is not None:
            self._enforce(key)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        await super().process_request(request)
        slot_delay = self._enforce(self._downloader.get_slot_key(request))
        if slot_delay is not None:
            self._stats.inc_value("kazscraper/robots/delayed_requests")
            self._stats.min_value("kazscraper/robots/min_slot_delay", slot_delay)
