"""Request dependencies.

`DB` is the one way routes get a database session: it commits when the route returns and
rolls back when it raises (a `Refusal` keeps the changes made before it). `scope="function"`
makes the commit happen before the response is sent, so an acknowledged answer is durable.
"""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.kit.errors import Refusal


def get_db_session(request: Request) -> Iterator[Session]:
    with request.app.state.sessionmaker() as db_session:
        try:
            yield db_session
        except Refusal:
            db_session.commit()
            raise
        except BaseException:
            db_session.rollback()
            raise
        else:
            db_session.commit()


DB = Annotated[Session, Depends(get_db_session, scope="function")]
