#!/usr/bin/env bash
# Re-extracts every translatable string (app/ and templates/) into app/locale/messages.pot and
# merges it into the Indonesian catalogue. Then translate the new entries in
# app/locale/id/LC_MESSAGES/messages.po; tests/test_i18n.py fails while any is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o app/locale/messages.pot . >/dev/null 2>&1
.venv/bin/pybabel update -i app/locale/messages.pot -d app/locale -l id -D messages --no-fuzzy-matching --ignore-obsolete >/dev/null 2>&1
