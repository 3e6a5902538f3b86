"""Learning a site's profile from its archived pages (``kazscraper profile learn``).

It sits above ``extract/``, ``clean/`` and ``sites/``: it runs the generic layer on each
page and turns what agrees into a ``sites`` profile file, so none of those imports it."""
