"""Profile of qazdauiri.kz («Қазақстан дәуірі»).

Declared in ``qazdauiri.toml`` beside this module, in the format of every profile file
(``sites/profile_file.py``, docs/profiles.md): its hosts, URL patterns, one element path
per field, block labels and health floors. The real site's markup is unknown to us; the
file describes the replica. When the real markup differs, that file is the one to edit.
"""

from kazscraper.sites.profile_file import load_builtin

PROFILE = load_builtin("qazdauiri")
