"""A Drupal 10 site (Olivero-like markup, pathauto aliases, Views blocks, simple_sitemap).

Kazakh under ``/kk``, Russian under ``/ru`` (``/`` is the Kazakh front page). Articles at
``/kk/news/<slug>`` (no trailing slash), also answered at ``/kk/node/<nid>`` (the teasers'
"read more" links) with a canonical link to the alias; listings and term pages with
Drupal's 0-based ``?page=N`` pager written as query-only links (``href="?page=1"``); the
"submitted by" line names the site account (``admin``) and holds ``<time datetime>`` in
UTC, while the people are in a ``field--name-field-author`` (a person, «Редакция», or
absent); similar-news and most-read Views blocks titled in Kazakh Latin and English
(«Taqyrypqa qatysty», "Related", "Most read"); a "today" block in the header region;
``/user/1`` answers 403; a sitemap index ``/sitemap.xml`` of ``?page=N`` chunks.

``layout="2"`` is the site moved to a Bootstrap Barrio sub-theme with custom node and field
templates: ``h1.node-title`` inside the article, the body in ``div.article-body``, the date
as ``<time>`` with the local time and the day in words in ``span.node__date``, the people
as links in ``div.node__byline``, the related view as a card grid
(``div.related-card``) and most-read as ``ul.most-read-list``.
"""

from __future__ import annotations

from datetime import UTC
from hashlib import md5
from typing import ClassVar

from kazscraper.replica.handler import int_param
from kazscraper.replica.themes.base import (
    JPEG,
    PDF,
    TEXT,
    TODAY,
    XML,
    Response,
    Theme,
    e,
    in_words,
)
from kazscraper.replica.themes.content import SECTIONS, TAGS, ThemeArticle

SITEMAP_CHUNK = 50
WORDS = {
    "kk": {
        "home": "Басты бет", "submitted": "Жариялаған", "author": "Автор", "tags": "Тегтер",
        "more": "Толығырақ", "latest": "Соңғы жаңалықтар", "files": "Файлдар",
        "skip": "Негізгі мазмұнға өту", "today": "Бүгін",
    },
    "ru": {
        "home": "Главная", "submitted": "Опубликовано", "author": "Автор", "tags": "Теги",
        "more": "Подробнее", "latest": "Последние новости", "files": "Файлы",
        "skip": "Перейти к основному содержанию", "today": "Сегодня",
    },
}  # fmt: skip
ROBOTS = """User-agent: *
Disallow: /core/
Disallow: /profiles/
Disallow: /admin/
Disallow: /comment/reply/
Disallow: /filter/tips
Disallow: /node/add/
Disallow: /search/
Disallow: /user/register
Disallow: /user/password
Disallow: /user/login
Disallow: /user/logout
Disallow: /index.php/
Disallow: /?q=admin/
"""


