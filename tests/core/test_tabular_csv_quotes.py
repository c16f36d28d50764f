"""CSV files whose quoting is broken, and cells too long for any column: refused
naming the line, never imported as some other text, never reported as the wrong problem."""

from __future__ import annotations

import io

import pytest

from registry.core.tabular import Column, FileRefused, read_table
from registry.disclosures.models import Disclosure
from tests.conftest import count
from tests.disclosures.test_import import TODAY, licence_row, to_csv

COLUMNS = [Column("名称", "name"), Column("备注", "note")]


def _read(text: str):
    return read_table(text.encode("utf-8"), "f.csv", COLUMNS)


@pytest.mark.parametrize("text, line", [
    ('名称,备注\n甲,好\n"乙"公司,坏\n', 3),  # text after the closing quote: read as 乙公司 before
    ('名称,备注\n甲,"好" \n', 2),  # a space after the closing quote
    ('名称,备注\n甲,好\n乙,"从这里开始\n丙,丁\n', 3),  # a quote that never closes swallowed the rest
])
def test_broken_quoting_is_refused_naming_the_line(text, line):
    with pytest.raises(FileRefused) as refused:
        _read(text)
    message = str(refused.value.message)
    assert f"line {line}" in message and "quote" in message


@pytest.mark.parametrize("text, expected", [
    ('名称,备注\n甲,"说""好""的"\n', '说"好"的'),  # the CSV way to write a quote: doubled, inside quotes
    ('名称,备注\n甲,说"好"的\n', '说"好"的'),  # a quote inside an unquoted cell is kept as typed
    ('名称,备注\n甲,"两行\n文字"\n', "两行\n文字"),
])
def test_quotes_written_as_csv_writes_them_are_read_exactly(text, expected):
    assert _read(text).rows == [(2, {"name": "甲", "note": expected})]


def test_a_cell_longer_than_any_column_is_reported_as_such():
    long_cell = "长" * (128 * 1024 + 1)
    with pytest.raises(FileRefused) as refused:
        _read(f"名称,备注\n甲,好\n乙,{long_cell}\n")
    message = str(refused.value.message)
    assert "Line 3 " in message and "longer than 131072 characters" in message


def test_the_import_page_shows_the_line_and_stores_nothing(client, login, frozen):
    login("clerk")
    good = to_csv([licence_row()]).decode("utf-8-sig")
    broken = good + '"湖南"某公司,x\n'
    with frozen(TODAY):
        response = client.post("/officer/disclosures/import?lang=en",
                               data={"file": (io.BytesIO(broken.encode("utf-8")), "f.csv")},
                               content_type="multipart/form-data")
    assert response.status_code == 200
    assert "malformed at line 3" in response.get_data(as_text=True)
    assert count(Disclosure) == 0
