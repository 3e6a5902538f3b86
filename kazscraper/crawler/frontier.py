"""The crawl's rules: which URL to fetch, which to skip, when to stop walking a listing.

Pure code (no Scrapy, no SQLite): ``Frontier`` is given what the archive knows as plain
data (``ArchiveState``: archived article URLs with their publication date and ETag, the
frontier left by an unfinished run, earlier failures) and the run's ``Rules`` and
``Limits``, and answers each URL the spider discovers with a ``Decision``: fetch it as an
article (with the headers of a conditional GET when it is a revisit), as a listing page or
a sitemap, or skip it and why. The spider turns decisions into requests; nothing here
fetches or writes.

A crawl of several sites (``kazscraper.sites.Sites``) has one frontier: each URL is
classified and made canonical by the profile of the site it belongs to (by its host),
``max_articles`` counts the whole crawl.

The incremental rules, in one place:

- an archived article is fetched again only when it was published in the last
  ``revisit_days`` (with ``If-None-Match`` when its ETag is known), or with ``full``;
- a listing's pagination is walked until ``stop_after`` pages in a row bring no article the
  archive lacks (``full`` walks it all); with ``since``, listing items and sitemap entries
  dated before it are skipped, and a page of old items only ends the walk;
- whatever the mode, a pagination chain ends at its first page past the first that links
  no article *fresh* to this run's listings: one no listing page of this run linked before
  (a page past the last of a "load more" listing, whose only links are the site-wide top
  news and menus seen on every page, or an empty page);
- a site whose article URLs redirect to their trailing-slash twin is learned once: after
  the first such redirect, its articles are asked for with the slash (``request_url``);
- ``max_articles`` ends discovery once that many articles are scheduled;
- discovery is bounded (``Limits``): listing pages (each counted once, however many
  pages link it) and sitemaps per run, sitemap nesting,
  links read per page, and article requests per run (``max_articles_per_run``: a site
  whose every article links thousands of fresh article URLs would never let a run end);
  that one ends discovery as ``max_articles`` does, counting only articles fetched (an
  archived one skipped costs nothing: the next run goes on where this one stopped);
- every article scheduled is *awaited* until its response or error arrives; what is still
  awaited when the crawl goes idle was dropped unanswered and must become a failure;
- new article URLs are handed back in batches (``FRONTIER_FLUSH``) for the archive's
  ``frontier`` table, so a killed run resumes where it stopped.

Counters (``Frontier.counts``) name the crawl stats the spider keeps under ``kazscraper/``.
The set of scheduled URLs is behind a small interface (``ScheduledUrls``) so that it can
live somewhere other than this process's memory. The frontier's own per-URL state (scheduled,
awaited, listed, mirror aliases) is kept as 16-byte fingerprints (``url_set``), the
scheduled URLs themselves on disk: its memory does not grow by a URL's length per URL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Literal, NamedTuple, Protocol
from urllib.parse import parse_qs

from kazscraper.crawler.url_set import HOT_KEYS, FingerprintSet, ScheduledUrlSet
from kazscraper.extract.dates import find_date_in_text
from kazscraper.sites import SiteProfile, Sites
from kazscraper.sites.url_rules import (
    UrlKind,
    canonical_url,
    classify_url,
    contested,
    is_page_param,
    pagination_param,
    pagination_path,
)
from kazscraper.urls import urlsplit

FRONTIER_FLUSH = 200  # new article URLs per frontier write
CLASSIFY_CACHE = 10_000  # classified URLs kept (the cache is emptied when full: memory stays flat)
LISTING_DATE_CHARS = 500  # of a listing item's text searched for its date (--since)

Known = Mapping[str, tuple[str | None, str | None]]  # canonical URL -> (published, etag)


@dataclass(frozen=True)
class Limits:
    """Discovery bounds per run, whatever the site serves (each is a Scrapy setting)."""

    max_listing_pages: int = 10_000
    max_sitemaps: int = 1_000
    sitemap_max_depth: int = 3
    sitemap_max_bytes: int = 50 * 1024 * 1024
    sitemap_max_elements: int = 1_000_000  # elements read per sitemap or feed
    sitemap_max_loc: int = 2_048  # a sitemap entry's loc (sitemaps.org: under 2,048)
    max_links: int = 5_000
    # the longest URL scheduled (Scrapy's URLLENGTH_LIMIT: a longer request is dropped
    # unanswered by its URL length middleware); 0: no limit
    max_url_length: int = 2_083
    # article requests per run, after which discovery ends as with --max-articles; 0: none
    max_articles_per_run: int = 200_000

    @classmethod
    def from_settings(cls, get_int: Callable[[str, int], int]) -> Limits:
        """The limits from settings read by ``get_int(name, default)`` (``LIMIT_SETTINGS``)."""
        defaults = cls()
        return cls(**{k: get_int(s, getattr(defaults, k)) for k, s in LIMIT_SETTINGS.items()})


#: the Scrapy setting of each limit (defaults in settings.py, the same as ``Limits()``)
LIMIT_SETTINGS = {
    "max_listing_pages": "KAZSCRAPER_MAX_LISTING_PAGES",
    "max_sitemaps": "KAZSCRAPER_MAX_SITEMAPS",
    "sitemap_max_depth": "KAZSCRAPER_SITEMAP_MAX_DEPTH",
    "sitemap_max_bytes": "KAZSCRAPER_SITEMAP_MAX_BYTES",
    "sitemap_max_elements": "KAZSCRAPER_SITEMAP_MAX_ELEMENTS",
    "sitemap_max_loc": "KAZSCRAPER_SITEMAP_MAX_LOC",
    "max_links": "KAZSCRAPER_MAX_LINKS_PER_PAGE",
    "max_url_length": "URLLENGTH_LIMIT",
    "max_articles_per_run": "KAZSCRAPER_MAX_ARTICLES_PER_RUN",
}


@dataclass(frozen=True)
class Rules:
    """The run's incremental rules (``kazscraper crawl`` options)."""

    full: bool = False  # walk every page, revisit every archived article
    since: date | None = None  # skip listing items and sitemap entries dated before
    revisit_days: int = 7  # archived articles published in these last days are revisited
    stop_after: int = 2  # listing pages in a row with nothing new that end a pagination
    max_articles: int | None = None  # articles scheduled before discovery ends

    @classmethod
    def from_arguments(
        cls,
        full: bool | str = False,
        since: str | date | None = None,
        revisit_days: int | str = 7,
        stop_after: int | str = 2,
        max_articles: int | str | None = None,
    ) -> Rules:
        """The rules from spider arguments (``-a`` strings or the runner's values)."""
        return cls(
            full=full in (True, "1", "true", "True"),
            since=date.fromisoformat(since) if isinstance(since, str) and since else since or None,
            revisit_days=int(revisit_days),
            stop_after=int(stop_after),
            max_articles=int(max_articles) if max_articles not in (None, "", 0, "0") else None,
        )


