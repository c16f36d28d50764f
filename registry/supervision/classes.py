"""Computing supervision classes from the records (PRODUCT §16; 国办发〔2019〕35号 part 二(五)).

The classes are a text setting (``supervision_classes``: ``CODE:name`` pairs separated by ``;``,
best first; by default A 信用良好, B 信用一般, C 信用较差, D 严重失信).  A later class is more
severe: when several rules apply to a subject, the most severe class wins.  A subject under the
joint-punishment measure HB-04 (列为重点监管对象，提高抽查检查比例和频次) on an effective black list
entry is also marked 重点监管.

``compute(as_of, subject_ids)`` is set-based: one query per condition, each returning the
subjects and records it applies to (all subjects when ``subject_ids`` is None).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.commitments.models import CommitmentStatus, CreditCommitment
from registry.core.periods import earliest_start
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.disclosures.models import Disclosure, DisclosureKind, DisclosureStatus, Severity
from registry.evaluations.models import CreditEvaluation, EvaluationStatus
from registry.extensions import db
from registry.listing.models import EntryStatus, ListEntry, ListKind, Measure, entry_measures
from registry.supervision.models import RuleCondition, SupervisionRuleSet

DEFAULT_CLASSES = "A:信用良好;B:信用一般;C:信用较差;D:严重失信"
KEY_SUPERVISION_MEASURE = "HB-04"  # 列为重点监管对象，提高抽查检查比例和频次 (listing's measures list)
GOOD_GRADES = ("AAA", "AA", "A")

register_setting(SettingSpec("supervision_classes", DEFAULT_CLASSES,
                             _l("Supervision classes, best first (CODE:name;CODE:name …)"), 3, 200, text=True))

# The default rules (version 1): PRODUCT §16.
DEFAULT_RULES = {
    RuleCondition.BLACK_LIST: "D",
    RuleCondition.SERIOUS_PENALTY: "C",
    RuleCondition.GRADE_D: "D",
    RuleCondition.GRADE_C: "C",
    RuleCondition.GRADE_GOOD: "A",
    RuleCondition.RED_LIST: "A",
    RuleCondition.BREACHED_COMMITMENT: "C",
}
DEFAULT_CLASS = "B"


def parse_classes(text: str) -> list[tuple[str, str]]:
    """``"A:信用良好;B:信用一般"`` → ``[("A", "信用良好"), ("B", "信用一般")]`` (best first)."""
    pairs = []
    for part in (text or "").split(";"):
        code, _sep, name = part.strip().partition(":")
        if code.strip():
            pairs.append((code.strip(), name.strip() or code.strip()))
    return pairs


def supervision_classes() -> list[tuple[str, str]]:
    return parse_classes(get_setting("supervision_classes")) or parse_classes(DEFAULT_CLASSES)


def class_names() -> dict[str, str]:
    return dict(supervision_classes())


def severity_order() -> dict[str, int]:
    """Class code → rank (0 the best); a code no longer in the setting ranks as the most severe."""
    return {code: rank for rank, (code, _name) in enumerate(supervision_classes())}


@dataclass
class Verdict:
    class_code: str
    key_supervision: bool = False
    reasons: list[dict] = field(default_factory=list)  # {"rule", "class", "record_type", "record_id"}


def rule_set_on(day: date) -> SupervisionRuleSet | None:
    return db.session.scalar(
        sa.select(SupervisionRuleSet).where(SupervisionRuleSet.effective_from <= day)
        .order_by(SupervisionRuleSet.effective_from.desc(), SupervisionRuleSet.version.desc()).limit(1)
    )


def _limited(statement, column, subject_ids):
    return statement if subject_ids is None else statement.where(column.in_(subject_ids))


def _effective_entries(kind: ListKind, day: date):
    # Expired entries too: their validity dates say when they counted (a class computed for an
    # earlier day is checked again against the records as they are now).
    return sa.and_(ListEntry.list_kind == kind, ListEntry.status.in_((EntryStatus.PUBLISHED, EntryStatus.EXPIRED)),
                   ListEntry.valid_from <= day,
                   sa.or_(ListEntry.valid_until.is_(None), ListEntry.valid_until >= day))


def _entries(kind: ListKind, day: date, subject_ids):
    statement = sa.select(ListEntry.subject_id, sa.literal("list_entry"), ListEntry.id).where(
        _effective_entries(kind, day))
    return _limited(statement, ListEntry.subject_id, subject_ids)


def _serious_penalties(day: date, subject_ids):
    start = earliest_start(get_setting("penalty_serious_visible_months"), day)
    statement = sa.select(Disclosure.subject_id, sa.literal("disclosure"), Disclosure.id).where(
        Disclosure.kind == DisclosureKind.PENALTY, Disclosure.severity == Severity.SERIOUS,
        Disclosure.status.in_((DisclosureStatus.PUBLISHED, DisclosureStatus.EXPIRED)),  # the window decides
        Disclosure.decision_date >= start, Disclosure.decision_date <= day)
    return _limited(statement, Disclosure.subject_id, subject_ids)


def _latest_grades(day: date, subject_ids):
    """Each subject's latest published evaluation (latest year, then announcement), any field."""
    ranked = _limited(sa.select(
        CreditEvaluation.subject_id, CreditEvaluation.id, CreditEvaluation.grade,
        sa.func.row_number().over(
            partition_by=CreditEvaluation.subject_id,
            order_by=(CreditEvaluation.year.desc(), CreditEvaluation.published_on.desc(),
                      CreditEvaluation.id.desc())).label("rank"),
    ).where(CreditEvaluation.status == EvaluationStatus.PUBLISHED, CreditEvaluation.published_on <= day),
        CreditEvaluation.subject_id, subject_ids).subquery()
    return sa.select(ranked.c.subject_id, ranked.c.id, ranked.c.grade).where(ranked.c.rank == 1)


