"""Retries with a pause before each: ``Retry-After`` when sent, else exponential back-off."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.exceptions import CannotResolveHostError, IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.response import response_status_message
from twisted.internet.error import DNSLookupError

from kazscraper.crawler.http_handler import headers_too_large


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, with a pause before each: ``Retry-After`` when the server sends one
    (429, 503), else exponential back-off (``KAZSCRAPER_RETRY_BACKOFF`` × 2^n seconds).

    A ``Retry-After`` longer than ``KAZSCRAPER_RETRY_AFTER_MAX`` is not waited for in this
    run: the URL is given up, recorded in ``failures``, and tried again on the next run.

    The pause is the site's, not the request's: the site's download slot is held for it
    (``SiteSlotDownloader.hold``: politeness per site) and the retry is returned at once, so
    no request waits inside the downloader, holding one of ``CONCURRENT_REQUESTS`` while
    another site's requests wait behind it, and nothing blocks the reactor.

    A host name that does not resolve is not retried: the answer is known at the first try
    (offline, or a typo in ``--start-url``), and retrying it only delayed the verdict (~40 s).
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

    def retry_request(self, request: Request, reason: str | Exception) -> Request | None:
        """The retry of ``request`` (None once its retries are used up), as Scrapy's
        ``RetryMiddleware`` builds it: through the public ``get_retry_request``."""
        assert self.crawler.spider is not None
        return get_retry_request(
            request,
            reason=reason,
            spider=self.crawler.spider,
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
            give_up_log_level=request.meta.get("give_up_log_level", self.give_up_log_level),
        )

    def _pause(self, request: Request, seconds: float) -> None:
        """Hold ``request``'s site for ``seconds``: its slot starts nothing until then (the
        retry included). A downloader without slot holds (a Redis worker's own) is not held."""
        engine = self.crawler.engine
        hold = getattr(engine.downloader, "hold", None) if engine is not None else None
        if hold is not None and seconds > 0:
            hold(request, seconds)

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
        self._pause(request, wait)
        return self.retry_request(request, response_status_message(response.status)) or response

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if (too_large := headers_too_large(exception)) is not None:
            # the same server sends the same headers again: recorded at once, in words
            self.crawler.stats.inc_value("kazscraper/headers_too_large")
            raise IgnoreRequest(f"{too_large}: not read")
        if isinstance(exception, CannotResolveHostError | DNSLookupError):
            self.crawler.stats.inc_value("kazscraper/dns_not_retried")
            return None
        if not isinstance(exception, self.exceptions_to_retry) or not self._will_retry(request):
            return None
        self._pause(request, self.backoff * 2 ** request.meta.get("retry_times", 0))
        return self.retry_request(request, exception)


def retry_after_seconds(value: bytes | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date (RFC 9110); None if absent/bad."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isascii() and text.isdigit():  # '²' and '٣' are digits to str, not to float()
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())
