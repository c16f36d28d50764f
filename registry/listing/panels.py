"""What other packages add to the officer page of a list entry: links and panels.

Listing sits low in the domain and must not import the packages built on it (cases, commitments,
objections, repairs, documents); they register here instead, as they register subject-page
sections in ``registry.subjects.sections``.  A *link* is one action (``Record a case``, the
decision notice); a *panel* is a template with context loaded for the entry (the breached
commitments it cites, the open objections on it).  Both are asked whether they apply to the entry
and the signed-in officer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from registry.applications.models import OPEN_STATES, STATUS_LABELS
from registry.core.holds import open_holds
from registry.core.permissions import can_see_unit
from registry.core.registry import Registry
from registry.extensions import db
from registry.listing.public import RECORD_TYPE


@dataclass(frozen=True)
class EntryLink:
    name: str
    order: int
    label: object  # a lazy string
    url: Callable[..., str]  # url(entry) -> str
    visible: Callable[..., bool]  # visible(entry, user) -> bool
    css_class: str = ""


@dataclass(frozen=True)
class EntryPanel:
    name: str
    order: int
    template: str
    load: Callable[..., dict]  # load(entry, user) -> template context, or {} to leave it out


ENTRY_LINKS: Registry[EntryLink] = Registry("entry-page link")
ENTRY_PANELS: Registry[EntryPanel] = Registry("entry-page panel")


def register_entry_link(name: str, *, order: int, label, url: Callable, visible: Callable,
                        css_class: str = "") -> EntryLink:
    """Offer a link on the entry page where ``visible(entry, user)``."""
    return ENTRY_LINKS.add(EntryLink(name, order, label, url, visible, css_class))


def register_entry_panel(name: str, *, order: int, template: str):
    """Decorate ``load(entry, user) -> dict``: the panel is rendered with that context (``context``)."""

    def decorator(load):
        ENTRY_PANELS.add(EntryPanel(name, order, template, load))
        return load

    return decorator


def links_for(entry, user) -> list[tuple[EntryLink, str]]:
    """The links that apply, each with its URL."""
    return [(link, link.url(entry)) for link in ENTRY_LINKS.ordered() if link.visible(entry, user)]


def panels_for(entry, user) -> list[tuple[EntryPanel, dict]]:
    """The panels to render, each with its loaded context (empty ones left out)."""
    loaded = []
    for panel in ENTRY_PANELS.ordered():
        context = panel.load(entry, user)
        if context:
            loaded.append((panel, context))
    return loaded


def register_applications_panel(*, kind: str, model, title, hold_kind, order: int) -> None:
    """On the officer page of a list entry: the open applications of one kind on it, with links.

    Asks the holds first (one indexed lookup), so an entry without an open application costs no
    query of the applications table.
    """

    @register_entry_panel(f"open_{kind}s", order=order, template="applications/_entry_panel.html")
    def load(entry, user) -> dict:
        if hold_kind not in open_holds(RECORD_TYPE, [entry.id])[entry.id]:
            return {}
        rows = [application for application in db.session.scalars(
            sa.select(model).where(model.record_type == RECORD_TYPE, model.record_id == entry.id,
                                   model.status.in_(OPEN_STATES)).order_by(model.filed_at, model.id)
        ) if can_see_unit(user, application.unit_id)]
        if not rows:
            return {}
        return {"applications": rows, "title": title, "endpoint": f"{kind}s.officer_show",
                "STATUS_LABELS": STATUS_LABELS}
