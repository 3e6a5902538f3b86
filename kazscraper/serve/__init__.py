"""``kazscraper serve``'s Datasette side: the metadata of an archive, the plugin that bounds
full-text queries, and the templates of the first screens."""
