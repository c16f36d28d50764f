"""The access-control matrix (PRODUCT §1, §13): every route of ``app.url_map`` against every role.

Each endpoint is classified below: who may GET it, who may POST to it, and whether it shows a
record of one unit (an officer of another unit then gets 404, so the record's existence does not
leak).  A route the matrix does not classify fails ``test_every_route_is_classified``: a new page
cannot appear unguarded.

For every endpoint one test signs in as each role in turn (anonymous, an officer of a foreign
unit, auditor, clerk, reviewer, admin: those who may not act go first) and checks:

- anonymous: officer pages redirect to ``/login?next=…``; JSON under ``/api`` answers 401;
- a role that may not: 403 or 404 for a GET; for a POST 403/404, or a refusal (redirect with a
  flash) that writes *nothing*: no audit event is appended (every change in the registry writes
  one, so this is the "nothing changed" test);
- a role that may: 200 for a GET (or the codes listed for that route), never a 500;
- an officer of the foreign unit (CS clerk) on a unit-scoped record of JJC: 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from registry.core.audit import AuditEvent
from tests.factories import TEST_PASSWORD, valid_uscc
from tests.factories.objections import PDF

CLERK, REVIEWER, ADMIN, AUDITOR = "clerk", "reviewer", "admin", "auditor"
ALL = frozenset({CLERK, REVIEWER, ADMIN, AUDITOR})
UNIT = frozenset({CLERK, REVIEWER})
SEE_ALL = frozenset({ADMIN, AUDITOR})
ONLY_ADMIN = frozenset({ADMIN})
NOBODY = frozenset()
FAST_HASH = generate_password_hash(TEST_PASSWORD, method="pbkdf2:sha256:1")
PUBLIC = "public"  # anyone, signed in or not
API_KEY = "api-key"  # anonymous callers need an API key: 401 without one


@dataclass(frozen=True)
class Access:
    get: frozenset | str | None = None  # roles that may GET (None: no GET route)
    post: frozenset | str | None = None  # roles that may POST (None: no POST route)
    scoped: bool = False  # shows a JJC record: the CS officer gets 404
    args: dict = field(default_factory=dict)  # URL values; strings name attributes of the world
    ok: tuple = (200,)  # statuses an allowed GET may answer
    data: dict = field(default_factory=dict)  # POST payload
    needs_code: bool = False  # public, but only with the applicant's access code: never 200 without


def world_ref(name: str) -> str:
    return f"@{name}"


W = world_ref
ENTRY, CASE, DISCLOSURE, EVALUATION = W("entry"), W("case"), W("disclosure"), W("evaluation")
OBJECTION, REPAIR = W("objection"), W("repair")
DECISION = {"version": "1", "comment": "请补充材料。", "reason": "撤销", "progress": "完成"}

MATRIX: dict[str, Access] = {
    # ---- public ----
    "static": Access(get=PUBLIC, args={"filename": "registry.css"}),
    "public.home": Access(get=PUBLIC),
    "public.favicon": Access(get=PUBLIC),
    "public.red_list": Access(get=PUBLIC),
    "public.black_list": Access(get=PUBLIC),
    "public.list_csv": Access(get=PUBLIC, args={"slug": "black"}),
    "public.evaluations": Access(get=PUBLIC),
    "public.evaluations_csv": Access(get=PUBLIC),
    "public.audit_heads": Access(get=PUBLIC),
    "public.subject": Access(get=PUBLIC, args={"subject_id": W("published_subject")}),
    "accounts.login": Access(get=PUBLIC, post=PUBLIC, ok=(200, 302)),
    "accounts.logout": Access(post=PUBLIC),
    "cases.typical": Access(get=PUBLIC),
    "catalogue.public": Access(get=PUBLIC),
    "catalogue.download": Access(get=PUBLIC, args={"ext": "csv"}),
    "disclosures.public_index": Access(get=PUBLIC),
    "disclosures.public_show": Access(get=PUBLIC, args={"disclosure_id": W("published_disclosure")}),
    "public.subject_report": Access(get=PUBLIC, args={"subject_id": W("published_subject")}),
    "public.identifier_report": Access(get=PUBLIC, args={"identifier": W("published_identifier")}),
    "documents.verify": Access(get=PUBLIC, args={"code": "NOSUCHCODE"}, ok=(404,)),
    "documents.verify_form": Access(get=PUBLIC),
    # Probes for load balancers; /metrics is refused by client address instead (tests/monitoring/test_monitoring.py),
    # and the test client's address is loopback, which may read it.
    "monitoring.healthz": Access(get=PUBLIC),
    "monitoring.readyz": Access(get=PUBLIC, ok=(200, 503)),
    "monitoring.metrics_page": Access(get=PUBLIC),
    "objections.new": Access(get=PUBLIC, post=PUBLIC),
    "objections.lookup": Access(get=PUBLIC, post=PUBLIC),
    "objections.status": Access(get=PUBLIC, args={"receipt": W("objection_receipt")}, needs_code=True),
    # The page after filing: the access code again only in the browser that filed.
    "objections.filed": Access(get=PUBLIC, args={"receipt": W("objection_receipt")}, needs_code=True),
    "objections.applicant_file": Access(get=PUBLIC, args={"receipt": W("objection_receipt"),
                                                          "file_id": W("objection_file")}, needs_code=True),
    "objections.applicant_notice": Access(get=PUBLIC, args={"receipt": W("objection_receipt")}, needs_code=True),
    "objections.applicant_receipt": Access(get=PUBLIC, args={"receipt": W("objection_receipt")}, needs_code=True),
    "objections.material": Access(post=PUBLIC, args={"receipt": W("objection_receipt")}, needs_code=True),
    "repairs.new": Access(get=PUBLIC, post=PUBLIC),
    "repairs.lookup": Access(get=PUBLIC, post=PUBLIC),
    "repairs.status": Access(get=PUBLIC, args={"receipt": W("repair_receipt")}, needs_code=True),
    "repairs.filed": Access(get=PUBLIC, args={"receipt": W("repair_receipt")}, needs_code=True),
    "repairs.applicant_file": Access(get=PUBLIC, args={"receipt": W("repair_receipt"),
                                                      "file_id": W("repair_file")}, needs_code=True),
    "repairs.applicant_notice": Access(get=PUBLIC, args={"receipt": W("repair_receipt")}, needs_code=True),
    "repairs.applicant_receipt": Access(get=PUBLIC, args={"receipt": W("repair_receipt")}, needs_code=True),
    "repairs.material": Access(post=PUBLIC, args={"receipt": W("repair_receipt")}, needs_code=True),
    # ---- the API: public documents, the rest needs a key ----
    "api.index": Access(get=PUBLIC),
    "api.openapi": Access(get=PUBLIC),
    "api.credit": Access(get=API_KEY, args={"identifier": W("published_identifier")}),
    "api.credit_report": Access(get=API_KEY, args={"identifier": W("published_identifier")}),
    "api.credit_batch": Access(post=API_KEY),
    "api.changes": Access(get=API_KEY),
    "api.subjects": Access(get=API_KEY),
    "api.watchlist.add": Access(post=API_KEY),
    "api.watchlist.remove": Access(post=API_KEY),
    "api.watchlist.listing": Access(get=API_KEY),
    "api.watchlist.changes": Access(get=API_KEY),
    # ---- every officer ----
    "workbench.index": Access(get=ALL),
    "review.queue": Access(get=ALL),
    "review.decide": Access(post=frozenset({REVIEWER}),
                            args={"kind": "list_entry", "item_id": ENTRY, "decision": "approve"},
                            data={"version": "1"}),
    # cancelling a removal: only its preparer (an officer of the unit); others are refused or find nothing
    "review.cancel_removal": Access(post=UNIT, scoped=True, args={"request_id": W("removal")}, data=DECISION),
    "checks.dashboard": Access(get=ALL),
    "catalogue.coverage_page": Access(get=ALL),
    "subjects.index": Access(get=ALL),
    "subjects.show": Access(get=ALL, args={"subject_id": W("subject")}),
    # Registering a subject is a change: clerks, reviewers and admins, never the (read-only) auditor.
    "subjects.create": Access(get=ALL, post=UNIT | ONLY_ADMIN,
                              data={"kind": "organisation", "identifier": valid_uscc, "name": "矩阵测试有限公司"}),
    # list entries
    "listing.index": Access(get=ALL),
    "listing.create": Access(get=UNIT, post=UNIT),
    "listing.show": Access(get=ALL, scoped=True, args={"entry_id": ENTRY}),
    "listing.edit": Access(get=UNIT, post=UNIT, scoped=True, args={"entry_id": W("draft_entry")}),
    "listing.decide": Access(post=frozenset({REVIEWER}), scoped=True, args={"entry_id": ENTRY, "action": "approve"},
                             data={"version": "1"}),
    # disclosures
    "disclosures.index": Access(get=ALL),
    "disclosures.create": Access(get=UNIT, post=UNIT),
    "disclosures.show": Access(get=ALL, scoped=True, args={"disclosure_id": DISCLOSURE}),
    "disclosures.edit": Access(get=UNIT, post=UNIT, scoped=True, args={"disclosure_id": W("draft_disclosure")}),
    "disclosures.correct": Access(get=UNIT, post=UNIT, scoped=True,
                                  args={"disclosure_id": W("published_disclosure")}),
    "disclosures.decide": Access(post=frozenset({REVIEWER}), scoped=True,
                                 args={"disclosure_id": DISCLOSURE, "action": "approve"}, data={"version": "1"}),
    "disclosures.import_page": Access(get=UNIT, post=UNIT),
    "disclosures.import_report": Access(get=ALL, args={"token": "0" * 32}, ok=(404,)),
    "disclosures.import_template": Access(get=ALL, args={"fmt": "csv"}),
    # cases
    "cases.index": Access(get=ALL),
    "cases.create": Access(get=UNIT, post=UNIT),
    "cases.show": Access(get=ALL, scoped=True, args={"case_id": CASE}),
    "cases.edit": Access(get=UNIT, post=UNIT, scoped=True, args={"case_id": W("draft_case")}),
    "cases.decide": Access(post=frozenset({REVIEWER}), scoped=True, args={"case_id": CASE, "action": "approve"},
                           data={"version": "1"}),
    "cases.effectiveness_page": Access(get=ALL),
    "cases.effectiveness_xlsx": Access(get=ALL, args={"month_text": "2026-01"}),
    "cases.effectiveness_pdf": Access(get=ALL, args={"month_text": "2026-01"}),
    # evaluations and commitments
    "evaluations.index": Access(get=ALL),
    "evaluations.create": Access(get=UNIT, post=UNIT),
    "evaluations.show": Access(get=ALL, scoped=True, args={"evaluation_id": EVALUATION}),
    "evaluations.edit": Access(get=UNIT, post=UNIT, scoped=True, args={"evaluation_id": W("draft_evaluation")}),
    "evaluations.decide": Access(post=frozenset({REVIEWER}), scoped=True,
                                 args={"evaluation_id": EVALUATION, "action": "approve"}, data={"version": "1"}),
    "evaluations.import_file": Access(get=UNIT, post=UNIT),
    "evaluations.import_template": Access(get=ALL, args={"ext": "csv"}),
    "commitments.index": Access(get=ALL),
    "commitments.create": Access(get=UNIT, post=UNIT),
    # Signed commitments are read across units (the index offers "all units"); only the unit records a breach.
    "commitments.show": Access(get=ALL, post=UNIT, args={"commitment_id": W("commitment")},
                               data={"action": "breach", "breach-breached_on": "2026-04-02", "breach-note": "违约"}),
    # The signed letter is an upload: its unit's officers and those who read every unit.
    "commitments.download": Access(get=ALL, scoped=True, args={"commitment_id": W("commitment")}),
    # objections and repairs, officer side
    "objections.officer_index": Access(get=ALL),
    "objections.officer_show": Access(get=ALL, scoped=True, args={"application_id": OBJECTION}),
    "objections.officer_act": Access(post=UNIT, scoped=True,
                                     args={"application_id": OBJECTION, "action": "accept"}, data=DECISION),
    # Uploaded evidence: whoever may read the application and its file list (PRODUCT §13).
    "objections.officer_file": Access(get=ALL, scoped=True,
                                      args={"application_id": OBJECTION, "file_id": W("objection_file")}),
    "objections.officer_notice": Access(get=ALL, scoped=True, args={"application_id": OBJECTION}, ok=(404, 409)),
    "repairs.officer_index": Access(get=ALL),
    "repairs.officer_show": Access(get=ALL, scoped=True, args={"application_id": REPAIR}),
    "repairs.officer_act": Access(post=UNIT, scoped=True,
                                  args={"application_id": REPAIR, "action": "accept"}, data=DECISION),
    "repairs.officer_file": Access(get=ALL, scoped=True,
                                   args={"application_id": REPAIR, "file_id": W("repair_file")}),
    "repairs.officer_notice": Access(get=ALL, scoped=True, args={"application_id": REPAIR}, ok=(404, 409)),
    "documents.officer_notice": Access(get=ALL, scoped=True,
                                       args={"kind_name": "list_entry", "record_id": W("published_entry")}),
    # the work ledger
    "ledger.index": Access(get=ALL),
    "ledger.assignment": Access(get=ALL, post=UNIT, scoped=True, args={"assignment_id": W("assignment")},
                                data={"month": "1", "progress": "完成目录梳理"}),
    "ledger.acknowledge": Access(post=NOBODY, args={"report_id": W("ledger_report")}, data={"revision": "1"}),
    "ledger.acknowledgements": Access(get=NOBODY),
    "ledger.bulletin_page": Access(get=ALL),
    "ledger.bulletin_file": Access(get=ALL, args={"year": 2026, "quarter": 1, "ext": "xlsx"}),
    "ledger.copy_year": Access(post=ONLY_ADMIN, data={"from_year": "2019", "to_year": "2031"}),
    "ledger.task_form": Access(get=ONLY_ADMIN, post=ONLY_ADMIN),
    # ---- administration: admins change, auditors read ----
    "accounts.users": Access(get=SEE_ALL),
    "accounts.units": Access(get=SEE_ALL),
    "admin.penalty_severity": Access(get=SEE_ALL, post=ONLY_ADMIN,
                                     data={"penalty_type": "other", "keyword": "矩阵", "min_severity": "general",
                                           "rule": "矩阵规则", "action": "save"}),
    "accounts.unit_edit": Access(get=SEE_ALL, post=ONLY_ADMIN, args={"unit_id": W("target_unit")},
                                 data={"issuing_name": "岳阳市交通运输局", "seal_text": "岳阳市交通运输局",
                                       "reconsideration_body": "岳阳市人民政府", "court": "岳阳市岳阳楼区人民法院"}),
    "accounts.user_create": Access(get=ONLY_ADMIN, post=ONLY_ADMIN),
    "accounts.user_edit": Access(get=ONLY_ADMIN, post=ONLY_ADMIN, args={"user_id": W("target_user")},
                                 data={"unit": "CS", "role": "reviewer", "is_active": "y"}),
    "accounts.user_password": Access(post=ONLY_ADMIN, args={"user_id": W("target_user")},
                                     data={"pw-password": "a-new-long-password"}),
    "admin.settings_page": Access(get=SEE_ALL, post=ONLY_ADMIN),
    "admin.calendar": Access(get=SEE_ALL, post=ONLY_ADMIN,
                             data={"day": "2031-10-08", "kind": "holiday", "note": "矩阵"}),
    "admin.calendar_delete": Access(post=ONLY_ADMIN, args={"day": "2031-10-09"}),
    "admin.calendar_apply": Access(post=ONLY_ADMIN),
    "admin.calendar_arrangement": Access(post=ONLY_ADMIN, args={"year": 2031}, data={"action": "declare"}),
    "admin.audit_log": Access(get=SEE_ALL),
    "admin.audit_csv": Access(get=SEE_ALL),
    "api.apikeys.index": Access(get=SEE_ALL, post=ONLY_ADMIN,
                                data={"name": "矩阵系统", "scopes": "credit:read", "rate_limit": "10/minute"}),
    "api.apikeys.show": Access(get=SEE_ALL, args={"key_id": W("api_key")}),
    "api.apikeys.revoke": Access(post=ONLY_ADMIN, args={"key_id": W("api_key")}),
    "watch.index": Access(get=SEE_ALL),
    "watch.key_page": Access(get=SEE_ALL, post=ONLY_ADMIN, args={"key_id": W("api_key")},
                             data={"url": "https://matrix.example.cn/hooks"}),
    "watch.rotate": Access(post=ONLY_ADMIN, args={"key_id": W("api_key")}),
    "watch.test_event": Access(post=ONLY_ADMIN, args={"key_id": W("api_key")}),
    "catalogue.admin_index": Access(get=SEE_ALL),
    "catalogue.edit": Access(get=ONLY_ADMIN, post=ONLY_ADMIN),
    "cases.measures": Access(get=SEE_ALL),
    "cases.measure": Access(get=SEE_ALL, post=ONLY_ADMIN),
    "listing.categories": Access(get=SEE_ALL),
    "listing.category": Access(get=SEE_ALL, post=ONLY_ADMIN),
    "oversight.compliance": Access(get=SEE_ALL),
    "oversight.report": Access(get=SEE_ALL, args={"period": "2026-01", "fmt": "xlsx"}),
    "exchange.batches": Access(get=SEE_ALL),
    # ---- supervision (PRODUCT §16): the rules for administrators (auditors read), plans and results
    # for the unit's officers, the published plans and results for everyone
    "supervision.rules": Access(get=SEE_ALL),
    "supervision.new_rules": Access(get=ONLY_ADMIN, post=ONLY_ADMIN, ok=(200,)),
    "supervision.items": Access(get=ALL, post=UNIT),
    "supervision.plans": Access(get=ALL),
    "supervision.new_plan": Access(get=UNIT, post=UNIT),
    "supervision.plan": Access(get=ALL, post=UNIT, scoped=True, args={"plan_id": W("plan")}),
    "supervision.record_result": Access(post=UNIT, scoped=True, args={"plan_id": W("plan"), "member_id": 1}),
    "supervision.inspectors": Access(get=ALL, post=UNIT),
    "supervision.assigned": Access(get=ALL),
    "supervision.population_file": Access(get=ALL, args={"plan_id": W("plan"), "number": 1}, ok=(404,)),
    "supervision.public_index": Access(get=PUBLIC),
    "supervision.public_plan": Access(get=PUBLIC, args={"plan_id": W("plan")}, ok=(404,)),
    "supervision.public_results_xlsx": Access(get=PUBLIC, args={"plan_id": W("plan")}, ok=(404,)),
    "api.supervision_api.supervision_class": Access(get=API_KEY, args={"identifier": W("published_identifier")}),
    # ---- the integration contract (docs/INTEGRATION.md)
    "api.snapshot.snapshot_csv": Access(get=API_KEY),
    "api.snapshot.snapshot_jsonl": Access(get=API_KEY),
    "api.watchlist.given_up": Access(get=API_KEY),
    "api.watchlist.redeliver": Access(post=API_KEY),
    "api.watchlist.test_event": Access(post=API_KEY),
    "watch.redeliver": Access(post=ONLY_ADMIN, args={"key_id": W("api_key")}),
}

def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - MATRIX.keys())
    assert not unclassified, f"routes with no access rule in tests/security/test_access_matrix.py: {unclassified}"
    assert not sorted(MATRIX.keys() - endpoints), "the matrix names endpoints that no longer exist"


def test_every_classified_method_exists(app):
    for rule in app.url_map.iter_rules():
        access = MATRIX[rule.endpoint]
        if "POST" in rule.methods:
            assert access.post is not None, f"POST {rule.rule}: the matrix does not say who may"
        if "GET" in rule.methods:
            assert access.get is not None, f"GET {rule.rule}: the matrix does not say who may"


# ---------------------------------------------------------------------------------------------
# The world: one record of each kind in unit JJC, and officers of every role


@pytest.fixture
def world(db, make, frozen):
    from registry.applications.models import ApplicationFile
    from registry.applications.targets import target_key
    from registry.commitments import operations as commitment_ops
    from registry.core.removals import prepare_removal
    from registry.ledger import operations as ledger_ops

    clerk = make.user(CLERK, unit="JJC")
    published_entry = make.entry("published", creator=clerk)
    repairable = make.repairable_entry(unit="JJC")
    objection, _code = make.objection(make.entry("published", unit="JJC"))
    repair, _code2 = make.repair(repairable)
    draft_case = make.case("draft", creator=clerk)
    disclosure = make.disclosure("pending_review", created_by=clerk)
    published_disclosure = make.disclosure("published", created_by=clerk)
    task = make.ledger_task(units=("JJC",), year=2026)
    assignment = task.assignments[0]
    with frozen(date(2026, 2, 3)):
        report = ledger_ops.submit_report(assignment, actor=clerk, month=1, progress="完成").report
    commitment = commitment_ops.record_commitment(
        actor=clerk, subject=make.subject(), kind="bidding", signed_on=date(2026, 4, 1), matter="招标",
        file_data=PDF, filename="承诺书.pdf")
    key_row, _raw = make.api_key()
    removable = make.entry("published", creator=clerk)
    removal = prepare_removal(removable, actor=clerk, expected_version=removable.version, reason="撤销")

    def first_file(application, kind):
        return db.session.scalar(sa.select(ApplicationFile.id).where(
            ApplicationFile.application_kind == kind, ApplicationFile.application_id == application.id))

    values = {
        "plan": make.inspection_plan(unit="JJC", actor=clerk,  # a draft: not public yet
                                     identifiers=published_entry.subject.identifier).id,
        "entry": make.entry("pending_review", creator=clerk).id,
        "draft_entry": make.entry("draft", creator=clerk).id,
        "published_entry": published_entry.id,
        "published_subject": published_entry.subject_id,
        "published_identifier": published_entry.subject.identifier,
        "subject": make.subject().id,
        "case": make.case("pending_review", creator=clerk).id,
        "draft_case": draft_case.id,
        "disclosure": disclosure.id,
        "draft_disclosure": make.disclosure("draft", created_by=clerk).id,
        "published_disclosure": published_disclosure.id,
        "evaluation": make.evaluation(status="pending_review", created_by=clerk).id,
        "draft_evaluation": make.evaluation(created_by=clerk, year=2023).id,
        "published_evaluation": make.evaluation(status="published", created_by=clerk, year=2022).id,
        "removal": removal.id,
        "commitment": commitment.id,
        "objection": objection.id,
        "objection_receipt": objection.receipt_number,
        "objection_file": first_file(objection, "objection"),
        "repair": repair.id,
        "repair_receipt": repair.receipt_number,
        "repair_file": first_file(repair, "repair"),
        "objection_target": target_key(published_entry),
        "repair_target": target_key(repairable),
        "assignment": assignment.id,
        "ledger_report": report.id,
        "target_user": make.user(CLERK, unit="JJC").id,
        "target_unit": make.unit("YY").id,
        "api_key": key_row.id,
    }
    officers = {
        CLERK: make.user(CLERK, unit="JJC"),
        REVIEWER: make.user(REVIEWER, unit="JJC"),
        ADMIN: make.user(ADMIN, unit="XXZX"),
        AUDITOR: make.user(AUDITOR, unit="XXZX"),
        "foreign": make.user(REVIEWER, unit="CS"),
    }
    for officer in officers.values():  # signed in ~700 times: a cheap hash keeps the matrix fast
        officer.password_hash = FAST_HASH
    db.session.commit()
    return values, officers


def _resolve(value, values):
    if callable(value):  # a fresh value for every request (a new identifier)
        return value()
    return values[value[1:]] if isinstance(value, str) and value.startswith("@") else value


def _url(app, endpoint: str, access: Access, values: dict) -> str:
    args = {name: _resolve(value, values) for name, value in access.args.items()}
    assert all(value is not None for value in args.values()), (endpoint, args)
    return app.url_for(endpoint, _external=False, **args)


def _sign_in(client, user) -> None:
    client.post("/logout")
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
        assert response.status_code == 302


def _changes(db) -> int:
    """Audit events other than signing in and out: every change of the registry writes one."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.notlike("auth.%")))


