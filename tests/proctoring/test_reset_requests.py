"""A login reset asked for from a browser refused because another holds the login (issue 19,
item 8): the request, the proctor's one-click answer on the board, expiry, and who may answer."""

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import errors
from app.delivery import service as delivery
from app.exams import repository as exams_repository
from app.kit.clock import FrozenClock, use_clock
from app.proctoring import board as board_module
from app.proctoring import reset_requests, service
from app.proctoring.board import build_board
from app.proctoring.models import LoginResetRequest
from tests.delivery.factories import OpenExam, open_exam
from tests.proctoring.factories import World, build_world

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
ALICE = Actor(None, "pengawas-a", "proctor")
CSRF = "csrf-uji-token"


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path, people=2, other_room=True)


def held(db: Session, exam: OpenExam, n: int = 0) -> delivery.Taker:
    """Participant n logged in and started on PC A (whose cookie is then lost)."""
    taker, _ = delivery.login(db, exam.nips[n], exam.token, None)
    delivery.start(db, taker)
    return taker


def row_of(db: Session, exam: OpenExam, taker: delivery.Taker) -> board_module.BoardRow:
    rows = build_board(db, exam.session.id).rows
    return next(r for r in rows if r.participant_id == taker.participant.id)


def test_a_request_shows_on_the_seat_and_approval_lets_the_taker_back_in(
    db_session: Session, exam: OpenExam
) -> None:
    taker = held(db_session, exam)
    with pytest.raises(errors.LoginInUse):
        delivery.login(db_session, exam.nips[0], exam.token, None)
    request, waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None, "Firefox")
    assert waiter and request.status == "pending"
    row = row_of(db_session, exam, taker)
    assert row.reset_request_id == request.id
    assert board_module.ALERT_RESET_REQUEST in row.alerts
    assert build_board(db_session, exam.session.id).reset_requests == 1

    outcome = reset_requests.approve(db_session, ALICE, exam.session, request.id)
    assert outcome.changed and outcome.message == "permintaan disetujui: peserta dapat masuk lagi"
    assert reset_requests.status_of(db_session, waiter).status == "approved"
    again, cookie = delivery.login(db_session, exam.nips[0], exam.token, None)
    assert cookie and delivery.start(db_session, again).participant_id == taker.participant.id
    row = row_of(db_session, exam, taker)
    assert row.reset_request_id is None and board_module.ALERT_RESET_REQUEST not in row.alerts
    [entry] = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "seat.reset_login")
    ).all()
    assert entry.details["request_id"] == str(request.id)
    assert entry.actor_username == "pengawas-a" and entry.reason
    second = reset_requests.approve(db_session, ALICE, exam.session, request.id)
    assert not second.changed  # answered already: nothing happens twice


def test_a_second_request_while_one_is_pending_makes_no_second_one(
    db_session: Session, exam: OpenExam
) -> None:
    held(db_session, exam)
    first, waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    same, none = reset_requests.ask(db_session, exam.nips[0], exam.token, waiter)
    assert same.id == first.id and none is None  # the same browser asking again
    other, other_waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    assert other.id == first.id and other_waiter  # another browser takes over the wait
    assert reset_requests.status_of(db_session, waiter) is None
    assert reset_requests.status_of(db_session, other_waiter).id == first.id
    assert len(db_session.scalars(select(LoginResetRequest)).all()) == 1


def test_a_rejected_request_leaves_the_login_where_it_is(
    db_session: Session, exam: OpenExam
) -> None:
    taker = held(db_session, exam)
    request, waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    assert reset_requests.reject(db_session, ALICE, exam.session, request.id).changed
    assert reset_requests.status_of(db_session, waiter).status == "rejected"
    with pytest.raises(errors.LoginInUse):
        delivery.login(db_session, exam.nips[0], exam.token, None)
    assert board_module.ALERT_RESET_REQUEST not in row_of(db_session, exam, taker).alerts
    [entry] = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "seat.reset_request_reject")
    ).all()
    assert entry.details["request_id"] == str(request.id)
    assert entry.target_id == str(taker.participant.id)


