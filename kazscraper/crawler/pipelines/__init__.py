"""Item pipelines: extract → clean → validate → dedup → store, one per module.

Each pipeline is a thin adapter over pure code (``extract/``, ``clean/``) or the
archive; order and numbers are in ``settings.ITEM_PIPELINES``. A page that cannot
become an article is dropped with ``PageRejected`` (a ``DropItem`` carrying the URL,
stage and reason), which the last pipeline hands on as a failure record; the crawl goes
on. Everything is counted in the crawler stats under ``kazscraper/``. The store
pipeline hands its records to the archive's one sink (``archive.sink``) through the
run's archive owner; it opens no connection of its own. In a crawl of several sites each
item carries its site's label (``PageItem.site``, ``Article.site``) and every stage reads
it with that site's profile (``profile_for``).
"""
