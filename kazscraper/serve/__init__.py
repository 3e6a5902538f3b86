"""``kazscraper serve``'s Datasette side: an archive's metadata, a guard plugin, templates.

``datasette_metadata`` builds the metadata (titles, descriptions, canned queries) from
the file; ``datasette_guard`` refuses full-text queries past the search limits;
``templates/`` overrides Datasette's first screens.
"""