def _breached_commitments(day: date, subject_ids):
    statement = sa.select(CreditCommitment.subject_id, sa.literal("credit_commitment"), CreditCommitment.id).where(
        CreditCommitment.status == CommitmentStatus.BREACHED, CreditCommitment.breached_on <= day)
    return _limited(statement, CreditCommitment.subject_id, subject_ids)


def _key_supervised(day: date, subject_ids) -> set[int]:
    statement = (sa.select(ListEntry.subject_id).join(entry_measures, entry_measures.c.entry_id == ListEntry.id)
                 .join(Measure, Measure.id == entry_measures.c.measure_id)
                 .where(_effective_entries(ListKind.BLACK, day), Measure.code == KEY_SUPERVISION_MEASURE))
    return set(db.session.scalars(_limited(statement, ListEntry.subject_id, subject_ids)))


def _grade_condition(grade: str) -> RuleCondition | None:
    if grade == "D":
        return RuleCondition.GRADE_D
    if grade == "C":
        return RuleCondition.GRADE_C
    return RuleCondition.GRADE_GOOD if grade in GOOD_GRADES else None


def _findings(day: date, subject_ids) -> Iterable[tuple[RuleCondition, int, str, int]]:
    """(condition, subject id, record type, record id) for every record a condition finds."""
    for condition, statement in ((RuleCondition.BLACK_LIST, _entries(ListKind.BLACK, day, subject_ids)),
                                 (RuleCondition.RED_LIST, _entries(ListKind.RED, day, subject_ids)),
                                 (RuleCondition.SERIOUS_PENALTY, _serious_penalties(day, subject_ids)),
                                 (RuleCondition.BREACHED_COMMITMENT, _breached_commitments(day, subject_ids))):
        for subject_id, record_type, record_id in db.session.execute(statement):
            yield condition, subject_id, record_type, record_id
    for subject_id, record_id, grade in db.session.execute(_latest_grades(day, subject_ids)):
        condition = _grade_condition(grade)
        if condition is not None:
            yield condition, subject_id, "credit_evaluation", record_id


def compute(day: date, subject_ids: Iterable[int] | None = None,
            rule_set: SupervisionRuleSet | None = None) -> dict[int, Verdict]:
    """The class of every subject some rule applies to on ``day`` (others: the default class)."""
    rule_set = rule_set or rule_set_on(day)
    if rule_set is None:
        return {}
    ids = None if subject_ids is None else sorted(set(subject_ids))
    if ids == []:
        return {}
    classes = {rule.condition: rule.class_code for rule in rule_set.rules}
    ranks = severity_order()
    worst = len(ranks)
    verdicts: dict[int, Verdict] = {}
    for condition, subject_id, record_type, record_id in _findings(day, ids):
        code = classes.get(condition)
        if code is None:
            continue
        verdict = verdicts.setdefault(subject_id, Verdict(rule_set.default_class))
        verdict.reasons.append({"rule": condition.value, "class": code, "record_type": record_type,
                                "record_id": record_id})
    for subject_id in _key_supervised(day, ids):
        verdicts.setdefault(subject_id, Verdict(rule_set.default_class)).key_supervision = True
    for verdict in verdicts.values():
        if verdict.reasons:
            verdict.class_code = max((reason["class"] for reason in verdict.reasons),
                                     key=lambda code: ranks.get(code, worst))
        verdict.reasons.sort(key=lambda r: (-ranks.get(r["class"], worst), r["rule"], r["record_type"],
                                            r["record_id"]))
    return verdicts
