"""Raw capture: every HTTP exchange as WARC records (ISO 28500), and reading them back.

One job per module:

- ``records``: what is recorded (``Exchange``, ``Capture``, payload digests, WARC dates);
- ``writer``: ``WarcArchiver`` writes captures into size-rotated ``.warc.gz`` files;
- ``files``: which files are an archive's (names, the owner in ``warcinfo``, locks);
- ``recovery``: the ``.open`` files a killed run left, trimmed to whole records;
- ``replay``: ``read_captures`` reads pages back in capture order (``kazscraper reparse``);
- ``index``: the ``captures`` rows a killed run did not write, found in its files;
- ``limits``: the caps every reader keeps (payload and header sizes, damaged records).
"""
