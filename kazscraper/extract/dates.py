"""Dates as Kazakh news pages write them → ISO dates in the site's time zone.

Numeric forms (``11.12.2025``, ``2025-02-20``, ISO-8601 with a zone) are parsed
by regex, which costs microseconds. Month-name forms are read with our own
month table:

- Kazakh in Cyrillic, both Latin alphabets (2021 ``qañtar``, 2018 ``qańtar``)
  and the Arabic script of the Kazakhs of China (``قاڭتار``), any case, with
  case suffixes: ``11 желтоқсанда``, ``2025 жылғы 11 желтоқсан``,
  ``қаңтардың 5-і, 2025``, ``25 قاڭتار، 2023``; Russian and English;
- on another site's page, the full month names of German, French, Spanish, Italian,
  Portuguese and Dutch (``19. Oktober 2019``, ``5 juin 2021``), whole words only, with
  ``de`` between day, month and year (``5 de junio de 2021``) and French ``1er``;
- abbreviated months, with or without the dot: ``24 қыр. 2025``, ``3 қаң 2024``,
  ``24 qyr. 2025``, ``5 qań. 2024``, ``24 сент. 2025``, ``Sep 24, 2025``;
  abbreviations count only as a whole word (``қаз.`` is October, ``қазақ`` is
  not a month);
- the hyphenated ordinal day of official Kazakh: ``5-наурыз``,
  ``2024 жылғы 5-наурызда``, ``5-наурыз, 2024``, ``5-наурыз 2024 ж.``;
- a day and month without a year (``7 сәу.``, ``5-наурызда``, ``7 апр. 14:05``):
  the year of the page's fetch, or the year before when that would put the
  date after the fetch; never without a fetch time. Inside a longer line
  (``find_date_in_text``) only when the line is that date (after a label such
  as ``Жарияланды:``) or a time of day follows it — a sentence that mentions
  ``5 наурызда`` is not dated by it.

Arabic-Indic and Persian digits, the Arabic comma and bidi marks are read as
their ASCII counterparts. Only what remains (relative forms such as
``2 сағат бұрын``, ``кеше``) goes to dateparser, restricted to kk/ru/en,
day-first, anchored on the page's fetch time — never on the clock of the
machine doing the parsing. A date in the future of the fetch, or outside
1990–2100, is refused (None).

A stated date (``parse_date``, not a line of text) may also be a machine's timestamp
(``stamp_to_iso``): e-mail's ``Wed, 04 May 2022 00:25:56 GMT``, C's ``Fri Feb 18 10:27:24
2022``, JavaScript's ``Tue Feb 20 2018 01:00:00 GMT+0100 (…)``, Unix's ``… CEST 2021``, ISO
with `` UTC``: read as ISO, the day as written, AM/PM read, the offset where it is a number
(``GMT+6`` too) or a zone's name that means one offset (``EST``, ``CEST``, ``MSK``); another
name (``IST``: India, Ireland or Israel) leaves the day alone, with no time of day.

Every regex here runs in time linear in its input: words are matched from
their first letter only, and the quantifiers that could trade characters with
their neighbours are possessive.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_tz
from functools import lru_cache
from zoneinfo import ZoneInfo

MIN_YEAR, MAX_YEAR = 1990, 2100
FUTURE_TOLERANCE = timedelta(days=1)

# Month words are compared after _fold(): casefold, 'ı' → 'i' (so that 'ŞILDE' and
# 'şılde' agree), a Latin 'i' inside a Cyrillic word → 'і' ('сәуiр'), and for the Arabic
# script the letter variants below.
_ARABIC_FOLD = str.maketrans(
    {
        "\u0621": None,  # ء hamza: marks a front-vowel word (ءساۋىر = сәуір)
        "\u0674": None,  # ٴ high hamza, the same mark (ٴساۋىر); ٵ ٶ ٷ ٸ become letter + ٴ by NFKC
        "\u0640": None,  # ـ tatweel
        "\u064a": "\u0649",  # ي → ى (one letter for й/ы/і in the month names)
        "\u06cc": "\u0649",  # ی Farsi yeh → ى
        "\u06a9": "\u0643",  # ک keheh → ك
        "\u0647": "\u06d5",  # ه heh → ە
        "\u06be": "\u06d5",  # ھ → ە
        **{chr(mark): None for mark in range(0x064B, 0x0660)},  # harakat
    }
)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _fold(word: str) -> str:
    folded = word.casefold().strip(".,")
    if folded.isascii() or not folded:
        return folded
    if "\u0600" <= folded[0] <= "\u06ff" or folded[0] >= "\ufb50":
        return unicodedata.normalize("NFKC", folded).translate(_ARABIC_FOLD)
    folded = folded.replace("ı", "i")
    return folded.replace("i", "і") if "i" in folded and _CYRILLIC.search(folded) else folded


# Month stems: any word starting with one of these (after _fold) is that month.
# Arabic script (the Kazakh of Xinjiang, China): CLDR's kk_Arab months (as shipped in
# Babel: Locale('kk_Arab').months), which MediaWiki's MessagesKk_arab.php and moment.js'
# Kazakh (China) locale spell the same way; tests/test_dates.py checks them against Babel.
_MONTH_STEMS: dict[str, int] = {}
for _month, _stems in enumerate(
    (
        ("қаңтар", "qañtar", "qańtar", "qantar", "قاڭتار", "январ", "jan"),
        ("ақпан", "aqpan", "اقپان", "феврал", "feb"),
        ("наурыз", "nauryz", "naýryz", "ناۋرىز", "март", "мар", "mar"),
        ("сәуір", "säuır", "sáýir", "sauir", "ءساۋىر", "апрел", "apr"),
        ("мамыр", "mamyr", "مامىر", "ма", "may"),
        ("маусым", "mausym", "maýsym", "ماۋسىم", "июн", "jun"),
        ("шілде", "şılde", "shilde", "شىلدە", "июл", "jul"),
        ("тамыз", "tamyz", "تامىز", "август", "aug"),
        ("қыркүйек", "qyrküiek", "qyrkúıek", "qyrkuiek", "قىركۇيەك", "сентябр", "sep"),
        ("қазан", "qazan", "قازان", "октябр", "oct"),
        ("қараша", "qaraşa", "qarasha", "قاراشا", "ноябр", "nov"),
        ("желтоқсан", "jeltoqsan", "جەلتوقسان", "декабр", "dec"),
    ),
    start=1,
):
    for _stem in _stems:
        _MONTH_STEMS[_fold(_stem)] = _month
# 'ма' (Russian 'мая') is too short to be a prefix: match it exactly below
_MONTH_STEMS.pop("ма")
_MONTH_STEMS.pop("мар")
_EXACT_MONTHS = {"мая": 5, "май": 5, "марта": 3, "март": 3}
# another site's date line in German, French, Spanish, Italian, Portuguese or Dutch: the full
# names the English stems above do not begin (``19. Oktober 2019``, ``5 juin 2021``), whole
# words only (a page of another site is read in its own language; htmldate reads these too)
_EUROPEAN_MONTHS = {
    1: "gennaio enero jänner",
    2: "février fevrier fevereiro febbraio",
    3: "märz maerz maart",
    4: "avril abril aprile",
    5: "mai mei maio maggio",
    6: "juin giugno",
    7: "juillet luglio",
    8: "août aout agosto",
    9: "settembre setembro setiembre",
    10: "oktober ottobre outubro",
    12: "dezember décembre decembre diciembre dicembre dezembro",
}
for _month, _names in _EUROPEAN_MONTHS.items():
    for _name in _names.split():
        _EXACT_MONTHS[_fold(_name)] = _month
# Abbreviations count only as a whole word (a dot may follow), never as a prefix:
# 'қаз.' is October but 'қазақ' is no month, 'қар.' is November but 'қарағанды' is not.
# Cyrillic: CLDR kk (format-abbreviated: қаң. ақп. … жел.), as Kazakh sites print them;
# Latin: the same cut in the 2021 and 2018 alphabets (and plain ASCII); Arabic script:
# MediaWiki's MessagesKk_arab.php (CLDR kk_Arab has no abbreviations); Russian as
# Russian-language Kazakh sites print them ('24 сент. 2025', '7 апр.').
for _month, _abbreviations in enumerate(
    (
        ("қаң", "qañ", "qań", "qan", "قاڭ", "янв"),
        ("ақп", "aqp", "اقپ", "фев", "февр"),
        ("нау", "nau", "naý", "ناۋ", "мар"),
        ("сәу", "säu", "sáý", "sau", "ٴساۋ", "апр"),
        ("мам", "mam", "مام"),
        ("мау", "mau", "maý", "ماۋ", "июн"),
        ("шіл", "şıl", "shil", "ٴشىل", "июл"),
        ("там", "tam", "تام", "авг"),
        ("қыр", "qyr", "قىر", "сен", "сент"),
        ("қаз", "qaz", "قاز", "окт"),
        ("қар", "qar", "قار", "ноя", "нояб"),
        ("жел", "jel", "جەل", "дек"),
    ),
    start=1,
):
    for _abbreviation in _abbreviations:
        _EXACT_MONTHS[_fold(_abbreviation)] = _month
_STEMS_LONGEST_FIRST = sorted(_MONTH_STEMS, key=len, reverse=True)

# Arabic-Indic and Persian digits, the Arabic comma and decimal/thousands marks read as
# ASCII; bidi marks (RLM, LRM, ALM, embeddings, isolates) as spaces. One character for
# one, so that offsets into the text stay true (find_date_span).
_TEXT_FOLD = str.maketrans(
    {
        **{chr(0x0660 + d): str(d) for d in range(10)},
        **{chr(0x06F0 + d): str(d) for d in range(10)},
        "\u060c": ",",  # ، Arabic comma
        "\u066b": ".",  # ٫ Arabic decimal separator
        "\u066c": ",",  # ٬ Arabic thousands separator
        **dict.fromkeys(["\u200e", "\u200f", "\u061c"], " "),
        **{chr(c): " " for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    }
)


_TO_FOLD = re.compile("[\u0600-\u06ff\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _normalise(text: str) -> str:
    return text.translate(_TEXT_FOLD) if not text.isascii() and _TO_FOLD.search(text) else text


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
# a word: letters, then letters, apostrophes and hyphens (possessive: it never gives back)
_WORD = r"[^\W\d_][^\W\d_'’-]*+"
# French "1er", Spanish/Portuguese "1º"
_DAY = r"(?P<day>\d{1,2})(?:-?(?:і|ы|ші|шы|нші|ншы|th|st|nd|rd)|er|º|°)?"
# between the day and the month: spaces (a dot before them), the hyphen of '5-наурыз', or
# Spanish and Portuguese 'de' ('5 de junio de 2021', '3 de dezembro de 2020')
_DAY_SEP = r"(?:\.?\s++|-|\s++de\s++)"
# between the month and the year: spaces, a comma, Spanish/Portuguese 'de' ('del')
_MONTH_SEP = r"\.?,?\s++(?:del?\s++)?"
# the year's word after it: '2024 ж.', '2025 г.', '2024 жылы', '2023 ج.' (Arabic script)
_YEAR_WORD = r"(?:\s*+(?:жылғы|жылы|жыл|года|г|ж|ج)\b\.?)?"
# 11 желтоқсан 2025 | 11 желтоқсанда, 2025 | 5-наурыз 2024 ж. | 24 қыр. 2025
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d){_DAY}{_DAY_SEP}(?P<month>{_WORD}){_MONTH_SEP}(?P<year>\d{{4}})(?!\d)"
    + _YEAR_WORD
    + _TIME
)
# December 11, 2025 | Sep. 24, 2025 | қаңтардың 5-і, 2025 (the month starts a word)
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![^\W\d_'’-])(?P<month>{_WORD})\.?\s+{_DAY},?\s+(?P<year>\d{{4}})(?!\d)"
    + _YEAR_WORD
    + _TIME
)
# 2025 жылғы 11 желтоқсан | 2024 жылғы 5-наурызда | 2023 ж. 25 қаң.
_YEAR_DAY_MONTH = re.compile(
    rf"(?<!\d)(?P<year>\d{{4}})(?!\d)\s*+(?:(?:жылғы|жыл|ж\.|г\.|года|ج\.)\s*+)?"
    rf"{_DAY}{_DAY_SEP}(?P<month>{_WORD})\.?" + _TIME
)
# 7 сәу. | 5-наурызда | 7 апр. 14:05 (no year: see _day_month)
_DAY_MONTH = re.compile(rf"(?<!\d){_DAY}{_DAY_SEP}(?P<month>{_WORD})\.?" + _TIME)
# what may follow a date that is the whole text
_TRAILER = re.compile(r"[\s.,]*+")
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
    method: str  # numeric | iso | month-name | day-month (year of the fetch) | relative
    raw: str


def month_number(word: str) -> int | None:
    """1–12 for a month name in Kazakh (Cyrillic/Latin/Arabic), Russian or English.

    Full names in any case and with case suffixes (``ЖЕЛТОҚСАНДА``, ``қаңтардың``);
    abbreviations (``қыр.``, ``qañ``, ``сент.``) only as the whole word.
    """
    folded = _fold(word)
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
    found = _parse(text.strip(), fetched_at, tz, search=False)
    if found is None and (iso := stamp_to_iso(text.strip())) is not None:
        found = _parse(iso, fetched_at, tz, search=False)
        return None if found is None else ParsedDate(found.date, found.datetime, "stamp", text)
    return found


_ZONE_NOTE = re.compile(r"\([^()]{0,80}\)\Z")  # JavaScript's "(Central European Time)"
# "GMT+6", "UTC+06:00", "GMT+0100", "GMT+5:30": the offset it states
_GMT_OFFSET = re.compile(r"\b(?:GMT|UTC|UT) ?([+-])(\d{1,2})(?::?(\d{2}))?(?!\d)")
# "11:30 PM", "10:00 a.m.": after a time's digits only
_AM_PM = re.compile(r"(?<=\d) ?([AaPp])\.?[Mm]\.?(?![^\W\d_])")
_LETTERS = re.compile(r"[^\W\d_]+")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
# Zone names → minutes east of UTC. RFC 2822's own (UT, GMT, EST/EDT, CST/CDT, MST/MDT,
# PST/PDT: North America's, as e-mail defines them) and names that mean one offset only.
# Names that mean several (IST: India/Ireland/Israel, BST, AST, ECT, ...) are left out on
# purpose: a stamp with a zone name not here keeps its day and no time (no offset is better
# than a wrong one; the site's own offset would be wrong too).
_ZONES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0,
    "EST": -300, "EDT": -240, "CST": -360, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420,
    "WET": 0, "WEST": 60, "CET": 60, "CEST": 120, "MEZ": 60, "MESZ": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "ALMT": 360, "AQTT": 300, "ORAT": 300,
    "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AEST": 600, "AEDT": 660,
    "NZST": 720, "NZDT": 780, "HST": -600, "AKST": -540, "AKDT": -480,
}  # fmt: skip
_NOT_ZONES = {"AM", "PM"}
# months and weekdays as stamps write them (any case): no zone's name
_STAMP_WORDS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov"}
_STAMP_WORDS |= {"dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def _unknown_zone(word: str) -> bool:
    """A zone's name not in ``_ZONES`` (``IST``, ``XYZT``): capitals, no month or weekday."""
    return (
        word.isupper()
        and word.isalpha()
        and 1 < len(word) < 6
        and word not in _NOT_ZONES
        and word not in _ZONES
        and word.casefold() not in _STAMP_WORDS
    )


