"""Near-duplicate articles: MinHash signatures and the LSH index kept in the file.

Each stored article gets a MinHash signature of its body's word 3-shingles, and its LSH
band keys go into an indexed SQLite table (``article_lsh``): the articles that share a
band key with a new one are its candidates, and those whose estimated Jaccard similarity
is at least ``THRESHOLD`` are near-duplicates. The index lives in the archive, not in
memory, so a crawl's memory does not grow with the archive. Identical texts are handled
before this (same content hash: an alias); this catches the edited copies.

The signatures are datasketch's, bit for bit, computed here with NumPy: importing
datasketch imports its LSH classes, and with them SciPy (about a second per process, for
nothing: the band layout is a constant). Its two permutation schemes are reproduced, with
their byte formats (``LeanMinHash.serialize``): ``legacy``, the only one before datasketch
2.0 (archives written with datasketch 1.x hold it), and ``affine32``, its default since
2.0. A new signature is made in the scheme of the archive's stored ones (``scheme_of``:
signatures of two schemes never share a band key), so an archive written with either
version keeps finding its near-duplicates, whichever datasketch is installed, or none;
a new archive gets ``affine32``. tests/test_neardup.py checks each scheme against
datasketch (signature, bytes, band layout).
"""

from __future__ import annotations

import functools
import hashlib
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite_utils

NUM_PERM = 128
SEED = 1  # datasketch's default seed: its permutations
THRESHOLD = 0.7  # estimated Jaccard similarity of word 3-shingles
SHINGLE_WORDS = 3
MIN_WORDS = 30  # shorter texts share too little to judge

LEGACY = "legacy"
AFFINE32 = "affine32"
DEFAULT_SCHEME = AFFINE32  # datasketch 2.0's default: a new archive's
_SCHEME_CODE = {AFFINE32: 1}  # the scheme byte of datasketch's format (legacy has none)
_MERSENNE = (1 << 61) - 1
_MAX32 = (1 << 32) - 1

# The (start, end) slices of the signature that datasketch's MinHashLSH uses for
# THRESHOLD and NUM_PERM (14 bands of 9 rows: its false positive and negative weights
# balanced); tests/test_neardup.py checks them against MinHashLSH.hashranges.
BANDS: tuple[tuple[int, int], ...] = tuple((9 * band, 9 * band + 9) for band in range(14))


@dataclass(frozen=True)
class Signature:
    """A MinHash as datasketch's ``LeanMinHash`` holds it: seed, scheme, hash values
    (uint64 for legacy, uint32 for affine32, as datasketch stores them)."""

    seed: int
    scheme: str
    hashvalues: Any  # numpy.ndarray

    def jaccard(self, other: Signature) -> float:
        """The estimated Jaccard similarity (0.0 for signatures of another scheme or seed,
        which estimate nothing about each other)."""
        if (other.scheme, other.seed, len(other.hashvalues)) != (
            self.scheme,
            self.seed,
            len(self.hashvalues),
        ):
            return 0.0
        same = int((self.hashvalues == other.hashvalues).sum())
        return same / len(self.hashvalues)


def shingles(text: str) -> set[bytes]:
    words = text.casefold().split()
    return {
        " ".join(words[i : i + SHINGLE_WORDS]).encode()
        for i in range(len(words) - SHINGLE_WORDS + 1)
    }


@functools.cache
def _permutations(scheme: str, seed: int = SEED, num_perm: int = NUM_PERM) -> tuple[Any, Any]:
    """datasketch's permutation parameters (a, b) for a scheme and seed
    (``MinHash._init_permutations``: the same generator, the same draws)."""
    import numpy as np

    gen = np.random.RandomState(seed)
    if scheme == LEGACY:
        pairs = [
            (
                gen.randint(1, _MERSENNE, dtype=np.uint64),
                gen.randint(0, _MERSENNE, dtype=np.uint64),
            )
            for _ in range(num_perm)
        ]
        a, b = np.array(pairs, dtype=np.uint64).T
        return a, b
    if scheme == AFFINE32:
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        return a, b
    raise ValueError(f"unknown MinHash scheme {scheme!r}")


