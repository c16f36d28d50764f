"""Subjects: registering them through the officer form, searching, and the public subject page."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from registry.core.audit import history
from registry.core.errors import ValidationFailed
from registry.core.identifiers import mask_resident_id
from registry.subjects import operations
from registry.subjects.models import Subject
from tests.conftest import count
from tests.factories import valid_resident_id, valid_uscc


def field_error(response, field: str) -> str | None:
    found = re.search(rf'id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return found.group(1).strip() if found else None


def spaced(code: str) -> str:
    return f" {code[:4].lower()} {code[4:10]}-{code[10:].lower()} "


@pytest.fixture
def officer(client, login):
    client.get("/?lang=en")
    return login("clerk")


def post_subject(client, **fields):
    data = {"kind": "organisation", "name": "湖南测试路桥有限公司", "legal_representative": "", "owner_identifier": ""}
    return client.post("/officer/subjects/new", data=data | fields)


@pytest.mark.parametrize(
    "kind, identifier, stored",
    [
        ("organisation", spaced(valid_uscc(9001)), valid_uscc(9001)),
        ("organisation", "n1430100ma00090025"[:17] + "X", None),  # replaced below by a valid N… code
        ("person", valid_resident_id(901).lower(), valid_resident_id(901)),
        ("vehicle", "湘a 123-45", "湘A12345"),
    ],
    ids=["organisation", "organisation-letter-prefix", "person", "vehicle"],
)
def test_officer_registers_a_subject(client, officer, db, kind, identifier, stored):
    if stored is None:
        stored = valid_uscc(9002, prefix="N1")
        identifier = stored.lower()
    response = post_subject(client, kind=kind, identifier=identifier, name="主体 甲")
    assert response.status_code == 302, field_error(response, "identifier")
    subject = db.session.scalar(sa.select(Subject).where(Subject.identifier == stored))
    assert subject is not None and subject.kind.value == kind
    assert urlsplit(response.location).path == f"/officer/subjects/{subject.id}"
    assert [e.action for e in history("subjects", subject.id)] == ["subject.create"]
    page = client.get(response.location)
    assert page.status_code == 200
    assert stored in page.get_data(as_text=True)  # officers see the full identifier


@pytest.mark.parametrize(
    "kind, identifier, expected",
    [
        ("organisation", valid_uscc(9003)[:-1] + ("0" if valid_uscc(9003)[-1] != "0" else "1"), "check character"),
        ("organisation", valid_uscc(9004)[:17], "18 characters"),
        ("organisation", "91430100MA0000001I", "except I, O, S, V and Z"),
        ("person", valid_resident_id(902)[:-1] + ("0" if valid_resident_id(902)[-1] != "0" else "1"), "check digit"),
        ("person", "43010219990230123" + "4", "birth date"),
        ("vehicle", "湘A1234", "plate number"),
        ("person", valid_uscc(9005), "resident ID"),  # a valid code of the wrong kind
    ],
    ids=["uscc-check", "uscc-length", "uscc-letter", "id-check", "id-birth-date", "plate", "wrong-kind"],
)
def test_a_bad_identifier_is_named_on_its_field_and_nothing_is_stored(client, officer, kind, identifier, expected):
    before = count(Subject)
    response = post_subject(client, kind=kind, identifier=identifier)
    assert response.status_code == 200
    assert expected in (field_error(response, "identifier") or ""), response.get_data(as_text=True)
    assert count(Subject) == before


def test_a_duplicate_identifier_is_refused_whatever_its_spelling(client, officer, make):
    existing = make.subject(identifier=valid_uscc(9006))
    response = post_subject(client, identifier=spaced(existing.identifier), name="另一个名字")
    assert response.status_code == 200
    assert "already registered" in field_error(response, "identifier")
    assert count(Subject, Subject.identifier == existing.identifier) == 1


def test_a_vehicle_is_registered_with_its_owner(client, officer, make, db):
    owner = make.subject(identifier=valid_uscc(9007))
    response = post_subject(client, kind="vehicle", identifier="湘AD54321", name="湘AD54321",
                            owner_identifier=spaced(owner.identifier))
    assert response.status_code == 302
    vehicle = db.session.scalar(sa.select(Subject).where(Subject.identifier == "湘AD54321"))
    assert vehicle.owner_id == owner.id


@pytest.mark.parametrize(
    "kind, identifier, owner_identifier, expected",
    [
        ("vehicle", "湘A54321", valid_uscc(9008), "No subject with this identifier"),
        ("vehicle", "湘A54322", valid_uscc(9009)[:-1] + "?", "unified social credit code"),
        ("organisation", valid_uscc(9010), "OWNER", "Only a vehicle has an owner"),
    ],
    ids=["unknown-owner", "invalid-owner", "owner-of-a-firm"],
)
def test_owner_problems_are_named_on_the_owner_field(client, officer, make, kind, identifier, owner_identifier,
                                                     expected):
    if owner_identifier == "OWNER":
        owner_identifier = make.subject().identifier
    before = count(Subject)
    response = post_subject(client, kind=kind, identifier=identifier, owner_identifier=owner_identifier)
    assert response.status_code == 200
    assert expected in (field_error(response, "owner_identifier") or ""), response.get_data(as_text=True)
    assert count(Subject) == before


def test_missing_name_is_named(client, officer):
    response = post_subject(client, identifier=valid_uscc(9011), name="  ")
    assert response.status_code == 200
    assert field_error(response, "name")
    assert count(Subject, Subject.identifier == valid_uscc(9011)) == 0


def test_operation_refuses_duplicates_and_keeps_names(db, make):
    existing = make.subject(identifier=valid_uscc(9012), name="原名")
    with pytest.raises(ValidationFailed) as refused:
        operations.create_subject(kind="organisation", identifier=existing.identifier.lower(), name="新名")
    assert refused.value.field == "identifier"
    found = operations.find_or_create_subject(kind="organisation", identifier=spaced(existing.identifier), name="新名")
    assert found.id == existing.id and found.name == "原名"


# --- search -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["organisation", "person", "vehicle"])
def test_find_by_identifier_whatever_the_spacing_or_case(db, make, kind):
    subject = make.subject(kind)
    text = subject.identifier.lower()
    text = " ".join([text[:3], text[3:]]) + " "
    assert operations.find_by_identifier(text).id == subject.id
    assert operations.find_by_identifier(f"\t{subject.identifier}\n").id == subject.id


def test_officer_search_by_identifier_goes_to_the_subject(client, officer, make):
    subject = make.subject(identifier=valid_uscc(9013))
    response = client.get("/officer/subjects/", query_string={"q": spaced(subject.identifier)})
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/officer/subjects/{subject.id}"


def test_officer_search_by_name_lists_matches(client, officer, make):
    make.subject(name="湘江百分百物流有限公司")
    make.subject(name="别的公司")
    html = client.get("/officer/subjects/", query_string={"q": "百分百"}).get_data(as_text=True)
    assert "湘江百分百物流有限公司" in html and "别的公司" not in html


def test_public_search_by_identifier_opens_the_public_page(client, make):
    subject = make.subject("person")
    response = client.get("/", query_string={"q": subject.identifier.lower()})
    assert response.status_code == 302
    assert urlsplit(response.location).path == f"/subjects/{subject.id}"


def test_public_search_explains_a_wrong_check_digit(client, make):
    client.get("/?lang=en")
    wrong = valid_uscc(9014)[:-1] + ("0" if valid_uscc(9014)[-1] != "0" else "1")
    response = client.get("/", query_string={"q": wrong})
    assert response.status_code == 200
    assert "check character" in response.get_data(as_text=True)


def test_public_search_for_an_unknown_valid_identifier(client):
    client.get("/?lang=en")
    html = client.get("/", query_string={"q": valid_uscc(9015)}).get_data(as_text=True)
    assert "No credit record is held for this identifier." in html


# --- the public subject page --------------------------------------------------------------


def test_public_page_masks_a_persons_id_number(client, make):
    owner = make.subject("person", name="王测试")
    vehicle = make.subject("vehicle", owner=owner)
    for subject in (owner, vehicle):
        response = client.get(f"/subjects/{subject.id}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert owner.identifier not in html
        assert owner.identifier.lower() not in html
        assert owner.identifier[6:14] not in html  # not even the birth date
    assert mask_resident_id(owner.identifier) in client.get(f"/subjects/{owner.id}").get_data(as_text=True)


def test_public_page_does_not_name_a_person_on_its_own(client, make):
    """PRODUCT §2: a person's name is public only on published entries and disclosures."""
    person = make.subject("person", name="李不公开")
    vehicle = make.subject("vehicle", owner=person)
    for subject in (person, vehicle):
        assert "李不公开" not in client.get(f"/subjects/{subject.id}").get_data(as_text=True)


def test_public_page_shows_organisations_in_full(client, make):
    firm = make.subject(identifier=valid_uscc(9016), name="公开路桥有限公司")
    html = client.get(f"/subjects/{firm.id}").get_data(as_text=True)
    assert firm.identifier in html and "公开路桥有限公司" in html


def test_public_page_of_an_unknown_subject_is_404(client):
    assert client.get("/subjects/99999999").status_code == 404


def test_officer_page_of_a_subject_needs_sign_in(client, make):
    subject = make.subject("person")
    response = client.get(f"/officer/subjects/{subject.id}")
    assert response.status_code == 302
    assert subject.identifier not in response.get_data(as_text=True)
