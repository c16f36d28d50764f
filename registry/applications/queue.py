"""The review queue's source for the decisions of one kind of application: prepared decisions and
prepared rejections as inadmissible, confirmed or returned by a reviewer of the unit (four-eyes)."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import url_for

from registry.applications.handling import (
    Handling,
    confirm_decision,
    confirm_rejection,
    due_column,
    return_decision,
    return_rejection,
)
from registry.applications.models import STATUS_LABELS
from registry.applications.models import ApplicationStatus as S
from registry.core.errors import NotFound
from registry.core.workflow import QueueItem
from registry.extensions import db


class ApplicationQueue:
    """Prepared decisions of a unit waiting for a reviewer, with their deadline: final decisions
    (decision deadline) and rejections as inadmissible (acceptance deadline)."""

    def __init__(self, handling: Handling, label, hold_kind, describe: Callable):
        self.handling = handling
        self.kind = handling.kind
        self.label = label
        self.hold_kind = hold_kind
        self.describe = describe  # (application) -> (title, subject label)

    def _waiting_where(self, unit_id: int):
        model = self.handling.model
        return sa.and_(model.unit_id == unit_id,
                       sa.or_(model.status == S.PENDING_REVIEW, model.rejection_prepared_sql()))

    def waiting(self, unit_id: int):
        """How many prepared decisions wait, and since when the oldest (one query, for the workbench)."""
        model = self.handling.model
        return tuple(db.session.execute(
            sa.select(sa.func.count(), sa.func.min(model.prepared_at)).where(self._waiting_where(unit_id))).one())

    def pending(self, unit_id: int) -> list[QueueItem]:
        model = self.handling.model
        rows = db.session.scalars(
            sa.select(model).where(self._waiting_where(unit_id)).order_by(due_column(model), model.prepared_at)
        )
        items = []
        for application in rows:
            title, subject_label = self.describe(application)
            if application.rejection_prepared:
                outcome, deadline = str(STATUS_LABELS[S.INADMISSIBLE]), application.accept_due
                code = S.INADMISSIBLE.value
            else:
                outcome = str(self.handling.outcomes.get(application.outcome, ""))
                deadline = application.decide_due
                code = getattr(application.outcome, "value", application.outcome)
            items.append(QueueItem(
                kind=self.kind, id=application.id, version=application.version, title=title,
                subject_label=subject_label, unit_id=application.unit_id, submitted_by_id=application.prepared_by_id,
                submitted_by_label=application.prepared_by.name if application.prepared_by else "",
                submitted_at=application.prepared_at, url=url_for(self.handling.show_endpoint,
                                                                   application_id=application.id),
                outcome=outcome, outcome_code=f"{self.kind}.{code}" if code else None, deadline=deadline,
                created_by_id=application.prepared_by_id,
                extra={"rejection": application.rejection_prepared},
            ))
        return items

    def _load(self, item_id: int, actor):
        application = db.session.get(self.handling.model, item_id)
        if application is None or application.unit_id != getattr(actor, "unit_id", None):
            raise NotFound()
        return application

    def approve(self, item_id: int, actor, expected_version: int) -> None:
        application = self._load(item_id, actor)
        if application.rejection_prepared:
            confirm_rejection(self.handling, application, actor, expected_version, self.hold_kind)
        else:
            confirm_decision(self.handling, application, actor, expected_version, self.hold_kind)

    def return_(self, item_id: int, actor, expected_version: int, comment: str) -> None:
        application = self._load(item_id, actor)
        if application.rejection_prepared:
            return_rejection(self.handling, application, actor, expected_version, comment)
        else:
            return_decision(self.handling, application, actor, expected_version, comment)
