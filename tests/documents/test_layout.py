"""The layout of an official document: positions and pages, read back from the PDF.

- the seal circle is stamped over the issuing name and the date, which is centred under the name;
- a heading never ends a page: it stays with what follows; the seal stays with the closing lines;
- the wide effectiveness list is landscape, with 序号 and each USCC unbroken.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether

from registry.core import pdf
from registry.core.pdf_signature import SignatureBlock

META = pdf.DocumentMeta(
    title="测试决定书", number="湘交信测〔2026〕第0001号", issuing_unit="湖南省交通运输厅",
    issued_at=datetime(2026, 3, 5, 6, 30, tzinfo=UTC), verification_code="0123456789ABCDEF",
    verify_url="https://credit.example.cn/verify/0123456789ABCDEF",
)
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


class _Words(HTMLParser):
    """The words of ``pdftotext -bbox`` output: (page number, text, xMin, yMin, xMax, yMax)."""

    def __init__(self):
        super().__init__()
        self.page, self.words, self._box = 0, [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "page":
            self.page += 1
            self.page_size = (float(attrs["width"]), float(attrs["height"]))
        elif tag == "word":
            self._box = [float(attrs[k]) for k in ("xmin", "ymin", "xmax", "ymax")]

    def handle_data(self, data):
        if self._box is not None:
            self.words.append((self.page, data, *self._box))
            self._box = None


def words(data: bytes) -> _Words:
    out = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True)
    parser = _Words()
    parser.feed(out.stdout.decode("utf-8"))
    return parser


def pages_text(data: bytes) -> list[str]:
    return ["".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def page_of(data: bytes, text: str) -> int:
    found = [number for number, page in enumerate(pages_text(data), start=1) if text in page]
    assert found, text
    return found[0]


def test_the_seal_is_centred_over_the_name_and_the_date(app, db):
    style = pdf.styles()
    block = SignatureBlock("湘西土家族苗族自治州交通运输局", "2026年3月5日", style["signature"], seal=True,
                           seal_text="湘西土家族苗族自治州交通运输局")
    width = 160 * mm
    block.wrap(width, 500)
    centre_x, centre_y = block.seal_centre
    for x, y, w, h in block.line_boxes:
        assert abs((x + w / 2) - centre_x) < 0.01  # name and date centred on the seal
        for corner_x, corner_y in ((x + w / 2, y), (x + w / 2, y + h)):
            assert math.dist((corner_x, corner_y), (centre_x, centre_y)) < block.seal_radius
    assert centre_y - block.seal_radius >= 0 and centre_y + block.seal_radius <= block.height
    assert centre_x + block.seal_radius <= width  # inside the right margin
    assert centre_x > width / 2  # at the right, as a signature


@needs_pdftotext
def test_in_the_pdf_the_name_stands_over_the_date_at_the_right(app, db):
    style = pdf.styles()
    closing = pdf.signature_block(META.issuing_unit, META.issued_at, style, seal_text="湖南省交通运输厅")
    data = pdf.render_pdf(META, [pdf.para("正文。", style["body"]), closing])
    parsed = words(data)
    name = next(w for w in parsed.words if w[1] == "湖南省交通运输厅" and w[2] > parsed.page_size[0] / 2)
    day = next(w for w in parsed.words if w[1] == "2026年3月5日")
    assert abs((name[2] + name[4]) / 2 - (day[2] + day[4]) / 2) < 3  # centred, within 3 pt
    assert name[5] <= day[3] + 1  # the name above the date
    # the seal's text runs along its arc, one character a word, above the name
    arc = "".join(w[1] for w in parsed.words if w[5] < name[3] and w[2] > parsed.page_size[0] / 2
                  and set(w[1]) <= set("湖南省交通运输厅"))
    assert sorted(arc) == sorted("湖南省交通运输厅")


def _notice(filler: int) -> bytes:
    style = pdf.styles()
    body = [pdf.para(f"第{n}段：经审查，该主体在公路建设项目中存在违法行为，依法予以认定。" * 2, style["body"])
            for n in range(filler)]
    body += [pdf.para("三、权利告知", style["heading"]), pdf.para("权利告知正文。", style["body"]),
             pdf.signature_block(META.issuing_unit, META.issued_at, style,
                                 keep=[pdf.para("特此告知。", style["body"])])]
    return pdf.render_pdf(META, body)


def test_a_heading_and_the_seal_never_strand_whatever_the_length(app, db):
    """Every length from one to two pages of text: the heading is always on the page of the text
    under it, and the seal (with the date) on the page of "特此告知"."""
    page_counts = set()
    for filler in range(6, 20):
        data = _notice(filler)
        page_counts.add(len(pages_text(data)))
        assert page_of(data, "三、权利告知") == page_of(data, "权利告知正文。"), filler
        assert page_of(data, "特此告知。") == page_of(data, "2026年3月5日"), filler
        assert pages_text(data)[page_of(data, "三、权利告知") - 1].find("三、权利告知") >= 0
    assert len(page_counts) > 1  # the range crossed a page boundary


def test_without_the_keeping_a_heading_would_strand(app, db):
    """The test above can fail: a heading style without keepWithNext leaves it at a page foot."""
    style = pdf.styles()
    style["heading"].keepWithNext = 0
    stranded = False
    for filler in range(6, 20):
        body = [pdf.para(f"第{n}段：经审查，该主体在公路建设项目中存在违法行为，依法予以认定。" * 2, style["body"])
                for n in range(filler)]
        body += [pdf.para("三、权利告知", style["heading"]), pdf.para("权利告知正文。", style["body"])]
        data = pdf.render_pdf(META, body)
        stranded |= page_of(data, "三、权利告知") != page_of(data, "权利告知正文。")
    assert stranded


def _report_like(filler: int) -> bytes:
    """A heading followed by a record kept together (as the credit report prints its sections)."""
    style = pdf.styles()
    body = [pdf.para(f"第{n}段：经审查，该主体在公路建设项目中存在违法行为，依法予以认定。" * 2, style["body"])
            for n in range(filler)]
    body += [pdf.para("二、行政许可和行政处罚信息", style["heading"]),
             KeepTogether([pdf.para("（1）行政处罚", style["salutation"]),
                           pdf.facts_table([("行政相对人", "湘西州山路交通建设有限公司"), ("处罚内容", "罚款")],
                                           style)])]
    return pdf.render_pdf(META, body)


def test_a_heading_stays_with_a_kept_together_record_whatever_the_length(app, db):
    """reportlab does not keep a heading with a KeepTogether after it; the base joins them."""
    page_counts, stranded_before = set(), False
    for filler in range(6, 20):
        data = _report_like(filler)
        page_counts.add(len(pages_text(data)))
        assert page_of(data, "二、行政许可和行政处罚信息") == page_of(data, "（1）行政处罚"), filler
        unjoined = pdf.keep_headings_with_what_follows
        try:
            pdf.keep_headings_with_what_follows = list  # as reportlab alone lays it out
            plain = _report_like(filler)
        finally:
            pdf.keep_headings_with_what_follows = unjoined
        stranded_before |= page_of(plain, "二、行政许可和行政处罚信息") != page_of(plain, "（1）行政处罚")
    assert len(page_counts) > 1 and stranded_before  # the range crossed a page; without the joining it strands


HEADING = re.compile(r"^([一二三四五六七八九十]+、|（\d+）)")


def last_body_lines(data: bytes) -> list[str]:
    """Each page's last line above its verification footer, as pdftotext lays the page out."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True)
    found = []
    for page in out.stdout.decode("utf-8").split("\f")[:-1]:
        lines = [line.strip() for line in page.split("文书编号：")[0].splitlines() if line.strip()]
        found.append(lines[-1] if lines else "")
    return found


