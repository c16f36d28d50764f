"""Officer pages of the red and black lists, the review-queue source, the subject-page section,
and the admin pages of the list categories."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import selectinload

from registry.core import clock
from registry.core.audit import history
from registry.core.datalabels import data_label
from registry.core.decisions import Decision, decision_route, flow_decisions
from registry.core.errors import ValidationFailed
from registry.core.forms import select_choices, submitted_and_valid
from registry.core.holds import open_holds
from registry.core.identifiers import InvalidIdentifier
from registry.core.pagination import paginate
from registry.core.permissions import (
    Role,
    can_edit_unit,
    can_review,
    ensure_can_see,
    is_officer,
    officer_required,
    roles_required,
    scope_to_user,
)
from registry.core.removals import prepare_removal, removal_context
from registry.core.review import FlowQueueSource
from registry.core.web import add_nav, perform_form
from registry.core.workflow import register_queue_source
from registry.extensions import db
from registry.listing import categories as category_ops
from registry.listing import operations as ops
from registry.listing import validation, work
from registry.listing.forms import CategoryForm, DecisionForm, EntryFilterForm, EntryForm
from registry.listing.models import (
    LIST_KIND_LABELS,
    LIST_KIND_SHORT,
    REMOVAL_LABELS,
    STATUS_LABELS,
    EntryStatus,
    ListCategory,
    ListEntry,
    ListKind,
)
from registry.listing.panels import links_for, panels_for
from registry.listing.public import public_subject_entries
from registry.subjects.models import Subject
from registry.subjects.operations import find_or_create_subject
from registry.subjects.sections import register_subject_section

bp = Blueprint("listing", __name__)
PAGE_SIZE = 50


@bp.app_context_processor
def listing_labels() -> dict:
    return {
        "LIST_KIND_SHORT": LIST_KIND_SHORT,
        "LIST_STATUS_LABELS": STATUS_LABELS,
        "LIST_REMOVAL_LABELS": REMOVAL_LABELS,
    }


def _load(entry_id: int) -> ListEntry:
    entry = db.session.get(ListEntry, entry_id)
    ensure_can_see(entry)
    return entry


# ---------------------------------------------------------------------------------------------
# Entries


@bp.route("/officer/entries/")
@officer_required
def index():
    form = EntryFilterForm(request.args)
    form.status.choices = select_choices(
        [("", _l("All"))] + [(s.value, STATUS_LABELS[s]) for s in EntryStatus]
    )
    form.list_kind.choices = select_choices(
        [("", _l("All"))] + [(k.value, LIST_KIND_SHORT[k]) for k in ListKind]
    )
    categories = db.session.scalars(sa.select(ListCategory).order_by(ListCategory.display_order)).all()
    form.category_id.choices = select_choices([("", _l("All"))] + [(c.id, data_label(c.name)) for c in categories])
    statement = scope_to_user(sa.select(ListEntry), ListEntry.unit_id)
    if form.status.data in set(EntryStatus):
        statement = statement.where(ListEntry.status == EntryStatus(form.status.data))
    if form.list_kind.data in set(ListKind):
        statement = statement.where(ListEntry.list_kind == ListKind(form.list_kind.data))
    if form.category_id.data:
        statement = statement.where(ListEntry.category_id == form.category_id.data)
    statement, work_label = work.FILTERS.apply(statement, request.args.get("work"), current_user, clock.today())
    page = paginate(statement.order_by(ListEntry.id.desc()), PAGE_SIZE)
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "listing/index.html",
        entries=page.items,
        has_next=page.has_next,
        page=page.number,
        form=form,
        filters=filters,
        work_label=work_label,
    )


def _subject_of(form: EntryForm):
    try:
        return find_or_create_subject(
            kind=form.subject_kind.data,
            identifier=form.subject_identifier.data,
            name=form.subject_name.data,
            actor=current_user,
        )
    except InvalidIdentifier as error:
        error.field = "subject_identifier"
        raise
    except ValidationFailed as error:
        error.field = {"name": "subject_name", "identifier": "subject_identifier"}.get(
            error.field, error.field
        )
        raise


def _submitted(form: EntryForm) -> bool:
    """Submitted and valid; otherwise the content rules' problems show too, in the same answer."""
    return submitted_and_valid(form, lambda: validation.validated_fields(unit=current_user.unit,
                                                                         **form.entry_fields()))


