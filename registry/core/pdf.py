"""The PDF base every notice and report is printed on (PRODUCT §10, §12).

``render_pdf(meta, body)`` lays out an A4 document the way a Chinese government notice reads: the
issuing authority's red letterhead (``meta.letterhead``), the title centred with the document
number (文号) under it, the body the caller supplies (platypus flowables), and on every page a
footer with the page number ("第 X 页 共 Y 页"), the verification code and a QR code that opens ``/verify/<code>``.
``signature_block`` gives the closing block (issuing unit, date, seal area).

Fonts: an embeddable TrueType CJK font from ``PDF_FONT_PATH`` (Debian's ``fonts-wqy-microhei``)
when the file exists, else reportlab's built-in ``STSong-Light`` CID font, which readers supply.
Text goes through ``ChineseParagraph``: lines break between any two Chinese characters, never
before closing punctuation (，。、；：！？”）》 …) nor after opening punctuation (“（《 …), and not
inside a Latin word or number when the word fits on a line (codes such as a USCC stay whole).
reportlab's own CJK wrapping only knows the Japanese rules: it lets a line start with "，" or "”".

Output is deterministic: the canvas runs in invariant mode and the PDF's creation date is the
document's issue time, so a document regenerated from its stored record is byte-identical.

The fixed texts below are Chinese literals on purpose: the department issues its documents in
Chinese whatever language the reader's browser uses.
"""

from __future__ import annotations

import io
import itertools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    HRFlowable,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from registry.core import clock
from registry.core.cjk_text import para
from registry.core.pdf_signature import SEAL_RED, SignatureBlock

DEPARTMENT = "湖南省交通运输厅"
# The software that makes the PDFs (its Creator): not an issuer, whose name is the document's Author.
SYSTEM_NAME = "湖南省交通运输信用信息管理系统"
FALLBACK_FONT = "STSong-Light"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 25 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 34 * mm  # room for the verification footer and its QR code
QR_SIZE = 22 * mm

_registered: dict[tuple[str, int], str] = {}


@dataclass(frozen=True)
class DocumentMeta:
    """What the base prints around a document's body."""

    title: str
    number: str
    issuing_unit: str
    issued_at: datetime  # timezone-aware; printed in Asia/Shanghai and used as the PDF's date
    verification_code: str
    verify_url: str
    letterhead: str = DEPARTMENT
    landscape: bool = False  # wide tables (lists of many columns) print on landscape A4

    @property
    def pagesize(self) -> tuple[float, float]:
        return landscape(A4) if self.landscape else A4

    @property
    def frame_width(self) -> float:
        """The width the body may use."""
        return self.pagesize[0] - 2 * MARGIN_X


def cjk_font() -> str:
    """The registered name of the CJK font to use: the TrueType font if present, else STSong-Light."""
    path = current_app.config.get("PDF_FONT_PATH") or ""
    index = int(current_app.config.get("PDF_FONT_SUBFONT_INDEX") or 0)
    if path and os.path.isfile(path):
        key = (os.path.abspath(path), index)
        if key not in _registered:
            stem = os.path.splitext(os.path.basename(path))[0]
            name = f"CJK-{stem}-{index}-{len(_registered)}"
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            _registered[key] = name
        return _registered[key]
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def styles(font: str | None = None) -> dict[str, ParagraphStyle]:
    """The paragraph styles of a notice, all in the CJK font with CJK line breaking."""
    font = font or cjk_font()
    base = ParagraphStyle("body", fontName=font, fontSize=12, leading=21, wordWrap="CJK",
                          alignment=TA_JUSTIFY, firstLineIndent=24, textColor=colors.black)
    return {
        "letterhead": ParagraphStyle("letterhead", base, fontSize=28, leading=36, alignment=TA_CENTER,
                                     firstLineIndent=0, textColor=SEAL_RED),
        "title": ParagraphStyle("title", base, fontSize=19, leading=28, alignment=TA_CENTER, firstLineIndent=0,
                                spaceBefore=10, spaceAfter=4),
        "number": ParagraphStyle("number", base, fontSize=11.5, leading=18, alignment=TA_CENTER,
                                 firstLineIndent=0, spaceAfter=12),
        "body": base,
        "salutation": ParagraphStyle("salutation", base, firstLineIndent=0, spaceBefore=4),
        # keepWithNext: a heading is kept on the page of what follows it (reportlab groups them).
        "heading": ParagraphStyle("heading", base, fontSize=13, leading=22, firstLineIndent=0, spaceBefore=10,
                                  spaceAfter=4, alignment=TA_LEFT, keepWithNext=1),
        "cell": ParagraphStyle("cell", base, fontSize=10.5, leading=15, firstLineIndent=0, alignment=TA_LEFT),
        "label": ParagraphStyle("label", base, fontSize=10.5, leading=15, firstLineIndent=0, alignment=TA_LEFT,
                                textColor=colors.HexColor("#333333")),
        "note": ParagraphStyle("note", base, fontSize=9.5, leading=14, firstLineIndent=0,
                               textColor=colors.HexColor("#444444")),
        "signature": ParagraphStyle("signature", base, firstLineIndent=0, alignment=TA_RIGHT),
    }


