"""Accounts: creating and changing officers, and signing in with lockout."""

from __future__ import annotations

import functools
import secrets
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.issuers import MAX_LENGTH as MAX_ISSUER_LENGTH
from registry.accounts.models import Unit, User
from registry.core import clock
from registry.core.audit import AuditEvent, record_event
from registry.core.errors import ValidationFailed, clean_text
from registry.core.permissions import Role
from registry.core.settings import get_setting
from registry.extensions import db

MIN_PASSWORD_LENGTH = 10


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationFailed(_l("Enter a valid email address."), field="email") from None


def find_unit(code_or_name: str) -> Unit:
    unit = db.session.scalar(sa.select(Unit).where(sa.or_(Unit.code == code_or_name, Unit.name == code_or_name)))
    if unit is None:
        raise ValidationFailed(_l("Unknown unit %(unit)s.", unit=code_or_name), field="unit")
    return unit


def _role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationFailed(_l("Unknown role %(role)s: use one of %(allowed)s.", role=role, allowed=allowed),
                               field="role") from None


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("The password must have at least %(n)d characters.", n=MIN_PASSWORD_LENGTH), field="password"
        )


def create_user(*, email: str, name: str, unit: Unit, role: str, password: str, actor=None) -> User:
    email = normalize_email(email)
    role = _role(role)
    if not (name or "").strip():
        raise ValidationFailed(_l("Enter the officer's name."), field="name")
    _check_password(password)
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise ValidationFailed(_l("An account with this email address already exists."), field="email")
    user = User(email=email, name=name.strip(), unit=unit, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record_event("user.create", actor=actor, obj=user, details={"email": email, "role": role.value, "unit": unit.code})
    return user


def update_user(user: User, *, unit: Unit, role: str, is_active: bool, actor) -> None:
    """Change an officer's unit, role or active flag; any change signs out their sessions."""
    role = _role(role)
    if user.id == getattr(actor, "id", None) and (not is_active or role is not Role.ADMIN):
        raise ValidationFailed(_l("You cannot disable your own account or take away your own admin role."))
    before = {"unit": user.unit.code, "role": user.role.value, "active": user.is_active}
    after = {"unit": unit.code, "role": role.value, "active": is_active}
    if before == after:
        return
    user.unit, user.role, user.is_active = unit, role, is_active
    user.session_version += 1
    db.session.flush()
    record_event("user.update", actor=actor, obj=user, details={"from": before, "to": after})


ISSUER_LABELS = {
    "issuing_name": _l("Issuing name"), "seal_text": _l("Seal text"),
    "document_prefix": _l("Document number prefix"),
    "reconsideration_body": _l("Administrative reconsideration body"), "court": _l("Court"),
}
PREFIX_LENGTH = 10


def update_unit_issuer(unit: Unit, values: dict, actor) -> bool:
    """Set who ``unit``'s documents speak for (issuing name, seal, number prefix, remedies bodies);
    audited.  Returns False when nothing changed.

    A document names one authority throughout (issue 29 §1): the seal is the issuing name's (its
    text starts with it), and the units issuing in one name number their documents with one
    prefix, which no other name uses.  A unit that joins a name takes its prefix; a prefix changed
    on one unit of a name changes for all of them (each audited).  Documents issued later carry
    the new texts; those issued before keep theirs (a document prints only its stored content).
    """
    cleaned = {key: clean_text(values.get(key), key, label,
                               limit=PREFIX_LENGTH if key == "document_prefix" else MAX_ISSUER_LENGTH)
               for key, label in ISSUER_LABELS.items()}
    before = {key: getattr(unit, key) for key in ISSUER_LABELS}
    if not cleaned["seal_text"].startswith(cleaned["issuing_name"]):
        raise ValidationFailed(_l("The seal is the issuing authority's: its text begins with the issuing name "
                                  "(%(name)s).", name=cleaned["issuing_name"]), field="seal_text")
    if any(char in cleaned["document_prefix"] for char in "〔〕[]()（）第号 0123456789"):
        raise ValidationFailed(_l("A number prefix is the authority's short name, such as 湘交 or 长交, without "
                                  "brackets, digits or spaces."), field="document_prefix")
    peers = list(db.session.scalars(sa.select(Unit).where(Unit.issuing_name == cleaned["issuing_name"],
                                                          Unit.id != unit.id)))
    if peers and cleaned["document_prefix"] == before["document_prefix"]:
        cleaned["document_prefix"] = peers[0].document_prefix  # joining a name: its numbering
    clash = db.session.scalar(sa.select(Unit.issuing_name).where(
        Unit.document_prefix == cleaned["document_prefix"], Unit.issuing_name != cleaned["issuing_name"],
        Unit.id != unit.id).limit(1))
    if clash is not None:
        raise ValidationFailed(_l("The prefix %(prefix)s numbers the documents of %(name)s: another authority needs "
                                  "a prefix of its own.", prefix=cleaned["document_prefix"], name=clash),
                               field="document_prefix")
    if cleaned == before:
        return False
    _set_issuer(unit, cleaned, actor)
    for peer in peers:
        if peer.document_prefix != cleaned["document_prefix"]:
            _set_issuer(peer, {**{key: getattr(peer, key) for key in ISSUER_LABELS},
                               "document_prefix": cleaned["document_prefix"]}, actor, following=unit.code)
    return True


def _set_issuer(unit: Unit, values: dict, actor, following: str | None = None) -> None:
    before = {key: getattr(unit, key) for key in ISSUER_LABELS}
    for key, value in values.items():
        setattr(unit, key, value)
    db.session.flush()
    changed = [key for key in ISSUER_LABELS if before[key] != values[key]]
    details = {"from": {k: before[k] for k in changed}, "to": {k: values[k] for k in changed}}
    if following:
        details["following"] = following  # the unit whose prefix change this one follows
    record_event("unit.update", actor=actor, obj=unit, details=details)


def set_password(user: User, password: str, actor) -> None:
    _check_password(password)
    user.set_password(password)
    user.session_version += 1
    user.failed_login_count, user.locked_until = 0, None
    db.session.flush()
    record_event("user.password", actor=actor, obj=user)


class SignInRefused(ValidationFailed):
    default_message = _l("Wrong email address or password, or the account is disabled or locked.")


def lockout_help() -> str:
    """What a refused sign-in adds, the same whatever the reason (it tells no one which accounts exist):
    how many failures lock an account, for how long, and whom to contact (the setting
    ``login_help_contact``)."""
    contact = get_setting("login_help_contact") or _l("the administrator of your unit")
    return str(_l("After %(n)d failed sign-ins within %(window)d minutes an account is locked for %(minutes)d "
                  "minutes. To have it unlocked sooner, or if it is disabled, contact %(contact)s.",
                  n=get_setting("login_max_failures"), window=get_setting("login_failure_window_minutes"),
                  minutes=get_setting("login_lockout_minutes"), contact=contact))


_FAILURE_RESETS = ("auth.login", "auth.locked", "user.password")


def recent_failures(user: User, now) -> int:
    """Failed sign-ins of ``user`` within the sliding window that ends at ``now``.

    Counted from the audit log (no schema of its own): ``auth.failed`` events of the last N
    minutes, after the latest successful sign-in, lock or password change (events are ordered by
    id, so a reset and failures in the same instant still count in the right order).
    """
    window = timedelta(minutes=get_setting("login_failure_window_minutes"))
    about_user = (AuditEvent.object_type == User.__tablename__, AuditEvent.object_id == user.id)
    reset_id = db.session.scalar(
        sa.select(sa.func.max(AuditEvent.id)).where(*about_user, AuditEvent.action.in_(_FAILURE_RESETS))
    )
    statement = sa.select(sa.func.count()).select_from(AuditEvent).where(
        *about_user, AuditEvent.action == "auth.failed", AuditEvent.occurred_at > now - window
    )
    if reset_id is not None:
        statement = statement.where(AuditEvent.id > reset_id)
    return db.session.scalar(statement)


@functools.cache
def _dummy_hash() -> str:
    """A hash of a random password, made like every officer's (same method and cost)."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _spend_a_password_check(password: str | None) -> None:
    """Check the password against a dummy hash when there is no account to check it against.

    Hashing is slow on purpose; a refusal without it answers many times faster, and the time
    alone would tell which e-mail addresses have accounts.
    """
    check_password_hash(_dummy_hash(), password or "")


def authenticate(email: str, password: str, client: str | None = None) -> User:
    """Return the user for these credentials or raise ``SignInRefused``.

    The message never says which part was wrong.  Failures are counted per account over a
    sliding window (``recent_failures``); past the limit the account is locked for a while even
    with the right password.
    The failure counts are stored by the caller's commit, also when sign-in is refused.
    """
    now = clock.utcnow()
    try:
        address = normalize_email(email)
    except ValidationFailed:
        _spend_a_password_check(password)
        raise SignInRefused() from None
    user = db.session.scalar(sa.select(User).where(User.email == address))
    if user is None:
        _spend_a_password_check(password)
        raise SignInRefused()
    if user.is_locked():
        user.check_password(password or "")  # as slow as any other refusal
        record_event("auth.refused_locked", actor=user, obj=user, details={"client": client})
        raise SignInRefused()
    if not user.check_password(password or "") or not user.is_active:
        user.failed_login_count = recent_failures(user, now) + 1
        user.first_failed_login_at = user.first_failed_login_at or now
        details = {"client": client, "failures": user.failed_login_count}
        if user.failed_login_count >= get_setting("login_max_failures"):
            user.locked_until = now + timedelta(minutes=get_setting("login_lockout_minutes"))
            user.failed_login_count, user.first_failed_login_at = 0, None
            record_event("auth.locked", actor=user, obj=user, details=details)
        else:
            record_event("auth.failed", actor=user, obj=user, details=details)
        raise SignInRefused()
    user.failed_login_count, user.first_failed_login_at, user.locked_until = 0, None, None
    user.last_login_at = now
    record_event("auth.login", actor=user, obj=user, details={"client": client})
    return user


def sign_out(user: User) -> None:
    user.session_version += 1
    record_event("auth.logout", actor=user, obj=user)
