"""Fixtures shared by the security tests: ``world`` (one record of each kind and an officer of every role)."""

from tests.security.test_access_matrix import world  # noqa: F401  (a fixture, shared)
