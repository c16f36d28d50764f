"""Done means: a client generated from the OpenAPI document alone (openapi-python-client,
in the contract virtualenv made by ``make contract-tools``) drives every endpoint of the API served
for real, and reads the notifications sent to a local receiver with the document's models.

The generator must generate without a warning (the PDF report included), and the driver
(``tests/contract/drive_client.py``) runs in the contract virtualenv's Python, apart from the
application's, as an integrator's program would.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.accounts.apikeys import ApiScope
from registry.core.changes import ChangeKind, record_change
from registry.extensions import db
from registry.listing.public import public_payload
from registry.watch import delivery, operations
from tests.served import served_app
from tests.watch_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("REGISTRY_CONTRACT_TOOL") or ROOT / ".venv-contract" / "bin" / "schemathesis").parent
GENERATOR = BIN / "openapi-python-client"

pytestmark = pytest.mark.skipif(not GENERATOR.exists(), reason=f"openapi-python-client is not installed at "
                                f"{GENERATOR}: `make contract-tools` installs it")


def _records(receiver_url):
    def setup(make):
        subject = make.subject()
        entry = make.entry("published", subject=subject)
        key, raw = make.api_key(scopes=[scope.value for scope in ApiScope], rate="1000000/minute")
        operations.set_endpoint(key, receiver_url, actor=make.user("admin", unit="FGC"))
        return raw, subject.identifier, subject.id, entry.id
    return setup


def _run(command, **kwargs) -> str:
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, env=environment, check=False,
                            **kwargs)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    return output


def test_a_generated_client_drives_every_endpoint_and_reads_the_notifications(tmp_path):
    with Receiver() as receiver, served_app(tmp_path, setup=_records(receiver.url),
                                            OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]) as served:
        raw, identifier, subject_id, entry_id = served.extra
        base = f"http://127.0.0.1:{served.port}"
        document = tmp_path / "openapi.json"
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=30) as answer:
            document.write_bytes(answer.read())
        output = _run([str(GENERATOR), "generate", "--path", str(document), "--meta", "none",
                       "--output-path", str(tmp_path / "registry_client")], cwd=tmp_path)
        assert "Warning" not in output and "WARNING" not in output, output
        drive = [str(BIN / "python"), str(ROOT / "tests" / "contract" / "drive_client.py"), str(tmp_path), base,
                 raw, identifier]
        assert "api: ok" in _run([*drive, "api"])
        with served.app.app_context():
            record_change("list_entry", entry_id, ChangeKind.UPDATED, subject_id=subject_id,
                          payload=public_payload(db.session.get(_entry_model(), entry_id)))
            db.session.commit()
            counts = delivery.run()
            assert counts["delivered"] == 3, counts  # the test event the client asked for, the state, the change
        bodies = tmp_path / "bodies.json"
        bodies.write_text(json.dumps([request["body"] for request in receiver.requests]), encoding="utf-8")
        assert "webhooks: ok" in _run([*drive, "webhooks", str(bodies)])
        with served.app.app_context():
            assert db.session.scalar(sa.text("SELECT count(*) FROM watched_identifiers")) == 0


def _entry_model():
    from registry.listing.models import ListEntry

    return ListEntry
