"""The ``kazscraper`` command line.

Commands: ``crawl`` (the main job), ``demo`` (crawl the offline replica),
``replica serve``, ``stats``, ``parse``, and for analysts ``search`` and
``export`` (thin wrappers of ``kazscraper.analysis``). Library errors become one-line
messages; exit codes are documented in README.md (0 ok, 1 failed, 2 usage).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from w3lib.encoding import html_to_unicode

from kazscraper.archive import Archive, ArchiveError
from kazscraper.crawl import (
    EXIT_LOCKED,
    AlreadyRunning,
    CrawlOptions,
    CrawlResult,
    run_crawl,
    run_reparse,
)
from kazscraper.sites import get_profile, profile_for_url

DEFAULT_DB = "archive/qazdauiri.sqlite"
DEMO_DB = "archive/demo.sqlite"
# stats: one line per run, side by side
RUN_ROW = "  {:>4} {:<25} {:<8} {:<9} {:>6} {:>5} {:>5} {:>5} {:>5}  {:>6} {:>6} {:>6} {:>6}"
FILL_COLUMNS = ("title", "body", "published_date", "authors")
LOG_LEVELS = click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False)


def _http_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter(f"{value!r} is not an http(s) URL")
    return value


def _default_db_for(start_url: str | None) -> str:
    """The real site's archive, or one named after another host (never mixed)."""
    if start_url is None:
        return DEFAULT_DB
    netloc = urlsplit(start_url).netloc
    if netloc == get_profile("qazdauiri").netloc:
        return DEFAULT_DB
    return f"archive/{netloc.replace(':', '-')}.sqlite"


def _profile_note(start_url: str | None) -> str | None:
    """One line saying which profile a crawl of another host uses (None for qazdauiri.kz
    and for a replica on this machine, which the qazdauiri profile serves as it is)."""
    from kazscraper.crawl import is_loopback

    if start_url is None or is_loopback(start_url):
        return None
    site = get_profile("qazdauiri")
    netloc = urlsplit(start_url).netloc.lower()
    if netloc in site.site_netlocs:
        return None
    return (
        f"profile: qazdauiri (its paths and selectors, rebased on {netloc}); pages it does not"
        " match are read by the generic layer"
    )


