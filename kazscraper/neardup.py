"""Near-duplicate articles: a republished story with small edits.

Each stored article gets a MinHash signature (datasketch) of its body's word
3-shingles; an LSH index finds earlier articles whose estimated Jaccard
similarity is at least ``threshold``. Identical texts are handled before this
(same content hash: an alias); this catches the edited copies.
"""

from __future__ import annotations

from collections.abc import Iterable

from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
SHINGLE_WORDS = 3
MIN_WORDS = 30  # shorter texts share too little to judge


def shingles(text: str) -> set[bytes]:
    words = text.casefold().split()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


def signature(text: str | None) -> LeanMinHash | None:
    """The MinHash of ``text``, or None when it is too short to compare."""
    if not text or len(text.split()) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM)
    minhash.update_batch(list(shingles(text)))
    return LeanMinHash(minhash)


def to_bytes(minhash: LeanMinHash) -> bytes:
    buffer = bytearray(minhash.bytesize())
    minhash.serialize(buffer)
    return bytes(buffer)


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash.deserialize(data)


class NearDuplicateIndex:
    def __init__(self, threshold: float = 0.7) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.signatures: dict[int, LeanMinHash] = {}

    def load(self, rows: Iterable[tuple[int, bytes]]) -> NearDuplicateIndex:
        for article_id, data in rows:
            self.add(article_id, from_bytes(data))
        return self

    def add(self, article_id: int, minhash: LeanMinHash) -> None:
        if article_id not in self.signatures:
            self.signatures[article_id] = minhash
            self.lsh.insert(article_id, minhash)

    def most_similar(self, minhash: LeanMinHash) -> int | None:
        """The earliest-stored article at least ``threshold`` similar, if any."""
        best = None
        for candidate in sorted(self.lsh.query(minhash)):
            if minhash.jaccard(self.signatures[candidate]) >= self.threshold:
                best = candidate
                break
        return best