def chinese_date(value: date | datetime | None) -> str:
    """2026年3月5日: the date form documents use."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = clock.local(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def chinese_datetime(value: datetime) -> str:
    moment = clock.local(value)
    return f"{chinese_date(moment)} {moment:%H:%M:%S}"


def facts_table(rows: Sequence[tuple[str, object]], style: dict[str, ParagraphStyle],
                label_width: float = 38 * mm) -> Table:
    """A two-column table of label and value that may split inside a long row across pages."""
    data = [[para(label, style["label"]), para(value, style["cell"])]
            for label, value in rows]
    width = PAGE_WIDTH - 2 * MARGIN_X
    table = Table(data, colWidths=[label_width, width - label_width], splitByRow=1, splitInRow=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#888888")),
        ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    return table


def signature_block(issuing_unit: str, issued_on: date | datetime, style: dict[str, ParagraphStyle],
                    *, seal: bool = True, seal_text: str | None = None, handled_by: str | None = None,
                    keep: Sequence[Flowable] = ()) -> Flowable:
    """The closing block: the issuing name over the date at the right, the seal over both.

    ``keep`` (the closing lines above, such as "特此告知。") stays on the page of the seal, so a
    seal never stands alone at the top of a page; ``handled_by`` prints "承办单位：…" under it.
    """
    block = SignatureBlock(issuing_unit, chinese_date(issued_on), style["signature"], seal=seal,
                           seal_text=seal_text or issuing_unit)
    items = [*keep, Spacer(1, 4 * mm), block]
    if handled_by:
        items.append(para(f"承办单位：{handled_by}", style["note"]))
    return KeepTogether(items)


def table_and_tail(data: list, col_widths: list, commands: list, header_commands: list, *, tail: int = 2,
                   **options) -> tuple[Table | None, Table | None]:
    """A table whose last ``tail`` rows come apart, so that they can be kept with what follows
    (``signature_block(keep=[tail])``): the seal never stands alone after a long table.
    ``commands`` style every row; ``header_commands`` only the first (the repeated header).
    Returns (head, tail): no tail when ``tail`` is 0; no head when the table is that short."""
    if tail <= 0 or len(data) <= tail + 1:
        table = Table(data, colWidths=col_widths, repeatRows=1, **options)
        table.setStyle(TableStyle(commands + header_commands))
        return (table, None) if tail <= 0 else (None, table)
    head = Table(data[:-tail], colWidths=col_widths, repeatRows=1, **options)
    head.setStyle(TableStyle(commands + header_commands))
    rest = Table(data[-tail:], colWidths=col_widths, **options)
    rest.setStyle(TableStyle(commands))
    return head, rest


def heading_group(heading: Flowable, *following: Flowable, lead: float = 30 * mm) -> list[Flowable]:
    """A heading that never stands alone at a page foot: a page break first when less than the
    heading and ``lead`` of what follows fits (for long tables, where keeping all together would
    leave half a page empty)."""
    return [CondPageBreak(lead + 12 * mm), heading, *following]


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """A QR code of ``url`` (reportlab's own widget), ``size`` points square."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float = QR_SIZE) -> None:
    """Draw the QR code of ``url`` at ``(x, y)``, ``size`` points square: what ``qr_drawing``
    shows, drawn straight onto the canvas as one filled path.

    Reportlab's widget computes the code on every ``draw()`` (once for its bounds, once to
    render) and then renders every run of dark modules as a shape of its own; on a one-page
    notice that was most of the time spent.  Here the code is computed once and each row's runs
    become rectangles of a single path, with the widget's geometry (its quiet zone included).
    """
    widget = QrCodeWidget(url, barLevel="M")
    code = widget.qr
    code.make()
    count = code.getModuleCount()
    border = widget.barBorder
    box = size / (count + 2 * border)
    path = canvas.beginPath()
    for row_number, row in enumerate(code.modules):
        column = 0
        for dark, run in itertools.groupby(bool(module) for module in row):
            length = sum(1 for _ in run)
            if dark:
                path.rect(x + (column + border) * box, y + size - (row_number + border + 1) * box, length * box, box)
            column += length
    canvas.saveState()
    canvas.setFillColor(widget.barFillColor)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


class _NumberedCanvas(Canvas):
    """Holds every page back until the end, so each can say "第 X 页 共 Y 页"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_page_number(number, total)
            Canvas.showPage(self)
        Canvas.save(self)

    def _draw_page_number(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont(self._registry_font, 9.5)
        self.setFillColor(colors.black)
        self.drawCentredString(self._pagesize[0] / 2, 6 * mm, f"第 {number} 页 共 {total} 页")
        self.restoreState()


def _pdf_date(moment: datetime) -> str:
    local = clock.local(moment)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if minutes >= 0 else "-"
    return f"D:{local:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def _footer(meta: DocumentMeta, font: str):
    def draw(canvas, doc) -> None:
        canvas._registry_font = font
        canvas.setDateFormatter(lambda *_ignored: _pdf_date(meta.issued_at))
        canvas.saveState()
        top = MARGIN_BOTTOM - 5 * mm
        canvas.setStrokeColor(colors.HexColor("#999999"))
        canvas.setLineWidth(0.5)
        page_width = meta.pagesize[0]
        canvas.line(MARGIN_X, top, page_width - MARGIN_X, top)
        qr_x, qr_y = page_width - MARGIN_X - QR_SIZE, top - QR_SIZE - 1.5 * mm
        draw_qr(canvas, meta.verify_url, qr_x, qr_y)
        canvas.linkURL(meta.verify_url, (qr_x, qr_y, qr_x + QR_SIZE, qr_y + QR_SIZE), relative=0)
        canvas.setFont(font, 8.5)
        canvas.setFillColor(colors.HexColor("#333333"))
        lines = (f"文书编号：{meta.number}",
                 f"验证码：{group_code(meta.verification_code)}",
                 "扫描右侧二维码或访问下列网址，可核验本文书的真伪及所涉记录是否变更：",
                 meta.verify_url)
        for number, line in enumerate(lines, start=1):
            canvas.drawString(MARGIN_X, top - number * 4.2 * mm, line)
        canvas.restoreState()

    return draw


def group_code(code: str) -> str:
    """A verification code in groups of four, easier to read aloud and type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def heading_flowables(meta: DocumentMeta, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """Red letterhead and rule, the title centred, the document number under it."""
    return [
        para(meta.letterhead, style["letterhead"]),
        Spacer(1, 2 * mm),
        HRFlowable(width="100%", thickness=2, color=SEAL_RED, spaceBefore=0, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=SEAL_RED, spaceBefore=1, spaceAfter=6),
        para(meta.title, style["title"]),
        para(meta.number, style["number"]),
    ]


def keep_headings_with_what_follows(flowables: Sequence[Flowable]) -> list[Flowable]:
    """The story with every heading (a flowable whose style says keepWithNext) joined to the block
    that follows it when that block is a ``KeepTogether``: reportlab keeps a heading with the next
    flowable only when that one is no container, so a heading before a kept-together record was
    left alone at a page's foot (e.g. 二、行政许可和行政处罚信息 ending page 1)."""
    story: list[Flowable] = []
    for flowable in reversed(list(flowables)):
        if story and isinstance(story[0], KeepTogether) and flowable.getKeepWithNext():
            story[0] = KeepTogether([flowable, *story[0]._content])
        else:
            story.insert(0, flowable)
    return story


def render_pdf(meta: DocumentMeta, body: Sequence[Flowable], *, font: str | None = None) -> bytes:
    """The PDF of a document: heading, ``body``, and the verification footer on every page."""
    font = font or cjk_font()
    style = styles(font)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=meta.pagesize, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=f"{meta.title} {meta.number}", author=meta.issuing_unit,
        subject=meta.title, creator=SYSTEM_NAME, invariant=1,
    )
    footer = _footer(meta, font)
    with _DRAWING:
        doc.build(keep_headings_with_what_follows([*heading_flowables(meta, style), *body]), onFirstPage=footer,
                  onLaterPages=footer, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


# reportlab's TrueType font objects are shared by every document and are not thread-safe: two PDFs
# drawn at once in one process (a threaded server, `flask run`) corrupt each other's font subset
# (KeyError in ``makeSubset``, a 500).  One at a time per process; the documented workers have one
# thread each, so it costs them nothing.
_DRAWING = threading.Lock()
