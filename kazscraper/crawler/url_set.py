"""Sets of URLs in flat memory: 16-byte fingerprints in one table, the URLs on disk.

A crawl keeps, for every URL it meets, whether it was scheduled, listed, answered, a
mirror alias, a page stored this run, a request seen by Scrapy's duplicate filter.
Python sets of strings cost 200-300 bytes a URL (the string, its hash slot, the set's
spare room), which is what made a crawl's peak RSS grow by about 1 KB an article.
Here each member is a 128-bit BLAKE2b fingerprint in a slot of one ``bytearray`` (open
addressing, linear probing, at most ``MAX_LOAD`` full): about 40 bytes a URL, whatever
its length. Two different URLs share a fingerprint with probability 2^-128 per pair
(none in 10^15 URLs for all practical purposes), so membership is as exact as a set's.

``FingerprintSet`` answers membership only (and may keep a fixed-width value beside each
key: ``FingerprintMap``); ``ScheduledUrlSet`` also gives its URLs back, in the order added,
from an anonymous temporary file (a crawl accounts for every scheduled URL at its end);
``KnownArticles`` is the archive's URLs with their date and ETag (an incremental run's
``known``), 70 to 130 bytes an article (with its ETag) instead of a dict's 300 to 400.
Pure code: no Scrapy, no SQLite.
"""

from __future__ import annotations

import logging
import os
import struct
import tempfile
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import suppress
from datetime import date
from hashlib import blake2b
from typing import IO

FP_BYTES = 16  # a fingerprint: 128 bits of BLAKE2b
MAX_LOAD = 0.6  # full and deleted slots, of all, before the table grows
FIRST_SLOTS = 1024
#: keys last found or added kept as given by a set asked about the same keys again and
#: again (menus and top-news lists repeat their links on every page: answered without
#: hashing); emptied when full
HOT_KEYS = 512

_EMPTY, _FULL, _DELETED = 0, 1, 2
_LENGTH = struct.Struct(">I")  # each URL in the file: its UTF-8 length, then its bytes
_READ_CHUNK = 1 << 16
_WRITE_CHUNK = 1 << 16  # the scheduled URLs are written to their file this much at a time

logger = logging.getLogger(__name__)


def fingerprint(key: str | bytes) -> bytes:
    """The 16-byte fingerprint of a URL (``str``, lone surrogates too) or of bytes."""
    data = key if isinstance(key, bytes) else key.encode("utf-8", "surrogatepass")
    return blake2b(data, digest_size=FP_BYTES).digest()


