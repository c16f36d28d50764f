"""What the public sees of a credit evaluation (PRODUCT §11), in one place: the condition under which
the public sees it (``publicly_shown_evaluation``: once published), its public payload for the change
feed, the API, the exchange and the webhooks (``public_payload``), and its section of the public
subject page (``public_subject_section``, registered beside the officer's in ``views``)."""

from __future__ import annotations

from registry.evaluations.models import FIELD_NAMES_ZH, STATUS_LABELS, CreditEvaluation, EvaluationStatus


def publicly_shown_evaluation():
    """SQL: the public sees the evaluation: it is published (withdrawn ones leave the public pages)."""
    return CreditEvaluation.status == EvaluationStatus.PUBLISHED


def public_payload(evaluation: CreditEvaluation) -> dict:
    """The public fields of a published evaluation (persons' identifiers masked)."""
    subject = evaluation.subject
    return {
        "id": evaluation.id,
        "field": evaluation.field.value,
        "field_name": FIELD_NAMES_ZH[evaluation.field],
        "year": evaluation.year,
        "grade": evaluation.grade,
        "score": str(evaluation.score),
        "directly_determined": evaluation.directly_determined,
        "direct_reason": evaluation.direct_reason,
        "evaluating_unit": evaluation.evaluating_unit,
        "published_on": evaluation.published_on.isoformat(),
        "document_number": evaluation.document_number,
        "subject": {"name": subject.name, "kind": subject.kind.value, "identifier": subject.public_identifier},
    }


def public_subject_section(subject, records) -> dict:
    """On the public page: every published evaluation of the subject's public records, the latest
    per field marked."""
    latest = {evaluation.field: evaluation for evaluation in records.evaluations}
    return {"evaluations": records.evaluation_history, "latest": latest,
            "STATUS_LABELS": STATUS_LABELS} if records.evaluation_history else {}
