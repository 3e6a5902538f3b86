"""The publication date of another site's page: the article's own declared date first, then
its date line, then its URL; an updated time, a header's or footer's widget never wins.
Small pages written here (never pages of the dev sets)."""

from __future__ import annotations

import pytest
from parsel import Selector

from kazscraper.extract.metadata import read_metadata
from kazscraper.extract.page_date import (
    WEAK,
    date_from_elements,
    date_from_lead,
    declared_votes,
    url_vote,
)
from tests.test_generic_layer import ENGLISH, generic, html_page, paragraphs

LATER = "2023-11-20T08:00:00+00:00"


def jsonld(obj: str) -> str:
    return f'<script type="application/ld+json">{obj}</script>'


# --- declared dates: the article entity, the metas, microdata ---------------------------


@pytest.mark.parametrize(
    ("head", "body", "source"),
    [
        ("<meta name='parsely-pub-date' content='2023-11-08T10:00:00+01:00'>", "", "meta"),
        ("<meta name='sailthru.date' content='2023-11-08 10:00:00'>", "", "meta"),
        ("<meta name='DC.date.issued' content='2023-11-08'>", "", "meta"),
        ("<meta itemprop='datePublished' content='2023-11-08'>", "", "item"),
        ("", "<div itemscope><meta itemprop='datePublished' content='2023-11-08'></div>", "item"),
    ],
)
def test_a_declared_publication_date_is_read(head: str, body: str, source: str) -> None:
    article = generic(
        html_page(f"<h1>Vote</h1>{body}" + paragraphs(ENGLISH), head=head), fetched=LATER
    )
    assert article.published_date == "2023-11-08"
    assert article.extraction["published_date"].startswith(source)


def test_the_article_entity_date_beats_a_listed_items_date() -> None:
    """A JSON-LD ``ItemList`` of other stories before the article object: theirs are not its."""
    listed = jsonld(
        '{"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item":'
        ' {"@type": "NewsArticle", "datePublished": "2023-10-01"}}]}'
    )
    own = jsonld('{"@type": "NewsArticle", "datePublished": "2023-11-08T10:00:00+01:00"}')
    page = Selector(text=html_page("<h1>Vote</h1>", head=listed + own))
    votes = declared_votes(read_metadata(page).declared_dates, None, None)
    assert [(v.source, v.parsed.date) for v in votes] == [("jsonld", "2023-11-08")]


def test_the_declared_sources_are_ranked_article_first() -> None:
    head = (
        jsonld('{"@type": "WebPage", "datePublished": "2023-01-01"}')
        + "<meta name='date' content='2023-11-20'>"
        + "<meta property='article:published_time' content='2023-11-08T10:00:00+01:00'>"
    )
    declared = read_metadata(Selector(text=html_page("<h1>Vote</h1>", head=head))).declared_dates
    assert [v.source for v in declared_votes(declared, None, None)] == ["opengraph"]
    weak = [v.source for v in declared_votes(declared, None, None, WEAK)]
    assert weak == ["meta:date", "jsonld-page"]


def test_a_weak_meta_does_not_beat_the_date_line() -> None:
    """``<meta name="date">`` names no kind of date (often the day of a change)."""
    html = html_page(
        "<h1>Vote</h1><span class='post-date'>8.11.2023</span>" + paragraphs(ENGLISH),
        head="<meta name='date' content='2023-11-20'>",
    )
    assert generic(html, fetched=LATER).published_date == "2023-11-08"


def test_declared_dates_that_disagree_yield_to_the_one_the_page_agrees_with() -> None:
    """A JSON-LD date the page's other metas, its date line and its URL all contradict."""
    head = jsonld('{"@type": "NewsArticle", "datePublished": "2023-10-02"}') + (
        "<meta property='article:published_time' content='2023-11-08T10:00:00+01:00'>"
    )
    html = html_page(
        "<h1>Vote</h1><span class='post-date'>8.11.2023</span>" + paragraphs(ENGLISH), head=head
    )
    article = generic(html, "https://news.example.com/2023/11/08/vote", LATER)
    assert article.published_date == "2023-11-08"
    assert article.extraction["published_date"].startswith("opengraph")


