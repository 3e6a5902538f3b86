"""A worker's Scrapy settings: the shared frontier and its components instead of SQLite's."""

from __future__ import annotations

from scrapy.settings import Settings

from kazscraper.distributed import PREFIX, RedisKeys


def worker_settings(
    settings: Settings,
    redis_url: str,
    worker: str,
    idle_timeout: float,
    prefix: str = PREFIX,
    warc_dir: str | None = None,
) -> None:
    """Make ``settings`` (kazscraper's, for one crawl) those of a worker of a Redis crawl."""
    keys = RedisKeys(prefix)
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["kazscraper.crawler.archive_owner.ArchiveExtension"] = None
    extensions["kazscraper.distributed.lifecycle.WorkerLifecycle"] = 100
    pipelines = dict(settings.getdict("ITEM_PIPELINES"))
    pipelines["kazscraper.crawler.pipelines.sink.SinkPipeline"] = None
    pipelines["kazscraper.distributed.queue_pipeline.QueuePipeline"] = 900
    downloader = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    downloader["kazscraper.crawler.middlewares.warc_capture.WarcCaptureMiddleware"] = None
    downloader["kazscraper.distributed.warc_capture.WorkerWarcCapture"] = 950
    downloader["kazscraper.distributed.rate_limit.HostRateLimit"] = 110
    spider_mw = dict(settings.getdict("SPIDER_MIDDLEWARES"))
    spider_mw["kazscraper.distributed.ack.AckSpiderMiddleware"] = 1
    settings.setdict(
        {
            "SCHEDULER": "kazscraper.distributed.scheduler.InflightScheduler",
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_SERIALIZER": "kazscraper.distributed.serializer",
            "SCHEDULER_PERSIST": True,  # the frontier outlives any one worker
            "SCHEDULER_QUEUE_KEY": keys.requests,
            "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
            "REDIS_URL": redis_url,
            "JOBDIR": None,
            "EXTENSIONS": extensions,
            "ITEM_PIPELINES": pipelines,
            "DOWNLOADER_MIDDLEWARES": downloader,
            "SPIDER_MIDDLEWARES": spider_mw,
            "KAZSCRAPER_REDIS_URL": redis_url,
            "KAZSCRAPER_REDIS_PREFIX": prefix,
            "KAZSCRAPER_WORKER": worker,
            "KAZSCRAPER_IDLE_TIMEOUT": idle_timeout,
            "KAZSCRAPER_WARC_DIR": warc_dir,  # None: the WARC folder beside --db
        },
        priority="cmdline",
    )
