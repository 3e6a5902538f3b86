"""The generic layer runs trafilatura's byline reading only where an element may match one
of trafilatura's author XPaths (``kazscraper/extract/xpaths.py`` mirrors them as attribute
stems and tags). This watches the mirror: every attribute value trafilatura's XPaths test
for, put on an element that its XPath matches, must pass our pre-check. A trafilatura that
adds a value our stems miss (its bylines then silently lost) fails here."""

from __future__ import annotations

import re

import lxml.html
import pytest

from kazscraper.extract.byline import _may_name_an_author

trafilatura_xpaths = pytest.importorskip("trafilatura.xpaths")

# the attribute tests in trafilatura's XPath source text (a constant, not page HTML)
_EQUALS = re.compile(r"@([\w-]+)\s*=\s*'([^']*)'")
_CONTAINS = re.compile(r"contains\(@([\w-]+),\s*'([^']*)'\)")
_REGEX = re.compile(r"re:test\(@([\w-]+),\s*'([^']*)'\)")
_TAGS = ("span", "div", "a", "p", "h3", "h4", "strong", "address")


def _samples_of(regex: str) -> list[str]:
    """A string each alternative of a simple regular expression matches: ``[Aa]uthor`` →
    ``Author``, ``author-?name`` → ``authorname``."""
    samples = []
    for alternative in regex.split("|"):
        text = alternative.lstrip("^").rstrip("$")
        text = re.sub(r"\[(.)[^\]]*\]", r"\1", text)
        samples.append(re.sub(r".\?", "", text))
    return samples


def _attribute_samples(source: str) -> list[tuple[str, str]]:
    found = [*_EQUALS.findall(source), *_CONTAINS.findall(source)]
    found += [(attr, s) for attr, regex in _REGEX.findall(source) for s in _samples_of(regex)]
    return found


def _page(tag: str, attribute: str, value: str) -> lxml.html.HtmlElement:
    element = f'<{tag} {attribute}="{value}">Jane Doe</{tag}>'
    return lxml.html.fromstring(f"<html><body><p>Some text.</p>{element}</body></html>")


def test_every_value_trafilaturas_author_xpaths_test_passes_our_pre_check() -> None:
    matched = 0
    for xpath in trafilatura_xpaths.AUTHOR_XPATHS:
        for attribute, value in _attribute_samples(xpath.path):
            pages = [_page(tag, attribute, value) for tag in _TAGS]
            pages = [page for page in pages if xpath(page)]  # trafilatura reads this element
            for page in pages:
                assert _may_name_an_author(page), (attribute, value, xpath.path)
            matched += bool(pages)
    assert matched >= 20  # the sampler still reads trafilatura's XPaths


def test_trafilaturas_author_element_and_rel_child_pass_our_pre_check() -> None:
    for markup in ("<author>Jane Doe</author>", "<p><rel>me</rel>Jane Doe</p>"):
        page = lxml.html.fromstring(f"<html><body><p>Some text.</p>{markup}</body></html>")
        if any(xpath(page) for xpath in trafilatura_xpaths.AUTHOR_XPATHS):
            assert _may_name_an_author(page), markup


def test_a_page_without_any_author_value_is_not_searched() -> None:
    page = _page("div", "class", "entry-content")
    assert not any(xpath(page) for xpath in trafilatura_xpaths.AUTHOR_XPATHS)
    assert not _may_name_an_author(page)
