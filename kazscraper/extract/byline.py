"""The authors a page of another site names: its byline, its author elements, trafilatura's.

Names are read as written where our parser does not take them (a handle, a
nickname); labels, roles, outlets, a CMS's default account and comment headings are
no one; an organisation given as the author is the publisher (``is_organisation``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import lru_cache
from itertools import permutations
from typing import Any, NamedTuple

from lxml import etree
from parsel import Selector

from kazscraper.extract import xpaths
from kazscraper.extract.blocks import node_text
from kazscraper.extract.furniture import class_words, in_furniture
from kazscraper.extract.headline import H1_IN_CHROME
from kazscraper.extract.names import (
    PersonName,
    is_source_name,
    name_key,
    parse_byline,
    parse_display_name,
)
from kazscraper.extract.site_name import site_names, squash
from kazscraper.urls import urlsplit

_MAX_AUTHOR_LINE = 120


def authors_from_elements(page: Selector) -> list[PersonName]:
    """Names from the page's visible author element (``<span class="post-author">``,
    ``<p class="article__author">Автор: …</p>``), outside teasers and furniture."""
    for element in _AUTHOR_ELEMENTS(page.root):
        if in_furniture(element) or _HOLDS_AUTHOR_ELEMENT(element):
            continue  # furniture, or a wrapper whose inner author element comes next
        text = node_text(element)
        if not text or len(text) > _MAX_AUTHOR_LINE or _is_a_role(_BYLINE_LABEL.sub("", text)):
            continue  # ... or a role, an editorial label ("От Редакции", "Staff Writer")
        names = parse_byline(text)
        if not names and (person := parse_display_name(text)) is not None:
            names = [person]
        names = [n for n in names if not _BYLINE_LABEL.fullmatch(n.name)]  # "By" is no one
        if names:
            return names
    return []


# compiled once, on lxml elements; the elements found by their attributes, not by a test of
# every element's (a third of the time)
_AUTHOR_ELEMENTS = etree.XPath(xpaths.AUTHOR_ELEMENTS)
_HOLDS_AUTHOR_ELEMENT = etree.XPath("boolean(.//*" + xpaths.AUTHOR_TEST + ")")
_ITEMPROP_NAME = etree.XPath(xpaths.ITEMPROP_NAME)
MAX_AUTHORS = 50  # a real article is signed by one to five people
# a line that opens with a byline's label: "By Ann Lee", "Von Ann Lee", "par Ann Lee"
_BYLINE_OPENING = re.compile(
    r"^(?:by|von|par|por|door|av|af|от|автор(?:ы)?\s*:|авторлар\s*:|author\s*:|authors\s*:"
    r"|autor(?:in)?\s*:|text\s*:|written by|posted by|geschrieben von|verfasst von)\s",
    re.IGNORECASE,
)
_MAX_BYLINE = 80  # characters: a byline line; a longer element is a bio or a paragraph
# several people in one byline: "Ann Lee and Tom Berg", "Ann Lee, Tom Berg", "… және …"
_PEOPLE = re.compile(r"\s*(?:[,;&]|\s(?:and|und|y|et|e|и|және|та)\s)\s*", re.IGNORECASE)
# what a byline says after the names: "Ann Lee am 3. Mai", "Ann Lee on May 3", "· 5 min";
# "le", "el", "den" only before a date's digits ("Jean Dupont le 3 mai"): else they are a
# name's particles ("Jean le Carré", "Peter van den Berg")
_AFTER_NAMES = re.compile(r"\s(?:[|·•—–]|-\s|on|am|um|il|at|vor)(?:\s|$)|\s(?:le|el|den)\s(?=\d)")
# name particles written in lower case: "Walter von Aachen", "Jacobo de la Cruz"
_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos",
     "das", "ter", "ten", "zu", "bin", "ibn", "al", "el", "y", "e"}
)  # fmt: skip
# degrees and honorifics alone are no one: "Ann Lee, PhD"
_DEGREES = frozenset({"phd", "ph.d", "md", "dr", "prof", "msc", "mba", "jr", "sr"})
# the words of a site's buttons and labels where a byline's markup holds no name
_UI_WORDS = frozenset(
    {"posted", "follow", "share", "comments", "comment", "reply", "datum", "date", "published",
     "updated", "more", "read", "view", "profile", "menu", "search", "login", "home", "on", "by",
     "at", "am", "veröffentlicht", "publiziert", "aktualisiert", "erstellt", "publié", "publicado",
     "quelle", "source", "источник", "дереккөз", "foto", "fotos", "photo", "photos", "bild",
     "image", "credit", "фото", "сурет"}
)  # fmt: skip


def byline_authors(page: Selector, url: str = "") -> list[PersonName]:
    """The people a page of another site names in its visible byline: the innermost
    element marked as an author's (``rel=author``, ``itemprop=author`` and its ``name``,
    an hCard's ``fn``, a class word ``author``/``byline``/``autor``/``auteur``/``writer``
    or a known compound: ``post-author``, ``articleByline``), else a short line that opens
    with a byline's label (``By …``, ``Von …``, ``par …``, ``Автор: …``). Candidates in the
    ``<h1>``'s article (or main) or after the ``<h1>`` come first (a side rail's teaser
    before the article is not its byline). Outside furniture, comments, captions and photo
    credits; labels, dates after the names, degrees, roles and outlets after a comma
    (``Ann Lee, Staff Writer``) are left out; several people are split at commas, ``&``
    and "and" in the page's language (``and``, ``und``, ``y``, ``et``, ``и``, ``және``). A
    single word is a name only in a ``rel=author``/``itemprop=author`` element, kept as
    written where our parser does not take it (a lower-case handle: ``marc``). At most
    ``MAX_AUTHORS + 1`` people are read (the caller tells that some were dropped)."""
    return read_byline(page).names


class BylineReading(NamedTuple):
    """What one walk of a page tells of its byline: the people (``byline_authors``), and
    whether an element in its body is marked ``rel=author`` or ``itemprop=author`` or has a
    class naming an author (``has_author_markup`` but for the id, read only when asked)."""

    names: list[PersonName]
    marked_in_body: bool


def read_byline(page: Selector) -> BylineReading:
    """The page's byline people (see ``byline_authors``) and its author marks in one walk
    (the lines that open with a byline's label are wanted on most pages: no second walk)."""
    marked, openings, marked_in_body = _walk(page.root)
    return BylineReading(_marked_people(marked) or _opening_people(openings), marked_in_body)


def _marked_people(marked: list[Any]) -> list[PersonName]:
    """The people of the first author element that names some."""
    wrappers = {ancestor for el in marked for ancestor in el.iterancestors()}
    for element in marked:
        if element in wrappers or _not_the_articles(element):
            continue  # a wrapper whose inner author element comes next, or furniture
        names = _byline_people(_author_text(element), markup=_strong_mark(element))
        if names:
            keys = {n.key for n in names}
            parent, tag, classes = element.getparent(), element.tag, element.get("class")
            for sibling in marked:  # "By <a rel=author>Ann</a> and <a rel=author>Tom</a>"
                if len(names) > MAX_AUTHORS:
                    break
                if (
                    sibling is element or sibling.getparent() is not parent
                    or sibling.tag != tag or sibling.get("class") != classes
                ):  # fmt: skip
                    continue
                for person in _byline_people(_author_text(sibling), _strong_mark(sibling)):
                    if person.key not in keys:
                        keys.add(person.key)
                        names.append(person)
            return names[: MAX_AUTHORS + 1]
    return []


def _opening_people(openings: list[Any]) -> list[PersonName]:
    """The people of the first line that opens with a byline's label and names some."""
    for element in openings:
        line = _short_text(element, _MAX_BYLINE)
        if line and not _not_the_articles(element):
            names = _byline_people(line, markup=False)
            if names:
                return names[: MAX_AUTHORS + 1]
    return []


def _short_text(element: Any, limit: int) -> str | None:
    """The element's text when it is at most ``limit`` characters long, else None; a longer
    text is not read past the limit (a byline is a short line)."""
    seen = 0
    for piece in element.itertext():
        seen += len(piece.strip())
        if seen > limit:
            return None
    text = node_text(element)
    return text if len(text) <= limit else None


def _walk(root: Any) -> tuple[list[Any], list[Any], bool]:
    """In one walk of the page (an XPath of a dozen ``contains()`` tests costs three times
    more; a function call per element twice the walk): the elements marked as an author's
    (``rel=author``, ``itemprop=author``, an hCard's ``fn``, a class word split at - and _
    and camel case in ``xpaths.BYLINE_CLASS_WORDS``, not a word that only holds one:
    ``autorefresh``, ``authorization``, ``typewriter``),
    those whose text opens with a byline's label (each list with those in the first
    headline's article, or main, or after it first), and whether an element in the body is
    ``has_author_markup``'s by its class, ``rel`` or ``itemprop``. Each element's class is
    tested for a byline's stems first: most have none."""
    marked: list[tuple[bool, Any]] = []
    openings: list[tuple[bool, Any]] = []
    headline: Any = None
    after = in_body = False
    never_read, opening = xpaths.NEVER_READ_TAGS, _BYLINE_OPENING.match
    for element in root.iter(etree.Element):
        get = element.get
        mark = hint = False
        classes = get("class")
        if classes:
            folded = classes.casefold()
            if (
                "author" in folded or "byline" in folded or "autor" in folded
                or "auteur" in folded or "writer" in folded or "fn" in folded
            ):  # fmt: skip
                mark = _class_marks(element, classes)
                hint = any(stem in classes for stem in _HINT_CLASS_STEMS)
        rel = get("rel")
        if rel is not None:
            mark = mark or "author" in rel.split()
            hint = hint or rel == "author"
        if get("itemprop") == "author":
            mark = hint = True
        if hint and not in_body:
            in_body = any(a.tag == "body" for a in element.iterancestors())
        tag = element.tag
        if tag in never_read:
            continue
        if headline is None and tag == "h1" and not H1_IN_CHROME(element):
            headline, after = element, True
        if mark:
            marked.append((after, element))
        text = element.text
        if text and opening(text.lstrip()):
            openings.append((after, element))
    return _in_order(marked, headline), _in_order(openings, headline), in_body


def _in_order(found: list[tuple[bool, Any]], headline: Any) -> list[Any]:
    """The ``found`` elements (each with whether it comes after the ``headline``), those in
    the headline's article (or main) or after it first, else in the page's order."""
    region = None
    if headline is not None:
        region = next((a for a in headline.iterancestors() if a.tag in ("article", "main")), None)

    def later(item: tuple[bool, Any]) -> bool:
        after, element = item
        if after or region is None:
            return not after and headline is not None
        return not any(a is region for a in element.iterancestors())

    return [element for _, element in sorted(found, key=later)]  # stable


# the class substrings of ``xpaths.AUTHOR_HINT`` (each holds one of the byline's stems)
_HINT_CLASS_STEMS = ("author", "Author", "autor", "byline", "writer")
# ``xpaths.AUTHOR_HINT`` but for the class, ``rel`` and ``itemprop`` (read in the walk)
_AUTHOR_ID_HINT = etree.XPath("boolean(//body//*/@id[contains(.,'author')])")


def _class_marks(element: Any, classes: str) -> bool:
    """Whether a word of the element's ``classes`` (split at - and _ and camel case) is
    ``fn`` or in ``xpaths.BYLINE_CLASS_WORDS``."""
    words = {w.casefold() for w in _CLASS_PART.findall(classes)}
    words |= class_words(element)
    return "fn" in words or not words.isdisjoint(xpaths.BYLINE_CLASS_WORDS)


# a class's words: split at - and _ and where a lower-case letter meets an upper-case one
_CLASS_PART = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def _strong_mark(element: Any) -> bool:
    """``rel=author`` or ``itemprop=author``: a single word in it is a name (a handle)."""
    return "author" in (element.get("rel") or "").split() or element.get("itemprop") == "author"


def _not_the_articles(element: Any) -> bool:
    """In comments (a comment list, Disqus, a discussion), a caption or a photo credit, or
    furniture: no byline of the article."""
    for node in (element, *element.iterancestors()):
        if node.tag == "figcaption":
            return True
        if not class_words(node).isdisjoint(xpaths.NOT_BYLINE_CLASS_WORDS):
            return True
        ident = (node.get("id") or "").casefold()
        if ident.startswith("comment") or "disqus" in ident:
            return True
    return in_furniture(element)


def _author_text(element: Any) -> str:
    """An author element's name: a schema.org ``name`` inside it, else its text (None
    when longer than a byline)."""
    if element.get("itemprop") == "author":
        for name in _ITEMPROP_NAME(element):
            text = name.get("content") or _short_text(name, _MAX_BYLINE)
            if text:
                return text
        if element.tag == "meta":
            return element.get("content") or ""
    return _short_text(element, _MAX_BYLINE) or ""


def _byline_people(line: str, markup: bool) -> list[PersonName]:
    """The people of one byline line (see ``byline_authors``)."""
    if not line or len(line) > _MAX_BYLINE:
        return []
    text = _BYLINE_LABEL.sub("", " ".join(line.split())).strip(" :,.-–—|")
    if cut := _AFTER_NAMES.search(text):
        text = text[: cut.start()]
    people: list[PersonName] = []
    for index, part in enumerate(_PEOPLE.split(text)):
        words = part.strip(" .,:").split()
        if not words or (words[0].casefold().strip(".") in _DEGREES and len(words) == 1):
            continue
        folded = {w.casefold().strip(".:") for w in words}
        if not folded.isdisjoint(_ROLE_WORDS):
            continue  # "Staff Writer", "Washington Post", "корреспондент", "Редакции"
        if not _looks_like_a_name(words, markup):
            if index and people:
                continue  # after a comma: no person ("Ann Lee, 34")
            return []  # a sentence or a label, not a byline
        if (person := name_as_written(" ".join(words))) is not None:
            people.append(person)
    return people


# what a byline says after a comma that is no person: a role, an outlet, an editorial label
_ROLE_WORDS = frozenset(
    {"staff", "writer", "writers", "correspondent", "reporter", "editor", "editors", "columnist",
     "contributor", "contributing", "senior", "chief", "freelance", "journalist", "redakteur",
     "redakteurin", "korrespondent", "korrespondentin", "journaliste", "rédacteur",
     "rédaction", "redacción", "redaktion", "redactie", "periodista", "corresponsal",
     "editorial", "newsroom", "desk", "post", "times", "tribune", "herald", "journal",
     "gazette", "press", "news", "agency", "корреспондент", "корреспондента", "редактор",
     "журналист", "обозреватель", "редакция", "редакции", "редакциясы", "редакциядан",
     "тілші", "тілшісі", "шолушы", "редакторы"}
)  # fmt: skip


# one word in an author's class or after a byline's label that is a button, a label or a day
_LABEL_WORDS = frozenset(
    {"subscribe", "email", "e-mail", "mail", "tags", "tag", "yesterday", "today", "tomorrow",
     "print", "newsletter", "contact", "author", "authors", "autor", "autoren", "auteur",
     "admin", "anonymous", "unknown", "guest", "gestern", "heute", "hier", "abonnieren",
     "teilen", "drucken", "schlagworte", "kategorie", "category", "categories", "archive",
     "anmelden", "login", "logout", "register", "signin", "welcome", "aktualisieren",
     "reload", "refresh", "вчера", "сегодня", "кеше", "бүгін", "подписаться", "теги"}
)  # fmt: skip


def _looks_like_a_name(words: list[str], markup: bool) -> bool:
    """1-5 words, each capitalised, an initial or a particle, the first capitalised, two
    at least; in a ``rel=author``/``itemprop=author`` element one word or handle as
    written (``marc``, ``delta201``); elsewhere one capitalised word that is no button, label
    or day (``Subscribe``, ``Tags``, ``Yesterday``)."""
    if len(words) > 5 or any(w.casefold().strip(".:") in _UI_WORDS for w in words):
        return False
    if len(words) == 1 and markup:
        return any(ch.isalpha() for ch in words[0]) and "@" not in words[0]
    if len(words) == 1:  # a first name in an author class ("Ulrike"), not a button or a day
        word = words[0]
        return word.isalpha() and word[:1].isupper() and word.casefold() not in _LABEL_WORDS
    if any(ch.isdigit() for w in words for ch in w):
        return False
    return all(w[:1].isupper() or w in _PARTICLES for w in words) and words[0][:1].isupper()


_AUTHOR_HINT = etree.XPath(xpaths.AUTHOR_HINT)
# each attribute of ``xpaths.TRAFILATURA_AUTHOR_ATTRIBUTES`` read by itself, the class first
# (it most often holds a stem): no union of six to sort, and no more read after a stem
_AUTHOR_ATTRIBUTES = tuple(
    etree.XPath(path.strip(), smart_strings=False)
    for path in xpaths.TRAFILATURA_AUTHOR_ATTRIBUTES.split("|")
)


def _may_name_an_author(tree: Any) -> bool:
    """Whether some element of ``tree`` may be one trafilatura's author XPaths match."""
    for attribute_values in _AUTHOR_ATTRIBUTES:
        values = "\n".join(attribute_values(tree))
        if any(stem in values for stem in xpaths.TRAFILATURA_AUTHOR_STEMS):
            return True
    return next(tree.iter(*xpaths.TRAFILATURA_AUTHOR_TAGS), None) is not None


def has_author_markup(tree: Any, marked_in_body: bool | None = None) -> bool:
    """Whether ``tree`` has any author markup (``rel=author``, a class naming an author or
    a byline) where trafilatura's byline reading could find a name: one cheap test before
    that reading of a whole page. ``marked_in_body``: ``read_byline``'s answer for this
    tree, where it was read (then only the elements' ids are searched)."""
    if marked_in_body is None:
        return bool(_AUTHOR_HINT(tree))
    return marked_in_body or bool(_AUTHOR_ID_HINT(tree))


def trafilatura_authors(tree: Any) -> list[PersonName]:
    """The byline trafilatura reads in the markup of ``tree`` (``<span class="author">``,
    ``rel=author``, ...), one name per ``;``, without its label (``Post author By``,
    ``Geschrieben von``); a name our parser does not take (a nickname, a lower-case
    handle) is kept as written."""
    from trafilatura.metadata import extract_author

    if not _may_name_an_author(tree):  # none of the elements its XPaths look for
        return []
    try:
        found = extract_author(tree) or ""
    except (ValueError, TypeError):
        return []
    names = (name_as_written(part) for part in found.split(";"))
    return [name for name in names if name is not None and not _is_a_role(name.name)]


def _is_a_role(name: str) -> bool:
    """Whether every word of ``name`` is a role's or an editorial label's (``Редакции``,
    ``Staff Writer``): no person."""
    words = {w.casefold().strip(".:") for w in name.split()}
    return bool(words) and words <= _ROLE_WORDS


# a byline's label before the names: "Author", "Post author By", "Geschrieben von", "Автор:"
_BYLINE_LABEL = re.compile(
    r"^(?:(?:post|posts|article|articles|artikel|beitrag|beiträge|written|posted|geschrieben"
    r"|verfasst|publié|escrito|scritto|about|the|this|author|authors|autor|autorin|auteur"
    r"|autore|автор|авторы|авторлар|дайындаған|by|von|vom|par|por|di|de|от|name|text|view"
    r"|all|zeige|alle|alles|mehr|more|zum|profil|profile|erstellt|veröffentlicht|publiziert"
    r"|interview|pressemitteilung|press release)\b"
    r"[\s:.,]*)+",
    re.IGNORECASE,
)


# a CMS's default account, not a person
_ROLE_NAMES = frozenset(
    {"admin", "administrator", "webmaster", "wpadmin", "site admin", "siteadmin", "editor",
     "moderator", "админ", "администратор", "администрация", "модератор", "редактор",
     "редакция", "редакциясы", "әкімші", "әкімшілік", "редакция сайта", "администратор сайта",
     "сайт әкімшісі", "сайт редакциясы", "root", "user", "manager", "менеджер"}
)  # fmt: skip


def is_no_person(
    name: str, site_words: frozenset[str] | Callable[[], frozenset[str]] = frozenset()
) -> bool:
    """A site's account or its newsroom given as the author: no person. Alone (``Admin``,
    ``Редакция``, ``Staff``, ``Администратор``) or with words that name no one (``Редакция
    сайта``, ``Editorial Staff``, ``Біздің тілші``, ``Пресс-служба``) or the site's own
    ``site_words`` (``«Дала жаршысы» редакциясы``, ``admin_dala``, ``Дала жаршысы газеті``);
    also written with lookalike letters (``Рeдакция`` with a Latin e). Compared word by
    word, case folded. ``site_words`` may be a function that reads them: it is called only
    where they decide (a name with an account's word or a companion word)."""
    folded = " ".join(name.split()).strip(" .:,").casefold()
    if folded in _ROLE_NAMES:
        return True
    # (a short line kept: a long one is no name, and would fill the cache)
    read = _account_words(folded) if len(folded) <= 200 else _account_words.__wrapped__(folded)
    if read is None:
        return False
    core, companion, others = read
    site = site_words() if callable(site_words) else site_words
    if any(forms.isdisjoint(site) for forms in others):
        return False  # a word that may be a name
    return core or (bool(others) and companion)


@lru_cache(maxsize=4096)
def _account_words(folded: str) -> tuple[bool, bool, tuple[frozenset[str], ...]] | None:
    """Of a folded author line's words: whether one is an account's word, whether one is a
    companion word, and the forms of each other word; None when the line is no account
    whatever the site (read once: a site's authors sign many pages)."""
    words = _ACCOUNT_WORD.findall(folded)
    if not words or len(words) > _MAX_ACCOUNT_WORDS:
        return None
    core = companion = False
    others = []  # the forms of each word that is neither: the site's words, or a name's
    for word in words:
        forms = frozenset({word, word.translate(_TO_CYRILLIC), word.translate(_TO_LATIN)})
        if any(form.startswith(_ACCOUNT_STEMS) for form in forms):
            core = True
        elif not forms.isdisjoint(_ACCOUNT_COMPANIONS):
            companion = True
        else:
            others.append(forms)
    # the site's name alone may be its owner's (a personal site): not without another word
    if not (core or companion):
        return None
    return core, companion, tuple(others)


_ACCOUNT_WORD = re.compile(r"[^\W_]+")
_MAX_ACCOUNT_WORDS = 6
# a word that makes an author line a site's account or newsroom (inflected: stems)
_ACCOUNT_STEMS = (
    "admin", "webmaster", "wpadmin", "superadmin", "moderator", "staff", "newsroom",
    "editor", "desk", "редакц", "редактор", "админ", "әкімші", "модератор", "тілші",
    "корреспондент", "собкор", "пресс", "баспасөз",
)  # fmt: skip
# words beside it that name no one either
_ACCOUNT_COMPANIONS = frozenset(
    {"site", "web", "desk", "news", "online", "the", "our", "of", "and", "writer",
     "writers", "reporter", "reporters", "сайт", "сайта", "сайты",
     "сайтының", "сайтынын", "веб", "портал", "портала", "порталы", "порталының", "газета",
     "газеты", "газеті", "газетінің", "журнал", "журнала", "журналы", "агентство", "агентства",
     "наш", "наша", "наши", "біздің", "служба", "службы", "қызметі", "коллегия",
     "редакционная", "и", "мен", "және", "от", "с", "info", "kz", "ru", "com"}
)  # fmt: skip
# Latin and Cyrillic lookalikes, case folded (a Latin e in «Рeдакция», a Cyrillic а in «Аdmin»)
_TO_CYRILLIC = str.maketrans("aceopxykmth" + "i", "асеорхукмтн" + "і")
_TO_LATIN = str.maketrans("асеорхукмтні", "aceopxykmthi")


def site_words(page: Selector, url: str) -> frozenset[str]:
    """The words of the site's declared names and of its host (``Дала жаршысы`` and
    ``dala``, ``kz`` on dala.kz), case folded: an author line made of these and an
    account's words is the site's."""
    host = (urlsplit(url).hostname or "").casefold().removeprefix("www.")
    names = [*site_names(page), *host.split(".")]
    return frozenset(w for n in names for w in _ACCOUNT_WORD.findall(n.casefold()))


# how a comment list heads each comment: "Ann says:", "Ann sagt:"
_COMMENT_VERBS = frozenset({"says", "said", "wrote", "sagt", "schreibt", "schrieb", "dit", "dice"})


# an organisation, not a person: a legal form ("e.V.", "GmbH", "Inc.") or a web address
_ORGANISATION = re.compile(
    r"(?:^|\s)(?:e\.\s?v|g?gmbh|mbh|ag|kg|ohg|inc|ltd|llc|plc|s\.a|sarl|corp|co\.\s?kg)\.?(?:\s|$|,)"
    r"|www\.|^[\w-]+\.(?:[a-z]{2}|com|org|net|info)$",
    re.IGNORECASE,
)


def is_organisation(name: str) -> bool:
    """A company, association or web address given as the author (``Web Commerce GmbH``,
    ``Verein e.V.``, ``Deutsche Welle (www.dw.com)``, ``example.de``): the publisher."""
    return bool(_ORGANISATION.search(" ".join(name.split()).strip(" ()")))


def same_person_in_full(declared: list[PersonName], shown: list[PersonName]) -> bool:
    """Whether the visible byline ``shown`` writes the ``declared`` names in full: each a
    single word (``Todd``) or a handle (``christian.stadtfeld``) that is one word, or all
    the letters, of a name of the byline (``Todd Bates``, ``Christian Stadtfeld``)."""
    if not declared or not shown:
        return False
    full = []
    for shown_name in shown:
        words = shown_name.name.split()
        if 1 < len(words) <= 3:  # written in any order: the parser puts the surname first
            wholes = {"".join(squash(w) for w in order) for order in permutations(words)}
            full.append(({squash(w) for w in words}, wholes))
    for name in declared:
        squashed = squash(name.name)
        if len(name.name.split()) != 1 or not any(
            squashed in words or squashed in wholes for words, wholes in full
        ):
            return False
    return True


def name_as_written(text: str) -> PersonName | None:
    """A name from a byline or a declared author, without its label: parsed where our
    parser takes it, else kept as written (``mh``, ``det/dpa``); None for a label alone or
    a news agency."""
    text = _BYLINE_LABEL.sub("", " ".join(html.unescape(text).split())).strip(" :,.")
    if " @" in text:  # "Ann Lee @annlee": the social-media handle beside the name
        text = " ".join(w for w in text.split() if not w.startswith("@")) or text
    if not text or len(text) > _MAX_AUTHOR_LINE or is_source_name(text) or "://" in text:
        return None  # ... or an address (an author's page given for the name)
    words = text.casefold().split()
    if text.casefold() in _ROLE_NAMES or words[-1] in _COMMENT_VERBS:
        return None  # a CMS's default account ("admin"), or a comment's heading ("Ann says")
    return parse_display_name(text) or PersonName(
        name=text, surname=None, given=None, patronymic=None, key=name_key(text)
    )
