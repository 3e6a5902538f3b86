"""A site's profile learned from its own pages: the element paths agreeing with the generic layer.

For each archived article page of a site, the generic layer extracts the fields
(``extract.article``, on the generic profile of the site's host). For each field, the
elements holding the extracted value give *candidate paths* (``candidate_paths``: the
element's tag with its stable classes or id, alone and under each of its named
ancestors); candidates are pooled over the pages (*generalised*: a path found on many
pages, not one page's) and each is run on every page. A field's rule is the candidate that
agrees with the generic layer on most pages; its support is (pages agreeing, pages seen).
A rule under ``min_support`` is left out (and said). Where the generic layer was wrong on a
few pages (a header's date widget, a sidebar in the body), the rule of the many pages is
right on those too: that is the point of learning it.

Pure code over (url, html, fetched_at) triples: ``cli/profiles.py`` reads them from the
WARC files (no network). Every walk is bounded: the pages learned from (``MAX_PAGES``), the
text nodes looked at per page, the candidates per field (``MAX_CANDIDATES``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from parsel import Selector

from kazscraper.clean.article import clean_article
from kazscraper.extract.article import NotHtmlError, extract_article, parse_html
from kazscraper.extract.blocks import block_items, css_select, node_text, parse_block, squash
from kazscraper.extract.body import body_paragraphs
from kazscraper.extract.byline import is_no_person
from kazscraper.extract.dates import parse_date
from kazscraper.extract.profile_layer import profile_names
from kazscraper.items import Article
from kazscraper.learn.paths import (
    article_pattern,
    candidate_paths,
    common_ancestor,
    generalised,
    holders,
    pagination,
    text_elements,
)
from kazscraper.sites import SiteProfile
from kazscraper.sites.profile_file import ProfileFile, Rule
from kazscraper.urls import join_url

T = TypeVar("T")
MAX_PAGES = 500  # pages learned from (the newest capture of each article URL)
BODY_AGREES = 0.9  # token F1 of a rule's body with the generic layer's: agreement
MIN_AGREEING = 3  # a rule needs at least this many agreeing pages
DEFAULT_MIN_SUPPORT = 0.8


@dataclass
class Page:
    """One archived article page, parsed, with what the generic layer made of it."""

    url: str
    page: Selector
    article: Article
    fetched_at: datetime | None

    @property
    def root(self) -> Any:
        return self.page.root


@dataclass
class Learned:
    """A learned field: its best rule, or why none was kept."""

    name: str
    rule: Rule | None
    best: str = ""  # the best candidate's path (kept or not)
    agreeing: int = 0
    seen: int = 0
    disagreeing: list[str] = field(default_factory=list)  # URLs of the pages that disagree
    only: int = 0  # pages where the rule finds a value and the generic layer none

    @property
    def share(self) -> float:
        return self.agreeing / self.seen if self.seen else 0.0


# --- what a rule gives on a page, as the extractor would read it ----------------------


def _first(page: Page, path: str) -> Any | None:
    found = css_select(page.page, path)
    return found[0] if found else None


def rule_text(page: Page, path: str) -> str:
    found = _first(page, path)
    return node_text(found) if found is not None else ""


def rule_body(page: Page, path: str, profile: SiteProfile) -> str:
    probe = replace(profile, selectors=replace(profile.selectors, body=path, paragraphs="p"))
    paragraphs, layer = body_paragraphs(page.page, probe)
    return "\n\n".join(paragraphs) if layer == "profile" else ""


def rule_date(page: Page, path: str, tz: str | None) -> str:
    found = _first(page, path)
    if found is None or isinstance(found, str):
        return ""
    raw = found.get("datetime") or found.get("content") or node_text(found)
    parsed = parse_date(raw, fetched_at=page.fetched_at, tz=tz) if raw else None
    return parsed.date if parsed is not None else ""


def rule_names(page: Page, path: str) -> list[str]:
    return [n.name for n in profile_names(page.page, path) if not is_no_person(n.name)]


def rule_list(page: Page, path: str) -> list[str]:
    return [t for t in (node_text(e) for e in css_select(page.page, path)[:50]) if t]


def rule_image(page: Page, path: str) -> str:
    found = css_select(page.page, path if "::" in path else f"{path}::attr(src)")
    return (join_url(page.url, found[0].strip()) or "") if found else ""


def rule_block(page: Page, path: str, kind: str, profile: SiteProfile) -> frozenset[str]:
    found = _first(page, path)
    if found is None or isinstance(found, str):
        return frozenset()
    links = parse_block([found], kind, page.url, profile.interface_strings, 100)
    return frozenset(_link_key(link.url) for link in links if link.url)


def same_names(left: Sequence[str], right: Sequence[str]) -> bool:
    """The same people: the same words of names, whatever their order and punctuation
    (``Анар Садықова, Мадина Бекмұхамбетова`` as one name or two)."""

    def words(names: Sequence[str]) -> Counter[str]:
        return Counter(w.casefold() for n in names for w in re.findall(r"\w+", n))

    return words(left) == words(right)


def _link_key(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.netloc.lower()}{parts.path.rstrip('/')}"


def token_f1(a: str, b: str) -> float:
    """Token F1 of two texts (words, case folded, as multisets)."""
    left, right = Counter(a.casefold().split()), Counter(b.casefold().split())
    common = sum((left & right).values())
    if not common:
        return 1.0 if not left and not right else 0.0
    precision, recall = common / sum(left.values()), common / sum(right.values())
    return 2 * precision * recall / (precision + recall)


# --- one field: candidates, then the best -------------------------------------------


Value = Callable[[Page, str], Any]
#: how well a rule's value agrees with the generic layer's on a page, 0 to 1 (a bool will
#: do); None: the page is not seen for this field
Agrees = Callable[[Page, Any], float | None]
Holders = Callable[[Page], list[Any]]


@dataclass(frozen=True)
class FieldCheck:
    """How one field is learned and checked: the elements holding the generic layer's
    value on a page, what a rule gives on a page, and whether that agrees."""

    holders: Holders
    value: Value
    agrees: Agrees
    threshold: float = 1.0  # a page agrees at this score
    suffix: str = ""  # added to every candidate path (``::attr(src)``)


def best_rule(
    name: str, pages: Sequence[Page], candidates: list[str], check: FieldCheck
) -> Learned:
    """The candidate that agrees with the generic layer on most pages (ties: the closer
    agreement summed over the pages, then the one that selects a single element on more
    pages, then the tightest element (fewest elements inside), then the earlier)."""
    best = Learned(name, None)
    best_score: tuple[int, float, int, int] = (-1, -1.0, -1, 0)
    for path in candidates:
        agreeing, seen, total, unique, size, only, wrong = 0, 0, 0.0, 0, 0, 0, []
        for page in pages:
            value = check.value(page, path)
            verdict = check.agrees(page, value)
            if verdict is None:  # the generic layer has none: not seen (the rule may have)
                only += bool(value)
                continue
            seen += 1
            matches = css_select(page.page, path.partition("::")[0])[:2]
            unique += len(matches) == 1
            if matches and not isinstance(matches[0], str):
                size += sum(1 for _ in matches[0].iter())
            total += float(verdict)
            if float(verdict) >= check.threshold:
                agreeing += 1
            else:
                wrong.append(page.url)
        score = (agreeing, round(total, 6), unique, -size)
        if score > best_score:
            best_score = score
            best = Learned(name, None, path, agreeing, seen, wrong, only)
    return best


def field_checks(profile: SiteProfile) -> dict[str, FieldCheck]:
    """Each field's ``FieldCheck``, on the generic ``profile`` of the site."""
    tz = profile.timezone

    def text_of(value: Callable[[Article], str | None]) -> Holders:
        return lambda p: holders(p.root, value(p.article) or "")[:3]

    def equal(value: Callable[[Article], Any]) -> Agrees:  # pages where the generic has one
        return lambda p, v: (v == value(p.article)) if value(p.article) else None

    def body_holder(p: Page) -> list[Any]:
        paras = (p.article.body or "").split("\n\n")[:6]
        # each paragraph where it is whole (a teaser elsewhere repeats the lead's start)
        starts = [
            h
            for para in paras
            for h in (holders(p.root, para) or holders(p.root, para, exact=False))[:1]
        ]
        top = common_ancestor(starts)
        return [top, *list(top.iterancestors())[:3]] if top is not None else []

    def date_holder(p: Page) -> list[Any]:  # short elements reading as the generic day
        want, found = p.article.published_date, []
        if not want:
            return []
        for element in text_elements(p.root):
            raw = element.get("datetime") or squash(element.text or "")
            if not raw or len(raw) > 80 or not any(ch.isdigit() for ch in raw):
                continue
            parsed = parse_date(raw, fetched_at=p.fetched_at, tz=tz)
            if parsed is not None and parsed.date == want:
                found.append(element)
            if len(found) >= 4:
                break
        return found

    def author_holder(p: Page) -> list[Any]:
        names = [part for a in p.article.authors[:4] for part in a.name.split(", ")]
        # as written on the page: the stored "Surname Given" may be shown "Given Surname"
        shown = [form for n in names[:6] for form in (n, " ".join(reversed(n.split())))]
        return [h for name in shown for h in holders(p.root, name)[:2]]

    def image_holder(p: Page) -> list[Any]:
        want = p.article.image_url
        return [
            img
            for img in p.root.iter("img")
            if want and img.get("src") and join_url(p.url, img.get("src").strip()) == want
        ][:2]

    def block(kind: str) -> FieldCheck:
        def holder(p: Page) -> list[Any]:
            top = covering(p, _wanted_links(p, kind))
            return [top, *list(top.iterancestors())[:2]] if top is not None else []

        def agrees(p: Page, v: frozenset[str]) -> bool | None:
            want = _wanted_links(p, kind)
            return (v == want) if want else None

        return FieldCheck(holder, lambda p, path: rule_block(p, path, kind, profile), agrees)

    return {
        "title": FieldCheck(
            text_of(lambda a: a.title),
            rule_text,
            lambda p, v: (v == p.article.title) if p.article.title else None,
        ),
        "body": FieldCheck(
            body_holder,
            lambda p, path: rule_body(p, path, profile),
            lambda p, v: token_f1(v, p.article.body or "") if p.article.body else None,
            BODY_AGREES,
        ),
        "date": FieldCheck(
            date_holder,
            lambda p, path: rule_date(p, path, tz),
            lambda p, v: (v == p.article.published_date) if p.article.published_date else None,
        ),
        # every page is seen: a page without a byline agrees with a rule naming no one
        "authors": FieldCheck(
            author_holder,
            rule_names,
            lambda p, v: same_names(v, [a.name for a in p.article.authors]),
        ),
        "category": FieldCheck(
            text_of(lambda a: a.category), rule_text, equal(lambda a: a.category)
        ),
        "tags": FieldCheck(
            lambda p: [h for t in p.article.tags[:3] for h in holders(p.root, t)[:1]],
            rule_list,
            equal(lambda a: a.tags),
        ),
        "image": FieldCheck(
            image_holder, rule_image, equal(lambda a: a.image_url), 1.0, "::attr(src)"
        ),
        "similar": block("similar"),
        "top": block("top"),
    }


