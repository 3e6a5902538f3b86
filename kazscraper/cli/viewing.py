"""The commands that show an archive outside the terminal: ``report`` (HTML) and ``serve``."""

from __future__ import annotations

import json
import sqlite3
from contextlib import suppress
from pathlib import Path

import click

from kazscraper.cli.default_archive import check_site, open_archive, upgrade_if_needed
from kazscraper.cli.errors import fail
from kazscraper.cli.options import read_db_option, refuse_overwrite, site_filter_option


@click.command()
@read_db_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="The HTML file to write (overwritten) [default: beside the archive, "
    "NAME.report.html for NAME.sqlite].",
)
@site_filter_option
def report(db_path: str, out: str | None, site: str | None) -> None:
    """Write a one-file HTML report of the archive, with charts.

    Articles per month, the most frequent authors, the stories longest in the
    top-news list, and the last runs' health: fill rates per field (red under
    the health floor) and the share of bodies from the generic layer, so that a
    layout change shows at a glance. The file opens offline in any browser: no
    scripts, no network, charts inline as SVG. The archive is only read.

    \b
    Example:
      kazscraper report --db archive/demo.sqlite      # -> archive/demo.report.html
      kazscraper report --db archive/demo.sqlite --out demo-report.html
      kazscraper report --db archive/press.sqlite --site abai.kz --out abai.html
    """
    from kazscraper.archive import ArchiveError
    from kazscraper.report import write_report

    if out is None:  # beside the archive, not in whatever folder the command runs in
        out = str(Path(db_path).with_name(f"{Path(db_path).stem}.report.html"))
    refuse_overwrite(out, db_path, "--out", "the report")
    with suppress(ArchiveError):  # an older archive gets the current schema, if no run holds it
        upgrade_if_needed(db_path)
    if site is not None:
        with open_archive(db_path) as archive:
            check_site(archive, site)
    try:
        data = write_report(db_path, out, site=site)
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot read {db_path} as an archive: {exc}") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(f"{data.articles} articles, {len(data.runs)} runs -> {out}", err=True)


@click.command(context_settings={"ignore_unknown_options": True})
@read_db_option
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
    import tempfile

    try:
        from datasette.cli import cli as datasette_cli
    except ImportError:
        fail(
            "kazscraper serve", "Datasette is not installed: pip install 'kazscraper[datasette]'", 2
        )

    from datasette.plugins import pm

    from kazscraper.archive import ArchiveError
    from kazscraper.serve import datasette_guard
    from kazscraper.serve.datasette_metadata import TEMPLATES, TRUNCATE_CELLS, build_metadata

    if not pm.is_registered(datasette_guard):  # full-text queries bounded (see its docstring)
        pm.register(datasette_guard, name="kazscraper-guard")

    try:
        # an older archive gets the current schema and views (unless a crawl holds the lock:
        # that crawl upgrades it)
        upgrade_if_needed(db_path)
    except ArchiveError as exc:
        click.echo(f"kazscraper serve: warning: {exc}; serving it as it is", err=True)
    try:
        metadata = build_metadata(db_path)
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"cannot read {db_path} as an archive: {exc}") from exc
    with tempfile.TemporaryDirectory(prefix="kazscraper-serve-") as tmp:
        metadata_file = Path(tmp) / "metadata.json"
        metadata_file.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        click.echo(f"Datasette on http://{host}:{port}/ for {db_path}; Ctrl-C stops it", err=True)
        args = ["serve", db_path, "--metadata", str(metadata_file), "--host", host]
        args += ["--port", str(port), "--setting", "sql_time_limit_ms", "5000"]
        args += ["--template-dir", str(TEMPLATES)]
        args += ["--setting", "truncate_cells_html", str(TRUNCATE_CELLS), *datasette_args]
        datasette_cli.main(args, prog_name="datasette", standalone_mode=False)
