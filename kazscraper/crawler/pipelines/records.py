"""What the last pipeline hands on: the archive records of items, drops and pipeline errors.

Both last pipelines (the local ``SinkPipeline`` and a Redis worker's ``QueuePipeline``)
make their records here, so a page ends as the same record in either mode.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem
from scrapy.http import Response
from twisted.python.failure import Failure

from kazscraper.archive.records import AliasRecord, ArticleRecord, FailureRecord, RevisitRecord
from kazscraper.crawler.spiders.news import redirected_failure
from kazscraper.items import Article, NotModified


class PageRejected(DropItem):
    """A fetched page that did not yield a valid article."""

    def __init__(self, url: str, stage: str, reason: str) -> None:
        super().__init__(f"{stage} failed for {url}: {reason}", log_level="WARNING")
        self.url, self.stage, self.reason = url, stage, reason


class DuplicatePage(DropItem):
    """A second page in this run whose canonical URL was already seen."""

    def __init__(self, url: str, canonical: str) -> None:
        super().__init__(f"duplicate of {canonical}: {url}", log_level="DEBUG")
        self.url, self.canonical = url, canonical


def item_record(item: Any) -> ArticleRecord | RevisitRecord | None:
    """An article (with the URL it was fetched at, when that is another address of it) or
    a revisit answered 304."""
    if isinstance(item, Article):
        return ArticleRecord(item, {item.fetched_url} - {item.url})
    if isinstance(item, NotModified):
        return RevisitRecord(item.url, item.fetched_at)
    return None


def dropped_record(
    response: Response | None, exception: Exception
) -> FailureRecord | AliasRecord | None:
    """What a dropped item leaves behind: a rejected page is a failure with its stage and
    reason, a duplicate page an alias of its canonical URL."""
    if isinstance(exception, PageRejected):
        status = response.status if response is not None else None
        url, reason = asked_url(response, exception.url, exception.reason)
        return FailureRecord(url, exception.stage, reason, status)
    if isinstance(exception, DuplicatePage):
        return AliasRecord(exception.url, exception.canonical)
    return None


def error_record(item: Any, response: Response | None, error: Failure) -> FailureRecord | None:
    """A pipeline that raised on ``item``: its URL is a failure (stage ``pipeline``) with
    the error, so no URL is lost to a bug."""
    url = getattr(item, "fetched_url", None) or getattr(item, "url", None)
    if not isinstance(url, str):
        return None
    status = response.status if response is not None else None
    exc = error.value
    url, reason = asked_url(response, url, f"{type(exc).__name__}: {exc}")
    return FailureRecord(url, "pipeline", reason, status)


def asked_url(response: Response | None, url: str, reason: str) -> tuple[str, str]:
    """(URL, reason) of a failure of the page fetched at ``url``: when the response came
    after redirects, the URL asked for (the one scheduled, and to account for) is the one
    that failed, and the reason says where the redirects led (as the spider's errback)."""
    try:
        hops = response.meta.get("redirect_urls") if response is not None else None
    except AttributeError:  # a response tied to no request (reparse reads WARC records)
        hops = None
    if hops and hops[0] == url:
        return url, reason
    return redirected_failure(hops, url, reason)
