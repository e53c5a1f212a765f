"""The board poll's one-statement access check (`access.may_watch`) against the full path it
stands in for: it may say yes only where loading the staff member and the session would pass
without writing anything; everywhere else the poll takes the full path."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.accounts.deps import Forbidden
from app.accounts.models import StaffLogin, StaffUser
from app.accounts.service import authenticate
from app.db import make_engine, make_sessionmaker
from app.kit.clock import FrozenClock, use_clock
from app.kit.secrets_gen import token_digest
from app.proctoring.access import may_watch
from app.proctoring.routes import managed_session
from tests.proctoring.factories import World
from tests.statements import recorded

# How long after logging in the poll comes: last seen fresh, due to be written, idle too long.
AGES = {"fresh": timedelta(seconds=30), "due": timedelta(minutes=2), "idle": timedelta(minutes=61)}
VARIANTS = ("as is", "revoked", "disabled")


def _full_path(db: Session, token: str, session_id: uuid.UUID) -> str:
    """What the routes' `managed_session` over `current_staff` does."""
    staff = authenticate(db, token)
    wrote = bool(db.dirty)  # before the session's reads flush it
    if staff is None:
        return "writes" if wrote else "refused"
    try:
        managed_session(session_id, staff, db)
    except Forbidden:
        return "refused"
    return "passes, writes" if wrote else "passes"


def _spoil(db: Session, token: str, variant: str) -> None:
    login = StaffLogin.token_hash == token_digest(token)
    if variant == "revoked":
        db.execute(update(StaffLogin).where(login).values(revoked_at=datetime.now(UTC)))
    elif variant == "disabled":
        user_id = db.scalar(select(StaffLogin.user_id).where(login))
        db.execute(update(StaffUser).where(StaffUser.id == user_id).values(active=False))


@pytest.mark.parametrize("age", AGES)
def test_may_watch_says_yes_exactly_where_the_full_path_passes_without_writing(
    use_database: str, world: World, age: str
) -> None:
    sessions = [uuid.UUID(world.session_id), uuid.UUID(world.other_session_id), uuid.uuid4()]
    tokens = {**world.staff_tokens, "unknown": "no-such-login"}
    engine = make_engine(use_database)
    factory = make_sessionmaker(engine)
    outcomes: dict[str, int] = {}
    try:
        for persona, token in tokens.items():
            for variant in VARIANTS:
                for session_id in sessions:
                    with factory() as db:
                        _spoil(db, token, variant)
                        at = datetime.now(UTC) + AGES[age]
                        with use_clock(FrozenClock(at)):
                            fast = may_watch(db, token, session_id)
                            full = _full_path(db, token, session_id)
                        db.rollback()
                    case = (persona, variant, session_id)
                    assert fast == (full == "passes"), (case, fast, full)
                    outcomes[full] = outcomes.get(full, 0) + 1
    finally:
        engine.dispose()
    # The matrix reaches every outcome the age allows (a test that cannot tell them apart
    # would pass on a check that always says no).
    expected = {
        "fresh": {"passes", "refused", "writes"},  # writes: a disabled account's login revoked
        "due": {"passes, writes", "refused", "writes"},
        "idle": {"writes", "refused"},
    }[age]
    assert set(outcomes) == expected, outcomes
    assert may_watch(Session(), None, sessions[0]) is False  # no cookie: no statement either


def _client(app, world: World, persona: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("proasn_staff", world.staff_tokens[persona])
    return client


def test_a_poll_checks_the_login_and_the_room_in_one_statement(app, world: World) -> None:
    """Before: the login, its account, the session and the assignment were four ORM reads,
    half of a poll's time on the server (py-spy, 2026-12-04)."""
    client = _client(app, world, "proctor")
    path = f"/pengawas/sesi/{world.session_id}/papan"
    with recorded(app.state.engine) as seen:
        response = client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="board-cursor"' in response.text
    # (The app's sweeper shares the engine and may run meanwhile: it touches no staff table.)
    access = [s for s in seen if any(t in s for t in ("staff_", "proctor_assignment"))]
    assert len(access) == 1, access  # was four: the login, its account, the assignment...
    assert "exam_session" in access[0]  # ... and the session
    assert sum("ORDER BY exam_participant.name" in s for s in seen) == 1  # the seats


@pytest.mark.parametrize(("persona", "status"), [("proctor", 200), ("other_proctor", 403)])
def test_a_poll_with_last_seen_due_takes_the_full_path_and_writes_it(
    app, world: World, persona: str, status: int
) -> None:
    path = f"/pengawas/sesi/{world.session_id}/papan"
    later = datetime.now(UTC) + AGES["due"]
    with use_clock(FrozenClock(later)):
        response = _client(app, world, persona).get(path, headers={"HX-Request": "true"})
    assert response.status_code == status
    engine = app.state.engine
    with Session(engine) as db:
        digest = token_digest(world.staff_tokens[persona])
        login = db.scalars(select(StaffLogin).where(StaffLogin.token_hash == digest)).one()
    assert login.last_seen_at == later  # written by the full path, whatever the answer


def test_a_poll_after_the_idle_limit_is_sent_to_log_in_and_the_login_revoked(
    app, world: World
) -> None:
    path = f"/pengawas/sesi/{world.session_id}/papan"
    with use_clock(FrozenClock(datetime.now(UTC) + AGES["idle"])):
        response = _client(app, world, "admin").get(path, headers={"HX-Request": "true"})
    assert response.status_code == 303 and response.headers["location"].startswith("/staf/masuk")
    with Session(app.state.engine) as db:
        digest = token_digest(world.staff_tokens["admin"])
        login = db.scalars(select(StaffLogin).where(StaffLogin.token_hash == digest)).one()
    assert login.revoked_at is not None
