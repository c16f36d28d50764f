"""GET requests that issue a numbered document, beside concurrent writers on SQLite.

A download that issues a document (its first one, or the first of new content) reads first and
writes later.  On SQLite in WAL mode such a transaction, begun with a plain BEGIN, is refused at
its first write ("database is locked") when another writer committed since it began to read.  The
registry runs that request again under the write lock (``core.db.run_unit_of_work``).  These
tests serve the app on its own SQLite file (a threaded server: one connection per request) and
download every kind of document that a GET issues while officers keep writing.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from flask import g

from registry.core.db import run_unit_of_work, takes_write_lock_first
from registry.listing.models import EntryStatus
from registry.objections import operations as objections
from tests.factories import valid_uscc
from tests.served import request, served_app, session_cookie, sign_in

SUBJECTS = 6


def _decided(make, entry, clerk, reviewer):
    """An objection to ``entry``, decided (its decision notice can be downloaded): (objection, code)."""
    objection, code = make.objection(entry)
    objections.accept(objection, clerk, objection.version)
    objections.prepare_decision(objection, clerk, objection.version, "dismissed", "理由不成立。")
    objections.confirm(objection, reviewer, objection.version)
    return objection, code


def _setup(make):
    _, key = make.api_key(rate="100000/minute")
    reviewer, admin, clerk = make.user("reviewer"), make.user("admin"), make.user("clerk")
    subjects, entries, receipts = [], [], []
    for _ in range(SUBJECTS):
        subject = make.subject(identifier=valid_uscc())
        entry = make.entry(EntryStatus.PUBLISHED, subject=subject)
        objection, code = _decided(make, entry, clerk, make.user("reviewer"))
        subjects.append((subject.id, subject.identifier))
        entries.append(entry.id)
        receipts.append((objection.id, objection.receipt_number, code))
    cases = [make.case("published", entry=make.published_entry()).id for _ in range(SUBJECTS)]
    return {"key": key, "subjects": subjects, "entries": entries, "receipts": receipts, "cases": cases,
            "reviewer": reviewer.email, "admin": admin.email}


def _applicant_cookie(port: int, receipt: str, code: str) -> str:
    response = request(port, "POST", "/objections/status", form={"receipt_number": receipt, "access_code": code})
    assert response.status == 302, response.text[:300]
    return session_cookie(response)


def _downloads(served, port: int) -> list[tuple[str, str, dict]]:
    """(label, path, headers) of every document-issuing GET, each issuing a new document."""
    extra = served.extra
    officer = {"Cookie": sign_in(port, extra["reviewer"])}
    admin = {"Cookie": sign_in(port, extra["admin"])}
    api = {"X-API-Key": extra["key"]}
    jobs = []
    for (subject_id, identifier), entry_id, case_id, (objection_id, receipt, code) in zip(
            extra["subjects"], extra["entries"], extra["cases"], extra["receipts"], strict=True):
        applicant = {"Cookie": _applicant_cookie(port, receipt, code)}
        jobs += [
            ("public report", f"/report/{identifier}.pdf", {}),
            ("public subject report", f"/subjects/{subject_id}/report.pdf", {}),
            ("api report", f"/api/v1/credit/{identifier}/report.pdf", api),
            ("entry notice", f"/officer/documents/list_entry/{entry_id}.pdf", officer),
            ("case notice", f"/officer/documents/case/{case_id}.pdf", officer),
            ("receipt", f"/objections/status/{receipt}/receipt.pdf", applicant),
            ("applicant's decision notice", f"/objections/status/{receipt}/notice.pdf", applicant),
            ("officer's decision notice", f"/objections/officer/{objection_id}/notice.pdf", officer),
        ]
    for year in (2024, 2025):
        for quarter in (1, 2, 3, 4):
            jobs.append(("bulletin", f"/officer/ledger/bulletin/{year}-Q{quarter}.pdf", officer))
            jobs.append(("compliance", f"/compliance/report/{year}-Q{quarter}.pdf", admin))
        for month in (1, 2, 3, 4, 5, 6):
            jobs.append(("effectiveness", f"/officer/cases/effectiveness/{year}-{month:02d}.pdf", officer))
    return jobs


def _run_together(jobs) -> None:
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
        thread.join(timeout=600)
    assert not errors, errors


def test_every_document_issuing_get_beside_concurrent_writers_answers(tmp_path):
    with served_app(tmp_path, officers=3, setup=_setup) as served:
        port = served.port
        downloads = _downloads(served, port)
        labels = {label for label, _path, _headers in downloads}
        results: list[tuple[str, int]] = []
        lock = threading.Lock()
        stop = threading.Event()
        writes = Counter()

        def writer(email):
            def keeps_writing():
                # Each sign-in writes (an audit event, the account's last sign-in) and commits.
                while not stop.is_set():
                    answer = request(port, "POST", "/login", form={"email": email, "password": "correct-horse-battery"})
                    with lock:
                        writes[answer.status] += 1
            return keeps_writing

        def reader(share):
            def downloads_its_share():
                try:
                    for label, path, headers in share:
                        answer = request(port, "GET", path, headers=headers)
                        with lock:
                            results.append((label, answer.status, answer.getheader("Content-Type")))
                finally:
                    with lock:
                        finished.append(1)
                    if len(finished) == READERS:
                        stop.set()
            return downloads_its_share

        READERS = 4
        finished: list[int] = []
        shares = [downloads[n::READERS] for n in range(READERS)]
        _run_together([writer(email) for email in served.emails] + [reader(share) for share in shares])

    assert writes and set(writes) == {302}, writes  # the writers really wrote, all the while
    failed = [(label, status) for label, status, _type in results if status != 200]
    assert failed == []
    assert len(results) == len(downloads)
    assert {label for label, _status, _type in results} == labels
    assert {content_type for _label, _status, content_type in results} == {"application/pdf"}


def test_a_unit_of_work_that_lost_the_write_lock_runs_again_under_it(app, tmp_path):
    """The rule in isolation: one retry, with the write intent, after SQLite's "database is locked"
    (the error a real SQLite raises, provoked below on a file of its own)."""
    lost = _locked_error(tmp_path)
    attempts = []

    def work():
        attempts.append(takes_write_lock_first())
        if len(attempts) == 1:
            raise lost
        return "done"

    with app.test_request_context("/report/x.pdf", method="GET"):
        assert run_unit_of_work(work, lambda: None) == "done"
    assert attempts == [False, True]

    # Not run again: another error, or a unit that already held the lock.
    for method, error in (("GET", sa.exc.OperationalError("SELECT", {}, Exception("disk I/O error"))),
                          ("POST", lost)):
        calls = []

        def failing(error=error, calls=calls):
            calls.append(1)
            raise error

        with app.test_request_context("/x", method=method), pytest.raises(sa.exc.OperationalError):
            run_unit_of_work(failing, lambda: None)
        assert calls == [1]


def test_a_request_that_committed_is_not_run_again(app, db, tmp_path):
    lost = _locked_error(tmp_path)
    calls = []

    def commits_then_loses():
        calls.append(1)
        db.session.commit()
        raise lost

    with app.test_request_context("/x", method="GET"):
        with pytest.raises(type(lost)):
            run_unit_of_work(commits_then_loses, db.session.rollback)
        assert g.get("registry_committed") is True
    assert calls == [1]


def _locked_error(folder):
    """A real "database is locked" from SQLite: read, let another connection write, then write."""
    path = str(folder / "locked.sqlite")
    first = sqlite3.connect(path, isolation_level=None)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE t (n INTEGER)")
    second = sqlite3.connect(path, isolation_level=None)
    first.execute("BEGIN")
    first.execute("SELECT count(*) FROM t").fetchone()
    second.execute("INSERT INTO t VALUES (1)")
    try:
        first.execute("INSERT INTO t VALUES (2)")
    except sqlite3.OperationalError as error:
        return sa.exc.OperationalError("INSERT INTO t VALUES (2)", {}, error)
    finally:
        first.close()
        second.close()
    raise AssertionError("SQLite did not refuse the stale writer")

