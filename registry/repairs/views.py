"""Repair pages (``objections.web.add_routes``), and the subject page's links to both applications."""

from __future__ import annotations

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from registry.applications import targets
from registry.applications.handling import Applicant
from registry.applications.web import KindPages, add_routes, decision_choices
from registry.core.holds import HoldKind
from registry.core.permissions import is_officer
from registry.core.web import add_nav
from registry.listing.panels import register_applications_panel
from registry.objections import operations as objection_ops
from registry.repairs import operations as ops
from registry.repairs.forms import RepairDecisionForm, RepairForm
from registry.repairs.models import DOCUMENTS, OUTCOME_LABELS
from registry.subjects.sections import register_subject_section

bp = Blueprint("repairs", __name__, url_prefix="/repairs")


def _filing_kwargs(form: RepairForm, uploads) -> dict:
    return {
        "target": form.record.data,
        "applicant": Applicant(form.applicant_kind.data, form.applicant_name.data, form.applicant_identifier.data,
                               form.phone.data, form.email.data),
        "representative_name": form.representative_name.data,
        "representative_role": form.representative_role.data,
        "statement": form.statement.data,
        "uploads": uploads,
    }


def _decision_form(application, formdata=None) -> RepairDecisionForm:
    form = RepairDecisionForm(formdata=formdata) if formdata is not None else RepairDecisionForm(
        outcome=application.outcome.value if application.outcome else None, reasons=application.decision_reasons)
    form.outcome.choices = decision_choices(OUTCOME_LABELS)
    return form


PAGES = KindPages(
    kind="repair", model=ops.RepairApplication, ops=ops, form_class=RepairForm,
    file_fields=tuple((name, name) for name, _label, _required in DOCUMENTS),
    filing_kwargs=_filing_kwargs, file_operation=ops.file_repair, decision_form=_decision_form,
    prepare_kwargs=lambda form: {}, candidate=ops.repairable_kind, notice_kind="repair_decision",
    receipt_kind="repair_receipt",
    titles={"name": _l("Credit repair application"), "new": _l("Apply for credit repair"),
            "form_template": "repairs/form.html", "officer_list": _l("Credit repair applications"),
            "outcomes": OUTCOME_LABELS, "link": _l("Apply for credit repair"),
            "details_template": "repairs/_details.html"},
)
add_routes(bp, PAGES)
register_applications_panel(kind=PAGES.kind, model=PAGES.model, title=PAGES.titles["officer_list"], order=41,
                            hold_kind=HoldKind.REPAIR)

add_nav("repairs.officer_index", _l("Credit repair"), order=61, officer=True, visible=is_officer)


@register_subject_section("applications", order=95, template="repairs/_subject_section.html")
def _subject_section(subject, public: bool) -> dict:
    """On the public subject page: a link to object to, or apply to repair, each record it shows.

    The repair link only where the form would accept the application today (the rule the form
    applies, ``ops.eligibility``); otherwise the day from which it will, or why not.
    """
    if not public:
        return {}
    rows = [(targets.summary(record), objection_ops.objectable(record),
             ops.eligibility(record) if ops.repairable_kind(record) else None)
            for record in targets.public_records_of(subject.id)]
    rows = [row for row in rows if row[1] or row[2]]
    return {"application_rows": rows} if rows else {}
