"""The test page tells how often and how long it left the exam window with its next save or
heartbeat (issue 19, item 7); the attempt keeps the sums, on both paths."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery.models import Attempt
from app.kit.clock import FrozenClock, use_clock
from app.main import create_app
from app.proctoring import service as proctoring
from tests.delivery.factories import OpenExam, committed_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(use_database: str, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return committed_exam(use_database, tmp_path, people=1)


@pytest.fixture
def taker(use_database: str, exam: OpenExam) -> Iterator[TestClient]:
    with TestClient(create_app()) as client:
        login = {"nip": exam.nips[0], "token": exam.token}
        assert client.post("/api/v1/taker/login", json=login).status_code == 200
        assert client.post("/api/v1/taker/start").status_code == 200
        yield client


def counts(database: str) -> tuple[int, int, datetime | None]:
    engine = make_engine(database)
    with make_sessionmaker(engine)() as db:
        row = db.execute(
            select(Attempt.left_window_count, Attempt.left_window_seconds, Attempt.left_window_at)
        ).one()
    engine.dispose()
    return row[0], row[1], row[2]


def left(count: int, seconds: int) -> dict[str, int]:
    return {"count": count, "seconds": seconds}


def test_reports_add_up_through_heartbeats_and_saves_on_both_paths(
    taker: TestClient, use_database: str, exam: OpenExam, frozen: FrozenClock
) -> None:
    assert counts(use_database) == (0, 0, None)
    beat = taker.post("/api/v1/taker/heartbeat", json={"position": 1})  # nothing to tell
    assert beat.status_code == 200 and counts(use_database) == (0, 0, None)
    frozen.advance(seconds=30)
    # the hot path: an ordinary heartbeat and an ordinary save
    body = {"position": 1, "left_window": left(2, 0)}
    assert taker.post("/api/v1/taker/heartbeat", json=body).status_code == 200
    option = taker.get("/api/v1/taker/items/1").json()["options"][0]["option_id"]
    save = {"option_id": option, "seq": 10**12, "left_window": left(1, 25)}
    assert taker.put("/api/v1/taker/answers/1", json=save).status_code == 200
    assert counts(use_database) == (3, 25, frozen.now())
    # the ORM path: a heartbeat while paused still counts what the page says
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        participant_id = db.scalars(select(Attempt.participant_id)).one()
        participant = proctoring.participant_or_refuse(db, exam.session, participant_id)
        actor = Actor(None, "pengawas", "proctor")
        proctoring.pause_seat(db, actor, exam.session, participant, "uji")
    engine.dispose()
    frozen.advance(seconds=10)
    body = {"position": 1, "left_window": left(0, 7)}
    paused = taker.post("/api/v1/taker/heartbeat", json=body)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert counts(use_database) == (3, 32, frozen.now())


@pytest.mark.parametrize("bad", [left(-1, 0), left(0, -5), left(1001, 0), {"count": "x"}])
def test_a_report_out_of_bounds_is_refused(taker: TestClient, bad: dict) -> None:
    answered = taker.post("/api/v1/taker/heartbeat", json={"position": 1, "left_window": bad})
    assert answered.status_code == 422
