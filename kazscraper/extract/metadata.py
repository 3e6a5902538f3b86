"""Structured metadata: the first layer of extraction.

Reads what a page declares about itself: JSON-LD (``NewsArticle`` and its
relatives, also inside ``@graph``), OpenGraph and ``article:*`` meta tags,
``<meta name="author">``, ``<time datetime>`` inside the article and
``<link rel="canonical">``. Malformed JSON-LD is skipped, never fatal, and so is
JSON-LD nested deeper than Python's parser goes (a ``RecursionError``) or larger than
``JSONLD_MAX_CHARS``; objects are looked for at most ``JSONLD_MAX_DEPTH`` levels down.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector

#: JSON-LD blocks larger than this are not parsed (a page's real ones are a few KB)
JSONLD_MAX_CHARS = 1_000_000
#: how deep article objects are looked for (lists, ``@graph``) and values read (author lists)
JSONLD_MAX_DEPTH = 8

ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting"}
)
#: JSON-LD types of a company or a site, not a person (``NewsMediaOrganization``, ...)
ORGANISATION_TYPES = frozenset({"Corporation", "NGO", "WebSite", "Brand", "Project"})
#: the page itself: where a graph with no article object names the author (Yoast's older graph)
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "ProfilePage", "CollectionPage"})


@dataclass
class PageMetadata:
    """Each field is paired with the layer name it came from in ``source``."""

    title: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    #: the names of the article's JSON-LD ``publisher`` (not a Person): the site itself
    publishers: list[str] = field(default_factory=list)
    image: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    canonical: str | None = None
    language: str | None = None
    #: every publication date the page declares, the first of each kind, in rank order:
    #: ``jsonld`` (the article object's ``datePublished``), ``meta:KEY`` (``article:published_time``
    #: and the other publication-date metas, ``DATE_METAS``), ``itemprop`` (microdata
    #: ``datePublished``), ``time-element`` (a ``<time datetime>`` of the ``<article>``),
    #: ``jsonld-page`` (the ``WebPage`` node's, where no article object states one)
    declared_dates: dict[str, str] = field(default_factory=dict)
    source: dict[str, str] = field(default_factory=dict)

    def set(self, name: str, value: Any, layer: str) -> None:
        """Keep the first non-empty value offered for a field."""
        if value and not getattr(self, name):
            setattr(self, name, value)
            self.source[name] = layer


_JSONLD = etree.XPath('//script[@type="application/ld+json"]/text()', smart_strings=False)
# a <time> of the article itself (not of a related-news list or a sidebar) that is not its
# updated time (WordPress marks an unchanged post's one <time> "published updated")
_ARTICLE_TIME = etree.XPath(
    "//article//time[not(ancestor::li|ancestor::aside)]"
    "[not(@itemprop='dateModified')]"
    "[not(contains(@class,'updated') or contains(@class,'modified')) or contains(@class,'publish')]"
    "/@datetime",
    smart_strings=False,
)
_HTML_LANG = etree.XPath("/html/@lang", smart_strings=False)
# microdata: the element that declares the page's publication date, outside listed items
# (found by the attribute, not by a test of every element's: a sixth of the time)
_ITEMPROP_PUBLISHED = etree.XPath(
    "(//@itemprop[.='datePublished']/parent::*"
    "[not(ancestor::li|ancestor::aside|ancestor::footer)])[1]"
)
#: ``<meta name|property>`` keys that state the page's publication date (lower case), the
#: conventions of OpenGraph, Dublin Core, Parse.ly, Sailthru, Google News and common CMSs
DATE_METAS = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "dc.date",
    "dcterms.date",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "published-date",
    "article.published",
    "date",
)


_MAX_STATED = 200  # a stated date is short (parse_date reads no more)


def read_metadata(page: Selector) -> PageMetadata:
    meta = PageMetadata()
    documents = list(_jsonld_documents(page))
    named = _named_nodes(documents) if documents else {}
    for obj in _walk_articles(documents):
        _from_jsonld(meta, obj, named)
    if documents and (not meta.authors or not meta.published):  # no article object states
        for obj in _walk_articles(documents, types=PAGE_TYPES):  # them: the page's own
            if not meta.authors:
                meta.set("authors", _names(obj.get("author"), named), "jsonld")
            if published := _text(obj.get("datePublished")):
                meta.declared_dates.setdefault("jsonld-page", published)
    _from_meta_tags(meta, page)
    return meta


def _jsonld_documents(page: Selector) -> Iterator[Any]:
    for raw in _JSONLD(page.root):
        if len(raw) > JSONLD_MAX_CHARS:
            continue
        try:
            document = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: nested past the C parser's limit
            continue
        yield document


def _named_nodes(
    data: Any, found: dict[str, dict[str, Any]] | None = None, depth: int = 0
) -> dict[str, Any]:
    """Every JSON-LD node with an ``@id`` and a ``name``, by its ``@id``: an article's
    ``"author": {"@id": ".../#/schema/person/1"}`` names its Person elsewhere in the graph.
    Nodes nested deeper than ``JSONLD_MAX_DEPTH`` are not looked at."""
    found = {} if found is None else found
    if depth > JSONLD_MAX_DEPTH:
        return found
    if isinstance(data, list):
        for entry in data:
            _named_nodes(entry, found, depth + 1)
    elif isinstance(data, dict):
        if isinstance(data.get("@id"), str) and data.get("name"):
            found.setdefault(data["@id"], data)
        for value in data.values():
            if isinstance(value, (list, dict)):
                _named_nodes(value, found, depth + 1)
    return found


def _walk_articles(
    data: Any, depth: int = 0, types: frozenset[str] = ARTICLE_TYPES
) -> Iterator[dict[str, Any]]:
    """The JSON-LD objects of one of ``types`` (the article types), also inside ``@graph``."""
    if depth > JSONLD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for entry in data:
            yield from _walk_articles(entry, depth + 1, types)
    elif isinstance(data, dict):
        declared = data.get("@type")
        declared = declared if isinstance(declared, list) else [declared]
        if any(t in types for t in declared if isinstance(t, str)):
            yield data
        if "@graph" in data:
            yield from _walk_articles(data["@graph"], depth + 1, types)


def _names(value: Any, named: dict[str, Any] | None = None, depth: int = 0) -> list[str]:
    """Author names from a JSON-LD author value (string, Person, list of either, or a
    reference ``{"@id": ...}`` to a node of ``named``)."""
    if depth > JSONLD_MAX_DEPTH:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        if "name" not in value and named and isinstance(value.get("@id"), str):
            value = named.get(value["@id"], value)
        if _is_organisation_node(value):
            return []
        return _names(value.get("name"), named, depth + 1)
    if isinstance(value, list):
        return [n for v in value for n in _names(v, named, depth + 1)]
    return []


def _is_organisation_node(node: dict[str, Any]) -> bool:
    """A node typed as an organisation or a site (``Organization``, ``NewsMediaOrganization``,
    ``GovernmentOrganization``, ``Corporation``, ``WebSite``) and not also as a ``Person``
    (a personal blog's Yoast graph types its owner ``["Person", "Organization"]``)."""
    declared = node.get("@type")
    types = {
        t for t in (declared if isinstance(declared, list) else [declared]) if isinstance(t, str)
    }
    if "Person" in types:
        return False
    return any(t.endswith("Organization") or t in ORGANISATION_TYPES for t in types)


def _publisher_names(value: Any, named: dict[str, Any]) -> list[str]:
    """The names of a JSON-LD ``publisher`` (a node, a reference to one, or a list), those
    typed as a ``Person`` left out (a personal site's owner is its author)."""
    found = []
    for node in (value if isinstance(value, list) else [value])[:JSONLD_MAX_DEPTH]:
        if isinstance(node, dict) and "name" not in node and isinstance(node.get("@id"), str):
            node = named.get(node["@id"], node)
        if isinstance(node, str) and node.strip():
            found.append(node.strip())
        elif isinstance(node, dict) and not _is_person_node(node):
            name = node.get("name")
            if isinstance(name, str) and name.strip():
                found.append(name.strip())
    return found


def _is_person_node(node: dict[str, Any]) -> bool:
    declared = node.get("@type")
    return "Person" in (declared if isinstance(declared, list) else [declared])


def _text(value: Any, depth: int = 0) -> str | None:
    if depth > JSONLD_MAX_DEPTH:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("name"), depth + 1)
    if isinstance(value, list) and value:
        return _text(value[0], depth + 1)
    return None


