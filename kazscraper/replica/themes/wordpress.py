"""A WordPress news theme with Jetpack and Polylang, as many Kazakh regional outlets run.

Permalinks ``/YYYY/MM/DD/slug/`` (Russian under ``/ru/``), a URL without its trailing
slash answered with a 301, ``/page/N/`` pagination (404 past the end), tag, category and
author archives with their own pagination, Jetpack's share links (``?share=facebook``,
302 off the site) and related posts (``?relatedposts_hit=1&…`` variants of article URLs,
inside ``.entry-content``), a «Көп оқылған» top-posts widget, Yoast's JSON-LD and
``article:published_time`` in UTC (a post at 01:15 local time is the day before in UTC),
the published and updated ``<time>`` on one line, the core sitemap index
``/wp-sitemap.xml``, ``/feed/``, static pages (rules, about) that are no articles,
photos and PDFs under ``/wp-content/uploads/``, and links to the home page with a query
(``/?s=``, ``/?attachment_id=N``, ``/?replytocom=N``, ``/?share=``, ``/?print=``) that
answer the home page again.

``reach`` narrows how the older posts can be found, to show one discovery path alone: with
``"pages"`` only through the ``/page/N/`` pagination of the home and category archives (no
sitemap, no post navigation, related posts among the newest, three posts a page); with
``"sitemap"`` only through the sitemap index that robots.txt names (the same, and no
pagination links). The default (``""``) links every post every way.

``layout="2"`` is the site moved to tagDiv's Newspaper theme with its cloud templates (as
many Kazakh and Russian news sites run): ``h1.tdb-title-text``, the post content in
``div.tdb_single_content`` (no ``<article class="post">``, no ``.entry-content``), the date
as ``05.03.2024`` in ``time.td-module-date``, the author link ``a.tdb-author-name``, the
theme's related-posts block (``div.tdb_single_related``) instead of Jetpack's, and its
popular-posts block in the sidebar.
"""

from __future__ import annotations

import json
from datetime import UTC
from email.utils import format_datetime
from typing import ClassVar, Literal

from kazscraper.replica.site import slugify
from kazscraper.replica.themes.base import (
    JPEG,
    PDF,
    RSS,
    TEXT,
    TODAY,
    XML,
    Response,
    Theme,
    e,
    in_words,
)
from kazscraper.replica.themes.content import SECTIONS, ThemeArticle

WORDS = {
    "kk": {
        "home": "Басты бет", "next": "Келесі →", "prev": "← Алдыңғы", "share": "Бөлісу:",
        "tags": "Тегтер:", "recent": "Соңғы жазбалар", "search": "Іздеу", "read": "Толығырақ",
        "nav": "Жазба навигациясы", "cloud": "Тегтер бұлты",
    },
    "ru": {
        "home": "Главная", "next": "Далее →", "prev": "← Назад", "share": "Поделиться:",
        "tags": "Метки:", "recent": "Свежие записи", "search": "Поиск", "read": "Подробнее",
        "nav": "Навигация по записям", "cloud": "Облако меток",
    },
}  # fmt: skip
STATIC_PAGES = {
    "/erezhe/": ("Сайт ережелері", "Сайт материалдарын пайдалану ережелері."),
    "/biz-turaly/": ("Біз туралы", "«Дала жаршысы» – өңірлік ақпараттық портал."),
}
REACH = ("", "pages", "sitemap")  # how older posts can be found (the ``reach`` option)
SHARES = {
    "facebook": "https://www.facebook.com/sharer.php?u=",
    "telegram": "https://t.me/share/url?url=",
    "twitter": "https://twitter.com/intent/tweet?url=",
}


