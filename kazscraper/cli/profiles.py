"""`kazscraper profile learn|check|accept`: a site's profile learned from its archived pages.

Both read the site's pages from the archive's WARC files (no network), as ``reparse``
reads them (``warc.replay.read_captures``, then ``intake``), run the generic layer on
each, and compare (``learn/profile.py``). ``learn`` writes ``profiles/<host>.toml`` beside
the archive; ``check`` prints each rule's agreement and the pages that disagree. When the
site has a profile already (a redesign: a crawl exited 3), ``learn`` learns from the pages
it no longer reads, writes ``profiles/<host>.proposed.toml`` and prints the diff from the
kept file; ``accept`` makes the proposal the kept profile (the old file kept as a backup).
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kazscraper.cli.options import read_db_option
from kazscraper.sites import SiteProfile, generic_site, get_profile, host_label, known_sites

if TYPE_CHECKING:
    from kazscraper.sites.profile_file import ProfileFile

MIN_SUPPORT = click.FloatRange(0.0, 1.0)


@click.group("profile")
def profile() -> None:
    """Learn a site's profile from its archived pages, and check a profile against them.

    \b
    Examples:
      kazscraper profile learn --db archive/abai.kz.sqlite --site abai.kz
      kazscraper profile check --db archive/abai.kz.sqlite --site abai.kz
      kazscraper profile accept --db archive/abai.kz.sqlite --site abai.kz
    """


def _captures(db_path: str) -> Iterator[tuple[str, int, str, bytes, list[tuple[str, str]]]]:
    """(url, status, fetched_at, body, headers) of the archive's successful captures, in
    capture order (revisits with their original's body)."""
    from kazscraper.archive.queries import captured_files
    from kazscraper.crawler.middlewares.warc_capture import warc_directory, warc_name
    from kazscraper.warc.replay import read_captures

    named, _ = captured_files(Path(db_path).resolve())
    for page in read_captures(warc_directory(db_path), name=warc_name(db_path), named=named):
        capture = page.capture
        if capture.record_type == "response" and 200 <= capture.status < 300:
            yield capture.url, capture.status, capture.fetched_at, page.body, page.headers


MAX_LISTINGS = 100_000  # listing URLs read for the pagination and URL patterns


def site_pages(
    db_path: str, label: str
) -> tuple[SiteProfile, list[tuple[str, str, str]], list[str]]:
    """The generic profile of site ``label`` (a built-in profile for its name), its article
    pages as (url, html, fetched_at) and its listing URLs, from the WARC files."""
    from kazscraper.intake.page import Refused, page_item
    from kazscraper.learn.profile import MAX_PAGES, newest_pages
    from kazscraper.sites.url_rules import classify_url

    builtin = label in known_sites() and label != "generic"
    listings: list[str] = []
    profile: SiteProfile | None = None

    def articles() -> Iterator[tuple[str, tuple[str, str]]]:
        """(url, capture) of the site's article captures, one at a time."""
        nonlocal profile
        for url, status, fetched_at, body, headers in _captures(db_path):
            if builtin:
                parts = url.split("/", 3)
                site = get_profile(label).rebased("/".join(parts[:3]))
            elif host_label(url) == label:
                site = profile or generic_site(url)
            else:
                continue
            profile = profile or site
            kind = classify_url(url, site)
            if kind == "listing" and len(listings) < MAX_LISTINGS:
                listings.append(url)
            if kind != "article":
                continue
            item = page_item(url, headers, body, fetched_at, status)
            if not isinstance(item, Refused):
                yield url, (item.html, fetched_at)

    # the newest MAX_PAGES article pages, however many the archive holds (a stream)
    pages = [(url, html, at) for url, (html, at) in newest_pages(articles(), MAX_PAGES)]
    if profile is None:
        raise click.ClickException(
            f"no capture of site {label!r} in the WARC files of {db_path} "
            "(its label: host[:port], as `kazscraper stats` shows it)"
        )
    return profile, pages, listings


@profile.command("learn")
@read_db_option
@click.option("--site", "label", required=True, metavar="LABEL", help="The site: host[:port].")
@click.option(
    "--min-support",
    type=MIN_SUPPORT,
    default=0.8,
    show_default=True,
    help="Least share of the pages a rule must agree on to be kept.",
)
@click.option("--print", "to_stdout", is_flag=True, help="Print the profile; write no file.")
def learn(db_path: str, label: str, min_support: float, to_stdout: bool) -> None:
    """Learn the profile of site LABEL from its archived pages (no network).

    For each field, the element path that agrees with the generic layer on most pages;
    written to profiles/<host>.toml beside the archive, each rule with its support
    (pages agreeing / pages seen). Rules under --min-support are left out, and said.
    The next crawl of the site and `kazscraper reparse` use the file.

    When the site has a profile already (after a redesign), the pages it no longer reads
    are learned from, the new profile is written to profiles/<host>.proposed.toml (the
    kept file is left as it is) and its diff from the kept file is printed; `kazscraper
    profile accept` makes it the kept profile.

    \b
    Example:
      kazscraper profile learn --db archive/abai.kz.sqlite --site abai.kz
    """
    from kazscraper.learn.profile import (
        MIN_NEW_LAYOUT,
        learn_profile,
        new_layout_pages,
        read_pages,
        with_earlier,
    )
    from kazscraper.sites.profile_file import (
        ProfileFileError,
        learned_profile_path,
        profile_toml,
        proposed_profile_path,
        read_profile_file,
        write_profile_file,
    )

    base, captures, listings = site_pages(db_path, label)
    generic = generic_site(base.origin) if base.name != "generic" else base
    pages = read_pages(captures, generic)
    if not pages:
        raise click.ClickException(f"no article page of {label} with a body to learn from")
    path = learned_profile_path(db_path, label)
    kept = None
    if path.is_file():  # the site has a profile: what is learned is a proposal
        try:
            kept = read_profile_file(path)
        except ProfileFileError as exc:
            raise click.ClickException(f"{exc} (fix or move it, then learn again)") from None
        seen = len(pages)
        pages, unread = new_layout_pages(pages, kept, generic)
        if unread >= MIN_NEW_LAYOUT:
            click.echo(
                f"the kept profile no longer reads {unread} of {seen} pages (a new layout):"
                " learning from those",
                err=True,
            )
        elif unread:
            click.echo(
                f"the kept profile no longer reads {unread} of {seen} pages: too few to learn "
                f"a new layout from ({MIN_NEW_LAYOUT} needed); learning from all",
                err=True,
            )
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    learned, outcomes = learn_profile(
        pages, generic, listings, min_support, {"at": now, "archive": Path(db_path).name}
    )
    if kept is not None:
        learned = with_earlier(learned, kept, pages)
    for item in outcomes:
        if item.rule is None:
            best = f"best {item.best!r} agreed on {item.agreeing} of {item.seen} pages"
            click.echo(
                f"left out: {item.name} ({best if item.best else 'no candidate'};"
                f" under {min_support:.0%})",
                err=True,
            )
    header = (
        f"Profile of {label}, learned by `kazscraper profile learn` from {len(pages)} pages.\n"
        "support: pages on which the rule agreed with the generic layer / pages seen.\n"
        "Edit freely; check with `kazscraper profile check`. Format: docs/profiles.md."
    )
    if to_stdout:
        click.echo(profile_toml(learned, header), nl=False)
        return
    kept_rules = ", ".join(
        f"{n} {r.support[0]}/{r.support[1]}" for n, r in learned.rules.items() if r.support
    )
    if kept is None:
        write_profile_file(path, learned, header)
        click.echo(f"learned from {len(pages)} pages: {kept_rules} -> {path}")
        return
    proposal = proposed_profile_path(db_path, label)
    write_profile_file(proposal, learned, header)
    click.echo(profile_diff(path, proposal), nl=False)
    changed = changed_rules(learned, kept)
    click.echo(
        f"proposed from {len(pages)} pages: {kept_rules} -> {proposal}\n"
        f"rules changed: {', '.join(changed) or 'none'}; the kept profile is unchanged.\n"
        f"accept it: kazscraper profile accept --db {db_path} --site {label}"
    )


def changed_rules(learned: ProfileFile, kept: ProfileFile) -> list[str]:
    """The rules a proposal changes, by name: its fields' paths, and its ``[urls]``
    patterns and pagination (``urls.article``, ``urls.listing``, ``urls.pagination``)."""
    fields = {
        name
        for name in {*learned.rules, *kept.rules}
        if _rule_path(learned, name) != _rule_path(kept, name)
    }
    urls = {
        f"urls.{key}"
        for key in {*learned.urls, *kept.urls}
        if learned.urls.get(key) != kept.urls.get(key)
    }
    return sorted(fields | urls)


def _rule_path(file: ProfileFile, name: str) -> str:
    rule = file.rules.get(name)
    return rule.path if rule is not None else ""


def profile_diff(kept: Path, proposal: Path) -> str:
    """The unified diff from the kept profile file to the proposed one (one line of
    context: a changed path shows its rule's support)."""
    old = kept.read_text(encoding="utf-8").splitlines(keepends=True)
    new = proposal.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, str(kept), str(proposal), n=1))


