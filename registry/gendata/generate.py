"""A deterministic synthetic province: subjects, list entries, disclosures, cases, objections, repairs.

Same ``seed``, ``subjects`` and ``today`` → the same rows (identifiers depend on the seed and the
count only).  Proportions follow the issue: ~5% of subjects on the black list, ~2% on the red
list, one disclosure per subject on average, and every state of every workflow.  About 10% of the
list entries are due for the nightly checks on ``today`` (half to publish, half to expire).

No audit events are written for synthetic rows (the chain is left exactly as it was), and no
change-feed events: the data set stands for records migrated in from the old system.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from registry.accounts.models import Unit, User
from registry.applications.models import hash_access_code
from registry.cases.models import Case, case_measures
from registry.core.holds import RecordHold
from registry.core.identifiers import SubjectKind, region_code
from registry.core.periods import add_months, add_years, earliest_start
from registry.core.permissions import Role
from registry.core.seeding import SEED_STEPS
from registry.core.settings import get_setting
from registry.core.workdays import add_working_days
from registry.disclosures.models import Disclosure
from registry.evaluations.models import GRADE_SCALES, CreditEvaluation, EvaluationField
from registry.extensions import db
from registry.gendata import names
from registry.gendata.writer import BulkWriter
from registry.listing.models import ListCategory, ListEntry, Measure, category_measures, entry_measures
from registry.objections.models import Objection
from registry.repairs.models import RepairApplication
from registry.subjects.grams import POSTGRES_GRAMS_DDL, POSTGRES_GRAMS_DROP, SQLITE_GRAMS_DDL, SQLITE_GRAMS_FILL
from registry.subjects.models import POSTGRES_SEARCH_DDL, SQLITE_SEARCH_DDL, Subject

SHANGHAI = timezone(timedelta(hours=8))


@dataclass
class Context:
    rng: random.Random
    today: date
    writer: BulkWriter
    units: list[tuple[int, str, str]]  # id, code, name
    officers: dict[int, tuple[int, int]]  # unit id -> (clerk id, reviewer id)
    categories: list[tuple[int, str, int, str]]  # id, list kind, validity months, name
    measures_of: dict[int, list[int]]
    measures_by_kind: dict[str, list[int]]
    subjects: list[tuple[int, str, str, str]] = field(default_factory=list)  # id, kind, identifier, name
    entries: list[tuple[int, int, str, str, int]] = field(default_factory=list)  # id, subject, list, status, unit
    disclosures: list[tuple[int, int, str, int, str]] = field(default_factory=list)  # id, subject, status, unit, kind
    deadlines: dict[date, date] = field(default_factory=dict)

    def at(self, day: date, hour: int = 10) -> datetime:
        """A moment on ``day`` (Asia/Shanghai office hours)."""
        return datetime.combine(day, time(hour, self.rng.randrange(60)), SHANGHAI)

    def deadline(self, day: date, days: int = 7) -> date:
        key = (day, days)
        if key not in self.deadlines:
            self.deadlines[key] = add_working_days(day, days)
        return self.deadlines[key]


def _weighted(rng: random.Random, table: list[tuple[object, float]]):
    point = rng.random() * sum(weight for _, weight in table)
    for value, weight in table:
        point -= weight
        if point <= 0:
            return value
    return table[-1][0]


# ---------------------------------------------------------------------------------------------
# Officers: one clerk and one reviewer per unit (inserted directly, never able to sign in).


def _officers(writer: BulkWriter, units) -> dict[int, tuple[int, int]]:
    existing = {email: uid for uid, email in db.session.execute(sa.select(User.id, User.email))}
    next_id = writer.next_id(User.__table__)
    result = {}
    for unit_id, code, _name, _issuing_name in units:
        pair = []
        for role in (Role.CLERK, Role.REVIEWER):
            email = f"gen-{role.value}.{code.lower()}@bench.invalid"
            if email not in existing:
                writer.add(User.__table__, {
                    "id": next_id, "email": email, "name": f"{role.value} {code}", "unit_id": unit_id,
                    "role": role, "password_hash": "!synthetic", "is_active": True, "session_version": 1,
                    "created_at": datetime(2020, 1, 1, tzinfo=UTC),
                })
                existing[email] = next_id
                next_id += 1
            pair.append(existing[email])
        result[unit_id] = tuple(pair)
    writer.flush()
    return result


# ---------------------------------------------------------------------------------------------
# Subjects


def _subjects(ctx: Context, count: int) -> None:
    rng, writer = ctx.rng, ctx.writer
    table = Subject.__table__
    next_id = writer.next_id(table)
    people: set[str] = set()
    plates: set[str] = set()
    created = datetime(2019, 1, 1, tzinfo=UTC)
    organisations: list[int] = []
    for index in range(count):
        roll = rng.random()
        if roll < 0.70 or not organisations:
            kind, district = SubjectKind.ORGANISATION, rng.choice(names.DISTRICTS)[0]
            identifier, name = names.uscc_for(index, district), names.organisation_name(rng)
            representative, owner = names.person_name(rng), None
        elif roll < 0.97:
            kind, identifier, name = SubjectKind.PERSON, names.resident_id(rng, people), names.person_name(rng)
            representative, owner = None, None
        else:
            kind, identifier, representative = SubjectKind.VEHICLE, names.plate(rng, plates), None
            owner = rng.choice(organisations)
            name = identifier
        subject_id = next_id + index
        if kind is SubjectKind.ORGANISATION:
            organisations.append(subject_id)
        writer.add(table, {
            "id": subject_id, "kind": kind, "identifier": identifier, "name": name,
            "legal_representative": representative, "region_code": region_code(kind, identifier),
            "owner_id": owner, "created_at": created, "updated_at": created,
        })
        ctx.subjects.append((subject_id, kind.value, identifier, name))
    writer.flush()


# ---------------------------------------------------------------------------------------------
# List entries: (status, weight); "published_due" and "publicity_due" are due for the checks today.

ENTRY_STATES = [
    ("draft", 0.05), ("pending_review", 0.05), ("publicity", 0.05), ("publicity_due", 0.05),
    ("published", 0.55), ("published_due", 0.05), ("expired", 0.12), ("removed", 0.06), ("withdrawn", 0.02),
]


def _entry_dates(ctx: Context, state: str, months: int) -> dict:
    rng, today = ctx.rng, ctx.today
    if state in ("draft", "pending_review"):
        return {"decision_date": today - timedelta(days=rng.randrange(1, 30))}
    if state in ("publicity", "publicity_due", "withdrawn"):
        start = today - timedelta(days=rng.randrange(12, 30) if state != "publicity" else rng.randrange(0, 5))
        return {"decision_date": start - timedelta(days=2), "publicity_start": start,
                "publicity_end": start + timedelta(days=7)}
    # Validity runs through add_months(valid_from, months) (core.periods): still valid tomorrow
    # from earliest_start(months, tomorrow) on, past its end today before earliest_start(months, today).
    if state == "published":
        span = (today - earliest_start(months, today + timedelta(days=1))).days
        valid_from = today - timedelta(days=rng.randrange(0, span + 1))
    elif state == "published_due":
        valid_from = earliest_start(months, today) - timedelta(days=1 + rng.randrange(0, 20))
    else:  # expired, removed
        valid_from = earliest_start(months, today) - timedelta(days=1 + rng.randrange(30, 900))
    start = valid_from - timedelta(days=9)
    return {"decision_date": start - timedelta(days=2), "publicity_start": start,
            "publicity_end": start + timedelta(days=7), "valid_from": valid_from,
            "valid_until": add_months(valid_from, months)}


def _entry_row(ctx: Context, entry_id: int, subject_id: int, category, state: str, unit) -> dict:
    category_id, list_kind, months, category_name = category
    clerk, reviewer = ctx.officers[unit[0]]
    dates = _entry_dates(ctx, state, months)
    status = {"publicity": "in_publicity", "publicity_due": "in_publicity",
              "published_due": "published"}.get(state, state)
    decided = dates["decision_date"]
    row = {
        "id": entry_id, "list_kind": list_kind, "category_id": category_id, "subject_id": subject_id,
        "status": status, "reason": f"{category_name}：经核查认定", "legal_basis": "《湖南省交通运输信用管理办法》",
        "decision_number": f"湘交信〔{decided.year}〕{entry_id}号", "deciding_unit": unit[3],
        "decision_date": decided, "publicity_start": None, "publicity_end": None, "valid_from": None,
        "valid_until": None, "removal_reason": None, "removal_date": None,
        "unit_id": unit[0], "version": 1, "created_at": ctx.at(decided - timedelta(days=1)),
        "created_by_id": clerk, "submitted_at": None, "submitted_by_id": None, "reviewed_at": None,
        "reviewed_by_id": None, "review_comment": None,
    }
    row.update(dates)
    if status != "draft":
        row.update(submitted_at=ctx.at(decided, 11), submitted_by_id=clerk, version=2)
    if status not in ("draft", "pending_review"):
        row.update(reviewed_at=ctx.at(decided, 15), reviewed_by_id=reviewer, version=3)
    if status == "removed":
        row.update(removal_reason=ctx.rng.choice(["repaired", "revoked"]),
                   removal_date=row["valid_from"] + timedelta(days=400), version=5)
    return row


def _entries(ctx: Context) -> None:
    rng, writer = ctx.rng, ctx.writer
    table = ListEntry.__table__
    next_id = writer.next_id(table)
    black = [c for c in ctx.categories if c[1] == "black"]
    red = [c for c in ctx.categories if c[1] == "red"]
    for subject_id, kind, _identifier, _name in ctx.subjects:
        roll = rng.random()
        lists = black if roll < 0.05 else red if roll < 0.07 and kind != "vehicle" else None
        if not lists:
            continue
        for _ in range(1 if rng.random() < 0.85 else 2):
            category = rng.choice(lists)
            state = _weighted(rng, ENTRY_STATES)
            unit = rng.choice(ctx.units)
            writer.add(table, _entry_row(ctx, next_id, subject_id, category, state, unit))
            for measure_id in ctx.measures_of.get(category[0], []):
                writer.add(entry_measures, {"entry_id": next_id, "measure_id": measure_id})
            ctx.entries.append((next_id, subject_id, category[1], state, unit[0]))
            next_id += 1
    writer.flush()


# ---------------------------------------------------------------------------------------------
# Disclosures: on average one per organisation or person (0–3 each).

AUTHORITY = ("湖南省交通运输厅", "11430000006142384X")
PENALTY_TEXTS = [
    ("车辆超限超载运输", "经检测，该车辆车货总质量超过限定标准。", "《公路安全保护条例》第六十四条"),
    ("未按规定维护和检测运输车辆", "经查，该单位营运车辆未按规定进行二级维护。", "《道路运输条例》第七十条"),
    ("未取得道路运输经营许可擅自从事经营", "经查，当事人未取得许可从事道路货物运输经营。",
     "《道路运输条例》第六十三条"),
    ("违反公路工程质量管理规定", "经检查，该项目路基压实度不符合设计要求。", "《建设工程质量管理条例》第六十四条"),
]
LICENCE_CONTENTS = ["道路货物运输经营许可", "道路旅客运输经营许可", "公路超限运输许可", "港口经营许可",
                    "水路运输经营许可", "机动车驾驶员培训许可"]
PENALTY_TYPES = [("warning", 0.25), ("fine", 0.6), ("licence_suspension", 0.05), ("business_suspension", 0.03),
                 ("confiscation", 0.04), ("other", 0.03)]
DISCLOSURE_COUNTS = [(0, 0.35), (1, 0.35), (2, 0.2), (3, 0.1)]  # mean 1.05 over organisations and persons


def _disclosure_state(ctx: Context, kind: str, severity: str | None, decided: date, until: date | None) -> str:
    """``until``: the last day the record may be public (None: indefinitely)."""
    rng, age = ctx.rng, (ctx.today - decided).days
    if age < 12 and rng.random() < 0.5:
        return rng.choice(["draft", "pending_review"])
    if severity == "minor":
        return "not_public"
    if rng.random() < 0.02:
        return "removed"
    late = timedelta(days=rng.randrange(0, 5))  # the nightly check has not always run yet
    return "expired" if until is not None and ctx.today > until + late else "published"


def _disclosure_row(ctx: Context, disclosure_id: int, subject, unit, serial: int) -> dict:
    rng, today = ctx.rng, ctx.today
    subject_id, kind_of_subject, identifier, name = subject
    person = kind_of_subject == "person"
    kind = "penalty" if rng.random() < 0.6 else "licence"
    decided = today - timedelta(days=rng.randrange(0, 1400))
    clerk, reviewer = ctx.officers[unit[0]]
    row = {
        "id": disclosure_id, "kind": kind, "status": "draft", "subject_id": subject_id, "party_name": name,
        "party_category": "person" if person else ("individual_business" if rng.random() < 0.1 else "organisation"),
        "party_identifier": identifier, "legal_representative": None if person else names.person_name(rng),
        "decision_number": f"湘交{'罚' if kind == 'penalty' else '许'}〔{decided.year}〕{serial}号",
        "decision_date": decided, "authority_name": AUTHORITY[0], "authority_uscc": AUTHORITY[1],
        "source_unit_name": unit[2], "violation_type": None, "violation_facts": None, "legal_basis": None,
        "penalty_type": None, "penalty_content": None, "fine_amount": None, "severity": None,
        "licence_type": None, "licence_number": None, "licence_content": None, "licence_valid_from": None,
        "licence_valid_to": None, "publication_deadline": None, "published_on": None, "published_on_time": None,
        "corrects_id": None, "superseded_by_id": None, "ended_at": None, "removal_reason": None,
        "unit_id": unit[0], "version": 1, "created_at": ctx.at(decided), "created_by_id": clerk,
        "submitted_at": None, "submitted_by_id": None, "reviewed_at": None, "reviewed_by_id": None,
        "review_comment": None,
    }
    if kind == "penalty":
        severity = _weighted(rng, [("minor", 0.1), ("general", 0.7), ("serious", 0.2)])
        violation, facts, basis = rng.choice(PENALTY_TEXTS)
        penalty_type = _weighted(rng, PENALTY_TYPES)
        fine = Decimal(rng.randrange(1, 500)) / 10 if penalty_type == "fine" else None
        row.update(violation_type=violation, violation_facts=facts, legal_basis=basis, penalty_type=penalty_type,
                   penalty_content=f"罚款{fine}万元" if fine else "警告", fine_amount=fine, severity=severity)
        months = get_setting(f"penalty_{'serious' if severity == 'serious' else 'general'}_visible_months")
        until = add_months(decided, months)
    else:
        severity = None
        until = add_years(decided, 3) - timedelta(days=1) if rng.random() < 0.8 else None
        row.update(licence_type=rng.choice(["general", "special", "approval", "registration"]),
                   licence_number=f"湘交许字{disclosure_id:08d}", licence_content=rng.choice(LICENCE_CONTENTS),
                   licence_valid_from=decided, licence_valid_to=until)
    state = _disclosure_state(ctx, kind, severity, decided, until)
    if severity != "minor":
        row["publication_deadline"] = ctx.deadline(decided)
    row["status"] = state
    if state != "draft":
        row.update(submitted_at=ctx.at(decided, 11), submitted_by_id=clerk, version=2)
    if state not in ("draft", "pending_review"):
        row.update(reviewed_at=ctx.at(decided, 15), reviewed_by_id=reviewer, version=3)
    if state in ("published", "expired", "removed"):
        published = min(decided + timedelta(days=rng.choice([0, 1, 2, 3, 5, 8, 12])), today)
        row.update(published_on=published, published_on_time=published <= row["publication_deadline"])
    if state in ("expired", "removed"):
        ended = until + timedelta(days=1) if until else decided + timedelta(days=3001)
        row.update(ended_at=ctx.at(min(ended, today), 1), version=4)
    if state == "removed":
        row["removal_reason"] = rng.choice(["repaired", "revoked"])
    return row


def _disclosures(ctx: Context) -> None:
    rng, writer = ctx.rng, ctx.writer
    table = Disclosure.__table__
    next_id = writer.next_id(table)
    corrections = []
    for subject in ctx.subjects:
        if subject[1] == "vehicle":
            continue
        for _ in range(_weighted(rng, DISCLOSURE_COUNTS)):
            unit = rng.choice(ctx.units)
            row = _disclosure_row(ctx, next_id, subject, unit, next_id)
            writer.add(table, row)
            ctx.disclosures.append((next_id, subject[0], row["status"], unit[0], row["kind"]))
            next_id += 1
            if row["status"] == "published" and rng.random() < 0.005:  # a corrected version replaces it
                corrected = dict(row, id=next_id, corrects_id=row["id"], licence_number=row["licence_number"]
                                 and row["licence_number"] + "-1", version=3)
                writer.add(table, corrected)
                corrections.append(("corrected", next_id, row["id"]))
                ctx.disclosures.append((next_id, subject[0], "published", unit[0], row["kind"]))
                next_id += 1
    writer.flush()
    writer.execute_many("UPDATE disclosures SET status = ?, superseded_by_id = ?, version = 4 WHERE id = ?",
                        corrections)


# ---------------------------------------------------------------------------------------------
# Cases: for about one in six published entries, in every state.


def _cases(ctx: Context) -> None:
    rng, writer = ctx.rng, ctx.writer
    next_id = writer.next_id(Case.__table__)
    matters = [("招投标资格审查", "限制其参与公路建设项目投标"), ("道路运输经营许可审批", "从严审核，暂缓办理"),
               ("高速公路通行费优惠", "给予绿色通道优先通行"), ("评优评先", "取消其年度评优资格")]
    for entry_id, _subject_id, list_kind, state, unit_id in ctx.entries:
        if state not in ("published", "published_due") or rng.random() > 0.17:
            continue
        status = _weighted(rng, [("draft", 0.1), ("pending_review", 0.1), ("published", 0.8)])
        clerk, reviewer = ctx.officers[unit_id]
        day = ctx.today - timedelta(days=rng.randrange(1, 300))
        typical = status == "published" and rng.random() < 0.05
        matter, effect = rng.choice(matters)
        writer.add(Case.__table__, {
            "id": next_id, "entry_id": entry_id, "status": status, "case_date": day,
            "applying_party": "省交通运输厅" if list_kind == "black" else "省发展改革委", "matter": matter,
            "effect": effect, "is_typical": typical, "typical_marked_at": ctx.at(day, 16) if typical else None,
            "typical_marked_by_id": reviewer if typical else None, "unit_id": unit_id,
            "version": {"draft": 1, "pending_review": 2}.get(status, 3), "created_at": ctx.at(day, 9),
            "created_by_id": clerk, "submitted_at": None if status == "draft" else ctx.at(day, 10),
            "submitted_by_id": None if status == "draft" else clerk,
            "reviewed_at": ctx.at(day, 15) if status == "published" else None,
            "reviewed_by_id": reviewer if status == "published" else None, "review_comment": None,
        })
        measures = ctx.measures_by_kind.get(list_kind) or []
        if measures:
            writer.add(case_measures, {"case_id": next_id, "measure_id": rng.choice(measures)})
        next_id += 1
    writer.flush()


# ---------------------------------------------------------------------------------------------
# Objections and repair applications, in every state; the open ones hold their record.

APPLICATION_STATES = [("submitted", 0.2), ("material_requested", 0.1), ("accepted", 0.15),
                      ("pending_review", 0.1), ("inadmissible", 0.1), ("decided", 0.35)]


def _application_row(ctx: Context, model, app_id: int, record, receipts: dict, outcomes) -> dict:
    rng = ctx.rng
    record_type, record_id, subject, unit_id = record
    clerk, reviewer = ctx.officers[unit_id]
    status = _weighted(rng, APPLICATION_STATES)
    filed = ctx.today - timedelta(days=rng.randrange(1, 60) if status in ("submitted", "material_requested",
                                                                         "accepted", "pending_review")
                                  else rng.randrange(30, 400))
    receipts[filed] = receipts.get(filed, 0) + 1
    receipt = f"{model.__receipt_prefix__}{filed:%Y%m%d}-{receipts[filed]:04d}"
    person = subject[1] == "person"
    row = {
        "id": app_id, "receipt_number": receipt,
        "access_code_hash": hash_access_code(receipt, f"{rng.getrandbits(60):012X}"),
        "record_type": record_type, "record_id": record_id, "unit_id": unit_id, "subject_id": subject[0],
        "status": status, "version": 1, "applicant_kind": "person" if person else "organisation",
        "applicant_name": subject[3], "applicant_identifier": subject[2],
        "phone": f"1{rng.choice('3589')}{rng.randrange(10 ** 9):09d}", "email": None,
        "filed_at": ctx.at(filed), "filed_on": filed, "accept_due": ctx.deadline(filed, 3),
        "material_request": None, "material_requested_on": None, "material_supplied_on": None,
        "accepted_on": None, "decide_due": None, "inadmissible_reason": None, "decision_reasons": None,
        "prepared_at": None, "reviewed_at": None, "review_comment": None, "decided_on": None,
        "handled_by_id": None, "prepared_by_id": None, "reviewed_by_id": None, "outcome": None,
    }
    accepted = filed + timedelta(days=2)
    if status == "material_requested":
        row.update(material_request="请补充营业执照复印件。", material_requested_on=accepted, handled_by_id=clerk,
                   version=2)
    if status in ("accepted", "pending_review", "decided"):
        row.update(accepted_on=accepted, decide_due=ctx.deadline(accepted, 10), handled_by_id=clerk, version=2)
    if status in ("pending_review", "decided"):
        row.update(outcome=outcomes[rng.random() < 0.3], decision_reasons="经核查，理由如下。",
                   prepared_by_id=clerk, prepared_at=ctx.at(accepted + timedelta(days=3)), version=3)
    if status == "decided":
        row.update(reviewed_by_id=reviewer, reviewed_at=ctx.at(accepted + timedelta(days=4), 15),
                   decided_on=accepted + timedelta(days=4), version=4)
    if status == "inadmissible":
        # Rejected as inadmissible: prepared by one officer, confirmed by another (four-eyes).
        row.update(inadmissible_reason="申请事项不属于本单位受理范围。", decided_on=accepted, handled_by_id=clerk,
                   prepared_by_id=clerk, prepared_at=ctx.at(accepted), reviewed_by_id=reviewer,
                   reviewed_at=ctx.at(accepted, 15), version=3)
    return row


def _applications(ctx: Context, model, share: float, *, outcomes, entry_states, extra) -> None:
    rng, writer = ctx.rng, ctx.writer
    subjects = {s[0]: s for s in ctx.subjects}
    records = [("list_entry", e[0], subjects[e[1]], e[4]) for e in ctx.entries
               if e[3] in entry_states and subjects[e[1]][1] != "vehicle"]
    records += [("disclosure", d[0], subjects[d[1]], d[3]) for d in ctx.disclosures
                if d[2] == "published" and (d[4] == "penalty" or model.__tablename__ == "objections")]
    chosen = rng.sample(records, min(len(records), max(30, int(len(ctx.subjects) * share))))
    next_id, hold_id = writer.next_id(model.__table__), writer.next_id(RecordHold.__table__)
    receipts: dict[date, int] = {}
    for record in chosen:
        row = _application_row(ctx, model, next_id, record, receipts, outcomes)
        row.update(extra(rng))
        writer.add(model.__table__, row)
        if row["status"] in ("submitted", "material_requested", "accepted", "pending_review"):
            writer.add(RecordHold.__table__, {
                "id": hold_id, "record_type": record[0], "record_id": record[1], "kind": model.__hold_kind__,
                "source_id": next_id, "opened_at": row["filed_at"], "closed_at": None,
            })
            hold_id += 1
        next_id += 1
    writer.flush()


def _objections(ctx: Context) -> None:
    _applications(ctx, Objection, 0.003, outcomes=("dismissed", "upheld"),
                  entry_states=("publicity", "publicity_due", "published"), extra=lambda rng: {
        "grounds": "认定事实有误，申请更正。", "disclosure_effect": None, "correction_id": None})


def _repairs(ctx: Context) -> None:
    _applications(ctx, RepairApplication, 0.003, outcomes=("rejected", "approved"), entry_states=("published",),
                  extra=lambda rng: {
        "representative_name": names.person_name(rng),
        "representative_role": rng.choice(["legal_representative", "agent"]),
        "statement": "已按要求完成整改，并履行全部处罚义务。"})


# ---------------------------------------------------------------------------------------------
# Credit evaluations: a published grade for about one organisation in twenty.


def _evaluations(ctx: Context) -> None:
    rng, writer = ctx.rng, ctx.writer
    next_id = writer.next_id(CreditEvaluation.__table__)
    fields = list(EvaluationField)
    for subject_id, kind, _identifier, _name in ctx.subjects:
        if kind != "organisation" or rng.random() > 0.05:
            continue
        unit = rng.choice(ctx.units)
        clerk, reviewer = ctx.officers[unit[0]]
        evaluation_field = rng.choice(fields)
        year = ctx.today.year - 1
        published = date(ctx.today.year, 3, 31) if ctx.today >= date(ctx.today.year, 3, 31) else date(year, 3, 31)
        writer.add(CreditEvaluation.__table__, {
            "id": next_id, "subject_id": subject_id, "field": evaluation_field, "year": year,
            "grade": rng.choice(GRADE_SCALES[evaluation_field]), "score": Decimal(rng.randrange(6000, 10000)) / 100,
            "evaluating_unit": unit[2], "published_on": published, "document_number": f"湘交评〔{year}〕{next_id}号",
            "status": "published", "black_list_entry_id": None, "unit_id": unit[0], "version": 3,
            "created_at": ctx.at(published), "created_by_id": clerk, "submitted_at": ctx.at(published, 11),
            "submitted_by_id": clerk, "reviewed_at": ctx.at(published, 15), "reviewed_by_id": reviewer,
            "review_comment": None,
        })
        next_id += 1
    writer.flush()


# ---------------------------------------------------------------------------------------------
# The whole data set


class AlreadyGenerated(Exception):
    pass


SYNTHETIC_MARK = "91______MB%"  # the USCCs names.uscc_for makes (demo data uses MA)


def _context(rng: random.Random, today: date, writer: BulkWriter) -> Context:
    units = [tuple(row) for row in db.session.execute(sa.select(Unit.id, Unit.code, Unit.name, Unit.issuing_name)
                                                      .order_by(Unit.id))]
    categories = [
        (cid, kind.value, days, name) for cid, kind, days, name in db.session.execute(
            sa.select(ListCategory.id, ListCategory.list_kind, ListCategory.validity_months, ListCategory.name)
            .order_by(ListCategory.id))
    ]
    measures_of: dict[int, list[int]] = {}
    for category_id, measure_id in db.session.execute(
        sa.select(category_measures.c.category_id, category_measures.c.measure_id).order_by(
            category_measures.c.category_id, category_measures.c.measure_id)
    ):
        measures_of.setdefault(category_id, []).append(measure_id)
    by_kind: dict[str, list[int]] = {}
    for measure_id, kind in db.session.execute(sa.select(Measure.id, Measure.list_kind).order_by(Measure.id)):
        by_kind.setdefault(kind.value, []).append(measure_id)
    return Context(rng=rng, today=today, writer=writer, units=units, officers=_officers(writer, units),
                   categories=categories, measures_of=measures_of, measures_by_kind=by_kind)


def _search_indexes(writer: BulkWriter, *, drop: bool) -> None:
    """Bulk loads skip the per-row search index upkeep; the indexes are built once at the end.

    SQLite: the FTS insert triggers are dropped, then the trigram table rebuilt and the table of
    characters and pairs (``subjects/grams.py``) filled.  PostgreSQL: the two GIN indexes on names
    are dropped and created again (one build is far cheaper than a million insertions).
    """
    if writer.dialect == "postgresql":
        statements = ["DROP INDEX IF EXISTS ix_subjects_name_trgm", POSTGRES_GRAMS_DROP[0]] if drop else [
            *POSTGRES_SEARCH_DDL, *POSTGRES_GRAMS_DDL]
        for statement in statements:
            writer.connection.exec_driver_sql(statement)
        return
    if writer.dialect != "sqlite":
        return
    if drop:
        writer.connection.exec_driver_sql("DROP TRIGGER IF EXISTS subjects_fts_insert")
        writer.connection.exec_driver_sql("DROP TRIGGER IF EXISTS subjects_grams_insert")
        return
    writer.connection.exec_driver_sql("INSERT INTO subjects_fts(subjects_fts) VALUES('rebuild')")
    writer.connection.exec_driver_sql("INSERT INTO subjects_grams(subjects_grams) VALUES('delete-all')")
    writer.connection.exec_driver_sql(SQLITE_GRAMS_FILL)
    for statement in SQLITE_SEARCH_DDL + SQLITE_GRAMS_DDL:
        writer.connection.exec_driver_sql(statement)


def _advance_postgres_sequences(writer: BulkWriter) -> None:
    """Rows were inserted with explicit ids: move each id sequence past them, so that the
    application's own inserts (an import, a new entry) do not collide with generated rows."""
    if writer.dialect != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not isinstance(column.type, sa.Integer) or not column.primary_key:
            continue
        writer.connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
            f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"
        )