class WordPressTheme(Theme):
    name = "wordpress"
    imitates = "a WordPress news theme (Jetpack, Yoast, Polylang), Kazakh with /ru/"
    hard_cases = (
        "trailing-slash 301s",
        "?share= links (302 off-site) and ?relatedposts_hit= variants",
        "published + updated <time> on one line; UTC metadata a day earlier before 05:00",
        "Jetpack related posts and share buttons inside .entry-content",
        "«Редакция»/«Admin» accounts as bylines",
        "tag/author/category archives with /page/N/",
        "media and PDF links under /wp-content/uploads/",
        "static pages (rules, about) that are not articles",
        "/?s=, /?attachment_id=, /?replytocom=, /?share=, /?print= links: the home page again",
    )
    site_name = "Дала жаршысы"
    similar_count = 3  # Jetpack shows three related posts
    labels: ClassVar[dict[str, dict[str, str]]] = {
        "kk": {"similar": "Ұқсас жаңалықтар", "top": "Көп оқылған"},
        "ru": {"similar": "Похожие новости", "top": "Популярное"},
    }

    def __init__(
        self,
        n_articles: int = 120,
        seed: int = 1,
        reach: Literal["", "pages", "sitemap"] = "",
        layout: str = "1",
    ) -> None:
        if reach not in REACH:
            raise ValueError(f"reach is one of {REACH}, not {reach!r}")
        self.reach = reach
        if reach:
            self.page_size = 3  # the first page of a category holds few of its posts
        super().__init__(n_articles, seed, layout)

    def similar(self, article: ThemeArticle) -> list[ThemeArticle]:
        """Jetpack's related posts; with ``reach``, among the newest posts only (so that
        they lead to no older post)."""
        if not self.reach:
            return super().similar(article)
        newest = self.content.latest(article.language)[: self.similar_count + 1]
        return [a for a in newest if a is not article][: self.similar_count]

    def prefix(self, language: str) -> str:
        return "" if language == "kk" else "/ru"

    def article_path(self, article: ThemeArticle) -> str:
        return f"{self.prefix(article.language)}/{article.published:%Y/%m/%d}/{article.slug}/"

    def upload(self, article: ThemeArticle, suffix: str) -> str:
        return f"/wp-content/uploads/{article.published:%Y/%m}/{article.slug[:40]}{suffix}"

    def author_slug(self, article: ThemeArticle) -> str | None:
        if article.account:
            return slugify(article.account) or "admin"
        if article.authors:
            a = article.authors[0]
            return slugify(f"{a.given} {a.surname}")
        return None

    def byline(self, article: ThemeArticle) -> str:
        return article.account or ", ".join(article.display_names())

    # -- routes -------------------------------------------------------------------------

    def respond(self, origin: str, path: str, query: str) -> Response:
        if path == "/robots.txt":
            rules = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
            if self.reach != "pages":
                rules += f"\nSitemap: {origin}/wp-sitemap.xml\n"
            return Response(200, TEXT, rules.encode())
        if path.startswith("/wp-content/uploads/"):
            if path.endswith(".pdf"):
                return Response(200, "application/pdf", PDF)
            return Response(200, "image/jpeg", JPEG)
        if path.startswith("/wp-sitemap") and self.reach != "pages":
            return self.sitemap(origin, path)
        last = path.rsplit("/", 1)[-1]
        if not path.endswith("/") and "." not in last:
            return Response.redirect(f"{origin}{path}/" + (f"?{query}" if query else ""))
        language = "ru" if path.startswith("/ru/") else "kk"
        rest = path[3:] if language == "ru" else path
        article = self.by_path.get(path)
        if article is not None:
            share = dict(p.split("=", 1) for p in query.split("&") if "=" in p).get("share")
            if share in SHARES:
                return Response.redirect(SHARES[share] + origin + path, 302)
            return Response.html(self.article_page(origin, article))
        if rest in ("/feed/",):
            return Response(200, RSS, self.feed(origin, language).encode())
        if path in STATIC_PAGES:
            return Response.html(self.static_page(path))
        parts = [p for p in rest.split("/") if p]
        page = 1
        if len(parts) >= 2 and parts[-2] == "page" and parts[-1].isdigit():
            page, parts = int(parts[-1]), parts[:-2]
        listing = self.listing(language, parts)
        if listing is not None:
            heading, items, base = listing
            if 1 <= page <= self.page_count(items) and (page > 1 or not path.endswith("/page/1/")):
                return Response.html(self.archive_page(language, heading, items, base, page))
        return Response.html(self.not_found(), 404)

    def listing(
        self, language: str, parts: list[str]
    ) -> tuple[str, list[ThemeArticle], str] | None:
        prefix = self.prefix(language)
        content = self.content
        if not parts:
            return WORDS[language]["home"], content.latest(language), f"{prefix}/"
        if len(parts) == 2 and parts[0] == "category":
            names = dict(SECTIONS[language])
            if parts[1] in names:
                items = content.latest(language, parts[1])
                return names[parts[1]], items, f"{prefix}/category/{parts[1]}/"
        if len(parts) == 2 and parts[0] == "tag":
            tag = content.tag_slugs(language).get(parts[1])
            if tag and content.tagged(language, tag):
                return tag, content.tagged(language, tag), f"{prefix}/tag/{parts[1]}/"
        if len(parts) == 2 and parts[0] == "author":
            items = [a for a in content.latest(language) if self.author_slug(a) == parts[1]]
            if items:
                return self.byline(items[0]), items, f"{prefix}/author/{parts[1]}/"
        return None

    def listing_paths(self) -> list[str]:
        paths = ["/wp-sitemap-posts-post-1.xml", "/feed/", "/ru/feed/"]
        for language in ("kk", "ru"):
            for n in range(1, self.page_count(self.content.latest(language)) + 1):
                paths.append(f"{self.prefix(language)}/" + (f"page/{n}/" if n > 1 else ""))
        return paths

    # -- markup -------------------------------------------------------------------------

    def page(
        self, language: str, title: str, main: str, head: str = "", body_class: str = ""
    ) -> str:
        words = WORDS[language]
        prefix = self.prefix(language)
        menu = "".join(
            f'<li class="menu-item"><a href="{prefix}/category/{slug}/">{e(name)}</a></li>'
            for slug, name in SECTIONS[language]
        )
        switch = (
            '<li class="lang-item"><a href="/" hreflang="kk">ҚАЗ</a></li>'
            '<li class="lang-item"><a href="/ru/" hreflang="ru">РУС</a></li>'
        )
        top = self.top_posts(language)
        recent = "".join(
            f'<li><a href="{self.article_path(a)}">{e(a.title)}</a>'
            f'<span class="post-date">{in_words(a.published, language)}</span></li>'
            for a in self.content.latest(language)[: self.page_size if self.reach else 5]
        )
        cloud = "".join(
            f'<a href="{prefix}/tag/{slug}/" class="tag-cloud-link">{e(tag)}</a> '
            for slug, tag in list(self.content.tag_slugs(language).items())[:12]
            if self.content.tagged(language, tag)  # WordPress hides empty tags
        )
        lang = "kk" if language == "kk" else "ru-RU"
        return (
            f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="UTF-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)} – {e(self.site_name)}</title>\n{head}"
            f'<link rel="alternate" type="application/rss+xml" href="{prefix}/feed/">\n'
            "<link rel='stylesheet' id='wp-block-library-css' href='/wp-includes/css/dist/"
            "block-library/style.min.css?ver=6.4.2' media='all' />\n"
            f'</head>\n<body class="{body_class or "archive"} wp-embed-responsive">\n'
            '<div id="page" class="site"><div class="top-bar">'
            f'<span class="top-bar__date">{in_words(TODAY, language)}</span>'
            f'<ul class="lang-switcher">{switch}</ul></div>\n'
            '<header id="masthead" class="site-header"><div class="site-branding">'
            f'<p class="site-title"><a href="{prefix}/" rel="home">{e(self.site_name)}</a></p>'
            '<p class="site-description">Өңір жаңалықтары</p></div>'
            '<nav id="site-navigation" class="main-navigation"><ul id="primary-menu" class="menu">'
            f'<li class="menu-item"><a href="{prefix}/">{words["home"]}</a></li>{menu}'
            '<li class="menu-item"><a href="/erezhe/">Ережелер</a></li>'
            '<li class="menu-item"><a href="/biz-turaly/">Біз туралы</a></li></ul></nav></header>\n'
            '<div id="content" class="site-content"><div id="primary" class="content-area">'
            f'<main id="main" class="site-main">{main}</main></div>\n'
            '<aside id="secondary" class="widget-area">'
            '<section id="search-2" class="widget widget_search"><form role="search" '
            f'method="get" class="search-form" action="{prefix}/"><input type="search" name="s" '
            f'placeholder="{words["search"]}"></form>{self.query_links(language)}</section>'
            f"{top}"
            '<section id="recent-posts-2" class="widget widget_recent_entries">'
            f'<h2 class="widget-title">{words["recent"]}</h2><ul>{recent}</ul></section>'
            '<section id="tag_cloud-2" class="widget widget_tag_cloud">'
            f'<h2 class="widget-title">{words["cloud"]}</h2><div class="tagcloud">{cloud}</div>'
            "</section></aside></div>\n"
            '<footer id="colophon" class="site-footer"><div class="footer-widgets">'
            "<p>Байланыс: +7 (7132) 55-12-40, info@dala.kz</p>"
            "<p>Басылым ҚР Ақпарат министрлігінде 04.05.2016 тіркелген.</p></div>"
            f'<div class="site-info">© 2016–2026 {e(self.site_name)}. '
            '<a href="https://wordpress.org/">WordPress</a> негізінде жұмыс істейді.</div>'
            "</footer></div>\n</body>\n</html>\n"
        )

    def top_posts(self, language: str) -> str:
        """The sidebar's most-read list: Jetpack's Top Posts widget, or (layout 2) block."""
        label = self.labels[language]["top"]
        if self.layout == "2":
            items = "".join(
                '<div class="td_module_flex td_module_flex_1"><div class="td-module-meta-info">'
                f'<h3 class="entry-title td-module-title"><a href="{self.article_path(a)}">'
                f"{e(a.title)}</a></h3></div></div>"
                for a in self.top(language)
            )
            return (
                '<div class="td_block_wrap td_flex_block_1 td-popular"><h4 class="td-block-title">'
                f'<span>{label}</span></h4><div class="td_block_inner">{items}</div></div>'
            )
        items = "".join(
            f'<li><a href="{self.article_path(a)}" class="bump-view" data-bump-view="tp">'
            f'<img src="{self.upload(a, "-150x150.jpg")}" alt="" width="40" height="40"></a>'
            f'<div class="widgets-list-layout-links"><a href="{self.article_path(a)}" '
            f'class="bump-view" data-bump-view="tp">{e(a.title)}</a></div></li>'
            for a in self.top(language)
        )
        return (
            '<section id="top-posts-2" class="widget widget_top-posts">'
            f'<h2 class="widget-title">{label}</h2>'
            f'<ul class="widgets-list-layout no-grav">{items}</ul></section>'
        )

    def query_links(self, language: str) -> str:
        """Links to the home page with a query, as WordPress and its plugins print them: a
        popular search, an attachment page, a comment's reply form, share and print buttons
        (each the home page again, to a crawler that fetches them)."""
        prefix = self.prefix(language)
        n = len(self.content.latest(language))
        queries = (f"s={slugify(WORDS[language]['home'])}", f"attachment_id={1000 + n}",
                   f"replytocom={n}#respond", "share=email", "print=1")  # fmt: skip
        return "".join(f'<a class="wp-query" href="{prefix}/?{q}"></a>' for q in queries)

    def head(self, origin: str, article: ThemeArticle) -> str:
        url = origin + self.article_path(article)
        utc = article.published.astimezone(UTC).isoformat()
        modified = article.updated.astimezone(UTC).isoformat()
        graph = {
            "@context": "https://schema.org",
            "@graph": [
                {
                    "@type": "Article",
                    "@id": f"{url}#article",
                    "headline": article.title,
                    "datePublished": utc,
                    "dateModified": modified,
                    "author": {"name": self.byline(article) or self.site_name},
                    "inLanguage": article.language if article.language == "kk" else "ru-RU",
                    "mainEntityOfPage": {"@id": url},
                },
                {"@type": "Organization", "name": self.site_name, "url": origin + "/"},
            ],
        }
        return (
            f'<link rel="canonical" href="{url}">\n'
            f'<meta property="og:locale" content="{"kk_KZ" if article.language == "kk" else "ru_RU"}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{e(article.title)} – {e(self.site_name)}">\n'
            f'<meta property="og:url" content="{url}">\n'
            f'<meta property="og:image" content="{origin}{self.upload(article, "-1024x683.jpg")}">\n'
            f'<meta property="article:published_time" content="{utc}">\n'
            f'<meta property="article:modified_time" content="{modified}">\n'
            f'<meta name="author" content="{e(self.byline(article) or self.site_name)}">\n'
            '<script type="application/ld+json" class="yoast-schema-graph">'
            f"{json.dumps(graph, ensure_ascii=False)}</script>\n"
        )

    def article_page(self, origin: str, article: ThemeArticle) -> str:
        if self.layout == "2":
            return self.newspaper_page(origin, article)
        lang = article.language
        words = WORDS[lang]
        path = self.article_path(article)
        prefix = self.prefix(lang)
        section = dict(SECTIONS[lang])[article.section]
        author = ""
        slug = self.author_slug(article)
        if slug:
            author = (
                '<span class="byline"> <span class="author vcard"><a class="url fn n" '
                f'href="{prefix}/author/{slug}/">{e(self.byline(article))}</a></span></span>'
            )
        times = (
            f'<span class="posted-on"><a href="{path}" rel="bookmark">'
            f'<time class="entry-date published" datetime="{article.published.isoformat()}">'
            f"{in_words(article.published, lang, clock=True)}</time>"
            f'<time class="updated" datetime="{article.updated.isoformat()}">'
            f"{in_words(article.updated, lang, clock=True)}</time></a></span>"
        )
        body = "".join(f"<p>{e(p)}</p>\n" for p in self.content.paragraphs(article))
        if article.attachment:
            body += (
                f'<figure class="wp-block-image size-large"><a href="{self.upload(article, ".jpg")}">'
                f'<img src="{self.upload(article, "-1024x683.jpg")}" alt=""></a></figure>\n'
            )
        shares = "".join(
            f'<li class="share-{name}"><a rel="nofollow noopener noreferrer" '
            f'class="share-{name} sd-button" href="{origin}{path}?share={name}" target="_blank" '
            f'title="{name.capitalize()}"><span>{name.capitalize()}</span></a></li>'
            for name in SHARES
        )
        related = "".join(
            f'<div class="jp-relatedposts-post jp-relatedposts-post{i}" data-post-id="{o.number}">'
            f'<a class="jp-relatedposts-post-a" href="{self.article_path(o)}?relatedposts_hit=1'
            f'&amp;relatedposts_origin={article.number}&amp;relatedposts_position={i}" '
            f'rel="nofollow"><img src="{self.upload(o, "-350x200.jpg")}" alt=""></a>'
            f'<h4 class="jp-relatedposts-post-title"><a class="jp-relatedposts-post-a" '
            f'href="{self.article_path(o)}?relatedposts_hit=1&amp;relatedposts_origin='
            f'{article.number}&amp;relatedposts_position={i}">{e(o.title)}</a></h4>'
            f'<p class="jp-relatedposts-post-date">{in_words(o.published, lang)}</p>'
            f'<p class="jp-relatedposts-post-context">{e(dict(SECTIONS[lang])[o.section])}</p></div>'
            for i, o in enumerate(self.similar(article))
        )
        tag_links = ", ".join(
            f'<a href="{prefix}/tag/{slugify(t)}/" rel="tag">{e(t)}</a>' for t in article.tags
        )
        tags = f'<span class="tags-links">{words["tags"]} {tag_links}</span>' if tag_links else ""
        attachment = ""
        if article.attachment:
            attachment = (
                '<div class="post-attachments"><a href="'
                f'{self.upload(article, ".pdf")}" download>PDF</a></div>'
            )
        ordered = self.content.by_date
        at = ordered.index(article)
        neighbours = ""
        for cls, rel, other in (
            ()
            if self.reach
            else (
                ("nav-previous", "prev", ordered[at + 1] if at + 1 < len(ordered) else None),
                ("nav-next", "next", ordered[at - 1] if at > 0 else None),
            )
        ):
            if other is not None:
                neighbours += (
                    f'<div class="{cls}"><a href="{self.article_path(other)}" rel="{rel}">'
                    f"{e(other.title)}</a></div>"
                )
        main = (
            f'<article id="post-{article.number}" class="post-{article.number} post type-post '
            f'status-publish format-standard has-post-thumbnail hentry category-{article.section}">'
            '<header class="entry-header"><div class="cat-links">'
            f'<a href="{prefix}/category/{article.section}/" rel="category tag">{e(section)}</a></div>'
            f'<h1 class="entry-title">{e(article.title)}</h1>'
            f'<div class="entry-meta">{times}{author}'
            f'<span class="post-views">{article.views}</span></div></header>'
            f'<div class="post-thumbnail"><img src="{self.upload(article, "-1024x683.jpg")}" alt=""></div>'
            f'<div class="entry-content">\n{body}'
            '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
            f'sd-social"><h3 class="sd-title">{words["share"]}</h3><div class="sd-content"><ul>'
            f"{shares}</ul></div></div></div>"
            "<div id='jp-relatedposts' class='jp-relatedposts'>"
            f'<h3 class="jp-relatedposts-headline"><em>{self.labels[lang]["similar"]}</em></h3>'
            f'<div class="jp-relatedposts-items jp-relatedposts-items-visual">{related}</div></div>'
            f'</div><footer class="entry-footer">{tags}{attachment}</footer></article>'
            '<nav class="navigation post-navigation" aria-label="Жазбалар">'
            f'<h2 class="screen-reader-text">{words["nav"]}</h2><div class="nav-links">'
            f"{neighbours}</div></nav>"
        )
        return self.page(
            lang, article.title, main, self.head(origin, article), "post-template-default single"
        )

    def newspaper_page(self, origin: str, article: ThemeArticle) -> str:
        """The post in layout 2: tagDiv Newspaper's cloud single template (title, meta row,
        the post content, the related-posts block, the tags)."""
        lang = article.language
        words = WORDS[lang]
        prefix = self.prefix(lang)
        section = dict(SECTIONS[lang])[article.section]
        slug = self.author_slug(article)
        author = ""
        if slug:
            author = (
                '<div class="tdb-author-name-wrap"><span class="tdb-author-by">·</span> '
                f'<a class="tdb-author-name" href="{prefix}/author/{slug}/">'
                f"{e(self.byline(article))}</a></div>"
            )
        date = (
            '<div class="tdb_single_date"><time class="entry-date updated td-module-date" '
            f'datetime="{article.published.isoformat()}">{article.published:%d.%m.%Y}</time></div>'
        )
        body = "".join(f"<p>{e(p)}</p>\n" for p in self.content.paragraphs(article))
        attachment = ""
        if article.attachment:
            attachment = (
                f'<div class="td-post-attachment"><a href="{self.upload(article, ".pdf")}">'
                "PDF</a></div>"
            )
        related = "".join(
            '<div class="td_module_wrap td_module_related_posts"><div class="td-module-thumb">'
            f'<a href="{self.article_path(o)}" class="td-image-wrap"><img src="'
            f'{self.upload(o, "-218x150.jpg")}" alt=""></a></div>'
            f'<div class="item-details"><h3 class="entry-title td-module-title"><a href="'
            f'{self.article_path(o)}" rel="bookmark">{e(o.title)}</a></h3></div></div>'
            for o in self.similar(article)
        )
        tags = "".join(
            f'<li><a href="{prefix}/tag/{slugify(t)}/">{e(t)}</a></li>' for t in article.tags
        )
        main = (
            '<div class="td-main-content-wrap td-container-wrap"><div class="tdc-row">'
            '<div class="tdb_single_categories"><a class="tdb-entry-category" '
            f'href="{prefix}/category/{article.section}/">{e(section)}</a></div>'
            '<div class="tdb_title"><h1 class="tdb-title-text">'
            f"{e(article.title)}</h1></div>"
            f'<div class="tdb-post-meta">{author}{date}'
            f'<div class="tdb_single_post_views"><span class="td-nr-views">{article.views}'
            "</span></div></div>"
            '<div class="tdb_single_featured_image"><img class="entry-thumb" src="'
            f'{self.upload(article, "-696x464.jpg")}" alt=""></div>'
            f'<div class="tdb_single_content"><div class="tdb-block-inner td-fix-index">\n{body}'
            f"</div></div>{attachment}"
            '<div class="tdb_single_tags"><ul class="tdb-tags">'
            f'<li><span class="tdb-tags-title">{words["tags"]}</span></li>{tags}</ul></div>'
            '<div class="td_block_wrap tdb_single_related"><h4 class="td-block-title">'
            f"<span>{self.labels[lang]['similar']}</span></h4>"
            f'<div class="td_block_inner">{related}</div></div></div></div>'
        )
        return self.page(
            lang, article.title, main, self.head(origin, article), "post-template-default single"
        )

    def archive_page(
        self, language: str, heading: str, items: list[ThemeArticle], base: str, page: int
    ) -> str:
        words = WORDS[language]
        posts = "".join(
            f'<article class="post type-post hentry"><header class="entry-header">'
            f'<h2 class="entry-title"><a href="{self.article_path(a)}" rel="bookmark">'
            f'{e(a.title)}</a></h2><div class="entry-meta"><time class="entry-date published" '
            f'datetime="{a.published.isoformat()}">{in_words(a.published, language)}</time>'
            f'</div></header><div class="entry-summary"><p>{e(self.content.paragraphs(a)[0][:140])}'
            f' […]</p></div><a class="more-link" href="{self.article_path(a)}">{words["read"]}</a>'
            "</article>"
            for a in self.page_of(items, page)
        )
        last = self.page_count(items)

        def href(n: int) -> str:
            return base if n == 1 else f"{base}page/{n}/"

        links: list[str] = []
        if page > 1:
            links.append(
                f'<a class="prev page-numbers" href="{href(page - 1)}">{words["prev"]}</a>'
            )
        for n in range(1, last + 1):
            if n == page:
                links.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
            else:
                links.append(f'<a class="page-numbers" href="{href(n)}">{n}</a>')
        if page < last:
            links.append(
                f'<a class="next page-numbers" href="{href(page + 1)}">{words["next"]}</a>'
            )
        if self.reach == "sitemap":
            links = []  # no pagination links: older posts only through the sitemap
        main = (
            f'<header class="page-header"><h1 class="page-title">{e(heading)}</h1></header>{posts}'
            '<nav class="navigation pagination"><div class="nav-links">'
            f"{''.join(links)}</div></nav>"
        )
        return self.page(language, heading, main)

    def static_page(self, path: str) -> str:
        title, text = STATIC_PAGES[path]
        paragraphs = "".join(f"<p>{e(text)} {i + 1}-бап.</p>" for i in range(6))
        main = (
            '<article class="page type-page status-publish hentry">'
            f'<header class="entry-header"><h1 class="entry-title">{e(title)}</h1></header>'
            f'<div class="entry-content">{paragraphs}</div></article>'
        )
        return self.page("kk", title, main, body_class="page-template-default page")

    def not_found(self) -> str:
        main = '<section class="error-404 not-found"><h1 class="page-title">Бет табылмады</h1></section>'
        return self.page("kk", "Бет табылмады", main, body_class="error404")

    # -- machine-readable -----------------------------------------------------------------

    def sitemap(self, origin: str, path: str) -> Response:
        ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        if path == "/wp-sitemap.xml":
            maps = (
                "posts-post-1", "posts-page-1", "taxonomies-category-1",
                "taxonomies-post_tag-1", "users-1",
            )  # fmt: skip
            entries = "".join(
                f"<sitemap><loc>{origin}/wp-sitemap-{m}.xml</loc></sitemap>" for m in maps
            )
            xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {ns}>{entries}</sitemapindex>\n'
            return Response(200, XML, xml.encode())
        urls: list[tuple[str, str]] = []
        if path == "/wp-sitemap-posts-post-1.xml":
            urls = [
                (origin + self.article_path(a), a.updated.isoformat()) for a in self.content.by_date
            ]
        elif path == "/wp-sitemap-posts-page-1.xml":
            urls = [(origin + p, "") for p in STATIC_PAGES]
        elif path == "/wp-sitemap-taxonomies-category-1.xml":
            urls = [
                (f"{origin}{self.prefix(lang)}/category/{slug}/", "")
                for lang in ("kk", "ru")
                for slug, _ in SECTIONS[lang]
            ]
        elif path == "/wp-sitemap-taxonomies-post_tag-1.xml":
            urls = [
                (f"{origin}{self.prefix(lang)}/tag/{slug}/", "")
                for lang in ("kk", "ru")
                for slug, tag in self.content.tag_slugs(lang).items()
                if self.content.tagged(lang, tag)
            ]
        elif path == "/wp-sitemap-users-1.xml":
            slugs = sorted({s for a in self.content.articles if (s := self.author_slug(a))})
            urls = [(f"{origin}/author/{s}/", "") for s in slugs]
        else:
            return Response.html(self.not_found(), 404)
        body = "".join(
            f"<url><loc>{e(u)}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
            for u, m in urls
        )
        xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {ns}>{body}</urlset>\n'
        return Response(200, XML, xml.encode())

    def feed(self, origin: str, language: str) -> str:
        items = "".join(
            f"<item><title>{e(a.title)}</title><link>{origin}{self.article_path(a)}</link>"
            f"<dc:creator><![CDATA[{self.byline(a) or self.site_name}]]></dc:creator>"
            f"<pubDate>{format_datetime(a.published.astimezone(UTC))}</pubDate>"
            f'<guid isPermaLink="false">{origin}/?p={a.number}</guid></item>'
            for a in self.content.latest(language)[: self.page_size if self.reach else 10]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>{e(self.site_name)}</title><link>{origin}{self.prefix(language)}/</link>"
            f"{items}</channel></rss>\n"
        )
