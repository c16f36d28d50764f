"""Property-based tests of the parsers that take untrusted input (PRODUCT §14): identifiers,
working days, and the tabular import reader.  Whatever the input, the only failure allowed is
the parser's own refusal (a ``ValidationFailed`` whose message is shown to the user)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry.core import identifiers
from registry.core.identifiers import InvalidIdentifier, SubjectKind
from registry.core.tabular import Column, FileRefused, parse_rows, read_table
from registry.core.workdays import WorkdayCalendar
from tests.standards import ric_check, uscc_check

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- identifiers --------------------------------------------------------------------------

USCC_BODY = st.text(alphabet=identifiers.USCC_ALPHABET, min_size=17, max_size=17)
SEPARATORS = st.sampled_from(["", " ", "-", "  ", "\t", "·", "."])


@st.composite
def valid_usccs(draw) -> str:
    body = draw(USCC_BODY)
    return body + uscc_check(body)


@st.composite
def valid_resident_ids(draw) -> str:
    born = draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)))
    body = draw(st.sampled_from(["430102", "430611", "110101"])) + born.strftime("%Y%m%d") + draw(
        st.text(alphabet="0123456789", min_size=3, max_size=3))
    return body + ric_check(body)


@st.composite
def spaced(draw, code: str) -> str:
    """``code`` with separators between characters and random case."""
    out = draw(SEPARATORS)
    for char in code:
        out += (char.lower() if draw(st.booleans()) else char) + draw(SEPARATORS)
    return out


@FUZZ
@given(st.data())
def test_a_valid_code_survives_spacing_and_case(data):
    for kind, strategy in ((SubjectKind.ORGANISATION, valid_usccs()), (SubjectKind.PERSON, valid_resident_ids())):
        code = data.draw(strategy)
        assert identifiers.normalize(kind, data.draw(spaced(code))) == code
        assert any(reading.value == code for reading in identifiers.parse_identifier(data.draw(spaced(code))))


@FUZZ
@given(valid_usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(identifiers.USCC_ALPHABET))
def test_one_changed_character_of_a_uscc_is_refused(code, position, replacement):
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1:]
    assume(uscc_check(changed[:17]) != changed[17])
    with pytest.raises(InvalidIdentifier):
        identifiers.normalize_uscc(changed)


@FUZZ
@given(st.sampled_from(list(SubjectKind)), st.text(max_size=60))
def test_normalize_is_idempotent_and_refuses_only_with_its_own_error(kind, text):
    try:
        once = identifiers.normalize(kind, text)
    except InvalidIdentifier as refusal:
        assert str(refusal.message)
        return
    assert identifiers.normalize(kind, once) == once


@FUZZ
@given(st.one_of(st.text(max_size=60), st.text(alphabet="0123456789Xx -湘AB", max_size=25)))
def test_parse_identifier_never_raises_anything_else(text):
    try:
        readings = identifiers.parse_identifier(text)
    except InvalidIdentifier:
        return
    assert readings
    for reading in readings:
        assert identifiers.normalize(reading.kind, reading.value) == reading.value
    identifiers.looks_like_identifier(text)  # must not raise either


@FUZZ
@given(st.sampled_from(list(SubjectKind)), st.one_of(
    st.text(max_size=30), st.text(alphabet="０１２３４５６７８９٠١٢٣٤٥٦٧٨٩0123456789XxＸ湘AＡ ", max_size=20)))
def test_what_normalize_accepts_is_ascii_but_for_a_plates_chinese_characters(kind, text):
    """No identifier is stored in another script's digits: it would be a second subject."""
    try:
        value = identifiers.normalize(kind, text)
    except InvalidIdentifier:
        return
    if kind is SubjectKind.VEHICLE:
        value = value[1:].rstrip("挂学警港澳")
    assert value.isascii() and value.isalnum()


@FUZZ
@given(valid_resident_ids())
def test_a_masked_id_hides_the_birth_date(number):
    masked = identifiers.mask_resident_id(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and number[6:14] not in masked


# --- working days -------------------------------------------------------------------------

DAYS = st.dates(min_value=date(2020, 1, 1), max_value=date(2027, 12, 31))


@FUZZ
@given(DAYS, st.integers(min_value=1, max_value=40))
def test_the_nth_working_day_is_a_working_day_and_later_starts_never_end_earlier(start, n):
    calendar = WorkdayCalendar()
    end = calendar.add(start, n)
    assert calendar.is_workday(end) and end > start
    assert calendar.add(date.fromordinal(start.toordinal() + 1), n) >= end
    assert calendar.add(start, n + 1) > end


@FUZZ
@given(DAYS, st.integers(min_value=0, max_value=40))
def test_latest_start_is_the_latest(deadline, n):
    calendar = WorkdayCalendar()
    latest = calendar.latest_start(n, deadline)
    assert calendar.add(latest, n) <= deadline
    assert calendar.add(date.fromordinal(latest.toordinal() + 1), n) > deadline


# --- the tabular import reader ------------------------------------------------------------

COLUMNS = [
    Column("名称", "name", required=True),
    Column("金额", "amount", parse=lambda text: int(text)),
    Column("日期", "day", parse=date.fromisoformat),
]
HEADER = "名称,金额,日期\r\n"
CELL = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)


def _read(data: bytes, filename: str = "upload.csv"):
    """The reader and the row parser, as an import runs them."""
    try:
        table = read_table(data, filename, COLUMNS, max_rows=50, max_bytes=200_000)
    except FileRefused as refusal:
        assert str(refusal.message)
        return None
    return parse_rows(table, COLUMNS)


@FUZZ
@given(st.binary(max_size=2000), st.sampled_from(["a.csv", "a.xlsx", "a", "../../a.csv"]))
def test_random_bytes_are_read_or_refused(data, filename):
    _read(data, filename)


@FUZZ
@given(st.lists(st.lists(CELL, max_size=5), max_size=20), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_csv_rows_are_read_or_refused_row_by_row(rows, encoding):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    try:
        data = (HEADER + buffer.getvalue()).encode(encoding)
    except UnicodeEncodeError:
        return
    parsed = _read(data)
    if parsed is not None:
        for error in parsed.errors:
            assert error.message and error.column


@FUZZ
@given(st.binary(min_size=0, max_size=500))
def test_a_broken_or_hostile_xlsx_is_refused(tail):
    """Anything that starts like a ZIP: a truncated archive, random members, a zip bomb's shape."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", tail)
        archive.writestr("xl/workbook.xml", b"<x>" + tail)
    for data in (buffer.getvalue(), buffer.getvalue()[: len(buffer.getvalue()) // 2], b"PK\x03\x04" + tail):
        _read(data, "a.xlsx")


def test_a_zip_bomb_is_refused_without_being_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b"a" * 50_000_000 + b">")
    data = buffer.getvalue()
    assert len(data) < 200_000
    assert _read(data, "bomb.xlsx") is None
