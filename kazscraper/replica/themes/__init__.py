"""Themed replica sites: four CMS families Kazakh newsrooms use, each with its ground truth.

The qazdauiri replica (``kazscraper.replica``) is one site whose markup we wrote a profile
for. These are sites kazscraper has never seen, the measuring instrument of a first crawl
with ``kazscraper crawl --site URL`` (``bench/sites.py``): each theme dresses the same kind
of deterministic content (``content.ThemeContent``: Kazakh from the replica's corpus, a
third in Russian, ~120 articles by default) in its own furniture, URLs, pagination, date
and author conventions, block markup and discovery files, and knows the truth for every
article (``Theme.truth(origin)``: title, body, people, publication time with the site's
offset +05:00, language, similar/top block links).

| theme | imitates | discovery | pagination | blocks (kk / ru) |
|---|---|---|---|---|
| ``wordpress`` | a WordPress news theme with Jetpack, Yoast, Polylang | ``/wp-sitemap.xml`` index, ``/feed/`` | ``/page/N/`` | «Ұқсас жаңалықтар» + «Көп оқылған» / «Похожие новости» + «Популярное» |
| ``bitrix`` | 1C-Bitrix, stock news.list / news.detail templates | RSS only | ``?PAGEN_1=N`` | «Оқи отырыңыз» + «Көп оқылған» / «Читайте также» + «Популярное» |
| ``drupal`` | Drupal 10, pathauto, Views blocks, simple_sitemap | ``/sitemap.xml`` index of ``?page=N`` | 0-based ``?page=N``, query-only links | "Taqyrypqa qatysty" + "Most read" / "Related" + "Most read" |
| ``handmade`` | a hand-made Laravel/Yii site | none | "load more" ``?page=N``, endless | «Тақырыпқа қатысты» + «Оқырман таңдауы» (unknown label) / «Похожие новости» + «Выбор читателей» |

The hard cases each theme holds are in its module docstring and its ``hard_cases``;
in all of them: a header "today" date widget, teaser lists in sidebars that are not
blocks, accounts («Редакция», «Admin») as authors on some posts and no author on others,
short two-paragraph posts (every ninth), attachments and photos linked from some posts,
tag pages with their own pagination, Kazakh and Russian sections. The WordPress theme's
``reach`` option (``get_theme("wordpress", reach="pages")``, ``"sitemap"``) leaves one way
alone to its older posts: the ``/page/N/`` pagination, or the sitemap index robots.txt names.
Every theme's ``layout`` option (``get_theme("drupal", layout="2")``) is the same site after
a redesign: the same articles, URLs and truth in other markup (the title, body container,
date element and its format, author links, blocks); ``ThemeServer.use(theme)`` switches a
running server to it, so that the next crawl of the same origin meets the new layout.

    >>> theme = get_theme("bitrix", n_articles=120)          # doctest: +SKIP
    >>> with ThemeServer(theme) as server:                   # doctest: +SKIP
    ...     truth = theme.truth(server.origin)
"""

from __future__ import annotations

from kazscraper.replica.themes.base import Theme
from kazscraper.replica.themes.bitrix import BitrixTheme
from kazscraper.replica.themes.drupal import DrupalTheme
from kazscraper.replica.themes.handmade import HandmadeTheme
from kazscraper.replica.themes.server import ThemeServer
from kazscraper.replica.themes.wordpress import WordPressTheme

THEMES: dict[str, type[Theme]] = {
    cls.name: cls for cls in (WordPressTheme, BitrixTheme, DrupalTheme, HandmadeTheme)
}


def get_theme(name: str, n_articles: int = 120, seed: int = 1, **options: str) -> Theme:
    """The themed site ``name`` (one of ``THEMES``) with ``n_articles`` articles, and the
    theme's own ``options`` (``layout`` of every theme: ``"2"`` a redesign; ``reach`` of
    ``wordpress``)."""
    try:
        cls = THEMES[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; known: {', '.join(THEMES)}") from None
    return cls(n_articles, seed, **options)


__all__ = ["THEMES", "Theme", "ThemeServer", "get_theme"]
