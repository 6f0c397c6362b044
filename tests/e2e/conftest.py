"""A real Shoebox on 127.0.0.1, a loopback SMTP server, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from shoebox import create_app
from tests.auth.test_password_reset import Inbox, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium", allow_module_level=True)


class LiveServer:
    """The app served by werkzeug in a thread, with the inbox its password-reset mails go to."""

    def __init__(self, app, url: str, inbox: Inbox) -> None:
        self.app, self.url, self.inbox = app, url, inbox

    def has_route(self, rule: str) -> bool:
        return any(r.rule == rule for r in self.app.url_map.iter_rules())


@contextmanager
def serving(data_dir: Path, inbox: Inbox | None = None, **settings) -> Iterator[LiveServer]:
    """The app on a free loopback port, jobs run at once, models off unless `settings` turn them on."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({
        "DATA_DIR": str(data_dir), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
        "FACES_ENABLED": False, "OCR_ENABLED": False, "PLACES_ENABLED": False,
        "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
        "PUBLIC_URL": url, "LOG_LEVEL": "WARNING", **settings,
    }, env_file=None)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(app, url, inbox or Inbox())
    finally:
        server.shutdown()
        thread.join(5)
        app.extensions["db"].dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with serving(tmp_path_factory.mktemp("e2e") / "data", inbox, SMTP_SERVER="127.0.0.1", SMTP_PORT=smtp_port,
                 SMTP_USE_TLS=False, MAIL_FROM="shoebox@test.example") as server:
        yield server
    smtp.stop()


@pytest.fixture(scope="session")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.rglob("*.png")):
        terminalreporter.write_line(f"e2e screenshots: {SCREENSHOTS}")
