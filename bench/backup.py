"""Backup speed: `flask shoebox backup` of a generated library, first into a new folder, then again.

Usage: python bench/backup.py [--n 3000] [--kb 256] [--changes 30]
Generates N originals of KB kilobytes (random bytes: a backup never decodes them) with their photo rows, then times
1. a first backup into a new folder; 2. a second backup of the unchanged library; 3. one after CHANGES photos were
added and as many deleted; 4. `--verify` (every original and copy read again). Each line gives the wall time, the
CPU time and how many originals were read. On a version without incremental backups (before issue 18), the later
backups go into a new folder each, as they had to. Hard links where the backup is on the same file system (as
here); a backup on another disk copies the new originals instead of linking them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shoebox import backup as backups  # noqa: E402
from shoebox import create_app  # noqa: E402
from shoebox.auth import service as accounts  # noqa: E402
from shoebox.models import Photo  # noqa: E402

INCREMENTAL = hasattr(backups, "Outcome")


def add_photos(app, user_id: int, count: int, kb: int, start: int) -> None:
    """`count` originals of `kb` KB stored by content, with their rows."""
    storage, db = app.extensions["library"].storage, app.extensions["db"]
    with db.transaction() as session:
        for i in range(start, start + count):
            data = os.urandom(kb * 1024)
            sha = hashlib.sha256(data).hexdigest()
            path = storage.original_path(user_id, sha)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            session.add(Photo(user_id=user_id, sha256=sha, filename=f"photo_{i:05d}.jpg", format="JPEG",
                              mime_type="image/jpeg", file_size=len(data), width=4000, height=3000,
                              taken_at=datetime(2024, 1, 1), taken_at_source="exif", status="done"))


def delete_photos(app, count: int) -> None:
    storage, db = app.extensions["library"].storage, app.extensions["db"]
    with db.transaction() as session:
        for photo in session.query(Photo).order_by(Photo.id).limit(count):
            storage.delete(photo.user_id, photo.sha256)
            session.delete(photo)


def timed_backup(app, dest: Path, label: str, n: int, verify: bool = False) -> None:
    database, storage = app.extensions["db"], app.extensions["library"].storage
    start, cpu = time.perf_counter(), time.process_time()
    with app.app_context():
        result = backups.backup(database, storage, dest, full_check=verify) if INCREMENTAL \
            else backups.backup(database, storage, dest)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    read = result.read if INCREMENTAL else n  # the old backup read every original
    detail = f", {result.copied} copied, {result.removed} removed" if INCREMENTAL else ""
    print(f"{label}: {wall:.2f}s wall, {cpu:.2f}s CPU, {read} originals read{detail}; "
          f"scaled to 20,000 photos: {wall * 20000 / n:.1f}s")


def run(n: int, kb: int, changes: int) -> None:
    with tempfile.TemporaryDirectory(dir=Path(__file__).resolve().parent / "out") as work:
        work = Path(work)
        app = create_app({"DATA_DIR": str(work / "data"), "WORKER_IN_PROCESS": False, "CAPTION_MODEL": "none",
                          "TAG_MODEL": "none", "EMBED_MODEL": "none"}, env_file=None)
        with app.app_context(), app.extensions["db"].transaction() as session:
            user_id = accounts.register(session, "bench@example.com", "benchmark password").id
        t0 = time.perf_counter()
        add_photos(app, user_id, n, kb, 0)
        print(f"{'incremental' if INCREMENTAL else 'full-copy'} backup; {n} originals of {kb} KB "
              f"({n * kb / 1024:.0f} MB) generated in {time.perf_counter() - t0:.1f}s")
        dest = work / "backup"
        timed_backup(app, dest, "1. first backup, new folder", n)
        again = dest if INCREMENTAL else work / "backup-2"
        timed_backup(app, again, "2. second backup, nothing changed", n)
        add_photos(app, user_id, changes, kb, n)
        delete_photos(app, changes)
        timed_backup(app, dest if INCREMENTAL else work / "backup-3", f"3. after {changes} added, {changes} deleted", n)
        if INCREMENTAL:
            timed_backup(app, dest, "4. --verify (every original and copy read)", n, verify=True)
        app.extensions["db"].dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--kb", type=int, default=256)
    parser.add_argument("--changes", type=int, default=30)
    args = parser.parse_args()
    run(args.n, args.kb, args.changes)
