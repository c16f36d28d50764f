"""Files held for a form that was refused.

A form refused for another field's sake must not drop the files already chosen.  The accepted
ones are kept under ``held/<token>/`` of ``UPLOAD_FOLDER`` for ``HOLD_HOURS``; the token travels in
a hidden field (and the page that made it remembers it in the session), and the next submission
uses them for the fields where no new file was chosen.  ``clean_held`` removes what was left
behind (the ``held_uploads_cleanup`` check).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass

from flask import current_app

from registry.core.uploads import EXTENSIONS, PDF, Upload, clean_name, detect_type

HELD = "held"
HOLD_HOURS = 2
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class HeldFile:
    field: str
    original_name: str
    stored: str  # the file's name inside its token's folder
    purpose: str = ""


def new_hold_token() -> str:
    return secrets.token_hex(16)


def _held_folder(token: str) -> str:
    if not _TOKEN.match(token or ""):
        raise ValueError("not a hold token")
    return os.path.join(current_app.config["UPLOAD_FOLDER"], HELD, token)


def held_files(token: str | None) -> list[HeldFile]:
    """The files held under ``token`` (none for an unknown, expired or malformed token)."""
    try:
        with open(os.path.join(_held_folder(token or ""), _MANIFEST), encoding="utf-8") as handle:
            return [HeldFile(**row) for row in json.load(handle)]
    except (ValueError, OSError, TypeError):
        return []


def held_uploads(token: str | None, items: list[HeldFile] | None = None) -> list[Upload]:
    """The held files (``items``, default all) read back as ``Upload``s, as if chosen again (a
    missing file is skipped)."""
    uploads = []
    for item in held_files(token) if items is None else items:
        try:
            with open(os.path.join(_held_folder(token), item.stored), "rb") as handle:
                uploads.append(Upload(item.field, handle.read(), item.original_name, item.purpose))
        except OSError:
            continue
    return uploads


def hold_uploads(token: str, uploads: list[Upload], *, keep: list[HeldFile] = ()) -> list[HeldFile]:
    """Hold ``uploads`` (already checked) under ``token`` next to ``keep`` (files held before);
    every other file held under the token is removed.  Returns what is held now."""
    folder = _held_folder(token)
    os.makedirs(folder, exist_ok=True)
    held = list(keep)
    for upload in uploads:
        content_type = detect_type(upload.data) or PDF
        stored = f"{secrets.token_hex(16)}{EXTENSIONS[content_type]}"
        with open(os.path.join(folder, stored), "xb") as handle:
            handle.write(upload.data)
        held.append(HeldFile(upload.field, clean_name(upload.filename), stored, upload.purpose))
    wanted = {item.stored for item in held} | {_MANIFEST}
    for name in os.listdir(folder):
        if name not in wanted:
            with contextlib.suppress(OSError):
                os.remove(os.path.join(folder, name))
    with open(os.path.join(folder, _MANIFEST), "w", encoding="utf-8") as handle:
        json.dump([item.__dict__ for item in held], handle, ensure_ascii=False)
    os.utime(folder)  # held for another HOLD_HOURS from now
    return held


def discard_held(token: str | None) -> None:
    """Remove everything held under ``token`` (after the form was accepted)."""
    with contextlib.suppress(ValueError, OSError):
        shutil.rmtree(_held_folder(token or ""))


def clean_held(now: float | None = None, hours: int = HOLD_HOURS) -> int:
    """Remove the held files of forms not sent again within ``hours``; the number of forms."""
    root = os.path.join(current_app.config["UPLOAD_FOLDER"], HELD)
    limit = (now if now is not None else time.time()) - hours * 3600
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(root):
            path = os.path.join(root, name)
            with contextlib.suppress(OSError):
                if _TOKEN.match(name) and os.path.getmtime(path) < limit:
                    shutil.rmtree(path)
                    removed += 1
    return removed
