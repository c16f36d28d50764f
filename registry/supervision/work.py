"""The inspector's own inspections on the workbench: drawn parties of current draws assigned to
them and still without a result.  The line counts what its link (``supervision.assigned``) lists."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.workbench import WorkLine, register_work_lines
from registry.extensions import db
from registry.supervision.inspection_models import DrawMember, InspectionResult, PlanDraw
from registry.supervision.inspector_models import DrawInspector


def assigned_to(user):
    """SQL: the user's drawn inspections (latest draw of each plan) without a result yet."""
    latest = sa.select(sa.func.max(PlanDraw.id)).group_by(PlanDraw.plan_id)
    return (sa.select(DrawMember).join(DrawInspector, DrawInspector.member_id == DrawMember.id)
            .outerjoin(InspectionResult, InspectionResult.member_id == DrawMember.id)
            .where(DrawInspector.user_id == user.id, DrawMember.draw_id.in_(latest), InspectionResult.id.is_(None)))


@register_work_lines("mine", "supervision", order=60)
def inspection_lines(user, today):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(assigned_to(user).subquery()))
    return [WorkLine(_l("My inspections without a result"), count, url_for("supervision.assigned"), order=60)]
