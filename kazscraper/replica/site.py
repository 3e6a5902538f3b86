"""The replica's content: a deterministic, lazily rendered model of the site.

``ReplicaSite(n_articles, seed)`` decides every article's title, slug,
category, date, views and signature up front (cheap, so 20,000 articles take
well under a second) and composes each body only when a page asks for it.
Article 0 is the seed article (the real page in ``data/seed_article.json``),
articles 1–5 are the five articles of its «Топ жаңалықтар» block; the rest are
generated from ``corpus``. The same (n_articles, seed) always gives the same
site, so tests can compare what the crawler stored with ``expected_record``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, lru_cache
from importlib import resources

from kazscraper.replica import corpus

SEED_ARTICLE_INDEX = 0
LAYOUTS = ("v1", "v2")
EDIT_EVERY = 25  # articles 6+k*25 are edited in edition 2
ALIAS_EVERY = 30  # articles 10+k*30 are also served under /news/<slug>-<index> (a CMS duplicate)
EDIT_NOTE = "Түзету: мақаладағы деректер жаңартылды."
REPUBLISH_EVERY = 40  # articles 8+k*40 republish the previous article's text with a new lead
REPUBLISH_LEAD = "Редакция оқырмандардың сұрауы бойынша бұл материалды қайта жариялап отыр."
TOP_NEWS_INDICES = (1, 2, 3, 4, 5)
MIN_ARTICLES = 1 + len(TOP_NEWS_INDICES)

_TRANSLIT = str.maketrans(
    {
        "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e",
        "ё": "yo", "ж": "z", "з": "z", "и": "i", "й": "i", "к": "k", "қ": "q", "л": "l",
        "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
        "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "h", "һ": "h", "ц": "ts",
        "ч": "ch", "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
        "ю": "yu", "я": "ya",
    }
)  # fmt: skip


def slugify(title: str) -> str:
    """The site's plain-ASCII slug of a Kazakh title (қ→q, ң→n, ұ→u, ы→y, і→i …)."""
    latin = title.lower().translate(_TRANSLIT)
    return re.sub(r"[^a-z0-9]+", "-", latin).strip("-")


@dataclass(frozen=True)
class ReplicaAuthor:
    surname: str
    given: str
    patronymic: str | None = None
    split_line: bool = False  # render SURNAME and the rest on two lines, as the seed does

    @property
    def name(self) -> str:
        """The name as the archive must store it: normal case, surname first."""
        return " ".join(p for p in (self.surname, self.given, self.patronymic) if p)


@dataclass(frozen=True)
class ReplicaArticle:
    index: int
    slug: str
    title: str  # the title as it must be stored
    category: str  # category slug
    published: date
    views: int
    authors: tuple[ReplicaAuthor, ...]
    affiliation: str | None
    page_title: str = ""  # the title as shown in the page header (seed quirks)
    article_title: str = ""  # the title as shown in the article's h1
    tags: tuple[str, ...] = ()
    fixed_paragraphs: tuple[str, ...] = ()  # only the seed has its text fixed
    fixed_signature: tuple[str, ...] = ()
    path: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", f"/news/{self.slug}")


@dataclass(frozen=True)
class TopNewsEntry:
    rank: int
    article: ReplicaArticle
    author_display: str | None  # as the block shows it: 'Аққу СӘЛІМБЕК', 'АҚҚУ СӘЛІМБЕК'


@lru_cache(maxsize=1)
def load_seed() -> dict:
    text = resources.files("kazscraper.replica").joinpath("data/seed_article.json")
    return json.loads(text.read_text(encoding="utf-8"))


