"""The canned queries Datasette offers on an archive, and the SQL each runs.

Each uses its view when the file has the view with the expected columns, and the base
tables otherwise (an archive from an older version has no views).
"""

from __future__ import annotations

from typing import Any

PER_MONTH_VIEW = """\
SELECT month, sum(count) AS articles
FROM articles_per_month
WHERE month IS NOT NULL
GROUP BY month
ORDER BY month DESC"""

PER_MONTH_TABLES = """\
SELECT substr(published_date, 1, 7) AS month, count(*) AS articles
FROM articles
WHERE published_date IS NOT NULL
GROUP BY month
ORDER BY month DESC"""

TOP_AUTHORS = """\
SELECT au.name AS author, count(DISTINCT a.id) AS articles,
       min(a.published_date) AS first_date, max(a.published_date) AS last_date
FROM article_authors aa
JOIN authors au ON au.id = aa.author_id
JOIN articles a ON a.id = aa.article_id
WHERE :year = '' OR substr(a.published_date, 1, 4) = :year
GROUP BY au.id
ORDER BY articles DESC, author
LIMIT 100"""

TOP_NEWS_VIEW = """\
SELECT title, url, days_in_top, times_seen, best_rank, worst_rank, first_seen, last_seen,
       linked_article_id
FROM top_news_history
ORDER BY days_in_top DESC, times_seen DESC, best_rank, title
LIMIT 100"""

# without the view: only the captures in which the block changed count
TOP_NEWS_TABLES = """\
SELECT coalesce(a.title, max(r.title)) AS title, r.url,
       count(DISTINCT substr(r.captured_at, 1, 10)) AS days_in_top,
       count(DISTINCT r.captured_at) AS times_seen,
       min(r.rank) AS best_rank, max(r.rank) AS worst_rank,
       min(r.captured_at) AS first_seen, max(r.captured_at) AS last_seen,
       max(r.linked_article_id) AS linked_article_id
FROM related_links r
LEFT JOIN articles a ON a.id = r.linked_article_id
WHERE r.kind = 'top'
GROUP BY coalesce(r.url, r.title)
ORDER BY days_in_top DESC, times_seen DESC, best_rank, title
LIMIT 100"""

SEARCH = """\
SELECT a.id, a.published_date, a.title,
       snippet(articles_fts, 1, '[', ']', '…', 16) AS snippet, a.url
FROM articles_fts
JOIN articles a ON a.id = articles_fts.rowid
WHERE :q <> '' AND articles_fts MATCH :q
ORDER BY rank
LIMIT 100"""


def _view(have: dict[str, list[str]], name: str, columns: set[str]) -> bool:
    return columns <= set(have.get(name, []))


def canned_queries(have: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    """Datasette's ``queries`` metadata for a file with these tables and views (name ->
    columns, as ``queries.tables_and_columns`` gives them)."""
    # named unlike every table and view: a canned query hides a table of the same name
    queries: dict[str, dict[str, Any]] = {}
    if "articles" in have:
        queries["articles_by_month"] = {
            "title": "Articles per month",
            "description": "How many articles were published each month, newest first.",
            "sql": (
                PER_MONTH_VIEW
                if _view(have, "articles_per_month", {"month", "count"})
                else PER_MONTH_TABLES
            ),
        }
    if {"articles", "authors", "article_authors"} <= have.keys():
        queries["top_authors"] = {
            "title": "Top authors",
            "description": (
                "Authors by number of articles in a year (e.g. 2025); "
                "leave the year empty for all years."
            ),
            "sql": TOP_AUTHORS,
        }
    if "related_links" in have:
        columns = {"title", "url", "days_in_top", "times_seen", "best_rank", "worst_rank"}
        columns |= {"first_seen", "last_seen", "linked_article_id"}
        queries["longest_in_top_news"] = {
            "title": "Top-news history",
            "description": (
                "The articles that stayed longest in the «Топ жаңалықтар» (top news) block: "
                "days on which an archived page showed them there, and their ranks."
            ),
            "sql": TOP_NEWS_VIEW if _view(have, "top_news_history", columns) else TOP_NEWS_TABLES,
        }
    if {"articles", "articles_fts"} <= have.keys():
        queries["full_text_search"] = {
            "title": "Full-text search",
            "description": (
                "Articles whose title or body match q, best first. FTS5 syntax: words "
                '(all must occur), "a phrase", OR, prefix* (Қазақ* finds Қазақстан and '
                "Қазақстанның). Case-insensitive for Kazakh letters: ҚАЗАҚСТАН = Қазақстан."
            ),
            "sql": SEARCH,
        }
    return queries
