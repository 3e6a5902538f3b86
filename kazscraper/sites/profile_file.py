"""Site profiles as TOML files: read (``tomllib``), written (``tomli_w``), made a ``SiteProfile``.

One format for the built-in profile (``sites/qazdauiri.toml``) and for the profiles
``kazscraper profile learn`` writes beside an archive (``profiles/<host>.toml``). Each field
of an article page has a *rule*: an element path the selector layer runs (CSS, as
``extract.blocks.css_select`` reads it) and, for a learned rule, its *support*: the pages on
which the rule agreed with the generic layer, of the pages seen (``support = "57/60"``). A
hand-written rule has no support. The file, in sections::

    [site]        name, origin, mirrors, start/sitemap/feed paths, language, timezone
    [urls]        article and listing path patterns (regular expressions), pagination
    [fields.X]    path (+ paragraphs for the body, format for the date, item for a block;
                  earlier: the paths of the site's earlier layouts, kept by `profile accept`)
    [labels]      similar / top block headings, interface strings
    [health]      least share of pages per field (the health check, exit 3)

After a redesign, ``profile learn`` writes the new profile beside the kept one as a
*proposal* (``proposed_profile_path``) and ``profile accept`` makes it the kept profile,
the old file kept as a backup (``accept_proposal``). Unknown keys are refused with their
name (a typo is not silently ignored); a pattern that does not compile is refused with the
file's name.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from kazscraper.sites import Selectors, Site, SiteProfile, Sites

#: the fields of an article page a profile has a rule for, in the file's order
FIELDS = (
    "title", "body", "date", "authors", "category", "tags", "image", "views", "similar",
    "top", "listing_item",
)  # fmt: skip
#: a rule's extra keys, by field
_EXTRA = {"body": ("paragraphs",), "date": ("format",), "similar": ("item",), "top": ("item",)}
_SITE_KEYS = (
    "name", "origin", "mirror_hosts", "start_paths", "sitemap_paths", "feed_paths",
    "language", "timezone", "article_query", "tracking_params",
)  # fmt: skip
_URL_KEYS = ("article", "listing", "pagination")
MAX_FILE_BYTES = 256 * 1024  # a profile is a page of text


class ProfileFileError(ValueError):
    """A profile file that cannot be read as one (one line for the CLI)."""


@dataclass(frozen=True)
class Rule:
    """One field's element path, and on how many pages it agreed (None: hand-written)."""

    path: str
    support: tuple[int, int] | None = None  # (pages agreeing, pages seen)
    extra: dict[str, str] = field(default_factory=dict)  # paragraphs, format, item
    #: the paths this field had in the site's earlier layouts (pages archived before a
    #: redesign are read by them): each selects nothing on the current layout's pages
    earlier: tuple[str, ...] = ()

    @property
    def selector(self) -> str:
        """The path the extractor runs: the rule's, or with its earlier layouts' paths a
        CSS group (the first element, in the page's order, any of them selects)."""
        return ", ".join((self.path, *self.earlier)) if self.earlier else self.path

    @property
    def share(self) -> float | None:
        if self.support is None or not self.support[1]:
            return None
        return self.support[0] / self.support[1]


