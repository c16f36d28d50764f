"""``/audit/heads.json``: the audit chain's daily heads, for anyone to archive.

A copy kept by someone outside the department is what an insider holding the database, the key
and the anchor file cannot rewrite: ``flask audit verify --published <archived copy>`` holds the
chain against it.  Only event ids and hashes appear: nothing of an event's content.
"""

from __future__ import annotations

from flask import current_app, jsonify

from registry.core.heads import feed
from registry.public.views import bp


@bp.route("/audit/heads.json")
def audit_heads():
    response = jsonify(feed(current_app.config["PUBLIC_BASE_URL"]))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
