"""A hand-made Laravel/Yii-style news site: no CMS conventions, no metadata, no sitemap.

Kazakh under ``/kk`` (``<html lang="kz">``, the code Kazakh sites often write), Russian
under ``/ru``. Articles at ``/kk/news/<id>-<slug>``; a link with a trailing slash gets a
301 to the URL without it (Laravel's rule) and the home page writes half its links so.
Listings, categories and tag pages (``/kk/tag/<three-word-slug>``) have a "load more"
link ``?page=N+1`` that is there on every page, past the last one too (an empty list);
dates only in words in the page («5 наурыз 2024, 14:30»), a «Бүгін» date in the top
line; authors as a link to ``/kk/author/<id>``, «Редакция» on some posts, none on others;
the similar block under «Тақырыпқа қатысты» / «Похожие новости», the most-read block
under a heading no list knows («Оқырман таңдауы» / «Выбор читателей»: a heading and five
article links with view counts) beside a "news feed" teaser list that is neither; rules
and about pages; no sitemap, no feed.

``layout="2"`` is the site rewritten with utility-class markup (a Nuxt/Tailwind-style
front end): ``h1.post-heading``, the body in ``div.post-body``, the date as digits
(``05.03.2024 14:30``) in ``time.post-info__time``, the authors as
``a.post-authors__link`` above the body, the similar block as ``ul.related-news__list``
and «Оқырман таңдауы» as an ``ol.widget__list``.
"""

from __future__ import annotations

from typing import ClassVar

from kazscraper.replica.handler import int_param
from kazscraper.replica.themes.base import (
    JPEG,
    PDF,
    TEXT,
    TODAY,
    Response,
    Theme,
    e,
    in_words,
)
from kazscraper.replica.themes.content import ACCOUNTS, SECTIONS, ThemeArticle

WORDS = {
    "kk": {
        "more": "Тағы жүктеу", "today": "Бүгін", "feed": "Жаңалықтар легі", "home": "Басты",
        "rules": "Сайт ережелері", "about": "Біз туралы", "empty": "Басқа жаңалық жоқ",
    },
    "ru": {
        "more": "Загрузить еще", "today": "Сегодня", "feed": "Лента новостей", "home": "Главная",
        "rules": "Правила сайта", "about": "О нас", "empty": "Больше новостей нет",
    },
}  # fmt: skip
RULES = (
    "Сайт материалдарын пайдаланған кезде гиперсілтеме міндетті.",
    "Пікірлерде балағат сөздер мен жала жабуға тыйым салынады.",
    "Редакция авторлардың пікірімен келіспеуі мүмкін.",
    "Жарнамалық материалдардың мазмұнына жарнама беруші жауап береді.",
    "Сайтқа тіркелу арқылы сіз осы ережелермен келісесіз.",
) * 3


