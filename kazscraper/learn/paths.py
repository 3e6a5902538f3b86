"""Element paths and URL patterns generalised over a site's pages: what learned rules come from.

``candidate_paths`` names an element as paths the selector layer runs (its tag with its
stable classes or id, alone and under each named ancestor); ``generalised`` keeps the paths
most pages share; ``holders`` and ``covering`` find the elements that hold a value or a
block's links. ``article_pattern`` and ``pagination`` do the same for URLs. Bounded: the
text nodes looked at per page, the ancestors a path may start from, the paths kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from kazscraper.extract.blocks import node_text, squash
from kazscraper.sites import GENERIC_ARTICLE_PATH

MAX_CANDIDATES = 40  # candidate paths run on every page, per field (the most frequent)
MAX_TEXT_NODES = 20_000  # elements looked at per page
MAX_ANCESTORS = 4  # named ancestors a candidate path may start from

#: a class or id worth naming in a path: a word, not a number or a generated name
_STABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")
_TAG = re.compile(r"[a-z][a-z0-9]{0,15}")
_ID_LIKE = re.compile(r"[0-9]{3,}")
_DIGITS = re.compile(r"[0-9]+")
_STORY = re.compile(GENERIC_ARTICLE_PATH)


# --- candidate paths ------------------------------------------------------------------


def steps(element: Any) -> list[str]:
    """The simple selectors of one element: its tag, tag.class for each stable class,
    tag#id for a stable id (``div``, ``div.entry-content``, ``div#content``)."""
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag or not _TAG.fullmatch(tag) or tag in ("html", "body", "head"):
        return []  # the whole page is no field's element
    out = [tag]
    classes = (element.get("class") or "").split()
    out += [f"{tag}.{c}" for c in classes if _stable(c)][:6]
    ident = element.get("id") or ""
    if _stable(ident):
        out.append(f"{tag}#{ident}")
    return out


def _stable(token: str) -> bool:
    return bool(_STABLE.fullmatch(token)) and not _ID_LIKE.search(token)


def candidate_paths(element: Any) -> list[str]:
    """Paths that select ``element``: its own steps, and each under a named ancestor's
    (a class or an id: ``article.post h1``), up to ``MAX_ANCESTORS`` such ancestors."""
    own = steps(element)
    out = list(own)
    named = 0
    for ancestor in element.iterancestors():
        if ancestor.tag in ("html", "body") or named >= MAX_ANCESTORS:
            break
        above = [s for s in steps(ancestor) if "." in s or "#" in s]
        if not above:
            continue
        named += 1
        out += [f"{a} {s}" for a in above[:3] for s in own if s != own[0] or len(own) == 1]
    return out


def generalised(per_page: Iterable[Iterable[str]], limit: int = MAX_CANDIDATES) -> list[str]:
    """The candidate paths found on most pages (each page counted once per path), most
    frequent first; ``limit`` of them."""
    counts: Counter[str] = Counter()
    for paths in per_page:
        counts.update(set(paths))
    # on a tie, a path naming a class or id (``h1.entry-title``, not any ``h1``), then the
    # shorter: a bare tag also matches what a redesign or another page puts first
    ranked = sorted(counts, key=lambda p: (-counts[p], "." not in p and "#" not in p, len(p), p))
    return ranked[:limit]


def text_elements(root: Any) -> Iterable[Any]:
    """The page's elements that may hold text (not scripts, styles, the head), at most
    ``MAX_TEXT_NODES``."""
    for n, text in enumerate(root.iter()):
        if n > MAX_TEXT_NODES:
            return
        if isinstance(text.tag, str) and text.tag not in ("script", "style", "head", "title"):
            yield text


def holders(root: Any, value: str, exact: bool = True) -> list[Any]:
    """The deepest elements whose visible text is ``value`` (``exact``) or starts with it."""
    want = squash(value)
    if not want:
        return []
    head = want[:24]
    found = []
    for element in text_elements(root):
        own = squash(element.text or "")
        if not own or not (head.startswith(own[:24]) or own.startswith(head)):
            continue
        node: Any = element
        for _ in range(3):  # the text may be split by inline markup: a few levels up
            text = node_text(node)
            if (text == want) if exact else text.startswith(head):
                found.append(node)
                break
            node = node.getparent()
            if node is None:
                break
    return found


def common_ancestor(elements: Sequence[Any]) -> Any | None:
    if not elements:
        return None
    chains = [[e, *e.iterancestors()] for e in elements]
    first = chains[0]
    others = [set(map(id, c)) for c in chains[1:]]
    for node in first:
        if all(id(node) in o for o in others):
            return node
    return None


# --- URL patterns and pagination -----------------------------------------------------


def article_pattern(urls: Sequence[str]) -> tuple[str, int]:
    """A path pattern of the article URLs (segment by segment: a segment the same on every
    URL is kept, numbers as digits, a story's last segment as the generic rule reads it,
    else any segment), and how many of ``urls`` it matches. Several shapes: one
    alternative each (the three most frequent)."""
    shapes: dict[int, list[list[str]]] = {}
    for url in urls:
        segments = (urlsplit(url).path or "/").strip("/").split("/")
        shapes.setdefault(len(segments), []).append(segments)
    alternatives = []
    for _, paths in sorted(shapes.items(), key=lambda kv: -len(kv[1]))[:3]:
        parts = []
        for i, column in enumerate(zip(*paths, strict=True)):
            values = set(column)
            last = i == len(paths[0]) - 1
            if len(values) == 1:
                parts.append(re.escape(column[0]))
            elif all(_DIGITS.fullmatch(v) for v in values):
                parts.append("[0-9]+")
            elif last and all(_STORY.match(f"/{v}") for v in values):
                parts.append(r"(?:[^/.-]+(?:-[^/-]+){2,}|[0-9]{5,}|[^/]+\.html?)")
            else:
                parts.append("[^/]+")
        alternatives.append("/".join(parts))
    pattern = "^/(?:" + "|".join(alternatives) + ")/?$" if alternatives else ""
    if not pattern:
        return "", 0
    compiled = re.compile(pattern)
    return pattern, sum(bool(compiled.match(urlsplit(u).path or "/")) for u in urls)


_PAGE_PARAM = re.compile(r"(?:^|&)((?:page|PAGEN_[0-9]+|p|start|offset)=)[0-9]+", re.I)
_PAGE_PATH = re.compile(r"/(page|p)/[0-9]+/?$")


def pagination(urls: Iterable[str]) -> tuple[str, int]:
    """How the site pages its lists (``/page/N/``, ``?PAGEN_1=N``, ``?page=N``): the most
    common form among the listing URLs, and how many showed it."""
    forms: Counter[str] = Counter()
    for url in urls:
        parts = urlsplit(url)
        if found := _PAGE_PARAM.search(parts.query):
            forms[f"?{found[1]}N"] += 1
        elif found := _PAGE_PATH.search(parts.path):
            forms[f"/{found[1]}/N/"] += 1
    return forms.most_common(1)[0] if forms else ("", 0)
