"""People's names from signatures, bylines and lists; credits and agencies are not people."""

from __future__ import annotations

import pytest

from kazscraper.extract.names import (
    is_credit_line,
    is_source_name,
    join_split_name,
    name_key,
    normal_case,
    parse_byline,
    parse_display_name,
    parse_signature_name,
)

SEED_LINES = [
    "АХМЕТОВА Зауреш Болатхановна,",
    "АХМЕТКАЛИЕВА Сандыгуль Кусмановна,",
    "БЕЙСЕНОВА Мадина Унайбековна,",
    "ИСАЕВА Айман Амангельдиевна,",
    "МҰСА Қарлығаш Асылқызы",
]


@pytest.mark.parametrize("index", range(5))
def test_seed_signature_names(index: int, seed_expected: dict) -> None:
    person = parse_signature_name(SEED_LINES[index])
    expected = seed_expected["authors"][index]
    assert person is not None
    assert (person.name, person.surname, person.given, person.patronymic) == (
        expected["name"],
        expected["surname"],
        expected["given"],
        expected["patronymic"],
    )


@pytest.mark.parametrize(
    ("line", "parts"),
    [
        ("СӘЛІМБЕК Аққу", ("Сәлімбек Аққу", "Сәлімбек", "Аққу", None)),
        ("МҰСА Қарлығаш Асыл қызы", ("Мұса Қарлығаш Асыл қызы", "Мұса", "Қарлығаш", "Асыл қызы")),
        ("ЖҰМАБАЕВ Ержан Болатұлы,", ("Жұмабаев Ержан Болатұлы", "Жұмабаев", "Ержан", "Болатұлы")),
        ("Ж.Б. Ахметова", ("Ахметова Ж.Б.", "Ахметова", "Ж.", "Б.")),
        ("Ахметова Ж.Б.", ("Ахметова Ж.Б.", "Ахметова", "Ж.", "Б.")),
        # given name first, surname in capitals
        ("Айгүл ТҰРСЫНОВА", ("Тұрсынова Айгүл", "Тұрсынова", "Айгүл", None)),
        (
            "Ерлан Серікұлы НҰРЛАНҰЛЫ,",
            ("Нұрланұлы Ерлан Серікұлы", "Нұрланұлы", "Ерлан", "Серікұлы"),
        ),
    ],
)
def test_other_signature_forms(line: str, parts: tuple) -> None:
    person = parse_signature_name(line)
    assert person is not None
    assert (person.name, person.surname, person.given, person.patronymic) == parts


@pytest.mark.parametrize(
    "line",
    [
        "Әл-Фараби атындағы Қазақ ұлттық университеті, «Бизнес-технологиялар» кафедрасы",
        "11.12.2025",
        "Бұл сөйлем нүктемен аяқталады.",
        "ҚазАқпарат",
        "Kazinform",
        "Суретті түсірген: Ержан Ахметов",
        "Фото: Ержан Ахметов",
        "Ұқсас жаңалықтар",
        "Камила Мүлік",  # no surname in capitals: not a signature line
        "АХМЕТКАЛИЕВА",  # half of a split name
        "",
    ],
)
def test_not_signature_names(line: str) -> None:
    assert parse_signature_name(line) is None


def test_a_name_split_over_two_lines_is_one_person() -> None:
    joined = join_split_name("АХМЕТКАЛИЕВА\xa0", "Сандыгуль Кусмановна,")
    assert joined == "АХМЕТКАЛИЕВА Сандыгуль Кусмановна,"
    assert join_split_name("Бұл сөйлем.", "Сандыгуль Кусмановна,") is None
    assert join_split_name("АХМЕТКАЛИЕВА", "бұл сөйлем емес, бірақ ұзын жол") is None


@pytest.mark.parametrize(
    ("text", "name", "surname"),
    [
        ("Камила Мүлік", "Мүлік Камила", "Мүлік"),
        ("Аққу СӘЛІМБЕК", "Сәлімбек Аққу", "Сәлімбек"),
        ("АҚҚУ СӘЛІМБЕК", "Сәлімбек Аққу", "Сәлімбек"),
        ("Ахметов Ержан", "Ахметов Ержан", "Ахметов"),
        ("Зауреш Болатхановна Ахметова", "Ахметова Зауреш Болатхановна", "Ахметова"),
    ],
)
def test_display_names(text: str, name: str, surname: str) -> None:
    person = parse_display_name(text)
    assert person is not None and (person.name, person.surname) == (name, surname)


@pytest.mark.parametrize("text", ["", "-", "Tengrinews", "12345"])
def test_not_display_names(text: str) -> None:
    assert parse_display_name(text) is None


def test_same_person_in_any_case_has_one_key() -> None:
    assert name_key("Аққу СӘЛІМБЕК") == name_key("Аққу Сәлімбек") == name_key("аққу  сәлімбек")
    assert parse_display_name("Аққу СӘЛІМБЕК").key == parse_display_name("АҚҚУ СӘЛІМБЕК").key


def test_normal_case() -> None:
    assert normal_case("СӘЛІМБЕК") == "Сәлімбек"
    assert normal_case("ӘЛ-ФАРАБИ Аққу Ж.Б.") == "Әл-Фараби Аққу Ж.Б."


def test_bylines() -> None:
    names = parse_byline("Автор: Ж.Б. Ахметова, Камила Мүлік және Аққу СӘЛІМБЕК")
    assert [n.name for n in names] == ["Ахметова Ж.Б.", "Мүлік Камила", "Сәлімбек Аққу"]
    assert [n.name for n in parse_byline("Дайындаған: Аққу СӘЛІМБЕК")] == ["Сәлімбек Аққу"]
    assert parse_byline("Автор туралы бірер сөз") == []


def test_credits_and_sources_are_not_people() -> None:
    assert is_credit_line("Суретті түсірген: Ержан Ахметов")
    assert is_credit_line("Фото: ashyq.kz")
    assert not is_credit_line("Фотоаппарат туралы мақала")
    assert is_source_name("ҚазАқпарат") and is_source_name("Kazinform")
    assert not is_source_name("Камила Мүлік")
