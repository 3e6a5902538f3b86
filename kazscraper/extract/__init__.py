"""HTML → the fields of an article: pure functions, no Scrapy, no I/O.

``article.extract_article`` takes each field from the first layer that yields it:
``metadata`` (what the page declares), the site profile's selectors, ``signature``
and ``blocks`` (the end of the body, the labelled link blocks), then the generic
layer for pages the profile does not match: ``furniture`` (what it leaves out),
``body`` (trafilatura's main text; ``listing`` refuses a page of teasers),
``headline``, ``page_date``, ``byline`` and ``site_name``, every selector of it in
``xpaths``. ``dates``, ``names`` and ``language`` read what pages write.
"""
