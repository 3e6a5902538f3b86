"""The records that travel through the pipeline.

``PageItem`` is what the spider yields: one fetched article page, raw. The
extract pipeline turns it into an ``Article`` (with ``Author`` and
``RelatedLink`` rows), which clean, validate, dedup and store refine and
write. Plain dataclasses with typed fields only (nothing travels between the
stages in an untyped dict): Scrapy handles them natively and the pure extraction
code can build them without importing Scrapy. ``kazscraper.intake`` makes every
``PageItem``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PageItem:
    """One fetched page as text; made by ``kazscraper.intake.page.page_item`` on every route."""

    url: str  # the URL the response came from (after redirects)
    html: str
    status: int = 200
    fetched_at: str = ""  # ISO-8601 UTC
    content_type: str = ""
    etag: str = ""  # the validator for the next visit's conditional GET
    encoding: str = ""  # the codec that decoded the page, with a note when its declaration lied
    site: str = ""  # the label of the crawl's site it belongs to ('': the crawl's main site)

    def __repr__(self) -> str:  # in log lines: never the whole page
        return f"PageItem(url={self.url!r}, status={self.status}, html=<{len(self.html)} chars>)"


@dataclass
class NotModified:
    """A revisit answered 304: the archived article is still current."""

    url: str  # canonical URL
    fetched_at: str


@dataclass
class Author:
    name: str  # display name in normal case: 'Ахметова Зауреш Болатхановна'
    surname: str | None = None
    given: str | None = None
    patronymic: str | None = None


@dataclass
class RelatedLink:
    kind: str  # 'similar' | 'top'
    rank: int
    url: str | None
    title: str
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    views: int | None = None


@dataclass
class Article:
    url: str  # canonical URL
    fetched_url: str  # the URL actually fetched (may be a mirror/alias)
    fetched_at: str
    title: str | None = None
    body: str | None = None
    lead: str | None = None
    published_date: str | None = None  # YYYY-MM-DD, site time zone
    published_at: str | None = None  # ISO-8601 with offset, when the time of day is known
    date_raw: str | None = None  # the text the date was read from
    modified_at: str | None = None
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    views: int | None = None
    language: str | None = None
    affiliation: str | None = None
    authors: list[Author] = field(default_factory=list)
    related: list[RelatedLink] = field(default_factory=list)
    # field name -> which layer gave it ('jsonld', 'meta', 'profile', 'signature', 'label', ...)
    # or why it is missing ('missing: ...')
    extraction: dict[str, str] = field(default_factory=dict)
    # the page's <link rel=canonical> (or og:url), absolute: a claim the clean stage weighs
    declared_canonical: str | None = None
    etag: str | None = None  # the response's validator, for the next visit's conditional GET
    site: str = ""  # the site's label in the archive (articles.site; '': the archive's default)

    @property
    def body_paragraphs(self) -> list[str]:
        return [p for p in (self.body or "").split("\n\n") if p]
