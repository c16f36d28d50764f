"""Coverage per unit and field: the arithmetic, the month boundary and the target."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from registry.catalogue.coverage import coverage
from registry.core.changes import ChangeKind, record_change
from registry.core.settings import set_setting
from tests.factories import valid_uscc


def _row(rows, unit_code):
    return next(r for r in rows if r.unit_code == unit_code)


def _publish(subject, unit, when: date):
    from registry.core import clock

    with clock.frozen_at(when):
        record_change("disclosure", subject.id, ChangeKind.PUBLISHED, payload={}, subject_id=subject.id,
                      unit_id=unit.id)


def _baseline(code, year=2026, month=3):
    return _row(coverage(year, month), code)


def test_city_coverage_counts_subjects_of_the_city_with_a_published_record(make, frozen):
    before = _baseline("ZJJ")
    with frozen(date(2026, 1, 10)):
        subjects = [make.subject(identifier=valid_uscc(region="430800")) for _ in range(5)]
        make.subject(kind="vehicle")  # vehicles are not market subjects
        make.subject(identifier=valid_uscc(region="430100"))  # another city
    for subject in subjects[:4]:
        _publish(subject, make.unit("ZJJ"), date(2026, 2, 1))
    row = _baseline("ZJJ")
    assert (row.known - before.known, row.covered - before.covered) == (5, 4)
    if before.known == 0:
        assert row.field == "all" and row.share == Decimal("80.0") and row.meets_target is True


def test_a_record_after_the_month_does_not_count_and_the_month_end_is_local_time(make, frozen):
    with frozen(date(2026, 1, 10)):
        subject = make.subject(identifier=valid_uscc(region="433100"))
    before, february = _baseline("XX", 2026, 3), _baseline("XX", 2026, 2)
    from registry.core import clock

    # 2026-03-31 23:30 in Shanghai is 15:30 UTC: still March.
    with clock.frozen_at(datetime(2026, 3, 31, 15, 30, tzinfo=UTC)):
        record_change("case", 1, ChangeKind.PUBLISHED, payload={}, subject_id=subject.id, unit_id=make.unit("XX").id)
    assert _baseline("XX", 2026, 3).covered == before.covered + 1
    assert _baseline("XX", 2026, 2).covered == february.covered  # the March record is not February's
    with clock.frozen_at(datetime(2026, 3, 31, 16, 30, tzinfo=UTC)):  # 00:30 on 1 April locally
        record_change("case", 2, ChangeKind.PUBLISHED, payload={}, subject_id=make.subject(
            identifier=valid_uscc(region="433100")).id, unit_id=make.unit("XX").id)
    assert _baseline("XX", 2026, 3).covered == before.covered + 1


def test_division_field_coverage(make, frozen):
    from registry.core import clock

    before = _baseline("YSC")
    with frozen(date(2026, 1, 10)):
        evaluated = make.subject()
        with clock.frozen_at(date(2026, 1, 10)):
            make.evaluation(subject=evaluated, field="road_transport", grade="AA", status="draft", unit="YSC")
        other_field = make.subject()
        make.evaluation(subject=other_field, field="highway_construction", status="draft")
    row = _baseline("YSC")
    assert (row.known - before.known, row.covered - before.covered) == (1, 0)
    _publish(evaluated, make.unit("CS"), date(2026, 2, 1))  # any unit's record covers the subject
    assert _baseline("YSC").covered - before.covered == 1


def test_target_is_a_setting_and_no_subjects_means_no_share(make):
    rows = coverage(2001, 1)
    assert all(r.known == 0 and r.share is None and r.meets_target is None for r in rows)
    assert {r.unit_code for r in rows} >= {"CS", "XX", "JJC", "JHC", "GHC", "YSC", "AQC"}
    assert "FGC" not in {r.unit_code for r in rows}
    set_setting("coverage_target_percent", 90, make.user("admin", unit="FGC"))
    assert coverage(2001, 1)[0].target == 90


def test_bad_month_is_refused():
    with pytest.raises(ValueError):
        coverage(2026, 13)


def test_coverage_page(client, login):
    login("reviewer")
    assert client.get("/officer/coverage?year=2026&month=3").status_code == 200
    assert client.get("/officer/coverage?year=2026&month=13").status_code == 404
