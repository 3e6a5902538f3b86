"""Profile of qazdauiri.kz («Қазақстан дәуірі»).

The real site is unreachable from our machines and its markup is unknown, so
the CSS selectors below describe the replica (``kazscraper.replica``), built to
render the visible text of a real article page. They are the second layer of
extraction only: structured metadata comes first, and the label-anchored
blocks («Ұқсас жаңалықтар», «Топ жаңалықтар») and the signature block do not
depend on class names. When the real markup differs, this is the file to edit
(check a saved page with ``kazscraper parse page.html``).
"""

from kazscraper.sites import Selectors, SiteProfile

PROFILE = SiteProfile(
    name="qazdauiri",
    origin="https://qazdauiri.kz",
    mirror_hosts=("image.qazdauiri.kz", "www.qazdauiri.kz", "m.qazdauiri.kz"),
    start_paths=("/",),
    sitemap_paths=("/sitemap.xml",),
    feed_paths=("/rss",),
    article_path=r"^/news/[A-Za-z0-9_-]+/?$",
    listing_paths=(r"^/?$", r"^/category/[A-Za-z0-9_-]+/?$"),
    selectors=Selectors(
        title="article h1, h1.news-title",
        body="div.news-text",
        paragraphs="p",
        category="nav.main-menu li.active a",
        tags="div.tags a",
        image="div.news-image img::attr(src)",
        views="span.views-count",
        listing_item="div.news-item",
    ),
    similar_labels=("Ұқсас жаңалықтар", "Ұқсас материалдар", "Похожие новости"),
    top_labels=("Топ жаңалықтар", "Көп оқылғандар", "Популярное"),
    interface_strings=("Show more", "Толығырақ", "Көбірек", "Read more", "Подробнее"),
    # below these fill rates the layout has probably changed: the run exits 3.
    # 'body:profile': the body found by the selectors above, not rescued by the generic layer
    health_thresholds={
        "title": 0.95,
        "body": 0.95,
        "published_date": 0.95,
        "authors": 0.5,
        "body:profile": 0.9,
    },
)