# --- the date line: published, not updated ------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [  # the updated time first, marked by its class, its itemprop or a label
        '<time class="updated" datetime="2023-11-09T09:00:00+05:00">9 Nov</time>'
        '<time class="entry-date published" datetime="2023-11-08T23:30:00+05:00">8 Nov</time>',
        '<time itemprop="dateModified" datetime="2023-11-09T09:00:00+05:00">9 Nov</time>'
        '<time datetime="2023-11-08T23:30:00+05:00">8 Nov</time>',
        'Updated: <time datetime="2023-11-09T09:00:00+05:00">9 Nov</time> · Published:'
        ' <time datetime="2023-11-08T23:30:00+05:00">8 Nov</time>',
        '<span class="date">Обновлено: 09.11.2023 09:00</span>'
        '<span class="date">Опубликовано: 08.11.2023 23:30</span>',
    ],
)
def test_on_a_line_with_the_published_and_updated_time_the_published(line: str) -> None:
    page = Selector(text=html_page(f"<h1>Vote</h1><div class='byline'>{line}</div>"))
    found = date_from_elements(page, None, None)
    assert found is not None and found[0].date == "2023-11-08"


def test_wordpress_published_updated_class_is_the_published_time() -> None:
    """WordPress marks an unchanged post's only ``<time>`` "entry-date published updated"."""
    line = '<time class="entry-date published updated" datetime="2023-11-08T10:00">8 Nov</time>'
    page = Selector(text=html_page(f"<h1>Vote</h1><div class='posted-on'>{line}</div>"))
    found = date_from_elements(page, None, None)
    assert found is not None and found[0].date == "2023-11-08"


# --- the URL's date breaks a tie; widgets never win ---------------------------------------

UTC_HEAD = "<meta property='article:published_time' content='2023-11-08T18:30:00Z'>"


def test_the_url_date_breaks_the_tie_of_utc_metadata_and_a_date_line() -> None:
    """Metadata in UTC, the URL the same day: a date line a day later (an updated time, a
    local clock) does not move it."""
    line = "<span class='post-date'>November 9, 2023</span>"
    html = html_page(f"<h1>Vote</h1>{line}" + paragraphs(ENGLISH), head=UTC_HEAD)
    article = generic(html, "https://news.example.com/2023/11/08/vote-count/", LATER)
    assert article.published_date == "2023-11-08"


def test_the_url_date_is_used_when_nothing_else_states_one() -> None:
    article = generic(
        html_page("<h1>Vote</h1>" + paragraphs(ENGLISH)),
        "https://news.example.com/2023/11/08/vote-count/",
        LATER,
    )
    assert article.published_date == "2023-11-08"
    assert article.extraction["published_date"].startswith("url")


@pytest.mark.parametrize(
    ("url", "date"),
    [
        ("https://x.example/2023/11/08/slug", "2023-11-08"),
        ("https://x.example/news/2023-11-08-slug.html", "2023-11-08"),
        ("https://x.example/2023/13/08/slug", None),
        ("https://x.example/news/slug?d=2023/11/08", None),
    ],
)
def test_url_vote(url: str, date: str | None) -> None:
    vote = url_vote(url)
    assert (vote.parsed.date if vote else None) == date


@pytest.mark.parametrize(
    "widget",
    [
        '<div class="site-footer"><time datetime="2023-11-20">20 November 2023</time></div>',
        '<div class="header"><span class="current-date">Monday, 20 November 2023</span></div>',
        '<footer><span class="date">20.11.2023</span></footer>',
    ],
)
def test_a_widget_never_wins_over_the_article_date_line(widget: str) -> None:
    body = (
        f"{widget}<div class='content'><h1>Vote</h1><span class='post-date'>8.11.2023</span>"
        f"{paragraphs(ENGLISH)}</div>{widget}"
    )
    assert generic(html_page(body), fetched=LATER).published_date == "2023-11-08"


