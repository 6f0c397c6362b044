"""Video ingest and transcode speed for 1080p 10 s clips (issue 20).

Usage: python bench/video.py [--n 3] [--seconds 10]
Generates (not timed, cached in bench/out/video) 1920x1080 30 fps clips with a moving picture and sound: an
H.264/AAC MP4 (browsers play it: no rendition) and an HEVC/AAC MOV (as an iPhone writes: it needs one). Times:
- ingest: `Library.ingest` of each clip (hash, PyAV metadata, the poster frame past a black opening, both WebP
  thumbnails, the original kept, the row committed), the web upload's path;
- transcode: the worker's rendition of the HEVC clip (H.264 veryfast CRF 23 / AAC, faststart MP4), in seconds and
  as a multiple of real time.
Prints wall time, process CPU time and the load average (the machine is shared).

With --analyse, instead: the analysis job per clip (the default models: tags and look, the text embedding; with
--all also faces, OCR and places), from the poster alone (as before) and from the poster plus the frames at 25%,
50% and 75% (media.video.analysis_frames), and the decoding of those frames alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoebox import create_app  # noqa: E402
from shoebox.ai.frames import load_frames_for_models  # noqa: E402
from shoebox.ai.registry import clear_cache  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402
from shoebox.jobs.parts import LARGE_SIDE  # noqa: E402
from shoebox.media import video  # noqa: E402
from shoebox.media.transcode import transcode  # noqa: E402

SIZE = (1920, 1080)
RATE = 30


def make_clip(path: Path, codec: str, seconds: int, seed: int) -> Path:
    """A moving gradient with a drifting box and a tone: compresses like a real, calm phone clip."""
    if path.exists():
        return path
    muxer = "mov" if path.suffix == ".mov" else "mp4"
    with av.open(str(path), "w", format=muxer) as out:
        video = out.add_stream(codec, rate=RATE)
        video.width, video.height, video.pix_fmt = *SIZE, "yuv420p"
        if codec == "libx265":
            video.options = {"x265-params": "log-level=error"}
        audio = out.add_stream("aac", rate=48000)
        x = np.linspace(0, 255, SIZE[0], dtype=np.uint8)[None, :, None]
        base = np.broadcast_to(x, (SIZE[1], SIZE[0], 3)).copy()
        rng = np.random.default_rng(seed)
        for i in range(seconds * RATE):
            frame = base.copy()
            frame[..., 1] = (i * 3 + seed * 40) % 256
            left = (i * 12) % (SIZE[0] - 300)
            frame[300:600, left:left + 300] = rng.integers(0, 256, (300, 300, 3), dtype=np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(video.encode())
        for start in range(0, seconds * 48000, 1024):
            t = np.arange(start, start + 1024) / 48000
            tone = (0.2 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :].repeat(2, axis=0)
            sound = av.AudioFrame.from_ndarray(tone, format="fltp", layout="stereo")
            sound.sample_rate, sound.pts = 48000, start
            out.mux(audio.encode(sound))
        out.mux(audio.encode())
    return path


def timed(work) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def analyse(clips: dict[str, list[Path]], all_parts: bool) -> None:
    """The analysis job's cost per clip, poster alone and with the frames, one clip per job, models loaded."""
    paths = [path for kind in clips.values() for path in kind]
    for kind, kind_paths in clips.items():
        wall, cpu = timed(lambda kind_paths=kind_paths: [load_frames_for_models(p, LARGE_SIDE) for p in kind_paths])
        print(f"decoding the 3 frames past the poster at {LARGE_SIDE} px, {kind}: "
              f"{wall / len(kind_paths) * 1000:.0f} ms per clip wall, {cpu / len(kind_paths) * 1000:.0f} ms CPU")
    moments = video.ANALYSIS_MOMENTS
    for label, video.ANALYSIS_MOMENTS in (("poster alone", ()), ("poster + 3 frames", moments)):
        with tempfile.TemporaryDirectory() as data:
            analyzer, ids, database = analysis_app(data, paths, all_parts)
            load = os.getloadavg()[0]
            wall, cpu = timed(lambda ids=ids, analyzer=analyzer: [analyzer.run_task([i]) for i in ids])
            print(f"analysis, {label}{' (--all)' if all_parts else ''}: {wall / len(ids):.2f} s per clip wall, "
                  f"{cpu / len(ids):.2f} s CPU (load {load:.1f})")
            database.dispose()
    video.ANALYSIS_MOMENTS = moments


