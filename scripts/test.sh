#!/usr/bin/env bash
# Install everything the test suite needs (system packages, a virtualenv, Python packages), then run it.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/library -x` or `-m "not slow"`.
# SHOEBOX_TEST_BACKEND=postgres runs it on PostgreSQL + pgvector (pgserver) and Redis (redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_PACKAGES="chromium fonts-dejavu-core redis-server"
missing=""
for pkg in $APT_PACKAGES; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "Installing system packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -r requirements-dev.txt
# Tailwind's CLI, esbuild, PhotoSwipe, Leaflet and axe-core, for the tests that check the committed CSS and
# vendored scripts are fresh and the accessibility checks (a node_modules missing any is brought up to
# package-lock.json).
missing_npm=""
for need in .bin/tailwindcss .bin/esbuild photoswipe leaflet leaflet.markercluster axe-core; do
  [ -e "node_modules/$need" ] || missing_npm="$missing_npm $need"
done
if [ -n "$missing_npm" ]; then
  npm ci --no-audit --no-fund
fi
# Two processes (pytest-xdist), each test file kept on one, so its module fixtures (a library analysed by the
# models, a live server) are built once. Measured on this project's 2-core machines: -n 2 beat one process and
# -n 3 (which also starved the lock-timing tests). Arguments come after, so `-n 0` or `-n 4` overrides it.
exec .venv/bin/python -m pytest -n 2 --dist loadfile "$@"
