"""An entry past its last valid day leaves every public surface that day, before the nightly check
marks it expired: the subject page, the credit report, and the objection and repair forms."""

from datetime import date, timedelta

import pytest

from registry.applications.targets import public_records_of
from registry.core import clock
from registry.objections.operations import objectable
from registry.repairs.operations import eligibility

TODAY = date(2026, 11, 27)


@pytest.fixture
def lapsed(make):
    # Published long ago, last valid day yesterday, not yet expired by the check.
    return make.entry("published", valid_from=TODAY - timedelta(days=800), valid_until=TODAY - timedelta(days=1))


def test_objection_and_repair_no_longer_offered(db, lapsed):
    with clock.frozen_at(TODAY):
        assert not objectable(lapsed)
        assert lapsed not in public_records_of(lapsed.subject_id)
        assert not eligibility(lapsed, TODAY).eligible


def test_credit_report_leaves_it_out(db, make, lapsed):
    from registry.readmodel.report import report_content, resolve_target

    def reported_entries() -> list[int]:
        return [row["id"] for row in report_content(resolve_target(lapsed.subject))["sections"]["list_entries"]]

    with clock.frozen_at(TODAY):
        assert reported_entries() == []
        current = make.entry("published", subject=lapsed.subject, valid_from=TODAY - timedelta(days=10))
        assert reported_entries() == [current.id]
