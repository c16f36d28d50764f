"""Issuing, regenerating and verifying documents.

``document_pdf(kind, record, actor=)`` is what views and other packages call: it issues the
notice (or finds the one already issued: a record's decision notice, or the document of the same
content) and renders it.  ``issue_decision_notice(kind, record, actor=)`` is what a deciding
operation calls.  Operations never commit; the calling view does.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import InvalidTransition
from registry.core.pdf import DocumentMeta, render_pdf, styles
from registry.documents.kinds import NoticeKind, get_kind
from registry.documents.models import IssuedDocument
from registry.documents.printing import ISSUER_KEYS, issuing_name, letterhead, number_prefix
from registry.extensions import db

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is not mistaken.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 random bits
_CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
_MAX_ATTEMPTS = 8


def canonical_json(content: dict) -> str:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(content: dict) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str | None) -> str | None:
    """A code as typed (any case, hyphens, O for 0, I/L for 1) in canonical form; None if malformed."""
    if not text or len(text) > 40:
        return None
    code = re.sub(r"[\s\-]", "", text).upper().translate(str.maketrans("OIL", "011"))
    return code if _CODE_RE.match(code) else None


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{code}"


def document_number(prefix: str, year: int, serial: int) -> str:
    """湘交信列决〔2026〕第0001号: the issuer's and the kind's prefix, the year in 〔〕, the serial of the year."""
    return f"{prefix}〔{year}〕第{serial:04d}号"


def _kind(name: str) -> NoticeKind:
    kind = get_kind(name)
    if kind is None:
        raise LookupError(f"unknown notice kind {name!r}")
    return kind


def _documents_of(kind: NoticeKind, ref):
    statement = sa.select(IssuedDocument).where(
        IssuedDocument.kind == kind.name, IssuedDocument.record_type == kind.record_type
    )
    if ref.record_key is not None:
        statement = statement.where(IssuedDocument.record_key == ref.record_key)
    else:
        statement = statement.where(IssuedDocument.record_id == ref.record_id)
    return statement.order_by(IssuedDocument.issued_at.desc(), IssuedDocument.id.desc())


def _key(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode("utf-8")).hexdigest()


def _ref_text(ref) -> str:
    return f"id:{ref.record_id}" if ref.record_key is None else f"key:{ref.record_key}"


def content_key(kind: NoticeKind, ref, digest: str, day=None) -> str:
    """``issue_key`` of a document issued for its content (and, for a daily report, its day)."""
    return _key("content", kind.name, kind.record_type, _ref_text(ref), digest, day.isoformat() if day else "")


def decision_key(kind: NoticeKind, ref) -> str:
    """``issue_key`` of a record's decision notice: one per record."""
    return _key("decision", kind.name, kind.record_type, _ref_text(ref))