def stamp_to_iso(text: str) -> str | None:
    """A machine's timestamp in ISO (``YYYY-MM-DDTHH:MM:SS[+HH:MM]``), or None: e-mail's
    (RFC 2822), C's ``asctime``, JavaScript's ``Date.toString`` and Unix ``date``'s, ISO with
    a trailing ``UTC``. The offset where it is a number (``+0600``, ``GMT+6``,
    ``UTC+06:00``) or a zone's name that means one offset (``_ZONES``: ``EST`` −05:00,
    ``CEST`` +02:00, ``MSK`` +03:00); with another name (ambiguous or unknown) the day
    alone, no time. ``AM``/``PM`` read; a year of four digits outside 1000–9999 (``0019``)
    or a value out of range (``29 Feb 2023``, ``25:04``, ``+9900``) gives None. Linear:
    no regex here can trade characters between two unbounded runs."""
    text = text.strip()
    if text.endswith(")") and (note := _ZONE_NOTE.search(text, max(0, len(text) - 82))):
        text = text[: note.start()].rstrip()
    utc = text[-3:] in ("UTC", "GMT") and text[-4:-3].isspace()
    if utc and (match := _YMD_RE.fullmatch(text[:-3].rstrip())) is not None:  # ISO + " UTC"
        if match["hour"] is None:
            return None
        built = _build(match, int(match["month"]), None, "iso")
        if built is None or built[1] is None:
            return None
        moment = built[1]
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC).isoformat()
        return moment.isoformat() if moment.utcoffset() == timedelta(0) else None
    text = _GMT_OFFSET.sub(
        lambda m: f" {m[1]}{int(m[2]):02d}{m[3] or '00'}", text
    )  # "GMT+6" → " +0600"
    pm = None
    if (meridiem := _AM_PM.search(text)) is not None:
        pm = meridiem[1] in "Pp"
        text = text[: meridiem.start()] + text[meridiem.end() :]
    offset: int | None = None
    named = False
    for word in _LETTERS.findall(text):
        if word in _ZONES:
            offset, named = _ZONES[word], True
        elif _unknown_zone(word):
            named = True  # a zone's name we do not know, or one that means several
    numeric = bool(_NUMERIC_OFFSET.search(text))
    if numeric:  # a number states it: a name beside it (``+0100 CET``) adds nothing
        named = False
    elif named and offset is not None:  # a known name: its offset as a number for parsedate_tz
        text = " ".join(w for w in text.split() if w not in _ZONES) + f" {_signed(offset)}"
    elif named:
        text = " ".join(w for w in text.split() if not _unknown_zone(w))
    parts = parsedate_tz(text) if any(c.isalpha() for c in text) else None
    if parts is None:
        return None
    year, month, day, hour, minute, second = parts[:6]
    if str(year) not in _FOUR_DIGITS.findall(text):  # "0019" read as 2019, "19" as 2019
        return None
    if pm is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if pm else 0)
    stated = parts[9] if numeric or offset is not None else None
    try:
        zone = None if stated is None else timezone(timedelta(seconds=stated))
        moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
    except (ValueError, OverflowError):
        return None
    if named and offset is None:
        return moment.date().isoformat()
    return moment.isoformat()


