"""Fixtures shared by the security tests.

``world``: one record of each kind and an officer of every role (see test_access_matrix.py).

``chain_verified_at_the_end``: when the test session ends, the audit chain of the test database
(what was really committed: the seed data and whatever tests committed outside the rolled-back
test transaction, such as the PostgreSQL concurrency tests, which clean up after themselves) is
verified.  A test that deletes or rewrites audit rows other than its own at the chain's end, or
an operation that writes events outside the chain's lock, fails the run here.
"""

from __future__ import annotations

import pytest

from tests.security.test_access_matrix import world  # noqa: F401  (a fixture, shared)


@pytest.fixture(scope="session", autouse=True)
def chain_verified_at_the_end(app):
    yield
    from registry.core.audit import verify_chain
    from registry.extensions import db

    with app.app_context():
        try:
            report = verify_chain()
        finally:
            db.session.remove()
    assert report.ok, f"the test database's audit chain is broken after the run: {report}"
