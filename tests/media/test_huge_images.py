"""A huge but legal image costs one decoded copy at a time, however many arrive at once: a 0.6 MB single-colour
14000x14000 PNG (196 megapixels, under the 200-megapixel limit) is 784 MB of pixels, and used to raise a
worker's peak RSS by 2.3 GB (three copies; three uploads at once: 5.8 GB). Measured as the peak RSS of a fresh
process (tests/media/huge_uploads.py) over what it had before the uploads; Linux only (/proc)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
#: Pillow keeps RGB in 4 bytes a pixel: one decoded copy of the picture is 784 MB.
DECODED_MB = 14_000 * 14_000 * 4 // 1_000_000

pytestmark = [pytest.mark.embedded_only(reason="decoding memory does not depend on the database"),
              pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak RSS from /proc")]


def upload_huge_pngs(count: int, tmp_path: Path) -> dict:
    result = subprocess.run([sys.executable, "-m", "tests.media.huge_uploads", str(count), str(tmp_path)],
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_huge_png_is_ingested_with_one_decoded_copy_at_a_time(tmp_path):
    measured = upload_huge_pngs(1, tmp_path)
    assert measured["statuses"] == [201]
    assert measured["photos"] == [{"width": 14000, "status": "done"}]  # thumbnails and analysis both decoded it
    assert measured["peak_mb"] - measured["before_mb"] < 1.5 * DECODED_MB, measured  # one copy at a time


def test_three_huge_pngs_at_once_are_decoded_one_at_a_time(tmp_path):
    measured = upload_huge_pngs(3, tmp_path)
    assert measured["statuses"] == [201, 201, 201]
    assert [p["status"] for p in measured["photos"]] == ["done"] * 3
    assert measured["peak_mb"] - measured["before_mb"] < 2 * DECODED_MB, measured  # never two copies at once
