"""Markup that would make the HTML parser itself slow: refused before it is parsed.

libxml2 (lxml, parsel, Scrapy's selectors, trafilatura) checks each attribute of a tag
against the tag's earlier ones: a tag with N attributes costs N² steps. A 9 MB page of one
``<p a0=x a1=x …>`` with 900,000 attributes takes the parser tens of minutes, and a page is
parsed several times. No page a person wrote has a tag with thousands of attributes (the
most in 1,628 real pages of the evaluation sets: 1,197), so ``markup_problem`` counts them
in one pass (``str.find``, linear in the page) and names the page's problem.
"""

from __future__ import annotations

import re

#: the most attributes one tag may have (libxml2 parses 10,000 in about 0.2 s)
MAX_ATTRIBUTES = 10_000
# the spaces between '=' and an attribute's value: one class, anchored, cannot backtrack
_SPACES = re.compile(r"[ \t\n\r\f]*")


def markup_problem(html: str, max_attributes: int = MAX_ATTRIBUTES) -> str | None:
    """Why ``html`` must not be parsed (a tag with over ``max_attributes`` attributes), or
    None. Over-counts rather than under-counts (an ``=`` in a script counts when it is not
    in quotes); every character is looked at a bounded number of times."""
    if html.count("=") <= max_attributes:  # in C: no tag can hold more '=' than the page
        return None
    n = len(html)
    pos = 0
    while (lt := html.find("<", pos)) >= 0 and lt + 1 < n:
        if not html[lt + 1].isalpha():
            pos = lt + 1
            continue
        end = html.find(">", lt)
        end = n if end < 0 else end
        i, count = lt + 1, 0
        while (eq := html.find("=", i, end)) >= 0:
            count += 1
            if count > max_attributes:
                return f"a tag with more than {max_attributes} attributes: not parsed"
            i = _SPACES.match(html, eq + 1).end()  # type: ignore[union-attr]
            if i < n and html[i] in "\"'":
                close = html.find(html[i], i + 1)
                i = n if close < 0 else close + 1
                if i > end:  # the quoted value held the '>': the tag goes on
                    end = html.find(">", i)
                    end = n if end < 0 else end
        pos = max(end, i) + 1
    return None
