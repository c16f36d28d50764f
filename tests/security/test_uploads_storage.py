"""Uploads and the disk: a full disk is a refusal, not a 500 and not half a file;
files a killed server left behind are removed by the ``upload_orphans`` check."""

from __future__ import annotations

import errno
import io
import os
import time
from datetime import date

import pytest

from registry.checks.checks import upload_orphans
from registry.commitments.models import CreditCommitment
from registry.core import uploads
from registry.core.uploads import ORPHAN_GRACE, store_upload
from tests.conftest import count
from tests.factories import valid_uscc
from tests.factories.objections import PDF

DAY = 24 * 3600


def _files(app) -> set[str]:
    found = set()
    for folder, _dirs, names in os.walk(app.config["UPLOAD_FOLDER"]):
        found |= {os.path.relpath(os.path.join(folder, name), app.config["UPLOAD_FOLDER"]) for name in names}
    return found


def _post_commitment(client):
    return client.post("/officer/commitments/new?lang=en", content_type="multipart/form-data", data={
        "subject_identifier": valid_uscc(), "subject_name": "某公司", "kind": "licensing",
        "signed_on": "2026-04-01", "file": (io.BytesIO(PDF), "承诺书.pdf")})


def test_a_full_disk_is_a_clear_refusal_and_leaves_nothing(app, client, login, frozen, monkeypatch):
    clerk = login("clerk")
    before = _files(app)
    real_fsync = os.fsync

    def disk_full(descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads.os, "fsync", disk_full)
    with frozen(date(2026, 5, 1)):
        response = _post_commitment(client)
    monkeypatch.setattr(uploads.os, "fsync", real_fsync)
    assert response.status_code == 200
    assert "storage is full or unavailable" in response.get_data(as_text=True)
    assert count(CreditCommitment, CreditCommitment.created_by_id == clerk.id) == 0
    assert _files(app) == before  # neither the file nor a .partial


def test_a_stored_file_is_whole_under_its_name(app):
    with app.test_request_context():
        stored = store_upload(PDF, "a.pdf", purpose="probe")
        with open(os.path.join(app.config["UPLOAD_FOLDER"], stored.stored_name), "rb") as handle:
            assert handle.read() == PDF
    assert not any(name.endswith(".partial") for name in _files(app))


def _age(app, relative: str, seconds: float) -> None:
    path = os.path.join(app.config["UPLOAD_FOLDER"], relative)
    then = time.time() - seconds
    os.utime(path, (then, then))


@pytest.fixture
def upload_scene(app, db, client, login, frozen):
    """A kept commitment letter, an old orphan (stored, never committed), a young orphan and an old
    ``.partial`` of a write that never finished."""
    login("clerk")
    with frozen(date(2026, 5, 1)):
        assert _post_commitment(client).status_code == 302
    kept = db.session.query(CreditCommitment).order_by(CreditCommitment.id.desc()).first().file_stored_name
    with app.test_request_context():
        old_orphan = store_upload(PDF, "x.pdf", purpose="commitments").stored_name
        young_orphan = store_upload(PDF, "y.pdf", purpose="commitments").stored_name
    partial = "commitments/" + "f" * 32 + ".pdf.partial"
    with open(os.path.join(app.config["UPLOAD_FOLDER"], partial), "wb") as handle:
        handle.write(PDF[:5])
    old = ORPHAN_GRACE.total_seconds() + DAY
    for name in (kept, old_orphan, partial):
        _age(app, name, old)
    return {"kept": kept, "old_orphan": old_orphan, "young_orphan": young_orphan, "partial": partial}


def test_the_orphan_check_removes_only_old_files_no_record_keeps(app, upload_scene):
    with app.test_request_context():
        counts = upload_orphans(date(2026, 12, 1))
    left = _files(app)
    assert upload_scene["kept"] in left  # old, but a record keeps it
    assert upload_scene["young_orphan"] in left  # may belong to a request still committing
    assert upload_scene["old_orphan"] not in left
    assert upload_scene["partial"] not in left
    assert counts == {"removed": 2}


def test_the_orphan_check_is_idempotent(app, upload_scene):
    with app.test_request_context():
        upload_orphans(date(2026, 12, 1))
        assert upload_orphans(date(2026, 12, 1)) == {"removed": 0}
