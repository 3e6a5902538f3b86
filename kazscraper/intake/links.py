"""A page's links: its ``href`` values, read by the HTML parser within a bound."""

from __future__ import annotations

from itertools import islice

from parsel import Selector

from kazscraper.intake.checked import CheckedHtml

MAX_LINKS_PER_PAGE = 5_000  # links read from one page (KAZSCRAPER_MAX_LINKS_PER_PAGE)


def anchor_hrefs(html: str, limit: int = MAX_LINKS_PER_PAGE) -> list[str]:
    """The first ``limit`` distinct ``href`` values of ``<a>`` tags, in page order.

    Read by the HTML parser (linear in the page's size, which the download limit
    caps), never by a regex over the markup: a regex can backtrack for minutes on
    a hostile page (``<a `` repeated).
    """
    if not html.strip():
        return []
    page = Selector(text=html)
    if page.type in ("html", "xml"):  # lxml's strings: no Selector made for each link
        values = page.root.xpath("//a/@href", smart_strings=False)
        if page.type == "html" and isinstance(html, CheckedHtml):
            html.keep_parsed(page)  # the extractor's parse (``checked.parsed``): one a page
    else:
        values = page.xpath("//a/@href").getall()  # what parsel says of any other text
    hrefs = (h.strip() for h in values)
    return list(islice(dict.fromkeys(h for h in hrefs if h), limit))
