"""Signals the core sends and the domain packages listen to (as Indico's ``indico.core.signals``).

The core knows no domain: when something every package may depend on changes, it sends a signal
here, and each package connects its own receiver in its own module.  Receivers change rows and
write audit events but never commit: the request or command that sent the signal commits.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

calendar_changed = _signals.signal("calendar-changed", doc="""
The working-day calendar in force changed (an administrator set, removed or imported days, or the
packages' calendar was applied).  Sent with ``before`` and ``after`` (``WorkdayCalendar``) and
``actor`` (the user, or None for a command or check).  Each receiver recounts the stored
working-day deadlines of its open records and returns how many it moved.
""")

basis_withdrawn = _signals.signal("basis-withdrawn", doc="""
A published (or publicised) record was withdrawn or removed AS WRONG: an objection was upheld, the
decision was revoked, or the record was corrected (docs/RULES.md, "Records that rest on another").
Not sent when a record reaches the end of its period or leaves after a credit repair: what rested
on it then stands.  Sent by the owning package's operation with ``record_type`` (e.g.
``"list_entry"``), ``record_id``, ``cause`` (``"withdrawn"``, ``"revoked"``, ``"corrected"``),
``reason`` (the officer's text) and ``actor``.  Each package whose records rest on the record marks
them in the same transaction (never commits) and alerts their unit.
""")

subject_records_changed = _signals.signal("subject-records-changed", doc="""
Records of subjects changed in a way that may change what is derived from them (an entry, a
disclosure, an evaluation or a case was published, corrected, removed, withdrawn or expired; a
commitment was found breached).  Sent with ``subject_ids`` (an iterable of ids) in the transaction
of the change: ``core.changes.record_change`` sends it for every change-feed item of a subject,
and the packages whose changes are not in the feed send it themselves.  Receivers (e.g. the
supervision classes) update their rows in the same transaction and never commit.  The feed's
items also give ``change`` (``core.changes.ChangeKind``).
""")
