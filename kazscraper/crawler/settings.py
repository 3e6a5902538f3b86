"""Scrapy settings for kazscraper: politeness, pipeline order, archive defaults.

The CLI overrides a few per run (archive path, log level, and no delays when
the target is our own loopback replica); everything else is here.
"""

from scrapy.settings import default_settings as _scrapy

from kazscraper.intake.page import PAGE_MAX_BYTES as _PAGE_MAX_BYTES

BOT_NAME = "kazscraper"
SPIDER_MODULES = ["kazscraper.crawler.spiders"]
NEWSPIDER_MODULE = "kazscraper.crawler.spiders"

# An honest User-Agent that says who we are and where to read about it.
USER_AGENT = (
    "kazscraper/0.1 (+https://github.com/kazscraper/kazscraper; news archive of qazdauiri.kz)"
)

# Politeness towards the real site.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
# one politeness slot per site address, host[:port], not per host name (crawler/slots.py)
DOWNLOADER = "kazscraper.crawler.slots.SiteSlotDownloader"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
# Refuse what no article page can be: 10 MB is far above the ~60 KB of a real page.
DOWNLOAD_MAXSIZE = _PAGE_MAX_BYTES
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# DOWNLOAD_MAXSIZE caps the body only: the headers are capped by this handler (1 MB)
DOWNLOAD_HANDLERS = {
    "http": "kazscraper.crawler.http_handler.CappedHTTPDownloadHandler",
    "https": "kazscraper.crawler.http_handler.CappedHTTPDownloadHandler",
}
KAZSCRAPER_MAX_HEADER_BYTES = 1024 * 1024
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# Scrapy's remote-control HTTP server runs Python code sent to it: never in an archiver's crawl
REMOTE_CONTROL_ENABLED = False

# Outputs of one response handled at once. Scrapy starts this many tasks for every response
# (its default, 100: 0.7 ms of CPU a page, as much as decoding and intake together); a page
# yields its requests and at most one item, its last output, so a few are plenty
CONCURRENT_ITEMS = 4

# Scrapy's duplicate filter, its fingerprints in a flat table (40 bytes a request, not 100)
DUPEFILTER_CLASS = "kazscraper.crawler.dupefilter.CompactDupeFilter"
# Scrapy's default disk queue, without a scan of the spider's attributes per request pushed
SCHEDULER_DISK_QUEUE = "kazscraper.crawler.queues.RequestDiskQueue"

# Pipelines, in order (gaps left for later stages), one per module of crawler/pipelines/
ITEM_PIPELINES = {
    "kazscraper.crawler.pipelines.extract.ExtractPipeline": 100,
    "kazscraper.crawler.pipelines.clean.CleanPipeline": 200,
    "kazscraper.crawler.pipelines.validate.ValidatePipeline": 300,
    "kazscraper.crawler.pipelines.dedup.DedupPipeline": 400,
    "kazscraper.crawler.pipelines.sink.SinkPipeline": 900,
}

# The archive's owner: one connection for the whole run, the crawls row (see archive_owner.py).
EXTENSIONS = {"kazscraper.crawler.archive_owner.ArchiveExtension": 100}

# Scrapy's components switched off above are not loaded at all: loading one to be told it is
# off imports its libraries (the remote control's aiohttp server, the cookie jar's
# tldextract: 0.3 s of CPU a run). Scrapy imports every key of EXTENSIONS and
# DOWNLOADER_MIDDLEWARES, None-valued ones too, so they are left out of its base lists
_NOT_LOADED = frozenset(
    {
        "scrapy.extensions.remote_control.RemoteControl",
        "scrapy.extensions.telnet.TelnetConsole",
        "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",
    }
)
EXTENSIONS_BASE = {k: v for k, v in _scrapy.EXTENSIONS_BASE.items() if k not in _NOT_LOADED}
DOWNLOADER_MIDDLEWARES_BASE = {
    k: v for k, v in _scrapy.DOWNLOADER_MIDDLEWARES_BASE.items() if k not in _NOT_LOADED
}

# Raw capture sits next to the downloader, so it records responses as transferred.
# Retries pause first: Retry-After when sent, else exponential back-off.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "kazscraper.crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "kazscraper.crawler.middlewares.robots.RobotsCrawlDelayMiddleware": 100,
    "kazscraper.crawler.middlewares.sitemap_size.SitemapSizeMiddleware": 120,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "kazscraper.crawler.middlewares.meta_refresh.SiteMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "kazscraper.crawler.middlewares.redirect.LoopSafeRedirectMiddleware": 600,
    "kazscraper.crawler.middlewares.warc_capture.WarcCaptureMiddleware": 950,
}
KAZSCRAPER_RETRY_BACKOFF = 2.0  # seconds before the first retry; doubled for each next one
KAZSCRAPER_RETRY_AFTER_MAX = 120.0  # a longer Retry-After is not waited for in this run
# robots.txt Crawl-delay is the least delay between requests to its host, capped here
KAZSCRAPER_CRAWL_DELAY_MAX = 30.0

# Discovery limits, whatever the site serves (docs/reliability.md, "Every URL accounted for"):
KAZSCRAPER_MAX_LISTING_PAGES = 10_000  # listing (home, category) pages fetched per run
KAZSCRAPER_MAX_SITEMAPS = 1_000  # sitemap files fetched per run
KAZSCRAPER_SITEMAP_MAX_DEPTH = 3  # sitemap index nesting (the index itself is level 1)
KAZSCRAPER_SITEMAP_MAX_BYTES = 50 * 1024 * 1024  # of a sitemap, after gunzip (sitemaps.org)
KAZSCRAPER_SITEMAP_MAX_ELEMENTS = 1_000_000  # XML elements read per sitemap or feed
KAZSCRAPER_SITEMAP_MAX_LOC = 2_048  # a sitemap entry's loc (sitemaps.org: under 2,048)
KAZSCRAPER_MAX_LINKS_PER_PAGE = 5_000  # links read from one page, sitemap aside
# article requests per run, then discovery stops as with --max-articles (0: no limit); the
# next run goes on from there (archived articles are skipped, and do not count)
KAZSCRAPER_MAX_ARTICLES_PER_RUN = 200_000
URLLENGTH_LIMIT = 2_083  # Scrapy's; a longer link is not scheduled (the frontier reads it)

# kazscraper's own settings
KAZSCRAPER_WARC = True  # write every response into <archive dir>/warc/*.warc.gz
KAZSCRAPER_WARC_MAX_BYTES = 256 * 1024 * 1024  # rotate WARC files at this size
KAZSCRAPER_DB = "archive/qazdauiri.sqlite"
KAZSCRAPER_BATCH_SIZE = 100  # articles per write transaction
KAZSCRAPER_EXTRACT_WORKERS = 0  # >0: extract in that many worker processes (crawl --workers)

LOG_LEVEL = "INFO"
LOG_FORMATTER = "kazscraper.crawler.log_format.CappedLogFormatter"  # no page HTML in the log
FEED_EXPORT_ENCODING = "utf-8"
