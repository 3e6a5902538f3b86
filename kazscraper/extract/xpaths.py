"""The generic layer's XPaths and class names, in one place.

Furniture is named by whole class *tokens* (``class="post sidebar"`` holds the
token ``sidebar``; ``class="one-sidebar sidebar-second"`` on a ``<body>`` does
not), never by substrings, and the generic layer (``extract.furniture``) never drops an
element that holds the page's main text (its ``<h1>``, ``<main>``,
``[itemprop=articleBody]``, or ``<html>``/``<body>``).
"""

from __future__ import annotations

# blocks of other articles, comments and page chrome, as sites name them
FURNITURE_CLASSES = (
    "sidebar", "side-bar", "widget", "widget-area", "related", "related-posts",
    "related-news", "related-articles", "similar", "similar-news", "popular", "most-read",
    "top-news", "comments", "comment", "comment-list", "commentlist", "comments-area",
    "cookie", "cookies", "cookie-banner", "cookie-notice", "banner", "share", "sharing",
    "share-buttons", "social", "social-share", "newsletter", "teaser", "teasers", "news-item",
    # WordPress's Jetpack: share and like buttons, related posts
    "sharedaddy", "jp-relatedposts",
)  # fmt: skip
FURNITURE_IDS = (
    "comments", "comment", "cookie", "cookies", "sidebar", "respond", "jp-relatedposts",
)  # fmt: skip

FURNITURE_TAGS = frozenset({"nav", "footer", "aside", "form"})  # and <header> outside <article>

# never read: scripts and styles
NEVER_READ_TAGS = frozenset({"script", "style", "noscript", "template"})

# where the main text is: what a drop must never take with it
MAIN_TEXT_ANCHORS = (
    "//main|//*[@itemprop='articleBody' or @role='main']"
    "|//h1[not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside)]"
)

# for the body only: feeds and breadcrumbs (whole class tokens) ...
TEXT_FURNITURE_CLASSES = (
    "latest", "latest-news", "breadcrumb", "breadcrumbs", "lenta", "feed", "tags", "tag-list",
)  # fmt: skip
# ... and the article's own short date, views and author lines: a short element (a few
# words, never a container of text) whose class has one of these words, split at - and _
# too (``news-detail__info``, ``date-published``)
FIELD_LINE_WORDS = frozenset({"date", "time", "views", "info", "meta", "author", "byline"})


# where a page's own date line lives (found by name: substrings are fine for *finding*)
DATE_ELEMENTS = (  # ``//body//*[self::time or @itemprop='datePublished' or (@class and (…))]``
    # found by their attributes, in page order (a test of the attributes of those names, not
    # of every element: 0.8 of the time on the real pages, the same elements)
    "//body//time | //body//*/@itemprop[.='datePublished']/parent::*"
    " | //body//*/@class[contains(.,'date') or contains(.,'Date') or contains(.,'time')"
    " or contains(.,'published') or contains(.,'meta')]/parent::*"
)

AUTHOR_TEST = (
    "[@rel='author' or @itemprop='author'"
    " or contains(@class,'author') or contains(@class,'byline')]"
)
# the elements of ``"//body//*" + AUTHOR_TEST``, found by their attributes (libxml2 tests the
# few attributes of those names, not every element: a third of the time)
AUTHOR_ELEMENTS = (
    "//body//*/@rel[.='author']/parent::* | //body//*/@itemprop[.='author']/parent::*"
    " | //body//*/@class[contains(.,'author') or contains(.,'byline')]/parent::*"
)
# any author markup at all: a page without it is not searched for a byline again
# (``boolean(//body//*[@rel='author' or … or contains(@id,'author')])`` by the attributes of
# those names: under half the time on the real pages)
AUTHOR_HINT = (
    "boolean(//body//*/@rel[.='author'] | //body//*/@itemprop[.='author']"
    " | //body//*/@class[contains(.,'author') or contains(.,'Author') or contains(.,'autor')"
    " or contains(.,'byline') or contains(.,'writer')] | //body//*/@id[contains(.,'author')])"
)

