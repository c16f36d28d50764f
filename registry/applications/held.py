"""The files of a refused application form are kept, not dropped.

``FormFiles.gather`` reads the files chosen now and the ones held for this form (the token in the
form's hidden ``upload_token``, honoured only in the browser session that got it); a file chosen
now replaces the held one of its field.  After a refusal ``keep`` holds every acceptable file
(``core.held.hold_uploads``) and tells the page which are kept; after a filing ``discard``
removes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import request, session

from registry.core import held as files
from registry.core import uploads
from registry.core.errors import ValidationFailed

SESSION_KEY = "held_uploads"
MAX_TOKENS = 5


def _known(token: str | None) -> bool:
    return bool(token) and token in session.get(SESSION_KEY, [])


@dataclass
class FormFiles:
    token: str
    fresh: list = field(default_factory=list)  # Upload: chosen in this submission
    held: list = field(default_factory=list)  # HeldFile: kept from an earlier one

    @classmethod
    def gather(cls, form, fresh) -> FormFiles:
        token = form.upload_token.data if _known(form.upload_token.data) else None
        replaced = {upload.field for upload in fresh}
        held = [item for item in files.held_files(token) if item.field not in replaced] if token else []
        return cls(token or files.new_hold_token(), list(fresh), held)

    @property
    def uploads(self) -> list:
        """What the operation gets: the held files of the untouched fields, then the new ones."""
        return files.held_uploads(self.token, self.held) + self.fresh

    def keep(self, form) -> None:
        """Hold the acceptable files for the next submission; a refused one is named at its field."""
        accepted = []
        for upload in self.fresh:
            try:
                uploads.check_upload(upload.data, field=upload.field, filename=upload.filename)
            except ValidationFailed as error:
                target = getattr(form, upload.field, None)
                if target is not None and str(error.message) not in target.errors:
                    target.errors = [*list(target.errors or []), str(error.message)]
                continue
            accepted.append(upload)
        self.held = files.hold_uploads(self.token, accepted, keep=self.held) if (accepted or self.held) else []
        form.upload_token.data = self.token
        tokens = [t for t in session.get(SESSION_KEY, []) if t != self.token]
        session[SESSION_KEY] = [*tokens, self.token][-MAX_TOKENS:]

    def names(self) -> dict[str, list[str]]:
        """The original names of the held files by form field, for the page."""
        shown: dict[str, list[str]] = {}
        for item in self.held:
            shown.setdefault(item.field, []).append(item.original_name)
        return shown

    def discard(self) -> None:
        files.discard_held(self.token)
        files.clean_held()
        session[SESSION_KEY] = [t for t in session.get(SESSION_KEY, []) if t != self.token]


def fresh_uploads(names, purposes) -> list:
    """The non-empty files of the request's file fields (nothing written yet)."""
    result = []
    for name in names:
        for storage in request.files.getlist(name):
            if storage is not None and storage.filename:
                result.append(uploads.Upload(field=name, data=storage.read(), filename=storage.filename,
                                           purpose=purposes.get(name, name)))
    return result
