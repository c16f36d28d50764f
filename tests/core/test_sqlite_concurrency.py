"""Concurrent requests on a served SQLite database: writers wait, nobody gets a 500.

In WAL mode a transaction that began with a plain BEGIN and read first cannot turn into a writer
once another connection has written: SQLite answers "database is locked" at once.  Writing
requests therefore begin with BEGIN IMMEDIATE.  These tests serve the app on its own SQLite file
(a threaded server, one connection per request thread) and hit it from several client threads.
"""

from __future__ import annotations

import threading
from collections import Counter

from registry.core.db import WRITING_METHODS
from registry.listing.models import EntryStatus
from tests.factories import valid_uscc
from tests.served import request, served_app, session_cookie, sign_in

STALE = "changed by someone else"
APPROVED = "Approved: the entry is now in publicity."


def _run_together(jobs) -> None:
    """Start every job at the same moment (a barrier), each in its own thread, and wait for all."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            barrier.wait(timeout=60)
            job()
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors


def _api_setup(make):
    _, raw = make.api_key(rate="100000/minute")
    subject = make.subject(identifier=valid_uscc())
    make.entry(EntryStatus.PUBLISHED, subject=subject)
    return {"key": raw, "identifier": subject.identifier}


def test_sign_ins_and_api_reads_at_the_same_time(tmp_path):
    with served_app(tmp_path, officers=4, setup=_api_setup) as served:
        statuses: list[tuple[str, int]] = []
        lock = threading.Lock()

        def note(kind, status):
            with lock:
                statuses.append((kind, status))

        def officer(email):
            def signs_in():
                for _ in range(5):
                    response = request(served.port, "POST", "/login",
                                       form={"email": email, "password": "correct-horse-battery"})
                    note("sign-in", response.status)
            return signs_in

        def api_client():
            path = f"/api/v1/credit/{served.extra['identifier']}"
            for _ in range(15):
                note("api", request(served.port, "GET", path, headers={"X-API-Key": served.extra["key"]}).status)

        _run_together([officer(email) for email in served.emails] + [api_client, api_client])

        assert Counter(statuses) == Counter({("sign-in", 302): 20, ("api", 200): 30})


def _race_setup(make):
    reviewers = [make.user("reviewer") for _ in range(2)]
    entries = [make.entry(EntryStatus.PENDING_REVIEW) for _ in range(3)]
    return {"reviewers": [r.email for r in reviewers], "entries": [e.id for e in entries]}


def test_the_loser_of_an_approval_race_is_told_the_item_changed(tmp_path):
    with served_app(tmp_path, setup=_race_setup) as served:
        cookies = [sign_in(served.port, email) for email in served.extra["reviewers"]]
        for entry_id in served.extra["entries"]:
            answers = {}

            def approve(cookie, entry_id=entry_id, answers=answers):
                response = request(served.port, "POST", f"/officer/entries/{entry_id}/approve",
                                   form={"version": "1", "comment": ""}, cookie=cookie)
                # The flashed message travels in the session cookie the answer set.
                page = request(served.port, "GET", f"/officer/entries/{entry_id}",
                               cookie=session_cookie(response) or cookie)
                answers[cookie] = (response.status, page.text)

            _run_together([lambda c=cookie: approve(c) for cookie in cookies])

            assert [status for status, _ in answers.values()] == [302, 302]
            pages = [text for _, text in answers.values()]
            assert sorted([APPROVED in page, STALE in page] for page in pages) == [[False, True], [True, False]]


def test_only_requests_that_may_write_take_the_write_lock_up_front():
    # The methods that HTTP itself calls unsafe (RFC 9110 §9.2.1), written out here independently.
    assert set(WRITING_METHODS) == {"POST", "PUT", "PATCH", "DELETE"}
