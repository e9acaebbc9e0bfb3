"""A real server, a real SMTP server and Debian's Chromium driven by Playwright.

The app runs in a werkzeug server thread on a free port, on embedded defaults (SQLite, the thread
executor) with mail going to an aiosmtpd server on localhost.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from restora.config import Settings
from restora.migrations import migrate
from restora.web import create_app
from restora.web.executor import stop_executor
from tests.web.mailbox import Mailbox, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def mailbox():
    box = Mailbox()
    box.start()
    yield box
    box.stop()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, mailbox):
    """(base URL, app) of a running server."""
    data_dir = tmp_path_factory.mktemp("browser-instance")
    settings = Settings(
        data_dir=data_dir, secret_key="browser-test-key", mail_host="127.0.0.1", mail_port=mailbox.port
    )
    migrate(settings)
    app = create_app(settings)
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", app
    server.shutdown()
    thread.join(10)
    stop_executor(app)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing; `make test` installs it (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(locale="en-US", has_touch=True, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()
    shutil.rmtree(tmp_path / "downloads", ignore_errors=True)
