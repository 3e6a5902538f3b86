"""The publication date of a page: ``publication_date`` asks its sources in one order.

What the page declares about its article (``DECLARED``: JSON-LD, the publication metas, a
``<time>`` of the ``<article>``), the date line nearest the headline, read outside
furniture with our Kazakh-aware parser and skipping the header's "today" line and, where
another line states a date, the updated time; microdata and the URL's date; the metas
that name no kind of date; the lead's dateline (``Астана, 2025 жылғы 11 желтоқсан. ...``);
htmldate (trafilatura's date library, imported lazily) last. The order and each source's
accuracy on the real-page sets: docs/extraction.md, "Publication dates on any site".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import attribute, node_text
from kazscraper.extract.dates import ParsedDate, find_date_in_text, find_date_span, parse_date
from kazscraper.extract.furniture import in_furniture
from kazscraper.urls import urlsplit

_MAX_DATE_LINE = 80  # a date line is short; a paragraph that mentions a date is not one


def date_from_elements(
    page: Selector, fetched_at: datetime | None, tz: str | None
) -> tuple[ParsedDate, str] | None:
    """A date from the page's own date line (``<span class="date">``, ``<time>``).

    Short elements only, outside footers, sidebars, comments and teaser blocks; a line of
    the time the page was updated (``_is_update``) only where no other line states one. Of
    several, the one nearest the headline (the ``<h1>``): the deepest element it shares
    with it, the first in the page on a tie; a header's "today" widget shares only the
    page's wrapper with the headline, whatever its markup (``<div class="header">``).
    Returns the date and the element's text.
    """
    found: list[tuple[Any, ParsedDate, str]] = []
    updates: list[tuple[Any, ParsedDate, str]] = []
    for element in _DATE_ELEMENTS(page.root):
        if in_furniture(element):
            continue
        text = attribute(element, "datetime") or node_text(element)
        if not text or len(text) > _MAX_DATE_LINE or _is_today_widget(element, text):
            continue
        parsed = find_date_in_text(text, fetched_at=fetched_at, tz=tz)
        if parsed is not None:
            (updates if _is_update(element, text) else found).append((element, parsed, text))
            if len(found) + len(updates) >= _MAX_DATE_ELEMENTS:
                break
    found = found or updates  # a page that shows only when it was updated: that date
    if not found:
        return None
    headline = _HEADLINE(page.root)
    if len(found) > 1 and headline:
        depths = _depths(headline[0])
        best = max(found, key=lambda item: _shared_depth(item[0], depths))  # first on a tie
        return best[1], best[2]
    return found[0][1], found[0][2]


_MAX_DATE_ELEMENTS = 12  # date lines weighed against each other (the rest: teasers)
# compiled once, on lxml elements (parsel compiled it on each call and wrapped every result)
_DATE_ELEMENTS = etree.XPath(xpaths.DATE_ELEMENTS)
_HEADLINE = etree.XPath("(//body//h1)[1]")


def _depths(element: Any) -> dict[Any, int]:
    """Each ancestor of ``element`` (itself included) and its depth, the root's being 0."""
    chain = [element, *element.iterancestors()]
    return {node: len(chain) - 1 - i for i, node in enumerate(chain)}


def _shared_depth(element: Any, depths: dict[Any, int]) -> int:
    """The depth of the deepest element that holds both ``element`` and the headline."""
    for node in (element, *element.iterancestors()):
        if node in depths:
            return depths[node]
    return 0


