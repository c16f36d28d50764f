"""Uploaded files (PRODUCT §13): size-limited, type-checked by content, stored under random names.

``store_upload`` checks what the bytes are (not what the name says), refuses anything but the
allowed kinds, and writes the file into ``UPLOAD_FOLDER`` (outside the web root) under a random
name in a sub-folder per purpose; the caller keeps the returned ``StoredFile`` fields on its
record.  ``open_upload`` reads it back for a view that has already checked who may see it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from registry.core import upload_content
from registry.core.errors import ValidationFailed
from registry.core.registry import Registry

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = upload_content.PDF, upload_content.JPEG, upload_content.PNG
EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
_SAFE_PURPOSE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_STORED_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,39}/[0-9a-f]{32}\.(pdf|jpg|png)$")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str  # "<purpose>/<random>.<ext>", relative to UPLOAD_FOLDER
    original_name: str
    content_type: str
    size: int
    sha256: str


def detect_type(data: bytes) -> str | None:
    """The content type the bytes really are (PDF, JPEG or PNG), or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def is_archive_polyglot(data: bytes) -> bool:
    """The bytes are or carry an archive (``core.upload_content.carries_archive``)."""
    return upload_content.carries_archive(data)


def has_active_content(data: bytes) -> bool:
    """The bytes carry web page markup or script (``core.upload_content.carries_markup``)."""
    return upload_content.carries_markup(data)


def clean_name(filename: str | None) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(char for char in name if char.isprintable())
    return name[-200:] or "upload"


@dataclass(frozen=True)
class Prepared:
    """An acceptable upload: what it is, and the bytes to store (an image encoded anew)."""

    content_type: str
    data: bytes


def prepare_upload(data: bytes, *, allowed=(PDF, JPEG, PNG), max_bytes: int = DEFAULT_MAX_BYTES,
                   field: str = "file", filename: str | None = None) -> Prepared:
    """Decide what the upload is (``core.upload_content``) and what to store; raises
    ``ValidationFailed`` naming ``field`` (and the file) when it is refused.  Writes nothing."""
    name = clean_name(filename) if filename else None
    if not data:
        message = _l("The file %(name)s is empty.", name=name) if name else _l("The file is empty.")
        raise ValidationFailed(message, field=field)
    if len(data) > max_bytes:
        mb = max_bytes // (1024 * 1024)
        message = (_l("The file %(name)s is larger than %(mb)d MB.", name=name, mb=mb) if name
                   else _l("The file is larger than %(mb)d MB.", mb=mb))
        raise ValidationFailed(message, field=field)
    content_type = detect_type(data)
    if content_type in allowed and has_active_content(data):
        message = (_l("The file %(name)s is not accepted: it carries web page markup or script (HTML, "
                      "PHP or PDF JavaScript) beside its content.", name=name) if name
                   else _l("The file is not accepted: it carries web page markup or script (HTML, PHP or "
                           "PDF JavaScript) beside its content."))
        raise ValidationFailed(message, field=field)
    if content_type not in allowed or is_archive_polyglot(data):
        if name:
            raise ValidationFailed(
                _l("The file %(name)s is not accepted: only PDF, JPEG or PNG files are (the file's content "
                   "is checked, not its name).", name=name),
                field=field,
            )
        raise ValidationFailed(
            _l("Only PDF, JPEG or PNG files are accepted (the file's content is checked, not its name)."),
            field=field,
        )
    shown = name or clean_name(None)
    if content_type == PDF:
        problem = upload_content.pdf_problem(data, shown)
    else:
        data, problem = upload_content.reencoded_image(data, content_type, shown)
    if problem is not None:
        raise ValidationFailed(problem, field=field)
    return Prepared(content_type, data)


def check_upload(data: bytes, *, allowed=(PDF, JPEG, PNG), max_bytes: int = DEFAULT_MAX_BYTES,
                 field: str = "file", filename: str | None = None) -> str:
    """The content type of an acceptable upload (``prepare_upload``); raises ``ValidationFailed``.

    Writes nothing, so a caller can check every file of a form before storing any of them.
    """
    return prepare_upload(data, allowed=allowed, max_bytes=max_bytes, field=field, filename=filename).content_type


@dataclass(frozen=True)
class Upload:
    """One file of a form, as the view read it: the form field it came from, its bytes and name."""

    field: str
    data: bytes
    filename: str | None
    purpose: str = ""  # what the file is for (e.g. "commitment_letter"), kept with the record


def _check_count(uploads: list[Upload], max_files: int, count_field: str) -> None:
    if len(uploads) > max_files:
        raise ValidationFailed(
            _l("At most %(n)d files may be uploaded; you chose %(m)d.", n=max_files, m=len(uploads)), field=count_field
        )


def check_uploads(uploads: list[Upload], *, max_files: int = 5, max_bytes: int = DEFAULT_MAX_BYTES,
                  allowed=(PDF, JPEG, PNG), count_field: str = "files") -> None:
    """Check a whole set of files (count, then each file) before any is stored."""
    _check_count(uploads, max_files, count_field)
    for upload in uploads:
        check_upload(upload.data, allowed=allowed, max_bytes=max_bytes, field=upload.field, filename=upload.filename)


