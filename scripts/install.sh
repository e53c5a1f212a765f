#!/usr/bin/env bash
# Installs everything the server and the tests need into this checkout:
# a Python virtualenv (.venv) with the dependencies of requirements/dev.txt (every package
# pinned and hash-checked; scripts/lock.sh refreshes it), and the pinned front-end assets
# (htmx) from the npm registry, copied with their licence under app/web/static/vendor/.
# Needs: python3 (3.11+), npm. No root needed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# Reinstall only when the lock (or the project's own metadata) changed since the last install.
lock=requirements/dev.txt
stamp=.venv/.installed-$(cat "$lock" pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --require-hashes -r "$lock"
  # The project itself, its dependencies being all in place; the build backend is in the
  # lock too, so nothing unhashed is fetched for the build.
  .venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
  rm -f .venv/.installed-* && touch "$stamp"
fi

lock_stamp=node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)
if [ ! -f "$lock_stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  touch "$lock_stamp"
fi
vendor=app/web/static/vendor
mkdir -p "$vendor"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$vendor/htmx.LICENSE"