class ReplicaSite:
    """All articles of one replica, ordered by index; listings ordered by date."""

    def __init__(
        self,
        n_articles: int = 300,
        seed: int = 1,
        broken: int = 0,
        edition: int = 1,
        layout: str = "v1",
    ) -> None:
        """Switches for tests of scheduled crawls, all off by default.

        ``broken`` articles (never the seed or its top news) render without a body;
        from ``edition`` 2 on, every ``EDIT_EVERY``-th article has an edited text;
        ``layout="v2"`` is a redesign the profile does not know (the health check's case).
        Articles are the same for the same seed whatever ``n_articles``: a bigger
        replica is the smaller one plus new articles.
        """
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}")
        self.edition = edition
        self.layout = layout
        if n_articles < MIN_ARTICLES:
            raise ValueError(f"the replica needs at least {MIN_ARTICLES} articles")
        if not 0 <= broken <= n_articles - MIN_ARTICLES:
            raise ValueError(f"broken must be between 0 and {n_articles - MIN_ARTICLES}")
        self.n_articles = n_articles
        self.seed = seed
        self.articles: list[ReplicaArticle] = []
        self._build()
        self.by_slug = {a.slug: a for a in self.articles}
        step = (n_articles - MIN_ARTICLES) // broken if broken else 0
        self.broken_indices = frozenset(MIN_ARTICLES + i * step for i in range(broken))

    @property
    def broken_articles(self) -> list[ReplicaArticle]:
        return [self.articles[i] for i in sorted(self.broken_indices)]

    # -- construction -------------------------------------------------------------------

    def _build(self) -> None:
        seed = load_seed()
        self._add_fixed_articles(seed)
        rng = random.Random(f"replica:{self.seed}")
        used_slugs = {a.slug for a in self.articles}
        for index in range(len(self.articles), self.n_articles):
            self.articles.append(self._generate(index, rng, used_slugs))
        for article in list(self.articles):
            source = self.republished_from(article)
            if source is not None:  # a republication comes a month after the original
                later = source.published + timedelta(days=30)
                self.articles[article.index] = replace(article, published=later)

    def _add_fixed_articles(self, seed: dict) -> None:
        signature = tuple(seed["signature_lines"])
        self.articles.append(
            ReplicaArticle(
                index=SEED_ARTICLE_INDEX,
                slug=seed["slug"],
                title=" ".join(seed["page_title"].split()),
                category=seed["category"],
                published=date.fromisoformat("2025-12-11"),
                views=4120,
                authors=(),  # the seed's authors live in its fixed signature lines
                affiliation=None,
                page_title=seed["page_title"],
                article_title=seed["article_title"],
                fixed_paragraphs=tuple(seed["paragraphs"]),
                fixed_signature=signature,
            )
        )
        rng = random.Random(f"replica-top:{self.seed}")
        for entry in seed["top_news"]:
            authors: tuple[ReplicaAuthor, ...] = ()
            if entry["author"]:
                given, surname = entry["author"].split()
                authors = (ReplicaAuthor(surname=surname.capitalize(), given=given.capitalize()),)
            self.articles.append(
                ReplicaArticle(
                    index=entry["rank"],
                    slug=slugify(entry["title"]),
                    title=entry["title"],
                    category=rng.choice(corpus.CATEGORIES)[0],
                    published=date.fromisoformat(entry["date"]),
                    views=entry["views"],
                    authors=authors,
                    affiliation=None,
                    tags=tuple(rng.sample(corpus.TAGS, 2)),
                )
            )

    def _generate(self, index: int, rng: random.Random, used_slugs: set[str]) -> ReplicaArticle:
        title = make_title(rng)
        slug = slugify(title)
        if slug in used_slugs:
            slug = f"{slug}-{index}"
        used_slugs.add(slug)
        authors = make_authors(rng)
        with_affiliation = bool(authors) and rng.random() < 0.5
        return ReplicaArticle(
            index=index,
            slug=slug,
            title=title,
            category=rng.choice(corpus.CATEGORIES)[0],
            published=date(2023, 1, 1) + timedelta(days=rng.randrange(3 * 365)),
            views=rng.randrange(50, 30000),
            authors=authors,
            affiliation=rng.choice(corpus.AFFILIATIONS) if with_affiliation else None,
            tags=tuple(rng.sample(corpus.TAGS, rng.randrange(0, 4))),
        )

    # -- queries ------------------------------------------------------------------------

    @property
    def seed_article(self) -> ReplicaArticle:
        return self.articles[SEED_ARTICLE_INDEX]

    @cached_property
    def by_date(self) -> list[ReplicaArticle]:
        """Newest first; ties broken by index so the order is stable."""
        return sorted(self.articles, key=lambda a: (a.published, -a.index), reverse=True)

    @cached_property
    def by_category(self) -> dict[str, list[ReplicaArticle]]:
        groups: dict[str, list[ReplicaArticle]] = {slug: [] for slug, _ in corpus.CATEGORIES}
        for article in self.by_date:
            groups[article.category].append(article)
        return groups

    @cached_property
    def top_news(self) -> list[TopNewsEntry]:
        """The site-wide «Топ жаңалықтар» list, exactly as the seed page shows it."""
        return [
            TopNewsEntry(
                rank=e["rank"], article=self.articles[e["rank"]], author_display=e["author"]
            )
            for e in load_seed()["top_news"]
        ]

    def paragraphs(self, article: ReplicaArticle) -> tuple[str, ...]:
        if article.fixed_paragraphs:
            return article.fixed_paragraphs
        source = self.republished_from(article)
        paragraphs = _compose_paragraphs(self.seed, (source or article).index)
        if source is not None:
            paragraphs = (REPUBLISH_LEAD, *paragraphs)
        if self.is_edited(article):
            return (*paragraphs[:-1], f"{paragraphs[-1]} {EDIT_NOTE}")
        return paragraphs

    def republished_from(self, article: ReplicaArticle) -> ReplicaArticle | None:
        """The earlier article whose text this one repeats with a new lead, if any."""
        index = article.index - MIN_ARTICLES - 2
        if index > 0 and index % REPUBLISH_EVERY == 0:
            return self.articles[article.index - 1]
        return None

    def is_edited(self, article: ReplicaArticle) -> bool:
        index = article.index - MIN_ARTICLES
        return self.edition >= 2 and index >= 0 and index % EDIT_EVERY == 0

    @property
    def edited_articles(self) -> list[ReplicaArticle]:
        return [a for a in self.articles if self.is_edited(a)]

    def alias_path(self, article: ReplicaArticle) -> str | None:
        """A second URL serving the same page (canonical pointing to itself), or None."""
        index = article.index - MIN_ARTICLES - 4
        if index >= 0 and index % ALIAS_EVERY == 0:
            return f"{article.path}-{article.index}"
        return None

    def article_at(self, path: str) -> ReplicaArticle | None:
        """The article served at ``path`` (its own path or its alias path)."""
        return self._by_path.get(path.rstrip("/"))

    @cached_property
    def _by_path(self) -> dict[str, ReplicaArticle]:
        paths = {a.path: a for a in self.articles}
        for article in self.articles:
            alias = self.alias_path(article)
            if alias and alias not in paths:
                paths[alias] = article
        return paths

    def similar(self, article: ReplicaArticle) -> list[ReplicaArticle]:
        """Up to four other articles of the same category (none for the seed, as captured)."""
        if article.index == SEED_ARTICLE_INDEX:
            return []
        rng = random.Random(f"similar:{self.seed}:{article.index}")
        pool = self.by_category[article.category]
        picks = rng.sample(pool, min(5, len(pool)))
        return [a for a in picks if a.index != article.index][:4]

    def signature_lines(self, article: ReplicaArticle) -> tuple[str, ...]:
        """The lines at the end of the body: affiliation, one line per author, the date."""
        if article.fixed_signature:
            return article.fixed_signature
        lines: list[str] = []
        if article.affiliation:
            lines.append(article.affiliation)
        for i, author in enumerate(article.authors):
            last = i == len(article.authors) - 1
            rest = " ".join(p for p in (author.given, author.patronymic) if p) + (
                "" if last else ","
            )
            if author.split_line:
                lines += [author.surname.upper(), rest]
            else:
                lines.append(f"{author.surname.upper()} {rest}")
        lines.append(article.published.strftime("%d.%m.%Y"))
        return tuple(lines)

    def expected_record(self, article: ReplicaArticle) -> dict:
        """What a correct extraction of this article's page yields."""
        if article.index == SEED_ARTICLE_INDEX:
            return _seed_expected()
        return {
            "title": article.title,
            "published_date": article.published.isoformat(),
            "authors": [a.name for a in article.authors],
            "affiliation": article.affiliation,
            "body": "\n\n".join(self.paragraphs(article)),
            "category": article.category,
        }


