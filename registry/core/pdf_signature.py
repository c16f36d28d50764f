"""The closing block of a notice: the issuing name over the date, and the seal stamped over both."""

from __future__ import annotations

import math

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable

from registry.core.cjk_text import para

SEAL_RED = colors.HexColor("#c8161d")
SEAL_RADIUS = 21 * mm
RIGHT_INDENT = 4 * 12  # GB/T 9704: the date stands four characters from the right margin


class SignatureBlock(Flowable):
    """The issuing name centred over the date near the right margin, and the seal (a red circle
    with its text along the upper arc and a star) centred over both, as an official seal is
    stamped over the signature and date (骑年盖月).

    ``seal_centre``, ``seal_radius`` and ``line_boxes`` give the geometry after ``wrap`` (in the
    block's own coordinates), for tests.
    """

    def __init__(self, unit: str, day: str, style: ParagraphStyle, *, seal: bool, seal_text: str = "") -> None:
        super().__init__()
        centred = ParagraphStyle("signature-centred", style, alignment=TA_CENTER)
        self.texts = [unit, day]
        self.lines = [para(unit, centred), para(day, centred)]
        self.seal = seal
        self.seal_text = seal_text
        self.seal_radius = SEAL_RADIUS

    def wrap(self, available_width, available_height):
        self.width = available_width
        style = self.lines[0].style
        widest = max(pdfmetrics.stringWidth(text, style.fontName, style.fontSize) for text in self.texts)
        self.text_width = min(widest + 2, available_width * 0.6)
        self.heights = [line.wrap(self.text_width, available_height)[1] for line in self.lines]
        text_height = sum(self.heights)
        self.height = (max(2 * SEAL_RADIUS, 2 * (text_height + 1.5 * mm)) if self.seal else text_height) + 4 * mm
        centre_x = self.width - RIGHT_INDENT - self.text_width / 2
        self.seal_centre = (centre_x, self.height / 2)
        # The seal's text runs along its upper arc and its star stands at the centre: the name and
        # the date sit just under the star, inside the lower half of the circle, still readable.
        top = self.height / 2 - 1.5 * mm if self.seal else self.height / 2 + text_height / 2
        self.line_boxes = []
        for height in self.heights:
            top -= height
            self.line_boxes.append((centre_x - self.text_width / 2, top, self.text_width, height))
        return self.width, self.height

    def draw(self):
        canvas = self.canv
        for line, (x, y, _w, _h) in zip(self.lines, self.line_boxes, strict=True):
            line.drawOn(canvas, x, y)
        if self.seal:
            self._draw_seal(canvas)

    def _draw_seal(self, canvas) -> None:
        centre_x, centre_y = self.seal_centre
        radius = self.seal_radius
        canvas.saveState()
        canvas.setStrokeColor(SEAL_RED)
        canvas.setFillColor(SEAL_RED)
        canvas.setLineWidth(1.6)
        canvas.circle(centre_x, centre_y, radius, stroke=1, fill=0)
        canvas.setFillAlpha(0.9)
        canvas.setStrokeAlpha(0.9)
        _star(canvas, centre_x, centre_y + 3 * mm, 4.5 * mm)
        text = self.seal_text or ""
        size = 10.5 if len(text) <= 12 else 8.5
        canvas.setFont(self.lines[0].style.fontName, size)
        span = min(240.0, 19.0 * max(len(text) - 1, 0) * size / 10.5)
        for index, char in enumerate(text):
            angle = 90 + span / 2 - (span * index / (len(text) - 1) if len(text) > 1 else span / 2)
            canvas.saveState()
            canvas.translate(centre_x, centre_y)
            canvas.rotate(angle - 90)
            canvas.drawCentredString(0, radius - 2.2 * mm - size, char)
            canvas.restoreState()
        canvas.restoreState()


def _star(canvas, x: float, y: float, radius: float) -> None:
    """A filled five-pointed star centred at (x, y)."""
    path = canvas.beginPath()
    for point in range(10):
        r = radius if point % 2 == 0 else radius * 0.38
        angle = math.radians(90 + point * 36)
        px, py = x + r * math.cos(angle), y + r * math.sin(angle)
        path.moveTo(px, py) if point == 0 else path.lineTo(px, py)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