def _from_jsonld(meta: PageMetadata, obj: dict[str, Any], named: dict[str, Any]) -> None:
    meta.set("title", _text(obj.get("headline")) or _text(obj.get("name")), "jsonld")
    meta.set("published", _text(obj.get("datePublished")), "jsonld")
    if meta.published and meta.source.get("published") == "jsonld":
        meta.declared_dates.setdefault("jsonld", meta.published)
    meta.set("modified", _text(obj.get("dateModified")), "jsonld")
    meta.set("authors", _names(obj.get("author"), named), "jsonld")
    meta.set("publishers", _publisher_names(obj.get("publisher"), named), "jsonld")
    meta.set("image", _text(obj.get("image")), "jsonld")
    meta.set("section", _text(obj.get("articleSection")), "jsonld")
    keywords = obj.get("keywords")
    if isinstance(keywords, str):
        keywords = keywords.split(",")
    if isinstance(keywords, list):
        meta.set(
            "tags", [k.strip() for k in keywords if isinstance(k, str) and k.strip()], "jsonld"
        )
    meta.set("language", _text(obj.get("inLanguage")), "jsonld")


def _head_tags(page: Selector) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Every ``<meta property|name=… content=…>`` (values in page order) and ``<link rel>``,
    read in one pass over the tree."""
    metas: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    for element in page.root.iter("meta", "link"):
        if element.tag == "meta":
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = (element.get("content") or "").strip()
            if key and content:
                metas.setdefault(key.strip().lower(), []).append(content)
        elif (rel := (element.get("rel") or "").strip().lower()) and rel not in links:
            links[rel] = (element.get("href") or "").strip()
    return metas, links


def _from_meta_tags(meta: PageMetadata, page: Selector) -> None:
    metas, links = _head_tags(page)

    def first(key: str) -> str | None:
        return metas.get(key, [None])[0]

    meta.set("title", first("og:title"), "opengraph")
    meta.set("published", first("article:published_time"), "opengraph")
    for key in DATE_METAS:
        if key in metas:
            meta.declared_dates.setdefault(f"meta:{key}", metas[key][0])
    if (microdata := next(iter(_ITEMPROP_PUBLISHED(page.root)), None)) is not None:
        stated = microdata.get("content") or microdata.get("datetime") or microdata.text_content()
        if stated and stated.strip() and len(stated) <= _MAX_STATED:
            meta.declared_dates.setdefault("itemprop", stated.strip())
    meta.set("modified", first("article:modified_time"), "opengraph")
    meta.set("image", first("og:image"), "opengraph")
    meta.set("section", first("article:section"), "opengraph")
    meta.set("tags", metas.get("article:tag", []), "opengraph")
    author = first("author")
    meta.set("authors", [author] if author else [], "meta-author")
    # a <time> of the article itself, not of a related-news list or a sidebar
    time_attr = next(iter(_ARTICLE_TIME(page.root)), None)
    meta.set("published", time_attr.strip() if time_attr else None, "time-element")
    if time_attr and time_attr.strip():
        meta.declared_dates.setdefault("time-element", time_attr.strip())
    meta.set("canonical", links.get("canonical") or None, "link-canonical")
    meta.set("canonical", first("og:url"), "opengraph")
    meta.set("language", next(iter(_HTML_LANG(page.root)), None), "html-lang")
    meta.set("language", (first("og:locale") or "").replace("_", "-") or None, "og-locale")