# the day or time the page was shown: a header's "today", a forum's "current time" (phpBB)
_TODAY = re.compile(
    r"\b(?:бүгін|сегодня|today|bugin|búgin|it\s+is\s+currently|current\s+time|aktuelle\s+zeit"
    r"|текущее\s+время|қазіргі\s+уақыт)\b",
    re.IGNORECASE,
)
_WEEKDAY = re.compile(
    r"\b(?:дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|понедельник|вторник|среда"
    r"|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_BEFORE_HEADLINE = etree.XPath(xpaths.BEFORE_HEADLINE)


def _is_today_widget(element: Any, text: str) -> bool:
    """The header's "today" line (``Бүгін, 25 қараша 2026, сәрсенбі``), a forum's current
    time (``Текущее время: 14.10.2020, 12:18``): the day the page was shown, not the day the
    article was published."""
    if _TODAY.search(text) and _YEAR.search(text):  # "Бүгін 14:30" is a date line, kept
        return True
    return bool(_WEEKDAY.search(text)) and bool(_BEFORE_HEADLINE(element))


_UPDATE_MARK = re.compile(
    r"(?:^|[\s_-])(?:updated?|modified|datemodified|changed)(?:$|[\s_-])", re.IGNORECASE
)
_PUBLISHED_MARK = re.compile(r"publish|datepublished|created", re.I)
_UPDATE_WORDS = (
    r"(?:updated|last\s+(?:updated|modified)|modified|обновлено|изменено|жаңартылды"
    r"|өзгертілді|aktualisiert|mis\s+à\s+jour|actualizado|aggiornato|zaktualizowano)"
)
_UPDATE_LABEL = re.compile(rf"^\W*{_UPDATE_WORDS}\b", re.IGNORECASE)
_UPDATE_LABEL_BEFORE = re.compile(rf"\b{_UPDATE_WORDS}\W*$", re.IGNORECASE)


def _is_update(element: Any, text: str) -> bool:
    """The time a page was last changed, not published: ``<time class="updated">``,
    ``itemprop="dateModified"``, a line labelled ``Updated:`` / ``Обновлено:`` /
    ``Жаңартылды:`` (WordPress marks an unchanged post's one ``<time>`` "published updated":
    that one is the published time)."""
    marks = f"{element.get('class') or ''} {element.get('itemprop') or ''}"
    if _UPDATE_MARK.search(marks) and not _PUBLISHED_MARK.search(marks):
        return True
    if _UPDATE_LABEL.match(text):
        return True
    previous, parent = element.getprevious(), element.getparent()
    before = previous.tail if previous is not None else parent.text if parent is not None else ""
    return bool(_UPDATE_LABEL_BEFORE.search((before or "")[-_MAX_LABEL:]))


_MAX_LABEL = 30  # "Last updated:" before a <time>: the end of the text before it


def date_from_lead(
    paragraphs: list[str], fetched_at: datetime | None, tz: str | None
) -> ParsedDate | None:
    """A dateline at the start of the lead: ``Астана, 2025 жылғы 11 желтоқсан. ...``,
    ``Hamburg, 2. November 2021 - ...``, ``Алматы, 11 декабря 2025, четверг. ...``,
    ``December 11, 2025 at 3:45 pm ET — ...``; not a date the lead's sentence speaks of
    (``Am 22. Oktober 2019 erscheint ...``, ``Seit dem 1. Januar 2022 ist ...``: after the
    date and what a dateline may add to it — a weekday, the year's word, a time, am/pm, a
    zone — a lower-case word goes on with the sentence), nor the time it was updated (an
    update word before the date: ``Aktualisiert am ...``, ``Updated: ...``; one in the
    sentence after the dateline is the news, not a label)."""
    if not paragraphs:
        return None
    head = paragraphs[0][:_MAX_DATE_LINE]
    found = find_date_in_text(head, fetched_at=fetched_at, tz=tz)
    if found is None:
        return None
    span = find_date_span(head, tz=tz)
    start = (
        span[1]
        if span is not None
        else next((i for i, c in enumerate(head) if c.isdigit()), len(head))
    )
    if _UPDATE_IN_LEAD.search(head, 0, start):  # the dateline is labelled an update time
        return None
    if span is not None:
        end = _DATELINE_TAIL.match(head, span[2]).end()  # type: ignore[union-attr]
        after = _AFTER_DATE.match(head, end)
        if after is not None and after[1].islower():  # the sentence goes on
            return None
    return found


_UPDATE_IN_LEAD = re.compile(rf"\b{_UPDATE_WORDS}\b", re.IGNORECASE)
# what a dateline may add after its date: a weekday (Kazakh, Russian, English, German,
# French, Spanish; any case; 'Thu.'), the year's word after a numeric date ('г.', 'ж.',
# 'года', 'жылы'), a time ('10:15', 'um 10:15 Uhr', 'at 3:45 pm', 'в 14:30', 'сағат 10:00',
# 'à 10h'), am/pm and a zone's letters ('ET', 'GMT+6', '(UTC+6)'). Each piece starts with a
# letter, digit or '(' after at most a few spaces and commas, and the loop is possessive:
# linear.
_WEEKDAYS = (
    r"дүйсенбі|сейсенбі|сәрсенбі|бейсенбі|жұма|сенбі|жексенбі|понедельник|вторник|среда"
    r"|четверг|пятница|суббота|воскресенье|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|montag|dienstag|mittwoch"
    r"|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi"
    r"|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo"
)
_DATELINE_PIECE = (
    rf"(?:{_WEEKDAYS})\b\.?"
    r"|(?:жылғы|жылы|жыл|года|год|г|ж)\b\.?"
    r"|(?:(?:um|at|в|сағат|à|a\s+las|alle|às|om)\s{1,3})?\d{1,2}(?:[:.]\d{2}){1,2}"
    r"(?:\s{0,3}(?:uhr|h)\b)?"
    r"|\d{1,2}h\d{2}\b"
    r"|[ap]\.?m\b\.?"
    r"|\(?(?-i:[A-Z]{2,5})(?:[+-]\d{1,2}(?::?\d{2})?)?\b\)?"
)
_DATELINE_TAIL = re.compile(rf"(?:[\s,]{{0,4}}(?:{_DATELINE_PIECE}))*+", re.IGNORECASE)
# the first letter after a date, a comma between them or none
_AFTER_DATE = re.compile(r"\s*,?\s*([^\W\d_])")


def htmldate_date(
    tree: Any, url: str, fetched_at: datetime | None, extensive: bool = False
) -> str | None:
    """htmldate's reading of the publication date of the page ``tree`` (htmldate copies it).

    Metadata, URL and date markup only, unless ``extensive``: its extensive search
    takes dates from the text too, which on the site's own pages (where the profile
    knows the date line) would be a guess; on a page of another site it is what
    htmldate's own evaluation runs.
    """
    from htmldate import find_date

    try:
        return find_date(  # htmldate copies a tree it is given before pruning it
            tree,
            url=url or None,
            original_date=True,
            extensive_search=extensive,
            outputformat="%Y-%m-%d",
            max_date=fetched_at.strftime("%Y-%m-%d") if fetched_at else None,
        )
    except (ValueError, TypeError):  # htmldate rejects some malformed inputs
        return None


#: the page's own declaration of its article's publication date, in rank order: the JSON-LD
#: article object's ``datePublished``, the publication metas (OpenGraph's
#: ``article:published_time``, Parse.ly, Sailthru, Dublin Core's issued/created), a
#: ``<time datetime>`` of the ``<article>``. Measured on both dev sets (docs/extraction.md)
DECLARED = (
    "jsonld",
    "meta:article:published_time",
    "meta:og:article:published_time",
    "meta:og:published_time",
    "meta:article:published",
    "meta:parsely-pub-date",
    "meta:sailthru.date",
    "meta:dc.date.issued",
    "meta:dcterms.issued",
    "meta:dc.date.created",
    "meta:dcterms.created",
    "time-element",
)
#: microdata ``datePublished``: after the date line (right less often on both dev sets)
MICRODATA = ("itemprop", "meta:datepublished")
#: metas that name no kind of date (``date``, ``dc.date``, ``pubdate``: often the day of a
#: change, the build or the fetch) and the page node's date: after the URL's date
WEAK = (
    "meta:pubdate",
    "meta:publishdate",
    "meta:publish-date",
    "meta:publish_date",
    "meta:published_time",
    "meta:published-date",
    "meta:article.published",
    "meta:dc.date",
    "meta:dcterms.date",
    "meta:date",
    "jsonld-page",
)
_LAYER_NAMES = {"meta:article:published_time": "opengraph"}  # the names records already carry
# /2023/11/08/, /2023-11-08-slug: a one-digit day only before a slash (/2023/10/3-fragen is a slug)
_URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-]([01]?\d)[/-](\d\d(?=/|$|[-_.])|\d(?=/|$))")


