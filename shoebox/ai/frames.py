"""A video is analysed from a few frames (its poster first, then frames at 25%, 50% and 75% of it: media.video):
each part's results for its frames become one result for the clip, so a tag, a face or a word seen only later in
it finds the clip too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from shoebox.ai.clustering import DEFAULT_THRESHOLD, distance
from shoebox.ai.faces import Face
from shoebox.ai.tagger import Tagged
from shoebox.media.video import analysis_frames


def load_frames_for_models(path: str, side: int) -> list[Image.Image]:
    """The frames of the clip at `path` analysed besides its poster, upright RGB, no larger than `side`."""
    return analysis_frames(path, side)


def best_of(pairs: Sequence[Sequence[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Each name once with its best confidence, most confident first."""
    best: dict[str, float] = {}
    for items in pairs:
        for name, confidence in items:
            best[name] = max(confidence, best.get(name, confidence))
    return sorted(best.items(), key=lambda item: -item[1])


def merge_tagged(frames: Sequence[Tagged]) -> Tagged:
    """The union of the frames' tags and labels (the best confidence of each); the look of the poster (what
    "more like this" and near-duplicates compare is the picture the grid shows)."""
    return Tagged(best_of([f.tags for f in frames]), best_of([f.labels for f in frames]), frames[0].look)


def merge_faces(frames: Sequence[Sequence[Face]], threshold: float = DEFAULT_THRESHOLD) -> list[Face]:
    """The poster's faces, then each face of a later frame whose descriptor matches none kept so far (the same
    person in several frames is one face of the clip, the poster's where they are in it, so its box frames them
    in the poster, which face crops are cut from); best first."""
    kept: list[Face] = list(frames[0])
    for faces in frames[1:]:
        kept += [face for face in sorted(faces, key=lambda f: -f.score)
                 if all(distance(face.descriptor, other.descriptor) > threshold for other in kept)]
    return kept


def merge_text(frames: Sequence[str]) -> str:
    """The lines read in every frame, each once (a sign seen in three frames is read once), in order."""
    lines = [line for text in frames for line in (text or "").splitlines() if line.strip()]
    return "\n".join(dict.fromkeys(lines))


def merge_vectors(frames: Sequence[np.ndarray]) -> np.ndarray:
    """The mean direction of the frames' search embeddings (a clip is about all it shows)."""
    vectors = np.asarray(frames, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).mean(axis=0)
