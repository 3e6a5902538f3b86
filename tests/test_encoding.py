"""Page bytes → text: declared, undeclared and wrongly declared encodings, never mojibake."""

from __future__ import annotations

import pytest

from kazscraper.intake.decode import UndecodablePage, decode_page
from kazscraper.intake.links import anchor_hrefs
from kazscraper.intake.plausible import plausible_text

KAZAKH = (
    "<html><head><meta charset='{}'></head><body><p>Қазақстан Республикасының Үкіметі бүгін "
    "жаңа бағдарламаны бекітті, ол өңірлердің дамуына арналған.</p></body></html>"
)
RUSSIAN = (
    "<html><body><p>Правительство Республики Казахстан утвердило новую программу развития "
    "регионов страны.</p></body></html>"
)


def test_utf8_is_utf8_whatever_the_declaration() -> None:
    page = decode_page(RUSSIAN.encode("utf-8"), "text/html; charset=windows-1251")
    assert page.text == RUSSIAN and page.encoding == "utf-8"
    assert page.note == "declared cp1251, decoded as utf-8"


def test_kazakh_letters_survive_a_legacy_page_declared_windows_1251() -> None:
    html = KAZAKH.format("windows-1251")
    page = decode_page(html.encode("kz1048"), "text/html; charset=windows-1251")
    assert page.text == html  # not 'Ќазаќстан'
    assert page.encoding == "kz1048"


def test_a_wrong_declaration_does_not_make_mojibake() -> None:
    page = decode_page(RUSSIAN.encode("cp1251"), "text/html; charset=utf-8")
    assert page.text == RUSSIAN
    assert "declared utf-8" in page.note


def test_koi8_is_told_from_windows_1251_by_the_case_of_letters() -> None:
    page = decode_page(RUSSIAN.encode("koi8_r"), "text/html")
    assert page.text == RUSSIAN and page.encoding == "koi8_r"


def test_bytes_that_are_no_text_are_refused() -> None:
    with pytest.raises(UndecodablePage, match="no encoding gives readable text"):
        decode_page(bytes(range(256)) * 8, "text/html; charset=utf-8")


def test_a_bom_wins() -> None:
    html = "<html><body><p>Сәлем</p></body></html>"
    assert decode_page(b"\xef\xbb\xbf" + html.encode(), "text/html; charset=cp1251").text == html


def test_anchor_hrefs_reads_every_quoting_and_decodes_entities() -> None:
    html = (
        "<a href=\"/news/a?x=1&amp;y=2\">a</a><A class=b HREF='/news/b'>b</a>"
        '<a href=/news/c>c</a><abbr href="/no">x</abbr><a name="x">no href</a>'
        '<a data-x="1" href="/news/a?x=1&amp;y=2">dup</a>'
    )
    assert anchor_hrefs(html) == ["/news/a?x=1&y=2", "/news/b", "/news/c"]


STRAY = b"\xff", b"\xc0", b"\x80"  # an editor's stray byte, a cut sequence, a lone continuation


