#!/usr/bin/env bash
# Refreshes the hash-pinned lock files from pyproject.toml (its exact pins, their dependencies
# and the build backend it names), from the package index, for Python 3.11 on any platform:
#   requirements/runtime.txt  the server (the Dockerfile installs this)
#   requirements/dev.txt      the server, the tests and the benchmarks (scripts/install.sh)
# Run it after changing a pin in pyproject.toml; tests/test_lock.py fails until then.
# Needs python3 and the package index; the resolver (uv, pinned here) lives in a throwaway
# virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
tool="$(mktemp -d)"
trap 'rm -rf "$tool"' EXIT
python3 -m venv "$tool"
"$tool/bin/python" -m pip install --quiet "uv==$UV_VERSION"

# The build backend too: the project itself is installed with --no-build-isolation, so that
# nothing unhashed is fetched behind the lock's back.
build_requires() {
  python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))'
}

compile() {  # compile OUTPUT [uv options…]
  local output="$1"; shift
  build_requires | "$tool/bin/uv" pip compile pyproject.toml - "$@" \
    --generate-hashes --universal --python-version 3.11 \
    --custom-compile-command "bash scripts/lock.sh" --quiet -o "$output"
}

mkdir -p requirements
compile requirements/runtime.txt
compile requirements/dev.txt --extra test --extra bench
