"""The themed sites' content: one deterministic set of articles per theme, and its truth.

Every theme dresses the same kind of content: ``ThemeContent(name, n_articles, seed)``
decides each article's language (Kazakh or Russian), section, title, slug, publication
and update time (local time, offset +05:00), authors (people), the site account shown
instead of a person on some posts, tags, views, whether it is a short two-paragraph item
and whether it carries an attachment. Kazakh text comes from the qazdauiri replica's
corpus (``kazscraper.replica.corpus``, the same title and name generators); Russian text
from the small corpus below. Bodies are composed lazily, per article, from a seeded RNG:
the same (name, n_articles, seed) always gives the same site, and a bigger site is the
smaller one plus new articles.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from functools import cached_property, lru_cache

from kazscraper.replica import corpus
from kazscraper.replica.site import ReplicaAuthor, make_authors, make_title, slugify

OFFSET = timezone(timedelta(hours=5))  # Asia/Almaty since 1 March 2024
FIRST_DAY = datetime(2024, 3, 1, tzinfo=OFFSET)
SPAN_DAYS = 1000
SHORT_EVERY = 9  # articles 4+k*9 are two short paragraphs (under 1,000 characters)
ATTACH_EVERY = 8  # articles 3+k*8 carry an attachment (a PDF) and a linked photo
SIMILAR = 4  # links in a similar-news block
TOP = 5  # links in a most-read block
LANGUAGES = ("kk", "ru")

SECTIONS = {
    "kk": (
        ("sayasat", "Саясат"),
        ("qogam", "Қоғам"),
        ("ekonomika", "Экономика"),
        ("sport", "Спорт"),
    ),
    "ru": (("politika", "Политика"), ("obshchestvo", "Общество"), ("ekonomika", "Экономика")),
}
TAGS = {
    "kk": (
        *corpus.TAGS[:20],
        "Ауыл шаруашылығы техникасы",
        "Жасыл энергетика жобалары",
        "Шағын және орта бизнес",
    ),
    "ru": (
        "Экология", "Образование", "Каспий", "Энергетика", "Наука", "Здоровье", "Спорт",
        "Культура", "Инвестиции", "Туризм", "Молодежь", "Сельское хозяйство",
        "Малый и средний бизнес", "Зеленая энергетика страны", "Цифровизация",
    ),
}  # fmt: skip
ACCOUNTS = ("Редакция", "Admin", "admin")  # site accounts shown as authors: not people

RU_PLACES = (
    "В Алматы", "В Астане", "В Шымкенте", "В Актобе", "В Караганде", "В Атырау", "В Актау",
    "В Павлодаре", "В Семее", "В Усть-Каменогорске", "В Таразе", "В Кызылорде", "В Туркестане",
    "В Уральске", "В Костанае", "В Петропавловске", "В Кокшетау", "В регионе",
)  # fmt: skip
RU_ACTIONS = (
    "обсудили", "представили", "запустили", "одобрили", "утвердили", "раскритиковали",
    "пересмотрели", "продлили", "расширили", "подвели итоги проекта:", "отложили",
)  # fmt: skip
RU_TOPICS = (
    "проект новой школы", "программу цифрового образования", "план снижения пробок",
    "проект городского парка", "систему экологического мониторинга", "меры поддержки бизнеса",
    "ремонт дорог", "сельскохозяйственную выставку", "модернизацию библиотек",
    "строительство спорткомплекса", "реформу здравоохранения", "жилищную программу",
    "план развития туризма", "проект энергосбережения", "новый автобусный маршрут",
    "обновление теплосетей", "форум по кибербезопасности", "фестиваль национальных игр",
    "строительство водопровода", "проект зеленой энергетики", "завод по переработке отходов",
)  # fmt: skip
RU_SENTENCES = (
    "В этом году акимат города выделил дополнительные средства на обновление общественного транспорта.",
    "Местные жители уверены, что новый проект положительно скажется на жизни села.",
    "По мнению экспертов, экономический потенциал региона пока используется не полностью.",
    "Специалисты предложили уделить особое внимание рациональному использованию водных ресурсов.",
    "Уровень Каспийского моря в последние годы заметно снизился, что тревожит экологов.",
    "Вузы Алматы расширяют совместные программы с международными партнерами.",
    "На совещании в Астане представители министерств рассказали о планах на следующий год.",
    "В Шымкенте активно идет строительство новых жилых комплексов.",
    "В Актюбинской области выросло число предприятий по переработке сельхозпродукции.",
    "Ученые Караганды изучают экологические последствия угольной промышленности.",
    "Студенты проходят летнюю практику на предприятиях регионов.",
    "Связь науки и производства остается одним из главных требований времени.",
    "В рамках проекта в отдаленные села проведут высокоскоростной интернет.",
    "Глава государства ранее дал конкретные поручения по равномерному развитию регионов.",
    "По данным министерства, материально-техническая база школ в этом году заметно улучшилась.",
    "Горожане приняли активное участие в озеленении и высадили сотни деревьев.",
    "Областное управление культуры объявило конкурс для поддержки молодых талантов.",
    "Наши спортсмены достойно защищают честь страны на международных соревнованиях.",
    "В ходе встречи стороны обсудили пути углубления сотрудничества.",
    "Специалисты заверили, что будут регулярно следить за выполнением плана.",
    "Новая программа позволит представителям малого и среднего бизнеса получить льготные кредиты.",
    "За последние пять лет объем инвестиций в регион вырос почти вдвое.",
    "В сельских школах открылись современные лаборатории, и интерес учеников к науке вырос.",
    "Экологи предупредили, что для защиты рек от загрязнения нужен строгий контроль.",
    "Работы по восстановлению исторических памятников планируется завершить в следующем году.",
    "Интерес молодежи к предпринимательству растет с каждым годом.",
    "В здравоохранении продолжается внедрение цифровых технологий.",
    "С ростом числа туристов растут и требования к качеству местного сервиса.",
    "По итогам заседания подготовлены конкретные предложения и направлены в профильные ведомства.",
    "Библиотеки предлагают читателям пользоваться электронным фондом.",
    "Модернизация дорожной инфраструктуры региона заметно сократила время в пути.",
    "Из-за переменчивой погоды фермеры начали посевные работы с опозданием.",
    "Участники выставки познакомились с новой продукцией отечественных производителей.",
    "Эксперты считают, что результаты реформ в энергетике станут заметны через несколько лет.",
    "Новый спорткомплекс даст детям и подросткам возможность заниматься бесплатно.",
    "Аким города поручил решить вопросы, поднятые на встрече с жителями.",
    "Внедрение раздельного сбора отходов поможет улучшить экологическую обстановку в городе.",
    "Волонтеры провели благотворительную акцию в доме престарелых.",
    "С начала года в регионе зарегистрировано более ста новых предприятий.",
    "Модернизация вокзала повысила качество обслуживания пассажиров.",
)  # fmt: skip


@dataclass(frozen=True)
class ThemeArticle:
    """One article of a themed site: everything a correct archive must hold about it."""

    index: int
    language: str  # "kk" or "ru"
    section: str  # section slug
    title: str
    slug: str
    published: datetime  # local time, offset +05:00
    updated: datetime
    authors: tuple[ReplicaAuthor, ...]  # people only
    account: str | None  # a site account shown as the author ('Редакция', 'Admin') or None
    tags: tuple[str, ...]
    views: int
    short: bool
    attachment: bool
    number: int = field(default=0)  # the CMS's numeric id (Drupal node, Bitrix element)

    @property
    def person_names(self) -> list[str]:
        """The authors as the archive should store them (surname first, normal case)."""
        return [a.name for a in self.authors]

    def display_names(self) -> list[str]:
        """The authors as a byline shows them: given name first."""
        return [" ".join(p for p in (a.given, a.surname) if p) for a in self.authors]


class ThemeContent:
    """The articles of one themed site, in index order, with listings by date."""

    def __init__(self, name: str, n_articles: int = 120, seed: int = 1) -> None:
        if n_articles < 2 * (TOP + SIMILAR):
            raise ValueError(f"a themed site needs at least {2 * (TOP + SIMILAR)} articles")
        self.name = name
        self.n_articles = n_articles
        self.seed = seed
        rng = random.Random(f"theme:{name}:{seed}")
        used: set[str] = set()
        self.articles = [self._generate(i, rng, used) for i in range(n_articles)]

    def _generate(self, index: int, rng: random.Random, used: set[str]) -> ThemeArticle:
        language = "ru" if index % 3 == 2 else "kk"  # a third of the site in Russian
        if language == "kk":
            title = make_title(rng)
        else:
            title = f"{rng.choice(RU_PLACES)} {rng.choice(RU_ACTIONS)} {rng.choice(RU_TOPICS)}"
        slug = slugify(title)
        if slug in used:
            slug = f"{slug}-{index}"
        used.add(slug)
        # bylines show given name and surname only: no patronymic to expect
        people = tuple(replace(a, patronymic=None, split_line=False) for a in make_authors(rng)[:2])
        account = None
        roll = rng.random()
        if roll < 0.12:  # the newsroom's account instead of a person
            people, account = (), rng.choice(ACCOUNTS)
        elif roll < 0.2:  # nobody named at all
            people = ()
        # one post in six at night: after midnight local time is still the day before in UTC
        hour = rng.choice((22, 23, 0, 1, 3)) if rng.random() < 0.17 else rng.randrange(7, 22)
        day = FIRST_DAY + timedelta(days=rng.randrange(SPAN_DAYS))
        published = day.replace(hour=hour, minute=rng.randrange(60))
        updated = published + timedelta(hours=rng.choice((0, 0, 1, 5, 30, 80)), minutes=7)
        sections = SECTIONS[language]
        return ThemeArticle(
            index=index,
            language=language,
            section=sections[rng.randrange(len(sections))][0],
            title=title,
            slug=slug,
            published=published,
            updated=updated,
            authors=people,
            account=account,
            tags=tuple(rng.sample(TAGS[language], rng.randrange(0, 4))),
            views=rng.randrange(40, 25000),
            short=index % SHORT_EVERY == 4,
            attachment=index % ATTACH_EVERY == 3,
            number=1000 + index * 7,
        )

    # -- queries ------------------------------------------------------------------------

    @cached_property
    def by_date(self) -> list[ThemeArticle]:
        """Newest first (ties broken by index)."""
        return sorted(self.articles, key=lambda a: (a.published, -a.index), reverse=True)

    def latest(self, language: str | None = None, section: str | None = None) -> list[ThemeArticle]:
        return [
            a
            for a in self.by_date
            if (language is None or a.language == language)
            and (section is None or a.section == section)
        ]

    def tagged(self, language: str, tag: str) -> list[ThemeArticle]:
        return [a for a in self.by_date if a.language == language and tag in a.tags]

    def tag_slugs(self, language: str) -> dict[str, str]:
        return {slugify(t): t for t in TAGS[language]}

    def article_tag_slugs(self, article: ThemeArticle) -> dict[str, str]:
        """``tag_slugs`` of the article's language, only the article's tags (site order)."""
        return {
            slug: tag
            for slug, tag in self.tag_slugs(article.language).items()
            if tag in article.tags
        }

    def top(self, language: str) -> list[ThemeArticle]:
        """The site's most-read list for one language: the TOP most viewed articles."""
        pool = [a for a in self.articles if a.language == language]
        return sorted(pool, key=lambda a: (-a.views, a.index))[:TOP]

    def similar(self, article: ThemeArticle) -> list[ThemeArticle]:
        """SIMILAR other articles of the same language (same section first)."""
        rng = random.Random(f"similar:{self.name}:{self.seed}:{article.index}")
        same = [
            a
            for a in self.articles
            if a.language == article.language and a.section == article.section and a is not article
        ]
        others = [a for a in self.articles if a.language == article.language and a is not article]
        picks = rng.sample(same, min(SIMILAR, len(same)))
        while len(picks) < SIMILAR:
            extra = rng.choice(others)
            if extra not in picks:
                picks.append(extra)
        return picks

    def paragraphs(self, article: ThemeArticle) -> tuple[str, ...]:
        return _paragraphs(self.name, self.seed, article.index, article.language, article.short)

    def body(self, article: ThemeArticle) -> str:
        return "\n\n".join(self.paragraphs(article))


@lru_cache(maxsize=4096)
def _paragraphs(name: str, seed: int, index: int, language: str, short: bool) -> tuple[str, ...]:
    rng = random.Random(f"body:{name}:{seed}:{index}")
    sentences = corpus.SENTENCES if language == "kk" else RU_SENTENCES
    if short:
        return tuple(" ".join(rng.sample(sentences, rng.randrange(1, 3))) for _ in range(2))
    return tuple(
        " ".join(rng.sample(sentences, rng.randrange(2, 5))) for _ in range(rng.randrange(3, 8))
    )
