"""The commands that read an archive in the terminal: ``stats``, ``show``, ``search``, ``export``.

The questions are asked in ``kazscraper.archive`` (queries, search, export); this module
prints the answers.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import asdict
from typing import TYPE_CHECKING

import click

from kazscraper.cli.default_archive import check_site, open_archive
from kazscraper.cli.options import (
    SQLITE_INT_MAX,
    finite,
    read_db_option,
    refuse_overwrite,
    since_date,
    site_filter_option,
)

if TYPE_CHECKING:
    from kazscraper.archive.queries import ArticleView

# stats: one line per run, side by side
RUN_ROW = "  {:>4} {:<25} {:<8} {:<9} {:>6} {:>5} {:>5} {:>5} {:>5}  {:>6} {:>6} {:>6} {:>6}"
FILL_COLUMNS = ("title", "body", "published_date", "authors")


@click.command()
@read_db_option
@click.option(
    "--runs", type=click.IntRange(min=1, max=SQLITE_INT_MAX), default=10, show_default=True
)
@site_filter_option
def stats(db_path: str, runs: int, site: str | None) -> None:
    """Summarise an archive: counts, date range, categories, recent runs.

    With --site: that site's articles (and their authors, addresses, versions,
    related links) and the runs that crawled it; failures have no site and are
    left out.

    \b
    Examples:
      kazscraper stats --db archive/demo.sqlite
      kazscraper stats --db archive/press.sqlite --site abai.kz
    """
    from kazscraper.archive import queries

    with open_archive(db_path) as archive:
        check_site(archive, site)
        found = queries.summary(archive.db, runs=runs, site=site)
        labels = queries.site_labels(archive.db)
    click.echo(f"Archive {db_path}" + (f", site {site}" if site else ""))
    if site is None and len(labels) > 1:
        click.echo(f"  sites             {', '.join(labels)}")
    for table, n in found.counts.items():
        click.echo(f"  {table:<17} {n:>8}")
    first, last = found.first_published or "-", found.last_published or "-"
    click.echo(f"  published         {first} .. {last}")
    click.echo("Categories:")
    for name, n in found.categories:
        click.echo(f"  {name:<20} {n:>8}")
    click.echo("Recent runs (fill rates: share of the run's article pages with the field):")
    header = ("id", "started", "command", "status", "pages", "new", "upd", "same", "fail")
    click.echo(RUN_ROW.format(*header, *(f[:6] for f in FILL_COLUMNS)))
    for run in found.runs:
        fills = run.fill_rates
        rates = (f"{fills[f]:.0%}" if fills.get(f) is not None else "-" for f in FILL_COLUMNS)
        row = (
            run.id,
            run.started_at,
            run.command,
            run.status,
            run.pages_fetched,
            run.articles_new,
            run.articles_updated,
            run.articles_unchanged,
            run.failures,
        )
        values = (v if v is not None else "-" for v in row)
        click.echo(RUN_ROW.format(*values, *rates))


@click.command()
@click.argument("query")
@click.option(
    "--since", callback=since_date, help="Only articles published on or after YYYY-MM-DD."
)
@click.option(
    "--until", callback=since_date, help="Only articles published on or before YYYY-MM-DD."
)
@click.option("--author", help="Only articles by an author whose name contains this (any case).")
@click.option(
    "--limit", type=click.IntRange(min=1, max=SQLITE_INT_MAX), default=20, show_default=True
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object with the total and the hits (for scripts).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0),
    callback=finite,
    default=5.0,
    show_default=True,
    help="Stop a search that runs longer than this many seconds.",
)
@site_filter_option
@read_db_option
def search(
    query: str,
    since: str | None,
    until: str | None,
    author: str | None,
    limit: int,
    fmt: str,
    time_limit: float,
    site: str | None,
    db_path: str,
) -> None:
    """Full-text search of titles and bodies, best matches first.

    Case does not matter, Kazakh letters included (ҚАЗАҚСТАН = қазақстан), and
    each word also finds its suffixed forms (Каспий finds Каспийдің). A query
    with quotes, *, AND, OR, NOT or NEAR is passed to SQLite FTS5 as it is.
    Prints date, title and id (for `show`), URL, authors and a snippet with the
    match in [brackets], then how many articles match in all and how many are shown.

    \b
    Examples:
      kazscraper search Каспий --db archive/demo.sqlite
      kazscraper search 'ҚАЗАҚСТАН' --since 2025-01-01 --until 2025-06-30 --author ахметова
      kazscraper search '"су тасқыны" OR су*' --limit 5 --format json | jq .total
      kazscraper search Абай --site abai.kz --db archive/press.sqlite
    """
    from kazscraper.archive.search import SearchTooSlow, count_matches
    from kazscraper.archive.search import search as run_search

    if not query.strip():
        raise click.UsageError("empty query: give a word to search for")
    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    with open_archive(db_path) as archive:
        check_site(archive, site)
        try:
            hits = run_search(
                archive.db,
                query,
                limit=limit,
                since=since,
                until=until,
                author=author,
                time_limit=time_limit,
                site=site,
            )
            total = (
                count_matches(
                    archive.db,
                    query,
                    since=since,
                    until=until,
                    author=author,
                    time_limit=time_limit,
                    site=site,
                )
                if len(hits) == limit
                else len(hits)
            )
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="QUERY") from exc
        except SearchTooSlow as exc:
            raise click.ClickException(str(exc)) from exc
    if fmt == "json":
        payload = {"query": query, "total": total, "shown": len(hits)}
        payload["hits"] = [asdict(hit) for hit in hits]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for n, hit in enumerate(hits, start=1):
        title = f"{hit.title} (#{hit.article_id})"  # the id `kazscraper show` takes
        click.echo(f"{n:>3}. {hit.published_date or '----------'}  {title}")
        click.echo(f"     {hit.url}")
        if hit.authors:
            click.echo(f"     {'; '.join(hit.authors)}")
        click.echo(f"     {hit.snippet}")
    click.echo(matches_line(total, len(hits)), err=True)


@click.command()
@click.argument("article")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@read_db_option
def show(article: str, fmt: str, db_path: str) -> None:
    """Show one archived article as a reader sees it, with its history.

    ARTICLE is its id (as `search` prints it in --format json, or Datasette
    shows it) or any URL that led to it (mirror and alias addresses too).
    Prints the title, date, category, authors and body, the similar-news and
    top-news blocks as last captured, the earlier versions of an edited article,
    its addresses, and every capture of its pages (WARC file and offset).

    \b
    Examples:
      kazscraper show 12 --db archive/demo.sqlite
      kazscraper show https://qazdauiri.kz/news/some-slug --format json
    """
    from kazscraper.archive import queries

    with open_archive(db_path) as archive:
        article_id = queries.find_article_id(archive.db, article)
        view = queries.article_view(archive.db, article_id) if article_id is not None else None
    if view is None:
        raise click.BadParameter(f"no article {article!r} in {db_path}", param_hint="'ARTICLE'")
    if fmt == "json":
        click.echo(json.dumps(asdict(view), ensure_ascii=False, indent=2))
        return
    for line in article_lines(view):
        click.echo(line)


_BLOCK_NAMES = {"similar": "Ұқсас жаңалықтар (similar news)", "top": "Топ жаңалықтар (top news)"}


def article_lines(view: ArticleView) -> Iterator[str]:
    """``kazscraper show``'s text: the article first, its history after."""
    a = view.article
    yield f"#{a['id']} · version {a['version']} · {a['url']}"
    yield ""
    yield a["title"] or "(no title)"
    facts = [a["published_at"] or a["published_date"] or "no date", a["category"], a["language"]]
    yield " · ".join(str(f) for f in facts if f)
    if view.authors:
        yield "Authors: " + "; ".join(view.authors)
    yield ""
    yield from (a["body"] or "(no body)").split("\n")
    for kind, entries in view.related.items():
        yield ""
        yield f"{_BLOCK_NAMES.get(kind, kind)}, as captured {entries[0]['captured_at']}:"
        for entry in entries:
            target = f" (#{entry['linked_article_id']})" if entry["linked_article_id"] else ""
            yield f"  {entry['rank']}. {entry['title']}{target}"
            if entry["url"]:
                yield f"     {entry['url']}"
    yield ""
    if view.versions:
        yield f"Earlier versions ({len(view.versions)}):"
        for version in view.versions:
            yield (
                f"  v{version['version']}: seen {version['first_seen_at']},"
                f" replaced {version['superseded_at']}: {version['title']}"
            )
    else:
        yield "Earlier versions: none"
    yield f"Addresses ({len(view.urls)}): " + ", ".join(view.urls)
    yield f"Captures ({len(view.captures)}):"
    for capture in view.captures:
        yield (
            f"  {capture['fetched_at']}  {capture['status']} {capture['record_type']:<8}"
            f" {capture['warc_file']}@{capture['offset']}  {capture['url']}"
        )
    yield f"First seen {a['first_seen_at']}, last seen {a['last_seen_at']}."


