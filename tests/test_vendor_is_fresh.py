"""The committed, bundled browser libraries (static/vendor) are exactly what package.json's build makes from the
pinned npm packages, so `pip install` alone serves a working viewer and a version bump cannot go half-done."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ESBUILD = ROOT / "node_modules" / ".bin" / "esbuild"
PACKAGE = json.loads((ROOT / "package.json").read_text())


def build_command(output: Path) -> tuple[list[str], Path]:
    """package.json's `build:vendor` script writing to `output`, and the committed file it writes."""
    args = shlex.split(PACKAGE["scripts"]["build:vendor"])
    assert args[0] == "esbuild", args
    [outfile] = [arg for arg in args if arg.startswith("--outfile=")]
    committed = ROOT / outfile.split("=", 1)[1]
    return [str(ESBUILD), *(f"--outfile={output}" if arg == outfile else arg for arg in args[1:])], committed


def test_bundled_photoswipe_is_fresh(tmp_path):
    assert ESBUILD.exists(), "node_modules is missing esbuild: run `npm ci` before the tests (scripts/test.sh does)"
    fresh = tmp_path / "photoswipe.js"
    command, committed = build_command(fresh)
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert fresh.read_text() == committed.read_text(), (
        f"{committed.relative_to(ROOT)} is stale: run `npm run build:vendor` and commit the result")


def test_the_viewer_library_is_pinned_to_an_exact_version():
    versions = PACKAGE["devDependencies"]
    for name in ("photoswipe", "esbuild"):
        assert versions[name][0].isdigit(), f"pin {name} to an exact version in package.json: {versions[name]}"
    installed = json.loads((ROOT / "node_modules" / "photoswipe" / "package.json").read_text())["version"]
    assert installed == versions["photoswipe"], "node_modules holds another PhotoSwipe: run `npm ci`"
    assert f"PhotoSwipe {installed}" in (ROOT / "shoebox" / "static" / "vendor" / "photoswipe.js").read_text()
