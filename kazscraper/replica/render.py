"""HTML, XML and text of the replica's pages.

Markup imitates a typical Kazakh news CMS: header with menu, a main column and
a «Топ жаңалықтар» sidebar, a footer. The article page's ``<main>`` renders
exactly the visible text of the real seed page (title twice, paragraphs, the
signature block as body paragraphs, the similar and top news blocks). Links
vary the way real ones do: relative, absolute on the mirror host, with
tracking parameters, so that deduplication has something to do.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from email.utils import format_datetime
from html import escape
from math import ceil

from kazscraper.replica import corpus
from kazscraper.replica.site import ReplicaArticle, ReplicaSite

PAGE_SIZE = 20
CATEGORY_NAMES = dict(corpus.CATEGORIES)
ACTIVE = ' class="active"'
MONTHS_KK = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
PUBLISHED_AT = time(9)  # the feed's time of day for every article (the pages show none)


def e(text: str) -> str:
    return escape(text, quote=True)


class Renderer:
    """Renders pages of ``site`` as served from ``origin`` (links point back to it).

    ``mirror_origin`` is the replica's stand-in for ``image.qazdauiri.kz``: some
    links go there, as they do on the real site.
    """

    def __init__(self, site: ReplicaSite, origin: str, mirror_origin: str | None = None) -> None:
        self.site = site
        self.origin = origin.rstrip("/")
        self.mirror_origin = (mirror_origin or origin).rstrip("/")

    # -- links --------------------------------------------------------------------------

    def canonical(self, article: ReplicaArticle) -> str:
        return self.origin + article.path

    def link(self, article: ReplicaArticle, variant: int = 0) -> str:
        """An article link as listings write it; ``variant`` picks the alias style."""
        if variant % 7 == 3:
            return self.mirror_origin + article.path
        if variant % 5 == 1:
            return f"{article.path}?utm_source=qazdauiri&utm_medium=list"
        if variant % 11 == 5:
            return f"{self.origin}{article.path}/#comments"
        return article.path

    # -- page furniture -----------------------------------------------------------------

    def page(self, title: str, main: str, head: str = "", active: str | None = None) -> str:
        menu = "".join(
            f'<li{ACTIVE if slug == active else ""}><a href="/category/{slug}">{e(name)}</a></li>'
            for slug, name in corpus.CATEGORIES
        )
        extra = "".join(
            f'<li><a href="/page/{i}">{e(n)}</a></li>' for i, n in enumerate(corpus.MENU_EXTRA)
        )
        footer = "".join(f"<p>{e(line)}</p>" for line in corpus.FOOTER_LINES)
        return (
            "<!DOCTYPE html>\n"
            '<html lang="kk">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{e(title)} | {e(corpus.SITE_NAME)}</title>\n"
            '<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss">\n'
            f"{head}"
            "<script>window.dataLayer = window.dataLayer || [];"
            " dataLayer.push({'published': '01.01.2020'});</script>\n"
            "</head>\n<body>\n"
            '<header class="site-header">\n'
            f'<div class="logo"><a href="/">{e(corpus.SITE_NAME)}</a></div>\n'
            '<nav class="main-menu"><ul><li><a href="/">Басты бет</a></li>'
            f"{menu}{extra}</ul></nav>\n"
            '<form class="search" action="/search"><input name="q" placeholder="Іздеу"></form>\n'
            "</header>\n"
            f"{main}\n"
            f'<footer class="site-footer">{footer}</footer>\n'
            f'<div class="cookie-banner" hidden>{e(corpus.COOKIE_BANNER)}</div>\n'
            "</body>\n</html>\n"
        )

    def top_news_block(self) -> str:
        items = []
        for entry in self.site.top_news:
            a = entry.article
            author = (
                f'<span class="author">{e(entry.author_display)}</span> '
                if entry.author_display
                else ""
            )
            items.append(
                f'<li><div class="num">{entry.rank}</div>'
                f'<div class="title"><a href="{e(a.path)}">{e(a.title)}</a></div>'
                f'<div class="more"><a href="{e(a.path)}">Show more</a></div>'
                f'<div class="meta">{author}- <span class="date">{a.published.isoformat()}</span>'
                f' <span class="views">{a.views}</span></div></li>'
            )
        return (
            '<aside class="sidebar"><div class="widget top-news">'
            '<h3 class="widget-title">Топ жаңалықтар</h3>'
            f'<ul class="top-list">{"".join(items)}</ul></div></aside>'
        )

    def news_item(self, article: ReplicaArticle, variant: int, path: str | None = None) -> str:
        names = ", ".join(f"{a.given} {a.surname}" for a in article.authors)
        author = f'<span class="author">{e(names)}</span> ' if names else ""
        return (
            '<div class="news-item"><div class="title">'
            f'<a href="{e(path or self.link(article, variant))}">'
            f"{e(article.title)}</a></div>"
            f'<div class="meta">{author}- <span class="date">{article.published.isoformat()}</span>'
            f' <span class="views">{article.views}</span></div></div>'
        )

    # -- pages --------------------------------------------------------------------------

    def article_page(self, article: ReplicaArticle, path: str | None = None) -> str:
        """The page of ``article``; at an alias ``path`` it declares that path canonical."""
        site = self.site
        canonical = self.origin + (path or article.path)
        if article.index in site.broken_indices:
            return self.broken_article_page(article)
        if site.layout == "v2":
            return self.article_page_v2(article)
        body = "".join(f"<p>{e(p)}</p>" for p in site.paragraphs(article))
        signature = "".join(
            f"<p><strong>{e(line)}</strong></p>" if is_name_line(line) else f"<p>{e(line)}</p>"
            for line in site.signature_lines(article)
        )
        tags = ""
        if article.tags:
            links = "".join(f'<a href="/tag/{i}">{e(t)}</a>' for i, t in enumerate(article.tags))
            tags = f'<div class="tags">{links}</div>'
        similar = "".join(
            self.news_item(other, variant=1 + i % 3 * 2, path=site.alias_path(other))
            for i, other in enumerate(site.similar(article))
        )
        head = (
            f'<link rel="canonical" href="{e(canonical)}">\n'
            '<meta property="og:type" content="article">\n'
            f'<meta property="og:title" content="{e(article.title)}">\n'
            f'<meta property="og:url" content="{e(canonical)}">\n'
            f'<meta property="og:image" content="{e(self.origin)}/uploads/{article.slug}.jpg">\n'
            f'<meta property="og:site_name" content="{e(corpus.SITE_NAME)}">\n'
        )
        main = (
            '<main class="page">'
            '<div class="page-header"><h2 class="page-title">'
            f"{e(article.page_title or article.title)}</h2></div>"
            '<div class="row"><article class="news-single">'
            f'<h1 class="news-title">{e(article.article_title or article.title)}</h1>'
            f'<div class="news-image"><img src="/uploads/{article.slug}.jpg" alt=""></div>'
            f'<div class="news-text">{body}{signature}</div>'
            f"{tags}"
            '<div class="share"><a class="fb" href="#" aria-label="Facebook"></a>'
            '<a class="tg" href="#" aria-label="Telegram"></a></div>'
            '<section class="similar-news"><h3 class="block-title">Ұқсас жаңалықтар</h3>'
            f'<div class="news-list">{similar}</div></section>'
            "</article>"
            f"{self.top_news_block()}"
            "</div></main>"
        )
        return self.page(article.title, main, head=head, active=article.category)

    def article_page_v2(self, article: ReplicaArticle) -> str:
        """A redesign: no <h1>, no og:title, body lines in <div>s, date outside the body."""
        lines = [*self.site.paragraphs(article), *self.site.signature_lines(article)[:-1]]
        body = "".join(f"<div>{e(line)}</div>" for line in lines)
        main = (
            '<main class="page"><div class="row"><div class="post">'
            f'<div class="post__headline">{e(article.title)}</div>'
            f'<span class="post__date">{article.published.day} '
            f"{MONTHS_KK[article.published.month - 1]} {article.published.year}</span>"
            f'<section class="post__content">{body}</section>'
            f"</div>{self.top_news_block()}</div></main>"
        )
        return self.page(article.title, main, active=article.category)

    def broken_article_page(self, article: ReplicaArticle) -> str:
        """A 200 page at an article URL with no article in it (a CMS error page)."""
        main = (
            '<main class="page"><div class="row"><article class="news-single">'
            f'<h1 class="news-title">{e(article.title)}</h1>'
            '<div class="notice"><p>Материал уақытша қолжетімсіз.</p></div>'
            f"</article>{self.top_news_block()}</div></main>"
        )
        return self.page(article.title, main, active=article.category)

    def home_page(self) -> str:
        latest = self.site.by_date[:PAGE_SIZE]
        items = "".join(self.news_item(a, variant=i) for i, a in enumerate(latest))
        main = (
            '<main class="page"><div class="row"><section class="latest">'
            f'<h2 class="block-title">Соңғы жаңалықтар</h2><div class="news-list">{items}</div>'
            f"</section>{self.top_news_block()}</div></main>"
        )
        return self.page("Басты бет", main)

    def category_pages(self, slug: str) -> int:
        return max(1, ceil(len(self.site.by_category.get(slug, ())) / PAGE_SIZE))

    def category_page(self, slug: str, page: int) -> str | None:
        if slug not in CATEGORY_NAMES or not 1 <= page <= self.category_pages(slug):
            return None
        articles = self.site.by_category[slug][(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        items = "".join(self.news_item(a, variant=i + page) for i, a in enumerate(articles))
        main = (
            '<main class="page"><div class="row"><section class="category">'
            f'<h1 class="category-title">{e(CATEGORY_NAMES[slug])}</h1>'
            f'<div class="news-list">{items}</div>{self.pagination(slug, page)}'
            f"</section>{self.top_news_block()}</div></main>"
        )
        return self.page(CATEGORY_NAMES[slug], main, active=slug)

    def pagination(self, slug: str, page: int) -> str:
        last = self.category_pages(slug)
        numbers = sorted({1, last, *range(max(1, page - 3), min(last, page + 3) + 1)})
        links = []
        for n in numbers:
            href = f"/category/{slug}" if n == 1 else f"/category/{slug}?page={n}"
            links.append(f'<li{ACTIVE if n == page else ""}><a href="{href}">{n}</a></li>')
        if page < last:
            links.append(
                f'<li class="next"><a href="/category/{slug}?page={page + 1}">Келесі »</a></li>'
            )
        return f'<ul class="pagination">{"".join(links)}</ul>'

    def sitemap(self) -> str:
        urls = "".join(
            f"<url><loc>{e(self.canonical(a))}</loc><lastmod>{a.published.isoformat()}</lastmod></url>\n"
            for a in self.site.by_date
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n"
        )

    def rss(self, limit: int = 50) -> str:
        items = "".join(
            f"<item><title>{e(a.title)}</title><link>{e(self.canonical(a))}</link>"
            f"<pubDate>{format_datetime(datetime.combine(a.published, PUBLISHED_AT, UTC))}"
            "</pubDate></item>\n"
            for a in self.site.by_date[:limit]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            f"<title>{e(corpus.SITE_NAME)}</title><link>{e(self.origin)}/</link>\n{items}</channel></rss>\n"
        )

    def robots(self) -> str:
        rules = "User-agent: *\nDisallow: /search\nDisallow: /admin/\n"
        return f"{rules}\nSitemap: {self.origin}/sitemap.xml\n"

    def not_found(self) -> str:
        main = '<main class="page"><h1>404</h1><p>Бет табылмады.</p></main>'
        return self.page("404", main)


def is_name_line(line: str) -> bool:
    """Signature lines that start with a SURNAME in capitals are set in bold."""
    first = line.split(maxsplit=1)[0] if line.strip() else ""
    return len(first) > 1 and first.isupper() and first.isalpha()
