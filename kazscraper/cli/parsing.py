"""``kazscraper parse``: extract one saved page and print its record as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import click

from kazscraper.cli.default_archive import DEFAULT_DB, DEFAULT_SITE
from kazscraper.cli.options import any_url, db_option

if TYPE_CHECKING:
    from kazscraper.sites import SiteProfile


@click.command()
@click.argument("source", type=click.File("rb"))
@click.option(
    "--url",
    default=None,
    callback=any_url,
    help="The page's URL (for canonical URLs and relative links).",
)
@click.option(
    "--site",
    type=click.Choice(["qazdauiri", "generic"]),
    default=None,
    help="The site profile [default: qazdauiri for its hosts or no --url, else generic].",
)
@db_option(
    DEFAULT_DB,
    exists=False,  # no archive there: no learned profile, the page is read all the same
    help="The archive whose learned profile of the page's host is used (profiles/ beside it).",
)
@click.option(
    "--profile",
    "profile_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="A profile file (TOML) to read the page with, instead of the archive's.",
)
def parse(
    source: BinaryIO, url: str | None, site: str | None, db_path: str, profile_file: str | None
) -> None:
    """Extract one saved page (FILE, or - for stdin) and print the record as JSON.

    Shows which layer gave each field (``extraction``): use it to check a page
    saved from a browser against the site profile. The bytes are decoded as the
    crawl decodes a response (UTF-8, the page's charset, legacy Cyrillic
    encodings, windows-1252; the codec in ``extraction.encoding``). A page of
    another host is read with the generic profile (language from the page,
    dates in the page's own offset). The learned profile of the page's host
    (profiles/<host>.toml beside --db), or the --profile file, is used and named on stderr.

    \b
    Examples:
      kazscraper parse page.html --url https://qazdauiri.kz/news/some-slug
      kazscraper parse saved.html --url https://example.com/2024/05/story.html
      kazscraper parse saved.html   # URL: the page's canonical link, if it has one
    """
    from kazscraper.intake.page import PAGE_MAX_BYTES as DOWNLOAD_MAXSIZE
    from kazscraper.saved_page import SavedPageError, extract_saved_page
    from kazscraper.sites.profile_file import ProfileFileError

    name = getattr(source, "name", "input")
    data = source.read(DOWNLOAD_MAXSIZE + 1)  # /dev/zero or a video must not fill the memory
    if len(data) > DOWNLOAD_MAXSIZE:
        raise click.BadParameter(
            f"{name} is larger than "
            f"{DOWNLOAD_MAXSIZE // (1024 * 1024)} MB, the crawl's download limit: not a saved page",
            param_hint="'SOURCE'",
        )
    try:
        saved = extract_saved_page(
            data, url, site, default_site=DEFAULT_SITE, choose=learned(db_path, profile_file)
        )
    except (SavedPageError, ProfileFileError) as exc:
        raise click.ClickException(f"{name}: {exc}") from exc
    if saved.declared:
        click.echo(
            f"kazscraper parse: no --url: using the page's canonical link {saved.url}"
            if saved.url
            else "kazscraper parse: no --url and no canonical link in the page: "
            "the record has no URL",
            err=True,
        )
    click.echo(json.dumps(asdict(saved.article), ensure_ascii=False, indent=2))


def learned(db_path: str, profile_file: str | None) -> Callable[[SiteProfile], SiteProfile]:
    """The profile a page is read with, given its site's: the ``--profile`` file on it, or
    its host's learned profile beside the archive; the file used said on stderr."""
    from kazscraper.sites import Sites
    from kazscraper.sites.profile_file import read_profile_file, with_learned

    def choose(profile: SiteProfile) -> SiteProfile:
        if profile_file is not None:
            chosen = read_profile_file(Path(profile_file)).to_profile(profile)
            notes = [f"profile: {profile.label} uses the profile {Path(profile_file).resolve()}"]
        else:
            sites, notes = with_learned(Sites.single(profile), db_path)
            chosen = sites.first
        for note in notes:
            click.echo(f"kazscraper parse: {note}", err=True)
        return chosen

    return choose
