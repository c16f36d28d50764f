"""The administrators' page of monthly exchange batches and their delivery status."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from registry.core.permissions import SEE_ALL_ROLES, Role, roles_required
from registry.core.web import add_nav
from registry.exchange.batches import destination
from registry.exchange.models import BATCH_STATUS_LABELS, BatchStatus, ExchangeBatch
from registry.extensions import db

bp = Blueprint("exchange", __name__, url_prefix="/admin/exchange")


@bp.route("/")
@roles_required(Role.ADMIN, Role.AUDITOR)
def batches():
    statement = sa.select(ExchangeBatch).order_by(ExchangeBatch.month.desc())
    status = request.args.get("status")
    if status in set(BatchStatus):  # from the workbench: the failed deliveries, all of them
        statement = statement.where(ExchangeBatch.status == BatchStatus(status))
    else:
        status, statement = None, statement.limit(60)
    return render_template("exchange/batches.html", batches=db.session.scalars(statement).all(),
                           labels=BATCH_STATUS_LABELS, destination=destination(), status=status)


add_nav("exchange.batches", _l("Exchange batches"), order=88, officer=True,
        visible=lambda user: user.role in SEE_ALL_ROLES)
