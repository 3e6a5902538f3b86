"""The Scrapy glue of kazscraper: runner, settings, spiders, middlewares, extensions."""