def learn_fields(
    pages: Sequence[Page], profile: SiteProfile, min_support: float = DEFAULT_MIN_SUPPORT
) -> list[Learned]:
    """A rule for each field of the article pages, learned against the generic layer:
    candidates from the holders of each page's value, generalised over the pages, the best
    kept when it agrees on ``min_support`` of the pages seen (and on ``MIN_AGREEING``)."""
    out: dict[str, Learned] = {}
    checks = field_checks(profile)
    for name in [n for n in checks if n != "body"] + ["body"]:
        check = checks[name]
        if name == "body":  # the body without the other fields' elements, as extracted
            kept = {n: item.rule for n, item in out.items() if item.rule is not None}
            check = field_checks(with_rules(profile, kept))["body"]
        candidates = generalised(
            [path for element in check.holders(page) for path in candidate_paths(element)]
            for page in pages
        )
        best = best_rule(name, pages, [c + check.suffix for c in candidates], check)
        if best.agreeing >= MIN_AGREEING and best.share >= min_support and best.best:
            best.rule = Rule(best.best, (best.agreeing, best.seen), _extra(name, pages, best.best))
        if name == "authors" and not any(p.article.authors for p in pages):
            best.rule = None  # no page names anyone: nothing was learned
        out[name] = best
    return [out[name] for name in checks]