def analysis_app(data: str, paths: list[Path], all_parts: bool):
    """The analyzer of an app on `data` with the clips stored (not analysed) and its models loaded and warm."""
    clear_cache()
    app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                      "CAPTION_MODEL": "none", "ANALYSIS_BATCH_SIZE": 1, "FACES_ENABLED": all_parts,
                      "OCR_ENABLED": all_parts, "PLACES_ENABLED": all_parts}, env_file=None)
    library, database = app.extensions["library"], app.extensions["db"]
    library.enqueue = lambda ids, parts=("all",): None
    library.render_video = library.render_later = lambda *a: None
    with database.transaction() as session:
        user_id = accounts.create_account(session, "bench@example.com", "correct horse battery").id
        ids = [library.store(session, user_id, prepared).photo.id
               for _path, prepared in library.prepare_files(paths, set(), 2)]
    analyzer = app.extensions["queue"].analyzer
    analyzer.models().unavailable()
    analyzer.run_task(ids[:1])  # warm-up: the first inference allocates
    return analyzer, ids, database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3, help="clips of each kind")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--analyse", action="store_true", help="time the analysis job instead (see above)")
    parser.add_argument("--all", action="store_true", help="with --analyse: also faces, OCR and places")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    folder = Path(__file__).resolve().parent / "out" / "video"
    folder.mkdir(parents=True, exist_ok=True)
    clips = {kind: [make_clip(folder / f"{kind}-{args.seconds}s-{i}.{ext}", codec, args.seconds, i)
                    for i in range(args.n)]
             for kind, ext, codec in (("h264", "mp4", "libx264"), ("hevc", "mov", "libx265"))}
    print(f"load average {os.getloadavg()[0]:.1f}; clips: 1920x1080 {RATE} fps {args.seconds} s, "
          f"{sum(p.stat().st_size for p in clips['h264']) / args.n / 1e6:.1f} MB (H.264), "
          f"{sum(p.stat().st_size for p in clips['hevc']) / args.n / 1e6:.1f} MB (HEVC)")
    if args.analyse:
        analyse(clips, args.all)
        return
    with tempfile.TemporaryDirectory() as data:
        app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                          "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
        library, database = app.extensions["library"], app.extensions["db"]
        library.enqueue = lambda ids, parts=("all",): None  # analysis and renditions are not this figure
        library.render_video = library.render_later = lambda *a: None
        with database.transaction() as session:
            user_id = accounts.create_account(session, "bench@example.com", "correct horse battery").id
        for kind, paths in clips.items():
            def ingest(paths=paths):
                for path in paths:
                    with database.transaction() as session, path.open("rb") as stream:
                        library.ingest(session, user_id, stream, path.name)
            wall, cpu = timed(ingest)
            print(f"ingest {kind}: {wall / len(paths):.2f} s per clip wall, {cpu / len(paths):.2f} s CPU")
        out = Path(data) / "rendition.mp4"
        wall, cpu = timed(lambda: transcode(clips["hevc"][0], out))
        print(f"transcode HEVC -> H.264/AAC: {wall:.1f} s wall ({args.seconds / wall:.2f}x real time), "
              f"{cpu:.1f} s CPU, {out.stat().st_size / 1e6:.1f} MB")
        database.dispose()


if __name__ == "__main__":
    main()
