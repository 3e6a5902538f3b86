"""A site profile's URL rules: its articles' one address, and what kind of page a URL is.

``canonical_url`` is ``kazscraper.urls.clean_url`` with the profile's origin, hosts and
tracking parameters (memoised on the profile: menus and top-news links repeat on every
page); ``classify_url`` reads the profile's article and listing path patterns;
``declared_canonical`` decides when a page's ``<link rel="canonical">`` is believed.

Whatever a profile's patterns say, some URLs are never articles (``never_an_article``):
a path with a segment naming a tag, author, search, print, share, feed or attachment page
(``/kk/tag/jana-mektep-ashyldy``), or a last segment ending in a media or file extension
(images, PDF, office documents, audio, video, archives). A profile whose articles are
known by their path alone (``article_query=False``: the generic profile) drops an
article URL's whole query, so ``?share=``, ``?relatedposts_hit=``, ``?print=Y`` and
``?utm_*`` variants are the article's one address. A listing's URL with a search,
attachment, comment-reply, share, print or preview parameter (``/?s=``,
``/?attachment_id=N``, ``/?replytocom=N``: ``NOT_A_LISTING_PARAMS``) is never a listing:
the same listing re-rendered, or a page of no article, one more fetch per distinct query.

On a site we have no profile for, a first segment naming a language (``/ru/``, ``/kz/``:
``LANGUAGE_SEGMENT``) is read as no prefix when a path is matched against the listing
patterns: ``/ru/category/x/`` and its ``/page/N/`` are listings as ``/category/x/`` is.
"""

from __future__ import annotations

import posixpath
import re
from typing import Literal
from urllib.parse import urlunsplit

from kazscraper.sites import SiteProfile
from kazscraper.urls import clean_url, netloc_in, urlsplit

UrlKind = Literal["article", "listing"]
URL_CACHE_SIZE = 10_000
MAX_PAGE_DIGITS = 6  # a listing page number in a path (``/page/N/``) has at most these digits

#: path segments of pages that are never articles (whole segments, lower-cased)
NOT_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "author", "authors", "search", "print", "share", "feed", "feeds",
        "rss", "atom", "attachment", "attachments", "wp-content", "wp-json", "wp-admin",
        "amp", "comments", "login", "logout", "auth", "personal", "cart",
        # the same pages in Russian and Kazakh transliteration
        "avtor", "avtory", "teg", "tegi", "metki", "poisk", "izdeu", "pechat",
    }
)  # fmt: skip
#: query parameters of pages that are no listing: a search, an attachment page, a comment's
#: reply form, a share or print button, a preview (WordPress's ``s``, ``attachment_id``,
#: ``replytocom``; Jetpack's ``share``); their names, lower-cased, blank values included
NOT_A_LISTING_PARAMS = frozenset(
    {"s", "search", "attachment_id", "replytocom", "share", "print", "preview", "amp"}
)
#: a first path segment naming a language (Polylang's ``/ru/``, a Kazakh site's ``/kz/``),
#: with or without a region (``/ru-ru/``)
LANGUAGE_SEGMENT = re.compile(r"(?:kk|kz|qaz|ru|en|lat)(?:[-_][a-z]{2})?", re.IGNORECASE)
#: extensions of files that are never articles (the last segment's)
NOT_ARTICLE_EXTENSIONS = frozenset(
    {
        ".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff", ".ico",
        ".avif", ".heic", ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".odt",
        ".ods", ".rtf", ".txt", ".csv", ".mp3", ".wav", ".ogg", ".m4a", ".aac", ".flac",
        ".mp4", ".avi", ".mov", ".mkv", ".webm", ".wmv", ".flv", ".m4v", ".3gp", ".zip",
        ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".exe", ".apk", ".dmg", ".iso",
        ".xml", ".json", ".rss", ".atom", ".css", ".js",
    }
)  # fmt: skip


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
        if not profile.article_query and "?" in found and classify_url(found, profile):
            parts = urlsplit(found)  # an article known by its path: its query is a variant
            learned = profile.learned_article_re
            if profile.article_path_re.match(parts.path or "/") or (
                learned is not None and classify_url(found, profile) == "article"
            ):
                found = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        cache[(url, map_mirrors)] = found
    return found