def with_rules(profile: SiteProfile, rules: dict[str, Rule]) -> SiteProfile:
    """``profile`` with these rules as its selectors (as a learned file would make it)."""
    return ProfileFile(site={}, rules=rules).to_profile(profile)


def check_rules(
    pages: Sequence[Page], rules: dict[str, Rule], profile: SiteProfile
) -> list[Learned]:
    """Each rule of a profile run on ``pages``: its agreement with the generic layer."""
    checks = field_checks(with_rules(profile, rules))
    return [
        best_rule(name, pages, [rule.selector], checks[name])
        for name, rule in rules.items()
        if name in checks and rule.path
    ]


# --- after a redesign: the pages of the new layout, the earlier layout's paths -----------

#: the pages of a new layout needed to learn from them alone (the health check's least pages)
MIN_NEW_LAYOUT = 10
MAX_EARLIER = 3  # earlier layouts' paths kept per field


def read_by(page: Page, kept: ProfileFile, profile: SiteProfile) -> bool:
    """Whether the kept profile still reads ``page``: its body rule (else its title rule)
    finds the field there. A page of a new layout is one it no longer reads."""
    if "body" in kept.rules:
        return bool(rule_body(page, kept.rules["body"].selector, with_rules(profile, kept.rules)))
    if "title" in kept.rules:
        return bool(rule_text(page, kept.rules["title"].selector))
    return True


