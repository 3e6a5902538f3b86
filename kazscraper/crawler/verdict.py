"""What a finished run amounts to: the ``crawls`` row's counts, the exit code and its reason.

Pure functions of the crawler stats (and the site profile's health thresholds):
the archive extension calls them when the engine stops, and writes the run's
``crawls`` row once, verdict included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kazscraper.sites import SiteProfile, generic_site, get_profile, known_sites

if TYPE_CHECKING:
    from kazscraper.crawler.config import RunConfig

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_UNHEALTHY = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

#: fields whose fill rate is reported for every crawl
REPORTED_FIELDS = ("title", "body", "published_date", "authors", "category", "related")


def crawl_summary(stats: dict[str, Any]) -> dict[str, Any]:
    """The ``crawls`` row's counts, from the crawler stats."""
    prefix = "downloader/response_status_count/"
    pages = stats.get("kazscraper/extracted", 0)
    return {
        # a reparse fetches nothing: its pages are the records it read back (as its summary says)
        "pages_fetched": stats.get("response_received_count")
        or stats.get("kazscraper/reparse/records", 0),
        "articles_new": stats.get("kazscraper/articles_new", 0),
        "articles_updated": stats.get("kazscraper/articles_updated", 0),
        "articles_unchanged": stats.get("kazscraper/articles_unchanged", 0),
        "duplicates": stats.get("kazscraper/duplicates", 0)
        + stats.get("kazscraper/articles_alias", 0),
        "failures": stats.get("kazscraper/failures", 0),
        "http_statuses": {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)},
        "fill_rates": {
            name: round(stats.get(f"kazscraper/filled/{name}", 0) / pages, 4) if pages else None
            for name in REPORTED_FIELDS
        },
        # which extraction layer gave each field, e.g. {"body:profile": 58, "body:generic": 2}
        "extraction_layers": {
            k[len("kazscraper/layer/") :]: v
            for k, v in sorted(stats.items())
            if k.startswith("kazscraper/layer/")
        },
        "scheduled_articles": stats.get("kazscraper/scheduled_articles"),
        "unaccounted": stats.get("kazscraper/unaccounted"),
        "damaged_records": skipped_records(stats)
        if "kazscraper/reparse/records" in stats
        else None,
    }


# download errors in words, by (a part of) the exception's class name in Scrapy's stats
_NETWORK_CAUSES = (
    ("ConnectionRefused", "connection refused"),
    ("DNSLookup", "host name not found (DNS)"),
    ("CannotResolveHost", "host name not found (DNS)"),
    ("TimedOut", "no answer (timed out)"),
    ("Timeout", "no answer (timed out)"),
    ("NoRoute", "no route to the host"),
    ("SSL", "TLS handshake failed"),
    ("TLS", "TLS handshake failed"),
    ("ConnectionLost", "connection lost"),
    ("ResponseNeverReceived", "no response"),
)


def network_cause(stats: dict[str, Any]) -> str | None:
    """The commonest download error of the run, in words (None if there was none)."""
    prefix = "downloader/exception_type_count/"
    errors = sorted(
        ((v, k[len(prefix) :]) for k, v in stats.items() if k.startswith(prefix)), reverse=True
    )
    for _, name in errors:
        for part, words in _NETWORK_CAUSES:
            if part in name:
                return words
    return errors[0][1].rsplit(".", 1)[-1] if errors else None


def skipped_records(stats: dict[str, Any]) -> int:
    """WARC records a reparse could not read back: damaged, or larger than the size cap
    (their articles would be missing from the rebuilt archive)."""
    return stats.get("kazscraper/reparse/damaged", 0) + stats.get("kazscraper/reparse/too_large", 0)


def run_verdict(stats: dict[str, Any], config: RunConfig) -> tuple[int, str]:
    """``verdict`` of a finished run of ``config``: the one judgement the archive owner
    writes in the ``crawls`` row and a run without an archive (a Redis worker) returns."""
    return verdict(
        stats,
        config.profile,
        need_responses=config.needs_responses,
        start_url=config.start_url,
        sites=config.profiles,
    )


