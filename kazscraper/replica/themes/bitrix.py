"""A 1C-Bitrix site with the stock news component (news.list / news.detail templates).

Russian at the root, Kazakh under ``/kz/``. Articles at ``/news/<section>/<code>/``;
listings paged with ``?PAGEN_1=N`` (a page past the end shows the last page again, as
Bitrix does); a ``<div class="header">`` (not a ``<header>``) with today's date in
``<span class="header__date">``; the detail's date as ``05.03.2024 14:30`` in
``.news-date-time`` and no date metadata at all; the body (``DETAIL_TEXT``) set with
``<br><br>`` between paragraphs on two articles in three; the author as a «Автор:»
property line (a person, «Редакция», or none); «Читайте также» / «Оқи отырыңыз» under a
``<div class="section-title">`` and «Популярное» / «Көп оқылған» in the sidebar;
``?print=Y`` links disallowed in robots.txt; attachments under ``/upload/iblock/``;
an RSS feed and no sitemap.

``layout="2"`` is the site's own redesigned template (the news.detail component under a
custom site template, as agencies build them): ``h1.page-heading__title``, the body in
``div.news-page__text``, the date in words (``5 марта 2024, 14:30``) in
``span.news-page__date``, the author as links in ``div.news-page__author``, «Читайте
также» as a ``ul.read-also__list`` and «Популярное» as ``div.popular-news`` items.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from typing import ClassVar

from kazscraper.replica.handler import int_param
from kazscraper.replica.themes.base import (
    JPEG,
    PDF,
    RSS,
    TEXT,
    TODAY,
    Response,
    Theme,
    e,
    in_words,
)
from kazscraper.replica.themes.content import SECTIONS, ThemeArticle

WORDS = {
    "ru": {
        "news": "Новости", "pages": "Страницы:", "next": "След.", "prev": "Пред.",
        "author": "Автор:", "print": "Версия для печати", "files": "Прикрепленные файлы",
        "home": "Главная", "all": "Все новости", "about": "О редакции",
    },
    "kk": {
        "news": "Жаңалықтар", "pages": "Беттер:", "next": "Келесі", "prev": "Алдыңғы",
        "author": "Автор:", "print": "Басып шығару нұсқасы", "files": "Тіркелген файлдар",
        "home": "Басты бет", "all": "Барлық жаңалықтар", "about": "Редакция туралы",
    },
}  # fmt: skip

ABOUT = {
    "ru": (
        "Городская общественно-политическая газета. Выходит с 2010 года.",
        "Главный редактор: приемная, тел. +7 (7172) 55-10-20.",
        "Перепечатка материалов разрешена только со ссылкой на сайт.",
    ),
    "kk": (
        "Қалалық қоғамдық-саяси газет. 2010 жылдан бері шығады.",
        "Бас редактор қабылдау бөлмесі: +7 (7172) 55-10-20.",
        "Материалдарды көшіріп басу тек сайтқа сілтеме берілген жағдайда рұқсат етіледі.",
    ),
}


class BitrixTheme(Theme):
    name = "bitrix"
    imitates = "1C-Bitrix with the stock news.list/news.detail templates, Russian with /kz/"
    hard_cases = (
        "a today's-date widget in <div class='header'><span class='header__date'>",
        "no date metadata; '05.03.2024 14:30' in .news-date-time",
        "<br><br> paragraphs in the body",
        "«Автор: Редакция» property lines; posts without an author",
        "?PAGEN_1=N pagination; past the end the last page again",
        "?print=Y links disallowed by robots.txt",
        "block headings in a <div class='section-title'>, not a heading tag",
        "RSS only, no sitemap",
    )
    site_name = "Вестник Астаны"
    labels: ClassVar[dict[str, dict[str, str]]] = {
        "kk": {"similar": "Оқи отырыңыз", "top": "Көп оқылған"},
        "ru": {"similar": "Читайте также", "top": "Популярное"},
    }

    def prefix(self, language: str) -> str:
        return "/kz" if language == "kk" else ""

    def article_path(self, article: ThemeArticle) -> str:
        return f"{self.prefix(article.language)}/news/{article.section}/{article.slug}/"

    def picture(self, article: ThemeArticle, suffix: str = ".jpg") -> str:
        return f"/upload/iblock/{article.number % 997:03x}/{article.slug[:32]}{suffix}"

    def uses_breaks(self, article: ThemeArticle) -> bool:
        return article.index % 3 != 0

    # -- routes -------------------------------------------------------------------------

    def respond(self, origin: str, path: str, query: str) -> Response:
        if path == "/robots.txt":
            rules = (
                "User-agent: *\nDisallow: /bitrix/\nDisallow: /auth/\nDisallow: /personal/\n"
                "Disallow: /search/\nDisallow: /*?print=\nDisallow: /*&print=\n"
                f"Host: {origin}\n"
            )
            return Response(200, TEXT, rules.encode())
        if path.startswith("/upload/"):
            if path.endswith(".pdf"):
                return Response(200, "application/pdf", PDF)
            return Response(200, "image/jpeg", JPEG)
        language = "kk" if path == "/kz/" or path.startswith("/kz/") else "ru"
        rest = path[3:] if language == "kk" else path
        if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
            return Response.redirect(f"{origin}{path}/" + (f"?{query}" if query else ""))
        article = self.by_path.get(path)
        if article is not None:
            printable = "print=Y" in query
            return Response.html(self.article_page(origin, article, printable))
        if rest == "/rss/":
            return Response(200, RSS, self.feed(origin, language).encode())
        if rest == "/":
            return Response.html(self.home(language))
        if rest == "/about/":
            text = "".join(f"<p>{e(line)}</p>" for line in ABOUT[language])
            main = f'<h1 id="pagetitle">{WORDS[language]["about"]}</h1>{text}'
            return Response.html(self.page(language, WORDS[language]["about"], main))
        parts = [p for p in rest.split("/") if p]
        if parts and parts[0] == "news" and len(parts) <= 2 and path.endswith("/"):
            names = dict(SECTIONS[language])
            section = parts[1] if len(parts) == 2 else None
            if section is None or section in names:
                page = int_param(query, "PAGEN_1", 1)
                if page is not None:
                    return Response.html(self.news_list(language, section, page))
        return Response.html(self.not_found(), 404)

    def listing_paths(self) -> list[str]:
        paths = ["/rss/", "/kz/rss/"]
        for language in ("kk", "ru"):
            base = f"{self.prefix(language)}/news/"
            for n in range(1, self.page_count(self.content.latest(language)) + 1):
                paths.append(base + (f"?PAGEN_1={n}" if n > 1 else ""))
        return paths

    # -- markup -------------------------------------------------------------------------

    def page(self, language: str, title: str, main: str, head: str = "") -> str:
        words = WORDS[language]
        prefix = self.prefix(language)
        menu = "".join(
            f'<li><a href="{prefix}/news/{slug}/">{e(name)}</a></li>'
            for slug, name in SECTIONS[language]
        )
        popular = "".join(
            f'<li><a href="{self.article_path(a)}">{e(a.title)}</a>'
            f'<span class="popular__views">{a.views}</span></li>'
            for a in self.top(language)
        )
        sidebar = (
            f'<div class="popular"><h4>{self.labels[language]["top"]}</h4><ul>{popular}</ul></div>'
        )
        if self.layout == "2":
            items = "".join(
                f'<div class="popular-news__item"><a class="popular-news__link" '
                f'href="{self.article_path(a)}">{e(a.title)}</a>'
                f'<span class="popular-news__views">{a.views}</span></div>'
                for a in self.top(language)
            )
            sidebar = (
                '<div class="sidebar-block popular-news"><div class="sidebar-block__title">'
                f"{self.labels[language]['top']}</div>{items}</div>"
            )
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{"kk" if language == "kk" else "ru"}">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />\n'
            f"<title>{e(title)}</title>\n"
            '<meta name="robots" content="index, follow" />\n'
            '<link href="/bitrix/cache/css/s1/main/template_styles.css?1698312345" '
            'type="text/css" rel="stylesheet" />\n'
            '<script type="text/javascript" src="/bitrix/js/main/core/core.js?1698312345">'
            f"</script>\n{head}</head>\n<body>\n"
            '<div id="panel"></div>\n<div class="wrapper">\n'
            '<div class="header"><div class="header__top">'
            f'<span class="header__date">{in_words(TODAY, language)}</span>'
            '<span class="header__weather">Астана −12°</span>'
            '<span class="header__lang"><a href="/">РУС</a> | <a href="/kz/">ҚАЗ</a></span></div>'
            f'<div class="header__logo"><a href="{prefix}/">{e(self.site_name)}</a></div>'
            f'<ul class="top-menu"><li><a href="{prefix}/">{words["home"]}</a></li>'
            f'<li><a href="{prefix}/news/">{words["news"]}</a></li>{menu}'
            f'<li><a href="{prefix}/about/">{words["about"]}</a></li></ul>'
            f'<form action="{prefix}/search/index.php"><input type="text" name="q" /></form>'
            "</div>\n"
            f'<div class="workarea"><div class="content">{main}</div>\n'
            f'<div class="sidebar">{sidebar}'
            '<div class="banner"><a href="/bitrix/rk.php?id=3&amp;goto=https%3A%2F%2Fegov.kz">'
            '<img src="/upload/rk/egov.png" alt="" /></a></div></div></div>\n'
            '<div class="footer"><div class="footer__copy">© 2010–2026 '
            f"{e(self.site_name)}. Все права защищены.</div>"
            '<div class="footer__reg">Свидетельство о постановке на учет СМИ № 10523-Г от '
            "14.09.2010</div>"
            '<div class="footer__counter">Просмотров сегодня: 10 482</div></div>\n'
            "</div>\n</body>\n</html>\n"
        )

    def detail_text(self, article: ThemeArticle) -> str:
        paragraphs = self.content.paragraphs(article)
        if self.uses_breaks(article):
            return "<br>\n<br>\n".join(e(p) for p in paragraphs)
        return "".join(f"<p>{e(p)}</p>" for p in paragraphs)

    def article_page(self, origin: str, article: ThemeArticle, printable: bool) -> str:
        if self.layout == "2" and not printable:
            return self.redesigned_page(origin, article)
        lang = article.language
        words = WORDS[lang]
        path = self.article_path(article)
        author = ""
        if article.account or article.authors:
            names = article.account or ", ".join(article.display_names())
            author = f"{words['author']}&nbsp;{e(names)}<br />"
        files = ""
        if article.attachment:
            files = (
                f'<div class="news-detail-files"><b>{words["files"]}:</b> '
                f'<a href="{self.picture(article, ".pdf")}">{article.slug[:20]}.pdf</a></div>'
            )
        related = "".join(
            f'<p class="news-item"><span class="news-date-time">{o.published:%d.%m.%Y}</span> '
            f'<a href="{self.article_path(o)}"><b>{e(o.title)}</b></a><br /></p>'
            for o in self.similar(article)
        )
        detail = (
            f'<h1 id="pagetitle">{e(article.title)}</h1>'
            '<div class="news-detail">'
            f'<img class="detail_picture" border="0" src="{self.picture(article)}" width="600" '
            f'height="400" alt="{e(article.title)}" title="{e(article.title)}" />'
            f'<span class="news-date-time">{article.published:%d.%m.%Y %H:%M}</span>'
            f"<h3>{e(article.title)}</h3>"
            f"{self.detail_text(article)}"  # DETAIL_TEXT straight in, as the stock template
            '<div style="clear:both"></div><br />'
            f"{author}{files}"
            f'<div class="news-detail-views">{article.views}</div>'
            f'<a class="print-link" href="{path}?print=Y" rel="nofollow">{words["print"]}</a>'
            "</div>"
        )
        if printable:
            return (
                f'<!DOCTYPE html>\n<html><head><meta charset="UTF-8"><title>{e(article.title)}'
                f"</title></head><body>{detail}</body></html>\n"
            )
        main = (
            f'<div class="breadcrumbs"><a href="{self.prefix(lang)}/">{words["home"]}</a> / '
            f'<a href="{self.prefix(lang)}/news/">{words["news"]}</a> / '
            f'<a href="{self.prefix(lang)}/news/{article.section}/">'
            f"{e(dict(SECTIONS[lang])[article.section])}</a></div>{detail}"
            '<div class="news-list related">'
            f'<div class="section-title">{self.labels[lang]["similar"]}</div>{related}</div>'
            f'<p><a href="{self.prefix(lang)}/news/">← {words["all"]}</a></p>'
        )
        head = (
            f'<meta property="og:title" content="{e(article.title)}" />\n'
            '<meta property="og:type" content="article" />\n'
            f'<meta property="og:image" content="{origin}{self.picture(article)}" />\n'
        )
        return self.page(lang, article.title, main, head)

    def redesigned_page(self, origin: str, article: ThemeArticle) -> str:
        """The detail page in layout 2: the site template's own markup around DETAIL_TEXT."""
        lang = article.language
        words = WORDS[lang]
        prefix = self.prefix(lang)
        author = ""
        if article.account or article.authors:
            names = [article.account] if article.account else article.display_names()
            links = ", ".join(
                f'<a href="{prefix}/authors/?name={e(n)}">{e(n)}</a>' for n in names if n
            )
            author = f'<div class="news-page__author">{words["author"]} {links}</div>'
        files = ""
        if article.attachment:
            files = (
                f'<div class="news-page__files"><a href="{self.picture(article, ".pdf")}">'
                f"{words['files']}</a></div>"
            )
        related = "".join(
            f'<li class="read-also__item"><a href="{self.article_path(o)}">{e(o.title)}</a>'
            f'<span class="read-also__date">{o.published:%d.%m.%Y}</span></li>'
            for o in self.similar(article)
        )
        main = (
            '<div class="breadcrumbs-wrap"><ul class="breadcrumbs">'
            f'<li><a href="{prefix}/">{words["home"]}</a></li>'
            f'<li><a href="{prefix}/news/">{words["news"]}</a></li></ul></div>'
            f'<div class="page-heading"><h1 class="page-heading__title">{e(article.title)}</h1>'
            "</div>"
            '<div class="news-page"><div class="news-page__meta">'
            f'<span class="news-page__date">{in_words(article.published, lang, clock=True)}</span>'
            f'<span class="news-page__views">{article.views}</span></div>'
            f'<div class="news-page__image"><img src="{self.picture(article)}" alt="" /></div>'
            f'<div class="news-page__text">{self.detail_text(article)}</div>'
            f"{author}{files}</div>"
            f'<div class="read-also"><div class="read-also__title">{self.labels[lang]["similar"]}'
            f'</div><ul class="read-also__list">{related}</ul></div>'
        )
        head = (
            f'<meta property="og:title" content="{e(article.title)}" />\n'
            '<meta property="og:type" content="article" />\n'
            f'<meta property="og:image" content="{origin}{self.picture(article)}" />\n'
        )
        return self.page(lang, article.title, main, head)

    def news_list(self, language: str, section: str | None, page: int) -> str:
        words = WORDS[language]
        items = self.content.latest(language, section)
        last = self.page_count(items)
        page = min(max(page, 1), last)  # Bitrix shows the last page for any PAGEN past it
        base = f"{self.prefix(language)}/news/" + (f"{section}/" if section else "")
        entries = "".join(
            f'<p class="news-item" id="bx_3218110189_{a.number}">'
            f'<a href="{self.article_path(a)}"><img class="preview_picture" border="0" '
            f'src="{self.picture(a, "_small.jpg")}" width="120" height="80" alt="" /></a>'
            f'<span class="news-date-time">{a.published:%d.%m.%Y}</span>'
            f'<a href="{self.article_path(a)}"><b>{e(a.title)}</b></a><br />'
            f"{e(self.content.paragraphs(a)[0][:160])}"
            '<div style="clear:both"></div></p>'
            for a in self.page_of(items, page)
        )

        def href(n: int) -> str:
            return base if n == 1 else f"{base}?PAGEN_1={n}"

        nav = [f'<span class="modern-page-title">{words["pages"]}</span>']
        if page > 1:
            nav.append(
                f'<a href="{href(page - 1)}" class="modern-page-previous">{words["prev"]}</a>'
            )
        for n in range(1, last + 1):
            if n == page:
                nav.append(f'<span class="modern-page-current">{n}</span>')
            else:
                nav.append(f'<a href="{href(n)}">{n}</a>')
        if page < last:
            nav.append(f'<a href="{href(page + 1)}" class="modern-page-next">{words["next"]}</a>')
        heading = dict(SECTIONS[language]).get(section or "", words["news"])
        main = (
            f'<h1 id="pagetitle">{e(heading)}</h1><div class="news-list">{entries}'
            f'<div class="modern-page-navigation">{" ".join(nav)}</div></div>'
        )
        return self.page(language, heading, main)

    def home(self, language: str) -> str:
        words = WORDS[language]
        latest = "".join(
            f'<div class="main-news__item"><span class="news-date-time">{a.published:%d.%m.%Y}'
            f'</span><a href="{self.article_path(a)}">{e(a.title)}</a></div>'
            for a in self.content.latest(language)[:8]
        )
        main = (
            f'<div class="main-news"><h2>{words["news"]}</h2>{latest}'
            f'<a class="main-news__all" href="{self.prefix(language)}/news/">{words["all"]}</a></div>'
        )
        return self.page(language, self.site_name, main)

    def not_found(self) -> str:
        return self.page(
            "ru", "404", '<h1 id="pagetitle">404 Not Found</h1><p>Страница не найдена.</p>'
        )

    def feed(self, origin: str, language: str) -> str:
        items = "".join(
            f"<item><title>{e(a.title)}</title><link>{origin}{self.article_path(a)}</link>"
            f"<description>{e(self.content.paragraphs(a)[0][:160])}</description>"
            f"<pubDate>{format_datetime(a.published.astimezone(UTC))}</pubDate></item>"
            for a in self.content.latest(language)[:20]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{e(self.site_name)}</title><link>{origin}{self.prefix(language)}/</link>"
            f"{items}</channel></rss>\n"
        )
