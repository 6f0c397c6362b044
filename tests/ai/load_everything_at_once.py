"""Run in a fresh interpreter: many threads load every model backend at the same moment.

`python -m tests.ai.load_everything_at_once BLIP_DIR VIT_DIR CLIP_DIR [THREADS]` prints one JSON object:
whether `transformers` was still unimported when the threads started, and each load that failed.
"""

from __future__ import annotations

import json
import sys
import threading

from shoebox.ai.base import Model
from shoebox.ai.captioner import Captioner
from shoebox.ai.embedder import ImageTextEmbedder, TextEmbedder
from shoebox.ai.faces import FaceAnalyzer
from shoebox.ai.ocr import TextReader
from shoebox.ai.places import PlaceResolver
from shoebox.ai.tagger import PACKAGED_EFFICIENTNET, Tagger

MINILM = "sentence-transformers/all-MiniLM-L6-v2"


def shared_backends() -> list[Model]:
    """One of each backend that loads real weights from a package, shared by every thread as in the app."""
    return [TextEmbedder(MINILM), Tagger(PACKAGED_EFFICIENTNET), FaceAnalyzer(), TextReader(), PlaceResolver()]


def own_backends(blip: str, vit: str, clip: str) -> list[Model]:
    """A thread's own copies of the tiny `transformers` models, so their imports race rather than queue."""
    return [Captioner(blip), ImageTextEmbedder(clip), Tagger(vit)]


def main(blip: str, vit: str, clip: str, threads: int = 12) -> dict:
    """Start `threads` threads at one moment, each loading its own tiny models and then the shared ones."""
    shared = shared_backends()
    own = [own_backends(blip, vit, clip) for _ in range(threads)]
    cold = "transformers" not in sys.modules
    start = threading.Barrier(threads)
    sys.setswitchinterval(1e-4)  # switch threads 50 times as often as usual, so a race shows up at once
    failures: list[str] = []

    def load_all(index: int) -> None:
        start.wait()
        for model in own[index][index % 3:] + own[index][: index % 3] + shared[index % 5:] + shared[: index % 5]:
            try:
                model.loaded()
            except Exception as exc:  # every failure is what this script reports
                failures.append(f"{model.kind} {model.name}: {type(exc).__name__}: {exc}")

    workers = [threading.Thread(target=load_all, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {"cold": cold, "failures": failures}


if __name__ == "__main__":
    blip_dir, vit_dir, clip_dir, *rest = sys.argv[1:]
    print(json.dumps(main(blip_dir, vit_dir, clip_dir, *(int(n) for n in rest))))