def _allowed(rule, role: str | None) -> bool:
    if rule == PUBLIC:
        return True
    if rule == API_KEY or role is None:
        return False
    return role in rule


def _expect(app, client, db, endpoint, access, method, role, user, url, values) -> str | None:
    """Return what is wrong with one request, or None."""
    before = _changes(db)
    data = {name: _resolve(value, values) for name, value in access.data.items()}
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    status = response.status_code
    response.close()
    db.session.rollback()
    after = _changes(db)
    rule = access.get if method == "GET" else access.post
    foreign = role == "foreign"
    label = f"{method} {url} as {role or 'anonymous'}: {status}"
    if status >= 500 and status not in access.ok:  # /readyz says 503 by design (the test DB is not migrated)
        return label + " (server error)"
    if role is None and rule not in (PUBLIC,):
        if url.startswith("/api/"):
            return None if status == 401 and response.is_json else label + " (expected a JSON 401)"
        location = urlsplit(response.location or "")
        if status != 302 or location.path != "/login" or parse_qs(location.query).get("next") != [urlsplit(url).path]:
            return label + " (expected a redirect to /login?next=…)"
        return None if after == before else label + " (anonymous request changed something)"
    if access.needs_code and method == "GET":
        return label + " (served without the access code)" if status == 200 else None
    if foreign and access.scoped:
        if status != 404:
            return label + " (another unit's record must be 404)"
        return None if after == before else label + " (changed another unit's record)"
    allowed = _allowed(rule, "reviewer" if foreign else role)
    if allowed:
        if method == "GET" and status not in access.ok:
            return label + f" (expected {access.ok})"
        if method == "POST" and status == 403:
            return label + " (allowed role refused)"
        return None
    if after != before:
        return label + " (a role that may not act changed something)"
    # A refusal is 403/404, or the page (200) or a redirect (302) with the refusal flashed, and nothing written.
    if method == "GET" and status not in (302, 403, 404):
        return label + " (expected 403 or 404)"
    if status == 302 and urlsplit(response.location).path == "/login":
        return label + " (signed out instead of refused)"
    return None


ROLE_ORDER = [None, "foreign", AUDITOR, CLERK, REVIEWER, ADMIN]


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_access(app, client, db, world, endpoint):
    values, officers = world
    access = MATRIX[endpoint]
    if endpoint == "static":
        pytest.skip("static files: served by the web server in production, and public")
    url = _url(app, endpoint, access, values)
    problems = []
    for role in ROLE_ORDER:
        _sign_in(client, officers.get(role) if role else None)
        for method, rule in (("GET", access.get), ("POST", access.post)):
            if rule is None:
                continue
            if role is not None and rule in (PUBLIC, API_KEY):
                continue  # public routes: checked anonymously (and for leaks in test_public_privacy)
            problem = _expect(app, client, db, endpoint, access, method, role, officers.get(role), url, values)
            if problem:
                problems.append(problem)
    assert not problems, "\n".join(problems)