class HandmadeTheme(Theme):
    name = "handmade"
    imitates = "a hand-made Laravel/Yii news site, /kk (lang='kz') and /ru, no metadata"
    hard_cases = (
        "'load more' ?page=N links present past the last page (an endless chain)",
        "tag pages with three-word slugs and their own ?page=N",
        "trailing-slash links answered with 301",
        "no metadata: dates only in words, a 'today' date in the top line",
        "<html lang='kz'>",
        "a most-read block under an unknown heading (structure only)",
        "a news-feed teaser list in the sidebar that is no block",
        "rules/about pages",
    )
    site_name = "Жас өркен"
    labels: ClassVar[dict[str, dict[str, str]]] = {
        "kk": {"similar": "Тақырыпқа қатысты", "top": "Оқырман таңдауы"},
        "ru": {"similar": "Похожие новости", "top": "Выбор читателей"},
    }

    def article_path(self, article: ThemeArticle) -> str:
        return f"/{article.language}/news/{article.number}-{article.slug}"

    def author_id(self, article: ThemeArticle) -> int:
        if article.account:
            return 1
        first = article.authors[0]
        return 100 + sum(map(ord, first.given + first.surname)) % 900

    # -- routes -------------------------------------------------------------------------

    def respond(self, origin: str, path: str, query: str) -> Response:
        if path == "/robots.txt":
            return Response(200, TEXT, b"User-agent: *\nDisallow: /admin\nDisallow: /search\n")
        if path.startswith("/storage/"):
            if path.endswith(".pdf"):
                return Response(200, "application/pdf", PDF)
            return Response(200, "image/jpeg", JPEG)
        if path == "/":
            path = "/kk"
        if path.endswith("/"):
            return Response.redirect(origin + path.rstrip("/") + (f"?{query}" if query else ""))
        parts = path.strip("/").split("/")
        language = parts[0]
        if language not in ("kk", "ru"):
            return Response.html(self.not_found(), 404)
        article = self.by_path.get(path)
        if article is not None:
            return Response.html(self.article_page(article))
        if len(parts) == 3 and parts[1] == "page" and parts[2] in ("rules", "about"):
            return Response.html(self.text_page(language, parts[2]))
        page = int_param(query, "page", 1)
        listing = self.listing(language, parts[1:])
        if listing is None or page is None or page < 1:
            return Response.html(self.not_found(), 404)
        heading, items, base = listing
        return Response.html(self.list_page(language, heading, items, base, page))

    def listing(
        self, language: str, parts: list[str]
    ) -> tuple[str, list[ThemeArticle], str] | None:
        content = self.content
        if not parts:
            return WORDS[language]["home"], content.latest(language), f"/{language}/news"
        if parts == ["news"]:
            return WORDS[language]["feed"], content.latest(language), f"/{language}/news"
        if len(parts) == 2 and parts[0] == "category" and parts[1] in dict(SECTIONS[language]):
            items = content.latest(language, parts[1])
            return dict(SECTIONS[language])[parts[1]], items, f"/{language}/category/{parts[1]}"
        if len(parts) == 2 and parts[0] == "tag":
            tag = content.tag_slugs(language).get(parts[1])
            if tag:
                return tag, content.tagged(language, tag), f"/{language}/tag/{parts[1]}"
        if len(parts) == 2 and parts[0] == "author" and parts[1].isdigit():
            items = [
                a
                for a in content.latest(language)
                if (a.account or a.authors) and self.author_id(a) == int(parts[1])
            ]
            if items:
                return (
                    items[0].account or items[0].display_names()[0],
                    items,
                    f"/{language}/author/{parts[1]}",
                )
        return None

    def listing_paths(self) -> list[str]:
        paths = []
        for language in ("kk", "ru"):
            for n in range(1, self.page_count(self.content.latest(language)) + 1):
                paths.append(f"/{language}/news?page={n}")
        return paths

    # -- markup -------------------------------------------------------------------------

    def page(self, language: str, title: str, main: str, aside: bool = True) -> str:
        words = WORDS[language]
        menu = "".join(
            f'<a class="nav__link" href="/{language}/category/{slug}">{e(name)}</a>'
            for slug, name in SECTIONS[language]
        )
        side = ""
        if aside:
            top = "".join(
                f'<a class="box__item" href="{self.article_path(a)}"><span class="box__text">'
                f'{e(a.title)}</span><span class="box__views">{a.views}</span></a>'
                for a in self.top(language)
            )
            popular = (
                '<section class="box box--popular">'
                f'<h3 class="box__title">{self.labels[language]["top"]}</h3>'
                f'<div class="box__list">{top}</div></section>'
            )
            if self.layout == "2":
                items = "".join(
                    f'<li class="widget__row"><a href="{self.article_path(a)}">{e(a.title)}</a>'
                    f'<span class="widget__views">{a.views}</span></li>'
                    for a in self.top(language)
                )
                popular = (
                    '<section class="widget widget--choice"><h3 class="widget__heading">'
                    f'{self.labels[language]["top"]}</h3><ol class="widget__list">{items}</ol>'
                    "</section>"
                )
            feed = "".join(
                f'<div class="feed__item"><span class="feed__time">{a.published:%H:%M}</span>'
                f'<a href="{self.article_path(a)}">{e(a.title)}</a></div>'
                for a in self.content.latest(language)[:8]
            )
            side = (
                f'<aside class="col-md-4">{popular}'
                f'<section class="feed"><h3 class="feed__title">{words["feed"]}</h3>{feed}'
                "</section></aside>"
            )
        return (
            f'<!DOCTYPE html>\n<html lang="{"kz" if language == "kk" else "ru"}">\n<head>\n'
            '<meta charset="utf-8">\n<meta name="csrf-token" content="x7GkQ2pLr9">\n'
            f"<title>{e(title)}</title>\n"
            '<link href="/css/app.css?id=8f2e1c" rel="stylesheet">\n</head>\n<body>\n'
            '<div class="topline"><div class="container">'
            f'<span class="topline__date">{words["today"]}: {in_words(TODAY, language)}</span>'
            '<span class="topline__currency">USD 512.40 · EUR 548.10</span>'
            '<a href="/kk">ҚАЗ</a> <a href="/ru">РУС</a></div></div>\n'
            f'<div class="navbar"><div class="container"><a class="navbar__logo" href="/{language}">'
            f'{e(self.site_name)}</a><nav class="nav">{menu}</nav></div></div>\n'
            f'<div class="container"><div class="row"><div class="col-md-8">{main}</div>{side}'
            "</div></div>\n"
            '<div class="bottom"><div class="container">'
            f'<a href="/{language}/page/rules">{words["rules"]}</a> · '
            f'<a href="/{language}/page/about">{words["about"]}</a>'
            f"<p>© 2019–2026 «{e(self.site_name)}» жастар газеті</p>"
            "<p>Куәлік № 17204-Г, 11.02.2019</p></div></div>\n"
            '<script src="/js/app.js?id=3c9d0a"></script>\n</body>\n</html>\n'
        )

    def article_page(self, article: ThemeArticle) -> str:
        if self.layout == "2":
            return self.rewritten_page(article)
        lang = article.language
        author = ""
        if article.account or article.authors:
            names = [article.account] if article.account else article.display_names()
            author = (
                '<div class="article__author">'
                + ", ".join(
                    f'<a href="/{lang}/author/{self.author_id(article)}">{e(n)}</a>' for n in names
                )
                + "</div>"
            )
        body = "".join(f"<p>{e(p)}</p>" for p in self.content.paragraphs(article))
        photo = f"/storage/images/{article.published:%Y/%m}/{article.number}.jpg"
        files = ""
        if article.attachment:
            files = (
                f'<div class="article__files"><a href="/storage/files/{article.number}.pdf">'
                "PDF</a></div>"
            )
        tags = "".join(
            f'<a class="tag" href="/{lang}/tag/{t_slug}">#{e(t)}</a>'
            for t_slug, t in self.content.article_tag_slugs(article).items()
        )
        similar = "".join(
            f'<div class="card"><a href="{self.article_path(o)}"><img src="/storage/images/'
            f'{o.published:%Y/%m}/{o.number}_thumb.jpg" alt=""><div class="card__title">'
            f'{e(o.title)}</div></a><div class="card__date">{in_words(o.published, lang)}</div></div>'
            for o in self.similar(article)
        )
        main = (
            '<div class="article">'
            f'<a class="article__cat" href="/{lang}/category/{article.section}">'
            f"{e(dict(SECTIONS[lang])[article.section])}</a>"
            f'<h1 class="article__title">{e(article.title)}</h1>'
            '<div class="article__meta">'
            f'<span class="article__date">{in_words(article.published, lang, clock=True)}</span>'
            f'<span class="article__views">{article.views}</span></div>'
            f'<img class="article__img" src="{photo}" alt="">'
            f'<div class="article__text">{body}</div>{author}{files}'
            f'<div class="article__tags">{tags}</div></div>'
            '<div class="similar"><h2 class="similar__title">'
            f'{self.labels[lang]["similar"]}</h2><div class="similar__grid">{similar}</div></div>'
        )
        return self.page(lang, f"{article.title} | {self.site_name}", main)

    def rewritten_page(self, article: ThemeArticle) -> str:
        """The article in layout 2: the rewritten front end's markup."""
        lang = article.language
        authors = ""
        if article.account or article.authors:
            names = [article.account] if article.account else article.display_names()
            authors = (
                '<div class="post-authors flex gap-2">'
                + "".join(
                    f'<a class="post-authors__link" href="/{lang}/authors/'
                    f'{self.author_id(article)}">{e(n)}</a>'
                    for n in names
                )
                + "</div>"
            )
        body = "".join(f"<p>{e(p)}</p>" for p in self.content.paragraphs(article))
        files = ""
        if article.attachment:
            files = f'<a class="post-file" href="/storage/files/{article.number}.pdf">PDF</a>'
        tags = "".join(
            f'<a class="chip" href="/{lang}/tag/{t_slug}">{e(t)}</a>'
            for t_slug, t in self.content.article_tag_slugs(article).items()
        )
        related = "".join(
            f'<li class="related-news__item"><a href="{self.article_path(o)}">{e(o.title)}</a>'
            f'<time class="related-news__time">{o.published:%d.%m.%Y}</time></li>'
            for o in self.similar(article)
        )
        main = (
            '<article class="post mx-auto max-w-3xl">'
            f'<nav class="post-crumbs"><a href="/{lang}/category/{article.section}">'
            f"{e(dict(SECTIONS[lang])[article.section])}</a></nav>"
            f'<h1 class="post-heading text-3xl font-bold">{e(article.title)}</h1>'
            '<div class="post-info flex text-sm"><time class="post-info__time" datetime="'
            f'{article.published.isoformat()}">{article.published:%d.%m.%Y %H:%M}</time>'
            f'<span class="post-info__views">{article.views}</span></div>'
            f'<figure class="post-cover"><img src="/storage/images/{article.published:%Y/%m}/'
            f'{article.number}.jpg" alt=""></figure>{authors}'
            f'<div class="post-body prose">{body}</div>{files}'
            f'<div class="post-chips">{tags}</div></article>'
            '<section class="related-news"><h2 class="related-news__heading">'
            f'{self.labels[lang]["similar"]}</h2><ul class="related-news__list">{related}</ul>'
            "</section>"
        )
        return self.page(lang, f"{article.title} | {self.site_name}", main)

    def list_page(
        self, language: str, heading: str, items: list[ThemeArticle], base: str, page: int
    ) -> str:
        words = WORDS[language]
        cards = "".join(
            (
                f'<div class="news-card"><a href="{self.article_path(a)}'
                # the front page writes every other link with a trailing slash
                f'{"/" if base.endswith("/news") and heading == words["home"] and i % 2 else ""}">'
                f'<div class="news-card__title">{e(a.title)}</div></a>'
                f'<div class="news-card__date">{in_words(a.published, language, clock=True)}</div></div>'
            )
            for i, a in enumerate(self.page_of(items, page))
        )
        if not cards:
            cards = f'<p class="news-empty">{words["empty"]}</p>'
        more = (
            f'<a class="btn btn-load-more" href="{base}?page={page + 1}" data-page="{page + 1}">'
            f"{words['more']}</a>"
        )
        main = f'<h1 class="page-title">{e(heading)}</h1><div class="news-list">{cards}</div>{more}'
        return self.page(language, f"{heading} | {self.site_name}", main)

    def text_page(self, language: str, which: str) -> str:
        title = WORDS[language][which]
        lines = RULES if which == "rules" else RULES[:3]
        text = "".join(f"<p>{i + 1}. {e(line)}</p>" for i, line in enumerate(lines))
        if which == "about":
            text = f"<p>«{e(self.site_name)}» – {e(ACCOUNTS[0])} жастар газеті.</p>" + text
        return self.page(
            language, title, f'<h1 class="page-title">{e(title)}</h1>{text}', aside=False
        )

    def not_found(self) -> str:
        return self.page(
            "kk", "404", '<h1 class="page-title">404</h1><p>Бет табылмады</p>', aside=False
        )
