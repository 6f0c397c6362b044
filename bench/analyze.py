"""End-to-end analysis speed: the real job (decode once, every configured model, store results) over
N generated 12-megapixel photos, batched (ANALYSIS_BATCH_SIZE) vs one photo per job, with peak memory.

Usage: python bench/analyze.py [--n 32] [--batch 8] [--all]
Models are the offline defaults (packaged EfficientNet-Lite0 tags + MiniLM text embedding; the BLIP
captioner cannot be downloaded here, so it is off). Per-model figures: bench/analyze_models.py.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import make_photos  # noqa: E402
from shoebox import create_app  # noqa: E402
from shoebox.ai.registry import clear_cache  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402


def library_with(paths: list[Path], data: str, batch: int, all_parts: bool):
    """An app on `data` with the photos ingested (not analysed yet) and the models loaded."""
    clear_cache()
    app = create_app({"DATA_DIR": data, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": False,
                      "CAPTION_MODEL": "none", "ANALYSIS_BATCH_SIZE": batch, "FACES_ENABLED": all_parts,
                      "OCR_ENABLED": all_parts, "PLACES_ENABLED": all_parts}, env_file=None)
    db, library = app.extensions["db"], app.extensions["library"]
    with db.transaction() as session:
        user = accounts.register(session, "bench@example.com", "benchmark password")
        ids = [library.store(session, user.id, prepared).photo.id
               for _path, prepared in library.prepare_files(paths, set(), 2)]
    analyzer = app.extensions["queue"].analyzer
    analyzer.models().unavailable()  # load every model before timing
    return analyzer, ids


def timed(analyzer, ids: list[int], batch: int) -> float:
    start = time.perf_counter()
    for first in range(0, len(ids), batch):
        analyzer.run_task(ids[first:first + batch])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=32)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--all", action="store_true",
                        help="also faces, OCR and places (they work photo by photo: batching does not speed them)")
    args = parser.parse_args()
    folder = Path(__file__).resolve().parent / "out" / "ingest"
    folder.mkdir(parents=True, exist_ok=True)
    paths = make_photos(folder, args.n)
    results = {}
    for batch in (args.batch, 1):
        with tempfile.TemporaryDirectory() as data:
            analyzer, ids = library_with(paths, data, batch, args.all)
            timed(analyzer, ids[:batch], batch)  # warm-up: first inference allocates
            results[batch] = timed(analyzer, ids, batch)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for batch, elapsed in results.items():
        print(f"batch {batch}: {args.n} photos in {elapsed:.2f}s = {args.n / elapsed:.1f} photos/s")
    print(f"batched speed-up: {results[1] / results[args.batch]:.2f}x; peak RSS {peak:.0f} MB")


if __name__ == "__main__":
    main()
