"""Taking a list entry off the public pages early needs two officers (``core.removals``).

An officer of the unit prepares the removal of an entry in publicity (公示中) or published, with
a reason; a second reviewer confirms it, and only then ``withdraw_entry`` (in publicity) or
``revoke_entry`` (published) takes it off.  Objections upheld and repairs granted are four-eyes
decisions of their own (``applications.handling``) and call those operations directly.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.removals import RemovalKind, register_removal_kind
from registry.listing import operations as ops
from registry.listing.models import LIST_KIND_SHORT, EntryStatus, ListEntry


def _apply(entry: ListEntry, actor, request) -> None:
    if entry.status is EntryStatus.IN_PUBLICITY:
        ops.withdraw_entry(entry, actor, request.reason)
    else:
        ops.revoke_entry(entry, actor, entry.version, request.reason)


register_removal_kind(RemovalKind(
    record_type=ListEntry.__audit_type__,
    label=_l("List entry"),
    model=ListEntry,
    removable=frozenset({EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED}),
    apply=_apply,
    url=lambda entry: url_for("listing.show", entry_id=entry.id),
    title=lambda entry: f"{LIST_KIND_SHORT[entry.list_kind]} · {entry.decision_number}",
))
