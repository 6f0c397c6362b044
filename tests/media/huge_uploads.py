"""Upload COUNT distinct 14000x14000 single-colour PNGs (0.6 MB each, 196 megapixels: just under the default
200-megapixel limit) at once, each from its own thread, through the test client of an app on DATA_DIR; print
the replies' statuses and the process's peak RSS before and after, as JSON.

Run as `python -m tests.media.huge_uploads COUNT DATA_DIR` by tests/media/test_huge_images.py: a fresh
process, so its peak RSS is the uploads' own."""

from __future__ import annotations

import json
import struct
import sys
import threading
import zlib
from pathlib import Path

from shoebox import create_app
from tests.conftest import Account


def solid_png(side: int, rgb: tuple[int, int, int]) -> bytes:
    """A `side` x `side` RGB PNG of one colour, compressed row by row (never the whole picture in memory)."""
    row = b"\x00" + bytes(rgb) * side  # filter type 0, then the pixels
    packer = zlib.compressobj()
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def peak_mb() -> int:
    """This process's own peak RSS (VmHWM: getrusage's ru_maxrss would keep the parent's peak across exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024


def main(count: int, data_dir: Path) -> None:
    pngs = [solid_png(14_000, (40 + 50 * i, 120, 200)) for i in range(count)]
    app = create_app({"DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{data_dir / 'shoebox.db'}",
                      "TESTING": True, "WORKER_IN_PROCESS": False, "JOBS_IMMEDIATE": True,
                      "CAPTION_MODEL": "none", "TAG_MODEL": "none", "EMBED_MODEL": "none",
                      # no face or text models: their own memory is not the decode's (the analysis still decodes)
                      "FACES_ENABLED": False, "OCR_ENABLED": False}, env_file=None)
    alice = Account(app, "alice@example.com")
    before = peak_mb()
    statuses: list[int] = []
    threads = [threading.Thread(target=lambda png=png: statuses.append(alice.upload(("huge.png", png)).status_code))
               for png in pngs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    photos = alice.get("/api/photos").json["items"]
    print(json.dumps({"statuses": statuses, "before_mb": before, "peak_mb": peak_mb(),
                      "photos": [{"width": p["width"], "status": p["status"]} for p in photos]}))


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
