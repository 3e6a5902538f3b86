"""kazscraper's downloader middlewares, one per module (their order: ``crawler.settings``)."""
