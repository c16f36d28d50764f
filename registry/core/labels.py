"""Readable names for the audit log's action codes and record states.

Audit events store stable codes (``list_entry.approve``, ``pending_review``); people read labels.
Each package registers the labels of its record states with ``register_state_labels``; actions
are named by their last part (the verb), which the packages share.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from registry.core.registry import Registry


@dataclass(frozen=True)
class StateLabels:
    object_type: str
    labels: dict  # state value -> lazy label


STATE_LABELS: Registry[StateLabels] = Registry("state labels", key=lambda item: item.object_type)

ACTION_VERBS = {
    "create": _l("created"),
    "update": _l("edited"),
    "submit": _l("submitted for review"),
    "approve": _l("approved"),
    "return": _l("returned for correction"),
    "publish": _l("published"),
    "expire": _l("expired"),
    "withdraw": _l("withdrawn"),
    "remove": _l("removed from public view"),
    "remove_repaired": _l("removed after credit repair"),
    "remove_revoked": _l("revoked"),
    "correct": _l("corrected"),
    "import": _l("imported"),
    "import_file": _l("file imported"),
    "issue": _l("document issued"),
    "revoke": _l("revoked"),
    "mark_typical": _l("marked as typical case"),
    "breach": _l("breach recorded"),
    "cite": _l("cited as a listing reason"),
    "cite_commitment": _l("breached commitment cited"),
    "acknowledge": _l("acknowledged"),
    "amend": _l("amended"),
    "accept": _l("accepted"),
    "reject": _l("rejected as inadmissible"),
    "prepare": _l("decision prepared"),
    "prepare_removal": _l("removal prepared"),
    "confirm_removal": _l("removal confirmed"),
    "refuse_removal": _l("removal refused"),
    "cancel_removal": _l("removal cancelled"),
    "prepare_reject": _l("inadmissibility prepared"),
    "return_reject": _l("inadmissibility returned"),
    "decide": _l("decision confirmed"),
    "request_material": _l("more material requested"),
    "black_list_draft": _l("black list draft prepared"),
    "copy_year": _l("copied to another year"),
    "login": _l("signed in"),
    "logout": _l("signed out"),
    "failed": _l("failed sign-in"),
    "locked": _l("account locked"),  # (older events: accounts are no longer locked, core.throttle)
    "refused_locked": _l("sign-in refused: account locked"),
    "throttled": _l("sign-in refused: too many failures, must wait"),
    "password": _l("password changed"),
    "change": _l("changed"),
    "set": _l("set"),
    "basis_withdrawn": _l("basis withdrawn: no longer counted"),
    "case_quota": _l("case quota duty changed"),
    "save": _l("saved"),
    "delete": _l("deleted"),
    "file": _l("application filed"),
    "add_material": _l("material added"),
    "unmark_typical": _l("no longer a typical case"),
    "recount_deadline": _l("deadline recounted"),
    "recount_publicity": _l("publicity period recounted"),
    "recount_accept_due": _l("acceptance deadline recounted"),
    "recount_decide_due": _l("decision deadline recounted"),
    "apply": _l("calendar applied"),
    "arrangement_entered": _l("holiday arrangement declared entered"),
    "arrangement_withdrawn": _l("holiday arrangement declaration withdrawn"),
    "remove_blacklisted": _l("left the red list: put on the black list"),
    "withdraw_blacklisted": _l("withdrawn from red-list publicity: put on the black list"),
    "deciding_unit": _l("deciding unit corrected to the deciding authority"),
    "adopt": _l("taken as the decision notice"),
    "issue_missing": _l("missing decision notices issued"),
}
# Actions whose verb alone would mislead (an API key is issued, not a document).
ACTION_LABELS = {
    "api_key.issue": _l("API key issued"),
    "api_key.revoke": _l("API key revoked"),
    "calendar.set": _l("calendar day set"),
    "calendar.remove": _l("calendar day removed"),
    "auth.login": _l("signed in"),
    "auth.logout": _l("signed out"),
}
# Who acted when no officer did.
ACTOR_LABELS = {"public": _l("The public"), "system": _l("The system")}


def register_state_labels(object_type: str, labels: dict) -> None:
    """Name the states of one kind of record (``labels`` maps enum members or values to labels)."""
    STATE_LABELS.add(StateLabels(object_type, {str(getattr(k, "value", k)): v for k, v in labels.items()}))


def actor_label(event) -> str:
    """Who did it: the officer's name, 公众 (the public), 系统 (a scheduled check), or as stored."""
    if event.actor is not None:
        return event.actor.name
    label = ACTOR_LABELS.get(event.actor_label)
    return str(label) if label is not None else event.actor_label


def action_label(action: str) -> str:
    verb = action.rsplit(".", 1)[-1]
    label = ACTION_LABELS.get(action) or ACTION_VERBS.get(verb)
    return str(label) if label is not None else action


def state_label(object_type: str | None, state: str | None) -> str:
    if state is None:
        return "—"
    labels = STATE_LABELS.get(object_type or "")
    label = labels.labels.get(state) if labels else None
    return str(label) if label is not None else state
