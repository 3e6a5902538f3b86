"""The ``kazscraper`` command line: the click group ``main`` and its commands.

One module per group of commands: ``crawling`` (crawl, store, reparse), ``offline``
(demo, replica serve), ``reading`` (stats, show, search, export), ``viewing`` (report,
serve) and ``parsing`` (parse). Beside them: ``options`` (the shared options and checks),
``default_archive`` (which archive without ``--db``) and ``errors`` (one-line messages;
exit codes are documented in README.md: 0 ok, 1 failed, 2 usage). Heavy libraries
(Scrapy, NumPy, trafilatura) are imported by the commands that use them, so that
``--help`` and the reading commands start at once.
"""

from __future__ import annotations

import click

from kazscraper.cli import crawling, offline, parsing, profiles, reading, viewing
from kazscraper.cli.errors import OneLineErrors

__all__ = ["main"]


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


for command in (
    crawling.crawl,
    crawling.store,
    crawling.status,
    crawling.reparse,
    offline.demo,
    offline.replica,
    reading.stats,
    reading.show,
    reading.search,
    reading.export,
    viewing.report,
    viewing.serve,
    parsing.parse,
    profiles.profile,
):
    main.add_command(command)
