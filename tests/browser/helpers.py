"""Small helpers shared by the browser journeys (fixtures stay in conftest.py)."""

from __future__ import annotations

from contextlib import contextmanager

from registry.subjects.seed import demo_uscc

PASSWORD = "demo-password-2026"


def new_uscc(serial: int, region: str = "430100") -> str:
    """A valid USCC no demo subject uses (the demo firms use serials 1001-1018)."""
    return demo_uscc(region, serial)


def switch_user(page, live_server: str, email: str) -> None:
    """Sign out whoever is signed in (drop the session cookie) and sign in as ``email``."""
    # Let the page finish loading first: a response still arriving for it (a script, the favicon)
    # would set the refreshed session cookie again after it was cleared, and /login would answer
    # "signed in" (leaving the page instead aborts those responses mid-file).
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


@contextmanager
def app_session(live_app):
    """The live app's database session, committed at the end: for setting up data no page makes
    (an entry published more than a year ago), never for the steps a journey drives."""
    from registry.extensions import db

    with live_app.app_context():
        try:
            yield db.session
            db.session.commit()
        finally:
            db.session.remove()


def minimal_pdf(path) -> None:
    """Write a small valid one-page PDF (correct xref offsets) to ``path``."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
