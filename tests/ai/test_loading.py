"""Loading: one model at a time per process; a failure that may pass is retried, one that cannot is remembered."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shoebox.ai.base import LOAD_LOCK, ModelUnavailable
from shoebox.ai.captioner import Captioner
from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder
from shoebox.ai.tagger import Tagger

REPO = Path(__file__).resolve().parents[2]


def _half_copied(model_dir: Path, into: Path) -> tuple[Path, str]:
    """A copy of a model whose config.json is only half written yet, and the config it should have."""
    shutil.copytree(model_dir, into)
    config = (into / "config.json").read_text(encoding="utf-8")
    (into / "config.json").write_text(config[: len(config) // 2], encoding="utf-8")
    return into, config


@pytest.mark.slow
def test_many_threads_loading_every_backend_at_once_in_a_fresh_process_all_succeed(
    blip_dir: Path, vit_dir: Path, clip_dir: Path
) -> None:
    script = [sys.executable, "-m", "tests.ai.load_everything_at_once", str(blip_dir), str(vit_dir), str(clip_dir)]

    done = subprocess.run(script, cwd=REPO, capture_output=True, text=True, timeout=300, check=True)

    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["cold"], "transformers was imported before the threads started: the race was not tried"
    assert report["failures"] == []


def test_a_load_that_fails_unexpectedly_is_tried_again_after_the_backoff(
    clip_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, config = _half_copied(clip_dir, tmp_path / "clip-being-copied")
    embedder = ImageTextEmbedder(str(folder))
    embedder.retry_first_s = 0.2

    with pytest.raises(ModelUnavailable, match=r"failed to load \(JSONDecodeError.*will try again in 0.2 s"):
        embedder.embed_texts(["a cat"])
    (folder / "config.json").write_text(config, encoding="utf-8")  # the copy has finished
    time.sleep(0.25)

    with caplog.at_level(logging.INFO, logger="shoebox.ai.base"):
        assert embedder.embed_texts(["a cat"]).shape == (1, 16)
    assert "loading again (try 2)" in caplog.text


def test_a_model_waiting_for_its_retry_answers_at_once_even_while_another_model_loads(
    clip_dir: Path, tmp_path: Path
) -> None:
    folder, config = _half_copied(clip_dir, tmp_path / "clip-being-copied")
    embedder = ImageTextEmbedder(str(folder))
    with pytest.raises(ModelUnavailable):
        embedder.loaded()
    (folder / "config.json").write_text(config, encoding="utf-8")
    loading, finished = threading.Event(), threading.Event()

    def another_model_loading() -> None:
        with LOAD_LOCK:
            loading.set()
            finished.wait(10)

    holder = threading.Thread(target=another_model_loading)
    holder.start()
    loading.wait(10)
    started = time.monotonic()
    try:
        with pytest.raises(ModelUnavailable, match="will try again in 1 s"):
            embedder.embed_texts(["a cat"])
    finally:
        finished.set()
        holder.join()
    assert time.monotonic() - started < 0.5


def test_each_unexpected_failure_doubles_the_wait_up_to_the_cap(clip_dir: Path, tmp_path: Path) -> None:
    folder, _config = _half_copied(clip_dir, tmp_path / "broken-clip")
    embedder = ImageTextEmbedder(str(folder))
    embedder.retry_first_s, embedder.retry_max_s = 0.02, 0.05
    messages = []
    for _ in range(3):
        with pytest.raises(ModelUnavailable) as failure:
            embedder.loaded()
        messages.append(str(failure.value))
        time.sleep(0.06)

    assert [m.rsplit("will try again in ", 1)[1] for m in messages] == [
        "0.02 s (failure 1)", "0.04 s (failure 2)", "0.05 s (failure 3)"]


def test_missing_weights_are_remembered_until_reset(clip_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "clip-without-weights"
    shutil.copytree(clip_dir, folder)
    weights = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").unlink()
    embedder = ImageTextEmbedder(str(folder))
    embedder.retry_first_s = 0.01

    with pytest.raises(ModelUnavailable, match="cannot be loaded: no weights"):
        embedder.loaded()
    (folder / "model.safetensors").write_bytes(weights)
    time.sleep(0.05)
    with pytest.raises(ModelUnavailable, match="cannot be loaded: no weights"):  # not tried again
        embedder.loaded()

    embedder.reset()
    assert embedder.embed_texts(["a cat"]).shape == (1, 16)


@pytest.mark.parametrize("make", [Captioner, TextEmbedder, ImageTextEmbedder, Tagger], ids=lambda m: m.__name__)
def test_every_transformers_backend_remembers_that_the_package_is_missing(
    make, vit_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "transformers", None)  # as if not installed: find_spec says None
    model = make(str(vit_dir))
    model.retry_first_s = 0.0

    for _ in range(2):  # the second call is answered from memory, not by trying again
        with pytest.raises(ModelUnavailable, match=r"cannot be loaded: package transformers is not installed"):
            model.loaded()
