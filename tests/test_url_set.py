"""Per-URL state in flat memory (``kazscraper.crawler.url_set``): the fingerprint tables
and what keeps them (the frontier, the in-run dedup, Scrapy's duplicate filter), and the
bytes a crawl holds for each URL it meets (issue 22: peak RSS flat to 100,000 articles)."""

from __future__ import annotations

import inspect
import subprocess
import sys
import tempfile
import textwrap
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy import Request
from scrapy.utils.test import get_crawler

from kazscraper.crawler import url_set
from kazscraper.crawler.dupefilter import CompactDupeFilter
from kazscraper.crawler.frontier import Frontier, ListingPage, Rules
from kazscraper.crawler.url_set import FingerprintMap, FingerprintSet, ScheduledUrlSet
from kazscraper.sites import get_profile, url_rules

PROFILE = get_profile("qazdauiri")
SITE = "https://qazdauiri.kz"
# a real article address's length: a headline transliterated in its slug
SLUG = "qazaqstan-respublikasynyn-ukimeti-auyl-sharuashylygy-turaly-zhana-zang-zhobasyn-maquldady"


def article(i: int) -> str:
    return f"{SITE}/news/{SLUG}-{i}"


def test_a_set_answers_like_a_python_set_through_growth_and_deletion() -> None:
    table, truth = FingerprintSet(slots=8), set()
    for i in range(5000):
        table.add(article(i))
        truth.add(article(i))
    for i in range(0, 5000, 3):
        table.discard(article(i))
        truth.discard(article(i))
    for i in range(4000, 6000):
        table.add(article(i))
        truth.add(article(i))
    assert len(table) == len(truth)
    assert all((article(i) in table) == (article(i) in truth) for i in range(7000))
    table.clear()
    assert len(table) == 0 and article(1) not in table and not table


def test_scheduled_urls_come_back_once_each_in_order() -> None:
    urls = [article(i) for i in range(3000)] + ["http://x/\udc80\n\x00", "http://y/" + "é" * 70_000]
    scheduled = ScheduledUrlSet()
    for url in urls + urls[:10]:
        scheduled.add(url)
    assert len(scheduled) == len(urls)
    assert list(scheduled) == urls
    assert list(scheduled) == urls  # again, and while more are added
    scheduled.close()
    assert list(scheduled) == []


def test_a_map_keeps_a_fixed_width_value_per_url() -> None:
    seen = FingerprintMap(8)
    for i in range(2000):
        seen[article(i)] = i.to_bytes(8, "big")
    seen[article(7)] = b"\x01"
    assert seen.get(article(1999)) == (1999).to_bytes(8, "big")
    assert seen.get(article(7)) == b"\x01" + bytes(7)
    assert seen.get(article(2000)) is None and article(2000) not in seen


def test_the_duplicate_filter_drops_a_request_seen_before() -> None:
    dupes = CompactDupeFilter.from_crawler(get_crawler())
    assert not dupes.request_seen(Request(article(1)))
    assert dupes.request_seen(Request(article(1)))
    assert not dupes.request_seen(Request(article(1), method="POST"))
    assert isinstance(dupes._fingerprints, FingerprintSet)


def _bytes_per_url(fill, first: int, last: int) -> float:
    """The traced memory ``fill(i)`` for i in [first, last) adds, per i."""
    for i in range(first):
        fill(i)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(first, last):
            fill(i)
        return (tracemalloc.get_traced_memory()[0] - before) / (last - first)
    finally:
        tracemalloc.stop()