def _fmix32(hv: Any) -> Any:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix of the affine32 scheme)."""
    import numpy as np

    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def minhash(values: Iterable[bytes], scheme: str = DEFAULT_SCHEME, seed: int = SEED) -> Signature:
    """The MinHash of a set of byte strings: datasketch's ``MinHash(num_perm=128, seed,
    scheme).update_batch(values)``, its SHA-1 32-bit hash and its permutations."""
    import numpy as np

    a, b = _permutations(scheme, seed)
    hashes = [struct.unpack("<I", hashlib.sha1(value).digest()[:4])[0] for value in values]
    if scheme == LEGACY:
        start = np.full(NUM_PERM, _MAX32, dtype=np.uint64)
        if hashes:
            hv = np.array(hashes, dtype=np.uint64, ndmin=2).T
            phv = np.bitwise_and((hv * a + b) % np.uint64(_MERSENNE), np.uint64(_MAX32))
            start = np.minimum(start, phv.min(axis=0))
    else:
        start = np.full(NUM_PERM, _MAX32, dtype=np.uint32)
        if hashes:
            hv = _fmix32(np.array(hashes, dtype=np.uint32).reshape(-1, 1))
            start = np.minimum(start, (hv * a + b).min(axis=0))
    return Signature(seed, scheme, start)


def signature(text: str | None, scheme: str = DEFAULT_SCHEME) -> Signature | None:
    """The MinHash of ``text``, or None when it is too short to compare."""
    if not text or len(text.split()) < MIN_WORDS:
        return None
    return minhash(shingles(text), scheme)


#: the attribute of an ``Article`` that holds its body's signature made ahead, in a worker
AHEAD = "_minhash_ahead"


def sign_ahead(article: Any) -> None:
    """Keep on ``article`` (an ``Article``) its body's signature in ``DEFAULT_SCHEME``: made
    where the article is extracted (a ``crawl --workers`` or ``reparse`` worker process), so
    the archive's writer need not make it (``signature_of``). Not a field: it is no column,
    and it travels with the record when it is pickled."""
    setattr(article, AHEAD, (article.body, signature(article.body)))


def signature_of(article: Any, body: str | None, scheme: str) -> Signature | None:
    """The signature of ``body`` in ``scheme``: the one made ahead for ``article`` when it is
    of this very text and scheme, else made now."""
    ahead = getattr(article, AHEAD, None)
    if ahead is not None and ahead[0] == body:
        made = ahead[1]
        if made is None or made.scheme == scheme:  # None: too short in any scheme
            return made
    return signature(body, scheme)


def to_bytes(sig: Signature) -> bytes:
    """datasketch's ``LeanMinHash.serialize`` bytes (native order, as it writes them)."""
    count = len(sig.hashvalues)
    values = [int(v) for v in sig.hashvalues]
    if sig.scheme == LEGACY:
        return struct.pack(f"@qi{count}I", sig.seed, count, *values)
    return struct.pack(f"@qiB{count}I", sig.seed, -count, _SCHEME_CODE[sig.scheme], *values)


def from_bytes(data: bytes) -> Signature:
    """A signature from its stored bytes (``LeanMinHash.deserialize``): a positive count
    is the legacy format, a negative one is followed by the scheme's code."""
    import numpy as np

    seed, count = struct.unpack_from("@qi", data, 0)
    if count >= 0:
        values = struct.unpack_from(f"@{count}I", data, struct.calcsize("@qi"))
        return Signature(seed, LEGACY, np.array(values, dtype=np.uint64))
    count = -count
    (code,) = struct.unpack_from("@B", data, struct.calcsize("@qi"))
    scheme = next((name for name, c in _SCHEME_CODE.items() if c == code), None)
    if scheme is None:
        raise ValueError(f"a MinHash signature of an unknown scheme (code {code})")
    values = struct.unpack_from(f"@{count}I", data, struct.calcsize("@qiB0I"))
    return Signature(seed, scheme, np.array(values, dtype=np.uint32))


def scheme_of(db: sqlite_utils.Database) -> str:
    """The scheme of the signatures an archive holds (its first one's), so that new ones
    share band keys with them; ``DEFAULT_SCHEME`` for an archive that holds none."""
    row = db.execute("SELECT signature FROM article_minhash ORDER BY rowid LIMIT 1").fetchone()
    return from_bytes(row[0]).scheme if row else DEFAULT_SCHEME


def band_keys(sig: Signature) -> list[tuple[int, int]]:
    """(band, bucket) pairs of a signature: two texts that share one are candidates.

    The bucket is a 63-bit hash of the band's hash values, to fit an SQLite INTEGER.
    """
    values = sig.hashvalues
    keys = []
    for band, (start, end) in enumerate(BANDS):
        digest = hashlib.blake2b(values[start:end].tobytes(), digest_size=8).digest()
        keys.append((band, int.from_bytes(digest, "big") >> 1))
    return keys


def most_similar(
    sig: Signature,
    candidates: Iterable[tuple[int, bytes]],
    threshold: float = THRESHOLD,
) -> int | None:
    """The earliest (lowest id) candidate at least ``threshold`` similar, if any."""
    for article_id, data in sorted(candidates):
        if sig.jaccard(from_bytes(data)) >= threshold:
            return article_id
    return None