@needs_pdftotext
def test_no_credit_report_page_ends_with_a_heading(make, db, frozen):
    """The report of a listed subject with a penalty, its entry's reason longer each time: whichever
    page a section starts on, its heading is never the last line of the page before."""
    with frozen(date(2026, 10, 9)):
        for extra in range(0, 400, 25):
            subject = make.subject(name="湘西州山路交通建设有限公司")
            reason = "在公路建设项目招投标中弄虚作假。" + "情节严重，" * (extra // 5)
            make.entry("published", subject=subject, reason=reason)
            make.disclosure("published", party_identifier=subject.identifier, party_name=subject.name,
                            decision_date=date(2026, 9, 1))
            from registry.readmodel.report import credit_report_pdf

            data, _document = credit_report_pdf(subject)
            lines = last_body_lines(data)
            assert len(lines) > 1 and not any(HEADING.match(line) for line in lines), (extra, lines)


@needs_pdftotext
def test_the_effectiveness_list_is_landscape_and_keeps_codes_whole(make, db, frozen):
    from registry.cases.effectiveness import effectiveness_pdf

    with frozen(date(2026, 3, 10)):
        entry = make.published_entry(valid_from=date(2026, 1, 5))
        for day in range(1, 4):
            make.case("published", entry=entry, case_date=date(2026, 2, day))
        data, _document = effectiveness_pdf(2026, 2)
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
    parsed = words(data)
    texts = [w[1] for w in parsed.words]
    assert "序号" in texts
    uscc = entry.subject.identifier
    assert any(uscc in text for text in texts), uscc  # the 18 characters on one line
    assert "湖南省交通运输厅" in "".join(texts)
    # the seal is not alone on its page: the list's last rows stand above it
    last = pages_text(data)[page_of(data, "2026年3月10日") - 1]
    assert entry.subject.name in last


def test_the_compliance_report_is_landscape(make, db, frozen):
    from registry.oversight.reports import ReportPeriod, report_pdf

    with frozen(date(2026, 12, 1)):
        data = report_pdf(ReportPeriod.parse("2026-10"), make.user("admin", unit="FGC"))
    for page in PdfReader(io.BytesIO(data)).pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
    last = pages_text(data)[-1]
    assert "2026年12月1日" in last and "2026-10" in last  # table rows on the seal's page


def test_a_line_filled_up_before_a_line_break_leaves_no_empty_line(app, db):
    """A cell of lines (name and code, list, decision number) has no blank line at any width."""
    from registry.core.cjk_text import ChineseParagraph

    style = pdf.styles()["cell"]
    text = "湘西州山路交通建设有限公司（91433100MA00010150）<br/>黑名单·公路建设市场严重失信<br/>湘交基建信〔2026〕6号"
    for width in range(100, 200, 3):
        paragraph = ChineseParagraph(text, style)
        paragraph.wrap(width, 1000)
        lines = ["".join(word.text for word in line.words if isinstance(getattr(word, "text", None), str))
                 for line in paragraph.blPara.lines]
        assert all(lines), (width, lines)
        assert "".join(lines) == text.replace("<br/>", "")
