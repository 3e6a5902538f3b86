"""robots.txt checked on every request, with its ``Crawl-delay`` as the host's least delay."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

logger = logging.getLogger(__name__)

#: RFC 9309 2.5: a crawler must parse at least the first 500 KiB; the rest is ignored
ROBOTS_PARSE_BYTES = 500 * 1024
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def robots_sitemaps(robotparser: Any) -> Iterator[str]:
    """The sitemap URLs a parsed robots.txt names (its ``Sitemap:`` lines), as Protego (the
    parser Scrapy uses, ``ProtegoRobotParser.rp``) reads them; none from another parser."""
    parsed = getattr(robotparser, "rp", None)
    sitemaps = getattr(parsed, "sitemaps", None)
    if sitemaps is None:
        return
    for url in sitemaps:
        if isinstance(url, str) and url.strip():
            yield url.strip()


class RobotsCrawlDelayMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, checking every request (start requests included:
    see ``robot_parser``), which also honours ``Crawl-delay``.

    A host's ``Crawl-delay`` (capped at ``KAZSCRAPER_CRAWL_DELAY_MAX`` seconds) becomes
    the least delay of its download slot, without random jitter (which would shorten
    half the gaps); AutoThrottle may lengthen the delay but never shortens it below that.

    A robots.txt that cannot be read fails closed (RFC 9309 2.3.1.4): a server error
    (5xx, after the retries) or no answer at all (a timeout, a reset, a file past the
    size cap) means complete disallow of its host for the run, said once in the log and
    counted in ``kazscraper/robots/unreadable``. Only 4xx means "no robots.txt, all
    allowed". Of a file that was read, the first ``ROBOTS_PARSE_BYTES`` are parsed.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_delay = crawler.settings.getfloat("KAZSCRAPER_CRAWL_DELAY_MAX", 30.0)
        self.delays: dict[str, float] = {}  # download slot -> least delay, seconds
        self.parsers: dict[str, RobotParser] = {}  # host -> its parsed robots.txt
        self.stats = crawler.stats
        # the user agent robots.txt is read for, as Scrapy's middleware chooses it
        self.robots_agent = crawler.settings["ROBOTSTXT_USER_AGENT"]
        self.default_agent = crawler.settings["USER_AGENT"]
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        # connected after AutoThrottle's handler: restores the floor it may have lowered
        crawler.signals.connect(self._keep_delay, signal=signals.response_downloaded)

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """The host's parsed robots.txt (None: it could not be fetched, all is allowed).

        Scrapy hands the parser to the first request that waited for robots.txt and None
        to the others waiting with it (one Deferred, several awaiting it): those went out
        unchecked (the feed, under ``Disallow: /``). Read it again from the parsers seen by
        the ``robots_parsed`` signal (sent before the waiting requests go on)."""
        parser = await super().robot_parser(request)
        if parser is None:
            parser = self.parsers.get(urlparse_cached(request).netloc)
        return parser

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._unreadable(netloc, f"HTTP {response.status}")
            response = response.replace(body=DISALLOW_ALL)
        elif len(response.body) > ROBOTS_PARSE_BYTES:
            self.stats.inc_value("kazscraper/robots/truncated")
            response = response.replace(body=response.body[:ROBOTS_PARSE_BYTES])
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        """No robots.txt could be read (Scrapy would allow all): disallow all instead."""
        if not isinstance(exc, IgnoreRequest):
            self.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self._unreadable(netloc, str(exc) or type(exc).__name__)
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        self.parsers[netloc] = parser
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(waiting, Deferred):
            waiting.callback(parser)

    def _unreadable(self, netloc: str, why: str) -> None:
        self.stats.inc_value("kazscraper/robots/unreadable")
        logger.error(
            "robots.txt of %s could not be read (%s): nothing is fetched from %s this run",
            netloc,
            why[:200],
            netloc,
        )

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        self.parsers[urlparse_cached(request).netloc] = robotparser
        agent = self.robots_agent or request.headers.get(b"User-Agent", self.default_agent)
        try:
            asked = robotparser.crawl_delay(agent)
        except (NotImplementedError, ValueError, TypeError):
            return
        if not asked or asked <= 0:
            return
        delay = min(float(asked), self.max_delay)
        key = self._downloader.get_slot_key(request)
        self.delays[key] = max(self.delays.get(key, 0.0), delay)
        self.stats.max_value("kazscraper/robots/crawl_delay", delay)
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
            self.stats.inc_value("kazscraper/robots/delayed_requests")
            self.stats.min_value("kazscraper/robots/min_slot_delay", slot_delay)