def is_site_url(url: str, profile: SiteProfile) -> bool:
    return netloc_in(url, profile.site_netlocs)


def classify_url(url: str, profile: SiteProfile) -> UrlKind | None:
    """'article', 'listing' or None (not ours, or a page we do not crawl: see
    ``never_an_article``).

    A learned profile's ``[urls]`` patterns (``SiteProfile.learned_article``,
    ``learned_listing``) add to its URL rules, never take from them, so a learned pattern
    too narrow or too broad loses nothing those rules find: a path the learned article
    pattern matches is an article where the rules call it nothing or a listing (a listing
    page of a pagination stays a listing), a path the learned listing patterns match is a
    listing where they call it nothing. A path the rules call a listing and the learned
    article pattern an article is *contested* (``contested``): the crawl fetches it as an
    article and also reads its links as a listing's."""
    if not is_site_url(url, profile):
        return None
    parts = urlsplit(url)
    path = parts.path or "/"
    if never_an_article(path):
        return None
    kind = _rules_kind(path, parts.query, profile)
    if kind == "article" or not (profile.learned_article or profile.learned_listing):
        return kind
    learned = profile.learned_article_re
    if learned is not None and learned.match(path):
        if kind == "listing" and (
            pagination_path(path) is not None or numbers_a_page(parts.query, profile)
        ):
            return "listing"  # a page of a listing: its walk is the pagination rule's
        return "article"
    if kind is None and any(p.match(path) for p in profile.learned_listing_res):
        return None if no_listing_query(parts.query) else "listing"
    return kind


def contested(url: str, profile: SiteProfile) -> bool:
    """An article by the learned article pattern that the profile's URL rules call a
    listing (``classify_url``): its page is read as both, so a learned pattern too broad
    loses no listing walk."""
    if profile.learned_article_re is None or classify_url(url, profile) != "article":
        return False
    parts = urlsplit(url)
    return _rules_kind(parts.path or "/", parts.query, profile) == "listing"


def learned_only(url: str, profile: SiteProfile) -> bool:
    """An article by the learned article pattern alone: the profile's URL rules call it a
    listing or nothing. Such a page is kept only when the learned body rule reads its body
    (``pipelines.validate``), so a pattern too broad stores no section or about page."""
    if profile.learned_article_re is None or classify_url(url, profile) != "article":
        return False
    parts = urlsplit(url)
    return _rules_kind(parts.path or "/", parts.query, profile) != "article"


def _rules_kind(path: str, query: str, profile: SiteProfile) -> UrlKind | None:
    """What the profile's URL rules (its article and listing paths) call ``path``
    (with ``query``: a search or share query is no listing)."""
    generic = profile.name == "generic"
    # on a site we have no profile for, /category/x/page/2/ is a page of the listing
    # /category/x/ or nothing (a named profile's patterns say what its /page/N is)
    paged = pagination_path(path) if generic else None
    if paged is None and profile.article_path_re.match(path):
        return "article"
    base = paged[0] if paged is not None else path
    if paged is None and generic and "page" in path.lower().rstrip("/").split("/")[-2:]:
        return None  # a /page/ without its number (/ru/page/², /category/page/)
    if not is_listing_path(base, profile, generic):
        return None
    return None if no_listing_query(query) else "listing"


def is_listing_path(path: str, profile: SiteProfile, generic: bool) -> bool:
    """``path`` matches one of the profile's listing patterns; on a generic site, also once
    its language segment is taken off (``/ru/category/x/`` as ``/category/x/``), unless its
    last segment is a number (``/kk/node/1189``: an item of a section)."""
    if any(p.match(path) for p in profile.listing_path_res):
        return True
    if not generic or profile.article_path_re.match(path):
        return False  # (an article's /page/N/ is no listing's)
    first, _, rest = path.lstrip("/").partition("/")
    if not rest or not LANGUAGE_SEGMENT.fullmatch(first):
        return False
    if rest.rstrip("/").rpartition("/")[2].isdigit():
        return False  # /kk/node/1189: an item's number under a section, not a section
    return any(p.match("/" + rest) for p in profile.listing_path_res)


def no_listing_query(query: str) -> bool:
    """A query with a search, attachment, reply, share, print or preview parameter."""
    if not query:
        return False
    names = {item.partition("=")[0].lower() for item in query.split("&")}
    return not NOT_A_LISTING_PARAMS.isdisjoint(names)


