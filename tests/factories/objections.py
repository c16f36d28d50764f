"""Factories for objections and repair applications, filed through the real operations."""

from __future__ import annotations

from registry.applications.handling import Applicant
from registry.core.uploads import Upload
from tests.factories.core import valid_uscc
from tests.files import PDF, PNG  # real (if tiny) files: uploads are parsed

__all__ = ["PDF", "PNG", "ObjectionFactories", "applicant", "pdf_upload"]


def applicant(**fields) -> Applicant:
    values = {"kind": "organisation", "name": "湖南测试异议人有限公司", "identifier": valid_uscc(),
              "phone": "+86 731-8888 0000", "email": "applicant@example.cn"}
    values.update(fields)
    return Applicant(**values)


def pdf_upload(field: str = "files", name: str = "evidence.pdf", purpose: str = "evidence") -> Upload:
    return Upload(field=field, data=PDF, filename=name, purpose=purpose)


class ObjectionFactories:
    db: object

    def objection(self, record=None, *, grounds: str = "认定事实有误，相关处罚决定已被撤销。", uploads=None, **fields):
        """An objection filed against ``record`` (a new published black entry by default); (objection, code)."""
        from registry.applications.targets import target_key
        from registry.objections import operations as ops

        record = record if record is not None else self.entry("published")
        return ops.file_objection(target=target_key(record), applicant=applicant(**fields), grounds=grounds,
                                  uploads=[pdf_upload()] if uploads is None else uploads)
