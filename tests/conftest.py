"""Test databases: schemas are built by running the migrations, once per backend and run.

The backend is PostgreSQL when PROASN_TEST_DATABASE_URL is set, else a SQLite file. Each test
that takes `db_session` runs inside a transaction that is rolled back. Tests that need a whole
database (the CLI, migrations) get a copy of the migrated template: a file copy on SQLite,
`CREATE DATABASE … TEMPLATE` on PostgreSQL.
"""

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Cheap hashing in tests; set before any app settings are read.
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_ACCESS_CODE_HASH_MEMORY_KIB", "8")
os.environ.setdefault("PROASN_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("PROASN_PASSWORD_HASH_MEMORY_KIB", "64")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import extensions, migrate  # noqa: E402
from app.config import get_settings  # noqa: E402
from app.db import make_engine, normalise_database_url  # noqa: E402

# Tests that call services directly see the talent box's parts wired as create_app() and the
# CLI wire them (app/extensions.py).
extensions.install()

POSTGRES_URL = os.environ.get("PROASN_TEST_DATABASE_URL")
BACKEND = "postgresql" if POSTGRES_URL else "sqlite"
_copies = itertools.count(1)


def pytest_report_header() -> str:
    return f"proasn test database backend: {BACKEND}"


class DatabaseFactory:
    """Creates the template and the rollback database, and copies of the template."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.created: list[str] = []

    # -- SQLite -------------------------------------------------------------------------------
    def _sqlite_url(self, name: str) -> str:
        return f"sqlite:///{self.workdir / name}.db"

    # -- PostgreSQL ---------------------------------------------------------------------------
    def _pg_url(self, name: str) -> str:
        url = make_url(normalise_database_url(POSTGRES_URL or ""))
        return url.set(database=name).render_as_string(hide_password=False)

    def _pg_admin(self) -> Engine:
        return create_engine(self._pg_url("postgres"), isolation_level="AUTOCOMMIT")

    def _pg_base_name(self) -> str:
        return make_url(normalise_database_url(POSTGRES_URL or "")).database or "proasn_test"

    def _pg_recreate(self, name: str, template: str | None = None) -> None:
        admin = self._pg_admin()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
        admin.dispose()

    def _pg_drop(self, name: str) -> None:
        admin = self._pg_admin()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    # -- common -------------------------------------------------------------------------------
    def template_url(self) -> str:
        if BACKEND == "sqlite":
            return self._sqlite_url("template")
        return self._pg_url(self._pg_base_name() + "_tmpl")

    def build_template(self) -> None:
        if BACKEND == "postgresql":
            self._pg_recreate(self._pg_base_name() + "_tmpl")
        migrate.upgrade(self.template_url())

    def copy(self, name: str | None = None) -> str:
        name = name or f"copy_{next(_copies)}"
        if BACKEND == "sqlite":
            shutil.copy(self.workdir / "template.db", self.workdir / f"{name}.db")
            return self._sqlite_url(name)
        full = f"{self._pg_base_name()}_{name}"
        self._pg_recreate(full, template=self._pg_base_name() + "_tmpl")
        self.created.append(full)
        return self._pg_url(full)

    def drop(self, url: str) -> None:
        if BACKEND == "sqlite":
            path = Path(make_url(url).database or "")
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
        else:
            name = make_url(url).database or ""
            self._pg_drop(name)
            if name in self.created:
                self.created.remove(name)


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    dbs = DatabaseFactory(tmp_path_factory.mktemp("databases"))
    dbs.build_template()
    yield dbs
    for name in list(dbs.created):
        dbs._pg_drop(name)


@pytest.fixture(scope="session")
def engine(databases: DatabaseFactory) -> Iterator[Engine]:
    """The shared, migrated database that rollback tests use."""
    url = databases.copy("rollback")
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def db_session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back at the end of the test, commits included."""
    with engine.connect() as connection:
        transaction = connection.begin()
        db_session = Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield db_session
        finally:
            db_session.close()
            transaction.rollback()


@pytest.fixture
def fresh_database_url(databases: DatabaseFactory) -> Iterator[str]:
    """A whole migrated database of its own, for CLI and migration tests."""
    url = databases.copy()
    yield url
    databases.drop(url)


@pytest.fixture
def use_database(fresh_database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Point the app settings (CLI, app factory) at a fresh database."""
    monkeypatch.setenv("PROASN_DATABASE_URL", fresh_database_url)
    monkeypatch.setenv("PROASN_ACCESS_CODE_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield fresh_database_url
    get_settings.cache_clear()


@pytest.fixture
def live_server(databases: DatabaseFactory, tmp_path: Path):
    """Factory: `live_server(seed, workers=1, heartbeat_seconds=5)` copies the template, runs
    `seed(db_session)` on it (committed), starts uvicorn on it and returns (server, seed's
    result)."""
    from app.db import make_sessionmaker, transaction
    from tests.live import LiveServer

    started: list[LiveServer] = []
    urls: list[str] = []

    def start(seed, workers=1, heartbeat_seconds=5, access_log=False, env=None):
        url = databases.copy()
        urls.append(url)
        engine = make_engine(url)
        with transaction(make_sessionmaker(engine)) as db_session:
            seeded = seed(db_session)
        engine.dispose()
        workdir = tmp_path / f"live{len(started)}"
        workdir.mkdir()
        server = LiveServer(
            url,
            workdir,
            workers=workers,
            heartbeat_seconds=heartbeat_seconds,
            access_log=access_log,
            env=env or {},
        )
        server.start()
        started.append(server)
        return server, seeded

    yield start
    for server in started:
        server.stop()
    for url in urls:
        databases.drop(url)
