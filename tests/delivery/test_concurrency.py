"""Two requests (or a request and another worker's sweeper) closing the same attempt: each
works in its own database session, as separate workers do."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import calls, errors, repository, service
from app.delivery.core import Answering
from app.delivery.models import Attempt, AttemptScore, TakerLogin
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


def test_twenty_browsers_logging_in_with_one_nip_at_once_get_one_login(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """One seat, one login, also when twenty browsers ask in the same instant (each in its
    own database session, as workers' threads are): a read-then-insert let 2 (SQLite) to 4
    (PostgreSQL) in, and the proctor's reset freed only one of them."""
    from app.audit.service import Actor
    from app.exams.models import Participant
    from app.proctoring import service as proctoring

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        exam = open_exam(db, tmp_path, people=1)
        nip, token, session_id = exam.nips[0], exam.token, exam.session.id
    barrier = threading.Barrier(20)

    def log_in(_: int) -> str:
        barrier.wait()
        try:
            with transaction(factory) as db:
                service.login(db, nip, token, None)
        except errors.LoginInUse:
            return "login_in_use"
        return "in"

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(log_in, range(20)))
    assert sorted(outcomes) == ["in"] + ["login_in_use"] * 19
    with transaction(factory) as db:
        live = db.scalar(select(func.count()).where(TakerLogin.revoked_at.is_(None)))
        assert live == 1
        participant = db.scalar(select(Participant).where(Participant.nip == nip))
        assert participant is not None
        seat_session = db.get_one(type(exam.session), session_id)
        outcome = proctoring.reset_login(
            db, Actor(None, "pengawas", "proctor"), seat_session, participant, "PC mati"
        )
        assert outcome.changed
    with transaction(factory) as db:
        service.login(db, nip, token, None)  # the seat is free again
    engine.dispose()


def test_the_proctors_reset_ends_every_login_of_the_seat(
    fresh_database_url: str, tmp_path: Path
) -> None:
    """Rows from before the database held one login per seat: the reset ends them all."""
    from app.audit.service import Actor
    from app.proctoring import service as proctoring

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        exam = open_exam(db, tmp_path, people=1)
        first, _ = service.login(db, exam.nips[0], exam.token, None)
        first.login.revoked_at = clock.now()
        db.flush()
        service.login(db, exam.nips[0], exam.token, None)
        db.execute(text("DROP INDEX ux_delivery_taker_login_one_active"))
        first.login.revoked_at = None  # two live logins, as the race left them
        db.flush()
        outcome = proctoring.reset_login(
            db, Actor(None, "pengawas", "proctor"), exam.session, first.participant, "PC mati"
        )
        assert outcome.changed
        live = db.scalar(select(func.count()).where(TakerLogin.revoked_at.is_(None)))
        assert live == 0
    engine.dispose()


def test_the_migration_keeps_the_newest_of_a_seats_live_logins(
    fresh_database_url: str, tmp_path: Path
) -> None:
    from datetime import timedelta

    from alembic import command
    from sqlalchemy import insert

    from app import migrate
    from app.kit.ids import new_id

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        exam = open_exam(db, tmp_path, people=1)
        taker, _ = service.login(db, exam.nips[0], exam.token, None)
        participant_id, at = taker.participant.id, taker.login.created_at
    command.downgrade(migrate.alembic_config(fresh_database_url), "7a1c0e5b2d41")
    with transaction(factory) as db:  # two more live logins of the seat, as the race left them
        for minutes in (1, 2):
            row = {"participant_id": participant_id, "created_at": at + timedelta(minutes=minutes)}
            db.execute(insert(TakerLogin).values(id=new_id(), token_hash=f"{minutes:064}", **row))
    engine.dispose()
    migrate.upgrade(fresh_database_url)
    engine = make_engine(fresh_database_url)
    with make_sessionmaker(engine)() as db:
        live = list(db.scalars(select(TakerLogin).where(TakerLogin.revoked_at.is_(None))))
        assert [login.created_at for login in live] == [at + timedelta(minutes=2)]
        ended = db.scalar(select(func.count()).where(TakerLogin.revoked_reason.like("duplicate%")))
        assert ended == 2
    engine.dispose()
