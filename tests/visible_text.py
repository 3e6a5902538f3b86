"""A browser-like rendering of an element's visible text, for checking the replica.

Follows the shape of the ``innerText`` algorithm: ``<p>`` and headings are
separated by a blank line, other block elements by a line break, runs of
breaks collapse to the largest, whitespace-only text between blocks is layout,
not text. Text inside a line is kept as written (the seed page has a double
space in its title and NBSPs that a browser shows).
"""

from __future__ import annotations

from lxml import html as lxml_html

PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}
BLOCK = {
    "div",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "aside",
    "main",
    "header",
    "footer",
    "nav",
    "form",
}
HIDDEN = {"script", "style", "head", "template"}


def visible_text(fragment: str, css_root: str | None = None) -> str:
    root = lxml_html.fromstring(fragment)
    if css_root:
        root = root.cssselect(css_root)[0]
    parts: list[str | int] = []
    _walk(root, parts)
    return _join(parts)


def _walk(element, parts: list[str | int]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in HIDDEN or element.get("hidden") is not None:
        _tail(element, parts)
        return
    breaks = 2 if tag in PARAGRAPH else 1 if tag in BLOCK else 0
    if breaks:
        parts.append(breaks)
    if element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
    if breaks:
        parts.append(breaks)
    _tail(element, parts)


def _tail(element, parts: list[str | int]) -> None:
    if element.tail:
        parts.append(element.tail)


def _join(parts: list[str | int]) -> str:
    lines: list[str] = []
    current = ""
    pending = 0
    for part in parts:
        if isinstance(part, int):
            pending = max(pending, part)
            continue
        if pending and not part.strip(" \n\t"):
            continue  # layout whitespace between blocks
        if pending:
            if current.strip(" \n\t"):
                lines.append(current.strip(" \n\t"))
                lines.extend([""] * (pending - 1))
            current = ""
            pending = 0
        current += part.replace("\n", " ")
    if current.strip(" \n\t"):
        lines.append(current.strip(" \n\t"))
    return "\n".join(lines)
