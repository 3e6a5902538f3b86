"""Datasette metadata for an archive: titles, descriptions, the search box, canned queries.

``build_metadata(db_path)`` looks at the tables and views the file actually has, so
an archive from an older version (without the analysis views) still gets working
metadata: each canned query (``archive.canned``) uses its view when the view exists with
the expected columns and the base tables otherwise. Table and column descriptions come
from the file's own ``schema_descriptions`` table (written by the archive's migrations),
else from this version's (``archive.queries.tables_and_descriptions``). ``kazscraper
serve`` writes the result to a JSON file and hands it to ``datasette serve --metadata``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kazscraper.archive.canned import canned_queries
from kazscraper.archive.queries import crawl_commands, tables_and_descriptions

TITLE = "qazdauiri.kz archive"
DESCRIPTION = (
    "Articles of the Kazakh news site qazdauiri.kz («Қазақстан дәуірі»), archived by "
    "kazscraper. The search box of the articles table searches titles and bodies "
    "(FTS5, case-insensitive for Kazakh letters: ҚАЗАҚСТАН finds Қазақстан)."
)
SOURCE_URL = "https://qazdauiri.kz/"
# an archive of `kazscraper demo`: generated pages in qazdauiri.kz's layout, not the site
DEMO_DESCRIPTION = (
    "Articles of kazscraper's offline replica of qazdauiri.kz (`kazscraper demo`: generated "
    "pages in the site's layout, not the real site)." + DESCRIPTION[DESCRIPTION.index(". ") + 1 :]
)

# binary MinHash signatures and the migration log: nothing for a reader
HIDDEN = ("article_minhash", "article_lsh", "_sqlite_migrations")

# Datasette's own templates, overridden where the archive's first screen needs it
TEMPLATES = Path(__file__).with_name("templates")
# a table page shows this many characters of a cell; the row page (one click) shows it whole
TRUNCATE_CELLS = 300


def build_metadata(db_path: str | Path, database: str | None = None) -> dict[str, Any]:
    """Datasette metadata for the archive at ``db_path`` (opened read-only).

    ``database`` is the name Datasette gives the file (its stem by default).
    """
    have, described = tables_and_descriptions(db_path)
    database = database or Path(db_path).stem
    # column descriptions get a page of their own (the schema_descriptions table): above a
    # table they pushed its search box and rows a screen and a half down
    own_page = "schema_descriptions" in have and "schema_descriptions" in described
    tables: dict[str, dict[str, Any]] = {}
    for name in sorted(have):
        about, columns = described.get(name, ("", {}))
        meta: dict[str, Any] = {}
        if about:
            meta["description"] = about
        if columns and own_page:
            link = f"/{quote(database)}/schema_descriptions?table_name={quote(name)}"
            meta["description_html"] = (
                f'{escape(about)} <a href="{escape(link)}">What each column holds</a>.'
            )
        elif columns:
            meta["columns"] = columns
        if name in HIDDEN:
            meta["hidden"] = True
        if meta:
            tables[name] = meta
    if "articles" in have:
        articles = tables.setdefault("articles", {})
        articles.update({"label_column": "title", "sort_desc": "published_date"})
        articles["facets"] = ["category"]
        if "articles_fts" in have:
            # the default search mode quotes each word, so punctuation cannot break it;
            # ?_searchmode=raw in the URL allows FTS5 syntax (OR, prefix*)
            articles.update({"fts_table": "articles_fts", "fts_pk": "id"})
    if "authors" in have:
        tables.setdefault("authors", {})["label_column"] = "name"
    source: dict[str, Any] = {"source": "qazdauiri.kz", "source_url": SOURCE_URL}
    title, description = TITLE, DESCRIPTION
    if is_demo(db_path):  # the offline replica, not the real site
        source = {"source": "kazscraper's offline replica of qazdauiri.kz (kazscraper demo)"}
        title = f"{TITLE} (demo: the offline replica)"
        description = DEMO_DESCRIPTION
    return {
        "title": title,
        "description": description,
        **source,
        "databases": {
            database: {
                "description": description,
                "tables": tables,
                "queries": canned_queries(have),
            }
        },
    }


def is_demo(db_path: str | Path) -> bool:
    """Whether every run that wrote the archive at ``db_path`` crawled the offline replica
    (``kazscraper demo``; reparses write no pages of their own)."""
    commands = crawl_commands(db_path)
    return "demo" in commands and not commands - {"demo", "reparse"}
