"""The demo data is believable: what ``flask demo`` loads reads like a registry's records.

Each expectation is a rule stated here: a subject on the black list is not on the red list; an
overloading entry is about overloading, not bidding; a disclosure is published within 7 working
days of its decision (counted here on the 2026 calendar, one deliberately late); a decision notice
is dated at its decision and the numbers of an authority's year follow the dates; the deciding
unit is the authority.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import sqlalchemy as sa

from registry.core import clock
from registry.disclosures.models import Disclosure, DisclosureStatus, Severity
from registry.documents.models import IssuedDocument
from registry.listing.models import EntryStatus, ListEntry, ListKind
from registry.subjects.models import Subject

SHOWN = (EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED)


@pytest.fixture
def demo(app, db):
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return db


def test_no_subject_is_on_both_lists_or_red_with_a_serious_penalty(demo):
    shown = demo.session.execute(sa.select(ListEntry.subject_id, ListEntry.list_kind)
                                 .where(ListEntry.status.in_(SHOWN))).all()
    red = {subject for subject, kind in shown if kind is ListKind.RED}
    black = {subject for subject, kind in shown if kind is ListKind.BLACK}
    serious = set(demo.session.scalars(sa.select(Disclosure.subject_id).where(
        Disclosure.status == DisclosureStatus.PUBLISHED, Disclosure.severity == Severity.SERIOUS)))
    assert red and black and not red & black and not red & serious


def test_each_entry_states_conduct_of_its_category_and_its_subjects_trade(demo):
    words = {"严重超限超载": ("超限",), "公路建设市场严重失信": ("招投标", "投标"),
             "水运工程建设市场严重失信": ("水运",), "道路运输严重失信": ("运输", "客车"),
             "公路水运工程守信典型企业": ("信用评价",), "道路运输守信": ("质量信誉考核",)}
    for entry in demo.session.scalars(sa.select(ListEntry)):
        assert any(word in entry.reason for word in words[entry.category.name]), (entry.decision_number, entry.reason)
        if entry.category.name == "严重超限超载":
            assert "招投标" not in entry.reason and entry.subject.kind.value == "vehicle"
        if entry.category.name.startswith("道路运输"):
            assert any(trade in entry.subject.name for trade in ("运输", "客运", "货运", "物流"))
        if entry.category.name.startswith("公路建设"):
            assert entry.subject.kind.value == "person" or any(
                trade in entry.subject.name for trade in ("公路", "路桥", "路面", "隧道", "交通建设", "交通工程",
                                                          "土石方", "桥梁", "设计院", "养护"))


def test_the_deciding_unit_is_the_authority(demo):
    for entry in demo.session.scalars(sa.select(ListEntry)):
        assert entry.deciding_unit == entry.unit.issuing_name


def test_disclosures_are_published_on_dates_that_fit_their_decisions(demo):
    from registry.core.workdays import working_days_between

    published = demo.session.scalars(sa.select(Disclosure).where(Disclosure.published_on.is_not(None))).all()
    late = [d for d in published if working_days_between(d.decision_date, d.published_on) > 7]
    assert published and all(d.published_on >= d.decision_date for d in published)
    assert {d.published_on_time for d in late} == {False}  # the late ones say so
    assert len({d.decision_number for d in late}) == 2  # one per unit, on purpose


def test_decision_notices_are_dated_at_the_decision_and_numbered_in_date_order(demo):
    documents = demo.session.scalars(sa.select(IssuedDocument).order_by(IssuedDocument.serial)).all()
    entries = {entry.id: entry for entry in demo.session.scalars(sa.select(ListEntry))}
    series = defaultdict(list)
    for document in documents:
        series[(document.prefix, document.year)].append(document)
        if document.kind == "list_entry":
            entry = entries[document.record_id]
            assert clock.local(document.issued_at).date() == entry.publicity_start  # approved that day
            assert document.number.startswith("长交" if entry.unit.code == "CS" else "湘交")
    prefixes = {prefix for prefix, _year in series}
    assert {"湘交信列决", "长交信列决", "湘交信案例", "湘交信异复", "湘交信修决"} <= prefixes
    for (prefix, year), issued in series.items():
        dates = [document.issued_at for document in issued]
        assert dates == sorted(dates), prefix
        assert {document.year for document in issued} == {year} == {clock.local(d).year for d in dates}


def test_every_demo_subject_with_a_resident_id_has_a_region_that_exists(demo):
    from registry.core.identifiers import normalize_resident_id

    for subject in demo.session.scalars(sa.select(Subject).where(Subject.kind == "person")):
        assert normalize_resident_id(subject.identifier) == subject.identifier
