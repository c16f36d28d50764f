"""The information catalogue: seeded from what the registry holds, maintained by admins, public
page and downloads, counts and last update per unit from the real tables."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from openpyxl import load_workbook

from registry.catalogue import operations as ops
from registry.catalogue.models import CatalogueItem, Openness, Source
from registry.core.audit import history
from registry.core.changes import ChangeKind, record_change
from registry.core.errors import PermissionDenied, ValidationFailed


@pytest.fixture(autouse=True)
def english(db):
    with force_locale("en"):
        yield


def _item(db, code):
    return db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.code == code))


def test_seeded_items_cover_disclosures_categories_cases_evaluations_commitments(db):
    items = {i.code: i for i in db.session.scalars(sa.select(CatalogueItem))}
    assert {"XK", "CF", "AL", "PJ", "CN"} <= set(items)
    assert any(i.source is Source.LIST_ENTRY and i.match_value == "严重超限超载" for i in items.values())
    assert items["CN"].openness is Openness.SHARED and items["XK"].openness is Openness.PUBLIC
    assert len(items["XK"].units) == 14 + 6


def test_figures_count_publications_per_unit_with_the_last_update(make, db, frozen):
    cs, jjc = make.unit("CS"), make.unit("JJC")
    subject = make.subject()
    with frozen(date(2026, 3, 1)):
        record_change("disclosure", 1, ChangeKind.PUBLISHED, payload={"kind": "licence"}, subject_id=subject.id,
                      unit_id=cs.id)
        record_change("disclosure", 2, ChangeKind.PUBLISHED, payload={"kind": "penalty"}, subject_id=subject.id,
                      unit_id=cs.id)
    with frozen(date(2026, 3, 9)):
        record_change("disclosure", 1, ChangeKind.CORRECTED, payload={"kind": "licence"}, subject_id=subject.id,
                      unit_id=cs.id)
        record_change("list_entry", 7, ChangeKind.PUBLISHED, payload={"category": "严重超限超载"}, unit_id=jjc.id)
    licence, penalty = _item(db, "XK"), _item(db, "CF")
    overload = db.session.scalar(sa.select(CatalogueItem).where(CatalogueItem.match_value == "严重超限超载"))
    stats = ops.figures([licence, penalty, overload])
    cs_licence = next(f for f in stats[licence.id] if f.unit_id == cs.id)
    assert cs_licence.published == 1 and cs_licence.last_update.date() == date(2026, 3, 9)
    assert next(f for f in stats[penalty.id] if f.unit_id == cs.id).published == 1
    assert next(f for f in stats[licence.id] if f.unit_id == make.unit("ZZ").id).published == 0
    # A unit not named on the item but publishing it still shows up.
    assert next(f for f in stats[overload.id] if f.unit_id == jjc.id).published == 1


def test_admin_edits_an_item_audited(make, db):
    admin = make.user("admin", unit="FGC")
    item = _item(db, "PJ")
    ops.save_item(item, actor=admin, code="PJ", name="信用评价结果（年度）", description=None,
                  source="credit_evaluation", match_value=None, frequency="yearly", openness="public",
                  unit_ids=[make.unit("JJC").id])
    assert item.name == "信用评价结果（年度）" and [u.code for u in item.units] == ["JJC"]
    assert history("catalogue_item", item.id)[-1].action == "catalogue_item.update"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"code": ""}, "code"), ({"name": "行政许可信息"}, "name"), ({"source": "weather"}, "source"),
    ({"frequency": "hourly"}, "frequency"), ({"openness": "secret"}, "openness"), ({"unit_ids": []}, "unit_ids"),
    ({"source": "case", "match_value": "x"}, "match_value"),
])
def test_item_refusals_name_the_field(make, overrides, field):
    values = {"code": "NEW", "name": "新信息项", "description": None, "source": "other", "match_value": None,
              "frequency": "monthly", "openness": "public", "unit_ids": [make.unit("CS").id]}
    values.update(overrides)
    with pytest.raises(ValidationFailed) as refused:
        ops.save_item(None, actor=make.user("admin", unit="FGC"), **values)
    assert refused.value.field == field


def test_only_admins_maintain(make):
    with pytest.raises(PermissionDenied):
        ops.save_item(None, actor=make.user("reviewer"), code="X", name="x", description=None, source="other",
                      match_value=None, frequency="monthly", openness="public", unit_ids=[1])


def test_public_page_and_downloads(client):
    page = client.get("/catalogue?lang=en")
    # the seeded item's name in the reader's language; the seeded text in Chinese
    assert page.status_code == 200 and "Administrative penalties" in page.get_data(as_text=True)
    assert "行政处罚信息" in client.get("/catalogue?lang=zh_CN").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(client.get("/catalogue.csv").data.decode("utf-8-sig"))))
    assert rows[0][:2] == ["编号", "信息项"] and any(r[1] == "信用承诺" and r[5] == "政务共享" for r in rows)
    sheet = load_workbook(io.BytesIO(client.get("/catalogue.xlsx").data)).active
    assert sheet.cell(1, 2).value == "信息项" and sheet.max_row == len(rows)
    assert client.get("/catalogue.pdf").status_code == 404


def test_admin_pages(client, login, make):
    login(make.user("admin", unit="FGC"))
    assert client.get("/admin/catalogue/").status_code == 200
    response = client.post("/admin/catalogue/new?lang=en", data={
        "code": "XK", "name": "重复", "source": "other", "frequency": "monthly", "openness": "public",
        "unit_ids": [str(make.unit("CS").id)]})
    assert response.status_code == 200 and "already uses" in response.get_data(as_text=True)


def test_admin_pages_refuse_others(client, login):
    login("reviewer")
    assert client.get("/admin/catalogue/").status_code == 403
