"""The replica's fault modes: what each one does, and the payloads they serve.

Fault modes are switched on per path (``ReplicaServer.set_faults``) by the reliability
and hostile-site tests; ``ALL_FAULTS`` names every mode with a line of what it does, and
the groups (``REDTEAM_FAULTS``, ``INPUT_FAULTS``, ``HOSTILE_FAULTS``, ``STORAGE_FAULTS``)
are the modes each test file runs. The builders below make the bombs and floods the
handler (``replica.handler``) sends.
"""

from __future__ import annotations

import gzip
import importlib
import sys
import zlib
from functools import lru_cache
from typing import Any

from kazscraper.replica import hostile_faults

# Fault modes, switchable per path (``ReplicaServer.faults``), for the reliability tests.
FAULTS = {
    "500": "HTTP 500 on every request",
    "502": "HTTP 502 on every request",
    "503": "HTTP 503 on every request",
    "429-retry-after": "HTTP 429 with Retry-After: 1 on the first two requests, then the page",
    "503-retry-after": "HTTP 503 with Retry-After: 1 on the first two requests, then the page",
    "503-retry-after-long": "HTTP 503 with Retry-After: 3600 (longer than anyone waits)",
    "reset": "the connection is reset before any response",
    "slow": "the response starts after SLOW_SECONDS (beyond a short download timeout)",
    "truncated": "Content-Length of the whole page, then half of it and a closed connection",
    "windows-1251": "the page in a legacy encoding (KZ-1048 bytes) declared windows-1251",
    "wrong-charset": "the page's bytes are KZ-1048 but the header and <meta> say utf-8",
    "huge": "a 11 MB page (above the crawler's 10 MB limit)",
    "binary": "a PNG image at the article's URL",
    "redirect-loop": "302 to another URL that redirects back, forever",
    "redirect-offsite": "302 to a host that is not the site's",
    "empty": "200 with an empty body",
    "broken-xml": "(for /sitemap.xml) a 200 whose XML is cut off and malformed",
    # hostile pages (issue 11): each must end as an article or a failure with its reason
    "canonical-home": "the article declares the home page as its canonical URL",
    "canonical-category": "the article declares its category page as its canonical URL",
    "canonical-other": "the article declares another article (the seed) as its canonical URL",
    "anchor-bomb": "the article with 200 KB of '<a ' appended (a quadratic-regex trap)",
    "refresh-offsite": "a page whose meta refresh sends to another host",
    "refresh-self": "the article with a meta refresh (every 30 s) to itself",
    "refresh-javascript": "a page whose meta refresh sends to javascript:",
    "refresh-loop": "a page whose meta refresh sends to a URL that refreshes back",
    "redirect-other-port": "302 to the same path on another port of the same host",
    "redirect-home": "302 to the site's home page (a deleted article, a soft 404)",
    "endless-pagination": "(for a category) every ?page=N exists, with new article links",
    "robots-crawl-delay": "(for /robots.txt) Crawl-delay: 1",
    "robots-disallow-all": "(for /robots.txt) Disallow: /",
    "sitemap-index-chain": "(for /sitemap.xml) a sitemap index pointing to the next, forever",
    "sitemap-index-gz": "(for /sitemap.xml) an index of /sitemaps/articles.xml.gz and "
    "/sitemaps/empty.xml (give those paths faults of their own)",
    "sitemap-gz": "the site's sitemap gzipped, as application/x-gzip (no Content-Encoding)",
    "sitemap-gz-bomb": "a gzipped sitemap that inflates beyond the size cap (~60 MB)",
    "sitemap-large": "the site's sitemap padded with whitespace to 300 KB (larger than a page "
    "may be in a test that lowers DOWNLOAD_MAXSIZE; sitemaps.org allows 50 MB)",
    # values SQLite cannot store as they come, and revisits that bring garbage (issue 11)
    "views-overflow": "the article with a view counter of 2^70 (beyond SQLite's 64-bit integers)",
    "headline-surrogate": "the article with JSON-LD whose headline ends in a lone surrogate "
    "escape (a headline cut inside an emoji)",
    "soft-404": "200 with a 'page not found' page at the article's URL (no date, no authors)",
    "metadata-stripped": "the article's text without its signature (date, authors) and with "
    "no category",
    # red-team cases (tests/test_redteam.py): values that make urllib or int() raise
    "bad-urls": "the article with links, canonical, og:url and og:image that urllib cannot "
    "parse (a broken IPv6 host, an NFKC-unsafe host, a port past 65535)",
    "listing-bad-urls": "(for a category) its page with unparseable links before the real ones",
    "views-digits": "the article with a view counter of 5,000 digits (beyond int()'s limit)",
    "attribute-bomb": "the page (an article or a category) with one tag of 900,000 "
    "attributes (libxml2 is quadratic in them)",
}
# Hostile input (tests/test_hostile_input.py): bombs, floods, lies about the bytes. Kept
# apart from FAULTS, whose ranges the older tests (test_faults, test_hostile_site, test_redteam)
# slice by name.
INPUT_FAULT_MODES = {
    "gzip-bomb": "the article with Content-Encoding: gzip, inflating past 60 MB",
    "deflate-bomb": "the article with Content-Encoding: deflate, inflating past 60 MB",
    "br-bomb": "the article with Content-Encoding: br, inflating past 60 MB",
    "zstd-bomb": "the article with Content-Encoding: zstd, inflating past 60 MB",
    "gzip-gzip-bomb": "Content-Encoding: gzip, gzip: a gzip bomb gzipped again",
    "redirect-file": "302 to file:///etc/passwd (a scheme no crawler should follow)",
    "redirect-data": "302 to a data: URL holding an article page",
    "header-flood": "the article with 10,000 response headers and a 1 MB Set-Cookie",
    "endless-headers": "response headers that never end (one every few milliseconds)",
    "trickle": "the article one byte every 0.2 s (it would take hours)",
    "pdf-as-html": "PDF bytes served as text/html",
    "utf16-no-bom": "the article in UTF-16-LE without a byte-order mark, declared utf-16",
    "bogus-charset": "the article in UTF-8, declared charset=x-no-such-charset (header, meta)",
    "views-negative": "the article with a view counter of -1 234",
    "title-huge": "the article with a headline of 1,000,000 characters",
    "authors-flood": "the article signed by 10,000 names",
    "related-flood": "the article with 100,000 similar-news links",
    "feed-attribute-bomb": "(for /rss) a feed with one element of 900,000 attributes",
    "entity-sitemap": "(for /sitemap.xml) a sitemap with a billion-laughs entity and XXE",
}
# the modes of FAULTS from "bad-urls" on: tests/test_redteam.py exercises them
REDTEAM_FAULTS = frozenset(list(FAULTS)[list(FAULTS).index("bad-urls") :])
INPUT_FAULTS = frozenset(INPUT_FAULT_MODES)
# redirects within the site (tests/test_news_spider.py, tests/test_multisite_e2e.py): kept
# apart from FAULTS, whose ranges the older tests slice by name
REDIRECT_FAULT_MODES = {
    "redirect-article": "301 to another article of the site (its first: a story merged into "
    "another)",
    "long-links": "the article with links to article URLs of 2,500 and 9,000 characters "
    "(past every browser's and Scrapy's URL length limit)",
    "element-flood": "the article with 300,000 <br> before its text (30 times the most "
    "elements of a real page)",
    "redirect-moved": "301 to the same path with '-moved' appended: an article URL linked from "
    "nowhere, a 404 unless given a fault of its own (what the redirect lands on)",
}
# discovery that never ends on article pages (tests/test_article_limit.py)
TRAP_FAULT_MODES = {
    "link-trap": "the article with TRAP_LINKS links to fresh article URLs (TRAP_PREFIX…), "
    "each of them the same article with TRAP_LINKS fresh links of its own, forever",
}
# every mode set_faults accepts
ALL_FAULTS = {
    **FAULTS,
    **INPUT_FAULT_MODES,
    **REDIRECT_FAULT_MODES,
    **TRAP_FAULT_MODES,
    **hostile_faults.ROUND3_FAULT_MODES,
}
BAD_URLS = (
    "http://[::1/news/x",
    "//[zz]/news/x",
    "http://a\u2100b/news/x",
    "http://127.0.0.1:99999/news/x",
)
# the modes above from "canonical-home" on: tests/test_hostile_site.py exercises them
HOSTILE_FAULTS = frozenset(list(FAULTS)[list(FAULTS).index("canonical-home") :]) - REDTEAM_FAULTS
STORAGE_FAULTS = ("views-overflow", "headline-surrogate", "soft-404", "metadata-stripped")
VIEWS_OVERFLOW = 2**70
SOFT_404_TITLE = "Бет табылмады"
SLOW_SECONDS = 4.0
ANCHOR_BOMB = "<a " * 70_000  # 210 KB
ATTRIBUTE_BOMB = "<p " + " ".join(f"a{i}=x" for i in range(900_000)) + ">x</p>"  # 9 MB
LONG_LINKS = (("a", 2_500), ("b", 9_000))  # (letter, length) of the long-links fault's paths
ENDLESS_LINKS = 5  # new (404) article links on every page of an endless pagination
TRAP_PREFIX = "/news/trap-"  # the link trap's article paths (served while a path has it)
TRAP_LINKS = 1_000  # fresh article links on every page of the link trap
GZ_BOMB_BYTES = 60 * 1024 * 1024
HUGE_BYTES = 11 * 1024 * 1024
BOMB_BYTES = 64 * 1024 * 1024  # what a compression bomb inflates to (past the 10 MB cap)
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    + bytes(range(128, 256)) * 64
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + bytes(64)