def verdict(
    stats: dict[str, Any],
    profile: SiteProfile,
    need_responses: bool = True,
    start_url: str | None = None,
    sites: Sequence[SiteProfile] = (),
) -> tuple[int, str]:
    """Exit code and a one-line reason for a finished Scrapy run.

    With several ``sites`` the health check judges each site apart, on its own pages and
    with its own profile's thresholds (``site_breaches``); otherwise the run as a whole."""
    finish_reason = stats.get("finish_reason", "unknown")
    if stats.get("kazscraper/archive_error"):
        return EXIT_FAILED, f"cannot write the archive: {stats['kazscraper/archive_error']}"
    if finish_reason != "finished":
        return EXIT_FAILED, f"crawl ended early: {finish_reason}"
    # robots.txt is not a page of the site: a run that fetched only that fetched nothing
    pages = stats.get("response_received_count", 0) - stats.get("robotstxt/response_count", 0)
    if need_responses and pages <= 0:
        host = urlsplit(start_url or profile.origin).netloc
        if stats.get("kazscraper/robots/unreadable"):
            cause = network_cause(stats) if not stats.get("robotstxt/response_count") else None
            return EXIT_FAILED, (
                f"no page could be fetched from {host}: {cause or 'a server error'}; its "
                "robots.txt could not be read, so nothing else was asked for (RFC 9309); "
                "check the address and the network (`kazscraper demo` works offline)"
            )
        if stats.get("robotstxt/forbidden"):
            return EXIT_FAILED, "robots.txt forbids every start URL; nothing was fetched"
        cause = network_cause(stats) or "no response"
        return EXIT_FAILED, (
            f"no page could be fetched from {host}: {cause}; check the address and the "
            "network (`kazscraper demo` works offline)"
        )
    # Scrapy counts each error twice: under spider_exceptions/count and under its type
    errors = stats.get("spider_exceptions/count", 0)
    if errors:
        return EXIT_FAILED, f"{errors} spider error(s); see the log"
    unaccounted = stats.get("kazscraper/unaccounted")
    if unaccounted:
        return EXIT_FAILED, (
            f"{unaccounted} scheduled article URL(s) ended neither as an article nor as a "
            "failure; see the log"
        )
    damaged = skipped_records(stats)
    if damaged:
        return EXIT_FAILED, (
            f"{damaged} WARC record(s) damaged or too large were skipped; the articles of "
            "every other record were rebuilt"
        )
    breaches = site_breaches(stats, sites) if len(sites) > 1 else health_breaches(stats, profile)
    if breaches:
        return EXIT_UNHEALTHY, "health check failed, fields dropped: " + ", ".join(breaches)
    return EXIT_OK, "ok"


def health_breaches(stats: dict[str, Any], profile: SiteProfile) -> list[str]:
    """Fields whose fill rate on this run's article pages is below the profile's threshold.

    A threshold named ``field:layer`` (``body:profile``) counts only the pages
    where that layer gave the field: the generic fallback may rescue a page
    whose layout changed, but the change is still reported.
    """
    pages = stats.get("kazscraper/extracted", 0)
    if pages < profile.health_min_pages:
        return []
    breaches = []
    for name, minimum in profile.health_thresholds.items():
        key = f"kazscraper/layer/{name}" if ":" in name else f"kazscraper/filled/{name}"
        rate = stats.get(key, 0) / pages
        if rate < minimum:
            note = " (the profile's selectors no longer match)" if ":profile" in name else ""
            breaches.append(f"{name} {rate:.0%} < {minimum:.0%}{note}")
    return breaches


SITE_STATS = "kazscraper/site/"  # + label + "/": the counts of one site of a crawl


def site_stats_prefix(label: str) -> str:
    """Where the counts of one site of a several-site crawl are kept in the crawl stats."""
    return f"{SITE_STATS}{label}/"


def site_stats(stats: dict[str, Any], label: str) -> dict[str, Any]:
    """The counts of site ``label`` under the names of a whole run's (``kazscraper/...``)."""
    prefix = site_stats_prefix(label)
    return {f"kazscraper/{k[len(prefix) :]}": v for k, v in stats.items() if k.startswith(prefix)}


def site_breaches(stats: dict[str, Any], sites: Sequence[SiteProfile]) -> list[str]:
    """``health_breaches`` of each site on its own pages, named by its label (a site whose
    profile has no thresholds, the generic one, has none)."""
    return [
        f"{profile.label}: {breach}"
        for profile in sites
        for breach in health_breaches(site_stats(stats, profile.label), profile)
    ]


def sites_in_stats(stats: dict[str, Any]) -> list[SiteProfile]:
    """The sites whose own counts the stats hold (a several-site crawl's, summed over its
    workers by ``kazscraper store``), each with its profile: a known profile by its name, the
    generic profile (no thresholds) for a host."""
    prefix = SITE_STATS
    labels = sorted(
        {
            k[len(prefix) : -len("/extracted")]
            for k in stats
            if k.startswith(prefix) and k.endswith("/extracted")
        }
    )
    return [
        get_profile(label) if label in known_sites() else generic_site(f"http://{label}")
        for label in labels
    ]


def status_of(exit_code: int) -> str:
    """The ``crawls.status`` of an exit code."""
    return {EXIT_OK: "ok", EXIT_UNHEALTHY: "unhealthy"}.get(exit_code, "failed")
