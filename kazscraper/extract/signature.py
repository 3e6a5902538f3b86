"""The signature block at the end of an article body.

Guest articles on the site end with an affiliation line, one line per author
(``SURNAME Given Patronymic,`` with the surname in capitals, sometimes broken
over two lines) and a date line (``11.12.2025``), all set as ordinary body
paragraphs. ``split_signature`` reads the paragraphs from the end and returns
where the body stops, the authors, the affiliation and the date text; bylines
(``Автор: …``, ``Дайындаған: …``) at either end of the body count too.
Photo credits are removed from the body but are not authors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kazscraper.extract.dates import parse_date
from kazscraper.extract.names import (
    PersonName,
    is_credit_line,
    join_split_name,
    parse_byline,
    parse_signature_name,
)

MAX_DATE_LINE = 40
MAX_AFFILIATION = 250
_SENTENCE_END = re.compile(r"[.!?…:;]\s*$")


@dataclass
class Signature:
    body_start: int = 0  # index of the first body paragraph (after a top byline)
    body_end: int = 0  # index one past the last body paragraph
    authors: list[PersonName] = field(default_factory=list)
    affiliation: str | None = None
    date_text: str | None = None
    author_source: str | None = None  # 'signature' | 'byline'


def split_signature(paragraphs: list[str]) -> Signature:
    """Find the signature (and a top byline) in ``paragraphs`` (whitespace already squashed)."""
    sig = Signature(body_end=len(paragraphs))
    end = len(paragraphs)
    date_text = None
    if end and _is_date_line(paragraphs[end - 1]):
        date_text = paragraphs[end - 1]
        end -= 1
    names, end, place = _names_backwards(paragraphs, end)
    if names:
        sig.authors, sig.author_source = names, "signature"
        if end and _is_affiliation(paragraphs[end - 1]):
            sig.affiliation = paragraphs[end - 1]
            end -= 1
        else:
            sig.affiliation = place
    if names or date_text:
        sig.body_end, sig.date_text = end, date_text
    if not sig.authors and paragraphs:
        byline = parse_byline(paragraphs[0])
        if byline:
            sig.authors, sig.author_source, sig.body_start = byline, "byline", 1
    return sig


def _names_backwards(paragraphs: list[str], end: int) -> tuple[list[PersonName], int, str | None]:
    """Collect name, byline and credit lines upwards from ``end``.

    Returns (names, new end, place): a short line just below the names
    (``Мақсат ТӨЛЕУБАЕВ,`` / ``Балқаш ауданы``) is the author's place or
    affiliation, kept when a name stands right above it.
    """
    found: list[PersonName] = []
    place = None
    while end:
        line = paragraphs[end - 1]
        if is_credit_line(line):
            end -= 1
            continue
        if (
            not found
            and place is None
            and end >= 2
            and _is_affiliation(line)
            and parse_signature_name(line) is None
            and not parse_byline(line)
            and (parse_signature_name(paragraphs[end - 2]) or parse_byline(paragraphs[end - 2]))
        ):
            place = line
            end -= 1
            continue
        byline = parse_byline(line)
        if byline:
            found[:0] = byline
            end -= 1
            continue
        name = parse_signature_name(line)
        if name is not None:
            found.insert(0, name)
            end -= 1
            continue
        if end >= 2:
            joined = join_split_name(paragraphs[end - 2], line)
            name = parse_signature_name(joined) if joined else None
            if name is not None:
                found.insert(0, name)
                end -= 2
                continue
        break
    if not found:
        return [], end + (1 if place else 0), None
    return found, end, place


def _is_date_line(line: str) -> bool:
    return len(line) <= MAX_DATE_LINE and parse_date(line) is not None


def _is_affiliation(line: str) -> bool:
    """A short line without sentence punctuation just above the names."""
    return (
        len(line) <= MAX_AFFILIATION and not _SENTENCE_END.search(line) and not _is_date_line(line)
    )