class FingerprintSet:
    """A set of keys (URLs, or fingerprints given as ``bytes``) kept as fingerprints in
    one table; ``value_bytes`` > 0 keeps a value of that width beside each key
    (``FingerprintMap``). Not iterable: only the fingerprints are kept."""

    def __init__(self, value_bytes: int = 0, slots: int = FIRST_SLOTS, hot: int = 0) -> None:
        self._value_bytes = value_bytes
        self._hot_keys = hot  # the most keys remembered as given (0: none)
        self._hot: dict[str | bytes, int] = {}  # keys known to be members
        self._allocate(max(8, 1 << (slots - 1).bit_length()))

    def _allocate(self, slots: int) -> None:
        self._mask = slots - 1
        self._state = bytearray(slots)
        self._keys = bytearray(slots * FP_BYTES)
        self._values = bytearray(slots * self._value_bytes)
        self._used = 0  # full slots
        self._taken = 0  # full and deleted slots (what a probe walks over)
        self._hot = {}

    def _slot(self, fp: bytes) -> tuple[int, bool]:
        """(slot, found): the slot holding ``fp``, else the slot to put it in."""
        mask, state, keys = self._mask, self._state, self._keys
        i = int.from_bytes(fp[:8], "little") & mask
        free = -1
        while True:
            s = state[i]
            if s == _EMPTY:
                return (i if free < 0 else free), False
            if s == _FULL:
                at = i * FP_BYTES
                if keys[at : at + FP_BYTES] == fp:
                    return i, True
            elif free < 0:
                free = i
            i = (i + 1) & mask

    def _put(self, fp: bytes, value: bytes = b"") -> bool:
        """Add ``fp`` (its value replaced); True when it was not there."""
        i, found = self._slot(fp)
        if not found:
            if self._state[i] == _EMPTY:
                self._taken += 1
            self._state[i] = _FULL
            self._keys[i * FP_BYTES : (i + 1) * FP_BYTES] = fp
            self._used += 1
        if self._value_bytes:
            w = self._value_bytes
            self._values[i * w : (i + 1) * w] = value.ljust(w, b"\0")[:w]
        if not found and self._taken > MAX_LOAD * (self._mask + 1):
            self._grow()
        return not found

    def _grow(self) -> None:
        old_state, old_keys, old_values = self._state, self._keys, self._values
        w = self._value_bytes
        slots = self._mask + 1
        # deleted slots are dropped on the way: grow only when the full ones need it
        self._allocate(slots * 2 if self._used > MAX_LOAD * slots / 2 else slots)
        for i, s in enumerate(old_state):
            if s == _FULL:
                fp = bytes(old_keys[i * FP_BYTES : (i + 1) * FP_BYTES])
                self._put(fp, bytes(old_values[i * w : (i + 1) * w]) if w else b"")

    @staticmethod
    def _fp(key: str | bytes) -> bytes:
        return fingerprint(key)

    def _remember(self, key: str | bytes) -> None:
        hot = self._hot
        if len(hot) >= self._hot_keys:
            if not self._hot_keys:
                return
            hot.clear()
        hot[key] = 1

    def add(self, key: str | bytes, /) -> None:
        if key not in self._hot:
            self._put(self._fp(key))
            self._remember(key)

    def __contains__(self, key: object, /) -> bool:
        if key in self._hot:
            return True
        if not isinstance(key, (str, bytes)):
            return False
        found = self._slot(self._fp(key))[1]
        if found:
            self._remember(key)
        return found

    def discard(self, key: str | bytes, /) -> None:
        self._hot.pop(key, None)
        i, found = self._slot(self._fp(key))
        if found:
            self._state[i] = _DELETED
            self._used -= 1

    def update(self, keys: Iterator[str | bytes] | list[str | bytes] | set[bytes]) -> None:
        for key in keys:
            self.add(key)

    def clear(self) -> None:
        self._allocate(FIRST_SLOTS)

    def __len__(self) -> int:
        return self._used

    def __bool__(self) -> bool:
        return self._used > 0

    @property
    def nbytes(self) -> int:
        """The table's size in bytes."""
        return len(self._state) + len(self._keys) + len(self._values)


class FingerprintMap(FingerprintSet):
    """Keys (URLs) with a value of ``value_bytes`` bytes each (shorter values are padded
    with zero bytes, longer ones cut)."""

    def __init__(self, value_bytes: int, slots: int = FIRST_SLOTS) -> None:
        if value_bytes < 1:
            raise ValueError("a map keeps a value of at least one byte")
        super().__init__(value_bytes, slots)

    def __setitem__(self, key: str | bytes, value: bytes) -> None:
        self._put(self._fp(key), value)

    def get(self, key: str | bytes, default: bytes | None = None) -> bytes | None:
        i, found = self._slot(self._fp(key))
        if not found:
            return default
        w = self._value_bytes
        return bytes(self._values[i * w : (i + 1) * w])