def test_a_page_that_shows_only_its_updated_time_is_dated_by_it() -> None:
    page = Selector(text=html_page("<h1>Vote</h1><div class='date'>Updated June 13, 2019</div>"))
    found = date_from_elements(page, None, None)
    assert found is not None and found[0].date == "2019-06-13"


def test_the_articles_updated_time_is_no_declared_date() -> None:
    line = (
        '<time class="updated" datetime="2023-11-09T09:00:00+05:00">9 Nov</time>'
        '<time class="entry-date published" datetime="2023-11-08T23:30:00+05:00">8 Nov</time>'
    )
    page = Selector(text=html_page(f"<article><h1>Vote</h1><div>{line}</div></article>"))
    assert read_metadata(page).declared_dates["time-element"].startswith("2023-11-08")


def test_a_utc_timestamp_yields_to_the_same_instant_in_a_local_offset() -> None:
    """``22:04Z`` in JSON-LD and ``00:04 +0200`` in ``<meta name="date">`` are one moment:
    the page's own day is the local one."""
    head = (
        jsonld(
            '{"@type": "NewsArticle", "headline": "Vote", "datePublished": "2019-10-18T22:04:00Z"}'
        )
        + "<meta name='date' content='Sat, 19 Oct 2019 00:04:00 +0200'>"
    )
    html = html_page("<h1>Vote</h1>" + paragraphs(ENGLISH), head=head)
    assert generic(html, fetched=LATER).published_date == "2019-10-19"


def test_a_utc_noon_is_not_moved_to_the_day_before() -> None:
    """12:00Z is the day before only at UTC-12 and beyond: a date line a day earlier is
    another date (a teaser's, the day it was written), the timestamp stands."""
    head = "<meta property='article:published_time' content='2023-11-06T12:00:00+00:00'>"
    body = "<h1>Vote</h1><span class='post-date'>05.11.2023</span>" + paragraphs(ENGLISH)
    assert generic(html_page(body, head=head), fetched=LATER).published_date == "2023-11-06"


@pytest.mark.parametrize(
    "clock",
    [
        "It is currently Wed Oct 14, 2020 12:18 pm",
        "Текущее время: 14.10.2020, 12:18",
        "Қазіргі уақыт: 14.10.2020, 12:18",
        "Aktuelle Zeit: 14.10.2020, 12:18",
    ],
)
def test_a_forums_current_time_is_no_date_line(clock: str) -> None:
    body = (
        f"<div class='wrap'><p class='time'>{clock}</p><h1>Topic</h1>"
        "<div class='post'><span class='date'>21.01.2009</span></div></div>"
    )
    found = date_from_elements(Selector(text=html_page(body)), None, None)
    assert found is not None and found[0].date == "2009-01-21"


@pytest.mark.parametrize(
    ("lead", "date"),
    [
        ("Астана, 2025 жылғы 11 желтоқсан. Парламент Мәжілісі", "2025-12-11"),
        ("Hamburg, 2. November 2021 - Die Stadt", "2021-11-02"),
        ("Stand: 28.02.2020 10:15 Uhr", "2020-02-28"),
        ("07.11.2023 Ormalingen, Baselbiet", "2023-11-07"),
        ("On 22 October 2019 the company opens its new plant", None),  # the sentence's date
        ("Since 1 January, 2022, the law has banned", None),
        ("2025 жылғы 11 желтоқсанда сағат 10-да өтті", None),
        ("Updated on 19.02.2020", None),  # the time it was updated
    ],
)
def test_a_dateline_opens_the_lead_and_is_no_date_its_sentence_speaks_of(
    lead: str, date: str | None
) -> None:
    found = date_from_lead([lead], None, None)
    assert (found.date if found else None) == date


