"""The pages of a two-officer removal: the entry page, the review queue, the public pages."""

from __future__ import annotations

import sqlalchemy as sa

from registry.core.removals import RemovalRequest, RemovalState
from registry.listing.models import EntryStatus

S = EntryStatus
REASON = "认定决定已被依法撤销。"


def text(response) -> str:
    return response.get_data(as_text=True)


def _prepare(client, entry) -> RemovalRequest:
    client.post(f"/officer/entries/{entry.id}/revoke", data={"version": entry.version, "reason": REASON})
    return client.application.extensions["sqlalchemy"].session.scalar(
        sa.select(RemovalRequest).where(RemovalRequest.record_id == entry.id))


def test_two_reviewers_remove_and_the_public_page_changes_only_after_the_second(client, login, make):
    subject = make.subject(name="湖南撤销测试路桥有限公司")
    entry = make.entry(S.PUBLISHED, subject=subject)
    first, second = make.user("reviewer"), make.user("reviewer")
    login(first)
    request = _prepare(client, entry)
    assert request is not None and request.state is RemovalState.PENDING
    own = text(client.get(f"/officer/entries/{entry.id}?lang=en"))
    assert "Removal awaiting confirmation" in own and REASON in own
    assert "You prepared this removal" in own and "Confirm the removal" not in own
    client.post("/logout")
    assert entry.decision_number in text(client.get(f"/subjects/{subject.id}"))
    assert entry.decision_number in text(client.get("/lists/black"))

    login(second)
    page = text(client.get(f"/officer/entries/{entry.id}?lang=en"))
    assert "Confirm the removal" in page and "Refuse the removal" in page
    response = client.post(f"/review/removal/{request.id}/approve",
                           data={"version": request.version, "next": f"/officer/entries/{entry.id}"})
    assert response.headers["Location"].endswith(f"/officer/entries/{entry.id}")
    make.db.session.refresh(entry)
    assert entry.status is S.REMOVED
    client.post("/logout")
    assert entry.decision_number not in text(client.get(f"/subjects/{subject.id}"))
    assert entry.decision_number not in text(client.get("/lists/black"))


def test_the_preparer_confirming_through_the_queue_is_refused(client, login, make):
    entry = make.entry(S.PUBLISHED)
    preparer = login("reviewer")
    request = _prepare(client, entry)
    response = client.post(f"/review/removal/{request.id}/approve?lang=en", data={"version": request.version},
                           follow_redirects=True)
    assert "four-eyes" in text(response)
    make.db.session.refresh(entry)
    assert entry.status is S.PUBLISHED and request.prepared_by_id == preparer.id


