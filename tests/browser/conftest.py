"""Browser journeys: the app served on a free port with its own fresh database, driven by
Playwright in Debian's Chromium (no browser download).

The live app always uses a fresh SQLite file built by the migrations and loaded with the demo
data, whatever database the rest of the suite runs on: the journeys test what users see, and
they need committed data that another thread (the server) can read.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from registry import create_app
from tests.served import buffered

CHROMIUM = next(
    (path for path in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(path)), None
)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"],
    }


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    """The application with a migrated, demo-loaded SQLite database, not served yet."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(
        {
            "SECRET_KEY": "browser-tests",
            "DATABASE_URL": f"sqlite:///{folder / 'live.sqlite'}",
            "UPLOAD_FOLDER": str(folder / "uploads"),
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        }
    )
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The base URL of the live app, served in a background thread for the whole session."""
    server = make_server("127.0.0.1", 0, buffered(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["PUBLIC_BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield live_app.config["PUBLIC_BASE_URL"]
    server.shutdown()


@pytest.fixture
def run_cli(live_app):
    """Run a flask command against the live app's database, e.g. run_cli("run-checks", "--today", "2027-01-04")."""

    def run(*args: str):
        result = live_app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output

    return run


@pytest.fixture
def artifacts(request):
    """``artifacts(page)`` gives a ``shot(name)`` for a page of a context the test made itself."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)

    def for_page(page):
        def take(name: str, full_page: bool = True):
            page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

        return take

    return for_page


@pytest.fixture
def shot(page, artifacts):
    """``shot("name")`` saves a full-page screenshot to test-artifacts/<test>/name.png."""
    return artifacts(page)


@pytest.fixture
def sign_in(page, live_server):
    def sign_in_as(email: str, password: str = "demo-password-2026"):
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(password)
        page.locator("form button[type=submit]").click()
        page.wait_for_load_state()

    return sign_in_as
