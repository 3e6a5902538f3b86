"""The crawl's Scrapy settings: no control server listens during a crawl."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Runs in a child process: a Twisted reactor is installed there, as in a real crawl (the
# remote-control extension is only enabled under the asyncio reactor), not in pytest's process.
_LIST_EXTENSIONS = """
import json, sys
from scrapy.crawler import CrawlerRunner
from scrapy.utils.reactor import install_reactor
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")
import scrapy
from kazscraper.crawler.runner import CrawlOptions, build_settings

class Idle(scrapy.Spider):
    name = "idle"

options = CrawlOptions(db_path=sys.argv[3], start_url=sys.argv[1] or None)
settings = build_settings(options)
if sys.argv[2] == "on":  # switched on, and loaded (the project's settings do not load it)
    settings.set("REMOTE_CONTROL_ENABLED", True, priority="cmdline")
    extensions = settings.getdict("EXTENSIONS")
    extensions["scrapy.extensions.remote_control.RemoteControl"] = 0
    settings.set("EXTENSIONS", extensions, priority="cmdline")
crawler = CrawlerRunner(settings).create_crawler(Idle)
crawler._apply_settings()
enabled = sorted(type(ext).__name__ for ext in crawler.extensions.middlewares)
# what is off is not even imported (Scrapy imports a component to be told it is off)
loaded = [m for m in ("aiohttp", "tldextract", "scrapy.extensions.telnet") if m in sys.modules]
print(json.dumps(enabled + [f"imported {m}" for m in loaded]))
"""


def _enabled_extensions(db: Path, start_url: str, remote_control: str = "") -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", _LIST_EXTENSIONS, start_url, remote_control, str(db)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_no_remote_control_or_telnet_server_in_a_crawl(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    # the probe sees the extension when it is switched on: the check below is not vacuous
    assert "RemoteControl" in _enabled_extensions(db, "", remote_control="on")
    for start_url in ("", "http://127.0.0.1:8000/"):
        enabled = _enabled_extensions(db, start_url)
        assert "CoreStats" in enabled
        assert "RemoteControl" not in enabled
        assert "TelnetConsole" not in enabled
        assert not {e for e in enabled if e.startswith("imported ")}, enabled


@pytest.mark.filterwarnings("ignore:The CONCURRENT_REQUESTS_PER_IP setting is deprecated")
def test_per_ip_concurrency_keeps_scrapys_slot_per_ip() -> None:
    """With CONCURRENT_REQUESTS_PER_IP set, Scrapy keys its slots by IP address (several
    host names on one server share one politeness slot); the site-slot downloader keeps that
    and keys by host[:port] only otherwise."""
    from scrapy import Request
    from scrapy.utils.misc import load_object
    from scrapy.utils.test import get_crawler

    from kazscraper.crawler import settings as project

    def slot(settings: dict, url: str) -> str:
        crawler = get_crawler(settings_dict={"DOWNLOADER": project.DOWNLOADER, **settings})
        downloader = load_object(crawler.settings["DOWNLOADER"])(crawler)
        try:
            return downloader.get_slot_key(Request(url))
        finally:
            downloader.close()

    assert slot({}, "http://127.0.0.1:8001/news/x") == "127.0.0.1:8001"
    assert slot({"CONCURRENT_REQUESTS_PER_IP": 1}, "http://127.0.0.1:8001/news/x") == "127.0.0.1"
