"""Paragraphs of Chinese text for reportlab: line breaks that follow the Chinese rules (禁则).

reportlab's own CJK wrapping breaks anywhere; ``ChineseParagraph`` keeps closing punctuation off
the start of a line, opening punctuation off its end, Latin words and numbers whole, and a number
with its unit (12月4|日 is not broken).
"""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import ALL_CANNOT_END, ALL_CANNOT_START
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine

# Chinese line-breaking rules (禁则, GB/T 15834 practice) on top of reportlab's Japanese lists.
CANNOT_START = frozenset(ALL_CANNOT_START) | frozenset("，。、；：！？）》〉」』】〕〗’”％‰…—·．,.;:!?)]}%")
CANNOT_END = frozenset(ALL_CANNOT_END) | frozenset("（《〈「『【〔〖‘“([{")
_NUMBER_UNITS = frozenset("年月日号时分秒元万亿个项次件辆")  # 12月4|日 is not broken
_FUZZ = 1e-6


def _is_word_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_/@.")


def _break_point(glyphs: list, start: int, overflow: int) -> int:
    """Where to end the line that ``glyphs[overflow]`` no longer fits on (an index in (start, overflow + 1])."""
    end = overflow
    while end - start > 1:
        if (glyphs[end] in CANNOT_START or glyphs[end - 1] in CANNOT_END
                or (glyphs[end - 1].isdigit() and glyphs[end] in _NUMBER_UNITS)):
            end -= 1
        elif _is_word_char(glyphs[end - 1]) and _is_word_char(glyphs[end]):
            word_start = end - 1
            while word_start > start and _is_word_char(glyphs[word_start - 1]):
                word_start -= 1
            if word_start == start:
                return overflow  # the word is longer than the line: it has to be cut
            end = word_start
        else:
            return end
    # No rule-abiding break on this line: hang a closing mark in the margin rather than start with it.
    return overflow + 1 if glyphs[overflow] in CANNOT_START else overflow


def _cjk_lines(frags, max_widths: list, calc_bounds: bool) -> ParaLines:
    glyphs = []
    for frag in frags:
        text = frag.text.decode("utf8") if isinstance(frag.text, bytes) else frag.text
        glyphs.extend([cjkU(char, frag, "utf8") for char in text] if text else [cjkU(text, frag, "utf8")])
    lines: list = []

    def width_of(glyph, max_width):
        width = glyph.width
        if hasattr(width, "normalizedValue"):
            width._normalizer = max_width
            width = width.normalizedValue(max_width)
        return width

    def close(begin: int, end: int, line_break: bool) -> None:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used = sum(width_of(glyph, max_width) for glyph in glyphs[begin:end])
        lines.append(makeCJKParaLine(glyphs[begin:end], max_width, used, max_width - used, line_break, calc_bounds))

    start = index = 0
    used = 0.0
    while index < len(glyphs):
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        glyph = glyphs[index]
        if hasattr(glyph.frag, "lineBreak"):
            close(start, index + 1, True)
            start = index = index + 1
            used = 0.0
            continue
        width = width_of(glyph, max_width)
        if used + width > max_width + _FUZZ and index > start:
            end = _break_point(glyphs, start, index)
            # A line that fills up just before a <br/> ends there: the break is no empty line of its own.
            ends_break = end < len(glyphs) and hasattr(glyphs[end].frag, "lineBreak")
            close(start, end + ends_break, ends_break)
            start = index = end + ends_break
            used = 0.0
            continue
        used += width
        index += 1
    if start < len(glyphs):
        close(start, len(glyphs), False)
    return ParaLines(kind=1, lines=lines)


class ChineseParagraph(Paragraph):
    """A Paragraph that breaks lines by the Chinese rules (see the module docstring)."""

    def breakLinesCJK(self, maxWidths):
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return self.blPara
        style = self.style
        if not self.frags:
            return ParaLines(kind=0, fontSize=style.fontSize, fontName=style.fontName, textColor=style.textColor,
                             lines=[], ascent=style.fontSize, descent=-0.2 * style.fontSize)
        auto_leading = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _cjk_lines(self.frags, list(maxWidths), auto_leading not in ("", "off"))


def escape(text: object) -> str:
    """Text made safe for a Paragraph (which reads a small XML markup)."""
    return str("" if text is None else text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text: object, style: ParagraphStyle) -> ChineseParagraph:
    """A paragraph of plain text (escaped), broken by the Chinese rules."""
    return ChineseParagraph(escape(text), style)
