"""Sitemaps and feeds are read streaming, in flat memory, with caps (issue 21, item 3).

A 46 KB gzipped sitemap inflating to 48 MB of millions of tiny elements took a crawl to
3.2 GB; nine gzipped sitemaps of 24,000 URLs of 2,060 characters to 1.3 GB; a 10 MB feed of
tiny elements to 377 MB. Here the caps are scaled down by settings so the inputs stay
small; ``bench/sitemap_memory.py`` reads the full-size inputs and prints peak RSS."""

from __future__ import annotations

import gzip

from kazscraper.crawler import sitemap as reading
from kazscraper.crawler.sitemap import CHUNK, SitemapLimits, SitemapReader, feed_links

from .responses import file_response
from .test_news_spider import ORIGIN, articles, make_spider, stat

HEAD = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def urlset(*locs: str, filler: str = "") -> bytes:
    rows = "".join(f"<url><loc>{loc}</loc><lastmod>2025-01-02</lastmod></url>" for loc in locs)
    return (HEAD + rows + filler + "</urlset>").encode()


def test_a_sitemap_of_tiny_elements_stops_at_the_element_cap() -> None:
    # the 48 MB case scaled down: 5,000 tiny elements after two entries, a cap of 1,000
    body = gzip.compress(urlset(f"{ORIGIN}/news/a", f"{ORIGIN}/news/b", filler="<a/>" * 5_000))
    spider = make_spider({"KAZSCRAPER_SITEMAP_MAX_ELEMENTS": 1_000})
    found = articles(spider.parse_sitemap(file_response(body, f"{ORIGIN}/sitemap.xml.gz")))
    assert found == [f"{ORIGIN}/news/a", f"{ORIGIN}/news/b"]  # the entries before the cap
    (failure,) = spider.recorder.failed  # type: ignore[attr-defined]
    assert failure["stage"] == "discovery"
    assert "more than 1000 elements" in failure["reason"] and "2 entries used" in failure["reason"]


def test_the_tree_holds_only_the_open_elements_while_reading() -> None:
    # flat memory: every element is removed once read, so the root holds at most the
    # entries of the piece being parsed (64 KB), however many the file has
    locs = [f"{ORIGIN}/news/{n:05}" for n in range(5_000)]
    body = gzip.compress(urlset(*locs))
    entry_bytes = len(urlset(locs[0])) - len(urlset())
    stream = reading._Stream(reading._inflated(body, 10**8), 10**6)
    root, widest = None, 0
    for event, element, depth in stream:
        root = element if depth == 1 and event == "start" else root
        if root is not None:
            widest = max(widest, len(root))
    assert stream.elements == 1 + 5_000 * 3
    assert 0 < widest * entry_bytes <= 2 * CHUNK  # of 5,000 entries, a piece's worth
    assert [e["loc"] for e in SitemapReader(body)] == locs


def test_locs_longer_than_the_cap_are_skipped_and_counted() -> None:
    # nine sitemaps of 24,000 URLs of 2,060 characters, scaled down: 2,060 is past the
    # sitemaps.org limit (under 2,048) though under URLLENGTH_LIMIT's 2,083
    long = f"{ORIGIN}/news/" + "x" * (2_060 - len(ORIGIN) - 6)
    kept = f"{ORIGIN}/news/" + "y" * (2_048 - len(ORIGIN) - 6)
    assert len(long) == 2_060 and len(kept) == 2_048
    spider = make_spider()
    body = gzip.compress(urlset(long, long + "2", kept, f"{ORIGIN}/news/short"))
    found = articles(spider.parse_sitemap(file_response(body, f"{ORIGIN}/s.xml.gz")))
    assert found == [kept, f"{ORIGIN}/news/short"]
    assert stat(spider, "sitemap_locs_too_long") == 2
    assert spider.recorder.failed == []  # type: ignore[attr-defined]


def test_gzip_is_inflated_piece_by_piece_and_stopped_at_the_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 2_000_000 + b"</urlset>")
    inflated = 0
    pieces = reading._inflated(bomb, 300_000)
    try:
        for piece in pieces:
            assert len(piece) <= CHUNK
            inflated += len(piece)
    except reading._Refused as exc:
        assert "larger than 300000 bytes inflated" in str(exc)
    assert inflated <= 300_000  # never more than the cap held or parsed
    spider = make_spider({"KAZSCRAPER_SITEMAP_MAX_BYTES": 300_000})
    assert articles(spider.parse_sitemap(file_response(bomb, f"{ORIGIN}/b.xml.gz"))) == []
    assert "read no further" in spider.recorder.failed[0]["reason"]  # type: ignore[attr-defined]


def test_a_gzip_of_several_members_is_read_whole() -> None:
    body = urlset(f"{ORIGIN}/news/a", f"{ORIGIN}/news/b")
    members = gzip.compress(body[:100]) + gzip.compress(body[100:])
    assert [e["loc"] for e in SitemapReader(members)] == [f"{ORIGIN}/news/a", f"{ORIGIN}/news/b"]


def test_entries_past_the_per_file_limit_are_not_read() -> None:
    reader = SitemapReader(
        urlset(*(f"{ORIGIN}/news/{n}" for n in range(10))), SitemapLimits(max_entries=4)
    )
    assert [e["loc"] for e in reader] == [f"{ORIGIN}/news/{n}" for n in range(4)]


def test_a_feed_is_read_streaming_with_the_element_cap() -> None:
    items = "".join(f"<item><link>{ORIGIN}/news/{n}</link></item>" for n in range(3))
    rss = f'<?xml version="1.0"?><rss><channel>{items}{"<i/>" * 5_000}</channel></rss>'
    assert list(feed_links(rss, 10, 1_000)) == [f"{ORIGIN}/news/{n}" for n in range(3)]
    entry = f'<entry><link href="{ORIGIN}/news/z"/></entry>'
    atom = f'<feed xmlns="http://www.w3.org/2005/Atom">{entry}</feed>'
    assert list(feed_links(atom, 10, 1_000)) == [f"{ORIGIN}/news/z"]
    spider = make_spider({"KAZSCRAPER_SITEMAP_MAX_ELEMENTS": 1_000})
    found = articles(spider.parse_feed(file_response(rss, f"{ORIGIN}/rss")))
    assert found == [f"{ORIGIN}/news/{n}" for n in range(3)]
