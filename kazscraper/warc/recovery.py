"""Closing the WARC files a killed run left open: trimmed to their last whole record."""

from __future__ import annotations

import os
from pathlib import Path

from kazscraper.warc.files import OPEN_SUFFIX, WarcFile, in_use, own_files, warc_files
from kazscraper.warc.limits import CHUNK, DAMAGED, archive_iterator


def recover_open_files(
    directory: str | Path,
    name: str | None = None,
    worker: str | None = None,
    workers: bool = False,
) -> list[Path]:
    """Trim the ``.open`` files of archive ``name`` left by a killed run to their last whole
    record, and close them: its own, or with ``worker`` only that worker's, or with
    ``workers`` its own and every worker's. A worker's file that a live process holds
    (``in_use``) is left alone (the archive's own are the run lock holder's), and so is
    another archive's ``.open`` file (a run may be writing it).

    Records are read through without decoding their payload, a bounded chunk at a time."""
    suffix = f".warc.gz{OPEN_SUFFIX}"
    if name is None:
        files = [WarcFile(path, None, "") for path in own_files(directory, None, suffix)]
    else:
        files = warc_files(directory, name, suffix, workers=workers or worker is not None)
        if worker is not None:
            files = [f for f in files if f.worker == worker]
        elif not workers:
            files = [f for f in files if f.worker is None]
    recovered = []
    for found in files:
        path = found.path
        if found.worker is not None and in_use(path):
            continue
        good = 0
        with open(path, "rb") as fh:
            iterator = archive_iterator(fh)
            try:
                for record in iterator:
                    while record.raw_stream.read(CHUNK):
                        pass
                    good = iterator.get_record_offset() + iterator.get_record_length()
            except DAMAGED:
                pass  # the torn record at the end
        with open(path, "r+b") as fh:
            fh.truncate(good)
        final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
        os.replace(path, final)
        recovered.append(final)
    return recovered
