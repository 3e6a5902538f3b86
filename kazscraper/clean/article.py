"""Cleaning an extracted ``Article``: the text and URLs analysts will read.

Every text field gets Unicode NFC, one kind of space, no invisible
characters and Kazakh letters in place of Latin lookalikes; interface strings
("Show more") are dropped; names are put in normal case; the article's URL
and every related link become canonical URLs, and links that are not http(s)
(``javascript:``) are dropped; the language is a short language tag or None.
Pure: returns a new record.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kazscraper.clean.text import clean_line, strip_interface_strings
from kazscraper.extract.names import name_key, normal_case
from kazscraper.items import Article, Author, RelatedLink
from kazscraper.sites import SiteProfile
from kazscraper.sites.url_rules import canonical_url, declared_canonical
from kazscraper.urls import is_safe_link


def clean_optional(text: str | None) -> str | None:
    cleaned = clean_line(text) if text else ""
    return cleaned or None


def clean_body(
    body: str | None, interface_strings: tuple[str, ...], lead: tuple[str, str] | None = None
) -> str | None:
    """The body's paragraphs cleaned; ``lead``: a paragraph and its ``clean_line`` made
    already (the article's lead, its first paragraph: not cleaned twice)."""
    if not body:
        return None
    paragraphs = strip_interface_strings(body.split("\n\n"), interface_strings)
    cleaned = (lead[1] if lead and x == lead[0] else clean_line(x) for x in paragraphs)
    # clean_line has normalised each paragraph already: join without normalising again
    return "\n\n".join(p for p in cleaned if p) or None


# BCP 47's shape, kept short: a 2-3 letter language, then up to three subtags (kk, kk-KZ,
# kk-Cyrl-KZ); the archive stores the language alone, lower-cased
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8}){0,3}")


def language_tag(value: str | None) -> str | None:
    """``kk-KZ`` -> ``kk``; anything that is not a short language tag -> None."""
    if not value or len(value) > 35:
        return None
    match = _LANGUAGE_TAG.fullmatch(value.strip())
    if not match:
        return None
    language = match.group(1).lower()
    return "kk" if language == "kz" else language  # "kz" is the country, a common mistake


def article_url(article: Article, profile: SiteProfile) -> str:
    """The canonical URL: the page's declared canonical when it is an article URL of the
    site (``sites.urls.declared_canonical``), else the fetched URL's."""
    return declared_canonical(article.declared_canonical, article.fetched_url, profile)


def clean_authors(authors: list[Author]) -> list[Author]:
    """Normal-cased names, each person once (first mention wins)."""
    seen: set[str] = set()
    cleaned = []
    for author in authors:
        name = clean_line(normal_case(author.name))
        key = name_key(name)
        if not name or key in seen:
            continue
        seen.add(key)
        cleaned.append(
            Author(
                name=name,
                surname=clean_optional(author.surname),
                given=clean_optional(author.given),
                patronymic=clean_optional(author.patronymic),
            )
        )
    return cleaned


def clean_related(links: list[RelatedLink], profile: SiteProfile) -> list[RelatedLink]:
    cleaned = []
    for link in links:
        title, url, author = _clean_link_fields(link.title, link.url, link.author, profile)
        if title:
            # (a copy by its fields: ``dataclasses.replace`` checks each, twice the time)
            cleaned.append(
                RelatedLink(**{**vars(link), "title": title, "url": url, "author": author})
            )
    return cleaned


def _clean_link_fields(
    title: str, url: str | None, author: str | None, profile: SiteProfile
) -> tuple[str, str | None, str | None]:
    """Cleaned (title, url, author) of a related link, memoised on the profile: the same
    top-news links are cleaned on every page."""
    memo = profile.link_cache
    key = (title, url, author)
    found = memo.get(key)
    if found is None:
        if len(memo) >= 4096:
            memo.clear()
        found = memo[key] = (
            clean_line(title),
            canonical_url(url, profile) if url and is_safe_link(url) else None,
            clean_optional(normal_case(author)) if author else None,
        )
    return found


def clean_article(article: Article, profile: SiteProfile) -> Article:
    lead = clean_line(article.lead) if article.lead else ""
    return replace(
        article,
        url=article_url(article, profile),
        title=clean_optional(article.title),
        body=clean_body(
            article.body, profile.interface_strings, (article.lead, lead) if article.lead else None
        ),
        lead=lead or None,
        category=clean_optional(article.category),
        tags=[t for t in (clean_line(tag) for tag in article.tags) if t],
        affiliation=clean_optional(article.affiliation),
        language=language_tag(article.language),
        authors=clean_authors(article.authors),
        related=clean_related(article.related, profile),
        image_url=article.image_url
        if article.image_url and is_safe_link(article.image_url)
        else None,
    )
