#!/usr/bin/env bash
# make test-api-fuzz: schemathesis against the live OpenAPI schema of a running server.
# A throwaway database (PostgreSQL when DATABASE_URL points to one, else SQLite) is migrated and
# seeded, a write-scoped token is issued, runserver listens on 127.0.0.1, and schemathesis must find
# no 5xx and no response that violates the schema. FUZZ_MAX_EXAMPLES bounds the run (~2 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PORT=${FUZZ_PORT:-8799}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
work=$(mktemp -d)
if [[ "${DATABASE_URL:-}" == postgres* ]]; then
  base=${DATABASE_URL%/*}
  psql "${base}/postgres" -qc "DROP DATABASE IF EXISTS sportello_fuzz" -qc "CREATE DATABASE sportello_fuzz" >/dev/null
  export DATABASE_URL="${base}/sportello_fuzz"
else
  export DATABASE_URL="sqlite:///${work}/fuzz.sqlite3"
fi
# Eager tasks and a local mail sink: the server answers on its own, nothing leaves the machine.
unset CELERY_BROKER_URL REDIS_URL
export EMAIL_URL=dummymail:// MEDIA_ROOT="${work}/media" API_THROTTLE_TOKEN=100000/minute API_THROTTLE_IP=100000/minute
$PY manage.py migrate --noinput -v0
key=$($PY manage.py seed_api_fuzz | tail -1)
$PY manage.py runserver "127.0.0.1:${PORT}" --noreload >"${work}/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
status=0
.venv/bin/schemathesis run "http://127.0.0.1:${PORT}/api/v1/schema/?format=json" \
  --header "Authorization: Bearer ${key}" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --phases examples,fuzzing,stateful --max-examples "${MAX_EXAMPLES}" --seed "${FUZZ_SEED:-8}" --wait-for-schema 60 --workers 2 \
  --report junit --report-dir "${work}/report" --no-color || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server log (tail) ---"; tail -n 60 "${work}/server.log"
fi
exit $status
