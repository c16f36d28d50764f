"""Denial of service by lockout: wrong guesses slow the guesser down and never shut the
owner out.

Before: five wrong passwords from any address locked an officer out everywhere, and five wrong access
codes locked an applicant's status page -- receipt numbers follow each other, so anyone could lock
out every applicant of a day.  Now failures are counted per e-mail address *and* client address, with
growing waits; failures from addresses an account does not usually sign in from also count together
(against a guesser with many addresses), but never against the owner's usual address; a status
lookup is throttled per client address only, and needs the access code (60 random bits).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from registry.applications.models import CODE_ALPHABET, CODE_LENGTH, new_access_code
from registry.core.audit import AuditEvent
from tests.conftest import count
from tests.factories import TEST_PASSWORD

T0 = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
WRONG = "not-the-password"
HOME = {"REMOTE_ADDR": "10.20.30.40"}


def _from(address: str) -> dict:
    return {"REMOTE_ADDR": address}


def _sign_in(client, email: str, password: str, where: dict):
    response = client.post("/login?lang=en", data={"email": email, "password": password}, environ_base=where)
    if response.status_code == 302:
        client.post("/logout", environ_base=where)
    return response


def _message(response) -> str:
    return " ".join(re.findall(r'<p class="flash flash-error">(.*?)</p>', response.get_data(as_text=True), re.S))


def test_a_strangers_wrong_passwords_do_not_stop_the_owner_at_the_usual_address(client, make, frozen):
    owner = make.user("reviewer")
    with frozen(T0):
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 302  # the usual address
    with frozen(T0 + timedelta(days=1)):
        for _ in range(12):
            _sign_in(client, owner.email, WRONG, _from("203.0.113.9"))
        assert _sign_in(client, owner.email, WRONG, _from("203.0.113.9")).status_code == 429  # the guesser waits
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 302  # the owner does not


def test_many_guessing_addresses_wait_together_and_the_owner_still_signs_in(client, make, frozen):
    owner = make.user("reviewer")
    with frozen(T0):
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 302
    with frozen(T0 + timedelta(hours=1)):
        for host in range(1, 21):  # 20 addresses, one failure each: none reaches its own limit
            assert _sign_in(client, owner.email, WRONG, _from(f"198.51.100.{host}")).status_code == 200
        # The 21st address, never seen before, waits: the account's unfamiliar failures add up.
        assert _sign_in(client, owner.email, WRONG, _from("198.51.100.200")).status_code == 429
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 302


def test_the_owners_own_mistakes_only_slow_the_owners_own_address(client, make, frozen):
    owner = make.user("clerk")
    with frozen(T0):
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 302
        for _ in range(5):
            _sign_in(client, owner.email, WRONG, HOME)
        assert _sign_in(client, owner.email, TEST_PASSWORD, HOME).status_code == 429
        # From the office next door (a usual address of nobody yet) nothing was counted.
        assert _sign_in(client, owner.email, TEST_PASSWORD, _from("10.20.30.41")).status_code == 302


def test_the_waiting_message_is_the_same_whether_or_not_the_account_exists(client, make, frozen):
    real = make.user("clerk")
    answers = {}
    with frozen(T0):
        for email in (real.email, "nobody-here@test.hn"):
            answers[email] = [(response.status_code, _message(response)) for response in
                              (_sign_in(client, email, WRONG, _from("192.0.2.7")) for _ in range(7))]
    assert answers[real.email] == answers["nobody-here@test.hn"]
    statuses = [status for status, _message_text in answers[real.email]]
    assert statuses == [200] * 5 + [429] * 2
    waiting = answers[real.email][-1][1]
    assert "Wait 1 minutes" in waiting and "locked" not in waiting.lower()


def test_a_throttled_attempt_is_in_the_audit_log_of_a_real_account(client, make, frozen, db):
    real = make.user("clerk")
    with frozen(T0):
        for _ in range(6):
            _sign_in(client, real.email, WRONG, _from("192.0.2.8"))
    assert count(AuditEvent, AuditEvent.object_id == real.id, AuditEvent.action == "auth.throttled") == 1


# --- the applicants' status page ------------------------------------------------------------------


def _lookup(client, receipt: str, code: str, where: dict):
    return client.post("/objections/status?lang=en", data={"receipt_number": receipt, "access_code": code},
                       environ_base=where)


def test_wrong_codes_for_every_receipt_of_a_day_lock_out_no_applicant(client, make, frozen):
    with frozen(T0):
        filed = [make.objection() for _ in range(6)]
        day = filed[0][0].receipt_number.rsplit("-", 1)[0]
        for attempt in range(60):  # six wrong codes for every receipt number of the day, from ten addresses
            receipt = f"{day}-{attempt % 10 + 1:04d}"
            _lookup(client, receipt, "AAAA-BBBB-CCCC", _from(f"203.0.113.{attempt // 6 + 1}"))
        for number, (objection, code) in enumerate(filed):
            response = _lookup(client, objection.receipt_number, code, _from(f"10.1.1.{number + 1}"))
            assert response.status_code == 302, objection.receipt_number


def test_a_guessing_address_waits_longer_and_longer(client, make, frozen):
    objection, _code = make.objection()
    guesser = _from("203.0.113.50")
    with frozen(T0):
        statuses = [_lookup(client, objection.receipt_number, "WRONG", guesser).status_code for _ in range(22)]
    assert statuses == [200] * 20 + [429] * 2
    with frozen(T0 + timedelta(minutes=1)):
        assert _lookup(client, objection.receipt_number, "WRONG", guesser).status_code == 200
        assert _lookup(client, objection.receipt_number, "WRONG", guesser).status_code == 429
    with frozen(T0 + timedelta(minutes=2, seconds=59)):  # the 21st failure: 2 minutes from minute 1
        assert _lookup(client, objection.receipt_number, "WRONG", guesser).status_code == 429


def test_the_receipt_number_alone_opens_nothing_and_the_code_is_unguessable(client, make):
    objection, code = make.objection()
    for typed in ("", " ", objection.receipt_number, code[:4]):
        assert _lookup(client, objection.receipt_number, typed, HOME).status_code == 200
    assert client.get(f"/objections/status/{objection.receipt_number}").status_code == 302  # not granted
    # 12 characters of a 32-letter alphabet: 2**60 codes, drawn at random (never the same twice here).
    assert len(set(CODE_ALPHABET)) ** CODE_LENGTH == 2 ** 60
    assert len({new_access_code() for _ in range(1000)}) == 1000


def test_failures_are_not_kept_longer_than_any_throttle_remembers(db):
    from registry.checks.checks import throttle_cleanup
    from registry.core import clock, throttle

    with clock.frozen_at(T0):
        throttle.note_failure(throttle.key("old"), now=T0 - timedelta(days=7, seconds=1))
        throttle.note_failure(throttle.key("recent"), now=T0 - timedelta(days=6))
        assert throttle_cleanup(T0.date()) == {"removed": 1}
        assert count(throttle.ThrottleFailure) == 1
