"""Dates as Kazakh news pages write them → ISO dates in the site's time zone.

Numeric forms (``11.12.2025``, ``2025-02-20``, ISO-8601 with a zone) are parsed
by regex, which costs microseconds. Month-name forms in Kazakh (Cyrillic and
both Latin alphabets, any case, with case suffixes: ``11 желтоқсанда``,
``2025 жылғы 11 желтоқсан``), Russian and English are read with our own month
table. Only what remains (relative forms such as ``2 сағат бұрын``, ``кеше``)
goes to dateparser, restricted to kk/ru/en, day-first, anchored on the page's
fetch time — never on the clock of the machine doing the parsing. A date in
the future of the fetch, or outside 1990–2100, is refused (None).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

MIN_YEAR, MAX_YEAR = 1990, 2100
FUTURE_TOLERANCE = timedelta(days=1)

# month stems: any word starting with one of these (after casefold) is that month
_MONTH_STEMS: dict[str, int] = {}
for _month, _stems in enumerate(
    (
        ("қаңтар", "qañtar", "qańtar", "qantar", "январ", "jan"),
        ("ақпан", "aqpan", "феврал", "feb"),
        ("наурыз", "nauryz", "naýryz", "март", "мар", "mar"),
        ("сәуір", "säuır", "sáýir", "sauir", "апрел", "apr"),
        ("мамыр", "mamyr", "ма", "may"),
        ("маусым", "mausym", "maýsym", "июн", "jun"),
        ("шілде", "şılde", "shilde", "июл", "jul"),
        ("тамыз", "tamyz", "август", "aug"),
        ("қыркүйек", "qyrküiek", "qyrkúıek", "qyrkuiek", "сентябр", "sep"),
        ("қазан", "qazan", "октябр", "oct"),
        ("қараша", "qaraşa", "qarasha", "ноябр", "nov"),
        ("желтоқсан", "jeltoqsan", "декабр", "dec"),
    ),
    start=1,
):
    for _stem in _stems:
        _MONTH_STEMS[_stem] = _month
# 'ма' (Russian 'мая') is too short to be a prefix: match it exactly below
_MONTH_STEMS.pop("ма")
_MONTH_STEMS.pop("мар")
_EXACT_MONTHS = {"мая": 5, "май": 5, "марта": 3, "март": 3}
_STEMS_LONGEST_FIRST = sorted(_MONTH_STEMS, key=len, reverse=True)

_TIME = (
    r"(?:[ ,T]+(?:сағат\s*|в\s*|at\s*)?"
    r"(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?)?"
)
_DMY_RE = re.compile(
    r"(?<!\d)(?P<day>\d{1,2})[./](?P<month>\d{1,2})[./](?P<year>\d{4})(?!\d)" + _TIME
)
_YMD_RE = re.compile(
    r"(?<!\d)(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)"
    r"(?:(?:T|\s+)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2})?)?"
)
_WORD = r"[^\W\d_][^\W\d_'’-]*"
_DAY = r"(?P<day>\d{1,2})(?:-?(?:і|ы|ші|шы|нші|ншы|th|st|nd|rd))?"
# 11 желтоқсан 2025 | 11 желтоқсанда, 2025 | қаңтардың 5-і, 2025 | 2025 жылғы 11 желтоқсан
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d){_DAY}\.?\s+(?P<month>{_WORD})\.?,?\s+(?P<year>\d{{4}})(?!\d)" + _TIME
)
_MONTH_DAY_YEAR = re.compile(rf"(?P<month>{_WORD})\s+{_DAY},?\s+(?P<year>\d{{4}})(?!\d)" + _TIME)
_YEAR_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<year>\d{{4}})\s*(?:жылғы|жыл|ж\.|г\.|года)?\s*{_DAY}\s+(?P<month>{_WORD})" + _TIME
)
_RELATIVE_HINT = re.compile(
    r"бұрын|кеше|бүгін|алдыңғы күні|назад|вчера|сегодня|ago|yesterday|today", re.IGNORECASE
)
_RELATIVE_KK = {
    "бұрын": "назад",
    "сағат": "час",
    "минут": "минут",
    "секунд": "секунд",
    "күн": "день",
}


@dataclass(frozen=True)
class ParsedDate:
    date: str  # YYYY-MM-DD in the site's time zone
    datetime: str | None  # ISO-8601 with offset when a time of day was given
    method: str  # which path parsed it: numeric | iso | month-name | relative | dateparser
    raw: str


def month_number(word: str) -> int | None:
    """1–12 for a month name in Kazakh (Cyrillic/Latin), Russian or English, any case/suffix."""
    folded = word.casefold().strip(".,")
    if folded in _EXACT_MONTHS:
        return _EXACT_MONTHS[folded]
    for stem in _STEMS_LONGEST_FIRST:
        if folded.startswith(stem):
            return _MONTH_STEMS[stem]
    return None


def parse_date(
    text: str, *, fetched_at: datetime | None = None, tz: str | None = "Asia/Almaty"
) -> ParsedDate | None:
    """The date ``text`` states, or None. ``text`` should be a date and little else.

    ``tz`` is the site's time zone: a stated offset is converted into it, and a
    time without one is taken to be in it. ``tz=None`` (a page of another site)
    keeps the offset the page states, so the day is the page's own day.
    """
    if not text or not text.strip() or len(text) > 200:
        return None
    return _parse(text.strip(), fetched_at, tz, search=False)


def find_date_in_text(
    text: str, *, fetched_at: datetime | None = None, tz: str | None = "Asia/Almaty"
) -> ParsedDate | None:
    """The first date found inside a longer line (``Жарияланды: 11.12.2025, 14:30``)."""
    if not text or not text.strip():
        return None
    return _parse(text.strip(), fetched_at, tz, search=True)


def find_date_span(
    text: str, *, tz: str | None = "Asia/Almaty"
) -> tuple[ParsedDate, int, int] | None:
    """The first absolute date in ``text`` and where it stands: (date, start, end).

    For lines that mix a date with other things (``Камила Мүлік - 20 ақпан 2025 21340``).
    Relative forms are not looked for here.
    """
    zone = _zone(tz)
    for regex, method in ((_YMD_RE, "iso"), (_DMY_RE, "numeric")):
        match = regex.search(text)
        if match is not None and (found := _build(match, int(match["month"]), zone, method)):
            parsed = _guard(found, match.group(0), None, zone)
            if parsed is not None:
                return parsed, match.start(), match.end()
    for regex in (_YEAR_DAY_MONTH, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in regex.finditer(text):
            month = month_number(match["month"])
            found = _build(match, month, zone, "month-name") if month else None
            parsed = _guard(found, match.group(0), None, zone)
            if parsed is not None:
                return parsed, match.start(), match.end()
    return None


def _parse(
    text: str, fetched_at: datetime | None, tz: str | None, search: bool
) -> ParsedDate | None:
    zone = _zone(tz)
    for parser in (_numeric, _month_name):
        found = parser(text, zone, search)
        if found is not None:
            return _guard(found, text, fetched_at, zone)
    if fetched_at is not None and _RELATIVE_HINT.search(text):
        return _guard(_relative(text, fetched_at, zone), text, fetched_at, zone)
    return None


@lru_cache(maxsize=8)
def _zone(tz: str | None) -> ZoneInfo | None:
    return ZoneInfo(tz) if tz else None


_Found = tuple[date, datetime | None, str]


def _numeric(text: str, zone: ZoneInfo | None, search: bool) -> _Found | None:
    for regex, method in ((_YMD_RE, "iso"), (_DMY_RE, "numeric")):
        match = regex.search(text) if search else regex.fullmatch(text)
        if match is not None:
            return _build(match, int(match["month"]), zone, method)
    return None


def _month_name(text: str, zone: ZoneInfo | None, search: bool) -> _Found | None:
    for regex in (_YEAR_DAY_MONTH, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in regex.finditer(text):
            month = month_number(match["month"])
            if month is None:
                continue
            if not search and text[match.end() :].strip(" .,г") != "":
                continue
            return _build(match, month, zone, "month-name")
    return None


def _build(match: re.Match[str], month: int, zone: ZoneInfo | None, method: str) -> _Found | None:
    try:
        day = date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        return None
    hour = match.groupdict().get("hour")
    if hour is None:
        return day, None, method
    try:
        clock = time(int(hour), int(match["minute"]), int(match["second"] or 0))
    except ValueError:
        return day, None, method
    moment = datetime.combine(day, clock)
    zone_text = match.groupdict().get("zone")
    if zone_text:
        offset = datetime.fromisoformat(f"2000-01-01T00:00:00{_iso_zone(zone_text)}").tzinfo
        moment = moment.replace(tzinfo=offset)
        if zone is not None:  # the site's own zone; otherwise the page's day stays its day
            moment = moment.astimezone(zone)
    else:
        moment = moment.replace(tzinfo=zone)
    return moment.date(), moment, method


def _iso_zone(zone_text: str) -> str:
    if zone_text == "Z":
        return "+00:00"
    return zone_text if ":" in zone_text else f"{zone_text[:3]}:{zone_text[3:]}"


def _relative(text: str, fetched_at: datetime, zone: ZoneInfo | None) -> _Found | None:
    import dateparser  # first call costs ~80 ms: only relative forms pay it

    base = _aware(fetched_at, zone)
    base_local = (base.astimezone(zone) if zone else base).replace(tzinfo=None)
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": "past",
        "RELATIVE_BASE": base_local,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    parsed = dateparser.parse(text, languages=["kk", "ru", "en"], settings=settings)
    if parsed is None:
        translated = " ".join(_RELATIVE_KK.get(w.casefold(), w) for w in text.split())
        parsed = dateparser.parse(translated, languages=["ru", "kk", "en"], settings=settings)
    if parsed is None:
        return None
    moment = parsed.replace(tzinfo=zone)
    has_time = bool(re.search(r"\d{1,2}:\d{2}|сағат|минут|час|hour|minute", text, re.IGNORECASE))
    return moment.date(), moment if has_time else None, "relative"


def _guard(
    found: _Found | None, raw: str, fetched_at: datetime | None, zone: ZoneInfo | None
) -> ParsedDate | None:
    """Refuse impossible dates: outside 1990–2100 or after the page was fetched."""
    if found is None:
        return None
    day, moment, method = found
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return None
    if fetched_at is not None:
        latest = _aware(fetched_at, zone) + FUTURE_TOLERANCE
        if _aware(moment or datetime.combine(day, time(0)), zone) > latest:
            return None
    return ParsedDate(
        date=day.isoformat(),
        datetime=moment.isoformat() if moment is not None else None,
        method=method,
        raw=raw,
    )


def _aware(moment: datetime, zone: tzinfo | None) -> datetime:
    """``moment`` with a zone: its own, else the site's, else UTC (a page with no zone)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=zone or UTC)
