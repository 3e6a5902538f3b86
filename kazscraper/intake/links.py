"""A page's links: its ``href`` values, read by the HTML parser within a bound."""

from __future__ import annotations

import re
from itertools import islice

from parsel import Selector

from kazscraper.intake.checked import CheckedHtml, html_selector

MAX_LINKS_PER_PAGE = 5_000  # links read from one page (KAZSCRAPER_MAX_LINKS_PER_PAGE)
# where parsel's ``Selector(text=…)`` reads text as XML: an XML declaration; anchored and
# possessive: no backtracking. (Text that starts as JSON does, ``[`` or ``{``, is read as
# HTML, as the extractor reads it: parsel's JSON selector has no links and raised on
# ``xpath``, and its ``json.loads`` raised RecursionError on deep nesting.)
_PARSEL_TYPES = re.compile(r"[\s\ufeff]*+<\?xml\s")


def anchor_hrefs(html: str, limit: int = MAX_LINKS_PER_PAGE) -> list[str]:
    """The first ``limit`` distinct ``href`` values of ``<a>`` tags, in page order.

    Read by the HTML parser (linear in the page's size, which the download limit
    caps), never by a regex over the markup: a regex can backtrack for minutes on
    a hostile page (``<a `` repeated).
    """
    if not html or html.isspace():
        return []
    # XML's start: parsel tells what it is; else HTML: parsel's tree, without its copy of
    # the page to take out NUL (``checked.html_selector``)
    page = Selector(text=html) if _PARSEL_TYPES.match(html) else html_selector(html)
    values = page.root.xpath("//a/@href", smart_strings=False)  # (no Selector a link)
    if page.type == "html" and isinstance(html, CheckedHtml):
        html.keep_parsed(page)  # the extractor's parse (``checked.parsed``): one a page
    hrefs = (h.strip() for h in values)
    return list(islice(dict.fromkeys(h for h in hrefs if h), limit))
