"""Accounts: creating and changing officers, and signing in (slowed down after failures, never locked)."""

from __future__ import annotations

import contextlib
import functools
import math
import secrets
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from werkzeug.security import check_password_hash, generate_password_hash

from registry.accounts.issuers import MAX_LENGTH as MAX_ISSUER_LENGTH
from registry.accounts.models import SignInAddress, Unit, User
from registry.core import clock, throttle
from registry.core.audit import record_event
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

    A document names one authority throughout: the seal is the issuing name's (its
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
    """A new password (by its officer or an administrator): every session ends, and the waits that
    failed sign-ins under the account's e-mail address had built up are forgotten."""
    _check_password(password)
    user.set_password(password)
    user.session_version += 1
    throttle.forget_subject(_account_key(user.email))
    db.session.flush()
    record_event("user.password", actor=actor, obj=user)


class SignInRefused(ValidationFailed):
    default_message = _l("Wrong email address or password, or the account is disabled.")


class SignInThrottled(ValidationFailed):
    """Too many failures with this e-mail address from this client address (or, for an address the
    account does not usually sign in from, from anywhere).  The same for an address that has no
    account: the message tells no one which accounts exist."""

    def __init__(self, wait: timedelta) -> None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        super().__init__(_l("Too many failed sign-ins with this email address from where you are. Wait %(n)d "
                            "minutes, then try again.", n=minutes))
        self.wait = wait


def lockout_help() -> str:
    """What a refused sign-in adds, the same whatever the reason (it tells no one which accounts exist):
    how failed sign-ins are slowed down, and whom to contact (the setting ``login_help_contact``)."""
    contact = get_setting("login_help_contact") or _l("the administrator of your unit")
    return str(_l("After %(n)d failed sign-ins from one place, each further attempt from there must wait longer, "
                  "up to %(minutes)d minutes. Failures elsewhere do not hold up sign-ins from the places you usually "
                  "sign in from. If you forgot your password, or your account is disabled, contact %(contact)s.",
                  n=get_setting("login_max_failures"), minutes=get_setting("login_lockout_minutes"), contact=contact))


# Failures from addresses the account does not usually sign in from are also counted together,
# against a guesser with many addresses; the account's usual addresses are not held up by them.
UNFAMILIAR_FACTOR = 4
USUAL_ADDRESS_DAYS = 90
FIRST_WAIT = timedelta(minutes=1)


def _policy(factor: int = 1) -> throttle.Policy:
    return throttle.Policy(free=get_setting("login_max_failures") * factor, first_wait=FIRST_WAIT,
                           longest_wait=timedelta(minutes=get_setting("login_lockout_minutes")),
                           memory=timedelta(minutes=get_setting("login_failure_window_minutes")))


def _account_key(email_text: str) -> str:
    return throttle.key("sign-in account", (email_text or "").strip().lower())


def _is_usual_address(user: User | None, address_hash: str, now) -> bool:
    if user is None:
        return False
    return db.session.scalar(sa.select(SignInAddress.id).where(
        SignInAddress.user_id == user.id, SignInAddress.address_hash == address_hash,
        SignInAddress.last_success_at > now - timedelta(days=USUAL_ADDRESS_DAYS))) is not None


def _note_usual_address(user: User, address_hash: str, now) -> None:
    row = db.session.scalar(sa.select(SignInAddress).where(SignInAddress.user_id == user.id,
                                                          SignInAddress.address_hash == address_hash))
    if row is not None:
        row.last_success_at = now
        return
    with contextlib.suppress(sa.exc.IntegrityError), db.session.begin_nested():
        # (an IntegrityError: a sign-in of the same officer from the same address noted it meanwhile)
        db.session.add(SignInAddress(user_id=user.id, address_hash=address_hash, last_success_at=now))


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


def _find_user(email: str) -> User | None:
    try:
        address = normalize_email(email)
    except ValidationFailed:
        return None
    return db.session.scalar(sa.select(User).where(User.email == address))


def authenticate(email: str, password: str, client: str | None = None) -> User:
    """Return the user for these credentials, or raise ``SignInRefused`` or ``SignInThrottled``.

    The message never says which part was wrong.  Failures slow down further attempts with the same
    e-mail address (whether or not an account has it) from the same client address, by growing
    waits (``core.throttle``); failures from addresses the account does not usually sign in from
    also count together.  Nothing locks the account: its officer signs in from a usual address
    whatever others try elsewhere.  The failures are stored by the caller's commit, also when
    sign-in is refused.
    """
    now, client = clock.utcnow(), client or "-"
    account = _account_key(email)
    pair, address = throttle.key("sign-in", account, client), throttle.key("address", client)
    user = _find_user(email)
    usual = _is_usual_address(user, address, now)
    wait = throttle.wait_left(pair, _policy(), now)
    if not usual:
        wait = max(wait, throttle.wait_left(account, _policy(UNFAMILIAR_FACTOR), now))
    if wait:
        _spend_a_password_check(password)  # as slow as any other answer
        if user is not None:
            record_event("auth.throttled", actor=user, obj=user, details={
                "client": client, "usual_address": usual, "wait_seconds": int(wait.total_seconds())})
        raise SignInThrottled(wait)
    if user is None or not user.check_password(password or "") or not user.is_active:
        if user is None:
            _spend_a_password_check(password)
        throttle.note_failure(pair, *([] if usual else [account]), subject=account, now=now)
        if user is not None:
            record_event("auth.failed", actor=user, obj=user, details={"client": client, "usual_address": usual})
        raise SignInRefused()
    throttle.forget(pair)
    _note_usual_address(user, address, now)
    user.last_login_at = now
    record_event("auth.login", actor=user, obj=user, details={"client": client})
    return user


def sign_out(user: User) -> None:
    user.session_version += 1
    record_event("auth.logout", actor=user, obj=user)