def new_layout_pages(
    pages: Sequence[Page], kept: ProfileFile, profile: SiteProfile
) -> tuple[list[Page], int]:
    """The pages to learn from when the site has a kept profile: those it no longer reads
    (a redesign) when there are ``MIN_NEW_LAYOUT`` of them, else all. With how many pages
    it no longer reads."""
    unread = [page for page in pages if not read_by(page, kept, profile)]
    return (unread if len(unread) >= MIN_NEW_LAYOUT else list(pages)), len(unread)


def with_earlier(learned: ProfileFile, kept: ProfileFile, pages: Sequence[Page]) -> ProfileFile:
    """The learned profile, each rule whose path changed keeping the kept rule's paths as
    ``earlier`` (the pages archived before the redesign are still read by them): only the
    paths that select nothing on ``pages`` (the new layout's), so that these read as the
    new rule alone."""
    rules = {}
    for name, rule in learned.rules.items():
        old = kept.rules.get(name)
        paths = [] if old is None else [old.path, *old.earlier]
        earlier = [
            p
            for p in dict.fromkeys(paths)
            if p
            and p != rule.path
            and not any(css_select(page.page, p.partition("::")[0]) for page in pages)
        ][:MAX_EARLIER]
        rules[name] = replace(rule, earlier=tuple(earlier))
    return replace(learned, rules=rules, urls=_urls_with_earlier(learned.urls, kept.urls))


#: the longest article pattern a proposal writes by adding the kept one to the new one
MAX_ARTICLE_PATTERN = 2_000


def _urls_with_earlier(new: dict[str, Any], kept: dict[str, Any]) -> dict[str, Any]:
    """The learned ``[urls]`` with the kept ones beside them: the new layout's pages may be
    a part of the site (one language), and the archived articles the kept article pattern
    names must stay articles (a reparse after accepting would lose them). The kept listing
    patterns stay as well; a pattern grown past ``MAX_ARTICLE_PATTERN`` is the new one."""
    urls = dict(new)
    old_article, new_article = kept.get("article"), new.get("article")
    if old_article and new_article and old_article != new_article:
        both = f"(?:{new_article})|(?:{old_article})"
        if len(both) <= MAX_ARTICLE_PATTERN:
            urls["article"] = both
    elif old_article and not new_article:
        urls["article"] = old_article
    listing = list(dict.fromkeys([*new.get("listing", []), *kept.get("listing", [])]))
    if listing:
        urls["listing"] = listing
    return urls


def _extra(name: str, pages: Sequence[Page], path: str) -> dict[str, str]:
    if name == "body":
        return {"paragraphs": "p"}
    if name == "date":
        return {"format": date_format(pages, path)}
    if name in ("similar", "top"):
        return {"item": block_item(pages, path)}
    return {}


def _wanted_links(page: Page, kind: str) -> frozenset[str]:
    return frozenset(_link_key(r.url) for r in page.article.related if r.kind == kind and r.url)


def covering(page: Page, want: frozenset[str]) -> Any | None:
    """The deepest element holding a link to each of ``want`` (the block, not the page
    around it: the same links may recur in a sidebar)."""
    cover: dict[int, set[str]] = {}
    nodes: dict[int, tuple[int, Any]] = {}
    for anchor in page.root.iter("a"):
        href = anchor.get("href")
        key = _link_key(join_url(page.url, href)) if href else ""
        if key not in want:
            continue
        chain = list(anchor.iterancestors())
        for up, node in enumerate(chain[:16]):  # depth: from the root, the same for all
            cover.setdefault(id(node), set()).add(key)
            nodes[id(node)] = (len(chain) - up, node)
    full = [nodes[k] for k, links in cover.items() if links == want]
    return max(full, key=lambda d: d[0])[1] if full else None


