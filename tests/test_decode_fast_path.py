"""Valid UTF-8 is read by ``bytes.decode`` and a scan in C (``_as_utf8``), and gives what
the general path (every candidate codec, the mojibake heuristics) gives the same bytes."""

from __future__ import annotations

import os
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from kazscraper.intake import decode
from kazscraper.intake.decode import UndecodablePage, decode_page
from kazscraper.intake.page import header
from kazscraper.intake.plausible import few_controls
from kazscraper.replica.render import Renderer
from kazscraper.replica.site import ReplicaSite

from .conftest import FIXTURES
from .test_encoding import CORRECTLY_DECLARED, GERMAN, KAZAKH, RUSSIAN
from .test_intake import PAGES

REALPAGES = Path(
    os.environ.get("KAZSCRAPER_REALPAGES")
    or Path(__file__).resolve().parents[1].parent / "shared" / "realpages"
)
CONTENT_TYPES = ("", "text/html; charset=utf-8", "text/html; charset=windows-1251")


def _texts() -> Iterator[str]:
    yield from (KAZAKH.format("utf-8"), RUSSIAN, GERMAN)
    yield from (f"<html><body><p>{text}</p></body></html>" for _, text in CORRECTLY_DECLARED)
    yield from (path.read_text(encoding="utf-8") for path in sorted(FIXTURES.rglob("*.html")))
    site = ReplicaSite(10, seed=5)
    renderer = Renderer(site, "https://qazdauiri.kz")
    yield from (renderer.article_page(article) for article in site.articles)


def _corpus() -> Iterator[tuple[bytes, str]]:
    """The test pages' bytes in UTF-8 and in the legacy codecs that can write them, with a
    stray byte, a BOM, control characters; and the intake tests' pages as served."""
    for text in _texts():
        data = text.encode("utf-8")
        variants = [data, b"\xef\xbb\xbf" + data, data.replace(b" ", b" \xff ", 1)]
        variants.append(data.replace(b">", b">\x85\x07", 3))
        for controls in ("\x07", "\x0b\x7f", "\u0085", "\u009f\x1f"):  # valid UTF-8
            variants.append(text.replace(">", ">" + controls, 2).encode("utf-8"))
            variants.append(text.replace(">", ">" + controls).encode("utf-8"))
        for codec in ("cp1251", "kz1048", "koi8_r", "cp1252", "utf-16"):
            try:
                variants.append(text.encode(codec))
            except UnicodeEncodeError:
                continue
        for body in variants:
            for content_type in CONTENT_TYPES:
                yield body, content_type
    for headers, body in PAGES.values():
        yield body, header(headers, "Content-Type")


def _general(body: bytes, content_type: str) -> decode.DecodedPage | str:
    try:
        return decode._decode(body, decode._declared(body, content_type))
    except UndecodablePage as exc:
        return str(exc)


def _public(body: bytes, content_type: str) -> decode.DecodedPage | str:
    try:
        return decode_page(body, content_type)
    except UndecodablePage as exc:
        return str(exc)


def test_the_fast_path_reads_the_corpus_as_the_general_path_does() -> None:
    fast = 0
    for body, content_type in _corpus():
        if decode.binary_kind(body):
            continue
        assert _public(body, content_type) == _general(body, content_type), (
            body[:80],
            content_type,
        )
        fast += decode._as_utf8(body, decode._declared(body, content_type)) is not None
        try:
            text = body.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            continue
        assert decode._few_utf8_controls(body, len(text)) == few_controls(text), body[:80]
    assert fast > 100  # most of the corpus is valid UTF-8: the fast path was tested


def test_real_pages_read_alike_on_both_paths() -> None:
    """Every third page of trafilatura's evaluation set (sites and languages we did not write)."""
    archive = REALPAGES / "trafilatura-eval.tar.xz"
    if not archive.exists():
        pytest.skip(f"{archive} is absent: the real pages are in ../shared/realpages")
    compared = 0
    with tarfile.open(archive, mode="r|xz") as tar:  # one streaming pass
        for index, member in enumerate(tar):
            handle = tar.extractfile(member) if member.name.endswith(".html") else None
            if handle is None or index % 3:
                continue
            body = handle.read()
            if not decode.binary_kind(body):
                assert _public(body, "") == _general(body, ""), member.name
                compared += 1
    assert compared > 250


def test_valid_utf8_runs_no_heuristic(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object) -> bool:
        raise AssertionError("a mojibake heuristic ran on valid UTF-8")

    for name in ("latin_led", "plausible_text", "mostly_utf8", "_has_utf8", "kazakh_in_cp1251"):
        monkeypatch.setattr(decode, name, refused)
    for text in _texts():
        page = decode_page(text.encode("utf-8"), "text/html; charset=windows-1251")
        assert page.text == text and page.encoding == "utf-8"
