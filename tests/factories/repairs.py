"""Factories for repair applications, filed through the real operation."""

from __future__ import annotations

from registry.core.uploads import Upload
from tests.factories.objections import PDF, applicant


def repair_uploads(*, skip: tuple = (), training: bool = False) -> list[Upload]:
    names = ["application_form", "commitment_letter", "fulfilment_proof"]
    names += ["training_certificate"] if training else []
    return [Upload(field=name, data=PDF, filename=f"{name}.pdf", purpose=name) for name in names if name not in skip]


class RepairFactories:
    db: object

    def repair(self, record, *, uploads=None, statement: str = "已全面整改并履行处罚决定。", **fields):
        """A repair application for ``record`` (which must be eligible today); (application, code)."""
        from registry.applications.targets import target_key
        from registry.repairs import operations as ops

        return ops.file_repair(target=target_key(record), applicant=applicant(**fields), representative_name="张三",
                               representative_role="legal_representative", statement=statement,
                               uploads=repair_uploads() if uploads is None else uploads)

    def repairable_entry(self, **fields):
        """A published black entry whose minimum period before repair has passed."""
        from datetime import timedelta

        from registry.core import clock
        from registry.core.periods import add_months

        entry = self.entry("published", **fields)
        # the minimum period ended a few days ago
        entry.valid_from = add_months(clock.today(), -entry.category.repair_min_months) - timedelta(days=4)
        entry.valid_until = add_months(entry.valid_from, entry.category.validity_months)
        self.db.session.flush()
        return entry