class ScheduledUrlSet(FingerprintSet):
    """A set of URLs that also gives them back (``iter``), each once, in the order added:
    the fingerprints in memory, the URLs in an anonymous temporary file (deleted when
    closed or when the process ends), written and read back 64 KB at a time. Where the file
    refuses a write (a full or unwritable temporary folder), the URLs of that write and every
    later one are kept in memory instead: a URL is a member only once it is kept somewhere
    (the bytes not written yet are memory too).

    Written 64 KB at a time, not one ``write`` per URL: every system call lets go of the GIL,
    and in a crawl with helper threads (the extraction pool's, the WARC writer) taking it
    back cost the reactor's thread about 0.35 ms a URL (5 % of its time in a ``--workers 2``
    crawl, py-spy)."""

    def __init__(self, hot: int = HOT_KEYS) -> None:
        super().__init__(hot=hot)
        self._file: IO[bytes] | None = None
        self._end = 0  # bytes written
        self._unwritten = bytearray()  # records not written yet, under _WRITE_CHUNK
        self._in_memory: list[str] | None = None  # the URLs the file refused, and later ones

    def add(self, url: str, /) -> None:  # type: ignore[override]
        if url in self._hot:
            return
        fp = self._fp(url)
        if not self._slot(fp)[1]:
            self._keep(url)
            self._put(fp)
        self._remember(url)

    def _keep(self, url: str) -> None:
        if self._in_memory is not None:
            self._in_memory.append(url)
            return
        record = url.encode("utf-8", "surrogatepass")
        self._unwritten += _LENGTH.pack(len(record))
        self._unwritten += record
        if len(self._unwritten) >= _WRITE_CHUNK:
            self._write()

    def _write(self) -> None:
        """The records not written yet into the file; those it refuses, and every later
        URL, into memory."""
        if not self._unwritten or self._in_memory is not None:
            return
        try:
            if self._file is None:  # unbuffered: a refused write fails here, not later
                self._file = tempfile.TemporaryFile(buffering=0)  # noqa: SIM115
            view = memoryview(self._unwritten)
            while view:
                view = view[self._file.write(view) or 0 :]
            self._end += len(self._unwritten)
        except OSError as exc:
            logger.warning("scheduled URLs kept in memory from now on: %s", exc)
            if self._file is not None:
                with suppress(OSError):
                    self._file.truncate(self._end)  # no record cut off
            self._in_memory = list(_records(bytes(self._unwritten)))
        finally:
            self._unwritten = bytearray()

    def discard(self, key: str | bytes, /) -> None:
        raise TypeError("a scheduled URL stays scheduled")

    def __iter__(self) -> Iterator[str]:
        """The URLs added, in order (those added while iterating may be left out)."""
        self._write()
        if self._file is None:
            yield from list(self._in_memory or ())
            return
        fd, end, offset, buffer = self._file.fileno(), self._end, 0, b""
        while offset < end or buffer:
            if offset < end:
                chunk = os.pread(fd, min(_READ_CHUNK, end - offset), offset)
                offset += len(chunk)
                buffer += chunk
            at = yield from _records(buffer)
            buffer = buffer[at:]
            if offset >= end and buffer:
                raise OSError("the scheduled URLs' file ends inside a record")
        yield from list(self._in_memory or ())

    def clear(self) -> None:
        self.close()
        super().clear()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
            self._end = 0
        self._unwritten = bytearray()
        self._in_memory = None


def _records(buffer: bytes) -> Generator[str, None, int]:
    """The whole records (length, UTF-8 URL) at the start of ``buffer``, as URLs; returns
    where the first incomplete one starts."""
    at = 0
    while len(buffer) - at >= _LENGTH.size:
        (size,) = _LENGTH.unpack_from(buffer, at)
        if len(buffer) - at - _LENGTH.size < size:
            break
        start = at + _LENGTH.size
        yield buffer[start : start + size].decode("utf-8", "surrogatepass")
        at = start + size
    return at


