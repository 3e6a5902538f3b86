"""The language of a page that does not declare one, from its text's script and letters.

Only the languages the project meets are told apart: Kazakh (Cyrillic with its
own letters ә ғ қ ң ө ұ ү һ і, Latin with ä ğ ñ ö ū ü ı ş or á ǵ ń ó ú ý, the
Arabic-based alphabet with ۇ ۋ ە ڭ ٶ ٵ ٷ ٴ), Russian (Cyrillic without them) and English
(Latin with English function words). Anything else is None: unknown, not guessed.
"""

from __future__ import annotations

import re

_KAZAKH_CYRILLIC = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_KAZAKH_ARABIC = frozenset("ۇۋەڭٶٵٷٴ")
# both cases listed, no IGNORECASE: with it Python's re matches ``ı`` to ``i`` and every
# English word with an i would count as Kazakh
_KAZAKH_LATIN = re.compile(r"\b\w*[ğñūışǵńúýĞÑŪŞǴŃÚÝ]\w*\b")
_ENGLISH_WORDS = frozenset({"the", "and", "of", "to", "in", "is", "that", "for", "with", "was"})
_LATIN_WORD = re.compile(r"[a-zA-Z]+")
_SAMPLE = 4000  # characters: enough to tell, cheap on long pages


def text_language(text: str) -> str | None:
    """``kk``, ``ru``, ``en`` or None for ``text`` (a title and body)."""
    sample = text[:_SAMPLE]
    cyrillic = sum(1 for ch in sample if "\u0400" <= ch <= "\u04ff")
    arabic = sum(1 for ch in sample if "\u0600" <= ch <= "\u06ff")
    latin = sum(1 for ch in sample if ch.isascii() and ch.isalpha())
    if cyrillic and cyrillic >= max(latin, arabic):
        kazakh = sum(1 for ch in sample if ch in _KAZAKH_CYRILLIC)
        return "kk" if kazakh >= max(2, cyrillic // 200) else "ru"
    if arabic and arabic >= latin:
        return "kk" if sum(1 for ch in sample if ch in _KAZAKH_ARABIC) >= 2 else None
    words = [w.casefold() for w in _LATIN_WORD.findall(sample)]
    if not words:
        return None
    if len(_KAZAKH_LATIN.findall(sample)) >= max(3, len(words) // 20):
        return "kk"
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    return "en" if english >= max(2, len(words) // 15) else None
