"""Two requests (or a request and another worker's sweeper) closing the same attempt: each
works in its own database session, as separate workers do."""

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import calls, errors, repository, service
from app.delivery.core import Answering
from app.delivery.models import Attempt, AttemptScore
from app.kit import clock
from app.kit.clock import FrozenClock, use_clock
from tests.delivery.factories import open_exam


def test_a_heartbeat_does_not_submit_what_the_sweeper_just_submitted(
    fresh_database_url: str, tmp_path: Path
) -> None:
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with use_clock(FrozenClock()) as frozen:
        with transaction(factory) as db:
            exam = open_exam(db, tmp_path, people=1, total_minutes=30)
            taker, cookie = service.login(db, exam.nips[0], exam.token, None)
            service.start(db, taker)
        frozen.advance(minutes=31)
        with factory() as request_db:
            # The heartbeat's request has read the attempt (still in progress) …
            taker = service.authenticate(request_db, cookie)
            attempt = repository.attempt_of(request_db, taker.participant.id)
            assert attempt is not None and attempt.status == "in_progress"
            # … when another worker's sweeper submits and scores it.
            with transaction(factory) as sweeper_db:
                assert service.submit_expired(sweeper_db) == 1
            service.heartbeat(request_db, taker)
            request_db.commit()
            assert attempt.status == "submitted" and attempt.submitted_by == "timer"
    with factory() as db:
        scores = db.scalar(select(func.count()).select_from(AttemptScore))
        submitted = db.scalar(select(func.count()).where(Attempt.status == "submitted"))
    engine.dispose()
    assert (submitted, scores) == (1, 2)  # scored once: one row per subtest (verbal, sjt)


def test_a_save_and_a_heartbeat_do_not_wait_for_the_sweeper_closing_their_attempt(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """At a room's deadline the sweeper holds a batch's rows while it scores them. A save or
    a heartbeat of such an attempt must not wait for it in a worker thread (with 700-item
    forms the waiting requests took every thread for seconds): the save is refused at once,
    as it would be after the wait, and the heartbeat says the test is over. On PostgreSQL
    the request's session would fail on `lock_timeout` if it waited for the row."""
    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    postgres = engine.dialect.name == "postgresql"
    with use_clock(FrozenClock()) as frozen:
        with transaction(factory) as db:
            exam = open_exam(db, tmp_path, people=1, total_minutes=30)
            taker, cookie = service.login(db, exam.nips[0], exam.token, None)
            service.start(db, taker)
        frozen.advance(minutes=31)
        with factory() as sweeper_db, factory() as request_db:
            cutoff = clock.now() - service.answer_grace()
            assert len(repository.expired_attempt_ids(sweeper_db, cutoff, 10)) == 1  # held
            if postgres:
                request_db.execute(text("SET lock_timeout = '3s'"))
            answering = Answering(1, None, True, service.seq_base() + 1)
            with pytest.raises(errors.DeadlinePassed):
                calls.save(request_db, cookie, answering)
            assert calls.beat(request_db, cookie, 1).status == "submitted"
            request_db.commit()
            sweeper_db.rollback()
    engine.dispose()
