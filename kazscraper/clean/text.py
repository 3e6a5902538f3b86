"""Text normalisation for Kazakh web text.

``normalize_text`` gives one Unicode form (NFC), one kind of space, no
invisible or control characters (soft hyphens, zero-width spaces, BOMs, NUL,
U+FFFD), LF line ends,
trimmed lines and at most one blank line in a row; quotes «» and dashes stay.
``fix_homoglyphs`` puts Kazakh letters back where a Latin lookalike was typed
inside an otherwise Cyrillic word (``i`` for ``і``, ``ə`` for ``ә``, Latin
``a``/``o``/``p``…); wholly Latin words (brands, ``Kazinform``) are left alone.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# invisible and control characters, bidi marks, embeddings, overrides and isolates (U+202E
# shows 'Камила' as 'алимаК'), and U+FFFD (what a parser puts for a NUL or a bad byte):
# none of them is text (a regex: searching is ~10x cheaper than str.translate with a dict)
_INVISIBLE_RE = re.compile(
    "[\u00ad\u200b\u200c\u200d\u2060\ufeff\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]"
)
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace but a newline
_BLANK_RUNS = re.compile(r"\n{3,}")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

# Latin (and IPA) lookalikes → the Cyrillic letter they stand in for
HOMOGLYPHS = str.maketrans(
    {
        "i": "і", "I": "І", "ə": "ә", "Ə": "Ә", "ɵ": "ө", "θ": "ө", "Ɵ": "Ө", "h": "һ",
        "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у",
        "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О",
        "P": "Р", "T": "Т", "X": "Х", "Y": "У",
    }
)  # fmt: skip
_LOOKALIKES = frozenset("iIəƏɵθƟhaeopcxyABCEHKMOPTXY")
_HAS_LOOKALIKE = re.compile("[" + "".join(sorted(_LOOKALIKES)) + "]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
# a Cyrillic letter touching a non-Cyrillic letter: only then can a word mix scripts
_MIXED_SCRIPTS = re.compile(
    r"[\u0400-\u04ff][^\W\d_\u0400-\u04ff]|[^\W\d_\u0400-\u04ff][\u0400-\u04ff]"
)


def _is_cyrillic(ch: str) -> bool:
    return "\u0400" <= ch <= "\u04ff"


def normalize_text(text: str) -> str:
    """NFC, plain spaces, no invisible characters, trimmed lines, at most one blank line."""
    text = _visible(unicodedata.normalize("NFC", text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    cyrillic = sum(1 for ch in word if _is_cyrillic(ch))
    if cyrillic == 0 or cyrillic == len(word):
        return word
    if not all(ch in _LOOKALIKES for ch in word if not _is_cyrillic(ch)):
        return word  # a Latin letter with no Cyrillic twin: not a typing slip, leave it
    return word.translate(HOMOGLYPHS)


def fix_homoglyphs(text: str) -> str:
    """Replace Latin lookalikes inside otherwise Cyrillic words."""
    if (
        text.isascii()
        or not _CYRILLIC.search(text)  # (a text of other scripts with a curly quote: one
        or not _HAS_LOOKALIKE.search(text)  # scan of a character class, where the test of
        or not _MIXED_SCRIPTS.search(text)  # mixed scripts tried two at every letter)
    ):
        return text  # the common case: no lookalike letter at all, one cheap scan
    return _WORD.sub(_fix_word, text)


def clean_line(text: str) -> str:
    """A single-line field: normalised, homoglyphs fixed, newlines folded to spaces.

    (What ``normalize_text`` does, less the line handling: every whitespace run, newlines
    included, becomes one space.)"""
    return fix_homoglyphs(" ".join(_visible(unicodedata.normalize("NFC", text)).split()))


def _visible(text: str) -> str:
    """``text`` without invisible and control characters (most text has none)."""
    return _INVISIBLE_RE.sub("", text) if _INVISIBLE_RE.search(text) else text


@lru_cache(maxsize=64)
def _interface_keys(strings: tuple[str, ...]) -> tuple[frozenset[str], int]:
    """The interface strings as lines are compared with them, and the longest one's length
    (a profile's few strings: made once, not for every page)."""
    interface = frozenset(" ".join(normalize_text(s).split()).casefold() for s in strings)
    return interface, max((len(s) for s in interface), default=0)


def strip_interface_strings(lines: Iterable[str], strings: Iterable[str]) -> list[str]:
    """Drop lines that are interface text ("Show more", "Толығырақ"), whatever their case."""
    interface, longest = _interface_keys(tuple(strings))
    return [
        line
        for line in lines
        if len(line) > 2 * longest + 8  # a long paragraph is never a button label
        or " ".join(normalize_text(line).split()).casefold() not in interface
    ]
