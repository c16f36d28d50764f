"""Factories for issued documents: a notice issued through the real operation."""

from __future__ import annotations


class DocumentFactories:
    db: object

    def issued(self, kind: str, record, *, actor=None):
        """Issue the ``kind`` notice of ``record``: ``(pdf bytes, IssuedDocument)``."""
        from registry.documents.operations import document_pdf

        return document_pdf(kind, record, actor=actor)

    def credit_report(self, identifier_or_subject, *, actor=None):
        from registry.readmodel.report import credit_report_pdf

        return credit_report_pdf(identifier_or_subject, actor=actor)
