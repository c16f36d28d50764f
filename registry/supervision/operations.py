"""Keeping the supervision classes current, the rules table, and reading a class (PRODUCT §16).

- ``recompute_subjects``: in the transaction that changed a subject's records (the receiver of
  ``core.signals.subject_records_changed``), so a class is never stale after a change.
- ``recompute_all``: the nightly check's work: a period that ended today (an entry's validity, a
  penalty's display window) or rules taking effect today change classes without any record
  changing.
- ``differences``: the stored classes against a recomputation for the day they were computed for:
  any difference is a bug (a change that did not reach its receiver).
Operations never commit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.errors import Problems, ValidationFailed
from registry.core.signals import subject_records_changed
from registry.extensions import db
from registry.supervision.classes import (
    DEFAULT_CLASS,
    DEFAULT_RULES,
    Verdict,
    compute,
    rule_set_on,
    supervision_classes,
)
from registry.supervision.models import (
    ChangeCause,
    RuleCondition,
    SubjectSupervisionClass,
    SupervisionClassChange,
    SupervisionRule,
    SupervisionRuleSet,
)

MAX_COMMENT = 2000
CHUNK = 5000


def _json(reasons: list[dict]) -> str:
    return json.dumps(reasons, ensure_ascii=False, sort_keys=True)


def _stored(subject_ids: list[int] | None) -> dict[int, SubjectSupervisionClass]:
    statement = sa.select(SubjectSupervisionClass)
    if subject_ids is None:
        return {row.subject_id: row for row in db.session.scalars(statement)}
    found = {}
    for start in range(0, len(subject_ids), CHUNK):
        chunk = subject_ids[start:start + CHUNK]
        found.update({row.subject_id: row for row in db.session.scalars(
            statement.where(SubjectSupervisionClass.subject_id.in_(chunk)))})
    return found


def _apply(verdicts: dict[int, Verdict], stored: dict[int, SubjectSupervisionClass], *, day: date,
           rule_set: SupervisionRuleSet, cause: ChangeCause) -> int:
    """Make the stored rows match ``verdicts`` over the subjects of ``stored`` ∪ ``verdicts``;
    a history row for each change of class or key flag.  Returns how many subjects changed."""
    default = rule_set.default_class
    changes = []
    for subject_id in stored.keys() | verdicts.keys():
        row, verdict = stored.get(subject_id), verdicts.get(subject_id)
        before = (row.class_code, row.key_supervision) if row else (None, False)
        after = (verdict.class_code, verdict.key_supervision) if verdict else (default, False)
        if verdict is None:
            db.session.delete(row)
        elif row is None:
            db.session.add(SubjectSupervisionClass(
                subject_id=subject_id, class_code=verdict.class_code, key_supervision=verdict.key_supervision,
                reasons=_json(verdict.reasons), rule_set_id=rule_set.id, computed_on=day, since=day))
        else:
            row.reasons, row.rule_set_id, row.computed_on = _json(verdict.reasons), rule_set.id, day
            row.class_code, row.key_supervision = after
            if before != after:
                row.since = day
        if (before[0] or default, before[1]) != after:
            changes.append({"subject_id": subject_id, "from_class": before[0] or default, "to_class": after[0],
                            "key_supervision": after[1], "reasons": _json(verdict.reasons if verdict else []),
                            "cause": cause, "effective_on": day, "recorded_at": clock.utcnow()})
    if changes:
        db.session.execute(sa.insert(SupervisionClassChange), changes)
    db.session.flush()
    return len(changes)


def recompute_subjects(subject_ids: Iterable[int], *, day: date | None = None,
                       cause: ChangeCause = ChangeCause.RECORDS) -> int:
    """Recompute the classes of these subjects for ``day`` (today) and store them."""
    day = day or clock.today()
    ids = sorted({int(i) for i in subject_ids if i is not None})
    rule_set = rule_set_on(day)
    if not ids or rule_set is None:
        return 0
    return _apply(compute(day, ids, rule_set), _stored(ids), day=day, rule_set=rule_set, cause=cause)


def recompute_all(day: date, cause: ChangeCause = ChangeCause.DAILY) -> int:
    """Recompute every subject's class for ``day``; every stored row is then computed for ``day``."""
    rule_set = rule_set_on(day)
    if rule_set is None:
        return 0
    changed = _apply(compute(day, None, rule_set), _stored(None), day=day, rule_set=rule_set, cause=cause)
    db.session.execute(sa.update(SubjectSupervisionClass).values(computed_on=day)
                       .execution_options(synchronize_session=False))
    return changed


def differences() -> list[dict]:
    """Stored classes that a recomputation for their own day does not give (each a bug)."""
    found = []
    days = db.session.scalars(sa.select(SubjectSupervisionClass.computed_on).distinct()).all()
    latest = db.session.scalar(sa.select(sa.func.max(SubjectSupervisionClass.computed_on)))
    for day in days:
        rule_set = rule_set_on(day)
        if rule_set is None:
            continue
        verdicts = compute(day, None, rule_set)
        rows = {row.subject_id: row for row in db.session.scalars(
            sa.select(SubjectSupervisionClass).where(SubjectSupervisionClass.computed_on == day))}
        # A subject with no row was in the default class when last computed; only the latest day's
        # computation covers them (a row-less subject has no day of its own).
        candidates = rows.keys() | (verdicts.keys() if day == latest else set())
        for subject_id in sorted(candidates):
            row, verdict = rows.get(subject_id), verdicts.get(subject_id)
            stored = (row.class_code, row.key_supervision) if row else (rule_set.default_class, False)
            expected = (verdict.class_code, verdict.key_supervision) if verdict else (rule_set.default_class, False)
            if stored != expected:
                found.append({"subject_id": subject_id, "stored": stored[0], "expected": expected[0], "day": day})
    return found


