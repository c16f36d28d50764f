"""What the watchlist tests share: receivers on this machine, and a public change to notify."""

from __future__ import annotations

import pytest

from registry.listing import operations as entries
from registry.listing.models import EntryStatus
from tests.watch_receiver import Receiver


@pytest.fixture
def local_receivers_allowed(app, monkeypatch):
    """The receivers of these tests listen on this machine: the allow-list names loopback."""
    monkeypatch.setitem(app.config, "OUTBOUND_ALLOWED_NETWORKS", ["127.0.0.0/8"])


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def publish(make, subject):
    """An entry for ``subject`` approved through the operations: it enters publicity (a public change)."""
    entry = make.entry(EntryStatus.PENDING_REVIEW, subject=subject)
    entries.approve_entry(entry, make.user("reviewer"), entry.version)
    return entry
