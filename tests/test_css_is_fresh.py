"""The committed, built CSS is exactly what Tailwind makes from today's templates and scripts."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "shoebox" / "static" / "css" / "app.css"
CLI = ROOT / "node_modules" / ".bin" / "tailwindcss"


def build_command(output: Path) -> list[str]:
    """package.json's `build:css` script, writing to `output` instead of the committed file."""
    script = json.loads((ROOT / "package.json").read_text())["scripts"]["build:css"]
    args = shlex.split(script)
    assert args[0] == "tailwindcss" and "-o" in args, script
    args[args.index("-o") + 1] = str(output)
    return [str(CLI), *args[1:]]


def test_built_css_is_fresh(tmp_path):
    assert CLI.exists(), "node_modules is missing: run `npm ci` before the tests (scripts/test.sh does)"
    fresh = tmp_path / "app.css"
    subprocess.run(build_command(fresh), cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert fresh.read_text() == BUILT.read_text(), (
        "shoebox/static/css/app.css is stale: run `npm run build:css` and commit the result")