@dataclass(frozen=True)
class DateVote:
    """One source's reading of the publication date: ``source`` names where it came from."""

    source: str
    parsed: ParsedDate
    raw: str


def declared_votes(
    declared: dict[str, str],
    fetched_at: datetime | None,
    tz: str | None,
    rank: tuple[str, ...] = DECLARED,
) -> list[DateVote]:
    """The dates the page declares (``PageMetadata.declared_dates``) of the kinds ``rank``
    names, in its order, those that do not parse left out."""
    votes = []
    for key in rank:
        if (raw := declared.get(key)) and (parsed := parse_date(raw, fetched_at=fetched_at, tz=tz)):
            votes.append(DateVote(_LAYER_NAMES.get(key, key), parsed, raw))
    return votes


def url_vote(url: str) -> DateVote | None:
    """The date a URL's path holds (``/2023/11/08/``, ``/2023-11-08-slug``)."""
    match = _URL_DATE.search(urlsplit(url).path) if url else None
    if match is None:
        return None
    try:
        shown = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return DateVote("url", ParsedDate(shown.isoformat(), None, "url", match[0]), url)


def publication_date(
    page: Selector,
    declared: dict[str, str],
    url: str,
    lead: list[str],
    fetched_at: datetime | None,
    tz: str | None,
    htmldate: Callable[[], str | None],
    signature: str | None = None,
    learned: DateVote | None = None,
) -> DateVote | None:
    """The article's publication date, from the first source that states one.

    1. what the page declares (``DECLARED``); where those disagree, the date more of the
       page's sources give (the declared ones, the date line, the URL, htmldate), the first
       in rank on a tie; a UTC timestamp (a server's notation, ``...T03:28:35Z``) of another
       site's page yields to the day the page shows beside it, one day off: the URL's
       date where there is one (it breaks the tie), else a local time or the date line;
    2. the signature's date line (a site profile's), then ``learned``: the date element of
       a learned profile (``extract.profile_layer.profile_date``);
    3. the date line nearest the headline (``date_from_elements``);
    4. microdata ``datePublished``, the URL's date, the weak metas (``WEAK``);
    5. the lead's dateline, then htmldate (``htmldate``, called only when needed).
    """
    votes = declared_votes(declared, fetched_at, tz)
    read: list[DateVote | None] = []

    def line_vote() -> DateVote | None:
        """The date line's vote, read once and only where a step asks for it (the walk
        over the page's date elements is most of this function's time)."""
        if not read:
            line = date_from_elements(page, fetched_at, tz)
            read.append(DateVote("date-element", line[0], line[1]) if line else None)
        return read[0]

    if votes:
        in_url = url_vote(url)
        chosen = _agreed(votes, line_vote, in_url, htmldate)
        if tz is None and chosen.parsed.datetime and chosen.parsed.datetime.endswith("+00:00"):
            others = declared_votes(declared, fetched_at, tz, MICRODATA + WEAK)
            return _local_day(chosen, votes, others, line_vote, in_url) or chosen
        return chosen
    if signature and (parsed := parse_date(signature, fetched_at=fetched_at, tz=tz)):
        return DateVote("signature", parsed, signature)
    if learned is not None:
        return learned
    if (line := line_vote()) is not None:
        return line
    later = declared_votes(declared, fetched_at, tz, MICRODATA)
    later += [in_url] if (in_url := url_vote(url)) else []
    later += declared_votes(declared, fetched_at, tz, WEAK)
    if later:
        return later[0]
    if (dateline := date_from_lead(lead, fetched_at, tz)) is not None:
        return DateVote("dateline", dateline, dateline.raw)
    if found := htmldate():
        return DateVote("htmldate", ParsedDate(found, None, "htmldate", found), found)
    return None


