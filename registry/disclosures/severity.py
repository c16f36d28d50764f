"""The penalty severity classification table (docs/RULES.md §5): the lowest severity each kind of
penalty may be given.

国家发展改革委《信用修复管理办法》(2025) classifies penalty information by the penalty: revocation of
a licence or permit, restriction of practice and orders to close are serious (严重); suspension of
a licence and orders to stop production or business at least general (一般); minor (轻微) only
for penalties decided in the simplified procedure (警告 and small fines, 《行政处罚法》 art. 51:
up to 200 yuan for a person, 3,000 yuan for an organisation).  A row says: a penalty of this type
(whose content mentions ``keyword``, when one is given) is at least ``min_severity``.  The
administrator maintains the rows (audited); the defaults are seeded.  ``severity_problems`` is
called by ``validation.check``, so the officer's form, a correction and the bulk import all meet
the same rule.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registry.core import clock
from registry.core.audit import record_event
from registry.core.db import str_enum
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.core.permissions import Role
from registry.core.seeding import seed_step
from registry.core.settings import SettingSpec, get_setting, register_setting
from registry.disclosures.models import (
    PENALTY_TYPE_CN,
    SEVERITY_CN,
    PartyCategory,
    PenaltyType,
    Severity,
)
from registry.extensions import db

RANK = {Severity.MINOR: 0, Severity.GENERAL: 1, Severity.SERIOUS: 2}
SOURCE = "国家发展改革委《信用修复管理办法》（2025）"
_CACHE = "registry_severity_rules"

register_setting(SettingSpec("simplified_fine_limit_person_yuan", 200,
                             _l("Largest fine on a person decided in the simplified procedure (yuan)"), 0, 100000))
register_setting(SettingSpec("simplified_fine_limit_org_yuan", 3000,
                             _l("Largest fine on an organisation decided in the simplified procedure (yuan)"),
                             0, 1000000))


class PenaltySeverityRule(db.Model):
    """A penalty of ``penalty_type`` (mentioning ``keyword`` in its content, if set) is at least
    ``min_severity``."""

    __tablename__ = "penalty_severity_rules"
    __audit_type__ = "penalty_severity_rule"
    __table_args__ = (
        sa.UniqueConstraint("penalty_type", "keyword", name="uq_penalty_severity_rules_type_keyword"),
        sa.CheckConstraint("keyword = trim(keyword)", name="keyword_trimmed"),
        sa.CheckConstraint("length(trim(rule)) > 0", name="rule_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    penalty_type: Mapped[PenaltyType] = mapped_column(str_enum(PenaltyType, "penalty_type"))
    keyword: Mapped[str] = mapped_column(sa.String(50), default="")  # "" = every penalty of the type
    min_severity: Mapped[Severity] = mapped_column(str_enum(Severity, "penalty_severity"))
    rule: Mapped[str] = mapped_column(sa.String(300))  # the rule as the message names it
    updated_at: Mapped[datetime] = mapped_column(default=lambda: clock.utcnow())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


# (type, keyword, minimum, rule): the 2025 measures' defaults.
DEFAULT_RULES = [
    (PenaltyType.WARNING, "", Severity.MINOR, f"{SOURCE}：警告可适用简易程序，可为轻微"),
    (PenaltyType.FINE, "", Severity.MINOR, f"{SOURCE}：简易程序的小额罚款可为轻微，其他罚款至少为一般"),
    (PenaltyType.CONFISCATION, "", Severity.GENERAL, f"{SOURCE}：非简易程序作出的处罚至少为一般"),
    (PenaltyType.LICENCE_SUSPENSION, "", Severity.GENERAL, f"{SOURCE}：暂扣许可证件至少为一般"),
    (PenaltyType.LICENCE_SUSPENSION, "吊销", Severity.SERIOUS, f"{SOURCE}：吊销许可证件为严重"),
    (PenaltyType.BUSINESS_SUSPENSION, "", Severity.GENERAL, f"{SOURCE}：责令停产停业至少为一般"),
    (PenaltyType.BUSINESS_SUSPENSION, "责令关闭", Severity.SERIOUS, f"{SOURCE}：责令关闭为严重"),
    (PenaltyType.DETENTION, "", Severity.GENERAL, f"{SOURCE}：非简易程序作出的处罚至少为一般"),
    (PenaltyType.OTHER, "", Severity.GENERAL, f"{SOURCE}：非简易程序作出的处罚至少为一般"),
    (PenaltyType.OTHER, "责令关闭", Severity.SERIOUS, f"{SOURCE}：责令关闭为严重"),
    (PenaltyType.OTHER, "限制从业", Severity.SERIOUS, f"{SOURCE}：限制从业为严重"),
    (PenaltyType.OTHER, "吊销", Severity.SERIOUS, f"{SOURCE}：吊销许可证件为严重"),
]


@seed_step(35)
def seed_severity_rules() -> None:
    existing = set(db.session.execute(sa.select(PenaltySeverityRule.penalty_type, PenaltySeverityRule.keyword)))
    for penalty_type, keyword, minimum, rule in DEFAULT_RULES:
        if (penalty_type, keyword) not in existing:
            db.session.add(PenaltySeverityRule(penalty_type=penalty_type, keyword=keyword, min_severity=minimum,
                                               rule=rule))
    db.session.flush()
    _forget()


def all_rules() -> list[PenaltySeverityRule]:
    return list(db.session.scalars(sa.select(PenaltySeverityRule).order_by(
        PenaltySeverityRule.penalty_type, PenaltySeverityRule.keyword, PenaltySeverityRule.id)))


def _rules() -> list[tuple[PenaltyType, str, Severity, str]]:
    if has_app_context() and _CACHE in g:
        return g.get(_CACHE)
    rows = [(r.penalty_type, r.keyword, r.min_severity, r.rule) for r in all_rules()]
    if has_app_context():
        setattr(g, _CACHE, rows)
    return rows


def _forget() -> None:
    if has_app_context():
        g.pop(_CACHE, None)


def _type_phrase(penalty_type: PenaltyType, keyword: str) -> str:
    name = PENALTY_TYPE_CN[penalty_type]
    return f"{name}（{keyword}）" if keyword else name


# The words by which a decision's content orders a penalty of each type (《行政处罚法》 art. 9's
# kinds, as the 双公示 vocabulary groups them).  A decision may order several (罚款并吊销许可证): it
# is classified by its most severe measure, whatever type the officer chose as its main one.
MEASURE_WORDS = {
    PenaltyType.WARNING: ("警告",),
    PenaltyType.FINE: ("罚款",),
    PenaltyType.CONFISCATION: ("没收",),
    PenaltyType.LICENCE_SUSPENSION: ("暂扣", "吊销"),
    PenaltyType.BUSINESS_SUSPENSION: ("停产", "停业", "责令关闭"),
    PenaltyType.DETENTION: ("拘留",),
}


def decision_measures(penalty_type: PenaltyType, text: str, rules) -> dict[PenaltyType, str]:
    """Every type of penalty the decision orders, with the word of its content that shows it ("" for
    the type the officer chose): the words above, and the keywords of the classification table."""
    found = {penalty_type: ""}
    for kind, words in MEASURE_WORDS.items():
        for word in words:
            if word in text:
                found.setdefault(kind, word)
    for kind, keyword, _minimum, _rule in rules:
        if keyword and keyword in text:
            found.setdefault(kind, keyword)
    return found


def severity_problems(penalty_type: PenaltyType | None, severity: Severity | None, content: str | None,
                      fine_amount: Decimal | None, party_category: PartyCategory | None) -> list[tuple[str, object]]:
    """The rule a penalty's severity breaks, if any, as ``[("severity", message)]``: the strictest
    row binding any measure the decision orders (a combined penalty counts as its most severe part)."""
    if penalty_type is None or severity is None:
        return []
    text = content or ""
    rules = _rules()
    measures = decision_measures(penalty_type, text, rules)
    binding = [(minimum, keyword, rule, kind) for kind, keyword, minimum, rule in rules
               if kind in measures and (not keyword or keyword in text)]
    if binding:
        minimum, keyword, rule, kind = max(binding, key=lambda item: (RANK[item[0]], len(item[1]),
                                                                      item[3] is penalty_type))
        if RANK[severity] < RANK[minimum]:
            if kind is penalty_type:
                return [("severity", _l(
                    "A penalty of type %(type)s is at least %(minimum)s under the classification rule “%(rule)s”.",
                    type=_type_phrase(penalty_type, keyword), minimum=SEVERITY_CN[minimum], rule=rule))]
            return [("severity", _l(
                "The decision also orders %(type)s (its content says “%(word)s”): a penalty of several measures "
                "is classified by the most severe, at least %(minimum)s under the classification rule “%(rule)s”.",
                type=_type_phrase(kind, keyword), word=keyword or measures[kind], minimum=SEVERITY_CN[minimum],
                rule=rule))]
    if severity is Severity.MINOR and PenaltyType.FINE in measures and fine_amount is not None:
        person = party_category is PartyCategory.PERSON
        limit = get_setting("simplified_fine_limit_person_yuan" if person else "simplified_fine_limit_org_yuan")
        if fine_amount * 10000 > limit:
            return [("severity", _l(
                "A fine above %(limit)s yuan is not decided in the simplified procedure, so it cannot be minor "
                "(classification rule: %(source)s).", limit=limit, source=SOURCE))]
    return []


# ---------------------------------------------------------------------------------------------
# The administrator's changes (audited)


def _ensure_admin(actor) -> None:
    if getattr(actor, "role", None) is not Role.ADMIN:
        raise PermissionDenied(_l("Only an administrator can change the penalty classification table."))


def _values(penalty_type, keyword, min_severity, rule) -> dict:
    try:
        penalty_type, min_severity = PenaltyType(penalty_type), Severity(min_severity)
    except ValueError:
        raise ValidationFailed(_l("Not one of the allowed values."), field="penalty_type") from None
    keyword, rule = (keyword or "").strip(), (rule or "").strip()
    if len(keyword) > 50:
        raise ValidationFailed(_l("At most %(n)d characters.", n=50), field="keyword")
    if not rule:
        raise ValidationFailed(_l("State the rule and its source."), field="rule")
    if len(rule) > 300:
        raise ValidationFailed(_l("At most %(n)d characters.", n=300), field="rule")
    return {"penalty_type": penalty_type, "keyword": keyword, "min_severity": min_severity, "rule": rule}


def save_rule(rule_row: PenaltySeverityRule | None, *, actor, penalty_type, keyword, min_severity, rule):
    """Add a row, or change one; a type and keyword appear once."""
    _ensure_admin(actor)
    values = _values(penalty_type, keyword, min_severity, rule)
    clash = sa.select(PenaltySeverityRule.id).where(PenaltySeverityRule.penalty_type == values["penalty_type"],
                                                    PenaltySeverityRule.keyword == values["keyword"])
    if rule_row is not None:
        clash = clash.where(PenaltySeverityRule.id != rule_row.id)
    if db.session.scalar(clash.limit(1)) is not None:
        raise ValidationFailed(_l("The table already has a row for this penalty type and keyword."), field="keyword")
    before = None if rule_row is None else {
        "penalty_type": rule_row.penalty_type.value, "keyword": rule_row.keyword,
        "min_severity": rule_row.min_severity.value, "rule": rule_row.rule}
    if rule_row is None:
        rule_row = PenaltySeverityRule(**values)
        db.session.add(rule_row)
    else:
        for key, value in values.items():
            setattr(rule_row, key, value)
    rule_row.updated_at, rule_row.updated_by_id = clock.utcnow(), actor.id
    db.session.flush()
    after = {"penalty_type": values["penalty_type"].value, "keyword": values["keyword"],
             "min_severity": values["min_severity"].value, "rule": values["rule"]}
    record_event("penalty_severity_rule.save", actor=actor, obj=rule_row, details={"from": before, "to": after})
    _forget()
    return rule_row


def delete_rule(rule_row: PenaltySeverityRule, *, actor) -> None:
    _ensure_admin(actor)
    details = {"penalty_type": rule_row.penalty_type.value, "keyword": rule_row.keyword,
               "min_severity": rule_row.min_severity.value, "rule": rule_row.rule}
    record_event("penalty_severity_rule.delete", actor=actor, obj=rule_row, details=details)
    db.session.delete(rule_row)
    db.session.flush()
    _forget()
