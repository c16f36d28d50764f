"""Admin pages of the watchlists: per key the endpoint, watched identifiers, deliveries, a test event.

Admins change endpoints, rotate secrets and queue test events; auditors may look.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from registry.accounts.apikeys import ApiKey, ApiScope
from registry.core import clock
from registry.core.permissions import Role, can_read_audit, roles_required
from registry.core.web import add_nav, perform, perform_form
from registry.extensions import db
from registry.watch import operations, recovery
from registry.watch.forms import EndpointForm
from registry.watch.models import Delivery, DeliveryStatus, WatchedIdentifier, WatchEndpoint

bp = Blueprint("watch", __name__, url_prefix="/admin/watch")
RECENT_PROBLEMS = 50


def _last_errors(key_ids=None) -> dict[int, Delivery]:
    latest = sa.select(sa.func.max(Delivery.id)).where(Delivery.last_error.is_not(None)).group_by(Delivery.key_id)
    if key_ids is not None:
        latest = latest.where(Delivery.key_id.in_(list(key_ids)))
    return {d.key_id: d for d in db.session.scalars(sa.select(Delivery).where(Delivery.id.in_(latest)))}


@bp.route("/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def index():
    with_endpoint = sa.select(WatchEndpoint.key_id)
    keys = [key for key in db.session.scalars(sa.select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id))
            if key.has_scope(ApiScope.WATCH_WRITE)]
    endpoints = {e.key_id: e for e in db.session.scalars(sa.select(WatchEndpoint).where(
        WatchEndpoint.key_id.in_(with_endpoint)))}
    watched = dict(db.session.execute(sa.select(WatchedIdentifier.key_id, sa.func.count())
                                      .group_by(WatchedIdentifier.key_id)).tuples().all())
    return render_template("watch/index.html", keys=keys, endpoints=endpoints, watched=watched,
                           counts=operations.delivery_counts(), errors=_last_errors())


def _key(key_id: int) -> ApiKey:
    key = db.session.get(ApiKey, key_id)
    if key is None:
        abort(404)
    return key


def _render(key: ApiKey, form: EndpointForm, secret: str | None = None, status: int = 200):
    endpoint = operations.endpoint_of(key)
    if endpoint is not None and form.url.data is None:
        form.url.data = endpoint.url
    problems = db.session.scalars(
        sa.select(Delivery).where(Delivery.key_id == key.id, Delivery.last_error.is_not(None),
                                  Delivery.status != DeliveryStatus.DONE)
        .order_by(Delivery.id.desc()).limit(RECENT_PROBLEMS)).all()
    response = render_template(
        "watch/key.html", key=key, form=form, endpoint=endpoint, secret=secret, problems=problems,
        watched=operations.watched_count(key.id), counts=operations.delivery_counts([key.id]).get(key.id, {}),
        now=clock.utcnow(),
        last_error=_last_errors([key.id]).get(key.id))
    return response, status, {"Cache-Control": "no-store"}


@bp.route("/<id:key_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def key_page(key_id: int):
    key = _key(key_id)
    form = EndpointForm()
    if not form.is_submitted():
        return _render(key, form)
    if current_user.role is not Role.ADMIN:
        abort(403)
    if not form.validate():
        return _render(key, form, status=400)
    ok, result = perform_form(form, operations.set_endpoint, key, form.url.data, actor=current_user)
    if not ok:
        return _render(key, form, status=400)
    flash(_("The endpoint was saved."), "success")
    return _render(key, EndpointForm(formdata=None), secret=result[1])


@bp.route("/<id:key_id>/rotate", methods=["POST"])
@roles_required(Role.ADMIN)
def rotate(key_id: int):
    key = _key(key_id)
    ok, secret = perform(operations.rotate_secret, key, actor=current_user,
                         success=_("A new signing secret was made. Copy it now: it is not shown again."))
    if not ok:
        return redirect(url_for(".key_page", key_id=key.id))
    return _render(key, EndpointForm(formdata=None), secret=secret)


@bp.route("/<id:key_id>/test", methods=["POST"])
@roles_required(Role.ADMIN)
def test_event(key_id: int):
    key = _key(key_id)
    perform(operations.queue_test_event, key, actor=current_user,
            success=_("A test event was queued; the scheduler sends it within seconds."))
    return redirect(url_for(".key_page", key_id=key.id))


@bp.route("/<id:key_id>/redeliver", methods=["POST"])
@roles_required(Role.ADMIN)
def redeliver(key_id: int):
    key = _key(key_id)
    perform(recovery.redeliver, key, None, actor=current_user,
            success=_("The given-up notifications were queued again; the scheduler sends them within seconds."))
    return redirect(url_for(".key_page", key_id=key.id))


add_nav("watch.index", _l("Watchlists"), order=95, officer=True, visible=can_read_audit)