@dataclass(frozen=True)
class ProfileFile:
    """A profile as its file holds it: the site, the URL rules, a rule per field."""

    site: dict[str, Any]
    rules: dict[str, Rule]
    urls: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)
    health: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # [learned]: when, from what

    def to_profile(self, base: SiteProfile | None = None) -> SiteProfile:
        """The ``SiteProfile`` this file declares; ``base`` gives what it leaves out (a
        learned file on the generic profile rebased on its site)."""
        site = self.site
        sel = {name: rule.selector for name, rule in self.rules.items()}
        if "body" in self.rules:
            sel["paragraphs"] = self.rules["body"].extra.get("paragraphs", "p")
        for kind in ("similar", "top"):
            if kind in self.rules and "item" in self.rules[kind].extra:
                sel[f"{kind}_item"] = self.rules[kind].extra["item"]
        if "date" in self.rules and "format" in self.rules["date"].extra:
            sel["date_format"] = self.rules["date"].extra["format"]
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in site.items() if k != "timezone"
        }
        if "timezone" in site:
            values["timezone"] = site["timezone"] or None
        # a built-in profile's patterns are its rules; a learned file's are on top of its
        # base's (the generic rules stay the fallback: ``url_rules.classify_url``)
        article, listing = (
            ("article_path", "listing_paths")
            if base is None
            else ("learned_article", "learned_listing")
        )
        if "article" in self.urls:
            values[article] = self.urls["article"]
        if "listing" in self.urls:
            values[listing] = tuple(self.urls["listing"])
        if "pagination" in self.urls:
            values["pagination"] = str(self.urls["pagination"])
        if "similar" in self.labels:
            values["similar_labels"] = tuple(self.labels["similar"])
        if "top" in self.labels:
            values["top_labels"] = tuple(self.labels["top"])
        if "interface" in self.labels:
            values["interface_strings"] = tuple(self.labels["interface"])
        health = dict(self.health)
        if "min_pages" in health:
            values["health_min_pages"] = int(health.pop("min_pages"))
        values["health_thresholds"] = health
        if base is None:
            values["selectors"] = Selectors(**{"title": "", "body": "", "paragraphs": "p", **sel})
            return SiteProfile(**values)
        values["selectors"] = replace(base.selectors, **sel)
        values.pop("name", None)  # a learned profile keeps its base's name (its label)
        values.pop("origin", None)  # and its origin (the crawl's, a replica's port)
        return replace(base, **values)


