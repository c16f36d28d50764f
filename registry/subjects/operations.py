"""Finding and registering subjects."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core.audit import record_event
from registry.core.errors import ValidationFailed
from registry.core.identifiers import (
    InvalidIdentifier,
    SubjectKind,
    identifier_problem,
    normalize,
    parse_identifier,
    region_code,
)
from registry.extensions import db
from registry.subjects.models import Subject


def find_by_identifier(text: str) -> Subject | None:
    """The subject an identifier names, whatever its spacing or case; None when unknown.

    Raises ``InvalidIdentifier`` when the text is not a valid identifier at all.
    """
    readings = parse_identifier(text)
    values = [reading.value for reading in readings]
    return db.session.scalar(sa.select(Subject).where(Subject.identifier.in_(values)).limit(1))


def as_stored(text: str) -> str:
    """A typed number as it would be stored: without spaces, letters upper case."""
    return "".join(text.split()).upper()


def find_stored(texts) -> dict[str, Subject]:
    """Subjects registered under exactly these numbers as stored (spaces and case aside), whether
    or not the number passes today's check: a number stored before the checks were right stays
    findable by that very number until an officer corrects it.  Keyed by the text."""
    wanted = {text: as_stored(text) for text in texts if text and text.strip()}
    if not wanted:
        return {}
    found = {subject.identifier: subject for subject in db.session.scalars(
        sa.select(Subject).where(Subject.identifier.in_(set(wanted.values()))))}
    return {text: found[value] for text, value in wanted.items() if value in found}


def under_correction(subject: Subject) -> bool:
    """Whether the subject's stored number fails its check (it is found, and shown, as stored)."""
    return identifier_problem(subject.kind, subject.identifier) is not None


def get_by_identifier(kind: SubjectKind | str, identifier: str) -> Subject | None:
    value = normalize(kind, identifier)
    return db.session.scalar(sa.select(Subject).where(Subject.identifier == value))


def create_subject(
    *,
    kind: SubjectKind | str,
    identifier: str,
    name: str,
    legal_representative: str | None = None,
    owner: Subject | None = None,
    actor=None,
) -> Subject:
    """Register a new subject; refuses a bad identifier or one that is already registered."""
    kind = SubjectKind(kind)
    try:
        value = normalize(kind, identifier)
    except InvalidIdentifier as error:
        error.field = "identifier"
        raise
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_l("Enter the subject's name."), field="name")
    if len(name) > 200:
        raise ValidationFailed(_l("The name may have at most 200 characters."), field="name")
    if db.session.scalar(sa.select(Subject.id).where(Subject.identifier == value)) is not None:
        raise ValidationFailed(_l("A subject with this identifier is already registered."), field="identifier")
    if owner is not None and kind is not SubjectKind.VEHICLE:
        raise ValidationFailed(_l("Only a vehicle has an owner."), field="owner")
    subject = Subject(
        kind=kind,
        identifier=value,
        name=name,
        legal_representative=(legal_representative or "").strip() or None,
        region_code=region_code(kind, value),
        owner=owner,
    )
    # Two officers registering the same party at the same moment: the unique identifier lets one
    # win; the other gets the same refusal as above (in a savepoint, so its transaction goes on).
    try:
        with db.session.begin_nested():
            db.session.add(subject)
            db.session.flush()
    except sa.exc.IntegrityError:
        raise ValidationFailed(_l("A subject with this identifier is already registered."),
                               field="identifier") from None
    record_event("subject.create", actor=actor, obj=subject, details={"kind": kind.value})
    return subject


def find_or_create_subject(*, kind, identifier, name, legal_representative=None, owner=None, actor=None) -> Subject:
    """The registered subject with this identifier, or a new one.

    An existing subject keeps its registered name: a record is never allowed to rename a party
    silently.
    """
    existing = get_by_identifier(kind, identifier)
    if existing is not None:
        return existing
    try:
        return create_subject(
            kind=kind, identifier=identifier, name=name, legal_representative=legal_representative,
            owner=owner, actor=actor,
        )
    except ValidationFailed:
        existing = get_by_identifier(kind, identifier)  # registered meanwhile by a concurrent request
        if existing is None:
            raise
        return existing