def generate(subjects: int, seed: int, today: date, progress=lambda message: None, *,
             copy: bool | None = None) -> dict[str, int]:
    """Insert the synthetic data set and commit; returns the row counts per table.  ``copy``:
    PostgreSQL's rows through COPY (the default) or INSERT."""
    for step in SEED_STEPS.ordered():
        step.run()
    db.session.commit()
    if db.session.scalar(sa.select(Subject.id).where(Subject.identifier.like(SYNTHETIC_MARK)).limit(1)):
        raise AlreadyGenerated("this database already holds generated data; use a fresh database")
    writer = BulkWriter(copy)
    if writer.dialect == "sqlite":
        writer.connection.exec_driver_sql("PRAGMA cache_size=-200000")
    ctx = _context(random.Random(seed), today, writer)
    steps = [("subjects", lambda: _subjects(ctx, subjects)),
             ("list entries", lambda: _entries(ctx)),
             ("disclosures", lambda: _disclosures(ctx)),
             ("cases", lambda: _cases(ctx)),
             ("objections", lambda: _objections(ctx)),
             ("repairs", lambda: _repairs(ctx)),
             ("evaluations", lambda: _evaluations(ctx))]
    _search_indexes(writer, drop=True)
    try:
        for label, step in steps:
            step()
            progress(f"{label}: done")
    finally:
        _search_indexes(writer, drop=False)
    _advance_postgres_sequences(writer)
    db.session.commit()
    _analyse()
    return dict(writer.counts)


def _analyse() -> None:
    """Fresh planner statistics for the new volumes.  On PostgreSQL VACUUM too, as a migration from
    the old system would end: it marks the loaded pages all-visible (autovacuum would, later), and
    until then every read of a row also checks and sets its visibility (a walk of 10,000 subjects
    took 2.4 ms instead of 0.9)."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
