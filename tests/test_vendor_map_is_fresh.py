"""The committed map libraries (static/vendor/leaflet) are exactly what package.json's `build:vendor-map` copies
from the pinned npm packages, so `pip install` alone serves a working map and a version bump cannot go half-done."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = json.loads((ROOT / "package.json").read_text())
COMMITTED = ROOT / "shoebox" / "static" / "vendor" / "leaflet"
LIBRARIES = ("leaflet", "leaflet.markercluster")


def files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_the_committed_map_libraries_are_fresh(tmp_path):
    assert (ROOT / "node_modules" / "leaflet").exists(), "node_modules is missing: run `npm ci` (scripts/test.sh does)"
    args = shlex.split(PACKAGE["scripts"]["build:vendor-map"])
    assert args[:2] == ["node", "scripts/vendor-map.mjs"] and ROOT / args[2] == COMMITTED, args
    subprocess.run([args[0], args[1], str(tmp_path / "leaflet")], cwd=ROOT, check=True, capture_output=True,
                   timeout=60)
    assert files(tmp_path / "leaflet") == files(COMMITTED), (
        "shoebox/static/vendor/leaflet is stale: run `npm run build:vendor-map` and commit the result")


def test_the_map_libraries_are_pinned_to_exact_versions():
    for name in LIBRARIES:
        pinned = PACKAGE["devDependencies"][name]
        assert pinned[0].isdigit(), f"pin {name} to an exact version in package.json: {pinned}"
        installed = json.loads((ROOT / "node_modules" / name / "package.json").read_text())["version"]
        assert installed == pinned, f"node_modules holds another {name}: run `npm ci`"
    assert f"Leaflet {PACKAGE['devDependencies']['leaflet']}," in (COMMITTED / "leaflet.js").read_text()
