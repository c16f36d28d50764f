"""The supervision rules (versioned), each subject's current class and its class history.

Only subjects to which some rule applies have a row in ``subject_supervision_classes``: every
other subject is in the default class of the rules in force (at a million subjects most have no
record at all, and a class per subject would be a million rows rewritten each night for nothing).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.core import clock
from registry.core.db import str_enum
from registry.extensions import db


class RuleCondition(StrEnum):
    """What a rule looks for in a subject's records on the day (the most severe class wins)."""

    BLACK_LIST = "black_list"  # an effective black list entry
    SERIOUS_PENALTY = "serious_penalty"  # a published serious penalty inside its display window
    GRADE_D = "grade_d"  # the latest published credit evaluation is D
    GRADE_C = "grade_c"  # … is C
    GRADE_GOOD = "grade_good"  # … is AAA, AA or A
    RED_LIST = "red_list"  # an effective red list entry
    BREACHED_COMMITMENT = "breached_commitment"  # a credit commitment found breached


CONDITION_LABELS = {
    RuleCondition.BLACK_LIST: _l("Effective black list entry"),
    RuleCondition.SERIOUS_PENALTY: _l("Serious penalty inside its display period"),
    RuleCondition.GRADE_D: _l("Latest credit evaluation grade D"),
    RuleCondition.GRADE_C: _l("Latest credit evaluation grade C"),
    RuleCondition.GRADE_GOOD: _l("Latest credit evaluation grade AAA, AA or A"),
    RuleCondition.RED_LIST: _l("Effective red list entry"),
    RuleCondition.BREACHED_COMMITMENT: _l("Breached credit commitment"),
}


class ChangeCause(StrEnum):
    RECORDS = "records"  # a record of the subject was published, removed, corrected, breached …
    DAILY = "daily"  # the nightly recomputation (a period ended, new rules took effect)
    RULES = "rules"  # an administrator's rules took effect at once


CAUSE_LABELS = {
    ChangeCause.RECORDS: _l("Its records changed"),
    ChangeCause.DAILY: _l("Daily recomputation (a period ended or new rules took effect)"),
    ChangeCause.RULES: _l("New supervision rules"),
}


class SupervisionRuleSet(db.Model):
    """One version of the rules table; the version in force on a day is the latest one whose
    ``effective_from`` is on or before it."""

    __tablename__ = "supervision_rule_sets"
    __audit_type__ = "supervision_rule_set"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(unique=True)
    effective_from: Mapped[date] = mapped_column(index=True)
    default_class: Mapped[str] = mapped_column(sa.String(8))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    rules = relationship("SupervisionRule", order_by="SupervisionRule.id", cascade="all, delete-orphan",
                         lazy="selectin")
    created_by = relationship("User")

    def class_for(self, condition: RuleCondition) -> str | None:
        return next((rule.class_code for rule in self.rules if rule.condition is condition), None)


class SupervisionRule(db.Model):
    __tablename__ = "supervision_rules"
    __table_args__ = (sa.UniqueConstraint("rule_set_id", "condition", name="uq_supervision_rules_condition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rule_set_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_rule_sets.id", ondelete="CASCADE"))
    condition: Mapped[RuleCondition] = mapped_column(str_enum(RuleCondition, "supervision_rule_condition"))
    class_code: Mapped[str] = mapped_column(sa.String(8))


class SubjectSupervisionClass(db.Model):
    """A subject's current class, when some rule applies to it (otherwise: the default class)."""

    __tablename__ = "subject_supervision_classes"
    __table_args__ = (sa.Index("ix_subject_supervision_classes_class", "class_code"),)

    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"), primary_key=True)
    class_code: Mapped[str] = mapped_column(sa.String(8))
    key_supervision: Mapped[bool] = mapped_column(default=False)  # 重点监管 (measure HB-04)
    reasons: Mapped[str] = mapped_column(sa.Text)  # JSON list, see ``classes.Reason``
    rule_set_id: Mapped[int] = mapped_column(sa.ForeignKey("supervision_rule_sets.id"))
    computed_on: Mapped[date]  # the day the class was computed for
    since: Mapped[date]  # in this class (and key flag) since

    @property
    def reason_list(self) -> list[dict]:
        return json.loads(self.reasons)


class SupervisionClassChange(db.Model):
    """The class history: from, to, why, when (answers "which class on 1 March")."""

    __tablename__ = "supervision_class_changes"
    __table_args__ = (sa.Index("ix_supervision_class_changes_subject_day", "subject_id", "effective_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("subjects.id"))
    from_class: Mapped[str | None] = mapped_column(sa.String(8))
    to_class: Mapped[str] = mapped_column(sa.String(8))
    key_supervision: Mapped[bool] = mapped_column(default=False)
    reasons: Mapped[str] = mapped_column(sa.Text)
    cause: Mapped[ChangeCause] = mapped_column(str_enum(ChangeCause, "supervision_change_cause"))
    effective_on: Mapped[date]
    recorded_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())

    @property
    def reason_list(self) -> list[dict]:
        return json.loads(self.reasons)


from registry.supervision.inspection_models import (  # noqa: E402,F401  (the inspection tables)
    DrawMember,
    InspectionItem,
    InspectionPlan,
    PlanDraw,
)
from registry.supervision.inspector_models import (  # noqa: E402,F401  (the inspector tables)
    DrawInspector,
    InspectorConflict,
    LawEnforcementOfficer,
)