class KnownArticles(Mapping[str, tuple[str | None, str | None]]):
    """The archived article URLs (aliases too) with each one's published date and ETag:
    the frontier's ``known`` (URL -> (published, etag)) in flat memory.

    A dict of strings cost about 300 bytes an article (the URL, a tuple, the date's and the
    ETag's strings, the dict's slot): 30 MB at 100,000 articles, held for the whole run.
    Here each URL is a fingerprint in a ``FingerprintMap`` whose 10-byte value packs the
    date (its day number: an ISO date gives back the same string) and where the ETag's
    UTF-8 bytes are in one ``bytearray`` (offset, length). A row whose date is not a plain
    ``YYYY-MM-DD`` (or whose ETag is past 64 KB) is kept as given, in a small dict, so
    every answer is exactly the archive's. Not iterable: only fingerprints are kept."""

    _VALUE = struct.Struct("<IIH")  # day number + 1 (0: no date), ETag offset, ETag length
    _NO_ETAG = 0xFFFFFFFF  # the offset of an article with no ETag

    def __init__(
        self, rows: Iterable[tuple[str, str | None, str | None]] = (), expected: int = 0
    ) -> None:
        # sized for ``expected`` URLs at once: no growth (a rehash of every slot) on the way
        slots = max(FIRST_SLOTS, int(expected / MAX_LOAD) + 1)
        self._map = FingerprintMap(self._VALUE.size, slots=slots)
        self._etags = bytearray()
        self._odd: dict[str, tuple[str | None, str | None]] = {}  # kept as given
        self._days: dict[str | None, int | None] = {}  # date string -> day number, bounded
        self.update(rows)

    @classmethod
    def from_chunks(
        cls, chunks: Iterable[Iterable[tuple[str, str | None, str | None]]], expected: int = 0
    ) -> KnownArticles:
        """From the archive's rows read a chunk at a time (``archived_article_urls``);
        ``expected``: about how many (the table is sized for them at once)."""
        known = cls(expected=expected)
        for rows in chunks:
            known.update(rows)
        return known

    def update(self, rows: Iterable[tuple[str, str | None, str | None]]) -> None:
        for url, published, etag in rows:
            if isinstance(url, str):  # (a NULL a tool wrote: no URL the crawl asks for)
                self[url] = (published, etag)

    def __setitem__(self, url: str, value: tuple[str | None, str | None]) -> None:
        published, etag = value
        days = self._days
        day = days.get(published, -1)
        if day == -1:  # a crawl's articles share a few thousand dates
            if len(days) >= HOT_KEYS * 8:
                days.clear()
            day = days[published] = _day_number(published)
        # (a value another tool stored as a BLOB is kept as given, as the dict kept it)
        raw = etag.encode("utf-8", "surrogatepass") if isinstance(etag, str) else None
        if (
            day is None
            or (etag is not None and raw is None)
            or (
                raw is not None
                and (len(raw) > 0xFFFF or len(self._etags) + len(raw) >= self._NO_ETAG)
            )
        ):
            if url not in self._map:
                self._map[url] = b""  # counted once: len() is the map's
            self._odd[url] = (published, etag)
            return
        self._odd.pop(url, None)
        if raw is None:
            at, size = self._NO_ETAG, 0
        else:
            at, size = len(self._etags), len(raw)
            self._etags += raw
        self._map[url] = self._VALUE.pack(day, at, size)

    def __getitem__(self, url: str) -> tuple[str | None, str | None]:
        value = self._map.get(url) if isinstance(url, str) else None
        if value is None:
            raise KeyError(url)
        odd = self._odd.get(url)
        if odd is not None:
            return odd
        day, at, size = self._VALUE.unpack(value)
        published = date.fromordinal(day).isoformat() if day else None
        etag = (
            None
            if at == self._NO_ETAG
            else self._etags[at : at + size].decode("utf-8", "surrogatepass")
        )
        return published, etag

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and url in self._map

    def __len__(self) -> int:
        return len(self._map)

    def __iter__(self) -> Iterator[str]:
        raise TypeError("the known articles are fingerprints: they cannot be listed")

    @property
    def nbytes(self) -> int:
        """The table's and the ETags' bytes (the odd rows' dict aside)."""
        return self._map.nbytes + len(self._etags)


def _day_number(published: str | None) -> int | None:
    """0 for no date, the day's ordinal for a plain ISO date (``YYYY-MM-DD``, which it gives
    back as is), None for anything else (kept as given)."""
    if published is None:
        return 0
    if not isinstance(published, str):  # a BLOB another tool stored
        return None
    try:
        day = date.fromisoformat(published)
    except ValueError:
        return None
    return day.toordinal() if day.isoformat() == published else None
