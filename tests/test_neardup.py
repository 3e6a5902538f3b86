"""Near-duplicate signatures (``kazscraper.archive.neardup``) are datasketch's, bit for bit,
without importing datasketch (and SciPy): the signatures stored in existing archives stay
valid, whichever datasketch wrote them."""

from __future__ import annotations

import hashlib
import inspect
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from kazscraper.archive import Archive, neardup

from .test_archive import make_article

TEXT = " ".join(f"Ақтөбе облысында {i}-ші жаңа мектеп салынып, оқушылар қуанды." for i in range(30))
# datasketch 2.0 names its schemes; before it, every MinHash was the legacy one
NAMED_SCHEMES = "scheme" in inspect.signature(MinHash).parameters


def _datasketch(values: set[bytes], scheme: str, seed: int = neardup.SEED) -> LeanMinHash:
    if NAMED_SCHEMES:
        theirs = MinHash(num_perm=neardup.NUM_PERM, seed=seed, scheme=scheme)
    elif scheme == neardup.LEGACY:
        theirs = MinHash(num_perm=neardup.NUM_PERM, seed=seed)
    else:
        pytest.skip(f"datasketch before 2.0 has no {scheme} scheme")
    theirs.update_batch(list(values))
    return LeanMinHash(theirs)


@pytest.mark.parametrize("scheme", [neardup.LEGACY, neardup.AFFINE32])
@pytest.mark.parametrize("seed", [1, 7])
def test_a_signature_is_datasketchs_for_the_same_text_and_seed(scheme: str, seed: int) -> None:
    values = neardup.shingles(TEXT)
    ours = neardup.minhash(values, scheme, seed)
    theirs = _datasketch(values, scheme, seed)
    assert ours.hashvalues.dtype == theirs.hashvalues.dtype
    assert ours.hashvalues.tolist() == theirs.hashvalues.tolist()
    # the bytes stored in the archive: datasketch's serialisation, read back both ways
    buffer = bytearray(theirs.bytesize())
    theirs.serialize(buffer)
    assert neardup.to_bytes(ours) == bytes(buffer)
    again = neardup.from_bytes(bytes(buffer))
    assert (again.scheme, again.seed) == (scheme, seed)
    assert again.hashvalues.tolist() == theirs.hashvalues.tolist()
    assert LeanMinHash.deserialize(neardup.to_bytes(ours)).hashvalues.tolist() == (
        theirs.hashvalues.tolist()
    )
    # and the similarity it estimates against an edited copy
    edited = neardup.shingles("Өзгертілген сөйлем. " + TEXT[: len(TEXT) * 3 // 4])
    assert neardup.minhash(edited, scheme, seed).jaccard(ours) == pytest.approx(
        _datasketch(edited, scheme, seed).jaccard(theirs)
    )


def test_the_lsh_bands_are_datasketchs() -> None:
    lsh = MinHashLSH(threshold=neardup.THRESHOLD, num_perm=neardup.NUM_PERM)
    assert list(neardup.BANDS) == [tuple(r) for r in lsh.hashranges]


def _blake2b(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=8).digest()


def test_an_archive_of_legacy_signatures_still_finds_its_near_duplicates(tmp_path: Path) -> None:
    # an archive written with datasketch 1.x (the legacy scheme): its articles' signatures
    # and band keys as that version stored them; a new signature must share its scheme, or
    # no band key matches and the edited copy goes unnoticed
    original = make_article(body=TEXT, published_date="2025-01-01")
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        archive.write_batch([(original, [])])
        (article_id,) = archive.db.execute("SELECT id FROM articles").fetchone()
        legacy = _datasketch(neardup.shingles(TEXT), neardup.LEGACY)
        buffer = bytearray(legacy.bytesize())
        legacy.serialize(buffer)
        keys = [
            (band, int.from_bytes(_blake2b(legacy.hashvalues[start:end].tobytes()), "big") >> 1)
            for band, (start, end) in enumerate(neardup.BANDS)
        ]
        archive.db.execute(
            "UPDATE article_minhash SET signature = ? WHERE article_id = ?",
            [bytes(buffer), article_id],
        )
        archive.db.execute("DELETE FROM article_lsh")
        archive.db.conn.executemany(
            "INSERT INTO article_lsh (band, bucket, article_id) VALUES (?, ?, ?)",
            [(band, bucket, article_id) for band, bucket in keys],
        )
        archive.db.conn.commit()
    copy = make_article(url=original.url + "-copy", body="Қайта жариялау. " + TEXT)
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        archive.write_batch([(copy, [])])
        got = archive.db.execute(
            "SELECT near_duplicate_of FROM articles WHERE url = ?", [copy.url]
        ).fetchone()
        (stored,) = archive.db.execute(
            "SELECT signature FROM article_minhash WHERE article_id != ?", [article_id]
        ).fetchone()
    assert got == (article_id,)
    assert neardup.from_bytes(stored).scheme == neardup.LEGACY


def test_storing_an_article_imports_neither_datasketch_nor_scipy(tmp_path: Path) -> None:
    # a fresh interpreter (the tests' own has datasketch): the writer signs the body
    code = (
        "import sys\n"
        "from kazscraper.archive import Archive\n"
        "from tests.test_archive import make_article\n"
        f"with Archive({str(tmp_path / 'a.sqlite')!r}, site='qazdauiri') as archive:\n"
        f"    archive.write_batch([(make_article(body={TEXT!r}), [])])\n"
        "    (n,) = archive.db.execute('SELECT count(*) FROM article_lsh').fetchone()\n"
        "print(n, sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))\n"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == f"{len(neardup.BANDS)} []"


def test_a_signature_made_ahead_is_the_writers_and_used_only_for_its_text_and_scheme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An extraction worker signs the article it returns (``sign_ahead``): the archive
    stores that signature without making it again, the same bytes it would make; a body
    changed since, or an archive of another scheme, gets one made for it."""
    article = make_article(body=TEXT)
    neardup.sign_ahead(article)
    back = pickle.loads(pickle.dumps(article))  # as it comes back from a worker process
    made_now = neardup.signature(TEXT, neardup.AFFINE32)
    assert made_now is not None
    ahead = neardup.signature_of(back, back.body, neardup.AFFINE32)
    assert ahead is not None and neardup.to_bytes(ahead) == neardup.to_bytes(made_now)
    edited = neardup.signature_of(back, back.body + " Түзету.", neardup.AFFINE32)
    assert edited is not None and neardup.to_bytes(edited) != neardup.to_bytes(made_now)
    legacy = neardup.signature_of(back, back.body, neardup.LEGACY)
    assert legacy is not None and legacy.scheme == neardup.LEGACY
    made: list[str] = []
    sign = neardup.signature
    monkeypatch.setattr(neardup, "signature", lambda text, *a: made.append(text) or sign(text, *a))
    with Archive(tmp_path / "a.sqlite", site="qazdauiri") as archive:
        archive.write_batch([(back, [])])
        (stored,) = archive.db.execute("SELECT signature FROM article_minhash").fetchone()
    assert made == [] and stored == neardup.to_bytes(made_now)
