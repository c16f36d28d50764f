from datetime import datetime

import pytest

from registry.core import clock
from registry.exchange import batches


@pytest.mark.parametrize(("role", "status"), [("clerk", 403), ("reviewer", 403), ("admin", 200), ("auditor", 200)])
def test_batches_page_access(client, login, db, role, status):
    login(role, unit="XXZX")
    assert client.get("/admin/exchange/").status_code == status


def test_batches_page_shows_status_and_error(app, client, login, make, db, monkeypatch):
    make.change_event(at=datetime(2026, 10, 5, 9, tzinfo=clock.LOCAL_TZ))
    monkeypatch.setitem(app.config, "EXCHANGE_URL", "http://127.0.0.1:9/in")
    batch = batches.build_batch(2026, 10).batch
    batches.deliver_batch(batch)
    login("admin", unit="XXZX")
    page = client.get("/admin/exchange/?lang=en").get_data(as_text=True)
    assert "2026-10" in page and "Delivery failed" in page and "cannot reach" in page
    assert batch.manifest_sha256 in page
