"""Text cleaning: one Unicode form, one kind of space, Kazakh letters for lookalikes."""

from __future__ import annotations

import pytest

from kazscraper.clean.text import (
    clean_line,
    fix_homoglyphs,
    normalize_text,
    strip_interface_strings,
)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Орталық  Азия", "Орталық Азия"),
        ("атындағы\xa0Қазақ", "атындағы Қазақ"),
        ("жаңа\u202fкезең", "жаңа кезең"),
        ("қаза\u00adқстан", "қазақстан"),
        ("\ufeffБасы\u200b", "Басы"),
        ("бір\r\nекі\rүш", "бір\nекі\nүш"),
        ("бір\n\n\n\nекі", "бір\n\nекі"),
        ("  жол  \n  жол  ", "жол\nжол"),
        ("«Росатом» – корпорация — иә", "«Росатом» – корпорация — иә"),
        ("е\u0301", "é".replace("é", "е\u0301")),  # no precomposed form: unchanged
        ("и\u0306", "й"),  # NFC composes
    ],
)
def test_normalize_text(raw: str, clean: str) -> None:
    assert normalize_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("бiлiм", "білім"),  # Latin i for і
        ("Қазақстан дəуірі", "Қазақстан дәуірі"),  # ə for ә
        ("Əлем", "Әлем"),
        ("кɵмек", "көмек"),
        ("Kaзaкcтaн", "Казакстан"),  # Latin K, a, c inside a Cyrillic word
        ("Kazinform хабарлады", "Kazinform хабарлады"),  # wholly Latin: a name, left alone
        ("https://qazdauiri.kz", "https://qazdauiri.kz"),
        ("iPhone сатылды", "iPhone сатылды"),
        ("“Kazinform” said – no Cyrillic", "“Kazinform” said – no Cyrillic"),
        ("«бiлiм» – “quote”", "«білім» – “quote”"),  # not ASCII either way
    ],
)
def test_fix_homoglyphs(raw: str, fixed: str) -> None:
    assert fix_homoglyphs(raw) == fixed


def test_clean_line_folds_lines() -> None:
    assert clean_line(" Орталық Азия –\nРесей:  Қазақстан ") == "Орталық Азия – Ресей: Қазақстан"


def test_interface_strings_are_dropped_whatever_their_case() -> None:
    lines = ["Бірінші жол", "Show more", "SHOW  MORE", "Толығырақ", "Show more туралы сөйлем"]
    assert strip_interface_strings(lines, ["Show more", "Толығырақ"]) == [
        "Бірінші жол",
        "Show more туралы сөйлем",
    ]
