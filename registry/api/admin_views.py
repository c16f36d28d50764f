"""Admin pages of the API keys: issue (the key is shown once), scopes, rate limit, last day, revoke,
usage: the last request of each key, the keys about to expire and the unused ones.

Admins issue and revoke; auditors may look.  Mounted by ``api.views`` under ``/admin/api-keys``.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.apikeys import (
    SCOPE_LABELS,
    ApiKey,
    ApiRequestLog,
    ApiScope,
    expiring,
    issue_key,
    latest_last_day,
    revoke_key,
    unused,
)
from registry.api.forms import KeyForm
from registry.core import clock
from registry.core.forms import apply_error, select_choices
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.settings import get_setting
from registry.core.web import add_nav, perform
from registry.extensions import db

admin_bp = Blueprint("apikeys", __name__, url_prefix="/admin/api-keys")
RECENT_REQUESTS = 100
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(?:1\s*)?(second|minute|hour|day)s?\s*$", re.IGNORECASE)
_PER = {"second": _l("%(n)s a second"), "minute": _l("%(n)s a minute"), "hour": _l("%(n)s an hour"),
        "day": _l("%(n)s a day")}


def readable_rate(text: str | None) -> str:
    """A key's rate limit in words ("600/minute;10000/day" -> 每分钟 600 次；每天 10000 次)."""
    parts = []
    for part in (text or "").split(";"):
        found = _RATE.match(part)
        if found is None:
            return text or ""
        parts.append(str(_PER[found.group(2).lower()]) % {"n": found.group(1)})
    return str(_l("; ")).join(parts)


@admin_bp.app_template_filter("readable_rate")
def _readable_rate_filter(text):
    return readable_rate(text)


def _form() -> KeyForm:
    form = KeyForm()
    form.scopes.choices = select_choices([(scope.value, SCOPE_LABELS[scope]) for scope in ApiScope])
    return form


def _usage() -> dict[int, tuple]:
    rows = db.session.execute(
        sa.select(ApiRequestLog.key_id, sa.func.count(), sa.func.max(ApiRequestLog.occurred_at))
        .group_by(ApiRequestLog.key_id)
    )
    return {key_id: (count, last) for key_id, count, last in rows}


# The lists the page can narrow to (``?show=``): each is what a workbench line counts (``api.work``).
SHOWS = {"expiring": expiring, "unused": unused}


def shown_keys(show: str | None):
    """The keys the page lists for ``show`` (all of them for anything else), active ones first."""
    statement = sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())
    if show in SHOWS:
        statement = statement.where(SHOWS[show](clock.utcnow()))
    return statement


def _shown() -> str | None:
    show = request.args.get("show")
    return show if show in SHOWS else None


def _render(form: KeyForm, new_key: str | None = None, status: int = 200):
    show = _shown()
    now = clock.utcnow()
    counts = {name: db.session.scalar(sa.select(sa.func.count()).select_from(ApiKey).where(condition(now)))
              for name, condition in SHOWS.items()}
    response = render_template(
        "api/keys.html", keys=db.session.scalars(shown_keys(show)).all(), form=form, new_key=new_key,
        usage=_usage(), scope_labels=SCOPE_LABELS, show=show, counts=counts,
        soon=db.session.scalars(sa.select(ApiKey).where(expiring(now)).order_by(ApiKey.expires_at)).all(),
        latest=latest_last_day(clock.today()), warning_days=get_setting("api_key_expiry_warning_days"),
        unused_days=get_setting("api_key_unused_days"))
    return response, status, {"Cache-Control": "no-store"}


@admin_bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def index():
    form = _form()
    if not form.is_submitted():
        return _render(form)
    if current_user.role is not Role.ADMIN:
        abort(403)
    if not form.validate():
        return _render(form, status=400)
    ok, result = perform(
        issue_key, name=form.name.data, scopes=form.scopes.data, rate_limit=form.rate_limit.data, actor=current_user,
        expires_on=form.expires_on.data, success=_("The key was issued. Copy it now: it is not shown again."),
    )
    if not ok:
        apply_error(form, result)
        return _render(form, status=400)
    _key, raw_key = result
    return _render(_form(), new_key=raw_key)


@admin_bp.route("/<id:key_id>")
@roles_required(Role.ADMIN, Role.AUDITOR)
def show(key_id: int):
    key = db.session.get(ApiKey, key_id) or abort(404)
    requests = db.session.scalars(
        sa.select(ApiRequestLog).where(ApiRequestLog.key_id == key.id)
        .order_by(ApiRequestLog.id.desc()).limit(RECENT_REQUESTS)
    ).all()
    return render_template("api/key.html", key=key, requests=requests, scope_labels=SCOPE_LABELS,
                           usage=_usage().get(key.id))


@admin_bp.route("/<id:key_id>/revoke", methods=["POST"])
@roles_required(Role.ADMIN)
def revoke(key_id: int):
    key = db.session.get(ApiKey, key_id) or abort(404)
    perform(revoke_key, key, actor=current_user, success=_("The key was revoked: it no longer opens the API."))
    return redirect(url_for(".index", show=_shown()))


add_nav("api.apikeys.index", _l("API keys"), order=94, officer=True, visible=can_read_audit)
