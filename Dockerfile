# syntax=docker/dockerfile:1
# ProASN CAT server image. Three stages: front-end assets from the npm registry, Python
# dependencies in a virtualenv, and a slim runtime that runs as an unprivileged user.

# --- 1. htmx from the npm registry (pinned in package-lock.json) ------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

# --- 2. Python dependencies and the app, installed into /opt/venv ------------------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
WORKDIR /src
# The dependencies first, every one pinned and hash-checked (scripts/lock.sh): this layer is
# rebuilt only when the lock changes, not on every change to the code.
COPY requirements/runtime.txt ./requirements/
RUN pip install --require-hashes -r requirements/runtime.txt
# Then the project alone (the build backend came with the lock).
COPY pyproject.toml README.md ./
COPY app ./app
RUN pip install --no-deps --no-build-isolation .

# --- 3. Runtime ---------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    # The app is run from its source tree (templates, migrations and alembic.ini sit beside
    # it), so that copy must win over the one pip put in site-packages for the `proasn` script.
    PYTHONPATH=/srv/proasn \
    PROASN_DATABASE_URL=sqlite:////data/proasn.db \
    PROASN_ACCESS_CODE_DIR=/data
RUN groupadd --system --gid 10001 proasn \
 && useradd --system --uid 10001 --gid proasn --home-dir /srv/proasn --shell /usr/sbin/nologin proasn \
 && mkdir -p /data /srv/proasn \
 && chown proasn:proasn /data
WORKDIR /srv/proasn
COPY --from=build /opt/venv /opt/venv
COPY --chown=proasn:proasn alembic.ini ./
COPY --chown=proasn:proasn migrations ./migrations
COPY --chown=proasn:proasn templates ./templates
COPY --chown=proasn:proasn question_bank ./question_bank
COPY --chown=proasn:proasn app ./app
COPY --from=assets --chown=proasn:proasn /build/node_modules/htmx.org/dist/htmx.min.js ./app/web/static/vendor/htmx.min.js
COPY --from=assets --chown=proasn:proasn /build/node_modules/htmx.org/LICENSE ./app/web/static/vendor/htmx.LICENSE
COPY --chown=proasn:proasn docker/entrypoint.sh /usr/local/bin/proasn-entrypoint
USER proasn
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
ENTRYPOINT ["/usr/local/bin/proasn-entrypoint"]
