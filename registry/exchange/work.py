"""Failed exchange deliveries on the administrator's workbench (the batches page filtered to them)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import WorkLine, register_work_lines
from registry.exchange.models import BatchStatus, ExchangeBatch
from registry.extensions import db


@register_work_lines("system", "exchange", order=10)
def failed_deliveries(user, today):
    count = db.session.scalar(sa.select(sa.func.count()).where(ExchangeBatch.status == BatchStatus.FAILED))
    return [WorkLine(_l("Exchange batches whose delivery failed"), count,
                     url_for("exchange.batches", status=BatchStatus.FAILED.value), tone="overdue" if count else "")]