def _utf8_with_stray_bytes(html: str) -> bytes:
    data = html.encode("utf-8")
    for n, stray in enumerate(STRAY, start=1):
        at = data.index(b" ", len(data) * n // 4)  # between two words
        data = data[:at] + stray + data[at:]
    return data


@pytest.mark.parametrize(
    "content_type", ["text/html", "text/html; charset=utf-8", "text/html; charset=windows-1251"]
)
def test_utf8_with_a_few_stray_bytes_stays_utf8(content_type: str) -> None:
    html = KAZAKH.format("utf-8") * 3
    page = decode_page(_utf8_with_stray_bytes(html), content_type)
    assert page.encoding == "utf-8"
    assert page.text.count("\ufffd") == len(STRAY)
    assert page.text.replace("\ufffd", "") == html  # every Kazakh letter as it was
    assert "3 invalid bytes replaced" in page.note


def test_a_legacy_page_is_still_read_in_its_legacy_encoding() -> None:
    html = KAZAKH.format("windows-1251") * 3
    for content_type in ("text/html", "text/html; charset=utf-8"):
        page = decode_page(html.encode("kz1048"), content_type)
        assert page.text == html and page.encoding == "kz1048"
    russian = RUSSIAN * 3
    assert decode_page(russian.encode("cp1251"), "text/html").text == russian


# -- real pages of other sites that the decoder misread (kazscraper parse reads them too) ----

GERMAN = (
    "<html><head><title>Über uns</title></head><body><p>Die Straße zur Küste war gesperrt, "
    "während die Feuerwehr die Bäume räumte. Für die Anwohner gab es Ersatzbusse, später "
    "öffnete die Polizei die Brücke wieder.</p></body></html>"
)


@pytest.mark.parametrize("control", ["\x85", "\x8f", "\x07", "\x7f", "\x97"])
def test_utf8_with_a_few_control_characters_stays_utf8(control: str) -> None:
    """chefkoch.de, globalvoices.org, elnuevodia.com: valid UTF-8 with a stray U+0085 or DEL
    was read as KZ-1048 or KOI8-R ('Гњber', 'Rц╪cktritt') or refused."""
    html = GERMAN.replace("Küste", f"Küste{control}", 1) + GERMAN * 2
    for content_type in ("", "text/html; charset=utf-8"):
        page = decode_page(html.encode("utf-8"), content_type)
        assert page.text == html and page.encoding == "utf-8", page


def test_a_page_full_of_control_characters_is_still_no_utf8_text() -> None:
    """UTF-16 without a BOM is valid UTF-8, one NUL every other byte: no text."""
    with pytest.raises(UndecodablePage):
        decode_page(RUSSIAN.encode("utf-16-le"), "text/html")


def test_a_declared_legacy_page_with_no_utf8_in_it_keeps_its_declaration() -> None:
    """archive.org, kyffhaeuser-nachrichten.de: a cp1252 page whose only non-ASCII bytes are
    one or two letters (and a DEL or two) was read as UTF-8 with '�' or refused."""
    html = "<html><body><p>Login f\xfcr Vote\x7f</p><p>D\xc8but</p></body></html>"
    page = decode_page(html.encode("cp1252"), "text/html; charset=windows-1252")
    assert page.text == html and page.encoding == "cp1252" and page.note == ""


def test_an_undeclared_western_page_is_not_read_as_cyrillic() -> None:
    """nmb-media.de: German in windows-1252 with no charset was read as KZ-1048
    ('Auswдhlen'): Cyrillic letters inside Latin words are no Cyrillic text."""
    html = GERMAN * 3
    page = decode_page(html.encode("cp1252"), "text/html")
    assert page.text == html and page.encoding == "cp1252"
    assert page.note == "no charset declared, decoded as cp1252"


def test_sloppy_kazakh_with_latin_lookalikes_is_still_cyrillic() -> None:
    html = KAZAKH.format("windows-1251").replace("а", "a", 3) * 3  # Latin 'a' in three words
    page = decode_page(html.encode("kz1048", errors="strict"), "text/html")
    assert page.text == html and page.encoding == "kz1048"


# -- review of the 'Cyrillic bytes declared Latin' heuristic and the legacy codec order -----

JAPANESE = (
    "東京は、日本の首都です。人口が、多い都市です。"
    "毎日、たくさんの人が、働いています、駅の周りはとても賑やかです。"
)
CHINESE = (
    "北京是、中国的首都。这是、一个历史悠久的城市。"
    "每天、都有很多游客、来这里参观、城市的夜景非常美丽。"
)
CORRECTLY_DECLARED = [
    ("cp1253", "Η Ελλάδα είναι μια χώρα της νοτιοανατολικής Ευρώπης με πλούσια ιστορία."),
    ("iso8859-7", "Η Αθήνα είναι η πρωτεύουσα και η μεγαλύτερη πόλη της Ελλάδας σήμερα."),
    ("cp1255", "ירושלים היא עיר הבירה של מדינת ישראל והעיר הגדולה ביותר בה כיום."),
    ("cp1256", "القاهرة هي عاصمة جمهورية مصر العربية وأكبر مدنها من حيث السكان."),
    ("tis-620", "กรุงเทพมหานคร เป็นเมืองหลวง และนครที่มี ประชากรมากที่สุด ของประเทศไทย ในปัจจุบัน"),
    ("shift_jis", JAPANESE),
    ("euc-jp", JAPANESE),
    ("gbk", CHINESE),
    ("cp1251", "Україна, Київ, їжак, Європа: ґанок і подвір'я, єдність і їхня історія."),
    ("koi8_u", "Україна, Київ, їжак, Європа: ґанок і подвір'я, єдність і їхня історія."),
    ("cp1252", "Grüße aus München, schön für Sie. Le café est prêt, señor."),
]


@pytest.mark.parametrize(("charset", "text"), CORRECTLY_DECLARED)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_correctly_declared_page_decodes_as_declared(charset: str, text: str, where: str) -> None:
    """Greek declared cp1253 was stored as KZ-1048 'З ЕллЬдб еЯнбй' (every non-ASCII letter
    counted as a Latin accent), Ukrainian declared cp1251 as 'Украүна, Киүв' (ї is KZ-1048's ү)."""
    meta = f'<meta charset="{charset}">' if where == "meta" else ""
    html = f"<html><head>{meta}</head><body><p>{text}</p></body></html>"
    content_type = f"text/html; charset={charset}" if where == "header" else "text/html"
    page = decode_page(html.encode(charset), content_type)
    assert page.text == html, page.note
    assert page.note == ""


def test_ukrainian_in_windows_1251_without_a_charset_stays_ukrainian() -> None:
    html = f"<html><body><p>{CORRECTLY_DECLARED[8][1]}</p></body></html>"
    page = decode_page(html.encode("cp1251"), "text/html")
    assert page.text == html and page.encoding == "cp1251"


def test_serbian_in_windows_1251_is_not_read_as_kazakh() -> None:
    # Ј and Ћ are Kazakh letters' bytes, but Љ, Њ, Ђ, Џ are the same in KZ-1048: not Kazakh
    html = "<html><body><p>Југославија, Ћуприја, љубав, његов, Ђорђе, џеп.</p></body></html>"
    for content_type in ("text/html", "text/html; charset=windows-1251"):
        page = decode_page(html.encode("cp1251"), content_type)
        assert page.text == html and page.encoding == "cp1251"


@pytest.mark.parametrize(
    "text",
    [
        "Grüße aus München, schön für Sie.",
        "Le café est prêt.",
        "Die Straße zur Küste war gesperrt, während die Feuerwehr die Bäume räumte. "
        "Für die Anwohner gab es Ersatzbusse, später öffnete die Polizei die Brücke. Grüße!",
    ],
)
def test_an_undeclared_short_western_page_is_not_read_as_cyrillic(text: str) -> None:
    """'GrьЯe aus Mьnchen' (KZ-1048), 'cafй', and 'Gr№▀e … Stra▀e' (cp866 box drawing)."""
    html = f"<html><body><p>{text}</p></body></html>"
    page = decode_page(html.encode("cp1252"), "text/html")
    assert page.text == html and page.encoding == "cp1252"


def test_western_text_read_as_cp866_is_no_text() -> None:
    """cp866 turns Latin accents into box drawing and symbols: 'Gr№▀e aus der Stra▀e'."""
    german = "Grüße aus der Straße: Die Straße zur Küste war gesperrt, während die Bäume fielen."
    assert not plausible_text(german.encode("cp1252").decode("cp866"))


@pytest.mark.parametrize("text", ["Новости Казахстана", "Правительство утвердило программу"])
def test_a_short_undeclared_koi8_page_is_not_read_with_its_case_inverted(text: str) -> None:
    """'нОВПУФЙ лБЪБИУФБОБ': KOI8-R read as windows-1251 (or KZ-1048) swaps the case."""
    html = f"<html><body><p>{text}</p></body></html>"
    page = decode_page(html.encode("koi8_r"), "text/html")
    assert page.text == html and page.encoding == "koi8_r"


# issue 21, #12: Chinese news paragraphs (GBK), with no charset declared anywhere
_CHINESE = (
    "哈萨克斯坦总统在阿斯塔纳会见了来访的代表团，双方就经济合作、交通运输和能源领域的"
    "项目交换了意见。会谈结束后，两国签署了关于农业、教育和旅游的多项合作文件。"
)


@pytest.mark.parametrize("codec", ["gbk", "big5", "shift_jis", "euc_kr"])
def test_an_undeclared_east_asian_page_is_read_in_its_own_encoding(codec: str) -> None:
    texts = {
        "gbk": _CHINESE,
        "big5": "臺灣的新聞報導說，哈薩克斯坦的經濟在過去一年成長了百分之五，"
        "出口與投資都增加。" * 2,
        "shift_jis": "カザフスタンの大統領は首都で代表団と会談し、"
        "経済協力について意見を交換しました。" * 2,
        "euc_kr": "카자흐스탄 대통령은 수도에서 대표단을 만나 "
        "경제 협력과 에너지 분야에 대해 논의했습니다." * 2,
    }
    text = texts[codec]
    html = f"<html><head><title>{text[:12]}</title></head><body><p>{text}</p></body></html>"
    page = decode_page(html.encode(codec), "text/html")
    assert text in page.text, (codec, page.encoding, page.text[:80])


def test_undeclared_kazakh_pages_keep_their_single_byte_codecs() -> None:
    kazakh = "Қазақстан Республикасының Үкіметі өңірлердегі әлеуметтік нысандар құрылысын қарады."
    for codec in ("kz1048", "cp1251"):
        text = kazakh if codec == "kz1048" else "Правительство рассмотрело строительство школ."
        page = decode_page(f"<p>{text}</p>".encode(codec), "text/html")
        assert text in page.text and page.encoding == codec
