"""Request dependencies. The database session commits when the route succeeds and rolls
back when it raises: the one place where web transactions end."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session


def get_db_session(request: Request) -> Iterator[Session]:
    factory = request.app.state.sessionmaker
    with factory() as db_session:
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise
