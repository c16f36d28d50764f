"""The one verify-then-publish workflow every reviewed record declares itself to (PRODUCT §3–§5).

A record type declares a ``ReviewFlow`` once: its model, the word its audit events start with,
its states (draft, pending, the approved state or a function choosing it) and how its refusals
are worded.  The flow's verbs (``ensure_may_draft``/``start``, ``ensure_editable``/``update``,
``submit``, ``approve``, ``return_``, ``take_off``) do what every reviewed record shares, in one
order: the optimistic version first (``StaleRecord``), then who may act (``PermissionDenied``:
clerks and reviewers of the unit draft and submit; a reviewer of the unit who neither created,
submitted nor edited it decides, the four-eyes rule), then the record's own rules (``check``),
then the state change as one conditional UPDATE (``core.workflow.transition``: ``InvalidTransition``
from a wrong state) with its audit event.  A domain keeps only its own effects, through
``check``, ``approval`` and ``on_approve``.  Nothing here commits: the view does
(``core.web.perform``).

``FlowQueueSource`` puts a flow's pending records into the one review queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from registry.core import clock
from registry.core.audit import record_event
from registry.core.editors import note_editor
from registry.core.errors import InvalidTransition, PermissionDenied
from registry.core.permissions import Role, can_edit_unit
from registry.core.workflow import (
    ReviewQueueSource,
    ensure_reviewer,
    ensure_version,
    required_comment,
    transition,
)
from registry.extensions import db

MAX_COMMENT = 2000
RETURN_NEEDS_COMMENT = _l("A return needs a comment saying what to fix.")


@dataclass(frozen=True)
class FlowWords:
    """How a record type words the workflow's refusals (``None``: the error's default message)."""

    draft_role: object = None  # starting a draft: not a clerk or reviewer of the unit
    edit_role: object = None  # editing a draft: not a clerk or reviewer of the record's unit
    submit_role: object = None
    review_role: object = None  # deciding: not a reviewer of the record's unit
    four_eyes: object = None  # deciding on what one created or submitted oneself
    not_draft: object = None  # editing what is no longer a draft
    return_comment: object = RETURN_NEEDS_COMMENT


@dataclass(frozen=True)
class Approval:
    """Where an approved record goes, with the columns and audit details of that state."""

    to: object
    values: dict = field(default_factory=dict)
    details: dict | None = None


@dataclass(frozen=True)
class ReviewFlow:
    """The workflow of one reviewed record type (a ``core.workflow.ReviewedMixin`` model).

    ``approved`` is the state an approval leads to, or a function ``record -> Approval`` choosing
    it (a list entry enters publicity, a minor penalty is verified but never published).
    ``check(record, verb)`` re-checks the record's own rules before ``"submit"`` and
    ``"approve"``; ``on_approve(record, actor)`` does what follows an approval (change feed,
    decision notice).
    """

    model: type
    action_prefix: str  # the audit events' first word: "list_entry" gives "list_entry.submit"
    draft: object
    pending: object
    approved: object | Callable[[object], Approval]
    words: FlowWords = FlowWords()
    published: frozenset = frozenset()  # the states ``take_off`` may leave
    check: Callable[[object, str], None] | None = None
    on_approve: Callable[[object, object], None] | None = None

    # -- drafts --------------------------------------------------------------------------------

    def ensure_may_draft(self, actor, unit_id) -> None:
        if not can_edit_unit(actor, unit_id):
            raise PermissionDenied(self.words.draft_role)

    def start(self, record, *, actor, details: dict | None = None):
        """Store ``record`` as a new draft of ``actor`` (after ``ensure_may_draft`` and the domain's
        validation), with its ``create`` event; ``actor`` becomes one of its editors."""
        record.status = self.draft
        record.created_by_id = actor.id
        record.created_at = clock.utcnow()
        db.session.add(record)
        db.session.flush()
        note_editor(record, actor)
        record_event(f"{self.action_prefix}.create", actor=actor, obj=record, to_state=self.draft, details=details)
        return record

    def ensure_editable(self, record, actor, expected_version) -> None:
        """Refuse unless ``record`` is at ``expected_version``, ``actor`` may edit its unit's drafts
        and it is still a draft: what a reviewer or the public saw is never edited in place."""
        ensure_version(record, expected_version)
        if not can_edit_unit(actor, record.unit_id):
            raise PermissionDenied(self.words.edit_role)
        if record.status != self.draft:
            raise InvalidTransition(self.words.not_draft)

    def update(self, record, *, actor, expected_version, values: dict, details: dict | None = None) -> None:
        """Change a draft's columns to ``values`` (validated by the domain) with an ``update`` event."""
        self.ensure_editable(record, actor, expected_version)
        self._move(record, actor, "update", to=self.draft, allowed_from={self.draft}, values=values, details=details)
        note_editor(record, actor)

    # -- review --------------------------------------------------------------------------------

    def submit(self, record, actor, expected_version) -> None:
        """Send a draft for review.  A previous reviewer's comment stays visible; their decision does not."""
        ensure_version(record, expected_version)
        if not can_edit_unit(actor, record.unit_id):
            raise PermissionDenied(self.words.submit_role)
        self._check(record, "submit")
        self._move(record, actor, "submit", to=self.pending, allowed_from={self.draft}, values={
            "submitted_by_id": actor.id, "submitted_at": clock.utcnow(), "reviewed_by_id": None, "reviewed_at": None,
        })

    def ensure_reviewer(self, record, actor) -> None:
        ensure_reviewer(record, actor, role_message=self.words.review_role, four_eyes_message=self.words.four_eyes)

    def approve(self, record, actor, expected_version, comment: str | None = None) -> None:
        """Verify: the record moves to its approved state, with the reviewer's optional comment."""
        ensure_version(record, expected_version)
        self.ensure_reviewer(record, actor)
        self._check(record, "approve")
        approval = self.approved(record) if callable(self.approved) else Approval(self.approved)
        comment = (comment or "").strip()[:MAX_COMMENT] or None
        values = {**self._reviewed(actor, comment), **approval.values}
        self._move(record, actor, "approve", to=approval.to, allowed_from={self.pending}, values=values,
                   comment=comment, details=approval.details)
        if self.on_approve is not None:
            self.on_approve(record, actor)

    def return_(self, record, actor, expected_version, comment: str) -> None:
        """Send a pending record back to draft with the reviewer's comment (required)."""
        ensure_version(record, expected_version)
        self.ensure_reviewer(record, actor)
        text = required_comment(comment, self.words.return_comment, limit=MAX_COMMENT)
        self._move(record, actor, "return", to=self.draft, allowed_from={self.pending},
                   values=self._reviewed(actor, text), comment=text)

    def take_off(self, record, actor, comment: str, *, to, action: str, comment_message,
                 values: dict | None = None, details: dict | None = None, allowed_from=None) -> str:
        """Take a published record off public view (the effect of a confirmed removal, or an upheld
        objection): a reviewer of the unit, with the reason (required).  Returns the reason."""
        if getattr(actor, "role", None) is not Role.REVIEWER or actor.unit_id != record.unit_id:
            raise PermissionDenied(self.words.review_role)
        text = required_comment(comment, comment_message, limit=MAX_COMMENT)
        self._move(record, actor, action, to=to, allowed_from=allowed_from or self.published, values=values,
                   comment=text, details=details)
        return text

    # -- shared --------------------------------------------------------------------------------

    def _check(self, record, verb: str) -> None:
        if self.check is not None:
            self.check(record, verb)

    @staticmethod
    def _reviewed(actor, comment) -> dict:
        return {"reviewed_by_id": actor.id, "reviewed_at": clock.utcnow(), "review_comment": comment}

    def _move(self, record, actor, verb: str, *, to, allowed_from, values=None, comment=None, details=None) -> None:
        transition(record, expected_version=record.version, allowed_from=allowed_from, to=to, actor=actor,
                   action=f"{self.action_prefix}.{verb}", values=values, comment=comment, details=details)


class FlowQueueSource(ReviewQueueSource):
    """A review-queue source whose model, pending state and decisions come from its ``flow``.

    A package sets ``kind``, ``label``, ``flow`` and says how an item reads (``title``, ``url``,
    and where the defaults do not fit ``subject_label``, ``category``, ``deadline``, ``load``).
    """

    flow: ReviewFlow

    @property
    def model(self):
        return self.flow.model

    @property
    def status(self):
        return self.flow.pending

    def approve(self, item_id: int, actor, expected_version: int) -> None:
        self.flow.approve(self.load(item_id, actor), actor, expected_version)

    def return_(self, item_id: int, actor, expected_version: int, comment: str) -> None:
        self.flow.return_(self.load(item_id, actor), actor, expected_version, comment)
