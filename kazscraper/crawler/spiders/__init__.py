"""The spiders: ``news`` crawls the sites, ``reparse`` reads the archive's WARC files back."""
