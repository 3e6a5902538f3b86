"""The site's own name in a page's words: in a title (``Story | Site``) or given as an author.

A site names itself in ``og:site_name`` or ``application-name``, in its JSON-LD
publisher, and by its domain (``Vegolosi.it``, ``UKBDNEWS`` on ukbdnews.com); names
are compared case folded and without spaces or punctuation (``StarsInsider`` is
``Stars Insider``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.urls import urlsplit  # never raises on a page's link (http://[::1)

_SITE_NAMES = etree.XPath(xpaths.SITE_NAMES, smart_strings=False)
_HOME_LINKS = etree.XPath(xpaths.HOME_LINKS)


def site_names(page: Selector) -> list[str]:
    """The site's names it declares (``og:site_name``, ``application-name``, the text of
    its home link ``<a rel="home">``), case folded."""
    declared = [*_SITE_NAMES(page.root), *(_text(a) for a in _HOME_LINKS(page.root))]
    names = (" ".join(name.split()).casefold() for name in declared)
    return [name for name in names if name and len(name) <= 80]


def _text(element: etree._Element) -> str:
    return " ".join(element.itertext())


def is_domain_name(part: str, url: str) -> bool:
    """Whether a title part spells the site's domain (``Vegolosi.it``, ``UKBDNEWS`` on
    ukbdnews.com): the site's name, not the headline's."""
    host = (urlsplit(url).hostname or "").casefold().removeprefix("www.")
    if not host:
        return False
    squashed = squash(part)
    return bool(squashed) and squashed in _domain_names(host)


def squash(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


_NAME_PARTS = re.compile(r"\s*[,/|]\s*|\s+[–—-]\s+")


def without_the_site(
    name: str, page: Selector, url: str, publishers: Iterable[str] = ()
) -> str | None:
    """An author ``name`` without the parts that are the site itself (the publisher, not a
    person): its declared name (``og:site_name``, ``application-name``, the JSON-LD
    ``publishers``) or its domain (``Ann Lee, Example`` on example.com is ``Ann Lee``);
    None when nothing else is left. Words are compared in any order (a parsed name puts
    the surname first), and also without spaces (``StarsInsider`` is ``Stars Insider``)."""
    declared = (*site_names(page), *publishers)  # read once: a walk of the whole page
    sites = {_word_key(site) for site in declared}
    sites |= {key for site in declared if (key := squash(site))}
    parts = [part for part in _NAME_PARTS.split(name) if part]
    kept = [
        p
        for p in parts
        if _word_key(p) not in sites and squash(p) not in sites and not is_domain_name(p, url)
    ]
    if len(kept) == len(parts):
        return name
    return ", ".join(kept) or None


def _word_key(text: str) -> str:
    return " ".join(sorted(squash(word) for word in text.split()))


def _domain_names(host: str) -> set[str]:
    """What a host spells as a name: the whole host and each label but the last and
    ``www`` (``edition.cnn.com``: ``editioncnncom``, ``edition``, ``cnn``)."""
    labels = host.removeprefix("www.").split(".")
    return {squash(host.removeprefix("www."))} | {squash(x) for x in labels[:-1] if len(x) > 2}
