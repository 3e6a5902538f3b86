"""Values made storable before they reach SQLite.

Pages are written by strangers: a view counter of 2^70 does not fit SQLite's signed
64-bit integers (``OverflowError`` at the insert), a JSON-LD headline cut inside an
emoji carries a lone surrogate (``"\\ud83d"``) that UTF-8 cannot encode
(``UnicodeEncodeError``), a NUL cuts a string short in many readers. Either error
in a batch rolled the whole batch back. ``storable_article`` fixes every field of an
article in place before the write, and says what it changed in ``extraction``:

- an integer outside the signed 64-bit range becomes None;
- a string loses its NULs, its lone surrogates become U+FFFD, and it is capped to a
  length no real value of that field reaches;
- a list (tags, authors, related links) keeps at most ``MAX_ITEMS`` of its items.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from kazscraper.items import Article

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: the longest value kept per field (characters); longer is cut, with a note
MAX_CHARS = {
    "body": 5_000_000,  # ten times the longest article seen; the download cap is 10 MB
    "lead": 20_000,
    "title": 2_000,
    "url": 8_192,
    "fetched_url": 8_192,
    "image_url": 8_192,
}
DEFAULT_MAX_CHARS = 4_000  # dates, names, categories, tags, ETags, extraction notes
#: the most items kept of an article's lists (extraction keeps fewer: see extract/article.py)
MAX_ITEMS = {"tags": 100, "authors": 100, "related": 1_000}


def storable_int(value: Any) -> int | None:
    """``value`` if SQLite can store it as an INTEGER, else None (bools are ints too)."""
    if isinstance(value, int) and INT64_MIN <= value <= INT64_MAX:
        return value
    return None


def storable_text(value: str, limit: int = DEFAULT_MAX_CHARS) -> str:
    """``value`` encodable as UTF-8 (lone surrogates → U+FFFD), without NULs, cut at ``limit``."""
    text = value.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # a pair written as two escapes becomes its character; a lone half becomes U+FFFD
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text[:limit]


def storable_article(article: Article) -> list[str]:
    """Make every field of ``article`` storable in place; the notes on what changed."""
    notes: list[str] = []
    _fix(article, notes, prefix="")
    for name, value in list(article.extraction.items()):
        article.extraction[storable_text(str(name))] = storable_text(str(value))
    for note in notes:
        field_name = note.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
        current = article.extraction.get(field_name, "")
        article.extraction[field_name] = f"{current}; {note}" if current else note
    return notes


def _fix(record: Any, notes: list[str], prefix: str) -> None:
    for spec in fields(record):
        if spec.name == "extraction":
            continue
        name = prefix + spec.name
        value = getattr(record, spec.name)
        setattr(record, spec.name, _fixed(value, name, notes))


def _fixed(value: Any, name: str, notes: list[str]) -> Any:
    if value is None or isinstance(value, bool | float):
        return value
    if isinstance(value, int):
        kept = storable_int(value)
        if kept is None:
            notes.append(f"{name}: {value} is out of SQLite's integer range, not stored")
        return kept
    if isinstance(value, str):
        limit = MAX_CHARS.get(name, DEFAULT_MAX_CHARS)
        text = storable_text(value, limit)
        if len(value.replace("\x00", "")) > limit:
            notes.append(f"{name}: cut at {limit} characters (had {len(value)})")
        elif text != value:
            notes.append(f"{name}: made storable (NUL or lone surrogate replaced)")
        return text
    if isinstance(value, list):
        most = MAX_ITEMS.get(name)
        if most is not None and len(value) > most:
            notes.append(f"{name}: {most} of {len(value)} kept")
            value = value[:most]
        return [_fixed(v, f"{name}[{i}]", notes) for i, v in enumerate(value)]
    if is_dataclass(value) and not isinstance(value, type):
        _fix(value, notes, prefix=f"{name}.")
        return value
    # nothing else belongs in an article; keep its text rather than fail the batch
    notes.append(f"{name}: a {type(value).__name__} stored as text")
    return storable_text(str(value))
