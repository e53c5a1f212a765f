"""Request dependencies.

`DB` is the one way routes get a database session: it commits when the route returns and
rolls back when it raises (a `Refusal` keeps the changes made before it). `scope="function"`
makes the commit happen before the response is sent, so an acknowledged answer is durable.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.kit.errors import Refusal


@contextmanager
def request_transaction(request: Request) -> Iterator[Session]:
    """A request's session: committed when the work returns (or refuses: a `Refusal` keeps
    the changes made before it), rolled back when it raises anything else."""
    with request.app.state.sessionmaker() as db_session:
        try:
            yield db_session
        except Refusal:
            db_session.commit()
            raise
        except BaseException:
            db_session.rollback()
            raise
        db_session.commit()


def get_db_session(request: Request) -> Iterator[Session]:
    with request_transaction(request) as db_session:
        yield db_session


DB = Annotated[Session, Depends(get_db_session, scope="function")]


T = TypeVar("T")


async def in_transaction(request: Request, work: Callable[[Session], T]) -> T:
    """Run `work(db)` and commit (or roll back) in one worker thread, for the hottest routes.

    With the `DB` dependency a request takes four thread hops (session, authentication, route,
    commit) and holds its database connection while it waits for the next one; under load the
    threads then queue behind each other and behind the GIL, and saves/s fall as clients are
    added (measured by bench/load). Here the connection is held only while the work runs.
    The rules are the same as `DB`'s: committed before the response is sent.

    The web engine does not ping a connection before each use (a round trip per request);
    when the database has dropped it (a restart, a failover), the pool discards its
    connections and the work runs once more on a new one. Every such route is safe to run
    again: saves carry their sequence number, start returns the running attempt.
    """

    def run() -> T:
        for tries_left in (1, 0):
            try:
                return _attempt(request, work)
            except DBAPIError as exc:
                if not exc.connection_invalidated or not tries_left:
                    raise
        raise AssertionError("unreachable")

    return await run_in_threadpool(run)


def _attempt(request: Request, work: Callable[[Session], T]) -> T:
    with request_transaction(request) as db_session:
        return work(db_session)
