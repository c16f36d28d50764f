"""Cases that rest on a list entry withdrawn or removed as wrong (docs/RULES.md §2).

When ``core.signals.basis_withdrawn`` says that a list entry was withdrawn (an objection upheld
during publicity) or revoked (an objection upheld, the decision annulled), every case recorded on
it is marked with the date and the reason: it leaves the public pages, the effectiveness list and
the quota (``models.counted``), a pending or draft one can no longer be approved, and the case's
unit is alerted.  An entry that expired or left after a credit repair sends no signal: the cases
applied while it stood remain.  Listing does not know about cases: it only sends the signal.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.cases.models import Case, CaseStatus
from registry.cases.public import public_payload
from registry.checks.alerts import link_to, register_alert_kind, sync_alerts
from registry.checks.models import Alert
from registry.checks.registry import register_check
from registry.core import clock
from registry.core.audit import record_event
from registry.core.changes import ChangeKind, record_change
from registry.core.signals import basis_withdrawn
from registry.extensions import db

ALERT_KIND = "case_basis_withdrawn"
# How long the unit's alert stays open after the basis fell (the case itself stays marked).
ALERT_DAYS = 30
# Stored with the officer's reason, in the department's language (like the audit comments).
CAUSE_TEXT = {"withdrawn": "名单记录已撤回", "revoked": "名单记录已撤销", "corrected": "记录已更正"}

register_alert_kind(
    ALERT_KIND, label=_l("Case basis withdrawn"),
    message=_l("Case %(record_id)s rests on a list entry that was withdrawn or revoked as wrong: the case is "
               "no longer public or counted, and cannot be approved."),
    link=link_to("cases.show", "case_id"),
)


def withdrawal_text(cause: str, reason: str | None) -> str:
    label = CAUSE_TEXT.get(cause, cause)
    return f"{label}：{reason.strip()}" if (reason or "").strip() else label


@basis_withdrawn.connect
def on_entry_withdrawn(sender, *, record_type: str, record_id: int, cause: str, reason: str | None = None,
                       actor=None, **_extra) -> int:
    """Mark the cases on the entry (once), audit each, take published ones out of the feed, alert."""
    if record_type != "list_entry":
        return 0
    cases = db.session.scalars(
        sa.select(Case).where(Case.entry_id == record_id, Case.basis_withdrawn_at.is_(None)).order_by(Case.id)
    ).all()
    now = clock.utcnow()
    text = withdrawal_text(cause, reason)[:2000]
    for case in cases:
        was_public = case.status is CaseStatus.PUBLISHED
        case.basis_withdrawn_at, case.basis_withdrawal_reason = now, text
        case.version += 1
        db.session.flush()
        record_event("case.basis_withdrawn", actor=actor, obj=case, comment=text,
                     details={"entry_id": record_id, "cause": cause})
        if was_public:
            record_change("case", case.id, ChangeKind.WITHDRAWN, payload=public_payload(case),
                          subject_id=case.entry.subject_id, unit_id=case.unit_id, reason=cause)
        if db.session.scalar(sa.select(Alert.id).where(
                Alert.kind == ALERT_KIND, Alert.record_type == "case", Alert.record_id == case.id,
                Alert.resolved_at.is_(None)).limit(1)) is None:
            db.session.add(Alert(kind=ALERT_KIND, unit_id=case.unit_id, record_type="case", record_id=case.id,
                                 subject_id=case.entry.subject_id, raised_at=now))
    db.session.flush()
    return len(cases)


def _recent_withdrawals(today):
    since = clock.local_midnight_utc(today - timedelta(days=ALERT_DAYS))
    return sa.select(
        Case.unit_id.label("unit_id"), sa.literal("case").label("record_type"), Case.id.label("record_id"),
    ).where(Case.basis_withdrawn_at >= since)


@register_check("case_basis_alerts", order=61, hour=8, minute=5)
def case_basis_alerts(today) -> dict:
    """Keep the unit's alert open for ``ALERT_DAYS`` days after the basis of its case fell."""
    return sync_alerts(ALERT_KIND, today, _recent_withdrawals(today)).counts()