def matches_line(total: int, shown: int) -> str:
    """``3 matches``, ``1 match``, ``no matches``, or ``108 matches, 5 shown (--limit)``."""
    if total == 0:
        return "no matches"
    line = f"{total} match{'' if total == 1 else 'es'}"
    return line if shown == total else f"{line}, {shown} shown (--limit)"


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option(
    "--since", callback=since_date, help="Only articles published on or after YYYY-MM-DD."
)
@click.option(
    "--until", callback=since_date, help="Only articles published on or before YYYY-MM-DD."
)
@click.option(
    "--out", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="[default: stdout]"
)
@site_filter_option
@read_db_option
def export(
    fmt: str, since: str | None, until: str | None, out: str, site: str | None, db_path: str
) -> None:
    """Export articles (with their authors) in publication order, streaming.

    JSONL: one object per line, UTF-8 (Kazakh letters as they are), authors and
    tags as lists. CSV: UTF-8 with a byte-order mark so spreadsheets read it
    right, a header row, authors and tags joined with '; '. With --since or
    --until, articles without a publication date are left out.

    \b
    Examples:
      kazscraper export --format jsonl --db archive/demo.sqlite > articles.jsonl
      kazscraper export --format csv --since 2025-01-01 --until 2025-12-31 --out 2025.csv
      kazscraper export --site qazdauiri --db archive/press.sqlite > qazdauiri.jsonl
    """
    import io

    from kazscraper.archive.export import iter_articles, write_csv, write_jsonl

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    if out != "-":
        refuse_overwrite(out, db_path, "--out", "the export")
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with open_archive(db_path) as archive:
        check_site(archive, site)
        if out == "-":
            sys.stdout.flush()
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        else:
            try:
                stream = open(out, "w", encoding=encoding, newline="")  # noqa: SIM115
            except OSError as exc:
                raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
        try:
            records = iter_articles(archive.db, since=since, until=until, site=site)
            n = (write_csv if fmt == "csv" else write_jsonl)(records, stream)
            stream.flush()
        except OSError as exc:  # a full disk, a closed pipe
            where = "stdout" if out == "-" else out
            if out == "-":  # what is left in stdout's buffer must not fail again at exit
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise click.ClickException(f"cannot write {where}: {exc.strerror}") from exc
        finally:
            with suppress(OSError):  # the error, if any, is reported above
                if out == "-":
                    stream.detach()
                else:
                    stream.close()
    click.echo(f"{n} articles -> {'stdout' if out == '-' else out}", err=True)
