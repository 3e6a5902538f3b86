"""People's names as Kazakh news pages write them.

Signature blocks put the surname first in capitals (``АХМЕТОВА Зауреш
Болатхановна,``), sometimes broken over two lines; bylines and top-news lists
write ``Камила Мүлік`` or ``Аққу СӘЛІМБЕК``; initials appear as ``Ж.Б.
Ахметова``. These functions recognise such lines, split them into surname,
given name and patronymic, put capitals into normal case (``СӘЛІМБЕК`` →
``Сәлімбек``) and give one identity key per person however the site
capitalises them. Photo credits and agency names are not people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from unicodedata import normalize

from kazscraper import keys

_LETTERS = r"[^\W\d_]"
_NAME_WORD = re.compile(rf"^{_LETTERS}+(?:[-'’]{_LETTERS}+)*$")
_INITIALS = re.compile(rf"^(?:{_LETTERS}\.){{1,3}}$")
_PATRONYMIC_END = re.compile(
    r"(ович|евич|овна|евна|ична|ұлы|улы|қызы|кызы|uly|qyzy)$", re.IGNORECASE
)
_SURNAME_END = re.compile(r"(ов|ев|ёв|ин|ова|ева|ёва|ина|ский|ская|ұлы|қызы)$", re.IGNORECASE)
_BYLINE = re.compile(
    r"^(?:автор(?:ы)?|дайындаған|авторлар|материалды дайындаған|жазған)\s*[:\-–—]\s*(?P<names>.+)$",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"^(?:суретті түсірген|сурет(?:тер)?|фото(?:сурет)?|фото автора|видео|бейне|photo"
    r"|дереккөз|источник)\b\s*[:\-–—]?",
    re.IGNORECASE,
)
_PATRONYMIC_PARTICLES = frozenset({"қызы", "ұлы", "кызы", "улы"})  # 'Асыл қызы'
_NAME_SEPARATORS = re.compile(r"\s*(?:,|;|\bжәне\b|\bи\b|\band\b)\s*", re.IGNORECASE)
NOT_NAME_WORDS = frozenset(
    w.casefold()
    for w in (
        "университет", "университеті", "кафедра", "кафедрасы", "агенттігі", "институт", "институты",
        "академия", "академиясы", "министрлігі", "газеті", "редакция", "редакциясы", "орталығы",
        "қаласы", "облысы", "ауданы", "факультеті", "колледжі", "мектебі", "компаниясы",
        "жаңалықтар", "фото", "сурет", "автор", "дайындаған",
    )
)  # fmt: skip
SOURCE_NAMES = frozenset(
    s.casefold()
    for s in (
        "ҚазАқпарат", "Kazinform", "Tengrinews", "Sputnik", "Orda", "Orda.kz", "Egemen",
        "Егемен Қазақстан", "Inform.kz", "Azattyq", "Азаттық", "Хабар", "Khabar", "24.kz",
        "Zakon.kz", "Nur.kz", "Kazpravda", "Baq.kz", "Aikyn", "Айқын", "ТАСС", "РИА Новости",
        "Reuters", "AFP", "AP",
    )
)  # fmt: skip


@dataclass(frozen=True)
class PersonName:
    name: str  # normal case, surname first: 'Ахметова Зауреш Болатхановна', 'Мүлік Камила'
    surname: str | None
    given: str | None
    patronymic: str | None
    key: str  # identity: same person, same key, whatever the capitals


def name_key(name: PersonName | str) -> str:
    """Identity key of a name: NFC, case-folded, single spaces (word order kept)."""
    return keys.name_key(name.name if isinstance(name, PersonName) else name)


def _normal_word(word: str) -> str:
    if _INITIALS.match(word) or not word.isupper() or len(word) == 1:
        return word
    return "-".join(part.capitalize() for part in word.split("-"))


def normal_case(text: str) -> str:
    """Words wholly in capitals become Capitalised (each hyphen part); others stay."""
    return " ".join(_normal_word(w) for w in text.split())


def _person(surname: str | None, given: str | None, patronymic: str | None) -> PersonName:
    """One person; the name is written surname first, as Kazakh official usage and the
    signature blocks do, whatever order the page used, so one person has one name."""
    name = " ".join(p for p in (surname, given, patronymic) if p)
    return PersonName(
        name=name, surname=surname, given=given, patronymic=patronymic, key=name_key(name)
    )


def _words(line: str) -> list[str] | None:
    """The words of a candidate name line, or None when it cannot be a name."""
    if len(line) > _MAX_NAME_LINE or len(line.split()) > 6:  # a sentence: the common case
        return None
    text = " ".join(normalize("NFC", line).split()).rstrip(",;").strip()
    if not text or any(ch.isdigit() for ch in text) or is_source_name(text) or is_credit_line(text):
        return None
    words = text.split()
    if not 1 <= len(words) <= 4:
        return None
    if any(w.casefold().strip(".,") in NOT_NAME_WORDS for w in words):
        return None
    if not all(_NAME_WORD.match(w) or _INITIALS.match(w) for w in words):
        return None
    return words


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def parse_signature_name(line: str) -> PersonName | None:
    """``SURNAME Given [Patronymic],`` (or with initials) → PersonName; None if not a name.
    A line is read once (the signature's lines are asked about several times, and the
    site's authors sign many pages); a long line is no name (``_words``) and is not kept."""
    return None if len(line) > _MAX_NAME_LINE else _signature_name(line)


_MAX_NAME_LINE = 120


@lru_cache(maxsize=4096)
def _signature_name(line: str) -> PersonName | None:
    words = _words(line)
    if words is None or len(words) < 2:
        return None
    particle = words[-1].casefold() in _PATRONYMIC_PARTICLES and len(words) == 4
    if not all(_is_capitalised(w) for w in (words[:-1] if particle else words)):
        return None
    initials = [w for w in words if _INITIALS.match(w)]
    if initials:
        return _with_initials(words)
    capitals = [w.isupper() and len(w) > 1 for w in words]
    if capitals[-1] and not any(capitals[:-1]) and len(words) <= 3:
        # given-first with the surname in capitals: 'Айгүл ТҰРСЫНОВА', 'Ерлан Серікұлы НҰРЛАНҰЛЫ'
        given, patronymic = words[0], (words[1] if len(words) == 3 else None)
        return _person(normal_case(words[-1]), given, patronymic)
    surname, rest = words[0], words[1:]
    if not capitals[0] or any(capitals[1:]):
        return None
    if len(rest) == 3 and rest[2].casefold() in _PATRONYMIC_PARTICLES:
        rest = [rest[0], f"{rest[1]} {rest[2]}"]
    if len(rest) > 2:
        return None
    given = rest[0]
    patronymic = rest[1] if len(rest) == 2 else None
    return _person(normal_case(surname), given, patronymic)


def _with_initials(words: list[str]) -> PersonName | None:
    """``Ж.Б. Ахметова`` or ``Ахметова Ж.Б.`` (given and patronymic as initials)."""
    if len(words) != 2:
        return None
    first, second = words
    if _INITIALS.match(first) and not _INITIALS.match(second):
        initials, surname = first, second
    elif _INITIALS.match(second) and not _INITIALS.match(first):
        initials, surname = second, first
    else:
        return None
    letters = [f"{c}." for c in initials.split(".") if c]
    surname = normal_case(surname)
    name = f"{surname} {''.join(letters)}"
    return PersonName(
        name=name,
        surname=surname,
        given=letters[0],
        patronymic="".join(letters[1:]) or None,
        key=name_key(name),
    )


def join_split_name(first: str, second: str) -> str | None:
    """``АХМЕТКАЛИЕВА`` + ``Сандыгуль Кусмановна,`` → one line; None if not a split name."""
    head = first.split()
    tail = second.split()
    if len(head) != 1 or not (head[0].isupper() and len(head[0]) > 1 and _NAME_WORD.match(head[0])):
        return None
    if not 1 <= len(tail) <= 2 or not all(_is_capitalised(w) and not w.isupper() for w in tail):
        return None
    return f"{head[0]} {' '.join(tail)}"


def parse_display_name(text: str) -> PersonName | None:
    """A byline or list name: ``Камила Мүлік``, ``Аққу СӘЛІМБЕК``, ``АҚҚУ СӘЛІМБЕК``."""
    words = _words(text)
    if words is None or not all(_is_capitalised(w) for w in words):
        return None
    if any(_INITIALS.match(w) for w in words):
        return _with_initials(words)
    capitals = [w.isupper() and len(w) > 1 for w in words]
    if len(words) >= 2 and capitals[0] and not any(capitals[1:]):
        return parse_signature_name(" ".join(words))
    normal = [normal_case(w) for w in words]
    if len(normal) == 1:
        return _person(normal[0], None, None)
    if len(normal) == 3 and _PATRONYMIC_END.search(normal[2]):
        return _person(normal[0], normal[1], normal[2])
    if len(normal) == 3 and _PATRONYMIC_END.search(normal[1]):
        return _person(normal[2], normal[0], normal[1])
    if len(normal) == 2 and _SURNAME_END.search(normal[0]) and not _SURNAME_END.search(normal[1]):
        return _person(normal[0], normal[1], None)
    # given-first is how bylines and lists usually write a name
    return _person(normal[-1], " ".join(normal[:-1]), None)


def parse_byline(line: str) -> list[PersonName]:
    """``Автор: Камила Мүлік`` / ``Дайындаған: …, … және …`` → names; [] if not a byline."""
    match = _BYLINE.match(" ".join(line.split()))
    if match is None:
        return []
    names = []
    for part in _NAME_SEPARATORS.split(match["names"].strip(" .")):
        person = parse_display_name(part) if part else None
        if person is not None:
            names.append(person)
    return names


def is_credit_line(line: str) -> bool:
    """Photo/video/source credits: ``Суретті түсірген: …``, ``Фото: …``."""
    return bool(_CREDIT.match(" ".join(line.split())))


def is_source_name(text: str) -> bool:
    """News agencies and outlets named as a source, not a person."""
    return " ".join(text.split()).strip(' .,«»"').casefold() in SOURCE_NAMES
