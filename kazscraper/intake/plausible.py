"""Whether a decoding reads as text a person wrote: the mojibake heuristics.

A single-byte codec accepts any bytes, so a wrong one gives text of the wrong
letters; these tests tell it by what it looks like: letters mostly of one script,
no Cyrillic letters inside Latin words (German read as KZ-1048 gives 'Auswдhlen'),
no box drawing in place of letters (cp866: 'Stra▀e'), no inverted case (KOI8-R as
windows-1251: 'пРАВИТЕЛЬСТВО'), and for a Latin codec no words of accented letters
(windows-1251 as latin-1: 'Àóðóõàíà'). Any decoding may hold a few control
characters (a stray U+0085 or DEL on a real page), not more than one in
``CONTROL_PER_CHARS`` characters. Counts of ASCII characters are taken in C
(``str.encode('ascii', 'ignore')``), never character by character in Python.
"""

from __future__ import annotations

import re
from itertools import islice

# the Latin single-byte codecs (Python's names): Cyrillic bytes declared as one of them read
# as words of accented letters ('Àóðóõàíà'), which ``_accented_words`` refuses
LATIN_CODECS = frozenset({"iso8859-1", "cp1252", "iso8859-15"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LETTER = re.compile(r"[^\W\d_]")
CONTROL_PER_CHARS = 1000  # control characters allowed: one per this many characters
CONTROLS_ALLOWED = 2  # control characters always allowed (a short page)


def ascii_count(text: str) -> int:
    """How many characters of ``text`` are ASCII (counted in C)."""
    return len(text.encode("ascii", "ignore"))


def controls_allowed(length: int) -> int:
    """The control characters a text of ``length`` characters may hold."""
    return max(CONTROLS_ALLOWED, length // CONTROL_PER_CHARS)


def few_controls(text: str) -> bool:
    """At most one control character per ``CONTROL_PER_CHARS`` characters (and a handful on
    a short page): binary data and UTF-16 read as UTF-8 have far more."""
    return next(islice(_CONTROL.finditer(text), controls_allowed(len(text)), None), None) is None


def plausible_text(text: str, codec: str = "") -> bool:
    """Text a person wrote: few control characters, no box drawing in place of letters, and
    non-ASCII letters mostly Cyrillic (not inside Latin words) or mostly of another script
    (a wrong single-byte decoding of Cyrillic gives a mix of accented Latin; a Latin
    ``codec``'s reading must not be words made of accented letters)."""
    if "\ufffd" in text or not few_controls(text) or _cyrillic_in_latin_words(text):
        return False
    if _box_drawing(text) or _case_inverted(text):
        return False
    letters = [ch for ch in _LETTER.findall(text) if not ch.isascii()]
    if len(letters) < 20:
        return True
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    share = cyrillic / len(letters)
    if share > 0.9:
        return True
    if share >= 0.1 or _looks_like_mojibake(letters):
        return False
    return codec not in LATIN_CODECS or not _accented_words(text)


# windows-1251's reading of KZ-1048's Қ қ Һ һ Ә ә Ң ң: letters of no Russian, Ukrainian or
# Belarusian word (the strong evidence of Kazakh text)
_KAZAKH_IN_CP1251 = re.compile("[ЌќЋћЈјЅѕ]")
# Serbian/Macedonian letters that KZ-1048 keeps where windows-1251 has them: no Kazakh text
_SERBIAN_MACEDONIAN = re.compile("[ЂђЃѓЉљЊњЏџ]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{4,}")
_BOX = re.compile(r"[\u2500-\u25ff]")


def kazakh_in_cp1251(text: str) -> bool:
    """windows-1251's reading of bytes holds what Kazakh letters of KZ-1048 look like there
    ('Ќазаќстан'), and none of the Serbian/Macedonian letters the two share."""
    return bool(_KAZAKH_IN_CP1251.search(text)) and not _SERBIAN_MACEDONIAN.search(text)


def _case_inverted(text: str) -> bool:
    """KOI8-R read as windows-1251 swaps the case: 'пРАВИТЕЛЬСТВО', a lower-case letter then
    only capitals, which real text hardly has (one such word in three words is enough; a
    text of all lower-case words turns all-capitals, which no check tells from a headline)."""
    words = _CYRILLIC_WORD.findall(text)
    odd = sum(1 for w in words if w[0].islower() and w[1:].isupper())
    return odd > 0 and 3 * odd >= len(words)


def _box_drawing(text: str) -> bool:
    """Western text read as cp866: accents become box drawing and blocks ('Stra▀e'), more
    than one in ten non-ASCII characters (and at least three)."""
    boxes = len(_BOX.findall(text))
    return boxes >= 3 and 10 * boxes > len(text) - ascii_count(text)


_WORD = re.compile(r"[^\W\d_]+")  # nothing after the +: linear, whatever the text
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _cyrillic_in_latin_words(text: str) -> bool:
    """Western text read as a Cyrillic codec: its accented letters become Cyrillic letters
    inside Latin words ('Auswдhlen', 'StraГџe'), so most words holding Cyrillic letters hold
    as many ASCII letters as Cyrillic ones, or more. Kazakh text with Latin lookalikes
    ('Қaзaқ') is the other way round."""
    words = [w for w in _WORD.findall(text) if _CYRILLIC.search(w)]
    if len(words) < 5:
        return False
    latin_led = sum(1 for w in words if 2 * ascii_count(w) >= len(w))
    return latin_led / len(words) > 0.5


def _accents(word: str) -> int:
    return sum(1 for ch in word if "\u00c0" <= ch <= "\u024f")


def _accented_words(text: str) -> bool:
    """Cyrillic text read as a Latin codec (latin-1, windows-1252): its words are made of
    accented Latin letters ('Àóðóõàíà', 'Îáëûñ'), where a Western text has one or two
    accents in a word of ASCII letters ('Straße', 'élève')."""
    words = [w for w in _WORD.findall(text) if len(w) >= 4 and _accents(w)]
    if len(words) < 5:
        return False
    accented = sum(1 for w in words if 2 * _accents(w) > len(w))
    return accented / len(words) > 0.5


def latin_led(body: bytes) -> bool:
    """The bytes read as windows-1252 are Latin words with a few accents ('Grüße', 'café'):
    most words holding a non-ASCII letter hold as many ASCII letters or more. Cyrillic bytes
    read so are words of accented letters ('Ñàëåì')."""
    text = body.decode("cp1252", errors="replace")
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    led = sum(1 for w in words if 2 * ascii_count(w) >= len(w))
    return bool(words) and 2 * led > len(words)


def _looks_like_mojibake(letters: list[str]) -> bool:
    # UTF-8 Cyrillic read as latin-1/cp1252: 'Ð', 'Ñ' and 'Ò' make up much of the letters
    return sum(1 for ch in letters if ch in "ÐÑÒÓ") / len(letters) > 0.3
