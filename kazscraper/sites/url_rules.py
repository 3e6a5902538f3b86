"""A site profile's URL rules: its articles' one address, and what kind of page a URL is.

``canonical_url`` is ``kazscraper.urls.clean_url`` with the profile's origin, hosts and
tracking parameters (memoised on the profile: menus and top-news links repeat on every
page); ``classify_url`` reads the profile's article and listing path patterns;
``declared_canonical`` decides when a page's ``<link rel="canonical">`` is believed.
"""

from __future__ import annotations

from typing import Literal

from kazscraper.sites import SiteProfile
from kazscraper.urls import clean_url, netloc_in, urlsplit

UrlKind = Literal["article", "listing"]
URL_CACHE_SIZE = 10_000


def canonical_url(url: str, profile: SiteProfile, map_mirrors: bool = True) -> str:
    """The one address of the page behind ``url`` (``kazscraper.urls.clean_url`` on the
    profile's site). With ``map_mirrors=False`` a mirror keeps its host: the alias as a
    clean URL."""
    cache = profile.url_cache
    found = cache.get((url, map_mirrors))
    if found is None:
        if len(cache) >= URL_CACHE_SIZE:
            cache.clear()
        found = clean_url(
            url, profile.origin, profile.site_netlocs, profile.tracking_params, map_mirrors
        )
        cache[(url, map_mirrors)] = found
    return found


def is_site_url(url: str, profile: SiteProfile) -> bool:
    return netloc_in(url, profile.site_netlocs)


def classify_url(url: str, profile: SiteProfile) -> UrlKind | None:
    """'article', 'listing' or None (not ours, or a page we do not crawl)."""
    if not is_site_url(url, profile):
        return None
    path = urlsplit(url).path or "/"
    if profile.article_path_re.match(path):
        return "article"
    if any(p.match(path) for p in profile.listing_path_res):
        return "listing"
    return None


def declared_canonical(declared: str | None, fetched_url: str, profile: SiteProfile) -> str:
    """The canonical URL of a page fetched at ``fetched_url`` that declares ``declared``.

    A page's ``<link rel="canonical">`` is a claim, not a fact: it is used only
    when it is itself an article URL of the site (by the profile's URL
    classification). A canonical naming the home page, a category or another
    host would merge unrelated articles into one row; then the fetched URL's
    canonical form is the article's URL. (Whether a claimed article has the same
    content is checked later, by the dedup pipeline.)
    """
    if declared and classify_url(declared, profile) == "article":
        return canonical_url(declared, profile)
    return canonical_url(fetched_url, profile)
