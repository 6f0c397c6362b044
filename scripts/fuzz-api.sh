#!/usr/bin/env bash
# Fuzz the JSON API from its own description (/api/openapi.json) with schemathesis, signed in as a user who has
# photos, and fail on any 5xx. Usage: bash scripts/fuzz-api.sh [seconds per pass, default 300]
# Serves this checkout on a throw-away data directory (models off: the fuzzer tests the API, not the models).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-300}
port=${FUZZ_PORT:-5911}
base="http://127.0.0.1:$port"
[ -x .fuzz-venv/bin/schemathesis ] || { python3 -m venv .fuzz-venv && .fuzz-venv/bin/pip install -q schemathesis==4.32.5 pillow==13.0.0 requests; }
data=$(mktemp -d)
DATA_DIR=$data REGISTRATION=open CAPTION_MODEL=none TAG_MODEL=none EMBED_MODEL=none FACES_ENABLED=false OCR_ENABLED=false \
  AUTH_RATE_LIMIT_PER_MINUTE=1000000 .venv/bin/flask --app app run -p "$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server; echo "server log: $data/server.log"' EXIT
for _ in $(seq 60); do curl -sf "$base/api/openapi.json" >/dev/null && break; sleep 1; done

# A user with a few photos, so routes that take an id reach their logic.
token=$(.fuzz-venv/bin/python scripts/fuzz_seed.py "$base")
run() { .fuzz-venv/bin/schemathesis run "$base/api/openapi.json" --checks not_a_server_error \
          --phases examples,coverage,fuzzing,stateful --max-time "$seconds" --suppress-health-check all "$@"; }
# Pass 1: everything that keeps the session alive. Pass 2: the routes that end it (logout, password, delete).
ending='^(POST /api/auth/(logout|password)|DELETE /api/me)$'
run -H "Authorization: Bearer $token" --exclude-name-regex "$ending"
run -H "Authorization: Bearer $(.fuzz-venv/bin/python scripts/fuzz_seed.py "$base")" --include-name-regex "$ending"
