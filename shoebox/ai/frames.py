"""A video is analysed from a few frames (its poster first, then frames at 25%, 50% and 75% of it: media.video):
each part's results for its frames become one result for the clip, so a tag, a face or a word seen only later in
it finds the clip too."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

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


def merge_faces(frames: Sequence[Sequence[Face]]) -> list[Face]:
    """The poster's faces only. A face's crop (People page, face chips) is cut from the picture the clip is stored
    as, its poster, by the face's box; a face found only in a later frame would be cropped from the wrong picture
    until faces keep the time of their frame. The later frames still give the clip its tags and words."""
    return list(frames[0])


def merge_text(frames: Sequence[str]) -> str:
    """The lines read in every frame, each once (a sign seen in three frames is read once), in order."""
    lines = [line for text in frames for line in (text or "").splitlines() if line.strip()]
    return "\n".join(dict.fromkeys(lines))


def merge_vectors(frames: Sequence[np.ndarray]) -> np.ndarray:
    """The mean direction of the frames' search embeddings (a clip is about all it shows)."""
    vectors = np.asarray(frames, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).mean(axis=0)
