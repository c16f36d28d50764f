"""core.uploads: content detection, archives and polyglots refused, limits, all-or-nothing storing."""

from __future__ import annotations

import os

import pytest

from registry.core.errors import ValidationFailed
from registry.core.uploads import (
    JPEG,
    PDF,
    PNG,
    Upload,
    check_upload,
    check_uploads,
    detect_type,
    is_archive_polyglot,
    safe_download_name,
    store_uploads,
    upload_path,
)
from tests.files import PDF as PDF_FILE
from tests.files import pdf

PDF_BYTES = PDF_FILE  # a real one-page PDF: PDFs are parsed


@pytest.fixture(autouse=True)
def english(db):
    """Messages in English, as the assertions are (outside a request the default is Chinese)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.mark.parametrize(("data", "kind"), [
    (PDF_BYTES, PDF), (b"\xff\xd8\xff\xe0JFIF", JPEG), (b"\x89PNG\r\n\x1a\n....", PNG),
    (b"<html>", None), (b"PK\x03\x04", None), (b"GIF89a", None),
])
def test_type_is_detected_from_content(data, kind):
    assert detect_type(data) == kind


def test_archives_and_polyglots_are_refused(app, db):
    polyglot = PDF_BYTES + b"PK\x03\x04hidden.html" + b"PK\x05\x06" + b"\x00" * 18
    assert is_archive_polyglot(polyglot) and is_archive_polyglot(b"PK\x05\x06")
    assert not is_archive_polyglot(PDF_BYTES + b"PK\x03\x04 but no end record")
    for data in (polyglot, b"PK\x03\x04" + PDF_BYTES):
        with pytest.raises(ValidationFailed):
            check_upload(data)


def test_limits_name_the_field_and_the_file(app, db):
    with pytest.raises(ValidationFailed) as refused:
        check_upload(PDF_BYTES + b"\x00" * (10 * 1024 * 1024), field="proof", filename="big.pdf")
    assert refused.value.field == "proof" and "big.pdf" in str(refused.value.message)
    limit = 10 * 1024 * 1024
    big = pdf(between=b"%" + b"x" * (limit - len(PDF_BYTES)) + b"\n")  # a comment fills it up
    big = pdf(between=b"%" + b"x" * (limit - len(PDF_BYTES) - (len(big) - limit)) + b"\n")
    assert len(big) == limit
    check_upload(big)  # exactly 10 MB is fine
    with pytest.raises(ValidationFailed) as refused:
        check_uploads([Upload("files", PDF_BYTES, f"{i}.pdf") for i in range(6)])
    assert refused.value.field == "files"


def test_nothing_is_written_unless_every_file_is_good(app, db):
    folder = app.config["UPLOAD_FOLDER"]
    before = sorted(os.walk(folder))
    with pytest.raises(ValidationFailed):
        store_uploads([Upload("a", PDF_BYTES, "a.pdf"), Upload("b", b"<html>", "b.pdf")], purpose="testing")
    assert sorted(os.walk(folder)) == before
    stored = store_uploads([Upload("a", PDF_BYTES, "a.pdf")], purpose="testing")
    assert os.path.isfile(upload_path(stored[0].stored_name))
    assert not upload_path(stored[0].stored_name).startswith(app.static_folder)


@pytest.mark.parametrize(("name", "expected"), [
    ("报告.pdf", "报告.pdf"), ('a"; filename=evil.html', "a_ filename=evil.pdf"), ("../../x.exe", "x.pdf"),
    ("", "upload.pdf"),
])
def test_download_names_are_safe(name, expected):
    assert safe_download_name(name, PDF) == expected
