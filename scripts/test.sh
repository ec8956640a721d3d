#!/usr/bin/env bash
# The whole check that `make test` and CI run: lint, then the suite in three passes against real
# services started here and stopped at the end, whatever happens.
#   1. everything but the browser tests, on SQLite (the embedded default);
#   2. the tests marked `postgres` (they need PostgreSQL's locking and the real services) on PostgreSQL;
#   3. the browser tests (Chromium through Playwright) on PostgreSQL, in a process of their own.
# Extra arguments go to every pytest pass (e.g. scripts/test.sh -x -k healthz).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=.venv/bin/python

cleanup() { scripts/services.sh stop >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

echo "== ruff"
.venv/bin/ruff check . || exit 1
.venv/bin/ruff format --check . || exit 1
echo "== import-linter (the layers of docs/architecture.md)"
.venv/bin/lint-imports --no-cache || exit 1

scripts/services.sh stop >/dev/null 2>&1 || true
scripts/services.sh start >/dev/null || { echo "could not start the test services"; exit 1; }
# shellcheck disable=SC1091
. .services/env

status=0
run_pass() {
  local name="$1"
  shift
  echo "== pytest: $name"
  "$@"
  local rc=$?
  # 5 = no test collected in this pass; the other passes still prove something ran.
  if [ $rc -ne 0 ] && [ $rc -ne 5 ]; then status=1; fi
}

run_pass "SQLite (all but browser and PostgreSQL-only tests)" \
  env -u DATABASE_URL -u REDIS_URL $PY -m pytest -m "not e2e and not postgres" "$@"
run_pass "PostgreSQL (tests marked postgres)" \
  env DATABASE_URL="$TEST_POSTGRES_URL" $PY -m pytest -m "postgres and not e2e" "$@"
run_pass "browser (Chromium, PostgreSQL)" \
  env DATABASE_URL="$TEST_POSTGRES_URL" DJANGO_ALLOW_ASYNC_UNSAFE=true $PY -m pytest -m e2e "$@"

exit $status
