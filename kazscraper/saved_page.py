"""Extract one saved page (its bytes, as a browser saved them) the way the crawl would.

``kazscraper parse`` is its caller: the bytes go through the crawl's intake (decoding,
refusals), the page's URL is the one given or else its own canonical link (a host is not
ours to invent), the profile is the one named or else the URL's site's, and the record
is extracted and cleaned as in a crawl.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import NotHtmlError, extract_article, parse_html
from kazscraper.extract.metadata import read_metadata
from kazscraper.intake.page import Refused, page_item, with_page
from kazscraper.items import Article
from kazscraper.sites import SiteProfile, get_profile, profile_for_url


class SavedPageError(ValueError):
    """Bytes that are no page to extract (refused by the intake, or not HTML)."""


@dataclass
class SavedPage:
    article: Article
    url: str  # the URL the page was read as: the one given, else its canonical link, else ''
    declared: bool  # whether that URL is the page's own canonical link (none was given)


def declared_url(html: str) -> str:
    """The absolute http(s) URL a page declares for itself (canonical link, og:url), or ''."""
    try:
        declared = (read_metadata(parse_html(html)).canonical or "").strip()
    except NotHtmlError:
        return ""  # the extraction says why
    parts = urlsplit(declared)
    return declared if parts.scheme in ("http", "https") and parts.netloc else ""


def extract_saved_page(
    data: bytes,
    url: str | None,
    site: str | None,
    *,
    default_site: str,
    choose: Callable[[SiteProfile], SiteProfile] | None = None,
) -> SavedPage:
    """The cleaned record of a saved page. ``url``: the page's address (else its canonical
    link is used); ``site``: a profile name (else the URL's site's profile: ``default_site``'s
    for its hosts or no URL, the generic one rebased on any other host); ``choose``: the
    profile read with, given that one (a learned profile of its host). Raises
    ``SavedPageError``."""
    profile = get_profile(site) if site else profile_for_url(url, default_site)
    page = page_item(url or "", [], data)  # as the crawl and reparse read a page's bytes
    if isinstance(page, Refused):
        raise SavedPageError(page.reason)
    html = page.html
    page_url = url or declared_url(html)
    if not url and page_url:
        if not site:  # the canonical link's host decides the profile
            profile = profile_for_url(page_url, default_site)
        if profile.name == "generic":  # its links resolved as that host's
            parts = urlsplit(page_url)
            profile = profile.rebased(f"{parts.scheme}://{parts.netloc}")
    if choose is not None:
        profile = choose(profile)
    try:
        article = with_page(clean_article(extract_article(html, page_url, profile), profile), page)
    except NotHtmlError as exc:
        raise SavedPageError(str(exc)) from exc
    return SavedPage(article, page_url, declared=not url)
