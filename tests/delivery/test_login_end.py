"""A taker's login ends on the server: a while after the test is submitted, and when the
session closes. Before: three days after submission the cookie still answered /state."""

from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.delivery import errors, service
from app.kit.clock import FrozenClock, use_clock
from app.main import housekeeping
from app.proctoring import service as proctoring
from tests.delivery.factories import open_exam


def test_the_login_ends_half_an_hour_after_submission(db_session: Session, tmp_path: Path) -> None:
    with use_clock(FrozenClock()) as frozen:
        exam = open_exam(db_session, tmp_path, people=2)
        taker, cookie = service.login(db_session, exam.nips[0], exam.token, None)
        service.start(db_session, taker)
        service.submit(db_session, taker)
        other, other_cookie = service.login(db_session, exam.nips[1], exam.token, None)
        service.start(db_session, other)  # still working: never ended by this
        frozen.advance(minutes=29)
        assert service.end_finished_logins(db_session) == 0
        service.authenticate(db_session, cookie)  # the finished page is still there
        frozen.advance(minutes=2)
        assert service.end_finished_logins(db_session) == 1
        db_session.expire_all()
        with pytest.raises(errors.NotLoggedIn):
            service.authenticate(db_session, cookie)
        service.authenticate(db_session, other_cookie)


def test_closing_the_session_ends_every_login_in_it(db_session: Session, tmp_path: Path) -> None:
    exam = open_exam(db_session, tmp_path, people=2)
    cookies = []
    for nip in exam.nips:
        taker, cookie = service.login(db_session, nip, exam.token, None)
        service.start(db_session, taker)
        service.submit(db_session, taker)
        cookies.append(cookie)
    outcome = proctoring.close_session(
        db_session, Actor(None, "pengawas", "proctor"), exam.session, ""
    )
    assert outcome.changed
    db_session.expire_all()
    for cookie in cookies:
        with pytest.raises(errors.NotLoggedIn):
            service.authenticate(db_session, cookie)


def test_the_sweepers_housekeeping_ends_them(fresh_database_url: str, tmp_path: Path) -> None:
    from app.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with use_clock(FrozenClock()) as frozen:
        with transaction(factory) as db:
            exam = open_exam(db, tmp_path, people=1)
            taker, cookie = service.login(db, exam.nips[0], exam.token, None)
            service.start(db, taker)
            service.submit(db, taker)
        frozen.advance(hours=72)
        housekeeping(factory)
        with transaction(factory) as db, pytest.raises(errors.NotLoggedIn):
            service.authenticate(db, cookie)
    engine.dispose()
