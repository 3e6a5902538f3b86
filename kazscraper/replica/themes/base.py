"""What every theme shares: the response type, routing helpers, dates in words, the truth.

A theme is a class with a ``respond(origin, path, query)`` method (routing and markup are
its own) built on ``ThemeContent``; this base class derives the ground truth from the
content and from the few theme-specific choices it declares (the article's canonical
path, how many similar links its block shows, its block labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from math import ceil
from typing import Any, ClassVar

from kazscraper.replica.themes.content import ThemeArticle, ThemeContent

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
RSS = "application/rss+xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
JPEG = (
    bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(200) + b"\xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TODAY = datetime(2026, 12, 7, 9, 30)  # what the header's "today" widgets show (fixed)
#: the theme's layouts: "1" its markup, "2" a redesign of the same site (the same articles,
#: URLs and truth; other class names and nesting for the title, body, date and its format,
#: the author links and the blocks): what a learned profile meets after a redesign
LAYOUTS = ("1", "2")

MONTHS = {
    "kk": (
        "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
        "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
    ),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip


def e(text: object) -> str:
    return escape(str(text), quote=True)


def in_words(day: date | datetime, language: str, clock: bool = False) -> str:
    """'5 наурыз 2024' / '5 марта 2024' (with ', 23:15' when ``clock``)."""
    text = f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"
    if clock and isinstance(day, datetime):
        text += f", {day:%H:%M}"
    return text


def pages(count: int, size: int) -> int:
    return max(1, ceil(count / size))


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def html(cls, text: str, status: int = 200) -> Response:
        return cls(status, HTML, text.encode("utf-8"))

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Response:
        return cls(status, HTML, b"", {"Location": location})


class Theme:
    """A themed site: content, routes, markup. Subclasses set the class attributes."""

    name = ""
    imitates = ""  # one line: what the theme looks like
    hard_cases: tuple[str, ...] = ()  # what it holds that a crawler must get right
    site_name = ""
    similar_count = 4
    page_size = 10
    labels: ClassVar[dict[str, dict[str, str]]] = {}  # language -> {"similar": ..., "top": ...}

    def __init__(self, n_articles: int = 120, seed: int = 1, layout: str = "1") -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"layout is one of {LAYOUTS}, not {layout!r}")
        self.layout = layout
        self.content = ThemeContent(self.name, n_articles, seed)
        self.by_path = {self.article_path(a): a for a in self.content.articles}

    # -- what each theme defines --------------------------------------------------------

    def article_path(self, article: ThemeArticle) -> str:
        raise NotImplementedError

    def respond(self, origin: str, path: str, query: str) -> Response:
        raise NotImplementedError

    def listing_paths(self) -> list[str]:
        """Listing, pagination, sitemap and feed paths that together link every article."""
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------

    def similar(self, article: ThemeArticle) -> list[ThemeArticle]:
        return self.content.similar(article)[: self.similar_count]

    def top(self, language: str) -> list[ThemeArticle]:
        return self.content.top(language)

    def truth(self, origin: str) -> dict[str, dict[str, Any]]:
        """Per canonical article URL, what a correct archive holds about it."""
        origin = origin.rstrip("/")
        records = {}
        for article in self.content.articles:
            blocks = [
                {
                    "kind": kind,
                    "rank": rank,
                    "title": other.title,
                    "url": origin + self.article_path(other),
                }
                for kind, items in (
                    ("similar", self.similar(article)),
                    ("top", self.top(article.language)),
                )
                for rank, other in enumerate(items, 1)
            ]
            records[origin + self.article_path(article)] = {
                "title": article.title,
                "body": self.content.body(article),
                "authors": article.person_names,
                "published": article.published.isoformat(),
                "language": article.language,
                "blocks": blocks,
            }
        return records

    def page_of(self, items: list[ThemeArticle], page: int) -> list[ThemeArticle]:
        return items[(page - 1) * self.page_size : page * self.page_size]

    def page_count(self, items: list[ThemeArticle]) -> int:
        return pages(len(items), self.page_size)
