"""Uploaded files (SPEC §13): size-limited, type-checked by content, stored under random names.

``store_upload`` checks what the bytes are (not what the name says), refuses anything but the
allowed kinds, and writes the file into ``UPLOAD_FOLDER`` (outside the web root) under a random
name in a sub-folder per purpose; the caller keeps the returned ``StoredFile`` fields on its
record.  ``open_upload`` reads it back for a view that has already checked who may see it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l

from registry.core.errors import ValidationFailed

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
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


def _clean_name(filename: str | None) -> str:
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    name = "".join(char for char in name if char.isprintable())
    return name[-200:] or "upload"


def store_upload(data: bytes, filename: str | None, *, purpose: str, allowed=(PDF, JPEG, PNG),
                 max_bytes: int = DEFAULT_MAX_BYTES, field: str = "file") -> StoredFile:
    """Check and store one upload; raises ``ValidationFailed`` naming ``field`` when refused."""
    if not _SAFE_PURPOSE.match(purpose):
        raise ValueError(f"bad upload purpose {purpose!r}")
    if not data:
        raise ValidationFailed(_l("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise ValidationFailed(_l("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)), field=field)
    content_type = detect_type(data)
    if content_type not in allowed:
        raise ValidationFailed(
            _l("Only PDF, JPEG or PNG files are accepted (the file's content is checked, not its name)."),
            field=field,
        )
    folder = os.path.join(current_app.config["UPLOAD_FOLDER"], purpose)
    os.makedirs(folder, exist_ok=True)
    stored_name = f"{purpose}/{secrets.token_hex(16)}{EXTENSIONS[content_type]}"
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name)
    with open(path, "xb") as handle:
        handle.write(data)
    return StoredFile(stored_name, _clean_name(filename), content_type, len(data), hashlib.sha256(data).hexdigest())


def upload_path(stored_name: str) -> str:
    """The absolute path of a stored upload (refuses anything that is not one of ours)."""
    if not _STORED_NAME.match(stored_name or ""):
        raise ValueError("not a stored upload name")
    return os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name)


def open_upload(stored_name: str) -> bytes:
    with open(upload_path(stored_name), "rb") as handle:
        return handle.read()


def remove_upload(stored_name: str) -> None:
    """Delete a stored file (e.g. when the transaction that recorded it failed)."""
    with contextlib.suppress(FileNotFoundError, ValueError):
        os.remove(upload_path(stored_name))