def _officer(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def issue_document(kind_name: str, record, *, actor=None) -> IssuedDocument:
    """The document of ``record``: for a decision notice, the one issued at its decision (issued
    now, dated at the decision, when a record decided before notices were issued so has none);
    for any other kind, the one already issued for its current content, or a new one.

    A kind that refuses to issue in the record's state (``can_issue``) gives the last document
    issued for the record instead, or refuses when there is none.
    """
    kind = _kind(kind_name)
    actor = _officer(actor)
    if kind.decision is not None:
        return _decision_notice(kind, record, actor)
    content = kind.content(record)
    digest = content_hash(content)
    ref = kind.record_ref(record)
    today = clock.today()
    same = db.session.scalars(_documents_of(kind, ref).where(IssuedDocument.content_hash == digest)).first()
    if same is not None and (not kind.daily or clock.local(same.issued_at).date() == today):
        return same
    if kind.can_issue is not None and not kind.can_issue(record):
        previous = db.session.scalars(_documents_of(kind, ref)).first()
        if previous is not None:
            return previous
        raise InvalidTransition(_l("No notice can be issued for this record in its current state."))
    key = content_key(kind, ref, digest, today if kind.daily else None)
    return _issue(kind, ref, content, key, actor, clock.utcnow())


_DEFERRED: ContextVar[bool] = ContextVar("registry_decision_notices_deferred", default=False)


@contextmanager
def decision_notices_deferred():
    """Inside, deciding operations issue no notice: for loading records out of their dates' order
    (``flask demo``), whose notices ``backfill.issue_missing`` then issues in the order of the dates."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def issue_decision_notice(kind_name: str, record, *, actor=None,
                          actor_label: str | None = None) -> IssuedDocument | None:
    """Issue the decision notice of ``record`` (the operation that decides calls it, in its
    transaction): numbered and dated at the decision, with the content as decided.  Idempotent."""
    if _DEFERRED.get():
        return None
    return _decision_notice(_kind(kind_name), record, _officer(actor), actor_label)


def _decision_notice(kind: NoticeKind, record, actor, actor_label: str | None = None) -> IssuedDocument:
    ref = kind.record_ref(record)
    key = decision_key(kind, ref)
    found = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.issue_key == key))
    if found is not None:
        return found
    decided_at = kind.decision.at(record)
    if decided_at is None:
        raise InvalidTransition(_l("No notice can be issued for this record in its current state."))
    adopted = _adopt(kind, ref, key, decided_at, actor, actor_label)
    if adopted is not None:
        return adopted
    content = (kind.decision.content or kind.content)(record)
    return _issue(kind, ref, content, key, actor, decided_at, actor_label)


def _adopt(kind: NoticeKind, ref, key: str, decided_at, actor, actor_label=None) -> IssuedDocument | None:
    """A notice of the record issued (on a download) on the very day of its decision, before
    notices were issued at the decision, is its decision notice: no second number for it."""
    day = clock.local(decided_at).date()
    for document in db.session.scalars(_documents_of(kind, ref).order_by(None)
                                       .order_by(IssuedDocument.issued_at, IssuedDocument.id)):
        if clock.local(document.issued_at).date() == day:
            document.issue_key = key
            db.session.flush()
            record_event("document.adopt", actor=actor, obj=document, actor_label=_label(actor, actor_label),
                         details={"kind": kind.name, "number": document.number, "record_id": ref.record_id,
                                  "decided_at": decided_at.isoformat()})
            return document
    return None


def _label(actor, actor_label: str | None) -> str | None:
    return None if actor is not None else (actor_label or "public")


def _issue(kind: NoticeKind, ref, content: dict, key: str, actor, issued_at, actor_label=None) -> IssuedDocument:
    digest = content_hash(content)
    document = _insert(kind, ref, content, digest, key, actor, issued_at)
    if document.newly_issued:
        details = {"kind": kind.name, "number": document.number, "record_type": kind.record_type,
                   "record_id": ref.record_id, "content_hash": digest}
        if kind.decision is not None:
            details["decided_at"] = document.issued_at.isoformat()
        record_event("document.issue", actor=actor, obj=document, actor_label=_label(actor, actor_label),
                     details=details)
    return document


def _insert(kind: NoticeKind, ref, content: dict, digest: str, key: str, actor, issued_at) -> IssuedDocument:
    """Insert with the next serial of the issuer's prefix and the year.  A concurrent issuer of the
    same document (the same ``issue_key``) makes this one its; of another, the next serial."""
    year = clock.local(issued_at).year
    prefix = number_prefix(content) + kind.number_code
    for _attempt in range(_MAX_ATTEMPTS):
        last = db.session.scalar(
            sa.select(sa.func.max(IssuedDocument.serial)).where(IssuedDocument.prefix == prefix,
                                                                IssuedDocument.year == year)
        )
        serial = (last or 0) + 1
        document = IssuedDocument(
            kind=kind.name, number=document_number(prefix, year, serial), prefix=prefix, year=year, serial=serial,
            issue_key=key, record_type=kind.record_type, record_id=ref.record_id, record_key=ref.record_key,
            subject_id=ref.subject_id, unit_id=ref.unit_id, content_json=canonical_json(content),
            content_hash=digest, verification_code=new_verification_code(), issued_at=issued_at,
            issued_by_id=actor.id if actor is not None else None,
        )
        try:
            with db.session.begin_nested():
                db.session.add(document)
        except IntegrityError:
            issued = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.issue_key == key))
            if issued is not None:
                return issued
            continue
        document.newly_issued = True
        return document
    raise RuntimeError("could not allocate a document number")


def document_meta(document: IssuedDocument, kind: NoticeKind | None = None) -> DocumentMeta:
    kind = kind or _kind(document.kind)
    return DocumentMeta(
        title=kind.title, number=document.number, issuing_unit=kind.issuing_unit(document.content),
        issued_at=document.issued_at, verification_code=document.verification_code,
        verify_url=verify_url(document.verification_code), landscape=kind.landscape,
        letterhead=letterhead(document.content),
    )


def render_document(document: IssuedDocument) -> bytes:
    """The PDF of an issued document, from its stored content only (so always the same bytes)."""
    kind = _kind(document.kind)
    meta = document_meta(document, kind)
    style = styles()
    return render_pdf(meta, kind.render(document.content, meta, style))


def document_pdf(kind_name: str, record, *, actor=None) -> tuple[bytes, IssuedDocument]:
    """Issue (or find) the notice of ``record`` and render it: ``(pdf bytes, IssuedDocument)``."""
    document = issue_document(kind_name, record, actor=actor)
    db.session.flush()
    return render_document(document), document


def pdf_filename(document: IssuedDocument) -> str:
    """An ASCII file name (headers stay simple): the kind and the verification code."""
    return f"{document.kind}-{document.verification_code}.pdf"


@dataclass(frozen=True)
class Verification:
    document: IssuedDocument
    kind: NoticeKind | None
    facts: list
    record_exists: bool
    changed: bool | None  # None: the record could not be checked (its kind is no longer known)
    note: object | None
    issuer: str = ""  # the name the document was issued in


def _record_facts(content: dict) -> dict:
    """Content without who issued it: a unit renamed in its settings is no change of the record."""
    return {key: value for key, value in content.items() if key not in ISSUER_KEYS}


def find_document(code_text: str | None) -> IssuedDocument | None:
    code = normalize_code(code_text)
    if code is None:
        return None
    return db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.verification_code == code))


def verify(code_text: str | None) -> Verification | None:
    """What ``/verify/<code>`` shows: the document's key facts and whether its record changed."""
    document = find_document(code_text)
    if document is None:
        return None
    kind = get_kind(document.kind)
    if kind is None:
        return Verification(document, None, [], False, None, None, issuing_name(document.content))
    stored = document.content
    record = kind.load(document)
    if record is None:
        changed = True
    else:
        current = kind.recompute(record, stored) if kind.recompute else kind.content(record)
        changed = content_hash(_record_facts(current)) != content_hash(_record_facts(stored))
    note = kind.describe_change(record) if changed and kind.describe_change else None
    return Verification(document, kind, kind.key_facts(stored), record is not None, changed, note,
                        kind.issuing_unit(stored))
