"""The supervision class in the API (PRODUCT §16): only for keys holding the scope
``supervision:read`` (supervisors' systems), never in the public credit answer."""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask import Blueprint, jsonify

from registry.accounts.apikeys import ApiScope
from registry.api import serializers
from registry.api.keys import api_error, api_view, note_identifiers
from registry.core import clock
from registry.core.caching import conditional
from registry.core.identifiers import public_identifier
from registry.extensions import db
from registry.subjects.models import Subject
from registry.supervision import operations as supervision
from registry.supervision.classes import class_names

PREFIX = "/api/v1"
IDENTIFIER = 'segment("batch")'

supervision_api_bp = Blueprint("supervision_api", __name__)


def _answer(lookup, subject) -> dict:
    if subject is None:
        code, _row = supervision.current_class(0)
        reading = lookup.readings[0]
        return {"identifier": public_identifier(reading.kind, reading.value),
                "found": False, "class": code, "class_name": class_names().get(code, code),
                "key_supervision": False, "since": None, "reasons": []}
    code, row = supervision.current_class(subject.id)
    return {
        "identifier": subject.public_identifier, "found": True, "class": code,
        "class_name": class_names().get(code, code), "key_supervision": bool(row and row.key_supervision),
        "since": row.since.isoformat() if row else None,
        "reasons": [{"rule": reason["rule"], "class": reason["class"], "record_type": reason["record_type"]}
                    for reason in (row.reason_list if row else [])],
    }


@supervision_api_bp.route(f"{PREFIX}/supervision/<{IDENTIFIER}:identifier>")
@api_view(ApiScope.SUPERVISION_READ)
def supervision_class(identifier: str):
    (lookup,) = serializers.parse_all([identifier])
    note_identifiers([lookup.normalized])
    if lookup.error is not None:
        return api_error(400, "invalid_identifier", lookup.error)
    values = [reading.value for reading in lookup.readings]
    subject = db.session.scalar(sa.select(Subject).where(Subject.identifier.in_(values)).order_by(Subject.id).limit(1))
    body = _answer(lookup, subject)
    response = jsonify({**body, "as_of": clock.utcnow().isoformat()})
    source = json.dumps(body, sort_keys=True, ensure_ascii=False).encode()
    return conditional(response, etag_source=source, private=True)