def _on_records_changed(_sender, subject_ids=(), change=None, **_extra) -> None:
    # A record that expired reached the end of its period: the classes count periods by date, so
    # the expiry changes nothing (the nightly recomputation moves the class on that day), and the
    # nightly expiry checks of thousands of records need not recompute each subject.
    if getattr(change, "value", change) == "expired":
        return
    recompute_subjects(subject_ids)


subject_records_changed.connect(_on_records_changed)


# ---------------------------------------------------------------------------------------------
# Reading a class


def current_class(subject_id: int, day: date | None = None) -> tuple[str, SubjectSupervisionClass | None]:
    """The subject's class code now, and its stored row (None: the default class, no rule applies)."""
    row = db.session.get(SubjectSupervisionClass, subject_id)
    if row is not None:
        return row.class_code, row
    rule_set = rule_set_on(day or clock.today())
    return (rule_set.default_class if rule_set else DEFAULT_CLASS), None


def class_on(subject_id: int, day: date) -> str:
    """The subject's class on ``day``, from its history (the default class before any change)."""
    change = db.session.scalar(
        sa.select(SupervisionClassChange).where(SupervisionClassChange.subject_id == subject_id,
                                                SupervisionClassChange.effective_on <= day)
        .order_by(SupervisionClassChange.effective_on.desc(), SupervisionClassChange.id.desc()).limit(1))
    if change is not None:
        return change.to_class
    rule_set = rule_set_on(day)
    return rule_set.default_class if rule_set else DEFAULT_CLASS


def history_of(subject_id: int) -> list[SupervisionClassChange]:
    return list(db.session.scalars(
        sa.select(SupervisionClassChange).where(SupervisionClassChange.subject_id == subject_id)
        .order_by(SupervisionClassChange.effective_on.desc(), SupervisionClassChange.id.desc())))


# ---------------------------------------------------------------------------------------------
# The rules table


def rule_sets() -> list[SupervisionRuleSet]:
    return list(db.session.scalars(sa.select(SupervisionRuleSet).order_by(SupervisionRuleSet.version.desc())))


def _checked_rules(default_class: str, rules: dict, effective_from, today: date, problems: Problems) -> None:
    codes = {code for code, _name in supervision_classes()}
    if default_class not in codes:
        problems.add(ValidationFailed(_l("Choose one of the supervision classes."), field="default_class"))
    for condition, code in rules.items():
        if code and code not in codes:
            problems.add(ValidationFailed(_l("Choose one of the supervision classes."), field=condition.value))
    if effective_from is None or effective_from < today:
        problems.add(ValidationFailed(_l("New rules take effect today or later, never in the past."),
                                      field="effective_from"))


def create_rule_set(*, actor, effective_from: date, default_class: str, rules: dict[RuleCondition, str | None],
                    comment: str | None) -> SupervisionRuleSet:
    """A new version of the rules (audited).  Rules effective today apply at once; later ones
    from the nightly recomputation of their first day."""
    today = clock.today()
    problems = Problems()
    _checked_rules(default_class, rules, effective_from, today, problems)
    text = (comment or "").strip()
    if not text or len(text) > MAX_COMMENT:
        problems.add(ValidationFailed(_l("Say why the rules change."), field="comment"))
    problems.raise_any()
    version = (db.session.scalar(sa.select(sa.func.max(SupervisionRuleSet.version))) or 0) + 1
    rule_set = SupervisionRuleSet(version=version, effective_from=effective_from, default_class=default_class,
                                  comment=text, created_by_id=actor.id if actor else None)
    rule_set.rules = [SupervisionRule(condition=condition, class_code=code) for condition, code in rules.items()
                      if code]
    db.session.add(rule_set)
    db.session.flush()
    record_event("supervision_rules.create", actor=actor, obj=rule_set, comment=text, details={
        "version": version, "effective_from": effective_from.isoformat(), "default_class": default_class,
        "rules": {condition.value: code for condition, code in rules.items() if code}})
    if effective_from == today:
        recompute_all(today, ChangeCause.RULES)
    return rule_set


def ensure_default_rules() -> SupervisionRuleSet:
    """Version 1, the rules of PRODUCT §16, in force since 2000 (seeding; idempotent)."""
    existing = db.session.scalar(sa.select(SupervisionRuleSet).where(SupervisionRuleSet.version == 1))
    if existing is not None:
        return existing
    rule_set = SupervisionRuleSet(version=1, effective_from=date(2000, 1, 1), default_class=DEFAULT_CLASS,
                                  comment="PRODUCT §16 默认规则")
    rule_set.rules = [SupervisionRule(condition=c, class_code=code) for c, code in DEFAULT_RULES.items()]
    db.session.add(rule_set)
    db.session.flush()
    # Seeded like the units and categories: no audit event (an upgrade's `flask seed` adds none to
    # the chain); the documented version 1 is shown with its date on the rules page.
    return rule_set
