"""The feed's payloads are the API's records: each carries the markers the public pages show
(公示中, 异议处理中, 修复中) and matches the OpenAPI schema of its record type (issue 33 §3)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from registry.core.changes import ChangeEvent
from registry.disclosures import operations as disclosures
from registry.listing import operations as entries
from registry.listing.models import EntryStatus


@pytest.fixture
def key(make):
    return make.api_key(scopes=["changes:read"])[1]


def items(client, key) -> list[dict]:
    found, page = [], {"has_more": True, "next_cursor": None}
    while page["has_more"]:
        args = {"limit": 1000, **({"since": page["next_cursor"]} if page["next_cursor"] else {})}
        page = client.get("/api/v1/changes", query_string=args, headers={"X-API-Key": key}).get_json()
        found += page["changes"]
    return found


def test_a_published_disclosure_and_an_entry_in_publicity_carry_their_markers(client, db, make, key):
    disclosure = make.disclosure("pending_review")
    disclosures.approve_disclosure(disclosure, actor=make.user("reviewer"), expected_version=disclosure.version)
    entry = make.entry(EntryStatus.PENDING_REVIEW)
    entries.approve_entry(entry, make.user("reviewer"), entry.version)
    db.session.commit()
    by_record = {(i["record_type"], i["record_id"]): i for i in items(client, key)}
    published = by_record[("disclosure", disclosure.id)]
    assert published["change"] == "published"
    assert published["payload"]["markers"] == {"in_publicity": False, "objection_pending": False,
                                               "under_repair": False}
    started = by_record[("list_entry", entry.id)]
    assert started["change"] == "publicity_started"
    assert started["payload"]["markers"] == {"in_publicity": True, "objection_pending": False,
                                             "under_repair": False}
    stored = db.session.scalars(sa.select(ChangeEvent.payload).where(ChangeEvent.record_type == "disclosure")).all()
    assert all('"markers"' in payload for payload in stored)  # stored with them, as the exchange reads them
