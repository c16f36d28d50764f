"""Drawing inspectors (双随机: 随机选派执法检查人员, 国办发〔2015〕58号).

For each drawn party, the unit's active law-enforcement officers are ordered by
SHA-256(seed + "|inspector|" + party identifier + "|" + certificate number); officers with a
declared conflict with the party are skipped; the first k (the plan's inspectors per inspection)
are taken, unless they are exactly the pair that inspected the party last time, in which case the
last of them gives way to the next officer in the order (when there is one).
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.accounts.models import User
from registry.core.audit import record_event
from registry.core.errors import PermissionDenied, ValidationFailed, clean_text
from registry.core.permissions import can_edit_unit
from registry.extensions import db
from registry.supervision.inspection_models import DrawMember, PlanDraw
from registry.supervision.inspector_models import DrawInspector, InspectorConflict, LawEnforcementOfficer


def register_officer(user: User, *, actor, certificate_number: str) -> LawEnforcementOfficer:
    if not can_edit_unit(actor, user.unit_id):
        raise PermissionDenied(_l("Only officers of the unit mark its law-enforcement officers."))
    number = clean_text(certificate_number, "certificate_number", _l("the certificate number"), limit=40)
    clash = db.session.scalar(sa.select(LawEnforcementOfficer.user_id).where(
        LawEnforcementOfficer.certificate_number == number))
    if clash is not None and clash != user.id:
        raise ValidationFailed(_l("Another officer has this certificate number."), field="certificate_number")
    row = db.session.get(LawEnforcementOfficer, user.id) or LawEnforcementOfficer(user_id=user.id)
    row.certificate_number, row.is_active = number, True
    db.session.add(row)
    db.session.flush()
    record_event("law_enforcement_officer.register", actor=actor, object_type="law_enforcement_officer",
                 object_id=user.id, unit_id=user.unit_id,
                 details={"user_id": user.id, "certificate_number": number})
    return row


def declare_conflict(user: User, subject, *, actor, reason: str) -> InspectorConflict:
    if actor.id != user.id and not can_edit_unit(actor, user.unit_id):
        raise PermissionDenied(_l("An officer declares their own conflicts, or an officer of their unit does."))
    text = clean_text(reason, "reason", _l("the reason"), limit=2000)
    row = db.session.scalar(sa.select(InspectorConflict).where(InspectorConflict.user_id == user.id,
                                                              InspectorConflict.subject_id == subject.id))
    if row is None:
        row = InspectorConflict(user_id=user.id, subject_id=subject.id, reason=text)
        db.session.add(row)
        db.session.flush()
        record_event("inspector_conflict.declare", actor=actor, object_type="inspector_conflict", object_id=row.id,
                     unit_id=user.unit_id, details={"user_id": user.id, "subject_id": subject.id, "reason": text})
    return row


def unit_officers(unit_id: int) -> list[LawEnforcementOfficer]:
    return list(db.session.scalars(
        sa.select(LawEnforcementOfficer).join(User, User.id == LawEnforcementOfficer.user_id)
        .where(User.unit_id == unit_id, User.is_active.is_(True), LawEnforcementOfficer.is_active.is_(True))
        .order_by(LawEnforcementOfficer.certificate_number)))


def inspector_order(seed: str, identifier: str, certificate_number: str) -> str:
    return hashlib.sha256(f"{seed}|inspector|{identifier}|{certificate_number}".encode()).hexdigest()


def _previous_pairs(subject_ids: list[int], draw: PlanDraw) -> dict[int, frozenset[int]]:
    """Each party's inspectors at its latest earlier inspection draw (any plan)."""
    rows = db.session.execute(
        sa.select(DrawMember.subject_id, DrawMember.id, DrawInspector.user_id)
        .join(DrawInspector, DrawInspector.member_id == DrawMember.id)
        .where(DrawMember.subject_id.in_(subject_ids), DrawMember.draw_id != draw.id)
        .order_by(DrawMember.subject_id, DrawMember.id))
    latest: dict[int, tuple[int, set[int]]] = {}
    for subject_id, member_id, user_id in rows:
        current = latest.get(subject_id)
        if current is None or member_id > current[0]:
            latest[subject_id] = (member_id, {user_id})
        elif member_id == current[0]:
            current[1].add(user_id)
    return {subject_id: frozenset(users) for subject_id, (_m, users) in latest.items()}


def choose(ordered: list[int], count: int, previous: frozenset[int] | None) -> list[int]:
    chosen = ordered[:count]
    if previous is not None and frozenset(chosen) == previous and len(ordered) > count:
        chosen = [*chosen[:-1], ordered[count]]
    return chosen


def draw_inspectors(draw: PlanDraw, members: list[DrawMember], count: int) -> None:
    officers = unit_officers(draw.plan.unit_id)
    if len(officers) < count:
        raise ValidationFailed(_l("The unit has fewer than %(n)s law-enforcement officers to draw inspectors from.",
                                  n=count))
    selected = [m for m in members if m.selected]
    conflicts = set(db.session.execute(sa.select(InspectorConflict.user_id, InspectorConflict.subject_id).where(
        InspectorConflict.subject_id.in_([m.subject_id for m in selected] or [0]))).tuples())
    previous = _previous_pairs([m.subject_id for m in selected], draw)
    rows = []
    for member in selected:
        free = [o for o in officers if (o.user_id, member.subject_id) not in conflicts]
        free.sort(key=lambda o: inspector_order(draw.seed, member.identifier, o.certificate_number))
        chosen = choose([o.user_id for o in free], count, previous.get(member.subject_id))
        if len(chosen) < count:
            raise ValidationFailed(_l("Not enough officers without a conflict to inspect %(party)s.",
                                      party=member.identifier))
        rows += [{"member_id": member.id, "user_id": user_id} for user_id in chosen]
    if rows:
        db.session.execute(sa.insert(DrawInspector), rows)


def inspectors_of(draw: PlanDraw) -> dict[int, list[DrawInspector]]:
    found: dict[int, list[DrawInspector]] = {}
    for row in db.session.scalars(sa.select(DrawInspector).join(DrawMember, DrawMember.id == DrawInspector.member_id)
                                  .where(DrawMember.draw_id == draw.id).order_by(DrawInspector.id)):
        found.setdefault(row.member_id, []).append(row)
    return found
