"""The red and black lists exclude each other.

A subject the rules hold seriously dishonest is not rewarded as trustworthy:

- a red-list entry cannot be drafted, submitted or approved for a subject with a black-list entry
  the public sees (in publicity or published, within its validity) or a serious administrative
  penalty within its disclosure period (``red_list_bar``);
- when a black-list entry is published (it takes effect at the end of its publicity), the
  subject's red-list entries leave the red list: a published one is removed (reason
  ``blacklisted``), one still in publicity withdrawn; each audited with the reason that names the
  black-list decision, and sent to the change feed.  The cases on a red entry stand: it was right
  when listed, so nothing rests on a wrong basis (docs/RULES.md, "Records that rest on another").
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.changes import ChangeKind
from registry.core.errors import ValidationFailed
from registry.core.workflow import transition
from registry.disclosures.models import Disclosure, DisclosureKind, Severity
from registry.disclosures.public import publicly_visible
from registry.extensions import db
from registry.listing.feed import feed
from registry.listing.models import EntryStatus, ListEntry, ListKind, RemovalReason
from registry.listing.public import publicly_shown

RED_STATES = (EntryStatus.IN_PUBLICITY, EntryStatus.PUBLISHED)


def red_list_bar(subject_id: int, today: date):
    """Why the subject cannot enter the red list today, or None."""
    black = db.session.scalar(sa.select(ListEntry.decision_number).where(
        ListEntry.subject_id == subject_id, ListEntry.list_kind == ListKind.BLACK, publicly_shown(today)).limit(1))
    if black is not None:
        return _l("This subject is on the black list (decision %(number)s): a subject with an effective black-list "
                  "entry cannot enter the red list.", number=black)
    serious = db.session.scalar(sa.select(Disclosure.decision_number).where(
        Disclosure.subject_id == subject_id, Disclosure.kind == DisclosureKind.PENALTY,
        Disclosure.severity == Severity.SERIOUS, publicly_visible(today)).limit(1))
    if serious is not None:
        return _l("This subject has a serious administrative penalty within its disclosure period (decision "
                  "%(number)s): it cannot enter the red list.", number=serious)
    return None


def ensure_may_enter(list_kind, subject_id: int) -> None:
    """Refuse a red-list entry for a subject ``red_list_bar`` bars (at its subject field)."""
    if ListKind(list_kind) is not ListKind.RED:
        return
    reason = red_list_bar(subject_id, clock.today())
    if reason is not None:
        raise ValidationFailed(reason, field="subject_identifier")


def leave_red_list(published_ids: list[int], today: date) -> int:
    """The red entries of the subjects whose black entries among ``published_ids`` were just
    published leave the red list; returns how many did."""
    if not published_ids:
        return 0
    black = sa.orm.aliased(ListEntry)
    rows = db.session.execute(
        sa.select(ListEntry, black.decision_number)
        .join(black, sa.and_(black.subject_id == ListEntry.subject_id, black.id.in_(published_ids),
                             black.list_kind == ListKind.BLACK))
        .where(ListEntry.list_kind == ListKind.RED, ListEntry.status.in_(RED_STATES))
        .order_by(ListEntry.id, black.id)
    ).all()
    done: set[int] = set()
    for entry, number in rows:
        if entry.id in done:
            continue
        done.add(entry.id)
        reason = f"因列入失信联合惩戒对象名单（认定文书号：{number}），移出守信联合激励对象名单。"
        if entry.status is EntryStatus.PUBLISHED:
            transition(entry, expected_version=entry.version, allowed_from={EntryStatus.PUBLISHED},
                       to=EntryStatus.REMOVED, actor=None, action="list_entry.remove_blacklisted", comment=reason,
                       values={"removal_reason": RemovalReason.BLACKLISTED, "removal_date": today},
                       details={"removal_reason": RemovalReason.BLACKLISTED.value, "black_list_decision": number})
            feed(entry, ChangeKind.REMOVED, reason=RemovalReason.BLACKLISTED.value)
        else:
            transition(entry, expected_version=entry.version, allowed_from={EntryStatus.IN_PUBLICITY},
                       to=EntryStatus.WITHDRAWN, actor=None, action="list_entry.withdraw_blacklisted",
                       comment=reason, details={"black_list_decision": number})
            feed(entry, ChangeKind.WITHDRAWN, reason=RemovalReason.BLACKLISTED.value)
    return len(done)