@profile.command("accept")
@read_db_option
@click.option("--site", "label", required=True, metavar="LABEL", help="The site: host[:port].")
def accept(db_path: str, label: str) -> None:
    """Make the profile `profile learn` proposed for site LABEL the kept one.

    The kept profiles/<host>.toml is moved to profiles/<host>.<UTC time>.toml (a backup),
    and profiles/<host>.proposed.toml takes its place: the next crawl and `kazscraper
    reparse` use it. Reparse the archive to re-read the pages captured since the redesign.

    \b
    Example:
      kazscraper profile accept --db archive/abai.kz.sqlite --site abai.kz
    """
    from kazscraper.sites.profile_file import ProfileFileError, accept_proposal

    try:
        kept, backup = accept_proposal(db_path, label, datetime.now(UTC))
    except ProfileFileError as exc:
        raise click.ClickException(str(exc)) from None
    was = f"; the old profile is kept as {backup}" if backup else ""
    click.echo(f"accepted: {kept}{was}")
    click.echo(f"re-read the archived pages with it: kazscraper reparse --db {db_path}")


@profile.command("check")
@read_db_option
@click.option(
    "--site",
    "label",
    required=True,
    metavar="LABEL",
    help="The site: host[:port] or a profile's name.",
)
@click.option(
    "--file",
    "file_path",
    type=click.Path(dir_okay=False, exists=True),
    help="The profile file [default: the learned one beside the archive, else the built-in one].",
)
@click.option(
    "--show",
    type=click.IntRange(0),
    default=5,
    show_default=True,
    help="Disagreeing pages shown per field.",
)
def check(db_path: str, label: str, file_path: str | None, show: int) -> None:
    """Check a profile on site LABEL's archived pages: agreement with the generic layer,
    field by field, and the pages that disagree. Exit 1 when a rule agrees on fewer
    pages than its file says it did.

    \b
    Example:
      kazscraper profile check --db archive/abai.kz.sqlite --site abai.kz
    """
    from kazscraper.learn.profile import check_rules, read_pages
    from kazscraper.sites.profile_file import (
        builtin_profile_path,
        learned_profile_path,
        read_profile_file,
    )

    base, captures, _ = site_pages(db_path, label)
    if file_path is None:
        learned = learned_profile_path(db_path, label)
        path = learned if learned.is_file() else builtin_profile_path(label)
        if not path.is_file():
            raise click.ClickException(f"no profile of {label}: no {learned} (learn it first)")
    else:
        path = Path(file_path)
    file = read_profile_file(path)
    generic = generic_site(base.origin) if base.name != "generic" else base
    pages = read_pages(captures, generic)
    click.echo(f"{path}: {len(pages)} pages of {label}")
    worse = False
    for item in check_rules(pages, file.rules, generic):
        rule = file.rules[item.name]
        was = f" (file: {rule.support[0]}/{rule.support[1]})" if rule.support else ""
        only = f"; on {item.only} more only the rule finds one" if item.only else ""
        click.echo(f"{item.name:<9} {item.agreeing}/{item.seen} agree  {rule.selector}{was}{only}")
        for url in item.disagreeing[:show]:
            click.echo(f"    disagrees: {url}")
        if len(item.disagreeing) > show:
            click.echo(f"    … and {len(item.disagreeing) - show} more")
        if rule.share is not None and item.seen and item.share < rule.share - 0.05:
            worse = True
    if worse:
        click.echo("some rules agree less than when learned: the layout may have changed", err=True)
        sys.exit(1)
