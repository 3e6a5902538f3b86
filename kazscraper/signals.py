"""kazscraper's own Scrapy signals."""

#: A URL failed for good (download error, HTTP error after retries, not a text page,
#: unreadable sitemap). Arguments: url, stage ('discovery' | 'fetch'), reason, http_status.
page_failed = object()

#: Another address of an article was found (a mirror-host link). Arguments: url, canonical.
alias_found = object()