def _save(form: EntryForm, entry: ListEntry | None):
    """Find or register the subject and create or update the draft, in one commit; None if refused."""
    def save():
        subject = _subject_of(form)
        if entry is None:
            return ops.create_entry(actor=current_user, subject=subject, **form.entry_fields())
        ops.update_draft(
            entry, actor=current_user, expected_version=form.version.data, subject=subject, **form.entry_fields()
        )
        return entry

    ok, result = perform_form(form, save, marked=_("Nothing was saved: correct the marked fields."))
    return result if ok else None


@bp.route("/officer/entries/new", methods=["GET", "POST"])
@roles_required(Role.CLERK, Role.REVIEWER)
def create():
    form = EntryForm()
    if request.method == "GET":
        subject = db.session.get(Subject, request.args.get("subject_id", type=int) or 0)
        if subject is not None:
            form.subject_kind.data, form.subject_identifier.data = subject.kind.value, subject.identifier
    if _submitted(form) and (entry := _save(form, None)) is not None:
        flash(_("The draft was saved. Submit it for review when it is complete."), "success")
        return redirect(url_for(".show", entry_id=entry.id))
    return render_template("listing/form.html", form=form, entry=None, categories=_categories())


@bp.route("/officer/entries/<id:entry_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(entry_id: int):
    entry = _load(entry_id)
    if not can_edit_unit(current_user, entry.unit_id) or entry.status is not EntryStatus.DRAFT:
        flash(_("Only a draft can be edited; this entry is no longer a draft."), "error")
        return redirect(url_for(".show", entry_id=entry.id))
    form = EntryForm(include_inactive_id=entry.category_id)
    if request.method == "GET":
        _fill(form, entry)
    if _submitted(form) and _save(form, entry) is not None:
        flash(_("The draft was saved."), "success")
        return redirect(url_for(".show", entry_id=entry.id))
    return render_template("listing/form.html", form=form, entry=entry, categories=_categories())


def _fill(form: EntryForm, entry: ListEntry) -> None:
    form.version.data = entry.version
    form.subject_kind.data, form.subject_identifier.data = entry.subject.kind.value, entry.subject.identifier
    form.list_kind.data, form.category_id.data = entry.list_kind.value, entry.category_id
    form.measure_ids.data = [str(m.id) for m in entry.measures]
    for name in ("reason", "legal_basis", "decision_number", "decision_date", "valid_until"):
        getattr(form, name).data = getattr(entry, name)


def _categories():
    return db.session.scalars(
        sa.select(ListCategory)
        .where(ListCategory.is_active)
        .order_by(ListCategory.display_order)
        .options(selectinload(ListCategory.measures))
    ).all()


@bp.route("/officer/entries/<id:entry_id>")
@officer_required
def show(entry_id: int):
    entry = _load(entry_id)
    version = {"version": entry.version}
    return render_template(
        "listing/show.html",
        entry=entry,
        events=history(ops.RECORD_TYPE, entry.id),
        decision_form=DecisionForm(data=version),
        can_edit=can_edit_unit(current_user, entry.unit_id),
        can_decide=can_review(current_user, entry),
        removal_ctx=removal_context(entry, current_user),
        holds=open_holds(ops.RECORD_TYPE, [entry.id])[entry.id],
        entry_links=links_for(entry, current_user),
        entry_panels=panels_for(entry, current_user),
    )


DECISIONS = {
    **flow_decisions(ops.FLOW, approved=_l("Approved: the entry is now in publicity.")),
    "revoke": Decision(
        lambda e, f: prepare_removal(e, actor=current_user, expected_version=f.get("version"), reason=f.get("reason")),
        _l("The removal was prepared: it takes effect when another reviewer of the unit confirms it."),
    ),
}
decision_route(bp, "/officer/entries/<id:entry_id>", DECISIONS, load=_load)


# ---------------------------------------------------------------------------------------------
# The review queue


class ListEntryQueue(FlowQueueSource):
    """List entries waiting for a reviewer, for ``/review``."""

    kind = "list_entry"
    label = _l("List entry")
    flow = ops.FLOW

    def title(self, entry: ListEntry) -> str:
        return f"{LIST_KIND_SHORT[entry.list_kind]} · {entry.decision_number}"

    def url(self, entry: ListEntry) -> str:
        return url_for("listing.show", entry_id=entry.id)

    def category(self, entry: ListEntry) -> str:
        return entry.category.name

    def approval_note(self, entry: ListEntry) -> str:
        # Approval starts the publicity period (PRODUCT §3, 公示); nothing is published yet.
        return _("Approve %(item)s? It then goes into publicity; it takes effect only when the publicity "
                 "period ends without a successful objection.", item=self.title(entry))

    def load(self, item_id: int, actor) -> ListEntry:
        return ops.get_entry_for(actor, item_id)


register_queue_source(ListEntryQueue())


# ---------------------------------------------------------------------------------------------
# The subject page


@register_subject_section("list_entries", order=10, template="listing/_subject_section.html",
                          public=public_subject_entries)
def subject_entries(subject, public: bool) -> dict:
    """Officers: every entry they may see."""
    if not is_officer(current_user):
        return {}
    statement = scope_to_user(sa.select(ListEntry).where(ListEntry.subject_id == subject.id), ListEntry.unit_id)
    entries = db.session.scalars(
        statement.options(selectinload(ListEntry.measures)).order_by(
            ListEntry.decision_date.desc(), ListEntry.id.desc()
        )
    ).all()
    return {
        "entries": entries,
        "holds": open_holds(ops.RECORD_TYPE, [e.id for e in entries]),
        "public": False,
    }


# ---------------------------------------------------------------------------------------------
# Admin: list categories


@bp.route("/admin/list-categories")
@roles_required(Role.ADMIN, Role.AUDITOR)
def categories():
    rows = db.session.scalars(
        sa.select(ListCategory)
        .order_by(ListCategory.list_kind, ListCategory.display_order)
        .options(selectinload(ListCategory.measures))
    ).all()
    return render_template("listing/categories.html", categories=rows, kinds=LIST_KIND_LABELS)


@bp.route("/admin/list-categories/new", methods=["GET", "POST"], defaults={"category_id": None})
@bp.route("/admin/list-categories/<id:category_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.AUDITOR)
def category(category_id: int | None):
    category = db.session.get(ListCategory, category_id) or abort(404) if category_id else None
    form = CategoryForm(obj=category)
    if request.method == "GET" and category is not None:
        form.list_kind.data = category.list_kind.value
        form.measure_ids.data = [str(m.id) for m in category.measures]
    if request.method == "POST" and current_user.role is not Role.ADMIN:
        abort(403)
    if form.validate_on_submit():
        ok, saved = perform_form(form, category_ops.save_category, category, actor=current_user,
                                 **form.category_fields())
        if ok:
            flash(_("The category was saved."), "success")
            return redirect(url_for(".category", category_id=saved.id))
    events = history("list_category", category.id) if category is not None else []
    return render_template("listing/category_form.html", form=form, category=category, events=events)


add_nav("listing.index", _l("List entries"), order=20, officer=True)
add_nav(
    "listing.categories",
    _l("List categories"),
    order=85,
    officer=True,
    visible=lambda user: user.role in (Role.ADMIN, Role.AUDITOR),
)
