"""The handling steps objections and repair applications share (``applications.handling``).

Every step tried from every state, for both kinds: the allowed ones move the application where
PRODUCT §6 and §7 say, the others are refused with nothing changed (state, version, audit log).
The table below is written from the product's rules, not read from the code:

- received (提交): the unit accepts it, asks for material, or prepares a rejection as inadmissible;
- waiting for material: only a rejection as inadmissible may be prepared (acceptance waits for it);
- accepted: an officer prepares the decision;
- decision prepared: a reviewer who did not prepare it confirms it or returns it (back to accepted);
- inadmissible, decided: final, nothing more.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from registry.applications import handling
from registry.applications.handling import Applicant, checked_applicant
from registry.applications.models import ApplicationStatus
from registry.core.audit import AuditEvent
from registry.core.errors import InvalidTransition, PermissionDenied, StaleRecord, ValidationErrors, ValidationFailed
from registry.objections import operations as objections
from registry.repairs import operations as repairs
from tests.conftest import count
from tests.factories.core import valid_uscc

S = ApplicationStatus
KINDS = {"objection": (objections.HANDLING, objections.HOLD, "dismissed"),
         "repair": (repairs.HANDLING, repairs.HOLD, "rejected")}

# state reached before the step -> {step: state after it, or None when refused}
STEPS = ("accept", "request_material", "prepare_reject", "prepare_decision", "confirm_decision",
         "return_decision", "confirm_rejection")
EXPECTED = {
    "received": {"accept": S.ACCEPTED, "request_material": S.MATERIAL_REQUESTED, "prepare_reject": S.SUBMITTED},
    "waiting for material": {"prepare_reject": S.MATERIAL_REQUESTED},
    "rejection prepared": {"confirm_rejection": S.INADMISSIBLE},
    "accepted": {"prepare_decision": S.PENDING_REVIEW},
    "decision prepared": {"confirm_decision": S.DECIDED, "return_decision": S.ACCEPTED},
    "inadmissible": {},
    "decided": {},
}


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _file(make, kind):
    if kind == "objection":
        application, _code = make.objection()
    else:
        application, _code = make.repair(make.repairable_entry())
    return application


def _officers(make, application):
    unit = application.unit.code
    return make.user("clerk", unit=unit), make.user("reviewer", unit=unit)


def _do(step, kind, application, clerk, reviewer):
    spec, hold, outcome = KINDS[kind]
    version = application.version
    if step == "accept":
        handling.accept(spec, application, clerk, version)
    elif step == "request_material":
        handling.request_material(spec, application, clerk, version, "请补充整改完成的证明材料。")
    elif step == "prepare_reject":
        handling.reject_inadmissible(spec, application, clerk, version, "申请人不是信用主体本人或其代理人。", hold)
    elif step == "prepare_decision":
        handling.prepare_decision(spec, application, clerk, version, outcome, "经核查，申请理由不成立。")
    elif step == "confirm_decision":
        handling.confirm_decision(spec, application, reviewer, version, hold)
    elif step == "return_decision":
        handling.return_decision(spec, application, reviewer, version, "理由需写明依据。")
    elif step == "confirm_rejection":
        handling.confirm_rejection(spec, application, reviewer, version, hold)


PATHS = {  # how each state is reached from a new application, by the steps above
    "received": [],
    "waiting for material": ["request_material"],
    "rejection prepared": ["prepare_reject"],
    "accepted": ["accept"],
    "decision prepared": ["accept", "prepare_decision"],
    "inadmissible": ["prepare_reject", "confirm_rejection"],
    "decided": ["accept", "prepare_decision", "confirm_decision"],
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("state", list(EXPECTED))
@pytest.mark.parametrize("step", STEPS)
def test_every_step_from_every_state(make, db, kind, state, step):
    application = _file(make, kind)
    clerk, reviewer = _officers(make, application)
    for earlier in PATHS[state]:
        _do(earlier, kind, application, clerk, reviewer)
    expected = EXPECTED[state].get(step)
    before = (application.status, application.version, count(AuditEvent))
    if expected is None:
        with pytest.raises(InvalidTransition):
            _do(step, kind, application, clerk, reviewer)
        db.session.refresh(application)
        assert (application.status, application.version, count(AuditEvent)) == before
    else:
        _do(step, kind, application, clerk, reviewer)
        db.session.refresh(application)
        assert application.status is expected
        assert application.version == before[1] + 1
        assert count(AuditEvent) > before[2]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_prepared_rejection_waits_for_a_second_officer(make, db, kind):
    application = _file(make, kind)
    clerk, reviewer = _officers(make, application)
    _do("prepare_reject", kind, application, clerk, reviewer)
    assert application.status is S.SUBMITTED and application.rejection_prepared
    spec, hold, _outcome = KINDS[kind]
    with pytest.raises(PermissionDenied):  # the clerk may not confirm (not a reviewer)
        handling.confirm_rejection(spec, application, clerk, application.version, hold)
    preparing_reviewer = make.user("reviewer", unit=application.unit.code)
    other = _file(make, kind)
    handling.reject_inadmissible(spec, other, preparing_reviewer, other.version, "不属于受理范围。", hold)
    with pytest.raises(PermissionDenied, match="four-eyes"):  # nor may the reviewer who prepared it
        handling.confirm_rejection(spec, other, preparing_reviewer, other.version, hold)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_preparer_and_other_units_may_not_confirm_a_decision(make, db, kind):
    application = _file(make, kind)
    clerk, reviewer = _officers(make, application)
    spec, hold, outcome = KINDS[kind]
    handling.accept(spec, application, reviewer, application.version)
    handling.prepare_decision(spec, application, reviewer, application.version, outcome, "理由不成立。")
    with pytest.raises(PermissionDenied, match="four-eyes"):
        handling.confirm_decision(spec, application, reviewer, application.version, hold)
    stranger = make.user("reviewer", unit="CS" if application.unit.code != "CS" else "JJC")
    with pytest.raises(PermissionDenied):
        handling.confirm_decision(spec, application, stranger, application.version, hold)
    with pytest.raises(PermissionDenied):
        handling.confirm_decision(spec, application, clerk, application.version, hold)
    assert application.status is S.PENDING_REVIEW


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_officer_of_another_unit_may_not_handle_it(make, db, kind):
    application = _file(make, kind)
    stranger = make.user("clerk", unit="CS" if application.unit.code != "CS" else "JJC")
    spec, _hold, _outcome = KINDS[kind]
    with pytest.raises(PermissionDenied):
        handling.accept(spec, application, stranger, application.version)
    assert application.status is S.SUBMITTED


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_step_on_an_old_version_is_refused(make, db, kind):
    application = _file(make, kind)
    clerk, _reviewer = _officers(make, application)
    spec, _hold, _outcome = KINDS[kind]
    old = application.version
    handling.request_material(spec, application, clerk, old, "请补充材料。")
    with pytest.raises(StaleRecord):
        handling.accept(spec, application, clerk, old)


def test_a_prepared_rejection_blocks_acceptance_until_decided(make, db):
    application = _file(make, "objection")
    clerk, reviewer = _officers(make, application)
    _do("prepare_reject", "objection", application, clerk, reviewer)
    for step in ("accept", "request_material", "prepare_reject"):
        with pytest.raises(InvalidTransition, match="waiting for a reviewer"):
            _do(step, "objection", application, clerk, reviewer)
    handling.return_rejection(objections.HANDLING, application, reviewer, application.version, "材料齐全，应受理。")
    assert not application.rejection_prepared
    _do("accept", "objection", application, clerk, reviewer)
    assert application.status is S.ACCEPTED


def test_material_sent_withdraws_a_rejection_prepared_without_it(make, db):
    from tests.factories.objections import pdf_upload

    application = _file(make, "objection")
    clerk, reviewer = _officers(make, application)
    _do("request_material", "objection", application, clerk, reviewer)
    _do("prepare_reject", "objection", application, clerk, reviewer)
    handling.add_material(objections.HANDLING, application, [pdf_upload(purpose="material")], "补充的证明。")
    db.session.refresh(application)
    assert application.status is S.SUBMITTED and not application.rejection_prepared


def _applicant(**fields) -> Applicant:
    values = {"kind": "organisation", "name": "湖南测试有限公司", "identifier": valid_uscc(),
              "phone": "0731-88880000", "email": None}
    values.update(fields)
    return Applicant(**values)


def test_a_valid_applicant_is_kept_as_typed_and_normalised(db):
    uscc = valid_uscc()
    columns = checked_applicant(_applicant(identifier=f" {uscc.lower()} ", email=" a@b.cn "))
    assert columns["applicant_identifier"] == uscc
    assert columns["email"] == "a@b.cn"
    assert columns["phone"] == "0731-88880000"


@pytest.mark.parametrize(("fields", "field"), [
    ({"kind": "vehicle"}, "applicant_kind"),
    ({"name": "  "}, "applicant_name"),
    ({"identifier": "WRONG-CHECK"}, "applicant_identifier"),  # a valid code with another check character
    ({"phone": ""}, "phone"),
    ({"phone": "call me"}, "phone"),
    ({"email": "not-an-address"}, "email"),
])
def test_each_applicant_problem_names_its_field(db, fields, field):
    if fields.get("identifier") == "WRONG-CHECK":
        good = valid_uscc()
        fields = {"identifier": good[:-1] + ("0" if good[-1] != "0" else "1")}
    with pytest.raises((ValidationFailed, ValidationErrors)) as caught:
        checked_applicant(_applicant(**fields))
    error = caught.value
    fields_named = [e.field for e in getattr(error, "errors", [error])]
    assert field in fields_named


def test_every_applicant_problem_at_once(db):
    with pytest.raises(ValidationErrors) as caught:
        checked_applicant(_applicant(name="", phone="x", email="@"))
    assert {e.field for e in caught.value.errors} == {"applicant_name", "phone", "email"}
