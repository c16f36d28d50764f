"""The measures list and the object list: admin-only, audited, bad input refused with a message."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from registry.cases.measures import save_measure
from registry.core.audit import history
from registry.core.errors import PermissionDenied, ValidationFailed
from registry.listing.models import ListKind, Measure
from tests.conftest import count


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _fields(make, **overrides):
    values = {
        "code": "hb-09",
        "list_kind": "black",
        "description": "限制参与交通运输领域政府采购",
        "legal_basis": "《中华人民共和国政府采购法》",
        "implementing_department": "省交通运输厅财务处",
        "is_active": True,
        "category_ids": [make.category("公路建设市场严重失信").id, make.category("安全生产失信").id],
    }
    values.update(overrides)
    return values


def test_an_admin_adds_a_measure_with_its_object_list_audited(make):
    admin = make.user("admin", unit="FGC")
    measure = save_measure(None, actor=admin, **_fields(make))
    assert measure.code == "HB-09" and measure.list_kind is ListKind.BLACK
    assert {c.name for c in measure.categories} == {"公路建设市场严重失信", "安全生产失信"}
    assert measure in make.category("安全生产失信").measures
    event = history("measure", measure.id)[-1]
    assert event.action == "measure.create"
    assert event.details_dict["categories"] == [[], ["公路建设市场严重失信", "安全生产失信"]]


def test_editing_the_object_list_is_audited_with_before_and_after(make):
    admin = make.user("admin", unit="FGC")
    measure = make.measure("HB-07")
    before = {"description": measure.description, "legal_basis": measure.legal_basis,
              "implementing_department": measure.implementing_department}
    ids = [make.category("严重超限超载").id, make.category("道路运输严重失信").id]
    save_measure(measure, actor=admin, **_fields(make, code="HB-07", category_ids=ids, **before))
    assert {c.name for c in measure.categories} == {"严重超限超载", "道路运输严重失信"}
    event = history("measure", measure.id)[-1]
    assert event.action == "measure.update"
    assert event.details_dict == {"categories": [["严重超限超载"], ["严重超限超载", "道路运输严重失信"]]}
    save_measure(measure, actor=admin, **_fields(make, code="HB-07", category_ids=ids, **before))
    assert history("measure", measure.id)[-1].id == event.id  # nothing changed: no event


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor"])
def test_only_an_admin_changes_the_measures_list(make, role):
    with pytest.raises(PermissionDenied):
        save_measure(None, actor=make.user(role), **_fields(make))
    assert count(Measure, Measure.code == "HB-09") == 0


@pytest.mark.parametrize(
    "overrides,field,words",
    [
        ({"code": "HB-01"}, "code", "already has the code HB-01"),
        ({"code": "hb 01!"}, "code", "letters, digits and hyphens"),
        ({"code": ""}, "code", "letters, digits and hyphens"),
        ({"list_kind": "grey"}, "list_kind", "red or the black list"),
        ({"description": "  "}, "description", "Enter the description"),
        ({"legal_basis": "法" * 2001}, "legal_basis", "at most 2000 characters"),
        ({"category_ids": [999999]}, "category_ids", "Unknown category"),
        ({"category_ids": ["x"]}, "category_ids", "Unknown category"),
        ({"category_ids": ["99999999999999999999"]}, "category_ids", "Unknown category"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(make, overrides, field, words):
    with pytest.raises(ValidationFailed) as error:
        save_measure(None, actor=make.user("admin", unit="FGC"), **_fields(make, **overrides))
    assert error.value.field == field and words in str(error.value.message)
    assert count(Measure, Measure.code == "HB-09") == 0


def test_a_category_of_the_other_list_is_refused(make):
    red = make.category("道路运输守信")
    with pytest.raises(ValidationFailed) as error:
        save_measure(None, actor=make.user("admin", unit="FGC"), **_fields(make, category_ids=[red.id]))
    assert error.value.field == "category_ids"
    assert "道路运输守信" in str(error.value.message) and "its own list" in str(error.value.message)


def test_the_list_of_an_applied_measure_cannot_change(make):
    make.case("published", measures=("HB-01",))
    measure = make.measure("HB-01")
    with pytest.raises(ValidationFailed) as error:
        save_measure(measure, actor=make.user("admin", unit="FGC"),
                     **_fields(make, code="HB-01", list_kind="red", category_ids=[]))
    assert error.value.field == "list_kind"
    assert measure.list_kind is ListKind.BLACK
