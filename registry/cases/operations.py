"""The verbs of joint reward and punishment cases (PRODUCT §5).

Each operation takes plain values and the acting user, checks who may do it and that the case
follows the rules (the entry was published on the case date, the measures belong to the entry's
list and category, the date is neither before the entry's validity nor in the future, the effect
is stated), changes the rows through ``core.workflow.transition``, writes the audit event and,
for what the public sees, the change feed.  None of them commits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from registry.cases import validation
from registry.cases.models import Case, CaseStatus
from registry.cases.public import public_payload
from registry.core import clock
from registry.core.changes import ChangeKind, record_change
from registry.core.errors import NotFound, PermissionDenied, ValidationFailed
from registry.core.permissions import Role, can_see_unit
from registry.core.review import FlowWords, ReviewFlow
from registry.core.workflow import ensure_version, transition
from registry.documents.operations import issue_decision_notice
from registry.extensions import db

RECORD_TYPE = "case"
NOTICE_KIND = "case"  # the 联合奖惩案例通报 (``cases.documents``)


def _feed(case: Case, change: ChangeKind) -> None:
    record_change(
        RECORD_TYPE,
        case.id,
        change,
        payload=public_payload(case),
        subject_id=case.entry.subject_id,
        unit_id=case.unit_id,
    )


def _check(case: Case, verb: str) -> None:
    """The case against the rules as they stand today: its entry still stands and, when the case
    is in the state the verb moves from, it still follows the rules (measures, dates); from any
    other state the flow refuses the move itself."""
    validation.ensure_basis_stands(case)
    moves_from = CaseStatus.DRAFT if verb == "submit" else CaseStatus.PENDING_REVIEW
    if case.status is moves_from:
        validation.recheck(case)


def _published(case: Case, actor) -> None:
    _feed(case, ChangeKind.PUBLISHED)
    issue_decision_notice(NOTICE_KIND, case, actor=actor)  # the case notice, dated at its publication


# A case has no publicity period (PRODUCT §5): approved, it is published.
FLOW = ReviewFlow(
    model=Case,
    action_prefix="case",
    draft=CaseStatus.DRAFT,
    pending=CaseStatus.PENDING_REVIEW,
    approved=CaseStatus.PUBLISHED,
    published=frozenset({CaseStatus.PUBLISHED}),
    check=_check,
    on_approve=_published,
    words=FlowWords(
        draft_role=_l("Only clerks and reviewers of a unit can record cases."),
        edit_role=_l("Only clerks and reviewers of the case's unit can edit it."),
        submit_role=_l("Only clerks and reviewers of the case's unit can submit it."),
        review_role=_l("Only a reviewer of the case's unit can decide on it."),
        four_eyes=_l("You created or submitted this case: another reviewer must decide on it (four-eyes rule)."),
        not_draft=_l("Only a draft can be edited; this case is no longer a draft."),
    ),
)


# ---------------------------------------------------------------------------------------------
# Drafts


def create_case(*, actor, **fields) -> Case:
    """Start a draft case in the actor's unit.

    ``fields``: entry_ref (decision document number, ``#id`` or a ``ListEntry``), measure_ids,
    applying_party, case_date, matter, effect.
    """
    FLOW.ensure_may_draft(actor, getattr(actor, "unit_id", None))
    values, measures = validation.validated(**fields)
    case = Case(**values, unit_id=actor.unit_id)
    case.measures = measures
    return FLOW.start(case, actor=actor, details={"entry_id": case.entry_id, "measures": [m.code for m in measures]})


def update_draft(case: Case, *, actor, expected_version, **fields) -> Case:
    """Change a draft (only a draft: what a reviewer or the public saw is never edited in place)."""
    FLOW.ensure_editable(case, actor, expected_version)
    values, measures = validation.validated(**fields)
    changed = sorted(k for k, v in values.items() if getattr(case, k) != v)
    before = [m.code for m in case.measures]
    after = [m.code for m in measures]
    if before != after:
        changed.append("measures")
    FLOW.update(case, actor=actor, expected_version=expected_version, values=values,
                details={"changed": changed, "measures": after})
    case.measures = measures
    db.session.flush()
    return case


# ---------------------------------------------------------------------------------------------
# Review: the one workflow (``core.review``)

submit_case = FLOW.submit
approve_case = FLOW.approve
return_case = FLOW.return_


def set_typical(case: Case, actor, expected_version, typical: bool) -> None:
    """An admin marks a published case as typical (典型案例), or takes the mark back."""
    ensure_version(case, expected_version)
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can mark typical cases."))
    if case.status is not CaseStatus.PUBLISHED:
        raise ValidationFailed(_l("Only a published case can be marked as typical."), field="status")
    typical = bool(typical)
    if case.is_typical is typical:
        return
    if typical:
        validation.ensure_basis_stands(case)
    values = {"is_typical": typical}
    if typical:
        values.update(typical_marked_by_id=actor.id, typical_marked_at=clock.utcnow())
    transition(
        case,
        expected_version=case.version,
        allowed_from={CaseStatus.PUBLISHED},
        to=CaseStatus.PUBLISHED,
        actor=actor,
        action="case.mark_typical" if typical else "case.unmark_typical",
        values=values,
        details={"typical": typical},
    )
    _feed(case, ChangeKind.UPDATED)


def withdraw_case(case: Case, actor, comment: str) -> None:
    """Take a published case off the public pages and out of the counts: the effect of a removal a
    second reviewer confirmed (``cases/removals.py``, ``core.removals``); a typical mark goes too."""
    FLOW.take_off(case, actor, comment, to=CaseStatus.WITHDRAWN, action="withdraw",
                  comment_message=_l("A withdrawal needs the reason for it."), values={"is_typical": False})
    _feed(case, ChangeKind.WITHDRAWN)


# ---------------------------------------------------------------------------------------------
# Loading, for other packages and the review queue


def get_case_for(actor, case_id: int) -> Case:
    """The case if ``actor`` may see it; ``NotFound`` otherwise (a foreign unit's case too)."""
    case = db.session.get(Case, case_id)
    if case is None or not can_see_unit(actor, case.unit_id):
        raise NotFound()
    return case