def test_the_frontier_holds_no_url_string_per_scheduled_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression (issue 22): the frontier kept every scheduled, awaited and listed URL in
    Python sets of strings, about 300 bytes an article at a real URL's length: a crawl's
    peak RSS grew by about 1 KB an article with the duplicate filter and the in-run dedup.
    Fingerprints (16 bytes a table slot) keep it under 150 bytes whatever the URL's length;
    the sizes are chosen so that the tables are as full at both ends, and the bounded
    caches of classified and canonical URLs kept small so that their level does not count."""
    monkeypatch.setattr(url_rules, "URL_CACHE_SIZE", 100)
    PROFILE.url_cache.clear()
    f = Frontier(PROFILE, Rules(), classify_cache=100)
    page = ListingPage(f"{SITE}/category/sayasat")

    def fill(i: int) -> None:
        url = article(i)
        f.listing_link(page, url, None)
        f.new_urls()  # the spider hands them to the archive's frontier table
        if i % 2:
            f.answered(url)

    per_url = _bytes_per_url(fill, 600, 9_800)  # 0.59 of 1,024 and 16,384 slots
    assert len(f.scheduled) == 9_800
    assert per_url < 150, f"{per_url:.0f} bytes per scheduled article"


_FULL_TMP = textwrap.dedent(
    """
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    from kazscraper.crawler.url_set import ScheduledUrlSet
    scheduled = ScheduledUrlSet()
    # TMPDIR full once 200 KB are written (a file-size limit stands for the full disk)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, resource.RLIM_INFINITY))
    urls = [f"https://qazdauiri.kz/news/some-article-slug-{i}" for i in range(10_000)]
    for url in urls:
        scheduled.add(url)  # never raises: what the file refuses is kept in memory
    assert scheduled._in_memory, "the limit was never reached"
    assert all(url in scheduled for url in urls)
    assert list(scheduled) == urls  # each once, in order: the file's, then memory's
    """
)


def test_a_full_temporary_folder_loses_no_scheduled_url() -> None:
    """A full temporary folder: ScheduledUrlSet.add put the fingerprint before the write,
    so a URL the file refused raised in Frontier.decide yet was a member: the next link to
    it was 'already scheduled', never fetched, never accounted for. Now what the file
    refuses is kept in memory, and every URL is given back once, in order."""
    done = subprocess.run(
        [sys.executable, "-c", _FULL_TMP], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_scheduled_urls_are_written_64_kb_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """One ``write`` per scheduled URL let go of the GIL each time: with the extraction
    pool's and the WARC writer's threads waiting for it, each cost the reactor's thread
    about 0.35 ms (5 % of its time in a ``--workers 2`` crawl). Now 64 KB a write."""
    writes: list[int] = []
    real = tempfile.TemporaryFile

    class Counted:
        def __init__(self, **kwargs: Any) -> None:
            self.file = real(**kwargs)

        def write(self, data: Any) -> int:
            writes.append(len(data))
            return self.file.write(data)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.file, name)

    monkeypatch.setattr(url_set.tempfile, "TemporaryFile", Counted)
    urls = [article(i) for i in range(3000)]
    scheduled = ScheduledUrlSet()
    for url in urls:
        scheduled.add(url)
    size = sum(4 + len(url) for url in urls)  # ~300 KB of records
    assert 1 < len(writes) <= size // 65536, f"{len(writes)} writes for {len(urls)} URLs"
    assert list(scheduled) == urls  # the last records, not a whole 64 KB, are read back too
    scheduled.add(article(3000))
    assert list(scheduled) == [*urls, article(3000)]
    scheduled.close()
    assert list(scheduled) == []


def test_the_disk_queue_stores_requests_as_scrapy_does_without_scanning_the_spider(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scrapy's ``Request.to_dict`` scanned every attribute of the spider for each request
    pushed to the disk queue (``JOBDIR``): 3.6 % of the reactor's thread. The crawl's queue
    stores the same dict, the spider's methods scanned once."""
    from scrapy.squeues import PickleLifoDiskQueue
    from scrapy.utils.misc import load_object

    from kazscraper.crawler import settings

    class Spider(scrapy.Spider):
        name = "news"

        def parse_article(self, response: Any) -> None: ...

        def parse_sitemap(self, response: Any) -> None: ...

    crawler = get_crawler(Spider)
    crawler.spider = spider = Spider.from_crawler(crawler)
    requests = [
        Request(article(i), callback=spider.parse_article, meta={"article_url": article(i)})
        for i in range(50)
    ] + [Request(article(99), callback=spider.parse, errback=spider.parse_sitemap)]
    ours = load_object(settings.SCHEDULER_DISK_QUEUE)(crawler, str(tmp_path / "ours"))
    scans = []
    real = inspect.getmembers

    def counted(obj: Any, predicate: Any = None) -> Any:
        scans.append(obj is spider)
        return real(obj, predicate)

    monkeypatch.setattr(inspect, "getmembers", counted)
    for request in requests:
        ours.push(request)
    assert sum(scans) == 0, f"the spider scanned {sum(scans)} times for {len(requests)} pushes"
    monkeypatch.undo()
    scrapys = PickleLifoDiskQueue(crawler, str(tmp_path / "scrapy"))
    for request in requests:
        scrapys.push(request)
    ours.close()
    scrapys.close()
    assert (tmp_path / "ours").read_bytes() == (tmp_path / "scrapy").read_bytes()
    ours = load_object(settings.SCHEDULER_DISK_QUEUE)(crawler, str(tmp_path / "ours"))
    for request in reversed(requests):  # resumed: the same requests, the same callbacks
        back = ours.pop()
        assert back is not None and back.callback == request.callback
        assert back.to_dict(spider=spider) == request.to_dict(spider=spider)
    ours.close()


def test_the_known_articles_answer_as_the_archives_dict() -> None:
    # the incremental run's ``known`` (URL -> published date, ETag) as fingerprints: every
    # answer the dict gave, dates and ETags of any shape given back exactly
    odd_dates = ["2025-12-11T10:00:00+05:00", "20251211", "", "2025-13-01", "бүгін"]
    odd_etags = [None, "", 'W/"ж-1"', "\udcff", "x" * 70_000]
    rows = [
        (article(i), None if i % 7 == 0 else f"{2020 + i % 6}-{1 + i % 12:02d}-{1 + i % 28:02d}",
         odd_etags[i % 5] if i % 3 == 0 else f'"{i:x}-{i * 7:x}"')
        for i in range(3000)
    ] + [(article(-i), day, '"o"') for i, day in enumerate(odd_dates, 1)]  # fmt: skip
    rows.append((article(5), "2024-01-01", None))  # a row given again: the last one counts
    truth = {url: (day, etag) for url, day, etag in rows}
    for known in (url_set.KnownArticles(rows), url_set.KnownArticles(rows, expected=len(rows))):
        assert len(known) == len(truth)
        for _ in range(2):  # the second pass answers from the last answers kept
            assert all(known[url] == value for url, value in truth.items())
        assert all(url in known for url in truth)
        assert article(-99) not in known and 7 not in known
        assert known.get(article(-99)) is None
        with pytest.raises(KeyError):
            known[article(-99)]
        with pytest.raises(TypeError):
            list(known)
    chunks = [rows[i : i + 500] for i in range(0, len(rows), 500)]
    known = url_set.KnownArticles.from_chunks(chunks, expected=len(rows))
    assert all(known[url] == value for url, value in truth.items())
    assert known.nbytes < 60 * len(truth) + 70_000 + sum(len(e or "") for _, e in truth.values())


def test_known_articles_membership_of_bytes_is_the_dicts() -> None:
    rows = [(article(1), "2025-01-02", '"e"')]
    truth = {url: (day, etag) for url, day, etag in rows}
    known = url_set.KnownArticles(rows)
    key = article(1).encode()
    assert (key in known) == (key in truth)  # False
    assert (key in known) == (known.get(key) is not None)
