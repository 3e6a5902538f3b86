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
accepts anything. Otherwise the declared encodings are tried (BOM, HTTP header,
``<meta charset>``), then the legacy Cyrillic ones, and a single-byte decoding is
accepted only if it reads as text: letters mostly of one script, no control
characters. If none does, the page is refused with the reason, to be recorded as
a failure.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

from kazscraper.clean.markup import markup_problem

# KZ-1048 is windows-1251 with the Kazakh letters in place of Serbian/Macedonian ones, so it
# reads Russian windows-1251 text the same and Kazakh text right: it goes first
LEGACY_CYRILLIC = ("kz1048", "cp1251", "koi8_r", "cp866")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LETTER = re.compile(r"[^\W\d_]")
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


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def plausible_text(text: str) -> bool:
    """Text a person wrote: no control characters, and non-ASCII letters mostly Cyrillic or
    mostly Latin (a wrong single-byte decoding of Cyrillic gives a mix of accented Latin)."""
    if "\ufffd" in text or _CONTROL.search(text):
        return False
    letters = [ch for ch in _LETTER.findall(text) if not ch.isascii()]
    if len(letters) < 20:
        return True
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    share = cyrillic / len(letters)
    if share > 0.9:
        return not _case_inverted(text)
    return share < 0.1 and not _looks_like_mojibake(letters)


# letters of Serbian/Macedonian/Ukrainian that windows-1251 has where KZ-1048 has Kazakh ones
_NOT_KAZAKH = re.compile("[ЂђЃѓЉљЊњЌќЋћЏџЎўЈјҐґЄєЇїЅѕ]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]{4,}")


def _case_inverted(text: str) -> bool:
    """KOI8-R read as windows-1251 swaps the case: 'рТБЧЙФЕМШУФЧП'."""
    words = _CYRILLIC_WORD.findall(text)
    if len(words) < 5:
        return False
    odd = sum(1 for w in words if w[0].islower() and w[1:].isupper())
    return odd / len(words) > 0.3


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
    return text if _few_controls(text, body) else None


def _few_controls(text: str, body: bytes) -> bool:
    """UTF-8 ``text`` (decoded from ``body``) has no more control characters than a page's
    stray bytes may be (an editor's form feed or ESC, a U+0085): they are valid UTF-8 and
    the text cleaning drops them; a page of them is not text."""
    controls = len(_CONTROL.findall(text))
    # every multi-byte character adds at least one byte: a count without a Python loop
    multibyte = len(body) - len(text)
    return controls <= max(UTF8_STRAY_ALLOWED, multibyte // UTF8_VALID_PER_INVALID)


def decode_page(body: bytes, content_type: str = "") -> DecodedPage:
    """Decode ``body`` by its declarations, else by the legacy Cyrillic encodings; a page
    whose markup the parser cannot read in bounded time is refused too (``markup_problem``)."""
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
    candidates = list(dict.fromkeys(["utf-8", *declared, *LEGACY_CYRILLIC]))
    for codec in candidates:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            if codec != "utf-8" or (mostly := mostly_utf8(body)) is None:
                continue
            replaced = mostly.count("\ufffd") - body.count("\ufffd".encode())
            was = f"declared {declared[0]}, " if declared and declared[0] != codec else ""
            note = f"{was}decoded as utf-8, {replaced} invalid bytes replaced"
            return DecodedPage(mostly, codec, note)
        except LookupError:
            continue
        if codec == "utf-8":
            text = text.removeprefix("\ufeff")
            if not _few_controls(text, body):
                continue
        elif not plausible_text(text):
            continue
        elif codec == "cp1251" and _NOT_KAZAKH.search(text):
            # Kazakh letters in KZ-1048 come out as Ќ, ѕ, Ї in windows-1251
            kazakh = body.decode("kz1048", errors="replace")
            if "\ufffd" not in kazakh and plausible_text(kazakh):
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