def block_item(pages: Sequence[Page], path: str) -> str:
    """The item structure of a block: the most common tag of its items, as the extractor
    reads them (``extract.blocks.block_items``: list items, or the children with a link)."""
    tags: Counter[str] = Counter()
    for page in pages[:20]:
        found = _first(page, path)
        if found is None or isinstance(found, str):
            continue
        tags.update(item.tag for item in block_items([found]) if isinstance(item.tag, str))
    return tags.most_common(1)[0][0] if tags else "a"


def date_format(pages: Sequence[Page], path: str) -> str:
    """How the date rule's element writes the date: ``datetime attribute`` (ISO 8601) or
    the shape of its text, digits as 9 (``99.99.9999, 99:99``), the most common."""
    shapes: Counter[str] = Counter()
    for page in pages[:30]:
        found = _first(page, path)
        if found is None or isinstance(found, str):
            continue
        if found.get("datetime"):
            shapes["datetime attribute (ISO 8601)"] += 1
        else:
            shapes[re.sub(r"[0-9]", "9", node_text(found))[:60]] += 1
    return shapes.most_common(1)[0][0] if shapes else ""


# --- the whole profile ---------------------------------------------------------------


def newest_pages(items: Iterable[tuple[str, T]], limit: int) -> list[tuple[str, T]]:
    """The last ``limit`` distinct URLs of a stream of (url, value), each with its last
    value, oldest first: at most ``limit`` values held at a time, whatever the stream's
    length (a URL given again moves to the end)."""
    kept: dict[str, T] = {}
    for url, value in items:
        kept.pop(url, None)
        kept[url] = value
        if len(kept) > limit:
            del kept[next(iter(kept))]
    return list(kept.items())


def read_pages(
    captures: Iterable[tuple[str, str, str]], profile: SiteProfile, limit: int = MAX_PAGES
) -> list[Page]:
    """The article pages among (url, html, fetched_at), with the generic layer's reading
    (extracted and cleaned as the crawl stores it); pages without a body (listings) left
    out. One page per URL, the last given, of the last ``limit`` URLs (``newest_pages``:
    a stream, held ``limit`` pages at a time)."""
    pages = []
    newest = newest_pages(((url, (html, at)) for url, html, at in captures), limit)
    for url, (html, fetched_at) in newest:
        try:
            page = parse_html(html)
            article = clean_article(extract_article(html, url, profile, fetched_at), profile)
        except NotHtmlError:
            continue
        if not article.body:
            continue
        try:
            fetched = datetime.fromisoformat(fetched_at) if fetched_at else None
        except ValueError:
            fetched = None
        pages.append(Page(url, page, article, fetched))
    return pages


def learn_profile(
    pages: Sequence[Page],
    profile: SiteProfile,
    listing_urls: Sequence[str] = (),
    min_support: float = DEFAULT_MIN_SUPPORT,
    notes: dict[str, str] | None = None,
) -> tuple[ProfileFile, list[Learned]]:
    """The profile learned from ``pages`` (on the generic ``profile`` of their site), and
    every field's outcome (kept or left out, with its best candidate and support)."""
    learned = learn_fields(pages, profile, min_support)
    rules = {item.name: item.rule for item in learned if item.rule is not None}
    urls: dict[str, Any] = {}
    pattern, matched = article_pattern([p.url for p in pages])
    if pattern and pages and matched / len(pages) >= min_support:
        urls["article"] = pattern
    if (form := pagination(listing_urls))[1]:
        urls["pagination"] = form[0]
    health = {"min_pages": 10.0}
    for name, stat in (("title", "title"), ("body", "body:profile"), ("date", "published_date")):
        if name in rules and (share := rules[name].share) is not None:
            # a rule that held on this share of the pages: well under it, the layout changed
            health[stat] = round(max(0.5, share - 0.15), 2)
    site = {"language": profile.language, "timezone": profile.timezone or ""}
    result = ProfileFile(
        site={k: v for k, v in site.items() if v},
        rules=rules,
        urls=urls,
        health=health,
        notes=dict(notes or {}, pages=str(len(pages))),
    )
    return result, learned
