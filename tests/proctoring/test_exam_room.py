"""Exam-room integrity on the proctor's side (issue 19, item 7): login PINs on the cards and
re-issued for one seat (audited); the test page's leaves of the exam window on the board and
the seat page, not where the event requires Safe Exam Browser."""

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service as delivery_service
from app.delivery.models import Attempt
from app.exams.models import Participant
from app.kit import seb
from app.kit.clock import FrozenClock, use_clock
from app.kit.secrets_gen import verify_pin
from tests.proctoring.factories import World, build_world

CSRF = "csrf-uji-token"
KEY = "ab" * 32


def signed_scope(path: str) -> dict:
    """A taker request as Safe Exam Browser with KEY sends it (to the test client's host)."""
    url = f"http://testserver{path}"
    hashed = hashlib.sha256((url + KEY).encode()).hexdigest().encode()
    return {
        "type": "http",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"x-safeexambrowser-configkeyhash", hashed)],
    }


def make_world(database: str, tmp_path: Path, **settings) -> World:
    engine = make_engine(database)
    # the world's takers log in as Safe Exam Browser would, where the event requires it
    presented = seb.taker_request.set(signed_scope("/api/v1/taker/login"))
    with transaction(make_sessionmaker(engine)) as db:
        built = build_world(db, tmp_path, **settings)
        built.session_id = str(built.exam.session.id)
        # started, so the pages have an attempt to report on
        for token in built.taker_tokens.values():
            delivery_service.start(db, delivery_service.authenticate(db, token))
    seb.taker_request.reset(presented)
    engine.dispose()
    built.sessionmaker = make_sessionmaker(make_engine(database))
    return built


def staff(app, world: World, persona: str = "proctor") -> TestClient:
    client = TestClient(app, follow_redirects=False)
    client.cookies.set("proasn_csrf", CSRF)
    client.cookies.set("proasn_staff", world.staff_tokens[persona])
    return client


def pin_hash(world: World, participant_id: str) -> str | None:
    with world.sessionmaker() as db:
        return db.get(Participant, uuid.UUID(participant_id)).login_pin_hash


# --- PINs -----------------------------------------------------------------------------------


def test_cards_print_new_pins_and_the_old_ones_stop_working(
    app, use_database: str, tmp_path: Path
) -> None:
    world = make_world(use_database, tmp_path, login_pin=True)
    seat = world.participant_ids[0]
    first = world.exam.pins[world.exam.nips[0]]
    page = staff(app, world).post(
        f"/pengawas/sesi/{world.session_id}/kartu",
        data={"csrf_token": CSRF},
    )
    pins = re.findall(r'<dd class="code pin">(\d{6})</dd>', page.text)
    assert page.status_code == 200 and len(pins) == 3
    assert "PIN masuk" in page.text
    assert not verify_pin(pin_hash(world, seat), first)
    assert any(verify_pin(pin_hash(world, seat), pin) for pin in pins)


def test_a_proctor_reissues_one_seats_pin_with_a_reason(
    app, use_database: str, tmp_path: Path
) -> None:
    world = make_world(use_database, tmp_path, login_pin=True)
    client = staff(app, world)
    seat = f"/pengawas/sesi/{world.session_id}/peserta/{world.participant_ids[0]}"
    assert "Terbitkan PIN baru" in client.get(seat).text
    no_reason = client.post(f"{seat}/pin", data={"csrf_token": CSRF, "reason": " "})
    assert no_reason.status_code == 303
    old = world.exam.pins[world.exam.nips[0]]
    assert verify_pin(pin_hash(world, world.participant_ids[0]), old)
    page = client.post(f"{seat}/pin", data={"csrf_token": CSRF, "reason": "kartu hilang"})
    new = re.search(r'id="new-pin">(\d{6})<', page.text)
    assert page.status_code == 200 and new, page.text
    stored = pin_hash(world, world.participant_ids[0])
    assert verify_pin(stored, new.group(1)) and not verify_pin(stored, old)
    with world.sessionmaker() as db:
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "seat.pin_reissued"))
        rows = list(audit)
    assert [(r.reason, r.actor_username) for r in rows] == [("kartu hilang", "proctor")]
    assert new.group(1) not in str(rows[0].details)  # the PIN is not in the log
    # the other room's proctor may not
    other = staff(app, world, "other_proctor").post(
        f"{seat}/pin", data={"csrf_token": CSRF, "reason": "x"}
    )
    assert other.status_code == 403