def store_uploads(uploads: list[Upload], *, purpose: str, max_files: int = 5, max_bytes: int = DEFAULT_MAX_BYTES,
                  allowed=(PDF, JPEG, PNG), count_field: str = "files") -> list[StoredFile]:
    """Check every file first, then store them all; if storing one fails, none is left behind."""
    _check_count(uploads, max_files, count_field)
    prepared = [prepare_upload(upload.data, allowed=allowed, max_bytes=max_bytes, field=upload.field,
                               filename=upload.filename) for upload in uploads]
    stored: list[StoredFile] = []
    try:
        for upload, ready in zip(uploads, prepared, strict=True):
            stored.append(_store(ready, upload.filename, purpose=purpose, field=upload.field))
    except BaseException:
        for item in stored:
            remove_upload(item.stored_name)
        raise
    return stored


def store_upload(data: bytes, filename: str | None, *, purpose: str, allowed=(PDF, JPEG, PNG),
                 max_bytes: int = DEFAULT_MAX_BYTES, field: str = "file") -> StoredFile:
    """Check and store one upload; raises ``ValidationFailed`` naming ``field`` when refused."""
    ready = prepare_upload(data, allowed=allowed, max_bytes=max_bytes, field=field, filename=filename)
    return _store(ready, filename, purpose=purpose, field=field)


def _store(ready: Prepared, filename: str | None, *, purpose: str, field: str) -> StoredFile:
    if not _SAFE_PURPOSE.match(purpose):
        raise ValueError(f"bad upload purpose {purpose!r}")
    stored_name = f"{purpose}/{secrets.token_hex(16)}{EXTENSIONS[ready.content_type]}"
    write_whole(os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name), ready.data, field=field)
    return StoredFile(stored_name, clean_name(filename), ready.content_type, len(ready.data),
                      hashlib.sha256(ready.data).hexdigest())


def write_whole(path: str, data: bytes, *, field: str) -> None:
    """Write the file under a temporary name and rename it into place: a full disk or a killed
    process leaves no partial file under a stored name (a ``.partial`` left by a kill is removed
    by the ``upload_orphans`` check).  A write that fails is a refusal at the field, not a 500."""
    partial = f"{path}.partial"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.remove(partial)
        current_app.logger.error("upload could not be stored at %s: %s", path, error)
        raise ValidationFailed(
            _l("The file could not be stored: the server's storage is full or unavailable. Nothing was "
               "saved; please try again later."),
            field=field,
        ) from error


def upload_path(stored_name: str) -> str:
    """The absolute path of a stored upload (refuses anything that is not one of ours)."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError("not a stored upload name")
    return os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name)


def open_upload(stored_name: str) -> bytes:
    with open(upload_path(stored_name), "rb") as handle:
        return handle.read()


def safe_download_name(original_name: str | None, content_type: str) -> str:
    """A download name that is harmless in a header: the original's printable stem, our extension."""
    stem = os.path.splitext(clean_name(original_name))[0]
    stem = re.sub(r'[\x00-\x1f"\\/;:*?<>|]+', "_", stem).strip(" .")[:80] or "file"
    return stem + EXTENSIONS.get(content_type, ".bin")


def send_upload(stored_name: str, original_name: str | None, content_type: str):
    """The response serving a stored upload as an attachment, never rendered by the browser.

    The view has checked who may see it.  A missing file answers 404.
    """
    try:
        data = open_upload(stored_name)
    except (ValueError, FileNotFoundError):
        abort(404)
    mimetype = content_type if content_type in EXTENSIONS else "application/octet-stream"
    response = send_file(io.BytesIO(data), mimetype=mimetype,
                         as_attachment=True, download_name=safe_download_name(original_name, content_type),
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def remove_upload(stored_name: str) -> None:
    """Delete a stored file (e.g. when the transaction that recorded it failed)."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        os.remove(upload_path(stored_name))


@dataclass(frozen=True)
class StoredUploads:
    """A column that holds stored upload names (``StoredFile.stored_name``)."""

    name: str
    column: Any


# A package registers the columns that keep its uploads next to its models, so that the
# ``upload_orphans`` check knows every file that is still wanted.
STORED_UPLOADS: Registry[StoredUploads] = Registry("stored upload column")

# A file younger than this may belong to a request that has stored it and not yet committed.
ORPHAN_GRACE = timedelta(hours=24)


def register_stored_uploads(name: str, column) -> None:
    STORED_UPLOADS.add(StoredUploads(name, column))


def _files_on_disk(folder: str) -> Iterator[tuple[str, str]]:
    """(stored name or leftover ``.partial``, absolute path) of every file in the upload folder."""
    for directory, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            yield os.path.relpath(path, folder).replace(os.sep, "/"), path


def orphan_uploads(session, *, now: float) -> list[str]:
    """Absolute paths of files older than ``ORPHAN_GRACE`` that no registered column names: left
    by a process killed between storing a file and committing its record, or ``.partial`` files
    of a write that never finished."""
    folder = current_app.config["UPLOAD_FOLDER"]
    wanted: set[str] = set()
    for item in STORED_UPLOADS.ordered():
        wanted.update(session.execute(sa.select(item.column).where(item.column.is_not(None))).scalars())
    cutoff = now - ORPHAN_GRACE.total_seconds()
    orphans = []
    for stored_name, path in _files_on_disk(folder):
        with contextlib.suppress(FileNotFoundError):
            if stored_name not in wanted and os.stat(path).st_mtime < cutoff:
                orphans.append(path)
    return orphans
