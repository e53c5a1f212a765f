"""Migrations and database settings, on whichever backend this run uses."""

import uuid
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app import migrate
from app.db import make_engine, normalise_database_url, ping_when_idle
from app.kit.ids import new_id
from app.models import metadata
from tests.conftest import BACKEND


def test_models_and_migrations_agree(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrations_go_down_to_nothing_and_up_again(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)  # already at head: a no-op
    from alembic import command

    command.downgrade(migrate.alembic_config(fresh_database_url), "base")
    engine = make_engine(fresh_database_url)
    try:
        tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert tables == set()
        migrate.upgrade(fresh_database_url)
        assert set(inspect(engine).get_table_names()) >= set(metadata.tables)
    finally:
        engine.dispose()


def test_migration_files_are_named_by_date_and_slug() -> None:
    import re

    folders = [migrate.ROOT / "migrations" / "versions", migrate.ROOT / "app/talentbox/migrations"]
    names = [p.name for folder in folders for p in folder.glob("*.py")]
    assert names
    assert all(re.match(r"^\d{4}-\d{2}-\d{2}-\d{4}_[a-z0-9_]+\.py$", n) for n in names), names


def test_connection_settings_make_acknowledged_writes_durable(db_session: Session) -> None:
    if BACKEND == "sqlite":
        assert db_session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db_session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert db_session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    else:
        assert db_session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        assert db_session.execute(text("SHOW timezone")).scalar() == "UTC"


def test_foreign_keys_are_enforced(db_session: Session) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError

    from app.exams.models import Participant

    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(
            Participant.__table__.insert().values(
                id=new_id(),
                event_id=new_id(),
                session_id=new_id(),
                agency_id=new_id(),
                nip="x",
                name="x",
                position="x",
                eselon="x",
                access_code_hash="x",
                created_at=text("CURRENT_TIMESTAMP"),
                updated_at=text("CURRENT_TIMESTAMP"),
            )
        )


def test_ids_are_time_ordered_uuid7() -> None:
    first, second = new_id(), new_id()
    assert isinstance(first, uuid.UUID)
    assert first.version == 7
    assert first < second


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgresql://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_naive_datetimes_are_refused() -> None:
    from datetime import datetime

    import pytest

    from app.db import UTCDateTime

    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), None)


def test_an_idle_pooled_connection_is_pinged_and_replaced_when_the_database_dropped_it(
    fresh_database_url: str,
) -> None:
    engine = make_engine(fresh_database_url, pool_size=2)
    dropped: list[object] = []

    def drop(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if not dropped and "idle_since" in record.info:  # a pooled one, not a new one
            dbapi_connection.close()
            dropped.append(record)

    try:
        ping_when_idle(engine, idle_seconds=0)  # (PostgreSQL's web engine has it: 10 s)
        with engine.connect() as connection:  # opened, used, back in the pool
            connection.execute(text("SELECT 1"))
        event.listen(engine, "checkout", drop, insert=True)  # before the ping
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        assert len(dropped) == 1  # the dead one was found and replaced before use
    finally:
        engine.dispose()


def test_the_web_engine_pings_only_idle_connections_on_postgresql() -> None:
    url = "postgresql+psycopg://u:p@127.0.0.1:1/x"  # never connected to
    web, cli = make_engine(url, pool_size=4), make_engine(url)
    assert not web.pool._pre_ping  # idle ones only (ping_when_idle), not every checkout
    assert cli.pool._pre_ping  # CLI jobs and tests keep SQLAlchemy's ping of every checkout