def test_an_event_without_pins_refuses_a_reissue(app, use_database: str, tmp_path: Path) -> None:
    world = make_world(use_database, tmp_path)
    client = staff(app, world)
    seat = f"/pengawas/sesi/{world.session_id}/peserta/{world.participant_ids[0]}"
    assert "Terbitkan PIN baru" not in client.get(seat).text
    refused = client.post(f"{seat}/pin", data={"csrf_token": CSRF, "reason": "x"})
    assert refused.status_code == 303
    assert "Acara ini tidak memakai PIN masuk" in client.get(refused.headers["location"]).text
    page = client.post(f"/pengawas/sesi/{world.session_id}/kartu", data={"csrf_token": CSRF})
    assert "PIN masuk" not in page.text


# --- leaving the exam window ----------------------------------------------------------------


def taker_client(app, world: World, key: str = "taker") -> TestClient:
    client = TestClient(app)
    client.cookies.set("proasn_taker", world.taker_tokens[key])
    return client


def report(client: TestClient, count: int, seconds: int, headers=None) -> None:
    body = {"position": 1, "left_window": {"count": count, "seconds": seconds}}
    answered = client.post("/api/v1/taker/heartbeat", json=body, headers=headers or {})
    assert answered.status_code == 200, answered.text


def test_the_board_and_the_seat_show_how_often_a_page_left_the_window(
    app, use_database: str, tmp_path: Path
) -> None:
    world = make_world(use_database, tmp_path)
    proctor = staff(app, world)
    board = f"/pengawas/sesi/{world.session_id}"
    full = proctor.get(board).text
    assert "keluar jendela" not in full
    cursor = re.search(r'id="board-cursor" data-since="([^"]+)"', full)
    assert cursor
    later = datetime.now(UTC) + timedelta(seconds=5)
    with use_clock(FrozenClock(later)):
        taker = taker_client(app, world)
        report(taker, 2, 0)
        report(taker, 1, 40)
        poll = proctor.get(f"{board}/papan", params={"since": cursor.group(1)}).text
    # (the poll also repeats rows changed within a second of its cursor: the starts)
    mine = poll.split(f'id="seat-{world.participant_ids[0]}"')[1].split("</tr>")[0]
    assert "keluar jendela ×3" in mine and poll.count("keluar jendela ×") == 1
    assert "Keluar dari jendela ujian 3 kali, seluruhnya 40 detik" in poll
    assert proctor.get(board).text.count("keluar jendela ×") == 1  # only that seat
    seat = proctor.get(f"{board}/peserta/{world.participant_ids[0]}").text
    assert "keluar dari jendela ujian 3 kali" in seat and "seluruhnya 40 detik" in seat


def test_under_safe_exam_browser_the_board_shows_no_leaves(
    app, use_database: str, tmp_path: Path
) -> None:
    world = make_world(use_database, tmp_path, safe_exam_browser={"config_keys": [KEY]})
    url = "http://testserver/api/v1/taker/heartbeat"
    signed = {"X-SafeExamBrowser-ConfigKeyHash": hashlib.sha256((url + KEY).encode()).hexdigest()}
    report(taker_client(app, world), 4, 9, signed)
    with world.sessionmaker() as db:
        counts = db.scalars(select(Attempt.left_window_count)).all()
    assert sorted(counts) == [0, 4]  # stored as the page said …
    page = staff(app, world).get(f"/pengawas/sesi/{world.session_id}").text
    assert "keluar jendela" not in page  # … but SEB keeps the window locked: not shown
