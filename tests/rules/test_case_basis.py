"""Records that rest on another (docs/RULES.md §2): cases on a list entry withdrawn or removed as
wrong fall with it; cases on an entry that expired or was repaired stand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from registry.applications.targets import target_key
from registry.cases import operations as case_ops
from registry.cases.basis import ALERT_KIND, case_basis_alerts
from registry.cases.effectiveness import effectiveness_list, effectiveness_xlsx
from registry.cases.models import Case, CaseStatus
from registry.cases.quota import monthly_quota
from registry.checks.models import Alert
from registry.core.audit import history
from registry.core.changes import ChangeEvent
from registry.core.errors import ValidationFailed
from registry.documents.models import IssuedDocument
from registry.documents.operations import verify
from registry.listing import operations as listing_ops
from registry.listing.models import EntryStatus, RemovalReason
from registry.objections import operations as objection_ops
from tests.conftest import count
from tests.factories.objections import applicant, pdf_upload

TODAY = date(2026, 5, 20)


@pytest.fixture(autouse=True)
def english_and_frozen(db, frozen):
    with force_locale("en"), frozen(TODAY):
        yield


@pytest.fixture
def standing(make):
    """A published JJC entry with a published CS case (10 May) and a pending CS case on it."""
    entry = make.published_entry(valid_from=date(2026, 3, 2))
    cs_reviewer = make.user("reviewer", unit="CS")
    published = make.case("published", unit="CS", entry=entry, case_date=date(2026, 5, 10), effect="已否决投标资格",
                          reviewer=cs_reviewer)
    pending = make.case("pending_review", unit="CS", entry=entry, case_date=date(2026, 5, 11))
    return entry, published, pending


def _cs_count(year=2026, month=5) -> int:
    return {row.unit.code: row.published_count for row in monthly_quota(year, month)}["CS"]


def _alerts(case) -> list[Alert]:
    return list(_db_session().scalars(sa.select(Alert).where(
        Alert.kind == ALERT_KIND, Alert.record_type == "case", Alert.record_id == case.id)))


def _db_session():
    from registry.extensions import db
    return db.session


def _assert_fallen(case, text: str, status: CaseStatus) -> None:
    assert case.basis_withdrawn_at is not None and text in case.basis_withdrawal_reason
    assert case.status is status  # the case keeps its state; the mark says why it no longer counts
    assert history("case", case.id)[-1].action == "case.basis_withdrawn"
    alerts = _alerts(case)
    assert len(alerts) == 1 and alerts[0].unit_id == case.unit_id and alerts[0].resolved_at is None


def test_a_revoked_entry_takes_its_cases_off_the_public_pages_the_list_and_the_quota(make, client, standing):
    entry, published, pending = standing
    assert _cs_count() == 1
    assert [c.id for g in effectiveness_list(2026, 5) for c in g.cases] == [published.id]
    assert "已否决投标资格" in client.get(f"/subjects/{entry.subject_id}").get_data(as_text=True)

    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "认定决定已被依法撤销。")

    _assert_fallen(published, "认定决定已被依法撤销。", CaseStatus.PUBLISHED)
    _assert_fallen(pending, "认定决定已被依法撤销。", CaseStatus.PENDING_REVIEW)
    assert _cs_count() == 0
    assert effectiveness_list(2026, 5) == []
    assert "已否决投标资格" not in client.get(f"/subjects/{entry.subject_id}").get_data(as_text=True)
    assert "已否决投标资格" not in client.get("/cases/typical").get_data(as_text=True)
    feed = _db_session().scalars(sa.select(ChangeEvent).where(ChangeEvent.record_type == "case",
                                                             ChangeEvent.record_id == published.id)).all()
    assert [event.change.value for event in feed] == ["withdrawn"]  # only the public one leaves the feed


def test_the_months_xlsx_no_longer_lists_or_counts_the_case(make, standing):
    from io import BytesIO

    from openpyxl import load_workbook

    entry, _published, _pending = standing
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "撤销")
    workbook = load_workbook(BytesIO(effectiveness_xlsx(2026, 5)))
    assert workbook["奖惩成效清单"].max_row == 1  # the header only
    quota = {row[0]: row[1] for row in workbook["案例数量"].iter_rows(min_row=2, values_only=True)}
    assert quota["长沙市交通运输局"] == 0


def test_an_upheld_objection_against_a_published_entry_takes_its_cases_down(make, standing):
    entry, published, _pending = standing
    objection, _code = objection_ops.file_objection(target=target_key(entry), applicant=applicant(),
                                                    grounds="认定有误。", uploads=[pdf_upload()])
    clerk, reviewer = make.user("clerk"), make.user("reviewer")
    objection_ops.accept(objection, clerk, objection.version)
    objection_ops.prepare_decision(objection, clerk, objection.version, "upheld", "认定所依据的事实有误。")
    objection_ops.confirm(objection, reviewer, objection.version)
    assert entry.removal_reason is RemovalReason.REVOKED
    _assert_fallen(published, "认定所依据的事实有误。", CaseStatus.PUBLISHED)


def test_a_withdrawn_entry_takes_a_case_resting_on_it_down(make):
    entry = make.entry(EntryStatus.IN_PUBLICITY)
    case = make.case("draft", unit="CS", entry=entry)  # built directly: the form refuses such a case
    listing_ops.withdraw_entry(entry, make.user("reviewer"), "异议成立，撤回公示。")
    _assert_fallen(case, "名单记录已撤回", CaseStatus.DRAFT)


@pytest.mark.parametrize("ending", ["repaired", "expired"])
def test_an_entry_that_ends_for_a_right_reason_leaves_its_past_cases_standing(make, client, frozen, standing,
                                                                               ending):
    entry, published, _pending = standing
    if ending == "repaired":
        listing_ops.remove_entry(entry, RemovalReason.REPAIRED, make.user("reviewer"), "信用修复申请已核准。")
    else:
        entry.valid_until = TODAY - timedelta(days=1)
        assert listing_ops.expire_due_entries(TODAY) == 1
    assert entry.status in (EntryStatus.REMOVED, EntryStatus.EXPIRED)
    assert published.basis_withdrawn_at is None
    assert _cs_count() == 1
    assert [c.id for g in effectiveness_list(2026, 5) for c in g.cases] == [published.id]
    assert "已否决投标资格" in client.get(f"/subjects/{entry.subject_id}").get_data(as_text=True)
    assert count(Alert, Alert.kind == ALERT_KIND) == 0


def test_a_case_whose_basis_fell_cannot_be_approved_submitted_or_marked_typical(make, standing):
    entry, published, pending = standing
    draft = make.case("draft", unit="CS", entry=entry, case_date=date(2026, 5, 12))
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "认定决定已被依法撤销。")
    reviewer = make.user("reviewer", unit="CS")
    with pytest.raises(ValidationFailed) as refused:
        case_ops.approve_case(pending, reviewer, pending.version)
    assert "can no longer be approved" in str(refused.value.message)
    assert "认定决定已被依法撤销。" in str(refused.value.message)
    assert pending.status is CaseStatus.PENDING_REVIEW
    with pytest.raises(ValidationFailed):
        case_ops.submit_case(draft, make.user("clerk", unit="CS"), draft.version)
    assert draft.status is CaseStatus.DRAFT
    with pytest.raises(ValidationFailed):
        case_ops.set_typical(published, make.user("admin", unit="FGC"), published.version, True)
    assert published.is_typical is False


def test_no_new_case_can_rest_on_a_revoked_entry(make, standing):
    entry, _published, _pending = standing
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "撤销")
    before = count(Case)
    with pytest.raises(ValidationFailed) as refused:
        case_ops.create_case(actor=make.user("clerk", unit="CS"), entry_ref=f"#{entry.id}",
                             measure_ids=[make.measure("HB-01").id], applying_party="长沙", case_date=date(2026, 5, 1),
                             matter="招标", effect="否决")
    assert refused.value.field == "entry_ref" and "revoked" in str(refused.value.message)
    assert count(Case) == before


def test_the_officer_case_page_shows_the_reason(make, client, login, standing):
    entry, published, _pending = standing
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "认定决定已被依法撤销。")
    login("reviewer", unit="CS")
    page = client.get(f"/officer/cases/{published.id}?lang=en").get_data(as_text=True)
    assert "basis-withdrawn" in page and "认定决定已被依法撤销。" in page
    assert "cannot be approved" in page


def test_the_alert_stays_open_for_thirty_days_then_resolves(make, frozen, standing):
    entry, published, _pending = standing
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "撤销")
    case_basis_alerts(TODAY + timedelta(days=10))
    assert _alerts(published)[0].resolved_at is None
    with frozen(TODAY + timedelta(days=31)):
        case_basis_alerts(TODAY + timedelta(days=31))
    assert _alerts(published)[0].resolved_at is not None


def test_a_second_signal_changes_nothing(make, standing):
    entry, published, _pending = standing
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "撤销")
    first = published.basis_withdrawn_at
    from registry.cases.basis import on_entry_withdrawn

    assert on_entry_withdrawn(None, record_type="list_entry", record_id=entry.id, cause="revoked", reason="再次") == 0
    assert published.basis_withdrawn_at == first and len(_alerts(published)) == 1


def test_the_database_refuses_a_withdrawal_without_its_reason(make, db, standing):
    _entry, published, _pending = standing
    published.basis_withdrawn_at = published.created_at
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_case_notice_stays_as_published_and_verify_says_why(make, client, login, db, standing):
    entry, published, _pending = standing
    login("reviewer", unit="CS")
    listing_ops.revoke_entry(entry, make.user("reviewer"), entry.version, "撤销")
    # The notice of the publication, dated then, though the case no longer stands.
    notice = client.get(f"/officer/documents/case/{published.id}.pdf")
    assert notice.status_code == 200
    document = db.session.scalar(sa.select(IssuedDocument).where(IssuedDocument.record_id == published.id))
    assert document.issued_at == published.reviewed_at and verify(document.verification_code).changed is True
    from registry.cases.documents import describe_case_change

    assert "不再成立" in str(describe_case_change(published))  # a request ran: the page's default language