def test_a_request_lapses_and_a_new_one_may_follow(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker = held(db_session, exam)
    request, waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    frozen.advance(minutes=reset_requests.REQUEST_MINUTES + 1)
    assert board_module.ALERT_RESET_REQUEST not in row_of(db_session, exam, taker).alerts
    late = reset_requests.approve(db_session, ALICE, exam.session, request.id)
    assert not late.changed and "kedaluwarsa" in late.message
    with pytest.raises(errors.LoginInUse):  # the lapsed request freed nothing
        delivery.login(db_session, exam.nips[0], exam.token, None)
    assert reset_requests.status_of(db_session, waiter).status == "expired"
    fresh, _ = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    assert fresh.id != request.id and fresh.status == "pending"


def test_a_request_proves_what_a_login_proves_and_tells_no_more(
    db_session: Session, exam: OpenExam
) -> None:
    held(db_session, exam)
    with pytest.raises(errors.InvalidLogin):
        reset_requests.ask(db_session, exam.nips[0], "ZZZZZZ", None)
    with pytest.raises(errors.InvalidLogin):  # unknown NIP: the same refusal
        reset_requests.ask(db_session, "199001012015031999", exam.token, None)
    with pytest.raises(errors.LoginFree):  # nobody holds participant 2's login: just log in
        reset_requests.ask(db_session, exam.nips[1], exam.token, None)
    for _ in range(5):  # wrong tokens count as wrong logins do
        with pytest.raises((errors.InvalidLogin, errors.TooManyTries)):
            reset_requests.ask(db_session, exam.nips[0], "QQQQQQ", None)
    with pytest.raises(errors.TooManyTries):
        reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    assert db_session.scalars(select(LoginResetRequest)).all() == []


def test_only_the_request_s_own_room_answers_it(db_session: Session, exam: OpenExam) -> None:
    held(db_session, exam)
    request, _ = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    other_room = exams_repository.session_by_code(db_session, exam.event.id, "S2")
    assert other_room is not None
    with pytest.raises(service.ActionRefused):
        reset_requests.approve(db_session, ALICE, other_room, request.id)
    with pytest.raises(service.ActionRefused):
        reset_requests.reject(db_session, ALICE, other_room, request.id)
    with pytest.raises(service.ActionRefused):
        reset_requests.approve(db_session, ALICE, exam.session, uuid.uuid4())
    assert request.status == "pending"


def test_a_reset_by_hand_answers_a_pending_request(db_session: Session, exam: OpenExam) -> None:
    taker = held(db_session, exam)
    request, waiter = reset_requests.ask(db_session, exam.nips[0], exam.token, None)
    service.reset_login(db_session, ALICE, exam.session, taker.participant, "PC mati")
    assert reset_requests.status_of(db_session, waiter).status == "approved"
    assert request.decided_by == "pengawas-a"


# --- routes ---------------------------------------------------------------------------------


@pytest.fixture
def world(use_database: str, tmp_path: Path) -> World:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        built = build_world(db, tmp_path)
        delivery.start(db, delivery.authenticate(db, built.taker_tokens["taker"]))
    engine.dispose()
    return built


def browser(app, world: World, persona: str | None = None) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("proasn_csrf", CSRF)
    if persona:
        client.cookies.set("proasn_staff", world.staff_tokens[persona])
    return client


def ask_from_pc_b(app, world: World) -> TestClient:
    """PC B (no cookie) is refused, and asks for a reset from the refusal page."""
    pc_b = browser(app, world)
    nip, token = world.exam.nips[0], world.exam.token
    refused = pc_b.post("/ujian/masuk", data={"nip": nip, "token": token, "csrf_token": CSRF})
    assert refused.status_code == 409
    assert 'action="/ujian/minta-reset"' in refused.text
    assert "Minta reset login ke pengawas" in refused.text
    asked = pc_b.post("/ujian/minta-reset", data={"nip": nip, "token": token, "csrf_token": CSRF})
    assert asked.status_code == 303 and asked.headers["location"] == "/ujian/minta-reset"
    assert pc_b.cookies.get("proasn_reset")
    return pc_b


def test_the_refusal_page_asks_and_waits_and_the_proctor_approves(app, world: World) -> None:
    pc_b = ask_from_pc_b(app, world)
    waiting = pc_b.get("/ujian/minta-reset")
    assert waiting.status_code == 200 and 'id="reset-wait"' in waiting.text
    assert pc_b.get("/ujian/minta-reset/status").json() == {"status": "pending"}

    proctor = browser(app, world, "proctor")
    s = world.session_id
    board = proctor.get(f"/pengawas/sesi/{s}").text
    assert "minta reset login" in board and "permintaan reset login: 1" in board
    approve = re.search(r'action="(/pengawas/sesi/[^"]+/setujui)"', board)
    assert approve
    # another room's proctor, a taker and a stranger cannot answer it
    other = browser(app, world, "other_proctor").post(approve.group(1), data={"csrf_token": CSRF})
    assert other.status_code == 403
    assert browser(app, world).post(approve.group(1), data={"csrf_token": CSRF}).status_code == 401
    assert proctor.post(approve.group(1)).status_code == 403  # no CSRF token
    done = proctor.post(approve.group(1), data={"csrf_token": CSRF})
    assert done.status_code == 303
    quiet = proctor.get(f"/pengawas/sesi/{s}").text  # answered: no badge, no count
    assert "minta reset login" not in quiet and "permintaan reset login" not in quiet

    assert pc_b.get("/ujian/minta-reset/status").json() == {"status": "approved"}
    answered = pc_b.get("/ujian/minta-reset")
    assert "Pengawas telah membebaskan login Anda" in answered.text
    assert world.exam.nips[0] in answered.text  # the NIP is filled in
    nip, token = world.exam.nips[0], world.exam.token
    back = pc_b.post("/ujian/masuk", data={"nip": nip, "token": token, "csrf_token": CSRF})
    assert back.status_code == 303 and back.headers["location"] == "/ujian/lanjut"
    assert pc_b.get("/ujian/lanjut").headers["location"] == "/ujian/soal/1"


def test_a_declined_request_says_so_on_the_waiting_page(app, world: World) -> None:
    pc_b = ask_from_pc_b(app, world)
    proctor = browser(app, world, "proctor")
    board = proctor.get(f"/pengawas/sesi/{world.session_id}").text
    decline = re.search(r'action="(/pengawas/sesi/[^"]+/tolak)"', board)
    assert decline
    assert proctor.post(decline.group(1), data={"csrf_token": CSRF}).status_code == 303
    answered = pc_b.get("/ujian/minta-reset")
    assert "Pengawas tidak membebaskan login Anda" in answered.text


def test_a_request_with_a_wrong_token_is_refused_like_a_login(app, world: World) -> None:
    pc_b = browser(app, world)
    nip = world.exam.nips[0]
    wrong = pc_b.post(
        "/ujian/minta-reset", data={"nip": nip, "token": "ZZZZZZ", "csrf_token": CSRF}
    )
    assert wrong.status_code == 401 and "NIP atau token ruang salah" in wrong.text
    assert "proasn_reset" not in wrong.headers.get("set-cookie", "")
    no_csrf = pc_b.post("/ujian/minta-reset", data={"nip": nip, "token": world.exam.token})
    assert no_csrf.status_code == 403
    assert pc_b.get("/ujian/minta-reset").headers["location"] == "/ujian"
    assert pc_b.get("/ujian/minta-reset/status").json() == {"status": "none"}
