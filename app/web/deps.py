"""Request dependencies. The database session commits when the route succeeds and rolls
back when it raises: the one place where web transactions end (see db.transaction)."""

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from app.db import transaction


def get_db_session(request: Request) -> Iterator[Session]:
    with transaction(request.app.state.sessionmaker) as db_session:
        yield db_session
