"""Bytes of a fetched page → text, never mojibake: the codec that reads them.

Kazakh sites still serve pages in windows-1251 (or KOI8-R), and some declare
the wrong charset (``Content-Type: text/html; charset=utf-8`` on windows-1251
bytes). A browser guesses; an archive must not store replacement characters
or ``Ð°Ð»Ð¼Ð°`` in place of Kazakh text.

Bytes that are valid UTF-8 are UTF-8 (legacy text almost never is by chance),
whatever the declaration: most pages, read by ``bytes.decode`` and a scan for
control characters in C, with no heuristic (``_as_utf8``). So are bytes that are
UTF-8 but for a few stray bytes (at most one invalid sequence for every
``UTF8_VALID_PER_INVALID`` valid multi-byte characters: legacy Cyrillic text makes
nearly every non-ASCII byte invalid): the stray bytes become U+FFFD, noted, instead
of the whole page turning into mojibake under a single-byte codec that accepts
anything (unless the page declares a legacy encoding and has no UTF-8 in it at all:
then the declaration is right; nor if its bytes read as Latin words with a few
accents, 'café'). Otherwise the declared encodings are tried (BOM, HTTP header,
``<meta charset>``), then the legacy Cyrillic ones (windows-1251, KZ-1048, KOI8-R,
cp866), then windows-1252 (first of the legacy ones when the bytes read as Latin
words with a few accents); before those, the multi-byte encoding charset-normalizer finds
(GBK, Big5, Shift_JIS, EUC-KR: text of those scripts also reads as Cyrillic in a
single-byte codec), and a single-byte decoding is accepted only if it reads as
text (``intake.plausible``). A windows-1251 reading, declared or not, becomes KZ-1048
only if it holds what Kazakh letters look like there (Ќ Ћ Ј Ѕ) and no
Serbian/Macedonian letter: Ukrainian ґ є ї are KZ-1048's ө ғ ү. A short undeclared
page can still be misread (docs/reliability.md, "Not guaranteed"). UTF-16 without a BOM
is valid UTF-8 with a NUL every other byte: too many control characters to be text. If
none reads as text, the page is refused with the reason, to be recorded as a failure.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from itertools import islice

import charset_normalizer
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from kazscraper.intake.markup import markup_problem
from kazscraper.intake.plausible import (
    ascii_count,
    controls_allowed,
    few_controls,
    kazakh_in_cp1251,
    latin_led,
    plausible_text,
)

# KZ-1048 is windows-1251 with Kazakh letters in place of Ukrainian, Belarusian and some
# Serbian/Macedonian ones (ґ є ї are KZ-1048's ө ғ ү): windows-1251 goes first, and its
# reading becomes KZ-1048 only on the evidence of Kazakh letters (``kazakh_in_cp1251``)
LEGACY_CYRILLIC = ("cp1251", "kz1048", "koi8_r", "cp866")
# pages of other sites (``kazscraper parse``) are Western more often than Cyrillic: last resort,
# unless the bytes read as Latin words with a few accents (``latin_led``): then first
LEGACY = (*LEGACY_CYRILLIC, "cp1252")
# UTF-8 with stray bytes: valid multi-byte characters per invalid sequence, at least
UTF8_VALID_PER_INVALID = 20
UTF8_STRAY_ALLOWED = 2  # invalid sequences always forgiven (a page with no other non-ASCII)


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


def _non_ascii(text: str) -> int:
    """Characters of ``text`` past ASCII that are not U+FFFD (valid multi-byte UTF-8)."""
    return len(text) - ascii_count(text) - text.count("\ufffd")


def mostly_utf8(body: bytes) -> str | None:
    """``body`` as UTF-8 with its few invalid bytes replaced, if it is UTF-8 but for them;
    None if the invalid sequences are too many to be strays (a legacy encoding)."""
    text = body.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - body.count("\ufffd".encode())
    if invalid > max(UTF8_STRAY_ALLOWED, _non_ascii(text) // UTF8_VALID_PER_INVALID):
        return None
    text = text.removeprefix("\ufeff")
    return text if few_controls(text) else None


def _has_utf8(body: bytes) -> bool:
    """Some valid multi-byte UTF-8 sequence in ``body`` (the evidence a stray byte needs)."""
    return _non_ascii(body.decode("utf-8", errors="replace")) > 0


def decode_page(body: bytes, content_type: str = "") -> DecodedPage:
    """Decode ``body`` by its declarations, else by the legacy Cyrillic encodings; a page
    whose markup the parser cannot read in bounded time is refused too (``markup_problem``)."""
    if kind := binary_kind(body):
        raise UndecodablePage(f"not HTML: {kind} served as {content_type or 'text'}")
    declared = _declared(body, content_type)
    page = _as_utf8(body, declared) or _decode(body, declared)
    if problem := markup_problem(page.text):
        raise UndecodablePage(problem)
    return page


def _declared(body: bytes, content_type: str) -> list[str]:
    """The encodings the page declares, first the one that decides: BOM, header, meta."""
    bom = read_bom(body)[0]
    header = _codec(http_content_type_encoding(content_type))
    meta = _codec(html_body_declared_encoding(body[:4096]))
    return [c for c in (_codec(bom) if bom else None, header, meta) if c]


def _as_utf8(body: bytes, declared: list[str]) -> DecodedPage | None:
    """``body`` as UTF-8 if it is valid UTF-8 with few control characters, else None: what
    ``_decode`` gives such bytes (no byte order mark but UTF-8's is valid UTF-8), at the
    cost of ``bytes.decode`` and a count of control bytes in C."""
    try:
        text = body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return None
    if not _few_utf8_controls(body, len(text)):
        return None
    return DecodedPage(text, "utf-8", _note(body, declared, "utf-8"))


# the control characters of ``few_controls`` in valid UTF-8: C0 and DEL are single bytes that
# no multi-byte sequence holds, and each C1 control (U+0080-U+009F) is 0xC2 and a byte
# 0x80-0x9F (0xC2 is never a continuation byte); the regex, a literal then one class,
# cannot backtrack
_C0_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_C1_BYTES = re.compile(rb"\xc2[\x80-\x9f]")


def _few_utf8_controls(body: bytes, length: int) -> bool:
    """``few_controls`` of valid UTF-8 ``body`` decoded into ``length`` characters, counted
    in C on the bytes (``bytes.translate``, a search for a literal byte)."""
    allowed = controls_allowed(length)
    c0 = len(body) - len(body.translate(None, _C0_BYTES))
    return (
        c0 <= allowed and next(islice(_C1_BYTES.finditer(body), allowed - c0, None), None) is None
    )


def _decode(body: bytes, declared: list[str]) -> DecodedPage:
    """Every candidate in turn (UTF-8, the declared, the legacy), the first that reads as text."""
    bom = read_bom(body)
    if bom[0] and not bom[0].startswith("utf-8"):  # UTF-16/32 with a BOM: trust it
        return DecodedPage(body[len(bom[1]) :].decode(bom[0], errors="replace"), bom[0])
    legacy = ("cp1252", *LEGACY_CYRILLIC) if latin_led(body) else LEGACY
    detected = _multibyte_detected(body)
    candidates = list(dict.fromkeys(["utf-8", *declared, *detected, *legacy]))
    legacy_declared = any(c != "utf-8" for c in declared)
    for codec in candidates:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            if codec != "utf-8" or (mostly := mostly_utf8(body)) is None:
                continue
            if (legacy_declared or latin_led(body)) and not _has_utf8(body):
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
        elif codec == "cp1251" and kazakh_in_cp1251(text):
            # Kazakh letters in KZ-1048 come out as Ќ, ѕ, Ј in windows-1251
            kazakh = body.decode("kz1048", errors="replace")
            if "\ufffd" not in kazakh and plausible_text(kazakh, "kz1048"):
                text, codec = kazakh, "kz1048"
        return DecodedPage(text, codec, _note(body, declared, codec))
    tried = ", ".join(candidates)
    raise UndecodablePage(f"no encoding gives readable text (tried {tried})")


#: the most bytes charset-normalizer reads of a page (its cost grows with the sample)
DETECT_MAX = 32 * 1024


def _multibyte_detected(body: bytes) -> list[str]:
    """The encoding charset-normalizer finds for ``body`` when it is a multi-byte one (GBK,
    Big5, Shift_JIS, EUC-KR…) that decodes the bytes whole: such text of another script
    also reads as plausible Cyrillic in a single-byte codec (GBK as KZ-1048 mojibake),
    so it goes before the legacy single-byte candidates; a single-byte finding is left to
    them (the Kazakh codecs win where they read text). Only reached when UTF-8 failed."""
    if body.isascii():
        return []
    best = charset_normalizer.from_bytes(body[:DETECT_MAX]).best()
    codec = _codec(best.encoding if best is not None else None)
    if codec is None or len("中".encode(codec, errors="ignore")) < 2:
        return []  # none, or a single-byte codec (no ideograph, or one byte for it)
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return []
    return [codec] if _east_asian(text) else []


def _east_asian(text: str) -> bool:
    """Most letters past ASCII of ``text`` are common ideographs, kana or hangul syllables
    (Cyrillic bytes read as Shift_JIS give half-width katakana, as GB18030 rare ideographs)."""
    wide = others = 0
    for char in text[:DETECT_MAX]:
        if char.isascii() or not char.isalpha():
            continue
        point = ord(char)
        if 0x4E00 <= point <= 0x9FFF or 0x3040 <= point <= 0x30FF or 0xAC00 <= point <= 0xD7AF:
            wide += 1
        else:
            others += 1
    return wide >= 10 and wide >= 9 * others


def _note(body: bytes, declared: list[str], codec: str) -> str:
    """What the record says of a decoding against the declarations ('' when they agree)."""
    ascii_only = codec == "utf-8" and body.isascii()
    if declared and codec != declared[0] and not ascii_only:
        return f"declared {declared[0]}, decoded as {codec}"
    if not declared and codec != "utf-8":
        return f"no charset declared, decoded as {codec}"
    return ""
