"""Alerts: what the scheduled checks found that someone must act on (PRODUCT §9).

A package that wants an alert does two things:

1. registers the kind once, at import::

       register_alert_kind("objection_overdue", label=_l("Objection overdue"),
                           message=_l("Objection %(receipt)s was due on %(due_date)s."),
                           severity=OVERDUE, link=link_to("objections.show", "objection_id"))

2. in its check, selects with ONE query every record currently in the condition, as labelled
   columns ``unit_id, record_type, record_id`` and optionally ``due_date, subject_id, params``
   (params: a JSON text of the message's values), and hands it to ``sync_alerts``::

       sync_alerts("objection_overdue", today, sa.select(
           Objection.unit_id.label("unit_id"), sa.literal("objection").label("record_type"),
           Objection.id.label("record_id"), Objection.decide_by.label("due_date"),
       ).where(...))

``sync_alerts`` raises an alert for every record newly in the condition, resolves the open ones
no longer in it, refreshes the due date and params of the rest, and remembers the new ones so that
the runner mails them after the check's commit.  Everything is set-based (INSERT … SELECT,
UPDATE … WHERE EXISTS), so a second run with nothing changed changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import BuildError

from registry.checks.models import Alert
from registry.core import clock
from registry.core.registry import Registry
from registry.extensions import db

WARNING = "warning"
OVERDUE = "overdue"
NEW_ALERTS_KEY = "registry_new_alert_ids"


@dataclass(frozen=True)
class AlertKind:
    name: str
    label: object  # lazy string
    message: object  # lazy string, formatted with the alert's params, ``due_date`` and ``record_id``
    severity: str = WARNING
    link: Callable[[Alert], str | None] | None = None


ALERT_KINDS: Registry[AlertKind] = Registry("alert kind")


def register_alert_kind(name: str, *, label, message, severity: str = WARNING,
                        link: Callable[[Alert], str | None] | None = None) -> AlertKind:
    return ALERT_KINDS.add(AlertKind(name, label, message, severity, link))


def link_to(endpoint: str, argument: str = "id", **fixed) -> Callable[[Alert], str | None]:
    """A link builder for a kind: ``url_for(endpoint, <argument>=alert.record_id)``.

    Returns None (no link, never an error) while the endpoint does not exist yet.
    """

    def build(alert: Alert) -> str | None:
        try:
            return url_for(endpoint, **{argument: alert.record_id}, **fixed)
        except BuildError:
            return None

    return build


def alert_message(alert: Alert) -> str:
    kind = ALERT_KINDS.get(alert.kind)
    if kind is None:
        return alert.kind
    values = {"record_id": alert.record_id, "due_date": alert.due_date.isoformat() if alert.due_date else "",
              **alert.params_dict}
    try:
        return str(kind.message) % values
    except (KeyError, TypeError, ValueError):
        return str(kind.label)


def alert_link(alert: Alert) -> str | None:
    kind = ALERT_KINDS.get(alert.kind)
    return kind.link(alert) if kind and kind.link else None


def alert_label(alert: Alert) -> str:
    kind = ALERT_KINDS.get(alert.kind)
    return str(kind.label) if kind else alert.kind


def alert_severity(alert: Alert) -> str:
    kind = ALERT_KINDS.get(alert.kind)
    return kind.severity if kind else WARNING


@dataclass(frozen=True)
class SyncResult:
    raised: int
    resolved: int
    updated: int
    new_ids: tuple[int, ...]

    def counts(self, prefix: str = "") -> dict[str, int]:
        return {f"{prefix}raised": self.raised, f"{prefix}resolved": self.resolved}


_COLUMNS = ("unit_id", "record_type", "record_id", "due_date", "subject_id", "params")
_TYPES = {"unit_id": sa.Integer(), "record_type": sa.String(40), "record_id": sa.Integer(), "due_date": sa.Date(),
          "subject_id": sa.Integer(), "params": sa.Text()}


def _literal_rows(rows: Iterable[Mapping]) -> sa.Select:
    """Rows computed in Python (a handful, e.g. calendar years) as a SELECT of literals."""
    selects = []
    for row in rows:
        values = dict(row)
        if values.get("params") is not None and not isinstance(values["params"], str):
            values["params"] = canonical_json(values["params"])
        selects.append(sa.select(*[sa.literal(values.get(name), _TYPES[name]).label(name) for name in _COLUMNS]))
    if not selects:
        return sa.select(*[sa.cast(sa.null(), _TYPES[name]).label(name) for name in _COLUMNS]).where(sa.false())
    return selects[0] if len(selects) == 1 else sa.union_all(*selects)


def _current(rows) -> sa.Subquery:
    statement = rows if isinstance(rows, sa.Select | sa.CompoundSelect) else _literal_rows(rows)
    inner = statement.subquery("current_rows")
    missing = [name for name in ("unit_id", "record_type", "record_id") if name not in inner.c]
    if missing:
        raise ValueError(f"sync_alerts: the query lacks the columns {', '.join(missing)}")
    columns = [inner.c[name] if name in inner.c else sa.cast(sa.null(), _TYPES[name]).label(name)
               for name in _COLUMNS]
    return sa.select(*columns).subquery("current_alerts")


def json_param(key: str, column):
    """SQL: ``{"key": column}`` as JSON text, for an alert's message values (quotes escaped by the
    database's own JSON function)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.json_build_object(key, column), sa.Text).label("params")
    return sa.func.json_object(key, column).label("params")


