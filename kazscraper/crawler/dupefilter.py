"""Scrapy's duplicate filter with its request fingerprints in a flat table (``url_set``)."""

from __future__ import annotations

from typing import Any

from scrapy.dupefilters import RFPDupeFilter

from kazscraper.crawler.url_set import FingerprintSet


class CompactDupeFilter(RFPDupeFilter):
    """``RFPDupeFilter`` (the same fingerprints, the same ``requests.seen`` file under
    ``JOBDIR``) whose set of seen fingerprints is a ``FingerprintSet``: about 40 bytes a
    request instead of a Python ``bytes`` object and its set slot (about 100)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seen = FingerprintSet()
        seen.update(self._fingerprints)  # those a JOBDIR's requests.seen gave back
        self._fingerprints = seen  # type: ignore[assignment]