class DrupalTheme(Theme):
    name = "drupal"
    imitates = "Drupal 10 with pathauto, Views blocks and simple_sitemap, /kk and /ru"
    hard_cases = (
        "/kk/node/<nid> duplicates of /kk/news/<slug> (canonical to the alias)",
        "query-only pager links (href='?page=1'), 0-based",
        "'submitted by admin' with <time datetime> in UTC; people in field_author",
        "block titles in Kazakh Latin and English (Taqyrypqa qatysty, Related, Most read)",
        "a 'today' block in the header region",
        "/user/1 answers 403",
        "sitemap index of ?page=N chunks",
    )
    site_name = "Aqparat"
    labels: ClassVar[dict[str, dict[str, str]]] = {
        "kk": {"similar": "Taqyrypqa qatysty", "top": "Most read"},
        "ru": {"similar": "Related", "top": "Most read"},
    }

    def __init__(self, n_articles: int = 120, seed: int = 1, layout: str = "1") -> None:
        super().__init__(n_articles, seed, layout)
        self.by_node = {a.number: a for a in self.content.articles}
        self.terms = {
            (lang, tag): 10 + i + (100 if lang == "ru" else 0)
            for lang in ("kk", "ru")
            for i, tag in enumerate(TAGS[lang])
        }
        self.term_by_id = {tid: key for key, tid in self.terms.items()}

    def article_path(self, article: ThemeArticle) -> str:
        return f"/{article.language}/news/{article.slug}"

    def image(self, article: ThemeArticle, style: str | None = "large") -> str:
        month = f"{article.published:%Y-%m}"
        name = f"{article.slug[:30]}.jpg"
        if style is None:
            return f"/sites/default/files/{month}/{name}"
        token = md5(f"{style}{name}".encode()).hexdigest()[:8]  # not security: an image token
        return f"/sites/default/files/styles/{style}/public/{month}/{name}?itok={token}"

    # -- routes -------------------------------------------------------------------------

    def respond(self, origin: str, path: str, query: str) -> Response:
        if path == "/robots.txt":
            return Response(200, TEXT, f"{ROBOTS}\nSitemap: {origin}/sitemap.xml\n".encode())
        if path == "/sitemap.xml":
            return self.sitemap(origin, query)
        if path.startswith("/sites/default/files/"):
            if path.endswith(".pdf"):
                return Response(200, "application/pdf", PDF)
            return Response(200, "image/jpeg", JPEG)
        if path.startswith("/user/"):
            return Response.html(self.page(origin, "kk", "Access denied", "<h1>403</h1>"), 403)
        if path == "/":
            path = "/kk"
        if path.endswith("/") and len(path) > 1:  # the redirect module's rule
            return Response.redirect(origin + path.rstrip("/") + (f"?{query}" if query else ""))
        article = self.by_path.get(path)
        parts = path.strip("/").split("/")
        language = parts[0]
        if language not in ("kk", "ru"):
            return Response.html(self.not_found(origin), 404)
        if article is None and len(parts) == 3 and parts[1] == "node" and parts[2].isdigit():
            node = self.by_node.get(int(parts[2]))
            if node is not None and node.language == language:
                article = node
        if article is not None:
            return Response.html(self.article_page(origin, article))
        page = int_param(query, "page", 0)
        if page is None or page < 0:
            return Response.html(self.not_found(origin), 404)
        listing = self.listing(language, parts[1:])
        if listing is None:
            return Response.html(self.not_found(origin), 404)
        heading, items = listing
        return Response.html(self.view_page(origin, language, heading, items, page))

    def listing(self, language: str, parts: list[str]) -> tuple[str, list[ThemeArticle]] | None:
        content = self.content
        if not parts or parts == ["news"]:
            return WORDS[language]["latest"], content.latest(language)
        if len(parts) == 2 and parts[0] == "section" and parts[1] in dict(SECTIONS[language]):
            return dict(SECTIONS[language])[parts[1]], content.latest(language, parts[1])
        if len(parts) == 3 and parts[:2] == ["taxonomy", "term"] and parts[2].isdigit():
            key = self.term_by_id.get(int(parts[2]))
            if key is not None and key[0] == language:
                return key[1], content.tagged(language, key[1])
        return None

    def listing_paths(self) -> list[str]:
        paths = ["/sitemap.xml"]
        chunks = -(-len(self.content.articles) // SITEMAP_CHUNK)
        paths += [f"/sitemap.xml?page={n}" for n in range(1, chunks + 2)]
        for language in ("kk", "ru"):
            for n in range(self.page_count(self.content.latest(language))):
                paths.append(f"/{language}/news" + (f"?page={n}" if n else ""))
        return paths

    # -- markup -------------------------------------------------------------------------

    def page(self, origin: str, language: str, title: str, main: str, head: str = "") -> str:
        words = WORDS[language]
        menu = "".join(
            f'<li class="menu-item"><a href="/{language}/section/{slug}">{e(name)}</a></li>'
            for slug, name in SECTIONS[language]
        )
        top = "".join(
            f'<li><div class="views-field views-field-title"><span class="field-content">'
            f'<a href="{self.article_path(a)}" hreflang="{language}">{e(a.title)}</a></span></div>'
            f'<div class="views-field views-field-totalcount"><span class="field-content">'
            f"{a.views}</span></div></li>"
            for a in self.top(language)
        )
        most_read = (
            '<div class="views-element-container block block-views block-views-blockmost-read-block-1">'
            f'<h2>{self.labels[language]["top"]}</h2><div class="view-content"><div class="item-list">'
            f"<ol>{top}</ol></div></div></div>"
        )
        if self.layout == "2":
            items = "".join(
                f'<li class="most-read-list__item"><a href="{self.article_path(a)}">{e(a.title)}'
                f'</a> <span class="badge bg-secondary">{a.views}</span></li>'
                for a in self.top(language)
            )
            most_read = (
                '<section class="block most-read-block"><h2 class="block-title">'
                f"{self.labels[language]['top']}</h2>"
                f'<ul class="list-unstyled most-read-list">{items}</ul></section>'
            )
        latest = "".join(
            f'<div class="views-row"><a href="{self.article_path(a)}">{e(a.title)}</a> '
            f'<span class="date">{a.published:%d.%m.%Y}</span></div>'
            for a in self.content.latest(language)[:6]
        )
        return (
            f'<!DOCTYPE html>\n<html lang="{language}" dir="ltr">\n<head>\n<meta charset="utf-8" />\n'
            '<meta name="Generator" content="Drupal 10 (https://www.drupal.org)" />\n'
            '<meta name="MobileOptimized" content="width" />\n'
            f"{head}<title>{e(title)} | {e(self.site_name)}</title>\n"
            '<link rel="stylesheet" media="all" href="/sites/default/files/css/css_a1b2c3.css" />\n'
            f'</head>\n<body class="path-node">\n<a href="#main-content" class="visually-hidden '
            f'focusable skip-link">{words["skip"]}</a>\n'
            '<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas>'
            '<div id="page-wrapper"><div id="page">'
            '<header id="header" class="header" role="banner"><div class="region region-header">'
            '<div id="block-sitebranding" class="block block-system block-system-branding-block">'
            f'<div class="site-name"><a href="/{language}" rel="home">{e(self.site_name)}</a></div>'
            '</div><div id="block-currentdate" class="block block-block-content">'
            f'<div class="field field--name-body"><p>{words["today"]}: {in_words(TODAY, language)}'
            "</p></div></div>"
            '<div class="language-switcher-language-url block block-language" role="navigation">'
            '<ul class="links"><li hreflang="kk"><a href="/kk" class="language-link">Қазақша</a>'
            '</li><li hreflang="ru"><a href="/ru" class="language-link">Русский</a></li></ul></div>'
            '<nav role="navigation" id="block-mainnavigation"><ul class="menu">'
            f'<li class="menu-item"><a href="/{language}">{words["home"]}</a></li>{menu}</ul></nav>'
            "</div></header>\n"
            '<div id="main-wrapper" class="layout-main-wrapper layout-container">'
            '<main id="content" class="column main-content" role="main">'
            f'<a id="main-content" tabindex="-1"></a><div class="region region-content">{main}'
            "</div></main>\n"
            '<aside class="layout-sidebar-second" role="complementary">'
            f'<div class="region region-sidebar-second">{most_read}'
            '<div class="views-element-container block block-views block-views-blocklatest-block-1">'
            f'<h2>{words["latest"]}</h2><div class="view-content">{latest}</div></div>'
            "</div></aside></div>\n"
            '<footer class="site-footer"><div class="region region-footer">'
            f"<p>© 2012–2026 {e(self.site_name)}. Барлық құқықтар қорғалған.</p>"
            "<p>Тіркеу куәлігі № 12654-АА, 22.05.2012</p>"
            '<p><a href="/user/login">Кіру</a></p></div></footer>'
            "</div></div></div>\n</body>\n</html>\n"
        )

    def article_page(self, origin: str, article: ThemeArticle) -> str:
        if self.layout == "2":
            return self.barrio_page(origin, article)
        lang = article.language
        words = WORDS[lang]
        alias = self.article_path(article)
        people = article.account or ", ".join(article.display_names())
        author = ""
        if people:
            author = (
                '<div class="field field--name-field-author field--type-string field--label-inline">'
                f'<div class="field__label">{words["author"]}</div>'
                f'<div class="field__item">{e(people)}</div></div>'
            )
        tags = "".join(
            f'<div class="field__item"><a href="/{lang}/taxonomy/term/{self.terms[(lang, t)]}" '
            f'hreflang="{lang}">{e(t)}</a></div>'
            for t in article.tags
        )
        if tags:
            tags = (
                '<div class="field field--name-field-tags field--type-entity-reference">'
                f'<div class="field__label">{words["tags"]}</div><div class="field__items">{tags}'
                "</div></div>"
            )
        files = ""
        if article.attachment:
            pdf = self.image(article, None).replace(".jpg", ".pdf")
            files = (
                '<div class="field field--name-field-files"><span class="file file--mime-application-pdf">'
                f'<a href="{pdf}" type="application/pdf">{article.slug[:24]}.pdf</a></span></div>'
            )
        body = "".join(f"<p>{e(p)}</p>" for p in self.content.paragraphs(article))
        utc = article.published.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        related = "".join(
            '<div class="views-row"><div class="views-field views-field-title">'
            f'<span class="field-content"><a href="{self.article_path(o)}" hreflang="{lang}">'
            f"{e(o.title)}</a></span></div></div>"
            for o in self.similar(article)
        )
        main = (
            '<div id="block-pagetitle" class="block block-core block-page-title-block">'
            '<h1 class="page-title"><span class="field field--name-title field--type-string">'
            f"{e(article.title)}</span></h1></div>"
            '<div id="block-mainpagecontent" class="block block-system block-system-main-block">'
            f'<article role="article" about="{alias}" class="node node--type-article '
            'node--promoted node--view-mode-full">'
            f'<footer class="node__meta"><div class="node__submitted">{words["submitted"]} '
            '<span class="field field--name-uid"><span about="/user/1" typeof="schema:Person">'
            '<a href="/user/1">admin</a></span></span>, <span class="field field--name-created">'
            f'<time datetime="{utc}">{article.published:%d.%m.%Y - %H:%M}</time></span>'
            "</div></footer>"
            '<div class="node__content"><div class="field field--name-field-image">'
            f'<img src="{self.image(article)}" width="800" height="533" alt="" loading="lazy" /></div>'
            f"{author}"
            '<div class="clearfix text-formatted field field--name-body field--type-text-with-summary '
            f'field--label-hidden field__item">{body}</div>{tags}{files}</div></article></div>'
            '<div class="views-element-container block block-views block-views-blockrelated-block-1">'
            f'<h2>{self.labels[lang]["similar"]}</h2><div class="view view-related">'
            f'<div class="view-content">{related}</div></div></div>'
        )
        head = (
            f'<link rel="canonical" href="{origin}{alias}" />\n'
            f'<link rel="shortlink" href="{origin}/{lang}/node/{article.number}" />\n'
        )
        return self.page(origin, lang, article.title, main, head)

    def barrio_page(self, origin: str, article: ThemeArticle) -> str:
        """The node in layout 2: a Bootstrap Barrio sub-theme's node and field templates."""
        lang = article.language
        words = WORDS[lang]
        alias = self.article_path(article)
        names = [article.account] if article.account else article.display_names()
        byline = ""
        if any(names):
            links = ", ".join(
                f'<a class="author-link" href="/{lang}/author/{sum(map(ord, n)) % 900 + 100}">'
                f"{e(n)}</a>"
                for n in names
                if n
            )
            byline = f'<div class="node__byline">{words["author"]}: {links}</div>'
        tags = "".join(
            f'<a class="badge tag-badge" href="/{lang}/taxonomy/term/{self.terms[(lang, t)]}">'
            f"{e(t)}</a> "
            for t in article.tags
        )
        body = "".join(f"<p>{e(p)}</p>" for p in self.content.paragraphs(article))
        related = "".join(
            f'<div class="col-md-3 related-card"><a href="{self.article_path(o)}">'
            f'<img src="{self.image(o, "thumbnail")}" alt="" /></a>'
            f'<h3 class="related-card__title"><a href="{self.article_path(o)}">{e(o.title)}</a>'
            "</h3></div>"
            for o in self.similar(article)
        )
        main = (
            f'<article class="node node--type-news clearfix" data-history-node-id="{article.number}">'
            f'<header class="node__header"><h1 class="node-title">{e(article.title)}</h1>'
            '<div class="node__info"><span class="node__date"><time datetime="'
            f'{article.published.isoformat()}">{in_words(article.published, lang, clock=True)}'
            f"</time></span></div>{byline}</header>"
            f'<figure class="node__image"><img src="{self.image(article)}" alt="" /></figure>'
            f'<div class="article-body">{body}</div>'
            f'<div class="node__tags">{tags}</div></article>'
            '<section class="block block-views related-articles">'
            f'<h2 class="block-title">{self.labels[lang]["similar"]}</h2>'
            f'<div class="row related-grid">{related}</div></section>'
        )
        head = (
            f'<link rel="canonical" href="{origin}{alias}" />\n'
            f'<link rel="shortlink" href="{origin}/{lang}/node/{article.number}" />\n'
        )
        return self.page(origin, lang, article.title, main, head)

    def view_page(
        self, origin: str, language: str, heading: str, items: list[ThemeArticle], page: int
    ) -> str:
        words = WORDS[language]
        rows = "".join(
            '<div class="views-row"><article class="node node--type-article node--view-mode-teaser">'
            f'<h2><a href="{self.article_path(a)}" rel="bookmark"><span>{e(a.title)}</span></a></h2>'
            f'<div class="node__content"><div class="field--name-body"><p>'
            f"{e(self.content.paragraphs(a)[0][:150])}</p></div>"
            f'<ul class="links inline"><li class="node-readmore"><a href="/{language}/node/'
            f'{a.number}" rel="tag" hreflang="{language}">{words["more"]}<span '
            f'class="visually-hidden"> {e(a.title)}</span></a></li></ul></div></article></div>'
            for a in self.page_of(items, page + 1)
        )
        last = self.page_count(items) - 1
        pager = []
        if page > 0:
            pager.append('<li class="pager__item pager__item--first"><a href="?page=0">«</a></li>')
            pager.append(
                f'<li class="pager__item pager__item--previous"><a href="?page={page - 1}" rel="prev">‹</a></li>'
            )
        for n in range(last + 1):
            active = " is-active" if n == page else ""
            pager.append(f'<li class="pager__item{active}"><a href="?page={n}">{n + 1}</a></li>')
        if page < last:
            pager.append(
                f'<li class="pager__item pager__item--next"><a href="?page={page + 1}" rel="next">›</a></li>'
            )
            pager.append(
                f'<li class="pager__item pager__item--last"><a href="?page={last}">»</a></li>'
            )
        main = (
            f'<h1 class="page-title">{e(heading)}</h1><div class="view view-frontpage">'
            f'<div class="view-content">{rows or "<p>Материал жоқ.</p>"}</div>'
            '<nav class="pager" role="navigation"><ul class="pager__items js-pager__items">'
            f"{''.join(pager)}</ul></nav></div>"
        )
        return self.page(origin, language, heading, main)

    def not_found(self, origin: str) -> str:
        return self.page(origin, "kk", "Бет табылмады", '<h1 class="page-title">Бет табылмады</h1>')

    def sitemap(self, origin: str, query: str) -> Response:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        articles = self.content.by_date
        chunks = -(-len(articles) // SITEMAP_CHUNK)
        page = int_param(query, "page", 0)
        if page == 0:
            maps = "".join(
                f"<sitemap><loc>{origin}/sitemap.xml?page={n}</loc>"
                f"<lastmod>{TODAY:%Y-%m-%d}T09:00:00+05:00</lastmod></sitemap>"
                for n in range(1, chunks + 2)
            )
            xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {ns}>{maps}</sitemapindex>\n'
            return Response(200, XML, xml.encode())
        if page is None or not 1 <= page <= chunks + 1:
            return Response.html(self.not_found(origin), 404)
        if page <= chunks:
            chunk = articles[(page - 1) * SITEMAP_CHUNK : page * SITEMAP_CHUNK]
            urls = [(origin + self.article_path(a), a.updated.isoformat()) for a in chunk]
        else:  # the last chunk: sections and terms
            urls = [
                (f"{origin}/{lang}/section/{slug}", "")
                for lang in ("kk", "ru")
                for slug, _ in SECTIONS[lang]
            ]
            urls += [
                (f"{origin}/{lang}/taxonomy/term/{tid}", "")
                for (lang, _), tid in self.terms.items()
            ]
        body = "".join(
            f"<url><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
            for u, m in urls
        )
        xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{body}</urlset>\n'
        return Response(200, XML, xml.encode())
