"""The real servers, started cold with queued photos: searches fired right at start never switch a model off.

At start-up the job thread loads the captioner while the first searches (and the dev server's warm-up) load
the embedder; both import `transformers`, which used to fail in about half of all starts and stay failed.
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from shoebox import create_app
from tests.conftest import Account, make_jpeg
from tests.reliability.helpers import PYTHON, REPO, env_for, free_port, http, kill9
from tests.waiting import wait_until

SERVERS = {
    "gunicorn": [PYTHON, "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "--chdir", str(REPO)],
    "dev server": [PYTHON, str(REPO / "app.py")],
}
PHOTOS = 3
SEARCHES = 8


def _queue_photos(data: Path, models: dict[str, str]) -> str:
    """Upload PHOTOS photos with no worker running, so their analysis waits in the queue; the owner's token."""
    app = create_app({"DATA_DIR": str(data), "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False, **models},
                     env_file=None)
    account = Account(app, "alice@example.com")
    for n in range(PHOTOS):
        account.upload_one(f"photo{n}.jpg", make_jpeg(color=(40 * n, 90, 200)))
    app.extensions["db"].dispose()
    return account.tokens["access_token"]


def _search_as_soon_as_up(port: int, token: str) -> list[int]:
    """SEARCHES meaning searches sent at once, each as soon as the server accepts it; their statuses."""
    statuses: list[int] = []

    def search() -> None:
        statuses.append(wait_until(lambda: _try(f"http://127.0.0.1:{port}/api/search?q=a+cat+in+the+snow", token),
                                   "the server to answer a search", 120, every=0.05))

    threads = [threading.Thread(target=search) for _ in range(SEARCHES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def _try(url: str, token: str) -> int | None:
    try:
        return http("GET", url, token=token)[0]
    except OSError:  # not listening yet
        return None


@pytest.mark.slow
@pytest.mark.embedded_only(reason="starts the embedded install as documented; the database plays no part")
@pytest.mark.parametrize("server", SERVERS)
def test_searches_right_at_start_leave_every_model_loaded(server, tmp_path, blip_dir, vit_dir, clip_dir):
    models = {"CAPTION_MODEL": str(blip_dir), "TAG_MODEL": str(vit_dir), "EMBED_MODEL": str(clip_dir),
              "FACES_ENABLED": "false", "OCR_ENABLED": "false", "PLACES_ENABLED": "false"}
    data, port, log = tmp_path / "data", free_port(), tmp_path / "server.log"
    token = _queue_photos(data, models)
    env = env_for(data, **models, SHOEBOX_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", WORKER_IN_PROCESS="true",
                  LOG_LEVEL="INFO")
    with log.open("wb") as out:
        process = subprocess.Popen(SERVERS[server], env=env, cwd=tmp_path, start_new_session=True, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        statuses = _search_as_soon_as_up(port, token)
        jobs_url = f"http://127.0.0.1:{port}/api/jobs"
        wait_until(lambda: http("GET", jobs_url, token=token)[1]["progress"] == 1.0, "the photos to be analysed", 180)
        jobs = http("GET", jobs_url, token=token)[1]
    finally:
        kill9(process)
    output = log.read_text(errors="replace")
    assert statuses == [200] * SEARCHES
    assert (jobs["counts"]["done"], jobs["waiting_reason"]) == (PHOTOS, None), output[-3000:]
    assert "cannot be loaded" not in output and "failed to load" not in output
    assert "start-up objects left out of garbage collection" in output  # no full collection rescans the models