def _agreed(
    votes: list[DateVote],
    line: Callable[[], DateVote | None],
    in_url: DateVote | None,
    htmldate: Callable[[], str | None],
) -> DateVote:
    """The first declared vote, or where the declared ones disagree, the one whose day more
    sources give (first in rank on a tie); ``line`` reads the date line's vote."""
    if len({vote.parsed.date for vote in votes}) == 1:
        return votes[0]
    others = [v.parsed.date for v in (line(), in_url) if v is not None]
    if (found := htmldate()) is not None:
        others.append(found)
    days = [vote.parsed.date for vote in votes] + others
    return max(votes, key=lambda vote: days.count(vote.parsed.date))  # the first on a tie


def _local_day(
    chosen: DateVote,
    votes: list[DateVote],
    others: list[DateVote],
    line: Callable[[], DateVote | None],
    in_url: DateVote | None,
) -> DateVote | None:
    """For a UTC timestamp, the day the page shows, or None (the timestamp's day stands).

    A declared time (``votes``, or of the later kinds: ``others``) that states the same
    instant with a local offset (``22:04Z`` and ``00:04+02:00``) gives the local day; else a
    day one off: the URL's where the URL holds a date (the same day: the timestamp stands),
    else one of ``votes`` in another notation (a local offset, or none), else the date line
    (``line`` reads it). One off only where an offset could make it (UTC-12 to UTC+14):
    the day before from a time before noon, the day after from 10:00 on (``12:00Z`` is the
    same day everywhere but UTC+12 and beyond)."""
    stamp = datetime.fromisoformat(chosen.parsed.datetime or chosen.parsed.date)
    for vote in (*votes, *others):
        stated = vote.parsed.datetime
        if stated and not stated.endswith("+00:00") and _instant(stated) == stamp:
            return vote if vote.parsed.date != chosen.parsed.date else None
    minutes = stamp.hour * 60 + stamp.minute

    def one_off(vote: DateVote) -> bool:
        days = (date.fromisoformat(vote.parsed.date) - stamp.date()).days
        return (days == -1 and minutes < 12 * 60) or (days == 1 and minutes >= 10 * 60)

    if in_url is not None:
        return in_url if one_off(in_url) else None
    local = [v for v in votes if not (v.parsed.datetime or "").endswith("+00:00")]
    shown = line()
    return next((v for v in [*local, *([shown] if shown else [])] if one_off(v)), None)


def _instant(stated: str) -> datetime | None:
    """The moment an ISO time with an offset names (None without an offset: a wall time)."""
    moment = datetime.fromisoformat(stated)
    return moment if moment.tzinfo is not None else None
