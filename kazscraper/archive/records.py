"""The typed records a crawl hands to the archive's sink (``archive.sink``).

A local crawl's store pipeline makes them from its items and signals; a Redis worker
makes the same records, sends them through Redis (``distributed.wire``) and the store
replays them into the same sink. Nothing else reaches the archive's write path during
a crawl.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kazscraper.items import Article
from kazscraper.warc.records import Capture


@dataclass
class ArticleRecord:
    """An article to store, with the other URLs that led to it (redirects, mirrors)."""

    article: Article
    aliases: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class RevisitRecord:
    """A revisit answered 304: the archived article at ``url`` is still current."""

    url: str
    fetched_at: str


@dataclass(frozen=True)
class AliasRecord:
    """``url`` is another address of the article stored (or to be stored) at ``canonical``."""

    url: str
    canonical: str


@dataclass(frozen=True)
class FailureRecord:
    """A URL that did not become an article, the stage that said so and why."""

    url: str
    stage: str
    reason: str
    http_status: int | None = None


@dataclass(frozen=True)
class CaptureRecord:
    """Where one fetched page lies in the WARC files (a ``captures`` row)."""

    capture: Capture


Record = ArticleRecord | RevisitRecord | AliasRecord | FailureRecord | CaptureRecord
