"""Declarative base, engine construction and the request-scoped session dependency.

Transactions live in one place: the request's session commits on success and rolls back on
error; services and repositories only flush. CLI jobs commit once at their end.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import DateTime, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # every model maps one table (DeclarativeBase allows any FromClause)
    __table__: ClassVar[Table]


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and come back timezone-aware on every backend.

    SQLite has no timezone type, so naive values read from it are tagged as UTC here instead
    of in every caller.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_database_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the writer; FULL makes an acknowledged answer durable.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


# The web engine pings a pooled connection only when it has sat unused this long: a busy
# worker's connections are proven by the last request, and the ping of every checkout (a
# round trip) is a noticeable share of an answer save's CPU (figures: bench/README.md,
# "Figures behind the code"). A connection the database dropped while in use fails its
# request; the pool then discards that generation of connections and
# `app.web.deps.in_transaction` runs the request once more.
IDLE_PING_SECONDS = 10.0


def make_engine(url: str, echo: bool = False, pool_size: int | None = None) -> Engine:
    """An engine for `url`. `pool_size` is for the web server's engine: one connection per
    request thread of the worker (settings.worker_threads), opened when first needed, kept,
    and never more. A request using the `DB` dependency keeps its connection between thread
    hops, so with fewer connections than threads, threads waiting for a connection could block
    the very requests that would return one. CLI jobs and tests keep SQLAlchemy's defaults."""
    url = normalise_database_url(url)
    sizing = {"pool_size": pool_size, "max_overflow": 0} if pool_size else {}
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False}, **sizing)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    engine = create_engine(
        url,
        echo=echo,
        pool_pre_ping=not pool_size,
        connect_args={"options": "-c synchronous_commit=on -c timezone=UTC"},
        **sizing,
    )
    if pool_size:
        ping_when_idle(engine)
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float | None = None) -> None:
    """Ping a connection at checkout when it has been idle over IDLE_PING_SECONDS; a dead
    one is replaced before the request sees it (SQLAlchemy's DisconnectionError protocol)."""

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        limit = IDLE_PING_SECONDS if idle_seconds is None else idle_seconds
        if since is None or time.monotonic() - since < limit:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc

    event.listen(engine, "checkin", checkin)
    event.listen(engine, "checkout", checkout)


def insert_for(db: Session) -> Callable[[Any], postgresql.Insert | sqlite.Insert]:
    """The dialect's INSERT construct (ON CONFLICT … is the same on both backends, but each
    dialect has its own class for it)."""
    return postgresql.insert if db.get_bind().dialect.name == "postgresql" else sqlite.insert


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: Callable[[], Session]) -> Iterator[Session]:
    """One unit of work: commit at the end, roll back on any error (CLI jobs use this)."""
    with factory() as db_session:
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise


@contextmanager
def unit_of_work(url: str) -> Iterator[Session]:
    """A CLI job's one transaction on an engine of its own, disposed of at the end."""
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as db_session:
            yield db_session
    finally:
        engine.dispose()


def rows_affected(db: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; how many rows it changed."""
    # Session.execute is typed as returning Result; an UPDATE / DELETE gives a CursorResult
    return cast("CursorResult[Any]", db.execute(statement)).rowcount
