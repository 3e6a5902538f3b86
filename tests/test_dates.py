"""Kazakh, Russian and numeric dates → ISO dates in Asia/Almaty; never a guess."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from kazscraper.extract.dates import find_date_in_text, month_number, parse_date


@pytest.fixture
def fetched_at() -> datetime:
    return datetime(2025, 12, 12, 8, 0, tzinfo=UTC)  # 13:00 in Almaty (UTC+5)


@pytest.mark.parametrize(
    ("text", "date", "method"),
    [
        ("11.12.2025", "2025-12-11", "numeric"),
        ("1.2.2025", "2025-02-01", "numeric"),
        ("2025-02-20", "2025-02-20", "iso"),
        ("2025/02/20", "2025-02-20", "iso"),
        ("11 желтоқсан 2025", "2025-12-11", "month-name"),
        ("11 ЖЕЛТОҚСАН 2025", "2025-12-11", "month-name"),
        ("11 желтоқсанда, 2025", "2025-12-11", "month-name"),
        ("2025 жылғы 11 желтоқсан", "2025-12-11", "month-name"),
        ("2025 ж. 11 желтоқсан", "2025-12-11", "month-name"),
        ("қаңтардың 5-і, 2025", "2025-01-05", "month-name"),
        ("5 қаңтар 2025", "2025-01-05", "month-name"),
        ("12 сәуір 2024", "2024-04-12", "month-name"),
        ("15 Qazan, 2015", "2015-10-15", "month-name"),
        ("11 jeltoqsan 2025", "2025-12-11", "month-name"),
        ("3 naýryz 2024", "2024-03-03", "month-name"),
        ("3 sáýir 2024", "2024-04-03", "month-name"),
        ("11 декабря 2025 г.", "2025-12-11", "month-name"),
        ("5 мая 2024", "2024-05-05", "month-name"),
        ("December 11, 2025", "2025-12-11", "month-name"),
    ],
)
def test_absolute_dates(text: str, date: str, method: str, fetched_at: datetime) -> None:
    parsed = parse_date(text, fetched_at=fetched_at)
    assert parsed is not None
    assert (parsed.date, parsed.method, parsed.datetime) == (date, method, None)
    assert parsed.raw == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("11.12.2025 14:30", "2025-12-11T14:30:00+05:00"),
        ("2025-12-11 09:05", "2025-12-11T09:05:00+05:00"),
        ("2025-12-11T09:30:00Z", "2025-12-11T14:30:00+05:00"),
        ("2025-12-11T09:30:00+06:00", "2025-12-11T08:30:00+05:00"),
        ("11 желтоқсан 2025, 14:30", "2025-12-11T14:30:00+05:00"),
        # Almaty was UTC+6 until 2024-03-01
        ("2023-06-01T12:00:00Z", "2023-06-01T18:00:00+06:00"),
    ],
)
def test_times_and_zones(text: str, expected: str, fetched_at: datetime) -> None:
    parsed = parse_date(text, fetched_at=fetched_at)
    assert parsed is not None and parsed.datetime == expected


@pytest.mark.parametrize(
    ("text", "date", "has_time"),
    [
        ("2 сағат бұрын", "2025-12-12", True),
        ("5 минут бұрын", "2025-12-12", True),
        ("3 күн бұрын", "2025-12-09", False),
        ("кеше", "2025-12-11", False),
        ("Кеше 23:40", "2025-12-11", True),
        ("бүгін 10:15", "2025-12-12", True),
        ("вчера", "2025-12-11", False),
    ],
)
def test_relative_dates_are_anchored_on_the_fetch(
    text: str, date: str, has_time: bool, fetched_at: datetime
) -> None:
    parsed = parse_date(text, fetched_at=fetched_at)
    assert parsed is not None and parsed.method == "relative"
    assert parsed.date == date
    assert (parsed.datetime is not None) == has_time


def test_relative_date_without_a_fetch_time_is_not_guessed() -> None:
    assert parse_date("кеше") is None


@pytest.mark.parametrize(
    "text", ["", "   ", "hello", "31.02.2025", "11.13.2025", "01.01.1850", "Қазақстан", "12:30"]
)
def test_not_dates(text: str, fetched_at: datetime) -> None:
    assert parse_date(text, fetched_at=fetched_at) is None


def test_never_a_date_after_the_fetch(fetched_at: datetime) -> None:
    assert parse_date("14.12.2025", fetched_at=fetched_at) is None
    assert parse_date("12.12.2025", fetched_at=fetched_at) is not None


def test_a_sentence_is_not_a_date_but_can_contain_one(fetched_at: datetime) -> None:
    line = "Жарияланды: 11.12.2025, 14:30"
    assert parse_date(line, fetched_at=fetched_at) is None
    found = find_date_in_text(line, fetched_at=fetched_at)
    assert found is not None and found.datetime == "2025-12-11T14:30:00+05:00"
    meta = find_date_in_text("Камила Мүлік - 2025-02-20 21340")
    assert meta is not None and meta.date == "2025-02-20"


@pytest.mark.parametrize(
    ("word", "month"),
    [
        ("ЖЕЛТОҚСАНДА", 12),
        ("қаңтардың", 1),
        ("Qañtar", 1),
        ("maýsym", 6),
        ("мая", 5),
        ("май", 5),
        ("мамыр", 5),
        ("маусым", 6),
        ("марта", 3),
        ("сөз", None),
    ],
)
def test_month_names(word: str, month: int | None) -> None:
    assert month_number(word) == month


def test_importing_does_not_load_dateparser() -> None:
    code = (
        "import sys, kazscraper.extract.dates as d; d.parse_date('11.12.2025'); "
        "print('dateparser' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
