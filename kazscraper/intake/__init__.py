"""One way in for pages: a fetched page's bytes become the text every route extracts.

- ``page``: (url, headers, bytes, fetch time, status) -> ``PageItem`` or ``Refused``;
- ``decode``: the bytes' codec, never mojibake (``plausible``: what a wrong one looks like);
- ``markup``: markup that would make the HTML parser itself slow, refused unparsed;
- ``checked``: the checks that the text is HTML to parse, done once, carried with the text;
- ``links``: a page's links, and the mirror-host aliases of articles among them.
"""
