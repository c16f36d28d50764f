"""Objection pages: the public form and status page, the handling unit's pages (``web.add_routes``)."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from registry.applications.handling import Applicant
from registry.applications.web import KindPages, add_routes, decision_choices
from registry.core.forms import select_choices
from registry.core.holds import HoldKind
from registry.core.permissions import is_officer
from registry.core.web import add_nav
from registry.listing.panels import register_applications_panel
from registry.objections import operations as ops
from registry.objections.forms import ObjectionDecisionForm, ObjectionForm
from registry.objections.models import EFFECT_LABELS, OUTCOME_LABELS

bp = Blueprint("objections", __name__, url_prefix="/objections")


def _filing_kwargs(form: ObjectionForm, uploads) -> dict:
    return {
        "target": form.record.data,
        "applicant": Applicant(form.applicant_kind.data, form.applicant_name.data, form.applicant_identifier.data,
                               form.phone.data, form.email.data),
        "grounds": form.grounds.data,
        "uploads": uploads,
    }


def _decision_form(objection, formdata=None) -> ObjectionDecisionForm:
    form = ObjectionDecisionForm(formdata=formdata) if formdata is not None else ObjectionDecisionForm(
        outcome=objection.outcome.value if objection.outcome else None, reasons=objection.decision_reasons)
    form.outcome.choices = decision_choices(OUTCOME_LABELS)
    form.disclosure_effect.choices = select_choices([(k.value, v) for k, v in EFFECT_LABELS.items()])
    form.correction_id.choices = select_choices(
        [("", _l("— none —"))] + [(d.id, f"#{d.id} {d.decision_number}") for d in ops.pending_corrections(objection)]
    )
    return form


def _prepare_kwargs(form: ObjectionDecisionForm) -> dict:
    correction = form.correction_id.data
    return {"disclosure_effect": form.disclosure_effect.data,
            "correction_id": int(correction) if correction and str(correction).isdigit() else None}


PAGES = KindPages(
    kind="objection", model=ops.Objection, ops=ops, form_class=ObjectionForm, file_fields=(("files", "evidence"),),
    filing_kwargs=_filing_kwargs, file_operation=ops.file_objection, decision_form=_decision_form,
    prepare_kwargs=_prepare_kwargs, candidate=ops.objectable, notice_kind="objection_decision",
    receipt_kind="objection_receipt",
    titles={"name": _l("Objection"), "new": _l("File an objection"), "form_template": "objections/form.html",
            "officer_list": _l("Objections"), "outcomes": OUTCOME_LABELS, "link": _l("Object to this record"),
            "details_template": "objections/_details.html"},
)
add_routes(bp, PAGES)
register_applications_panel(kind=PAGES.kind, model=PAGES.model, title=PAGES.titles["officer_list"], order=40,
                            hold_kind=HoldKind.OBJECTION)

add_nav("objections.lookup", _l("Application status"), order=80)
add_nav("objections.officer_index", _l("Objections"), order=60, officer=True, visible=is_officer)

__all__ = ["PAGES", "bp"]
