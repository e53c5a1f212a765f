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
    --junitxml="$ARTIFACTS/junit-$backend.xml" -o junit_suite_name="$backend" "$@" || status=$?
  # pytest exit 5 = no tests collected: never a pass.
  if [ "$status" -ne 0 ]; then
    echo "pytest on $backend failed (exit $status)" >&2
    return 1
  fi
}

phase "tests on sqlite" run_pytest sqlite "" "$@"
phase "tests on postgresql" run_pytest postgresql "$PROASN_TEST_DATABASE_URL" "$@"
phase "compare backends" .venv/bin/python scripts/compare_junit.py \
  "$ARTIFACTS/junit-sqlite.xml" "$ARTIFACTS/junit-postgresql.xml"
# The load bench's quick mode against a real server (bench/load): any failed request fails
# the run; its timings are only printed (this machine is shared, they are no gate here).
phase "load smoke sqlite" .venv/bin/python -m bench.load --quick
phase "load smoke postgresql" .venv/bin/python -m bench.load --quick \
  --postgres "$PROASN_TEST_DATABASE_URL"
