"""Identity keys shared by extraction and the archive (no project imports)."""

from __future__ import annotations

from unicodedata import normalize


def name_key(text: str) -> str:
    """Identity key of a person's name: NFC, case-folded, single spaces (word order kept)."""
    return " ".join(normalize("NFC", text).casefold().split())
