"""A page's links: its ``href`` values, read by the HTML parser within a bound."""

from __future__ import annotations

from itertools import islice

from parsel import Selector

MAX_LINKS_PER_PAGE = 5_000  # links read from one page (KAZSCRAPER_MAX_LINKS_PER_PAGE)


def anchor_hrefs(html: str, limit: int = MAX_LINKS_PER_PAGE) -> list[str]:
    """The first ``limit`` distinct ``href`` values of ``<a>`` tags, in page order.

    Read by the HTML parser (linear in the page's size, which the download limit
    caps), never by a regex over the markup: a regex can backtrack for minutes on
    a hostile page (``<a `` repeated).
    """
    if not html.strip():
        return []
    # parsel parses as ever; its tree is asked directly (a Selector around each of a
    # page's hundreds of values cost more than the parse: issue 22)
    values = Selector(text=html).root.xpath("//a/@href", smart_strings=False)
    hrefs = (str(h).strip() for h in values)
    return list(islice(dict.fromkeys(h for h in hrefs if h), limit))