@dataclass(frozen=True)
class ArchiveState:
    """What the archive knows at the start of a run, as plain data."""

    known: Known = field(default_factory=dict)  # archived article URLs (aliases too)
    frontier: Sequence[str] = ()  # found by a run that did not finish, not stored yet
    retries: Sequence[str] = ()  # article URLs that failed on an earlier run
    failed_discovery: Collection[str] = ()  # listings, sitemaps, feeds that failed before


class ScheduledUrls(Protocol):
    """The canonical article URLs scheduled in this crawl.

    A ``set`` serves one process; another store (shared by several workers) only needs
    these four operations.
    """

    def __contains__(self, url: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def add(self, url: str, /) -> None: ...


Kind = Literal["article", "listing", "sitemap"]

# why a URL is fetched or skipped (Decision.reason)
NEW = "new"
REVISIT = "revisit"
NOT_OURS = "not a page of the site"
NOT_AN_ARTICLE = "not an article link"
TOO_LONG = "URL longer than URLLENGTH_LIMIT"
SCHEDULED = "already scheduled"
KNOWN = "archived, outside the revisit window"
OLDER = "older than --since"
PAGINATION = "pagination link, decided at the end of the page"
DONE = "discovery done (--max-articles, KAZSCRAPER_MAX_ARTICLES_PER_RUN)"
LISTING_LIMIT = "listing page limit reached"
STOP_AFTER = "nothing new on --stop-after pages in a row"
CONVERGED = "no article link that earlier listing pages of this run did not have"

NO_HEADERS: Mapping[str, str] = MappingProxyType({})


class Decision(NamedTuple):
    """What to do with one discovered URL (a tuple: one is made for every link read)."""

    url: str  # canonical when the URL is the site's, else as given
    kind: Kind | None  # what it is (None: not a page of the site)
    fetch: bool
    reason: str
    headers: Mapping[str, str] = NO_HEADERS  # conditional GET of a revisit
    empty_run: int = 0  # listing: pages in a row with nothing new before this one
    depth: int = 1  # sitemap: nesting level (the first sitemap is 1)
    failure: bool = False  # a skip to record as a discovery failure (sitemap limits)
    alias: str | None = None  # another address of the article, to report once
    event: str | None = None  # the counter this decision added to (``Frontier.counts``)
    ask: str = ""  # the address to request, when not ``url``: with the slash the link had
    # an article by a learned pattern that the URL rules call a listing
    # (``url_rules.contested``): its links are read as a listing's too
    listing_too: bool = False

    @property
    def stop(self) -> bool:
        """Discovery is over: read nothing more of the current page. (A listing refused for
        it does not end the page: the page's pagination is still judged, as before.)"""
        return self.reason == DONE and self.kind != "listing"


@dataclass
class ListingPage:
    """One listing page being read: what it brought, for the pagination rule."""

    url: str
    empty_run: int = 0  # pages in a row before this one with nothing new
    new: int = 0  # fresh article links the archive lacks too
    fresh: int = 0  # article links no listing page of this run linked before
    old_items: int = 0  # listing items dated before --since
    next_pages: list[str] = field(default_factory=list)  # pagination links (same listing)


class Frontier:
    """The crawl's rules and bookkeeping for one run (see the module docstring)."""

    def __init__(
        self,
        profile: SiteProfile | Sites,
        rules: Rules | None = None,
        limits: Limits | None = None,
        *,
        scheduled: ScheduledUrls | None = None,
        today: date | None = None,
        classify_cache: int = CLASSIFY_CACHE,
        flush_every: int = FRONTIER_FLUSH,
    ) -> None:
        # the sites of the crawl: each URL is judged by its own site's profile
        self.sites = profile if isinstance(profile, Sites) else Sites.single(profile)
        self.profile = self.sites.first
        self.rules = rules or Rules()
        self.limits = limits or Limits()
        self.scheduled: ScheduledUrls = ScheduledUrlSet() if scheduled is None else scheduled
        self._today = today  # None: the UTC date at each decision
        self.known: Known = {}
        self.resumed: Sequence[str] = ()
        self.retries: Sequence[str] = ()
        self._failed_discovery: set[str] = set()
        self.awaited = FingerprintSet()  # scheduled, fetched, not yet answered
        self.counts: Counter[str] = Counter()
        self._listings = FingerprintSet()  # the listing pages requested this run
        self.sitemaps = 0  # sitemap requests made this run
        self.article_requests = 0  # new article requests made this run (max_articles_per_run)
        self._new: list[str] = []  # new article URLs not yet handed back for the frontier
        self._flush_every = flush_every
        self._aliases = MirrorAliases()
        self._classified: dict[str, tuple[UrlKind | None, str]] = {}
        self._classify_cache = classify_cache
        self._listed = FingerprintSet(
            hot=HOT_KEYS
        )  # article URLs linked by this run's listing pages
        self._slashed: set[str] = set()  # sites (labels) whose articles end with a slash
        self._unslashed: set[str] = set()  # sites that redirect a slashed link to its twin

    def load(self, state: ArchiveState) -> None:
        """Take what the archive knows (at the start of the run)."""
        self.known = state.known
        self.resumed = state.frontier
        self.retries = state.retries
        self._failed_discovery = set(state.failed_discovery)

    # -- what a URL is ---------------------------------------------------------------

    def classify(self, url: str) -> tuple[UrlKind | None, str]:
        """(kind, canonical URL) of an absolute URL, cached: menus and top-news lists repeat
        the same links on every page. The cache is emptied when full."""
        found = self._classified.get(url)
        if found is None and self.too_long(url):
            return None, url  # never scheduled (not cached: such links are rare)
        if found is None:
            if len(self._classified) >= self._classify_cache:
                self._classified.clear()
            profile = self.sites.for_url(url)
            kind = classify_url(url, profile) if profile is not None else None
            found = kind, canonical_url(url, profile) if profile is not None and kind else url
            self._classified[url] = found
        return found

    def too_long(self, url: str) -> bool:
        """A URL past ``max_url_length``: Scrapy would drop its request unanswered, and no
        table keeps it whole, so it is not a page of the site to schedule."""
        limit = self.limits.max_url_length
        return 0 < limit < len(url)

    @property
    def cached_urls(self) -> int:
        return len(self._classified)

    # -- decisions -------------------------------------------------------------------

    @property
    def listing_pages(self) -> int:
        """Listing pages requested this run (each once)."""
        return len(self._listings)

    def discovery_done(self) -> bool:
        """``max_articles`` articles are scheduled, or ``max_articles_per_run`` articles
        requested: no more listings, sitemaps or links."""
        limit = self.rules.max_articles
        return (limit is not None and len(self.scheduled) >= limit) or self.article_limit_reached()

    def article_limit_reached(self) -> bool:
        """``max_articles_per_run`` requests of new articles were made this run (revisits of
        archived ones do not count; 0: no limit)."""
        return 0 < self.limits.max_articles_per_run <= self.article_requests

    def decide(self, url: str) -> Decision:
        """Fetch ``url`` (an article or a listing of the site, not yet scheduled or
        archived), or not, and why."""
        if self.too_long(url):
            self.counts["links_too_long"] += 1
            return Decision(url, None, False, TOO_LONG, event="links_too_long")
        kind, canonical = self.classify(url)
        if kind is None:
            return Decision(url, None, False, NOT_OURS)
        if kind == "listing":
            return self.listing(canonical, ask=self._as_linked(url, canonical))
        alias = self._new_alias(url, canonical)
        if canonical in self.scheduled:
            return self._skip(canonical, SCHEDULED, "links_deduplicated", alias)
        if self.discovery_done():
            return Decision(canonical, "article", False, DONE, alias=alias)
        self.scheduled.add(canonical)
        headers: dict[str, str] = {}
        reason = NEW
        if (archived := self.known.get(canonical)) is not None:
            published, etag = archived
            if not (self.rules.full or self.in_revisit_window(published)):
                return self._skip(canonical, KNOWN, "known_skipped", alias)
            reason = REVISIT
            self.counts["revisits"] += 1
            if etag:
                headers["If-None-Match"] = etag
        else:
            self._new.append(canonical)
        self.awaited.add(canonical)
        if reason == NEW:  # revisits are bounded by the archive: a --full run reaches them all
            self.article_requests += 1
        if self.article_limit_reached():
            self.counts["article_limit_reached"] = 1  # the spider logs it once
        event = "revisits" if reason == REVISIT else None
        ask = self._as_linked(url, canonical)
        profile = self.sites.profile_of(canonical)
        both = bool(profile.learned_article) and contested(canonical, profile)
        return Decision(
            canonical,
            "article",
            True,
            reason,
            headers,
            alias=alias,
            event=event,
            ask=ask,
            listing_too=both,
        )

    def listing(self, url: str, empty_run: int = 0, ask: str = "") -> Decision:
        """A listing page (canonical ``url``; ``ask``: the address to request, when another),
        once a run, within the run's limit of listing pages: the limit counts pages, not
        links to them (every page's menu links each section again)."""
        if self.discovery_done():
            return Decision(url, "listing", False, DONE)
        if url in self._listings:  # menus link every section again on every page
            return Decision(url, "listing", False, SCHEDULED)
        if self.listing_pages >= self.limits.max_listing_pages:
            return self._skip(url, LISTING_LIMIT, "listing_limit_reached", kind="listing")
        self._listings.add(url)
        return Decision(url, "listing", True, NEW, empty_run=empty_run, ask=ask)

    def sitemap(self, url: str, depth: int = 1) -> Decision:
        """A sitemap at nesting ``depth``, within the depth and the run's count of sitemaps."""
        if depth > self.limits.sitemap_max_depth:
            reason = (
                f"sitemap index nested deeper than {self.limits.sitemap_max_depth}; not followed"
            )
        elif self.sitemaps >= self.limits.max_sitemaps:
            reason = f"more than {self.limits.max_sitemaps} sitemaps in one run; not followed"
        else:
            self.sitemaps += 1
            return Decision(url, "sitemap", True, NEW, depth=depth)
        return Decision(url, "sitemap", False, reason, depth=depth, failure=True)

    def listing_link(self, page: ListingPage, url: str, item_date: date | None) -> Decision:
        """A link of the listing ``page`` (``item_date``: the date its list item shows)."""
        kind, canonical = self.classify(url)
        if kind == "article":
            if self.rules.since and item_date and item_date < self.rules.since:
                page.old_items += 1
                return Decision(canonical, "article", False, OLDER)
            if self.discovery_done():
                return Decision(canonical, "article", False, DONE)
            if canonical not in self._listed:  # unseen in this run's listings
                self._listed.add(canonical)
                page.fresh += 1
                # new: unseen in the archive too (a new article in the sidebar of every
                # page is new on the first page only: it keeps no page past it going)
                page.new += canonical not in self.known
        elif kind == "listing" and same_listing(url, page.url):
            page.next_pages.append(url)
            return Decision(canonical, "listing", False, PAGINATION)
        return self.decide(url)

    def listing_next(self, page: ListingPage) -> list[Decision]:
        """The pages of ``page``'s pagination to fetch once it is read (``stop_after``,
        ``since`` and ``full`` decide); a stopped walk is one skip decision."""
        empty_run = 0 if page.new else page.empty_run + 1
        if self.rules.since and page.old_items and not page.new:
            return []  # a backfill bounded by date: this page is already older than --since
        param = pagination_param(self.sites.profile_of(page.url))
        if not page.fresh and page_number(page.url, param) > 1:
            # past the last page, or a page repeating what this run's listings had: the
            # chain's first page always goes on (a section's page 1 may repeat the home's)
            return [self._skip(page.url, CONVERGED, "pagination_converged", kind="listing")]
        if not self.rules.full and empty_run >= self.rules.stop_after:
            return [self._skip(page.url, STOP_AFTER, "pagination_stopped", kind="listing")]
        current = page_number(page.url, param)
        decisions = []
        for url in page.next_pages:
            if self.rules.full or page_number(url, param) == current + 1:
                canonical = canonical_url(url, self.sites.profile_of(url))
                ask = self._as_linked(url, canonical)
                decisions.append(self.listing(canonical, empty_run=empty_run, ask=ask))
        return decisions

    def sitemap_entry(self, loc: str, lastmod: str | None, index: bool, depth: int) -> Decision:
        """An entry of a sitemap at ``depth``: a child sitemap of an index, or a page."""
        if self.discovery_done():
            return Decision(loc, None, False, DONE)
        if index:
            if self.sites.for_url(loc) is None or self.too_long(loc):
                return Decision(loc, None, False, NOT_OURS)
            return self.sitemap(loc, depth + 1)
        if not loc:
            return Decision(loc, None, False, NOT_OURS)
        if self.older_than_since(lastmod):
            return Decision(loc, None, False, OLDER)
        return self.decide(loc)

    def link(self, url: str, articles_only: bool = False) -> Decision:
        """A link of a feed or (``articles_only``) of an article page."""
        if self.discovery_done():
            return Decision(url, None, False, DONE)
        if articles_only and self.classify(url)[0] != "article" and not self.too_long(url):
            return Decision(url, None, False, NOT_AN_ARTICLE)
        return self.decide(url)

    # -- the rules -------------------------------------------------------------------

    def today(self) -> date:
        return self._today or datetime.now(UTC).date()

    def in_revisit_window(self, published: str | None) -> bool:
        """An article published in the last ``revisit_days`` (an undated one is not)."""
        if not published:
            return False
        try:
            day = date.fromisoformat(published[:10])
        except ValueError:
            return False
        return day >= self.today() - timedelta(days=self.rules.revisit_days)

    def older_than_since(self, lastmod: str | None) -> bool:
        """A sitemap entry's ``lastmod`` before ``since`` (no date, or a bad one: not older)."""
        if not self.rules.since or not lastmod:
            return False
        try:
            return date.fromisoformat(lastmod[:10]) < self.rules.since
        except ValueError:
            return False

    # -- bookkeeping -----------------------------------------------------------------

    def learn_redirect(self, asked: str, landed: str) -> None:
        """A page asked for at ``asked`` redirected to ``landed``: when that is only its
        trailing-slash twin, the site's articles are asked for with the slash from now on;
        when it is its twin without the slash, no page of the site is asked for with the
        slash its link had any more (``as_linked``)."""
        a, b = urlsplit(asked), urlsplit(landed)
        if (a.netloc, a.query) != (b.netloc, b.query):
            return
        profile = self.sites.for_url(landed)
        if profile is None:
            return
        if b.path == a.path.rstrip("/") + "/" and profile.label not in self._slashed:
            self._slashed.add(profile.label)
            self.counts["trailing_slash_learned"] += 1
        elif a.path.endswith("/") and b.path and b.path == a.path.rstrip("/"):
            self._unslashed.add(profile.label)

    def request_url(self, url: str) -> str:
        """The address to ask for the article ``url`` (canonical) at: with the trailing
        slash its site redirects to (``learn_redirect``), else ``url``."""
        if not self._slashed:
            return url
        profile = self.sites.for_url(url)
        if profile is None or profile.label not in self._slashed:
            return url
        parts = urlsplit(url)
        if parts.path.endswith("/"):
            return url
        return parts._replace(path=parts.path + "/").geturl()

    def answered(self, url: str) -> None:
        """The response (or error) for the article ``url`` arrived."""
        self.awaited.discard(url)

    def unanswered(self) -> list[str]:
        """The articles asked for and never answered (in order); they are no longer awaited."""
        if not self.awaited:
            return []
        dropped = sorted(url for url in self.scheduled if url in self.awaited)
        self.awaited.clear()
        return dropped

    def new_urls(self, everything: bool = False) -> list[str]:
        """New article URLs for the archive's frontier: a batch once ``flush_every`` have
        gathered (or all of them with ``everything``), else none. Handed back once."""
        if not self._new or (len(self._new) < self._flush_every and not everything):
            return []
        batch, self._new = self._new, []
        return batch

    def discovery_worked(self, url: str) -> bool:
        """A listing or sitemap fetched now: True when it had failed on an earlier run (its
        failure is to be cleared), once."""
        if url in self._failed_discovery:
            self._failed_discovery.discard(url)
            return True
        return False

    def _as_linked(self, url: str, canonical: str) -> str:
        """``as_linked`` on a site we have no profile for (a named profile's site is asked
        for its pages at their canonical addresses), until the site redirects a slashed
        link to its twin without the slash (``learn_redirect``)."""
        profile = self.sites.profile_of(url)
        if profile.name != "generic" or profile.label in self._unslashed:
            return ""
        return as_linked(url, canonical)

    def _new_alias(self, url: str, canonical: str) -> str | None:
        """A mirror-host address of an article, the first time it is seen."""
        return self._aliases.new(url, canonical, self.sites.profile_of(url))

    def _skip(
        self, url: str, reason: str, event: str, alias: str | None = None, kind: Kind = "article"
    ) -> Decision:
        self.counts[event] += 1
        return Decision(url, kind, False, reason, alias=alias, event=event)


class MirrorAliases:
    """The mirror-host addresses of the crawl's articles met this run, each given once:
    ``image.qazdauiri.kz/news/x`` is another address of ``qazdauiri.kz/news/x``. The crawl's
    frontier and the reparse spider (the links of captured pages) both work them out here."""

    def __init__(self) -> None:
        self._seen = FingerprintSet()

    def new(self, url: str, canonical: str, profile: SiteProfile) -> str | None:
        """The mirror-host address of the article ``url`` (canonical: ``canonical``) as a
        clean URL, the first time it is met; None for the canonical address or a repeat."""
        alias = canonical_url(url, profile, map_mirrors=False)
        if alias == canonical or alias in self._seen:
            return None
        self._seen.add(alias)
        return alias


def as_linked(url: str, canonical: str) -> str:
    """The address to request the page ``canonical`` at when a link gave it as ``url``:
    with the trailing slash the link had and the canonical address drops (a site links its
    pages as it serves them, so no redirect to its slashed twin); else "" (``canonical``).
    Only on sites of the generic profile (``Frontier._as_linked``)."""
    linked, clean = urlsplit(url), urlsplit(canonical)
    if linked.path.endswith("/") and linked.path == clean.path + "/":
        return clean._replace(path=linked.path).geturl()
    return ""


def listing_item_date(text: str) -> date | None:
    """The date a listing item (a teaser) shows, from the start of its text."""
    found = find_date_in_text(text[:LISTING_DATE_CHARS])
    return date.fromisoformat(found.date) if found else None


def page_number(url: str, param: str = "") -> int:
    """The page number of a listing URL: its ``page`` (``paged``, ``pg``,
    ``PAGEN_N``; ``param``: the one a learned profile's pagination names, ``p``) parameter,
    else the ``N`` of a path ending ``/page/N/`` (WordPress); 1 when absent or not a
    number."""
    parts = urlsplit(url)
    for name, values in parse_qs(parts.query).items():
        if is_page_param(name, param):
            try:
                return int(values[0])
            except ValueError:
                return 1
    paged = pagination_path(parts.path)
    return paged[1] if paged is not None else 1


def listing_path(url: str) -> str:
    """The path of the listing a page of it belongs to: ``/category/x`` for
    ``/category/x/page/3/`` and ``/category/x?page=3`` alike (no trailing slash)."""
    path = urlsplit(url).path
    paged = pagination_path(path)
    return (paged[0] if paged is not None else path).rstrip("/")


def same_listing(url: str, current: str) -> bool:
    """A pagination link: a page of the same listing as the current page (by query or by
    ``/page/N/`` path)."""
    return listing_path(url) == listing_path(current)
