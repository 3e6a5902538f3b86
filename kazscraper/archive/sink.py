"""The one record sink: every record of a crawl, local or distributed, is written here.

A local crawl's store pipeline ``add``s records as they come and the sink writes them
in batches; ``kazscraper store`` replays each batch a Redis worker sent with ``write``.
Either way one batch is one transaction, applied in the order the records came
(consecutive articles stored together by ``Archive.write_each``, so one record that
cannot be stored costs no other), and the same outcomes are counted:

- ``ArticleRecord``: new, updated, unchanged, alias or kept (``articles_<outcome>``);
  an article the archive refuses is a failure of stage ``store``, and so is each of its
  other addresses (``store_errors``, ``failures``);
- ``RevisitRecord``: the archived article was seen again (``articles_unchanged``);
- ``AliasRecord``: another address of an article; one whose article is not stored yet
  waits (``WaitingAliases``) until that article comes, and is tried again by ``finish``;
- ``FailureRecord``: a failures row (``failures``), unless this crawl recorded the same
  one already (a batch delivered again);
- ``CaptureRecord``: a captures row (``captures``), unless it is indexed already.

Every write is idempotent, so a batch written twice (a store killed before Redis
acknowledged it) changes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from kazscraper.archive import Archive, utc_now
from kazscraper.archive.records import (
    AliasRecord,
    ArticleRecord,
    CaptureRecord,
    FailureRecord,
    Record,
    RevisitRecord,
)


class WaitingAliases(Protocol):
    """Where aliases wait for their article: in memory for a local crawl, in Redis for a
    distributed one (a store restarted keeps them)."""

    def get(self, canonicals: Iterable[str]) -> dict[str, set[str]]:
        """The aliases waiting for each of ``canonicals`` (those with none left out)."""
        ...

    def update(self, keep: dict[str, set[str]], drop: Iterable[str]) -> None:
        """Set the aliases waiting for each canonical URL of ``keep``; forget ``drop``."""
        ...

    def everything(self) -> dict[str, set[str]]: ...


class MemoryWaiting:
    """Waiting aliases of a local crawl (the run's memory)."""

    def __init__(self) -> None:
        self.waiting: dict[str, set[str]] = {}

    def get(self, canonicals: Iterable[str]) -> dict[str, set[str]]:
        return {c: set(self.waiting[c]) for c in canonicals if c in self.waiting}

    def update(self, keep: dict[str, set[str]], drop: Iterable[str]) -> None:
        for canonical in drop:
            self.waiting.pop(canonical, None)
        for canonical, urls in keep.items():
            self.waiting[canonical] = set(urls)

    def everything(self) -> dict[str, set[str]]:
        return {c: set(urls) for c, urls in self.waiting.items()}


class RecordSink:
    """Writes the records of one crawl (``crawl_id``) into ``archive``.

    ``run_start(fetched_at)``: when the run that fetched a capture began (which URL names
    a row, ``Archive.write_batch``). ``batch_size``: records ``add`` keeps before writing.
    ``capture_crawl(fetched_at)``: the crawl that fetched a capture (reparse), whose id
    the capture's anomalies keep.
    """

    def __init__(
        self,
        archive: Archive,
        crawl_id: int | None,
        run_start: Callable[[str], str] | None = None,
        waiting: WaitingAliases | None = None,
        batch_size: int = 100,
        capture_crawl: Callable[[str], int | None] | None = None,
    ) -> None:
        self.archive = archive
        self.crawl_id = crawl_id
        self.run_start = run_start
        self.capture_crawl = capture_crawl
        self.waiting: WaitingAliases = waiting if waiting is not None else MemoryWaiting()
        self.batch_size = batch_size
        self.pending: list[Record] = []

    def add(self, record: Record) -> dict[str, int]:
        """Keep ``record``; a full batch is written. Returns what was counted (if written)."""
        self.pending.append(record)
        if len(self.pending) >= self.batch_size:
            return self.flush()
        return {}

    def flush(self) -> dict[str, int]:
        """Write the records kept so far (they are dropped even when the write fails: the
        archive's own errors stop the crawl, and the pages are fetched again next run)."""
        records, self.pending = self.pending, []
        return self.write(records) if records else {}

    def write(self, records: Sequence[Record]) -> dict[str, int]:
        """Write one batch in one transaction; returns what it counted."""
        counts: Counter[str] = Counter()
        articles = {r.article.url: r for r in records if isinstance(r, ArticleRecord)}
        aliases = [r for r in records if isinstance(r, AliasRecord)]
        waiting = self.waiting.get(sorted(set(articles) | {a.canonical for a in aliases}))
        for url, article in articles.items():
            article.aliases |= waiting.get(url, set())
        for alias in aliases:  # an alias of an article of this batch is stored with it
            if alias.canonical in articles:
                articles[alias.canonical].aliases.add(alias.url)
        still: dict[str, set[str]] = {}
        archive = self.archive
        with archive.db.atomic():
            captures = [r.capture for r in records if isinstance(r, CaptureRecord)]
            if captures:
                indexed = archive.captures_indexed(captures)
                captures = [c for c in captures if (c.url, c.warc_file, c.offset) not in indexed]
            if captures:
                archive.add_captures(captures)
                counts["captures"] += len(captures)
            # an alias of an article stored before this batch, under a URL that no article
            # of the batch has: written after the batch's articles, all in three statements
            addresses = {
                url
                for r in articles.values()
                for url in (r.article.url, r.article.fetched_url, *r.aliases)
            }
            later = [r for r in aliases if r.canonical not in articles and r.url not in addresses]
            group: dict[str, ArticleRecord] = {}
            for record in records:
                if isinstance(record, ArticleRecord):
                    if record.article.url in group:
                        # two captures of one URL (reparse): the later is the next version
                        self._articles(group, counts)
                        group = {}
                    group[record.article.url] = record
                    continue
                if isinstance(record, CaptureRecord) or (
                    isinstance(record, AliasRecord)
                    and (record.canonical in articles or record in later)
                ):
                    continue  # written above, or with its article: no need to wait for it
                self._articles(group, counts)
                group = {}
                self._apply(record, articles, still, counts)
            self._articles(group, counts)
            if later:
                unknown = archive.record_aliases([(r.url, r.canonical) for r in later], utc_now())
                for url, canonical in unknown:
                    still.setdefault(canonical, set()).add(url)
        # after the commit: a batch written again finds the same aliases waiting
        keep = {c: waiting.get(c, set()) | urls for c, urls in still.items()}
        self.waiting.update(keep, drop=[url for url in articles if url in waiting])
        return dict(counts)

    def _apply(
        self,
        record: Record,
        articles: dict[str, ArticleRecord],
        still: dict[str, set[str]],
        counts: Counter[str],
    ) -> None:
        """Write one record that is not an article (``still``: aliases left waiting)."""
        archive, crawl_id = self.archive, self.crawl_id
        if isinstance(record, FailureRecord):
            if not archive.failure_recorded(record.url, record.stage, record.reason, crawl_id):
                archive.record_failure(
                    record.url, record.stage, record.reason, record.http_status, crawl_id
                )
                counts["failures"] += 1
        elif isinstance(record, AliasRecord):
            if record.canonical in articles:
                return  # stored with its article
            if not archive.record_alias(record.url, record.canonical, utc_now()):
                still.setdefault(record.canonical, set()).add(record.url)
        elif isinstance(record, RevisitRecord) and archive.touch_article(
            record.url, record.fetched_at
        ):
            counts["articles_unchanged"] += 1

    def _articles(self, group: dict[str, ArticleRecord], counts: Counter[str]) -> None:
        if not group:
            return
        batch = [(r.article, r.aliases) for r in group.values()]
        # made storable by the clean stage already (``archive.values.storable_article``)
        outcomes, refused = self.archive.write_each(
            batch,
            crawl_id=self.crawl_id,
            run_start=self.run_start,
            storable=True,
            capture_crawl=self.capture_crawl,
        )
        for outcome in outcomes:
            counts[f"articles_{outcome}"] += 1
        aliases_of = {article.url: aliases for article, aliases in batch}
        for article, reason in refused:
            counts["store_errors"] += 1
            # its other addresses (a URL that redirected to it, a mirror's) are not stored
            # either: each is a failure too, retried next run
            failures = [(article.fetched_url, reason)] + [
                (alias, f"{reason} (an address of {article.url})")
                for alias in sorted(aliases_of.get(article.url, set()) - {article.fetched_url})
            ]
            for url, why in failures:
                self.archive.record_failure(url, "store", why, None, self.crawl_id)
                counts["failures"] += 1

    def resolve_waiting(self) -> None:
        """Aliases whose article was stored under another address than the one they named
        (a redirect to a page that is itself an alias of an article met earlier): written
        now that every article of the run is stored; the others name no stored article."""
        waiting = self.waiting.everything()
        still: dict[str, set[str]] = {}
        with self.archive.db.atomic():
            for canonical, urls in waiting.items():
                for url in sorted(urls):
                    if not self.archive.record_alias(url, canonical, utc_now()):
                        still.setdefault(canonical, set()).add(url)
        self.waiting.update(still, drop=set(waiting) - set(still))

    def finish(self) -> dict[str, int]:
        """The crawl's records are all in: write the last batch, the aliases still waiting
        that now find their article, the related links to articles that came later; the
        frontier loses what is stored. Returns what the last batch counted."""
        counts = self.flush()
        self.resolve_waiting()
        self.archive.link_related_articles()
        self.archive.prune_frontier()
        return counts