@lru_cache(maxsize=1)
def _seed_expected() -> dict:
    seed = load_seed()
    return {
        "title": " ".join(seed["page_title"].split()),
        "published_date": "2025-12-11",
        "authors": [
            "Ахметова Зауреш Болатхановна",
            "Ахметкалиева Сандыгуль Кусмановна",
            "Бейсенова Мадина Унайбековна",
            "Исаева Айман Амангельдиевна",
            "Мұса Қарлығаш Асылқызы",
        ],
        "affiliation": " ".join(seed["signature_lines"][0].split()),
        "body": "\n\n".join(" ".join(p.split()) for p in seed["paragraphs"]),
        "category": seed["category"],
    }


def make_title(rng: random.Random) -> str:
    template = rng.choice(corpus.TITLE_TEMPLATES)
    return template.format(
        place=rng.choice(corpus.TITLE_PLACES),
        topic=rng.choice(corpus.TITLE_TOPICS),
        ending=rng.choice(corpus.TITLE_ENDINGS),
    )


def make_authors(rng: random.Random) -> tuple[ReplicaAuthor, ...]:
    count = rng.choices((0, 1, 2, 3, 5), weights=(5, 50, 25, 15, 5))[0]
    authors = []
    for _ in range(count):
        female = rng.random() < 0.55
        male_surname, female_surname = rng.choice(corpus.SURNAMES)
        pat = rng.choice(corpus.PATRONYMIC_STEMS)
        style = rng.random()
        if style < 0.25:
            patronymic = None
        elif style < 0.45:
            patronymic = pat[3] if female else pat[2]  # -қызы / -ұлы
        else:
            patronymic = pat[1] if female else pat[0]  # -овна / -ович
        authors.append(
            ReplicaAuthor(
                surname=female_surname if female else male_surname,
                given=rng.choice(corpus.GIVEN_NAMES_F if female else corpus.GIVEN_NAMES_M),
                patronymic=patronymic,
                split_line=rng.random() < 0.1,
            )
        )
    return tuple(authors)


@lru_cache(maxsize=4096)
def _compose_paragraphs(seed: int, index: int) -> tuple[str, ...]:
    rng = random.Random(f"body:{seed}:{index}")
    return tuple(
        " ".join(rng.sample(corpus.SENTENCES, rng.randrange(2, 6)))
        for _ in range(rng.randrange(3, 9))
    )
