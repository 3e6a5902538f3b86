"""Bytes of a fetched page → text, never mojibake.

Kazakh sites still serve pages in windows-1251 (or KOI8-R), and some declare
the wrong charset (``Content-Type: text/html; charset=utf-8`` on windows-1251
bytes). A browser guesses; an archive must not store replacement characters
or ``Ð°Ð»Ð¼Ð°`` in place of Kazakh text. Bytes that are valid UTF-8 are UTF-8
(legacy text almost never is by chance), whatever the declaration, and so are
bytes that are UTF-8 but for a few stray bytes (at most one invalid sequence for
every ``UTF8_VALID_PER_INVALID`` valid multi-byte characters: legacy Cyrillic text
makes nearly every non-ASCII byte invalid): the stray bytes become U+FFFD, noted,
instead of the whole page turning into mojibake under a single-byte codec that
accepts anything (unless the page declares a legacy encoding and has no UTF-8 in it
at all: then the declaration is right; nor if its bytes read as Latin words with a few
accents, 'café'). Otherwise the declared encodings are tried (BOM, HTTP header,
``<meta charset>``), then the legacy Cyrillic ones (windows-1251, KZ-1048, KOI8-R,
cp866), then windows-1252 (first of the legacy ones when the bytes read as Latin words
with a few accents), and a single-byte decoding is accepted only if it reads as text:
letters mostly of one script, no Cyrillic letters inside Latin words (German read as
KZ-1048 gives 'Auswдhlen'), no box drawing in place of letters (cp866: 'Stra▀e'), no
inverted case (KOI8-R as windows-1251: 'пРАВИТЕЛЬСТВО'), and for a Latin codec no words
of accented letters (windows-1251 as latin-1: 'Àóðóõàíà'). A windows-1251 reading,
declared or not, becomes KZ-1048 only if it holds what Kazakh letters look like there
(Ќ Ћ Ј Ѕ) and no Serbian/Macedonian letter: Ukrainian ґ є ї are KZ-1048's ө ғ ү.
A short undeclared page can still be misread (see the README). Any decoding may hold
a few control characters (a stray U+0085 or DEL on a real page), not more than one in
``CONTROL_PER_CHARS`` characters (UTF-16 without a BOM is valid UTF-8, a NUL every other
byte). If none reads as text, the page is refused with the reason, to be recorded as a failure.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import islice

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from kazscraper.markup import markup_problem

# KZ-1048 is windows-1251 with Kazakh letters in place of Ukrainian, Belarusian and some
# Serbian/Macedonian ones (ґ є ї are KZ-1048's ө ғ ү): windows-1251 goes first, and its
# reading becomes KZ-1048 only on the evidence of Kazakh letters (``_kazakh_in_cp1251``)
LEGACY_CYRILLIC = ("cp1251", "kz1048", "koi8_r", "cp866")
# pages of other sites (``kazscraper parse``) are Western more often than Cyrillic: last resort,
# unless the bytes read as Latin words with a few accents (``_latin_led``): then first
LEGACY = (*LEGACY_CYRILLIC, "cp1252")
# the Latin single-byte codecs (Python's names): Cyrillic bytes declared as one of them read
# as words of accented letters ('Àóðóõàíà'), which ``_accented_words`` refuses
LATIN_CODECS = frozenset({"iso8859-1", "cp1252", "iso8859-15"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LETTER = re.compile(r"[^\W\d_]")
# UTF-8 with stray bytes: valid multi-byte characters per invalid sequence, at least
UTF8_VALID_PER_INVALID = 20
UTF8_STRAY_ALLOWED = 2  # invalid sequences always forgiven (a page with no other non-ASCII)
CONTROL_PER_CHARS = 1000  # control characters allowed: one per this many characters


class UndecodablePage(ValueError):
    """No encoding turns the page's bytes into plausible text."""


@dataclass(frozen=True)
class DecodedPage:
    text: str
    encoding: str  # the codec that decoded it (Python's name)
    note: str = ""  # set when the page's declaration was wrong


# Python codecs that are no charset of a web page: a page declaring one is read as if it
# declared nothing ('undefined' raises on every byte; the escapes and 'punycode' turn any
# bytes into Latin-1 mojibake; UTF-7 is refused by every browser)
_NOT_WEB = frozenset(
    {"undefined", "unicode_escape", "raw_unicode_escape", "punycode", "idna", "utf_7", "mbcs"}
)
# the first bytes of binary files that servers send as text/html: (magic, what it is)
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
)


