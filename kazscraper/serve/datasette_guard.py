"""A Datasette plugin that ``kazscraper serve`` registers: full-text queries are bounded.

Datasette's ``sql_time_limit_ms`` is a progress handler, and SQLite calls it only
between the steps of a statement; FTS5 does a complex query's work (a NEAR of
1,000 prefix terms) inside single steps, so that query ran 80 s under a 5 s limit.
This wrapper refuses, with HTTP 400 and one line of text, a request whose
full-text query is past ``archive.search.FTS_LIMITS`` before Datasette runs it: the
table page's search (``_search``, ``_search_<column>``, raw mode or not), the
``full_text_search`` canned query (``q``), and the string literals and parameters
of a custom SQL query or ``_where`` clause that names a full-text table or uses
``MATCH`` (``articles_fts MATCH '…'``, ``articles_fts = '…'``, ``articles_fts('…')``).
Other custom SQL keeps Datasette's time limit only.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from datasette import hookimpl

from kazscraper.archive.search import QueryTooComplex, check_fts_query

Asgi = Callable[[dict[str, Any], Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]], Any]
_SQL_STRING = re.compile(r"'(?:[^']|'')*'")


def refusal(query_string: str) -> str | None:
    """Why the request's full-text query is refused, or None."""
    params = parse_qsl(query_string, keep_blank_values=True)
    # SQL from the request: a custom query and a table page's ``_where`` clauses
    sql = " ".join(v for k, v in params if k in ("sql", "_where"))
    lowered = sql.lower()
    # a full-text query is spelt ``MATCH``, ``<table>_fts = '…'`` or ``<table>_fts('…')``
    uses_match = "match" in lowered or "_fts" in lowered
    queries = [
        value
        for key, value in params
        if (key.startswith("_search") and key != "_searchmode")
        or key == "q"
        or (uses_match and not key.startswith("_") and key != "sql")
    ]
    if uses_match:
        queries += [literal[1:-1].replace("''", "'") for literal in _SQL_STRING.findall(sql)]
    for query in queries:
        try:
            check_fts_query(query)
        except QueryTooComplex as exc:
            return f"{exc} (a full-text query is bounded so that it cannot run for minutes)"
    return None


@hookimpl
def asgi_wrapper(datasette: Any) -> Callable[[Asgi], Asgi]:
    def wrap(app: Asgi) -> Asgi:
        async def guarded(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope.get("type") == "http":
                problem = refusal(scope.get("query_string", b"").decode("utf-8", "replace"))
                if problem:
                    headers = [(b"content-type", b"text/plain; charset=utf-8")]
                    await send({"type": "http.response.start", "status": 400, "headers": headers})
                    await send({"type": "http.response.body", "body": problem.encode() + b"\n"})
                    return
            await app(scope, receive, send)

        return guarded

    return wrap
