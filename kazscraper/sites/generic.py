"""The generic profile: pages of a site we have no profile for.

No selectors (every field comes from the page's metadata and the generic
layer), no time zone (a date keeps the offset the page states), no language
(it is read from the page). Nothing of qazdauiri.kz: no labels, no paths.
"""

from kazscraper.sites import Selectors, SiteProfile

PROFILE = SiteProfile(
    name="generic",
    origin="",
    article_path=r"^/.+",
    listing_paths=(r"^/?$",),
    selectors=Selectors(title="", body="", paragraphs="p", listing_item=""),
    language="",
    timezone=None,
)