#: a learned ``pagination`` that numbers pages in a query parameter: ``?p=N``, ``?PAGEN_1=N``
#: parameters that count items, not pages (``?start=20``): not walked as page numbers
_OFFSET_PARAMS = frozenset({"start", "offset"})
_QUERY_PAGINATION = re.compile(r"\?([A-Za-z_][A-Za-z0-9_]{0,31})=N")


#: query parameters that number a listing's pages (and Bitrix's ``PAGEN_1``, ``PAGEN_2``…)
PAGE_PARAMS = ("page", "paged", "pg")  # not "p": a WordPress post id


def numbers_a_page(query: str, profile: SiteProfile) -> bool:
    """``query`` has a parameter that numbers a listing's pages (``PAGE_PARAMS``,
    ``PAGEN_N``, the learned ``pagination_param``)."""
    param = pagination_param(profile) if profile.pagination else ""
    names = (item.partition("=")[0] for item in query.split("&")) if query else ()
    return any(is_page_param(name, param) for name in names)


def is_page_param(name: str, param: str = "") -> bool:
    """A query parameter that numbers a listing's pages: ``PAGE_PARAMS``, Bitrix's
    ``PAGEN_N``, or ``param`` (a learned profile's, ``p``)."""
    key = name.lower()
    return key in PAGE_PARAMS or key == param or (key.startswith("pagen_") and key[6:].isdigit())


def pagination_param(profile: SiteProfile) -> str:
    """The query parameter a learned profile's pagination numbers its pages with
    (``?p=N`` → ``p``, lower case), or "" (none learned; an offset, ``?start=N``; a path
    form: ``/page/N/`` is read by ``pagination_path``, ``/p/N/`` is not walked)."""
    found = _QUERY_PAGINATION.fullmatch(profile.pagination)
    name = found[1].lower() if found else ""
    return "" if name in _OFFSET_PARAMS else name


def pagination_path(path: str) -> tuple[str, int] | None:
    """(listing path, page number) of a path that numbers its listing's pages in the path,
    as WordPress does: ``/category/qogam/page/3/`` is page 3 of ``/category/qogam/``,
    ``/page/2`` page 2 of the home page ``/``; None for any other path."""
    segments = path.rstrip("/").split("/")
    number = segments[-1]
    if (
        len(segments) < 3
        or segments[-2].lower() != "page"
        or not (number.isascii() and number.isdigit())
        or len(number) > MAX_PAGE_DIGITS
    ):
        return None
    return "/".join(segments[:-2]) + "/", int(number)


def never_an_article(path: str) -> bool:
    """A tag, author, search, print, share, feed or attachment page (a whole segment, or a
    segment's word before a colon, or the last segment's name), or a media file."""
    segments = path.lower().rstrip("/").split("/")
    stem, extension = posixpath.splitext(segments[-1])
    if extension in NOT_ARTICLE_EXTENSIONS:
        return True
    # a segment's word before a colon (DataLife Engine's /print:page,1,123-slug.html), and
    # the last segment's name without its extension (/news/123-slug/print.html)
    words = {segment.split(":", 1)[0] for segment in segments}
    words.add(stem)
    return not NOT_ARTICLE_SEGMENTS.isdisjoint(words)


def declared_canonical(declared: str | None, fetched_url: str, profile: SiteProfile) -> str:
    """The canonical URL of a page fetched at ``fetched_url`` that declares ``declared``.

    A page's ``<link rel="canonical">`` is a claim, not a fact: it is used only
    when it is itself an article URL of the site (by the profile's URL
    classification). A canonical naming the home page, a category or another
    host would merge unrelated articles into one row; then the fetched URL's
    canonical form is the article's URL. (Whether a claimed article has the same
    content is checked later, by the dedup pipeline.) A URL that is an article by a learned
    pattern alone (``learned_only``) is not believed either: a pattern too broad would make
    the home page one.
    """
    if (
        declared
        and classify_url(declared, profile) == "article"
        and not learned_only(declared, profile)  # a pattern too broad would take "/"
    ):
        return canonical_url(declared, profile)
    return canonical_url(fetched_url, profile)
