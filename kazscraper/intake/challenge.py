"""Challenge pages: a CDN's "Just a moment…" or a firewall's block page is not the article.

Cloudflare, DDoS-Guard and Sucuri answer a client they want to check with HTTP 200 and a
small page of script; stored, it became an undated article. Recognised by general signs,
read from the first ``_HEAD`` characters only (no regex over the page): the
``cf-mitigated`` header, a title of such a page, or, on a small page, a challenge marker
(the markers also appear in script tags injected into real pages, which are not small).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_HEAD = 65_536
SMALL_PAGE = 32_768  # characters: a challenge page is a few KB; an article page is more
TITLES = (
    "just a moment",
    "attention required",
    "ddos-guard",
    "checking your browser",
    "please wait while your request is being verified",
    "sucuri website firewall",
    "access denied | sucuri",
    "one more step",
)
# literals, ASCII letters in any case (what ``.lower()`` maps to them): no backtracking
_TITLE_OPEN = re.compile("<title", re.IGNORECASE | re.ASCII)
_TITLE_CLOSE = re.compile("</title", re.IGNORECASE | re.ASCII)
MARKERS = (
    "cf-browser-verification",
    "cf_chl_opt",
    "ddos-guard.net/",
    "__ddg1",
    "sucuri_cloudproxy",
    "cloudproxy@sucuri.net",
)


def challenge_problem(headers: Iterable[tuple[str, str]], text: str) -> str | None:
    """Why the page is a challenge or block page, not the page asked for; None if not."""
    for name, value in headers:
        if name.lower() == "cf-mitigated":
            return f"a challenge page (cf-mitigated: {value[:40]}), not the page"
    head = text[:_HEAD]
    if (start := _TITLE_OPEN.search(head)) is not None:
        opened = head.find(">", start.start())
        end = _TITLE_CLOSE.search(head, opened) if opened >= 0 else None
        if end is not None and end.start() > opened:
            # the title alone lower-cased: the page's 64 KB were, a fifth of intake's time
            title = " ".join(head[opened + 1 : end.start()].lower().split())
            for sign in TITLES:
                if title.startswith(sign):
                    return f"a challenge page (title {title[:60]!r}), not the page"
    if len(text) <= SMALL_PAGE:
        head = head.lower()
        for marker in MARKERS:
            if marker in head:
                return f"a challenge page ({marker}), not the page"
    return None