class OneLineErrors(click.Group):
    """Errors as one line on stderr (cron mails and log greps read one line), exit 2 for usage.

    ``kazscraper crawl: Error: Invalid value for '--since': ... (see 'kazscraper crawl --help')``
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            path = exc.ctx.command_path if exc.ctx else "kazscraper"
            message = " ".join(exc.format_message().split())
            click.echo(f"{path}: Error: {message} (see '{path} --help')", err=True)
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            click.echo(f"Error: {' '.join(exc.format_message().split())}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("Aborted.", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kazscraper")
def main() -> None:
    """Crawl the Kazakh news site qazdauiri.kz into a SQLite archive.

    \b
    Examples:
      kazscraper demo                      # offline: crawl a local replica
      kazscraper crawl                     # the real site into archive/qazdauiri.sqlite
      kazscraper stats
    """


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def crawl_options(func: Callable) -> Callable:
    """Options shared by ``crawl`` and ``demo``: how much to fetch, where to log."""
    options = [
        click.option(
            "--full", is_flag=True, help="Walk every listing page and revisit every article."
        ),
        click.option(
            "--since", callback=_since, help="Backfill bound: skip articles before YYYY-MM-DD."
        ),
        click.option(
            "--revisit-days",
            type=click.IntRange(min=0),
            default=7,
            show_default=True,
            help="Revisit articles published in the last N days (conditional GET) to catch edits.",
        ),
        click.option(
            "--stop-after",
            type=click.IntRange(min=1),
            default=2,
            show_default=True,
            help="Stop a category's pagination after N pages in a row with nothing new.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0, max=16),
            default=0,
            show_default=True,
            help="Extract pages in N worker processes (uses more cores; 0: in the crawl process).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            default=30.0,
            show_default=True,
            help="Give up on a response after this many seconds (then retried, then recorded).",
        ),
        click.option(
            "--log-file",
            type=click.Path(dir_okay=False),
            help="[default: <archive dir>/logs/<name>-<time>.log]",
        ),
        click.option(
            "--log-level",
            type=LOG_LEVELS,
            default="INFO",
            show_default=True,
            help="Of the log file.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command()
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), help=f"Archive file [default: {DEFAULT_DB}]"
)
@click.option("--start-url", callback=_http_url, help="Start here instead of the site's home page.")
@click.option(
    "--mirror",
    "mirrors",
    multiple=True,
    callback=lambda c, p, v: tuple(_http_url(c, p, m) for m in v),
    help="An origin that serves the same site (repeatable); its links count as the site's.",
)
@click.option(
    "--max-articles", type=click.IntRange(min=1), help="Fetch at most this many article pages."
)
@crawl_options
def crawl(
    db_path: str | None, start_url: str | None, mirrors: tuple[str, ...], **kwargs: Any
) -> None:
    """Crawl qazdauiri.kz (or --start-url) into the archive.

    Discovers articles through the sitemap, the RSS feed, the category pages
    and links between articles; extracts, cleans and deduplicates them, and
    writes them to SQLite. Incremental by default: articles already archived
    are not fetched again unless published in the last --revisit-days.
    One run at a time per archive; exit codes: 0 ok, 1 failed, 2 usage,
    3 health check failed (the site's layout probably changed), 75 another
    run holds the archive.

    \b
    Examples:
      kazscraper crawl
      kazscraper crawl --db /data/qazdauiri.sqlite --max-articles 100
      kazscraper crawl --full --since 2025-01-01
      kazscraper crawl --start-url http://127.0.0.1:8000/ --mirror http://127.0.0.1:8001
    """
    db = db_path or _default_db_for(start_url)
    if (note := _profile_note(start_url)) is not None:
        click.echo(note, err=True)
    options = CrawlOptions(db_path=db, start_url=start_url, mirrors=mirrors, **kwargs)
    options.arguments = {
        k: v for k, v in asdict(options).items() if k not in ("arguments", "command")
    }
    _run_and_exit(options)


@main.command()
@click.option("--articles", type=click.IntRange(min=6), default=300, show_default=True)
@click.option(
    "--db", "db_path", type=click.Path(dir_okay=False), default=DEMO_DB, show_default=True
)
@crawl_options
def demo(articles: int, db_path: str, **kwargs: Any) -> None:
    """Serve the offline replica on loopback and crawl it into an archive.

    Needs no network: this is how to see kazscraper work on a new machine.
    The replica has exactly ARTICLES articles, the real seed article among them.

    \b
    Example:
      kazscraper demo --articles 300 --db /tmp/a.sqlite
    """
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    with ReplicaServer(ReplicaSite(articles)) as server:
        click.echo(
            f"Replica of {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
            err=True,
        )
        options = CrawlOptions(
            db_path=db_path,
            command="demo",
            start_url=server.origin + "/",
            mirrors=(server.mirror_origin,),
            **kwargs,
        )
        options.arguments = {
            "db": db_path,
            "articles": articles,
            "start_url": server.origin + "/",
            "mirrors": [server.mirror_origin],
        }
        _run_and_exit(options)


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True, dir_okay=False),
    default=DEFAULT_DB,
    show_default=True,
)
@click.option("--log-file", type=click.Path(dir_okay=False))
@click.option("--log-level", type=LOG_LEVELS, default="INFO", show_default=True)
def reparse(db_path: str, log_file: str | None, log_level: str) -> None:
    """Rebuild the article tables from the archive's WARC files, with no network.

    Every archived article page goes through the extraction pipelines again, in
    capture order: after an extractor or profile fix, this brings the whole
    archive up to date. Captures, crawls and failures are kept.

    \b
    Example:
      kazscraper reparse --db archive/qazdauiri.sqlite
    """
    options = CrawlOptions(
        db_path=db_path, command="reparse", log_file=log_file, log_level=log_level
    )
    options.arguments = {"db": db_path}
    _run_and_exit(options, run_reparse)


def _run_and_exit(options: CrawlOptions, run: Callable = run_crawl) -> None:
    """Run the crawl and exit with its code, printing the one-line summary."""
    try:
        Archive(options.db_path).close()  # fail fast, with one line, on a bad archive path
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    options.progress = sys.stderr.isatty()
    started = time.monotonic()
    try:
        result = run(options)
    except AlreadyRunning as exc:
        click.echo(f"kazscraper: {exc}", err=True)
        sys.exit(EXIT_LOCKED)
    result.stats["kazscraper/elapsed_seconds"] = round(time.monotonic() - started, 1)
    click.echo(summary_line(result, options.db_path))
    sys.exit(result.exit_code)


def summary_line(result: CrawlResult, db: str) -> str:
    s = result.stats
    verdict = {0: "ok", 3: "UNHEALTHY"}.get(result.exit_code, "FAILED")
    pages = s.get("response_received_count") or s.get("kazscraper/reparse/records", 0)
    return (
        f"{verdict}: {pages} pages in {s.get('kazscraper/elapsed_seconds', 0)}s; "
        f"articles {result.count('articles_new')} new, "
        f"{result.count('articles_updated')} updated, "
        f"{result.count('articles_unchanged')} unchanged; "
        f"{result.count('duplicates') + result.count('articles_alias')} duplicates, "
        f"{result.count('failures')} failures "
        f"-> {db}" + ("" if result.exit_code == 0 else f" ({result.reason})")
    )


@main.group()
def replica() -> None:
    """The offline replica of qazdauiri.kz (for tests, benchmarks and demos)."""


@replica.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--mirror-port", type=click.IntRange(0, 65535), default=0, help="[default: any free port]"
)
@click.option("--articles", type=click.IntRange(min=6), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Content seed.")
def replica_serve(port: int, mirror_port: int, articles: int, seed: int) -> None:
    """Serve the replica on 127.0.0.1 until interrupted.

    The second port plays the site's image. mirror host.

    \b
    Example:
      kazscraper replica serve --port 8000 --articles 1000
      kazscraper crawl --start-url http://127.0.0.1:8000/ --mirror http://127.0.0.1:<mirror port>
    """
    from kazscraper.replica.server import ReplicaServer
    from kazscraper.replica.site import ReplicaSite

    try:
        server = ReplicaServer(ReplicaSite(articles, seed=seed), port=port, mirror_port=mirror_port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    click.echo(
        f"Serving {articles} articles at {server.origin}/ (mirror {server.mirror_origin}/)",
        err=True,
    )
    click.echo(f"{server.origin} {server.mirror_origin}")
    sys.stdout.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True, dir_okay=False),
    default=DEFAULT_DB,
    show_default=True,
)
@click.option("--runs", type=click.IntRange(min=1), default=10, show_default=True)
def stats(db_path: str, runs: int) -> None:
    """Summarise an archive: counts, date range, categories, recent runs.

    \b
    Example:
      kazscraper stats --db archive/demo.sqlite
    """
    try:
        archive = Archive(db_path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    with archive:
        db = archive.db
        first, last = db.execute(
            "SELECT min(published_date), max(published_date) FROM articles"
        ).fetchone()
        click.echo(f"Archive {db_path}")
        for table in (
            "articles",
            "authors",
            "article_urls",
            "article_versions",
            "related_links",
            "failures",
        ):
            click.echo(f"  {table:<17} {archive.count(table):>8}")
        click.echo(f"  published         {first or '-'} .. {last or '-'}")
        click.echo("Categories:")
        for name, n in db.execute(
            "SELECT coalesce(category, '(none)'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
        ):
            click.echo(f"  {name:<20} {n:>8}")
        click.echo("Recent runs (fill rates: share of the run's article pages with the field):")
        header = ("id", "started", "command", "status", "pages", "new", "upd", "same", "fail")
        click.echo(RUN_ROW.format(*header, *(f[:6] for f in FILL_COLUMNS)))
        for row in db.execute(
            "SELECT id, started_at, command, status, pages_fetched, articles_new, "
            "articles_updated, articles_unchanged, failures, fill_rates "
            f"FROM crawls ORDER BY id DESC LIMIT {runs}"
        ):
            fills = json.loads(row[-1] or "{}")
            rates = (f"{fills[f]:.0%}" if fills.get(f) is not None else "-" for f in FILL_COLUMNS)
            values = (v if v is not None else "-" for v in row[:-1])
            click.echo(RUN_ROW.format(*values, *rates))


@main.command(context_settings={"ignore_unknown_options": True})
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True, dir_okay=False),
    default=DEFAULT_DB,
    show_default=True,
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0: every interface).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True)
@click.argument("datasette_args", nargs=-1, type=click.UNPROCESSED)
def serve(db_path: str, host: str, port: int, datasette_args: tuple[str, ...]) -> None:
    """Browse and query the archive in Datasette, until interrupted.

    Needs the optional extra: pip install 'kazscraper[datasette]'. Tables and
    columns are described, the articles table has a full-text search box, and
    canned queries answer the usual questions (articles per month, top authors
    of a year, top-news history, full-text search). An older archive is upgraded
    first; then Datasette reads it while crawls go on writing. Arguments after --
    go to `datasette serve`.

    \b
    Examples:
      kazscraper serve --db archive/demo.sqlite      # then open http://127.0.0.1:8001/
      kazscraper serve --port 8080 -- --setting sql_time_limit_ms 10000
    """
    import sqlite3
    import tempfile

    try:
        from datasette.cli import cli as datasette_cli
    except ImportError:
        click.echo(
            "kazscraper: Datasette is not installed: pip install 'kazscraper[datasette]'", err=True
        )
        sys.exit(2)

    from kazscraper.datasette_metadata import build_metadata

    try:
        Archive(db_path).close()  # an older archive gets the current schema and views
    except ArchiveError as exc:
        click.echo(f"kazscraper: warning: {exc}; serving it as it is", err=True)
    try:
        metadata = build_metadata(db_path)
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"cannot read {db_path} as an archive: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="kazscraper-serve-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        click.echo(f"Datasette on http://{host}:{port}/ for {db_path}; Ctrl-C stops it", err=True)
        args = ["serve", db_path, "--metadata", str(metadata_file), "--host", host]
        args += ["--port", str(port), "--setting", "sql_time_limit_ms", "5000", *datasette_args]
        datasette_cli.main(args, prog_name="datasette", standalone_mode=False)


def _open_archive(db_path: str) -> Archive:
    """Open (and upgrade) an archive, or exit with a one-line message."""
    try:
        return Archive(db_path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("query")
@click.option("--since", callback=_since, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--author", help="Only articles by an author whose name contains this (any case).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True, dir_okay=False),
    default=DEFAULT_DB,
    show_default=True,
)
def search(query: str, since: str | None, author: str | None, limit: int, db_path: str) -> None:
    """Full-text search of titles and bodies, best matches first.

    Case does not matter, Kazakh letters included (ҚАЗАҚСТАН = қазақстан), and
    each word also finds its suffixed forms (Каспий finds Каспийдің). A query
    with quotes, *, AND, OR, NOT or NEAR is passed to SQLite FTS5 as it is.
    Prints date, title, URL, authors and a snippet with the match in [brackets].

    \b
    Examples:
      kazscraper search Каспий --db archive/demo.sqlite
      kazscraper search 'ҚАЗАҚСТАН' --since 2025-01-01 --author ахметова --limit 5
      kazscraper search '"су тасқыны" OR су*'
    """
    from kazscraper.analysis import search as run_search

    with _open_archive(db_path) as archive:
        try:
            hits = run_search(archive.db, query, since=since, author=author, limit=limit)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="QUERY") from exc
    for n, hit in enumerate(hits, start=1):
        click.echo(f"{n:>3}. {hit.published_date or '----------'}  {hit.title}")
        click.echo(f"     {hit.url}")
        if hit.authors:
            click.echo(f"     {'; '.join(hit.authors)}")
        click.echo(f"     {hit.snippet}")
    click.echo(f"{len(hits)} hits", err=True)


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="jsonl", show_default=True
)
@click.option("--since", callback=_since, help="Only articles published on or after YYYY-MM-DD.")
@click.option("--until", callback=_since, help="Only articles published on or before YYYY-MM-DD.")
@click.option(
    "--out", type=click.Path(dir_okay=False, allow_dash=True), default="-", help="[default: stdout]"
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(exists=True, dir_okay=False),
    default=DEFAULT_DB,
    show_default=True,
)
def export(fmt: str, since: str | None, until: str | None, out: str, db_path: str) -> None:
    """Export articles (with their authors) in publication order, streaming.

    JSONL: one object per line, UTF-8 (Kazakh letters as they are), authors and
    tags as lists. CSV: UTF-8 with a byte-order mark so spreadsheets read it
    right, a header row, authors and tags joined with '; '. With --since or
    --until, articles without a publication date are left out.

    \b
    Examples:
      kazscraper export --format jsonl --db archive/demo.sqlite > articles.jsonl
      kazscraper export --format csv --since 2025-01-01 --until 2025-12-31 --out 2025.csv
    """
    import io

    from kazscraper.analysis import iter_articles, write_csv, write_jsonl

    if since and until and since > until:
        raise click.BadParameter(f"--since {since} is after --until {until}")
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with _open_archive(db_path) as archive:
        if out == "-":
            sys.stdout.flush()
            stream = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="")
        else:
            try:
                stream = open(out, "w", encoding=encoding, newline="")  # noqa: SIM115
            except OSError as exc:
                raise click.ClickException(f"cannot write {out}: {exc.strerror}") from exc
        try:
            records = iter_articles(archive.db, since=since, until=until)
            n = (write_csv if fmt == "csv" else write_jsonl)(records, stream)
            stream.flush()
        finally:
            if out == "-":
                stream.detach()
            else:
                stream.close()
    click.echo(f"{n} articles -> {'stdout' if out == '-' else out}", err=True)


def _declared_url(html: str) -> str:
    """The absolute http(s) URL a page declares for itself (canonical link, og:url), or ''."""
    from kazscraper.extract.article import NotHtmlError, parse_html
    from kazscraper.extract.metadata import read_metadata

    try:
        declared = (read_metadata(parse_html(html)).canonical or "").strip()
    except NotHtmlError:
        return ""  # the extraction below says why
    parts = urlsplit(declared)
    return declared if parts.scheme in ("http", "https") and parts.netloc else ""


@main.command()
@click.argument("source", type=click.File("rb"))
@click.option("--url", default=None, help="The page's URL (for canonical URLs and relative links).")
@click.option(
    "--site",
    type=click.Choice(["qazdauiri", "generic"]),
    default=None,
    help="The site profile [default: qazdauiri for its hosts or no --url, else generic].",
)
def parse(source: click.utils.LazyFile, url: str | None, site: str | None) -> None:
    """Extract one saved page (FILE, or - for stdin) and print the record as JSON.

    Shows which layer gave each field (``extraction``): use it to check a page
    saved from a browser against the site profile. A page of another host is
    read with the generic profile (language from the page, dates in the page's
    own offset).

    \b
    Examples:
      kazscraper parse page.html --url https://qazdauiri.kz/news/some-slug
      kazscraper parse saved.html --url https://example.com/2024/05/story.html
      kazscraper parse saved.html --site generic   # URL: the page's canonical link, if any
    """
    from kazscraper.clean.article import clean_article
    from kazscraper.extract.article import NotHtmlError, extract_article

    profile = get_profile(site) if site else profile_for_url(url)
    data = source.read()
    _, html = html_to_unicode(None, data)
    if url:
        page_url = url
    elif profile.name == "generic":  # another site: its host is not ours to invent
        page_url = _declared_url(html)
        click.echo(
            f"no --url: using the page's canonical link {page_url}"
            if page_url
            else "no --url and no canonical link in the page: the record has no URL",
            err=True,
        )
        if page_url:  # its links are resolved and cleaned as that host's
            parts = urlsplit(page_url)
            profile = profile.rebased(f"{parts.scheme}://{parts.netloc}")
    else:
        page_url = profile.origin + "/news/" + Path(getattr(source, "name", "page")).stem
    try:
        article = clean_article(extract_article(html, page_url, profile), profile)
    except NotHtmlError as exc:
        raise click.ClickException(f"{getattr(source, 'name', 'input')}: {exc}") from exc
    click.echo(json.dumps(asdict(article), ensure_ascii=False, indent=2))
