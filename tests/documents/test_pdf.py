"""The PDF base: fonts, Chinese line breaking, QR payload, page numbers, deterministic output."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm

from registry.core import cjk_text, pdf


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def embedded_font_files(data: bytes) -> int:
    count = 0
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptors = [font.get("/FontDescriptor")]
            descriptors += [d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]
            for descriptor in filter(None, descriptors):
                descriptor = descriptor.get_object()
                count += any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return count


META = pdf.DocumentMeta(
    title="测试通知书", number="湘交信测〔2026〕第0007号", issuing_unit="湖南省交通运输厅法规处",
    issued_at=datetime(2026, 3, 5, 6, 30, tzinfo=UTC), verification_code="0123456789ABCDEF",
    verify_url="https://credit.example.cn/verify/0123456789ABCDEF",
)


def render(body_text: str = "正文。") -> bytes:
    style = pdf.styles()
    return pdf.render_pdf(META, [pdf.para(body_text, style["body"]),
                                 pdf.signature_block(META.issuing_unit, META.issued_at, style)])


def test_heading_footer_and_page_numbers(app, db):
    text = text_of(render())
    for expected in ("湖南省交通运输厅", "测试通知书", "湘交信测〔2026〕第0007号", "湖南省交通运输厅法规处",
                     "2026年3月5日", "0123-4567-89AB-CDEF", META.verify_url, "第 1 页 共 1 页"):
        assert expected in text


def test_the_truetype_font_is_embedded_when_present(app, db):
    if not app.config["PDF_FONT_PATH"] or not __import__("os").path.isfile(app.config["PDF_FONT_PATH"]):
        pytest.skip("fonts-wqy-microhei is not installed")
    data = render()
    assert any("WenQuanYi" in name for name in font_names(data))
    assert embedded_font_files(data) >= 1


def test_falls_back_to_stsong_when_the_font_file_is_missing(app, db, tmp_path):
    old = app.config["PDF_FONT_PATH"]
    app.config["PDF_FONT_PATH"] = str(tmp_path / "no-such-font.ttc")
    try:
        data = render()
    finally:
        app.config["PDF_FONT_PATH"] = old
    assert any("STSong-Light" in name for name in font_names(data))
    assert "测试通知书" in text_of(data)


def test_the_qr_code_encodes_the_verification_url(app, db, monkeypatch):
    encoded = []

    class Spy(pdf.QrCodeWidget):
        def __init__(self, value, *args, **kwargs):
            encoded.append(value)
            super().__init__(value, *args, **kwargs)

    monkeypatch.setattr(pdf, "QrCodeWidget", Spy)
    data = render("很长的正文，" * 800)
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) > 1
    assert encoded == [META.verify_url] * len(pages)  # one QR code on every page
    links = [annotation.get_object()["/A"]["/URI"] for annotation in pages[0]["/Annots"]]
    assert links == [META.verify_url]


def test_regeneration_is_byte_identical_and_dated_by_the_document(app, db):
    first, second = render(), render()
    assert first == second
    assert PdfReader(io.BytesIO(first)).metadata["/CreationDate"] == "D:20260305143000+08'00'"


def lines_of(text: str, width: float) -> list[str]:
    style = pdf.styles()["body"]
    paragraph = pdf.para(text, style)
    paragraph.wrap(width, 10_000)
    return ["".join(str(word.text) for word in line.words) for line in paragraph.blPara.lines]


@pytest.mark.parametrize("mark", list("，。、；：！？”）》"))
def test_no_line_starts_with_closing_punctuation(app, db, mark):
    for shift in range(12):  # move the mark across every position of the line end
        text = "交" * (30 + shift) + mark + "通运输信用" * 12
        lines = lines_of(text, 120 * mm)
        assert len(lines) > 1
        assert all(line[0] not in cjk_text.CANNOT_START for line in lines[1:]), lines
        assert "".join(lines) == text


def test_no_line_ends_with_opening_punctuation_and_codes_stay_whole(app, db):
    for shift in range(12):
        text = "交" * (30 + shift) + "“依法”（91430100MA0000001X）" + "信用" * 30
        lines = lines_of(text, 120 * mm)
        assert all(line[-1] not in cjk_text.CANNOT_END for line in lines), lines
        assert any("91430100MA0000001X" in line for line in lines), lines


def test_a_word_longer_than_the_line_is_cut_rather_than_overflowing(app, db):
    lines = lines_of("A" * 400, 50 * mm)
    assert len(lines) > 3
    assert "".join(lines) == "A" * 400