_NUMERIC_OFFSET = re.compile(r"(?<![\w:])[+-]\d{4}(?!\d)")


def _signed(minutes: int) -> str:
    sign, minutes = "-" if minutes < 0 else "+", abs(minutes)
    return f"{sign}{minutes // 60:02d}{minutes % 60:02d}"


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
    text = _normalise(text)
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
    raw, text = text, _normalise(text)
    for parser in (_numeric, _month_name):
        found = parser(text, zone, search)
        if found is not None:
            return _guard(found, raw, fetched_at, zone)
    if fetched_at is None:
        return None
    found = _day_month(text, zone, search, fetched_at)
    if found is not None:
        return _guard(found, raw, fetched_at, zone)
    if _RELATIVE_HINT.search(text):
        return _guard(_relative(text, fetched_at, zone), raw, fetched_at, zone)
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
            if not search and not _TRAILER.fullmatch(text, match.end()):
                continue
            return _build(match, month, zone, "month-name")
    return None


def _day_month(
    text: str, zone: ZoneInfo | None, search: bool, fetched_at: datetime
) -> _Found | None:
    """A day and month without a year, in the year of the fetch (or the one before).

    Taken when it is the whole text (in a longer line: after a label ending in ':'),
    or, in a longer line, when a time of day follows it.
    """
    fetched = fetched_at if fetched_at.tzinfo or zone is None else fetched_at.replace(tzinfo=zone)
    # the day of the fetch where the site is (no zone: where the fetch time says it was)
    today = (fetched.astimezone(zone) if zone is not None else fetched).date()
    for match in _DAY_MONTH.finditer(text):
        month = month_number(match["month"])
        if month is None:
            continue
        before = text[max(0, match.start() - 8) : match.start()].rstrip()
        alone = (not before or (search and before.endswith(":"))) and _TRAILER.fullmatch(
            text, match.end()
        )
        if not alone and not (search and match["hour"] is not None):
            continue
        for year in (today.year, today.year - 1):
            try:
                day = date(year, month, int(match["day"]))
            except ValueError:  # 29 ақпан outside a leap year, 31 сәуір
                continue
            if day <= today:
                break
        else:
            return None
        if match["hour"] is None:
            return day, None, "day-month"
        try:
            clock = time(int(match["hour"]), int(match["minute"]), int(match["second"] or 0))
        except ValueError:
            return day, None, "day-month"
        return day, datetime.combine(day, clock).replace(tzinfo=zone), "day-month"
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
        try:  # an offset past a day (+99:99), or one that moves the day past year 1..9999
            offset = datetime.fromisoformat(f"2000-01-01T00:00:00{_iso_zone(zone_text)}").tzinfo
            moment = moment.replace(tzinfo=offset)
            if zone is not None:  # the site's own zone; otherwise the page's day stays its day
                moment = moment.astimezone(zone)
        except (ValueError, OverflowError):
            return day, None, method  # its day as written, no time of day: one field, not a page
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
