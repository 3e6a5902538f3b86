"""Near-duplicate articles: a republished story with small edits.

Each stored article gets a MinHash signature (datasketch) of its body's word
3-shingles, and its LSH band keys go into an indexed SQLite table
(``article_lsh``): the articles that share a band key with a new one are its
candidates, and those whose estimated Jaccard similarity is at least
``THRESHOLD`` are near-duplicates. The index lives in the archive, not in
memory, so a crawl's memory does not grow with the archive. Identical texts
are handled before this (same content hash: an alias); this catches the
edited copies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from datasketch import LeanMinHash, MinHash, MinHashLSH

NUM_PERM = 128
THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-shingles
SHINGLE_WORDS = 3
MIN_WORDS = 30  # shorter texts share too little to judge


def shingles(text: str) -> set[bytes]:
    words = text.casefold().split()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


# an empty MinHash: each signature starts as a copy of it, sharing its permutations (a new
# ``MinHash`` draws its 2 x NUM_PERM permutation parameters from a seeded generator each
# time, a third of a signature's cost; the copy has the same ones)
_EMPTY = MinHash(num_perm=NUM_PERM)


def signature(text: str | None) -> LeanMinHash | None:
    """The MinHash of ``text``, or None when it is too short to compare."""
    if not text or len(text.split()) < MIN_WORDS:
        return None
    minhash = _EMPTY.copy()
    minhash.update_batch(list(shingles(text)))
    return LeanMinHash(minhash)


def to_bytes(minhash: LeanMinHash) -> bytes:
    buffer = bytearray(minhash.bytesize())
    minhash.serialize(buffer)
    return bytes(buffer)


def from_bytes(data: bytes) -> LeanMinHash:
    return LeanMinHash.deserialize(data)


def _band_layout(threshold: float) -> tuple[tuple[int, int], ...]:
    """The (start, end) slices of the signature that datasketch's LSH would use for
    ``threshold`` (bands × rows chosen to balance false positives and negatives)."""
    return tuple(MinHashLSH(threshold=threshold, num_perm=NUM_PERM).hashranges)


BANDS = _band_layout(THRESHOLD)


def band_keys(minhash: LeanMinHash) -> list[tuple[int, int]]:
    """(band, bucket) pairs of a signature: two texts that share one are candidates.

    The bucket is a 63-bit hash of the band's hash values, to fit an SQLite INTEGER.
    """
    values = minhash.hashvalues
    keys = []
    for band, (start, end) in enumerate(BANDS):
        digest = hashlib.blake2b(values[start:end].tobytes(), digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big") >> 1))
    return keys


def most_similar(
    minhash: LeanMinHash,
    candidates: Iterable[tuple[int, bytes]],
    threshold: float = THRESHOLD,
) -> int | None:
    """The earliest (lowest id) candidate at least ``threshold`` similar, if any."""
    for article_id, data in sorted(candidates):
        if minhash.jaccard(from_bytes(data)) >= threshold:
            return article_id
    return None