# every element trafilatura's author XPaths (``trafilatura.xpaths.AUTHOR_XPATHS``, 2.x) can
# match has one of these attributes holding one of these stems (their exact and regular-
# expression tests widened to substrings: "[Aa]uthor" to "uthor"), or is an <author> or
# <rel>. Where none does, its byline reading finds no one and is not run (it copies the
# tree and runs a regular expression per class in Python); the attributes' values are read
# by one XPath and searched in Python (one XPath of 25 tests cost as much as the reading)
TRAFILATURA_AUTHOR_ATTRIBUTES = (
    "//@class | //@id | //@rel | //@itemprop | //@data-testid | //@data-component"
)
TRAFILATURA_AUTHOR_STEMS = (
    "uthor", "yline", "byl", "BBL", "username", "screenname", "writer", "channel-name",
    "submitted-by", "posted-by", "journalist-name", "zuozhe", "bianji", "xiaobian",
)  # fmt: skip
TRAFILATURA_AUTHOR_TAGS = ("author", "rel")

# the generic layer's byline reader: elements marked as an author's (``rel=author``,
# ``itemprop=author``, an hCard's ``fn``, or a class word, split at - and _ and camel case,
# that is one of these words or known compounds: ``post-author``, ``auteurs``,
# ``articleByline``; not ``autorefresh``, ``authorization``, ``typewriter``); the stems are
# a cheap first test of the class
BYLINE_CLASS_STEMS = ("author", "byline", "autor", "auteur", "writer")
BYLINE_CLASS_WORDS = frozenset(
    {"author", "authors", "byline", "bylines", "autor", "autoren", "autorin", "autore",
     "autori", "auteur", "auteurs", "writer", "writers", "authorname", "postauthor",
     "articleauthor", "entryauthor", "storyauthor", "newsauthor", "authorlink", "autorname",
     "bylinename", "bylineauthor", "byauthor"}
)  # fmt: skip
# the name inside a schema.org author (``<span itemprop="author"><span itemprop="name">``)
ITEMPROP_NAME = ".//*[@itemprop='name']"
# a comment's author is not the article's, nor a photo's credit (class words)
NOT_BYLINE_CLASS_WORDS = frozenset(
    {"comment", "comments", "commentlist", "reply", "replies", "discussion", "disqus",
     "caption", "credit", "credits", "photocredit", "copyright"}
)  # fmt: skip

# a headline's kicker, date or label inside its <h1> (``<span class="dachzeile">``,
# ``<div class="topic-label">``), not the headline: class words (split at - and _), and tags
HEADLINE_KICKER_WORDS = frozenset(
    {"kicker", "dachzeile", "overline", "topline", "eyebrow", "roofline", "supertitle",
     "pretitle", "overtitle", "subtitle", "topic", "label", "spitzmarke", "date"}
)  # fmt: skip
HEADLINE_KICKER_TAGS = frozenset({"time", "small"})
TITLE_TEXT = "//title//text()"

# headings for screen readers only: whole class tokens, case folded
VISUALLY_HIDDEN_CLASSES = (
    "sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "screen-reader-only",
    "aural", "element-invisible", "hidden", "hide", "sr-text", "a11y-hidden", "offscreen",
)  # fmt: skip

NAV_ANCESTORS = "ancestor::nav|ancestor::footer|ancestor::aside|ancestor::header"

# --- the rest of the extractor's XPaths (the generic layer's modules and .article) ------

# the page's elements, counted in C (a page of too many is not extracted)
ELEMENT_COUNT = "count(//*)"
# an <h1>'s links: one to the site's home page makes it the site's logo
H1_LINKS = ".//a[@href]/@href"
# the site's names it declares
SITE_NAMES = "//meta[@property='og:site_name' or @name='application-name']/@content"
# the site's title linked to its home page (WordPress's ``site-title``, most themes' logo)
# (the links' rel attributes tested, not every link: a tenth of the time on a page of menus)
HOME_LINKS = (
    "(//a/@rel[contains(concat(' ', normalize-space(.), ' '), ' home ')]/parent::*)"
    "[position() <= 3]"
)
# a date line before the headline: the header's "today" line
BEFORE_HEADLINE = "boolean(following::h1)"
# a teaser holds a link; teasers in the menus, header or footer are not counted
HAS_LINK = "boolean(descendant-or-self::a[@href])"
IN_CHROME = "boolean(ancestor-or-self::*[self::nav or self::header or self::footer])"
# paragraphs that belong to furniture nested inside a profile's body container
BODY_EXCLUDE_TAGS = ("aside", "figcaption", "nav", "footer", "form", "noscript", "template")
BODY_EXCLUDE = "|".join(f"ancestor::{tag}" for tag in BODY_EXCLUDE_TAGS)
# a body container's text when it has no paragraphs (text set with <br>)
LOOSE_TEXT = ".//text()[not(ancestor::script|ancestor::style|ancestor::noscript)]"
