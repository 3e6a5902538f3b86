"""The run's verdict in words: why nothing could be fetched."""

from __future__ import annotations

import pytest

from kazscraper.crawler.verdict import EXIT_FAILED, network_cause, verdict
from kazscraper.sites import get_profile

PREFIX = "downloader/exception_type_count/"


@pytest.mark.parametrize(
    ("exception", "words"),
    [
        ("scrapy.exceptions.CannotResolveHostError", "host name not found (DNS)"),
        ("twisted.internet.error.DNSLookupError", "host name not found (DNS)"),
        ("twisted.internet.error.ConnectionRefusedError", "connection refused"),
        ("twisted.internet.error.TimeoutError", "no answer (timed out)"),
        ("some.library.StrangeError", "StrangeError"),
    ],
)
def test_network_cause_in_words(exception: str, words: str) -> None:
    assert network_cause({PREFIX + exception: 3}) == words


def test_an_unreachable_site_is_named_with_its_cause_and_the_offline_hint() -> None:
    stats = {
        "finish_reason": "finished",
        PREFIX + "scrapy.exceptions.CannotResolveHostError": 4,
    }
    code, reason = verdict(stats, get_profile("qazdauiri"), start_url="https://qazdauiri.kz/")
    assert code == EXIT_FAILED
    assert reason.startswith("no page could be fetched from qazdauiri.kz: host name not found")
    assert "`kazscraper demo` works offline" in reason


def test_a_reparse_that_skipped_too_large_records_does_not_pass() -> None:
    """A record over the size cap is as missing from the rebuild as a damaged one: the
    archive must not be replaced by a copy without its articles."""
    stats = {"finish_reason": "finished", "kazscraper/reparse/too_large": 1}
    code, reason = verdict(stats, get_profile("qazdauiri"), need_responses=False)
    assert code == EXIT_FAILED and "1 WARC record(s) damaged or too large" in reason
    stats = {"finish_reason": "finished", "kazscraper/reparse/records": 5}
    assert verdict(stats, get_profile("qazdauiri"), need_responses=False)[0] == 0
