"""Hostile uploads through the real forms (SPEC §13, §14): disguised files, archives and
polyglots refused by content, size caps, names never trusted, downloads never rendered.
(The helper's unit tests are in tests/test_uploads.py.)"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.commitments.models import CreditCommitment
from registry.core.errors import ValidationFailed
from registry.core.uploads import check_upload, upload_path
from tests.conftest import count
from tests.factories import valid_uscc
from tests.factories.objections import PDF, PNG


def _zip(name="a.txt", content=b"x") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


HOSTILE = {
    "html named pdf": (b"<html><script>alert(1)</script></html>", "letter.pdf"),
    "svg named png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "photo.png"),
    "zip": (_zip(), "letter.pdf"),
    "docx (a zip)": (_zip("word/document.xml", b"<w/>"), "letter.docx"),
    "pdf with a zip appended": (PDF + _zip(), "letter.pdf"),
    "png with a zip appended": (PNG + _zip(), "photo.png"),
    "windows executable": (b"MZ\x90\x00" + b"\x00" * 64, "letter.pdf"),
    "gif": (b"GIF89a" + b"\x00" * 32, "photo.gif"),
    "empty": (b"", "letter.pdf"),
    "pdf header not at the start": (b"\n" + PDF, "letter.pdf"),
    # Polyglots: a real PDF/JPEG header with a page or a script that a browser or server would run.
    "pdf that is also a web page": (PDF + b"\n<html><body><script>alert(1)</script></body></html>", "letter.pdf"),
    "jpeg carrying php": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<?php system($_GET['c']); ?>\xff\xd9", "photo.jpg"),
    "pdf with an open action in javascript": (PDF + b"<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
                                              "letter.pdf"),
}


def _post_commitment(client, data: bytes, filename: str):
    return client.post("/officer/commitments/new?lang=en", content_type="multipart/form-data", data={
        "subject_identifier": valid_uscc(), "subject_name": "某公司", "kind": "licensing",
        "signed_on": "2026-04-01", "file": (io.BytesIO(data), filename)})


def _stored_files(app) -> set[str]:
    found = set()
    for folder, _dirs, files in os.walk(app.config["UPLOAD_FOLDER"]):
        found |= {os.path.join(folder, name) for name in files}
    return found


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_with_a_message_and_nothing_is_stored(app, client, login, frozen, case):
    clerk = login("clerk")
    data, filename = HOSTILE[case]
    before = _stored_files(app)
    with frozen(date(2026, 5, 1)):
        response = _post_commitment(client, data, filename)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("PDF, JPEG or PNG" in html or "markup or script" in html or "empty" in html
            or "required" in html.lower())
    assert count(CreditCommitment, CreditCommitment.created_by_id == clerk.id) == 0
    assert _stored_files(app) == before


@pytest.mark.parametrize("filename", ["../../x.pdf", "..\\..\\x.pdf", "/etc/passwd", "C:\\Windows\\x.pdf",
                                      "a\x00b.pdf", "evil\r\nContent-Type: text/html.pdf", "x.pdf.html",
                                      "我的承诺书.pdf", "." * 300 + ".pdf"])
def test_file_names_are_never_used_as_paths_nor_echoed_in_headers(app, client, login, frozen, db, filename):
    login("clerk")
    root = os.path.realpath(app.config["UPLOAD_FOLDER"])
    before = _stored_files(app)
    with frozen(date(2026, 5, 1)):
        response = _post_commitment(client, PDF, filename)
    if response.status_code == 200:  # the multipart parser could not read such a name: no file, refused
        assert "\r" in filename and "required" in response.get_data(as_text=True)
        assert _stored_files(app) == before
        return
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    new = _stored_files(app) - before
    assert len(new) == 1
    path = os.path.realpath(new.pop())
    assert path.startswith(root + os.sep) and os.path.basename(path)[:-4].isalnum()
    commitment = db.session.get(CreditCommitment, int(response.location.rstrip("/").rsplit("/", 1)[1]))
    download = client.get(f"/officer/commitments/{commitment.id}/file")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "\r" not in disposition and "\n" not in disposition
    assert "/" not in disposition.split("filename", 1)[1] and ".." not in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_an_oversized_request_is_refused_before_it_is_read(app, client, login):
    login("clerk")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = _post_commitment(client, PDF + b"0" * 4096, "big.pdf")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413


def test_a_file_over_the_per_file_cap_is_refused_naming_it():
    with pytest.raises(ValidationFailed) as refused:
        check_upload(PDF + b"0" * 2048, max_bytes=1024, filename="../../big.pdf", field="file")
    assert "big.pdf" in str(refused.value.message) and "../" not in str(refused.value.message)


@pytest.mark.parametrize("name", ["../x.pdf", "commitments/../../etc/passwd", "/etc/passwd",
                                  "commitments/" + "0" * 32 + ".exe", "commitments/" + "0" * 32 + ".pdf/.."])
def test_stored_names_that_are_not_ours_are_refused(app, name):
    with app.app_context(), pytest.raises(ValueError):
        upload_path(name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(prefix=st.sampled_from([b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"PK", b"", b"GIF8"]),
       body=st.binary(max_size=300), zipped=st.booleans())
def test_any_bytes_are_accepted_only_as_a_pdf_jpeg_or_png_without_an_archive(prefix, body, zipped):
    data = prefix + body + (_zip() if zipped else b"")
    try:
        kind = check_upload(data, max_bytes=10_000)
    except ValidationFailed:
        return
    assert data.startswith((b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) and kind
    assert not zipped