def canonical_json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def sync_alerts(kind: str, today: date, rows) -> SyncResult:
    """Make the open alerts of ``kind`` match ``rows``: the records in the condition right now.

    ``rows``: a SELECT with the labelled columns described in the module docstring (each record
    at most once), or a short iterable of dicts with the same keys.  Runs in the caller's
    transaction and never commits.
    """
    if kind not in ALERT_KINDS:
        raise KeyError(f"alert kind {kind!r} is not registered")
    now = clock.utcnow()
    current = _current(rows)
    is_open = sa.and_(Alert.kind == kind, Alert.resolved_at.is_(None))
    same_record = sa.and_(current.c.record_type == Alert.record_type, current.c.record_id == Alert.record_id)
    before = db.session.scalar(sa.select(sa.func.max(Alert.id)).where(Alert.kind == kind)) or 0

    resolved = db.session.execute(
        sa.update(Alert).where(is_open, ~sa.exists().where(same_record)).values(resolved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount

    changed = sa.exists().where(
        same_record,
        sa.or_(current.c.due_date.is_distinct_from(Alert.due_date), current.c.params.is_distinct_from(Alert.params),
               current.c.unit_id.is_distinct_from(Alert.unit_id)),
    )
    updated = db.session.execute(
        sa.update(Alert).where(is_open, changed).values(
            due_date=sa.select(current.c.due_date).where(same_record).scalar_subquery(),
            params=sa.select(current.c.params).where(same_record).scalar_subquery(),
            unit_id=sa.select(current.c.unit_id).where(same_record).scalar_subquery(),
        ).execution_options(synchronize_session=False)
    ).rowcount

    already_open = sa.exists().where(
        Alert.kind == kind, Alert.resolved_at.is_(None),
        Alert.record_type == current.c.record_type, Alert.record_id == current.c.record_id,
    )
    db.session.execute(
        sa.insert(Alert).from_select(
            ["kind", "unit_id", "record_type", "record_id", "due_date", "subject_id", "params", "raised_at"],
            sa.select(
                sa.literal(kind, sa.String(60)), current.c.unit_id, current.c.record_type, current.c.record_id,
                current.c.due_date, current.c.subject_id, current.c.params,
                sa.literal(now, Alert.__table__.c.raised_at.type),
            ).where(~already_open),
        )
    )
    # The new rows are those of this kind above the highest id before the insert (the check's
    # lock keeps other writers of this kind out); psycopg reports no rowcount for INSERT … SELECT.
    new_ids = tuple(db.session.scalars(sa.select(Alert.id).where(is_open, Alert.id > before).order_by(Alert.id)))
    raised = len(new_ids)
    if new_ids:
        db.session.info.setdefault(NEW_ALERTS_KEY, []).extend(new_ids)
    if resolved or updated or raised:
        db.session.expire_all()
    return SyncResult(raised=raised, resolved=resolved, updated=updated, new_ids=new_ids)


def open_alerts(unit_id: int | None = None, *, all_units: bool = False) -> sa.Select:
    """Open alerts of one unit (with the unit-less ones when ``unit_id`` is None), newest first."""
    statement = sa.select(Alert).where(Alert.resolved_at.is_(None))
    if not all_units:
        statement = statement.where(Alert.unit_id.is_(None) if unit_id is None else Alert.unit_id == unit_id)
    return statement.order_by(Alert.due_date.is_(None), Alert.due_date, Alert.id.desc())