def binary_kind(body: bytes) -> str | None:
    """What a binary file is, by its first bytes (``'a PDF document'``), or None."""
    head = body[:16].lstrip(b" \t\r\n")
    return next((name for magic, name in _BINARY_MAGIC if head.startswith(magic)), None)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    if info.name.replace("-", "_") in _NOT_WEB or not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def few_controls(text: str) -> bool:
    """At most one control character per ``CONTROL_PER_CHARS`` characters (and a handful on
    a short page): binary data and UTF-16 read as UTF-8 have far more."""
    allowed = max(UTF8_STRAY_ALLOWED, len(text) // CONTROL_PER_CHARS)
    return next(islice(_CONTROL.finditer(text), allowed, None), None) is None


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


def _kazakh_in_cp1251(text: str) -> bool:
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
    return boxes >= 3 and 10 * boxes > sum(1 for ch in text if not ch.isascii())


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
    latin_led = sum(1 for w in words if 2 * sum(ch.isascii() for ch in w) >= len(w))
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


def _latin_led(body: bytes) -> bool:
    """The bytes read as windows-1252 are Latin words with a few accents ('Grüße', 'café'):
    most words holding a non-ASCII letter hold as many ASCII letters or more. Cyrillic bytes
    read so are words of accented letters ('Ñàëåì')."""
    text = body.decode("cp1252", errors="replace")
    words = [w for w in _WORD.findall(text) if not w.isascii()]
    led = sum(1 for w in words if 2 * sum(ch.isascii() for ch in w) >= len(w))
    return bool(words) and 2 * led > len(words)


def _looks_like_mojibake(letters: list[str]) -> bool:
    # UTF-8 Cyrillic read as latin-1/cp1252: 'Ð', 'Ñ' and 'Ò' make up much of the letters
    return sum(1 for ch in letters if ch in "ÐÑÒÓ") / len(letters) > 0.3


def mostly_utf8(body: bytes) -> str | None:
    """``body`` as UTF-8 with its few invalid bytes replaced, if it is UTF-8 but for them;
    None if the invalid sequences are too many to be strays (a legacy encoding)."""
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    valid = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if invalid > max(UTF8_STRAY_ALLOWED, valid // UTF8_VALID_PER_INVALID):
        return None
    text = text.removeprefix("\ufeff")
    return text if few_controls(text) else None


def _has_utf8(body: bytes) -> bool:
    """Some valid multi-byte UTF-8 sequence in ``body`` (the evidence a stray byte needs)."""
    text = body.decode("utf-8", errors="replace")
    return any(ord(ch) > 0x7F and ch != "\ufffd" for ch in text)


def decode_page(body: bytes, content_type: str = "") -> DecodedPage:
    """Decode ``body`` by its declarations, else by the legacy Cyrillic encodings; a page
    whose markup the parser cannot read in bounded time is refused too (``markup_problem``)."""
    if kind := binary_kind(body):
        raise UndecodablePage(f"not HTML: {kind} served as {content_type or 'text'}")
    page = _decode(body, content_type)
    if problem := markup_problem(page.text):
        raise UndecodablePage(problem)
    return page


def _decode(body: bytes, content_type: str) -> DecodedPage:
    bom = read_bom(body)
    header = _codec(http_content_type_encoding(content_type))
    meta = _codec(html_body_declared_encoding(body[:4096]))
    declared = [c for c in (_codec(bom[0]) if bom[0] else None, header, meta) if c]
    if bom[0] and not bom[0].startswith("utf-8"):  # UTF-16/32 with a BOM: trust it
        return DecodedPage(body[len(bom[1]) :].decode(bom[0], errors="replace"), bom[0])
    legacy = ("cp1252", *LEGACY_CYRILLIC) if _latin_led(body) else LEGACY
    candidates = list(dict.fromkeys(["utf-8", *declared, *legacy]))
    legacy_declared = any(c != "utf-8" for c in declared)
    for codec in candidates:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            if codec != "utf-8" or (mostly := mostly_utf8(body)) is None:
                continue
            if (legacy_declared or _latin_led(body)) and not _has_utf8(body):
                continue  # no UTF-8 in it: the declared legacy encoding (or Latin words) decide
            replaced = mostly.count("\ufffd") - body.count("\ufffd".encode())
            was = f"declared {declared[0]}, " if declared and declared[0] != codec else ""
            note = f"{was}decoded as utf-8, {replaced} invalid bytes replaced"
            return DecodedPage(mostly, codec, note)
        except (LookupError, UnicodeError):  # a codec that refuses bytes, not only some
            continue
        if codec == "utf-8":
            text = text.removeprefix("\ufeff")
            if not few_controls(text):
                continue
        elif not plausible_text(text, codec):
            continue
        elif codec == "cp1251" and _kazakh_in_cp1251(text):
            # Kazakh letters in KZ-1048 come out as Ќ, ѕ, Ј in windows-1251
            kazakh = body.decode("kz1048", errors="replace")
            if "\ufffd" not in kazakh and plausible_text(kazakh, "kz1048"):
                text, codec = kazakh, "kz1048"
        note = ""
        ascii_only = codec == "utf-8" and body.isascii()
        if declared and codec != declared[0] and not ascii_only:
            note = f"declared {declared[0]}, decoded as {codec}"
        elif not declared and codec != "utf-8":
            note = f"no charset declared, decoded as {codec}"
        return DecodedPage(text, codec, note)
    tried = ", ".join(candidates)
    raise UndecodablePage(f"no encoding gives readable text (tried {tried})")
