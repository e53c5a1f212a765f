#!/bin/sh
# Container start: bring the schema up to date, then serve. Extra arguments go to uvicorn.
set -eu
proasn db upgrade
exec uvicorn app.main:create_app --factory --host 0.0.0.0 --port 8000 --proxy-headers "$@"
