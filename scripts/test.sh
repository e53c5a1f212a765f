#!/usr/bin/env bash
# The whole test suite, on SQLite and on PostgreSQL, with a check that both backends ran the
# very same tests and none was skipped. Prints how long each phase took.
#
# Browser tests need /usr/bin/chromium (installed with apt-get when absent: root).
# PostgreSQL: when PROASN_TEST_DATABASE_URL is set it is used as is; otherwise
# scripts/postgres.sh (root: apt-get, pg_ctlcluster, runuser) installs/starts a local cluster.
# Extra arguments go to both pytest runs (e.g. `scripts/test.sh -k bank`).
set -euo pipefail
cd "$(dirname "$0")/.."

ARTIFACTS=test-artifacts
mkdir -p "$ARTIFACTS"
declare -a PHASES=()

phase() {  # phase NAME COMMAND… — runs and records the duration
  local name="$1"; shift
  local start=$SECONDS
  echo "==> $name"
  "$@"
  PHASES+=("$(printf '%-22s %4ds' "$name" $((SECONDS - start)))")
}

report_phases() {
  echo "==> phase durations"
  for line in "${PHASES[@]}"; do echo "    $line"; done
}
trap report_phases EXIT

phase "install" bash scripts/install.sh

if [ -z "${PROASN_TEST_DATABASE_URL:-}" ]; then
  phase "postgresql set-up" bash -c 'bash scripts/postgres.sh > test-artifacts/pg-url'
  PROASN_TEST_DATABASE_URL="$(tail -1 "$ARTIFACTS/pg-url")"
fi

if [ ! -x /usr/bin/chromium ]; then
  # Browser tests drive Debian's Chromium (Playwright's own download does not work here).
  phase "chromium (apt)" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'
fi

phase "lint (ruff)" .venv/bin/ruff check app tests migrations question_bank bench
phase "format (ruff)" .venv/bin/ruff format --check app tests migrations question_bank bench
# Type check: app/ strictly, tests, bench, migrations and question_bank checked too
# (configuration and the files in pyproject.toml's [tool.mypy]); any error fails the run.
phase "types (mypy)" .venv/bin/mypy

run_pytest() {  # run_pytest BACKEND DATABASE_URL [pytest args…]; empty URL = SQLite
  local backend="$1" url="$2"; shift 2
  local status=0
  PROASN_TEST_DATABASE_URL="$url" .venv/bin/pytest -p no:cacheprovider \
    --basetemp="${TMPDIR:-/tmp}/proasn-pytest-$backend-$$" \
    --junitxml="$ARTIFACTS/junit-$backend.xml" -o junit_suite_name="$backend" "$@" || status=$?
  # pytest exit 5 = no tests collected: never a pass.
  if [ "$status" -ne 0 ]; then
    echo "pytest on $backend failed (exit $status)" >&2
    return 1
  fi
}

run_pytest_logged() {  # as run_pytest, output to ARTIFACTS/pytest-BACKEND.log, time recorded
  local backend="$1" start=$SECONDS status=0
  run_pytest "$@" > "$ARTIFACTS/pytest-$backend.log" 2>&1 || status=$?
  echo "$((SECONDS - start)) $status" > "$ARTIFACTS/pytest-$backend.result"
}

# Both backends at once: most of a browser test is waiting (for Chromium, a timer, a
# subprocess), so the two runs share the two cores of a CI machine well and the wall time is
# that of the longer run. PROASN_TEST_SERIAL=1 runs them one after the other, output live.
if [ "${PROASN_TEST_SERIAL:-0}" = "1" ]; then
  phase "tests on sqlite" run_pytest sqlite "" "$@"
  phase "tests on postgresql" run_pytest postgresql "$PROASN_TEST_DATABASE_URL" "$@"
else
  echo "==> tests on sqlite and postgresql, at once (logs: $ARTIFACTS/pytest-*.log)"
  both_start=$SECONDS
  rm -f "$ARTIFACTS"/pytest-*.result
  run_pytest_logged sqlite "" "$@" &
  sqlite_job=$!
  run_pytest_logged postgresql "$PROASN_TEST_DATABASE_URL" "$@" &
  postgresql_job=$!
  wait "$sqlite_job" "$postgresql_job"
  failed=0
  for backend in sqlite postgresql; do
    echo "==> tests on $backend (output)"
    cat "$ARTIFACTS/pytest-$backend.log"
    read -r seconds status < "$ARTIFACTS/pytest-$backend.result"
    PHASES+=("$(printf '%-22s %4ds' "tests on $backend" "$seconds")")
    if [ "$status" -ne 0 ]; then failed=1; fi
  done
  PHASES+=("$(printf '%-22s %4ds' "tests (both, wall)" $((SECONDS - both_start)))")
  if [ "$failed" -ne 0 ]; then exit 1; fi
fi
phase "compare backends" .venv/bin/python scripts/compare_junit.py \
  "$ARTIFACTS/junit-sqlite.xml" "$ARTIFACTS/junit-postgresql.xml"
# The load bench's quick mode against a real server (bench/load): any failed request fails
# the run; its timings are only printed (this machine is shared, they are no gate here).
phase "load smoke sqlite" .venv/bin/python -m bench.load --quick
phase "load smoke postgresql" .venv/bin/python -m bench.load --quick \
  --postgres "$PROASN_TEST_DATABASE_URL"