def test_a_clerk_cannot_confirm(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("reviewer")
    request = _prepare(client, entry)
    login("clerk")
    assert "Confirm the removal" not in text(client.get(f"/officer/entries/{entry.id}?lang=en"))
    response = client.post(f"/review/removal/{request.id}/approve?lang=en", data={"version": request.version},
                           follow_redirects=True)
    assert "Only a reviewer" in text(response)
    make.db.session.refresh(entry)
    assert entry.status is S.PUBLISHED


def test_the_queue_lists_pending_removals_for_another_reviewer(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    login("reviewer")
    page = text(client.get("/review/?kind=removal&lang=en"))
    assert "Removals to confirm" in page and entry.decision_number in page
    assert f"/review/removal/{request.id}/approve" in page


def test_refusing_needs_a_comment_and_keeps_the_entry(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    login("reviewer")
    response = client.post(f"/review/removal/{request.id}/return?lang=en", data={"version": request.version},
                           follow_redirects=True)
    assert "needs a comment" in text(response)
    client.post(f"/review/removal/{request.id}/return", data={"version": request.version, "comment": "证据不足"})
    make.db.session.refresh(request)
    make.db.session.refresh(entry)
    assert request.state is RemovalState.REFUSED and entry.status is S.PUBLISHED


def test_the_preparer_cancels_from_the_entry_page(client, login, make):
    entry = make.entry(S.PUBLISHED)
    preparer = login("clerk")
    request = _prepare(client, entry)
    login("reviewer")
    assert client.post(f"/review/removal/{request.id}/cancel", data={"version": request.version}).status_code == 302
    make.db.session.refresh(request)
    assert request.state is RemovalState.PENDING
    login(preparer)
    response = client.post(f"/review/removal/{request.id}/cancel?lang=en",
                           data={"version": request.version, "next": f"/officer/entries/{entry.id}"},
                           follow_redirects=True)
    assert "The removal was cancelled" in text(response)
    make.db.session.refresh(request)
    assert request.state is RemovalState.CANCELLED
    assert client.post(f"/review/removal/{request.id}/cancel", data={}).status_code in (302, 400)


def test_a_foreign_unit_finds_nothing(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    login("reviewer", unit="CS")
    assert client.get(f"/officer/entries/{entry.id}").status_code == 404
    assert client.post(f"/officer/entries/{entry.id}/revoke", data={"version": entry.version,
                                                                    "reason": "x"}).status_code == 404
    assert client.post(f"/review/removal/{request.id}/cancel", data={"version": 1}).status_code == 404
    client.post(f"/review/removal/{request.id}/approve", data={"version": request.version})
    make.db.session.refresh(entry)
    make.db.session.refresh(request)
    assert entry.status is S.PUBLISHED and request.state is RemovalState.PENDING
    assert entry.decision_number not in text(client.get("/review/"))


def test_a_stale_request_version_on_the_page_is_refused(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    login("reviewer")
    response = client.post(f"/review/removal/{request.id}/approve?lang=en", data={"version": request.version + 1},
                           follow_redirects=True)
    assert "changed by someone else" in text(response)
    make.db.session.refresh(entry)
    assert entry.status is S.PUBLISHED


def test_two_reviewers_withdraw_a_published_disclosure(client, login, make, frozen):
    from datetime import date

    from registry.disclosures.models import DisclosureStatus, RemovalReason

    with frozen(date(2026, 10, 9)):
        disclosure = make.disclosure(DisclosureStatus.PUBLISHED)
        public = f"/disclosures/{disclosure.id}"
        assert client.get(public).status_code == 200
        first = login("clerk")
        client.post(f"/officer/disclosures/{disclosure.id}/remove",
                    data={"version": disclosure.version, "reason": REASON})
        request = make.db.session.scalar(sa.select(RemovalRequest).where(
            RemovalRequest.record_type == "disclosure", RemovalRequest.record_id == disclosure.id))
        assert request.prepared_by_id == first.id and request.state is RemovalState.PENDING
        page = text(client.get(f"/officer/disclosures/{disclosure.id}?lang=en"))
        assert "Removal awaiting confirmation" in page and "Confirm the removal" not in page
        client.post("/logout")
        assert client.get(public).status_code == 200
        login("reviewer")
        assert "Confirm the removal" in text(client.get(f"/officer/disclosures/{disclosure.id}?lang=en"))
        client.post(f"/review/removal/{request.id}/approve", data={"version": request.version})
        make.db.session.refresh(disclosure)
        assert (disclosure.status, disclosure.removal_reason) == (DisclosureStatus.REMOVED, RemovalReason.REVOKED)
        client.post("/logout")
        assert client.get(public).status_code == 404


def test_a_foreign_unit_cannot_prepare_a_disclosure_removal(client, login, make):
    from registry.disclosures.models import DisclosureStatus

    disclosure = make.disclosure(DisclosureStatus.PUBLISHED)
    login("reviewer", unit="CS")
    response = client.post(f"/officer/disclosures/{disclosure.id}/remove",
                           data={"version": disclosure.version, "reason": REASON})
    assert response.status_code == 404
    assert make.db.session.scalar(sa.select(sa.func.count()).select_from(RemovalRequest)) == 0


def test_two_reviewers_withdraw_a_published_evaluation(client, login, make):
    from registry.evaluations.models import EvaluationStatus

    subject = make.subject(name="湖南评价撤回测试有限公司")
    evaluation = make.evaluation(subject=subject, status=EvaluationStatus.PUBLISHED, grade="AA", score="97",
                                 evaluating_unit="湖南省撤回测试评价中心")
    login("clerk")
    client.post(f"/officer/evaluations/{evaluation.id}/remove", data={"version": evaluation.version, "reason": REASON})
    request = make.db.session.scalar(sa.select(RemovalRequest).where(
        RemovalRequest.record_type == "credit_evaluation", RemovalRequest.record_id == evaluation.id))
    assert request is not None and request.state is RemovalState.PENDING
    assert "Removal awaiting confirmation" in text(client.get(f"/officer/evaluations/{evaluation.id}?lang=en"))
    client.post("/logout")
    assert "湖南省撤回测试评价中心" in text(client.get(f"/subjects/{subject.id}"))
    login("reviewer")
    client.post(f"/review/removal/{request.id}/approve", data={"version": request.version})
    make.db.session.refresh(evaluation)
    assert evaluation.status is EvaluationStatus.WITHDRAWN
    assert "Withdrawn" in text(client.get(f"/officer/evaluations/{evaluation.id}?lang=en"))
    client.post("/logout")
    assert "湖南省撤回测试评价中心" not in text(client.get(f"/subjects/{subject.id}"))


def test_two_reviewers_withdraw_a_published_typical_case(client, login, make):
    from registry.cases.models import CaseStatus

    case = make.case(CaseStatus.PUBLISHED, typical=True, matter="撤回测试：某大桥施工招标资格审查")
    login("clerk")
    client.post(f"/officer/cases/{case.id}/remove", data={"version": case.version, "reason": REASON})
    request = make.db.session.scalar(sa.select(RemovalRequest).where(
        RemovalRequest.record_type == "case", RemovalRequest.record_id == case.id))
    assert request is not None and request.state is RemovalState.PENDING
    assert "Removal awaiting confirmation" in text(client.get(f"/officer/cases/{case.id}?lang=en"))
    client.post("/logout")
    assert "撤回测试" in text(client.get("/cases/typical"))
    login("reviewer")
    client.post(f"/review/removal/{request.id}/approve", data={"version": request.version})
    make.db.session.refresh(case)
    assert case.status is CaseStatus.WITHDRAWN
    client.post("/logout")
    assert "撤回测试" not in text(client.get("/cases/typical"))


def test_admins_and_auditors_see_a_pending_removal_and_cannot_act(client, login, make):
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    for role, unit in (("admin", "XXZX"), ("auditor", "XXZX")):
        login(role, unit=unit)
        page = text(client.get(f"/officer/entries/{entry.id}?lang=en"))
        assert "Removal awaiting confirmation" in page and REASON in page
        assert "Confirm the removal" not in page and "Cancel the removal" not in page
        assert "Prepare the removal" not in page
        client.post(f"/review/removal/{request.id}/approve", data={"version": request.version})
        make.db.session.refresh(request)
        assert request.state is RemovalState.PENDING


def test_a_removal_whose_record_changed_meanwhile_is_marked_in_the_queue(client, login, make):
    """Issue 34 §4: it cannot be confirmed any more; the queue says so instead of offering it."""
    entry = make.entry(S.PUBLISHED)
    login("clerk")
    request = _prepare(client, entry)
    entry.version += 1  # changed by someone after the removal was prepared
    make.db.session.flush()
    login("reviewer")
    page = text(client.get("/review/?kind=removal&lang=en"))
    assert entry.decision_number in page and "The record changed after the removal was prepared" in page
    assert f"/review/removal/{request.id}/approve" not in page and f"/review/removal/{request.id}/return" in page
