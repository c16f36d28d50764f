"""Taking a published disclosure off the public pages early needs two officers (``core.removals``).

An officer of the unit prepares the removal (for instance: the decision was revoked by a court
or the authority itself), a second reviewer confirms it, and only then ``end_public_view`` takes it
off as revoked.  A correction has its own two-person path (``start_correction``: the corrected
version is reviewed like any draft and replaces the original on approval); repairs and upheld
objections are four-eyes decisions of ``applications.handling`` and call ``end_public_view``
directly.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from registry.core.removals import RemovalKind, register_removal_kind
from registry.disclosures.models import Disclosure, DisclosureStatus, RemovalReason
from registry.disclosures.operations import end_public_view


def _apply(disclosure: Disclosure, actor, request) -> None:
    end_public_view(disclosure, RemovalReason.REVOKED, actor, request.reason)


register_removal_kind(RemovalKind(
    record_type=Disclosure.__audit_type__,
    label=_l("Disclosure"),
    model=Disclosure,
    removable=frozenset({DisclosureStatus.PUBLISHED}),
    apply=_apply,
    url=lambda disclosure: url_for("disclosures.show", disclosure_id=disclosure.id),
    title=lambda disclosure: disclosure.decision_number,
))