def sitemap_index(entries: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>\n"
    )


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """A gzipped sitemap that inflates to ``GZ_BOMB_BYTES`` (blank space after the root tag)."""
    head = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    return gzip.compress(head + b" " * GZ_BOMB_BYTES + b"</urlset>", compresslevel=9)


@lru_cache(maxsize=8)
def bomb(page: str, mode: str) -> bytes:
    """``page`` and ``BOMB_BYTES`` of blank space, compressed as ``mode`` says."""
    raw = page.encode() + b" " * BOMB_BYTES
    if mode == "deflate-bomb":
        return zlib.compress(raw, 9)
    if mode == "br-bomb":
        import brotli  # type: ignore[import-untyped,unused-ignore]

        return bytes(brotli.compress(raw, quality=4))
    if mode == "zstd-bomb":
        if sys.version_info >= (3, 14):  # the standard library's own zstd module
            zstd: Any = importlib.import_module("compression.zstd")
        else:
            from backports import zstd  # type: ignore[import-not-found,unused-ignore,no-redef]
        return bytes(zstd.compress(raw))
    packed = gzip.compress(raw, compresslevel=9)
    return gzip.compress(packed) if mode == "gzip-gzip-bomb" else packed


def flooded_page(page: str, mode: str) -> str:
    """The article with a flood of one of its values (``views-negative``, ``title-huge``,
    ``authors-flood``, ``related-flood``)."""
    if mode == "views-negative":
        counter = '<span class="views-count">-1 234</span>'
        return page.replace('<div class="news-image">', counter + '<div class="news-image">')
    if mode == "title-huge":
        start = page.index('<h1 class="news-title">') + len('<h1 class="news-title">')
        end = page.index("</h1>", start)
        return page[:start] + "Ұзақ тақырып " * 76_924 + page[end:]
    if mode == "authors-flood":
        syllables = ["АХ", "МЕТ", "БЕК", "ЖАН", "НҰР", "САР", "ТАЙ", "ҚАН", "ЕР", "ӘЛ"]
        names = "".join(
            f"<p><strong>{syllables[i % 10]}{syllables[i // 10 % 10]}{syllables[i // 100 % 10]}"
            f"{syllables[i // 1000 % 10]}ОВА Зауреш Болатхановна,</strong></p>"
            for i in range(10_000)
        )
        return page.replace("<p><strong>", names + "<p><strong>", 1)
    items = "".join(
        f'<div class="news-item"><a href="/tag/flood-{i}">Жаңалық {i}</a></div>'
        for i in range(100_000)  # not article URLs: stored as related links, not fetched
    )
    return page.replace('<div class="news-list">', '<div class="news-list">' + items, 1)


def entity_sitemap(sitemap: str) -> str:
    """The sitemap with a billion-laughs entity and an external entity (XXE) in its DTD."""
    laughs = '<!ENTITY l0 "ha">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    dtd = f'<!DOCTYPE urlset [{laughs}<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    body = sitemap.replace("<urlset", dtd + "<urlset", 1)
    return body.replace("</urlset>", "<url><loc>&l9;&xxe;</loc></url></urlset>")
