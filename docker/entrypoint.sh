#!/bin/sh
# Container start: bring the schema up to date, then serve. Extra arguments go to uvicorn.
set -eu
proasn db upgrade
# X-Forwarded-For is read by the app from the proxies in PROASN_TRUSTED_PROXIES only, never
# by uvicorn (whose --proxy-headers trusts 127.0.0.1 by default).
exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port 8000 --no-proxy-headers --timeout-graceful-shutdown 5 "$@"
