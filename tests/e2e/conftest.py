"""A real Shoebox on 127.0.0.1, a loopback SMTP server, and Debian's headless Chromium driven by Playwright."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from playwright import sync_api
from werkzeug.serving import make_server

from shoebox import create_app
from tests.auth.test_password_reset import Inbox, free_port
from tests.conftest import SCREENSHOTS
from tests.e2e.tiles import shared_tile_url

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]



class LiveServer:
    """The app served by werkzeug in a thread, with the inbox its password-reset mails go to."""

    def __init__(self, app, url: str, inbox: Inbox) -> None:
        self.app, self.url, self.inbox = app, url, inbox


@contextmanager
def serving(data_dir: Path, inbox: Inbox | None = None, **settings) -> Iterator[LiveServer]:
    """The app on a free loopback port, jobs run at once, models off unless `settings` turn them on, map tiles from
    a tile server on loopback (tests/e2e/tiles.py)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app({
        "DATA_DIR": str(data_dir), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
        "FACES_ENABLED": False, "OCR_ENABLED": False, "PLACES_ENABLED": False,
        "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
        "PUBLIC_URL": url, "LOG_LEVEL": "WARNING", "MAP_TILE_URL": shared_tile_url(), **settings,
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
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)"
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The screenshots folder; each test empties its own sub-folder (see Shots), so parallel workers can share it."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