def read_profile_file(path: Path) -> ProfileFile:
    """The profile in the TOML file at ``path``; ``ProfileFileError`` says what is wrong."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ProfileFileError(f"cannot read the profile {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ProfileFileError(f"{path}: over {MAX_FILE_BYTES} bytes: not a profile")
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProfileFileError(f"{path}: not a TOML file: {exc}") from None
    try:
        return profile_from_dict(doc)
    except ProfileFileError as exc:
        raise ProfileFileError(f"{path}: {exc}") from None


def profile_from_dict(doc: dict[str, Any]) -> ProfileFile:
    """A ``ProfileFile`` from the parsed TOML document."""
    known = {"site", "urls", "fields", "labels", "health", "learned"}
    _only(doc, known, "section")
    site = dict(doc.get("site", {}))
    _only(site, set(_SITE_KEYS), "[site] key")
    urls = dict(doc.get("urls", {}))
    _only(urls, set(_URL_KEYS), "[urls] key")
    for pattern in [urls.get("article", ""), *urls.get("listing", ())]:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ProfileFileError(f"URL pattern {pattern!r} does not compile: {exc}") from None
    form = urls.get("pagination", "/page/N/")
    if not isinstance(form, str) or not _PAGINATION.fullmatch(form):
        raise ProfileFileError(
            f"[urls] pagination {form!r} is none of ?NAME=N (?page=N, ?PAGEN_1=N) or /NAME/N/"
        )
    rules = {}
    fields_ = doc.get("fields", {})
    _only(fields_, set(FIELDS), "field")
    for name, value in fields_.items():
        _only(value, {"path", "support", "earlier", *_EXTRA.get(name, ())}, f"[fields.{name}] key")
        support = _support(value.get("support"), name)
        extra = {k: str(value[k]) for k in _EXTRA.get(name, ()) if k in value}
        earlier = value.get("earlier", [])
        if not isinstance(earlier, list) or not all(isinstance(p, str) for p in earlier):
            raise ProfileFileError(f"[fields.{name}] earlier must be a list of paths")
        rules[name] = Rule(str(value.get("path", "")), support, extra, tuple(earlier))
    health = {k: float(v) for k, v in doc.get("health", {}).items()}
    labels = {k: [str(x) for x in v] for k, v in doc.get("labels", {}).items()}
    _only(labels, {"similar", "top", "interface"}, "[labels] key")
    notes = {k: str(v) for k, v in doc.get("learned", {}).items()}
    return ProfileFile(site, rules, urls, labels, health, notes)


#: the pagination forms the crawl walks (``frontier.page_number``)
_PAGINATION = re.compile(r"\?[A-Za-z_][A-Za-z0-9_]{0,31}=N|/[A-Za-z_][A-Za-z0-9_]{0,31}/N/")
_SUPPORT = re.compile(r"([0-9]{1,9})/([0-9]{1,9})")


def _support(value: Any, name: str) -> tuple[int, int] | None:
    """``"57/60"`` → (57, 60); None when the rule has none (hand-written)."""
    if value is None:
        return None
    found = _SUPPORT.fullmatch(value) if isinstance(value, str) else None
    if found is None or int(found[1]) > int(found[2]):
        raise ProfileFileError(
            f'[fields.{name}] support must be "AGREEING/SEEN" (e.g. "57/60"), not {value!r}'
        )
    return int(found[1]), int(found[2])


def _only(table: Any, allowed: set[str], what: str) -> None:
    if not isinstance(table, dict):
        raise ProfileFileError(f"{what}s must be a table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ProfileFileError(
            f"unknown {what} {unknown[0]!r}; known: {', '.join(sorted(allowed))}"
        )


def profile_to_dict(profile: ProfileFile) -> dict[str, Any]:
    """The TOML document of ``profile`` (sections in the file's order, empty ones left out)."""
    doc: dict[str, Any] = {}
    if profile.notes:
        doc["learned"] = dict(profile.notes)
    if profile.site:
        doc["site"] = {k: profile.site[k] for k in _SITE_KEYS if k in profile.site}
    if profile.urls:
        doc["urls"] = {k: profile.urls[k] for k in _URL_KEYS if k in profile.urls}
    fields_: dict[str, Any] = {}
    for name in FIELDS:
        if (rule := profile.rules.get(name)) is None:
            continue
        entry: dict[str, Any] = {"path": rule.path, **rule.extra}
        if rule.support is not None:
            entry["support"] = f"{rule.support[0]}/{rule.support[1]}"
        if rule.earlier:
            entry["earlier"] = list(rule.earlier)
        fields_[name] = entry
    doc["fields"] = fields_
    if profile.labels:
        doc["labels"] = dict(profile.labels)
    if profile.health:  # a whole number as one (min_pages = 10)
        doc["health"] = {k: int(v) if v == int(v) else v for k, v in profile.health.items()}
    return doc


def profile_toml(profile: ProfileFile, header: str = "") -> str:
    """The text of ``profile``'s file: an optional comment ``header``, then the TOML."""
    comment = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comment + tomli_w.dumps(profile_to_dict(profile), multiline_strings=False)


def write_profile_file(path: Path, profile: ProfileFile, header: str = "") -> None:
    """Write ``profile`` to ``path`` (its folder made), whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(profile_toml(profile, header), encoding="utf-8")
    part.replace(path)


def learned_profile_path(db_path: str | Path, label: str) -> Path:
    """Where the learned profile of site ``label`` (``host[:port]``) of the archive at
    ``db_path`` lives: ``profiles/<host>.toml`` beside the archive (``:`` as ``_``)."""
    return learned_folder(db_path) / learned_file_name(label)


def learned_folder(db_path: str | Path) -> Path:
    """The folder of an archive's learned profiles: ``profiles/`` beside it."""
    return Path(db_path).resolve().parent / "profiles"


def learned_file_name(label: str) -> str:
    """The file name of site ``label``'s learned profile (``127.0.0.1_8000.toml``)."""
    return (re.sub(r"[^A-Za-z0-9._-]", "_", label) or "site") + ".toml"


def proposed_profile_path(db_path: str | Path, label: str) -> Path:
    """Where ``profile learn`` proposes a new profile of a site that has one (after a
    redesign): ``profiles/<host>.proposed.toml``, beside the kept file."""
    kept = learned_profile_path(db_path, label)
    return kept.with_name(f"{kept.stem}.proposed.toml")


def accept_proposal(db_path: str | Path, label: str, now: datetime) -> tuple[Path, Path | None]:
    """Make the proposed profile of site ``label`` the kept one: the kept file (if any) is
    moved to ``profiles/<host>.<UTC time>.toml`` (its backup, never overwritten), then the
    proposal takes its place. (kept path, backup path or None). ``ProfileFileError`` when
    there is no proposal or it is no valid profile (nothing is moved then)."""
    kept, proposal = learned_profile_path(db_path, label), proposed_profile_path(db_path, label)
    if not proposal.is_file():
        raise ProfileFileError(
            f"no proposed profile of {label}: no {proposal} (`kazscraper profile learn` "
            "proposes one when the site already has a profile)"
        )
    read_profile_file(proposal)  # a proposal edited into a broken file is refused whole
    backup = None
    if kept.is_file():
        stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = kept.with_name(f"{kept.stem}.{stamp}.toml")
        n = 1
        while backup.exists():
            n += 1
            backup = kept.with_name(f"{kept.stem}.{stamp}-{n}.toml")
        os.replace(kept, backup)
    os.replace(proposal, kept)
    return kept, backup


def builtin_profile_path(name: str) -> Path:
    """The file of the built-in profile ``name`` (``sites/<name>.toml``)."""
    return Path(__file__).with_name(f"{name}.toml")


def load_builtin(name: str) -> SiteProfile:
    """The built-in profile ``name``, read from its file."""
    return read_profile_file(builtin_profile_path(name)).to_profile()


#: a learned file found for a site: where it is (said on stderr) and what it holds
Found = tuple[str, ProfileFile]


def with_learned(sites: Sites, db_path: str | Path) -> tuple[Sites, list[str]]:
    """``sites`` with the learned profile of each generic site that has one beside the
    archive at ``db_path`` (``learned_profile_path``), and a note per file used (for
    stderr). A built-in profile is left as it is. ``ProfileFileError`` for a bad file."""

    def beside(label: str) -> Found | None:
        path = learned_profile_path(db_path, label)
        return (str(path), read_profile_file(path)) if path.is_file() else None

    return apply_learned(sites, beside)


def apply_learned(
    sites: Sites, find: Callable[[str], Found | None], how: str = ""
) -> tuple[Sites, list[str]]:
    """``sites`` with the learned profile ``find(label)`` gives each generic site, and a
    note per profile used (``how``: how it came, after the file's name)."""
    chosen, notes = [], []
    for site in sites:
        found = find(site.label) if site.profile.name == "generic" else None
        if found is None:
            chosen.append(site)
            continue
        where, file = found
        chosen.append(Site(file.to_profile(site.profile), site.start_urls))
        fields = ", ".join(name for name, rule in file.rules.items() if rule.path)
        notes.append(f"profile: {site.label} uses the learned profile {where}{how} ({fields})")
    return Sites(tuple(chosen), sites.earlier), notes


MAX_PUBLISHED = 1_000  # learned files a store publishes for its workers
_NOT_KEPT = re.compile(r"\.(?:proposed|[0-9]{8}T[0-9]{6}Z(?:-[0-9]+)?)\.toml\Z")


def learned_texts(db_path: str | Path) -> dict[str, tuple[str, str]]:
    """The learned profiles beside the archive at ``db_path``, by file name: (path, text),
    each checked (``ProfileFileError`` for a bad one), at most ``MAX_PUBLISHED``. What a
    Redis crawl's store publishes for its workers (``published``)."""
    folder = learned_folder(db_path)
    found: dict[str, tuple[str, str]] = {}
    paths = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    # the kept files only: not a proposal (``<host>.proposed.toml``) nor a backup that
    # ``profile accept`` left (``<host>.<UTC time>.toml``), which no crawl reads
    paths = [path for path in paths if not _NOT_KEPT.search(path.name)]
    for path in paths[:MAX_PUBLISHED]:
        read_profile_file(path)  # a bad file is refused here, as a local crawl refuses it
        found[path.name] = (str(path), path.read_text(encoding="utf-8"))
    return found


def published(texts: dict[str, tuple[str, str]]) -> Callable[[str], Found | None]:
    """``apply_learned``'s ``find`` over ``learned_texts`` (received from a store):
    ``ProfileFileError`` for a text that is not a profile."""

    def find(label: str) -> Found | None:
        entry = texts.get(learned_file_name(label))
        if entry is None:
            return None
        where, text = entry
        if len(text.encode("utf-8")) > MAX_FILE_BYTES:
            raise ProfileFileError(f"{where}: over {MAX_FILE_BYTES} bytes: not a profile")
        try:
            return where, profile_from_dict(tomllib.loads(text))
        except (tomllib.TOMLDecodeError, ProfileFileError) as exc:
            raise ProfileFileError(f"{where}: {exc}") from None

    return find
