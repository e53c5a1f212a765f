#!/usr/bin/env bash
# Makes a local PostgreSQL 15 ready for the test suite (needs root: apt, the cluster, psql as
# the postgres user). Installs the server when absent, starts the cluster when down, gives the
# `postgres` role a password (password auth on 127.0.0.1) and creates the test database.
# Prints the URL to use as PROASN_TEST_DATABASE_URL on its last line.
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PG_PASSWORD="${PROASN_TEST_PG_PASSWORD:-postgres}"
PG_DATABASE="${PROASN_TEST_PG_DATABASE:-proasn_test}"

if [ "$(id -u)" != "0" ]; then
  echo "scripts/postgres.sh needs root (apt-get, pg_ctlcluster, runuser)." >&2
  echo "Without root, set PROASN_TEST_DATABASE_URL to a PostgreSQL database you can use." >&2
  exit 1
fi

if ! command -v pg_ctlcluster >/dev/null || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  echo "PostgreSQL is not installed; installing it with apt-get…" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi

# Use the requested major version when present, else whatever cluster the machine has.
if ! pg_lsclusters -h | awk '{print $1}' | grep -qx "$PG_VERSION"; then
  PG_VERSION="$(pg_lsclusters -h | awk 'NR==1{print $1}')"
fi
if [ -z "$PG_VERSION" ]; then
  PG_VERSION="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  pg_createcluster "$PG_VERSION" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}' | grep -qx online; then
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start
fi

for _ in $(seq 1 30); do
  runuser -u postgres -- psql -qAtc "select 1" >/dev/null 2>&1 && break
  sleep 1
done
runuser -u postgres -- psql -qc "ALTER ROLE postgres WITH PASSWORD '${PG_PASSWORD}'" >/dev/null
if ! runuser -u postgres -- psql -qAtc "select 1 from pg_database where datname='${PG_DATABASE}'" | grep -q 1; then
  runuser -u postgres -- psql -qc "CREATE DATABASE \"${PG_DATABASE}\"" >/dev/null
fi
# Prove password auth over TCP works before any test relies on it.
PGPASSWORD="$PG_PASSWORD" psql -h 127.0.0.1 -U postgres -d "$PG_DATABASE" -qAtc "select 1" >/dev/null
echo "postgresql+psycopg://postgres:${PG_PASSWORD}@127.0.0.1:5432/${PG_DATABASE}"