@pytest.mark.parametrize(
    "lead",
    [
        "WASHINGTON, Dec. 11, 2025 — The FDA updated its guidance on",
        "MOSCOW, Dec 11, 2025 (Reuters) - Russia modified its rules",
        "Астана, 2025 жылғы 11 желтоқсан. Салық кодексі өзгертілді.",
        "Астана, 11 декабря 2025. Обновлено расписание поездов",
    ],
)
def test_a_dateline_stands_when_the_sentence_after_it_says_updated(lead: str) -> None:
    """An update word anywhere in the lead's first 80 characters dropped its dateline; only
    one before the date labels it an update time (``Updated on 19.02.2020``, above)."""
    found = date_from_lead([lead], None, None)
    assert found is not None and found.date == "2025-12-11"


@pytest.mark.parametrize(
    ("lead", "date"),
    [
        ("Астана, 11 желтоқсан 2025, бейсенбі. Парламент Мәжілісі", "2025-12-11"),
        ("Алматы, 11 декабря 2025, четверг. Парламент принял закон", "2025-12-11"),
        ("11.12.2025 г., Астана — Парламент принял закон", "2025-12-11"),
        ("11.12.2025 ж., Астана — Парламент заң қабылдады", "2025-12-11"),
        ("Hamburg, 2. November 2021 um 10:15 Uhr - Die Stadt", "2021-11-02"),
        ("Berlin, 2. November 2021, dienstags - Die Stadt", None),  # "on Tuesdays": no weekday
        ("December 11, 2025 at 3:45 pm ET — The company said", "2025-12-11"),
        ("NEW YORK, Dec. 11, 2025 at 10:00 a.m. — Stocks", "2025-12-11"),
        ("Thursday, December 11, 2025, Thu. 10:00 GMT+6 — The", "2025-12-11"),
        # the sentence goes on after what a dateline may add
        ("Am 22. Oktober 2019 um 10:00 Uhr erscheint das Buch", None),
        ("11 декабря 2025 года в 10:00 в Астане состоится форум", None),
        ("Aktualisiert am 11.12.2025, Donnerstag", None),  # the dateline is the update time
        ("Updated: Dec. 11, 2025 — The FDA", None),
    ],
)
def test_a_dateline_with_a_weekday_year_word_or_hour_after_it(lead: str, date: str | None) -> None:
    """A dateline may add a weekday (any case), the year's word after a numeric date, a time,
    am/pm and a zone before its sentence starts: these were taken for the sentence going on
    (a lower-case word after the date)."""
    found = date_from_lead([lead], None, None)
    assert (found.date if found else None) == date


# --- what is read only where it decides ----------------------------------------------


def test_the_date_line_and_the_url_are_read_only_where_they_decide(monkeypatch) -> None:
    """A page dated by its signature (every page of the site profile's replica) never
    needed the walk over its date elements: it took 0.7 ms of 3.4 a page."""
    from kazscraper.extract import page_date

    def refused(*args: object) -> None:
        raise AssertionError("read, though the signature dated the page")

    page = Selector(text=html_page('<h1>A</h1><span class="date">2023-11-01</span>'))
    monkeypatch.setattr(page_date, "date_from_elements", refused)
    monkeypatch.setattr(page_date, "url_vote", refused)
    vote = page_date.publication_date(
        page, {}, "https://example.com/2023/11/02/a", [], None, None, lambda: None, "08.11.2023"
    )
    assert vote is not None and (vote.source, vote.parsed.date) == ("signature", "2023-11-08")
    monkeypatch.undo()  # without the signature: the date line, nearest the headline
    vote = page_date.publication_date(
        page, {}, "https://example.com/2023/11/02/a", [], None, None, lambda: None
    )
    assert vote is not None and (vote.source, vote.parsed.date) == ("date-element", "2023-11-01")
