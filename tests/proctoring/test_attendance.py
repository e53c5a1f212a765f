"""One room with a seat in every state: the board, the attendance list and the berita acara
count attendance alike (issue 22), the board stays quiet where nothing needs doing, and bulk
actions work on several seats with one reason."""

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import create_user, log_in
from app.audit.models import AuditEntry
from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service as delivery
from app.delivery.models import Attempt
from app.exams.models import ExamSession, Participant
from app.kit import clock
from app.kit.timezones import ABBREVIATIONS
from app.main import create_app
from app.proctoring import board as board_module
from app.proctoring import service
from app.proctoring.board import build_board
from tests.delivery.factories import open_exam

CSRF = "csrf-uji-token"
ALICE = Actor(None, "pengawas-a", "proctor")
# seat → (recorded attendance, what the seat does); the board status each should show
ROOM = [
    ("unknown", "nothing", "not_logged_in"),
    ("absent", "nothing", "absent"),
    ("present", "login", "awaiting_admission"),
    ("present", "admitted", "waiting"),
    ("late", "working", "in_progress"),
    ("unknown", "working", "in_progress"),  # sat, attendance never recorded
    ("present", "paused", "paused"),
    ("present", "silent", "disconnected"),
    ("present", "submitted", "submitted"),
    ("present", "ended", "ended"),
    ("absent", "working", "in_progress"),  # recorded absent, yet someone sits there
]


def _person(db: Session, nip: str) -> Participant:
    return db.scalars(select(Participant).where(Participant.nip == nip)).one()


def build_room(db: Session, tmp_path: Path) -> dict[str, object]:
    exam = open_exam(db, tmp_path, people=len(ROOM), require_admission=True)
    ids = []
    for nip, (attendance, does, _) in zip(exam.nips, ROOM, strict=True):
        person = _person(db, nip)
        ids.append(str(person.id))
        seat = service.seat_of(db, person)
        if attendance != "unknown":
            service.check_in(db, ALICE, exam.session, person, attendance, True, None, seat.version)
        if does == "nothing":
            continue
        taker, _ = delivery.login(db, nip, exam.token, None)
        if does == "login":
            continue
        service.admit(db, ALICE, exam.session, person)
        if does == "admitted":
            continue
        attempt = delivery.start(db, taker)
        if does == "paused":
            service.pause_seat(db, ALICE, exam.session, person, "ke toilet")
        elif does == "silent":
            attempt.last_seen_at = clock.now() - timedelta(minutes=2)
        elif does == "submitted":
            delivery.submit(db, taker)
        elif does == "ended":
            service.end_attempt(db, ALICE, exam.session, person, "sakit")
    create_user(db, "admin", "kata-sandi-uji-1", "admin", "Admin")
    _, token = log_in(db, "admin", "kata-sandi-uji-1", "127.0.0.1")
    db.flush()
    return {"session_id": str(exam.session.id), "ids": ids, "token": token}


@pytest.fixture
def room(use_database: str, tmp_path: Path) -> dict[str, object]:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        built = build_room(db, tmp_path)
    engine.dispose()
    built["url"] = use_database
    return built


@pytest.fixture
def client(use_database: str, room: dict[str, object]):
    with TestClient(create_app(), follow_redirects=False) as c:
        c.cookies.set("proasn_csrf", CSRF)
        c.cookies.set("proasn_staff", str(room["token"]))
        yield c


def counts(html: str) -> dict[str, int]:
    found = re.findall(r'data-count="(\w+)">(\d+)<', html)
    return {name: int(n) for name, n in found}


EXPECTED = {"registered": 11, "present": 7, "late": 1, "absent": 2, "unrecorded": 2}


def test_board_attendance_list_and_report_count_attendance_alike(client, room) -> None:
    s = room["session_id"]
    board_page = client.get(f"/pengawas/sesi/{s}").text
    attendance_page = client.get(f"/pengawas/sesi/{s}/daftar-hadir").text
    report_page = client.get(f"/pengawas/sesi/{s}/berita-acara").text
    assert counts(board_page) == EXPECTED
    statuses = {k: int(n) for k, n in re.findall(r'data-status="(\w+)">(\d+)<', board_page)}
    assert sum(statuses.values()) == EXPECTED["registered"]  # every seat in one status
    assert statuses["ended"] == statuses["submitted"] == statuses["absent"] == 1
    assert counts(attendance_page) == EXPECTED
    assert counts(report_page) == EXPECTED
    # the report's lists hold exactly the recorded absentees and the unrecorded seats
    absentees = report_page.split('id="absentees"')[1].split("</ul>")[0]
    unrecorded = report_page.split('id="unrecorded"')[1].split("</ul>")[0]
    assert absentees.count("<li>") == 2 and unrecorded.count("<li>") == 2


def test_every_status_is_in_the_room_totals(room) -> None:
    engine = make_engine(str(room["url"]))
    with Session(engine) as db:
        board = build_board(db, uuid.UUID(str(room["session_id"])))
    engine.dispose()
    by_id = {str(r.participant_id): r for r in board.rows}
    statuses = [by_id[i].status for i in room["ids"]]
    assert statuses == [expected for _, _, expected in ROOM]
    expected_totals = {k: 0 for k in board_module.STATUS_LABELS}
    for _, _, status in ROOM:
        expected_totals[status] += 1
    assert {k: v for k, v in board.totals.items() if k != "all"} == expected_totals
    assert board.attendance.late == 1 and board.attendance.unrecorded_signed_in == 1
    assert board.attendance.absent_signed_in == 1


def test_the_board_stays_quiet_where_nothing_needs_doing(room) -> None:
    engine = make_engine(str(room["url"]))
    with Session(engine) as db:
        board = build_board(db, uuid.UUID(str(room["session_id"])))
    engine.dispose()
    rows = [{str(r.participant_id): r for r in board.rows}[i] for i in room["ids"]]
    alerted = {n: r.alerts for n, r in enumerate(rows) if r.alerts}
    # only the seat recorded absent that is nonetheless sitting the test asks for action
    assert alerted == {10: [board_module.ALERT_ABSENT_SIGNED_IN]}
    # finished seats no longer count "since last contact"; live ones do
    assert rows[8].seen_age_seconds is None and rows[9].seen_age_seconds is None
    live_age = rows[7].seen_age_seconds
    assert rows[4].seen_age_seconds is not None and live_age is not None and live_age >= 120


def _audit(url: str, action: str) -> list[AuditEntry]:
    engine = make_engine(url)
    with Session(engine) as db:
        entries = list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    engine.dispose()
    return entries


def _flash(response) -> str:
    return unquote(response.cookies.get("proasn_flash", ""))


def test_bulk_end_with_one_reason_names_the_seats_it_refused(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    picked = [ids[4], ids[5], ids[0]]  # two working, one never logged in
    form = {
        "csrf_token": CSRF,
        "action": "end",
        "reason": "listrik padam",
        "participant_id": picked,
    }
    unconfirmed = client.post(f"/pengawas/sesi/{s}/massal", data=form)
    assert unconfirmed.status_code == 303 and _flash(unconfirmed).startswith("!")
    before = len(_audit(str(room["url"]), "attempt.end"))
    done = client.post(f"/pengawas/sesi/{s}/massal", data={**form, "confirm": "true"})
    message = _flash(done)
    assert "Tes diakhiri dan dikumpulkan: 2 peserta" in message and "ditolak: 1" in message
    assert "peserta belum memulai tes" in message and not message.startswith("!")
    ended = _audit(str(room["url"]), "attempt.end")[before:]
    assert len(ended) == 2 and {e.reason for e in ended} == {"listrik padam"}
    engine = make_engine(str(room["url"]))
    with Session(engine) as db:
        statuses = {
            str(a.participant_id): (a.status, a.submitted_by) for a in db.scalars(select(Attempt))
        }
    engine.dispose()
    assert statuses[ids[4]] == statuses[ids[5]] == ("submitted", "proctor")


def test_bulk_reset_and_admit_audit_each_seat(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    form = {"csrf_token": CSRF, "reason": "pindah ruang", "participant_id": [ids[2], ids[3]]}
    admitted = client.post(f"/pengawas/sesi/{s}/massal", data={**form, "action": "admit"})
    assert "Diizinkan: 1 peserta" in _flash(admitted) and "tidak berubah: 1" in _flash(admitted)
    assert [e.reason for e in _audit(str(room["url"]), "seat.admit")][-1] == "pindah ruang"
    reset = client.post(f"/pengawas/sesi/{s}/massal", data={**form, "action": "reset_login"})
    assert "Login dibebaskan: 2 peserta" in _flash(reset)
    resets = _audit(str(room["url"]), "seat.reset_login")
    assert len(resets) == 2 and {e.reason for e in resets} == {"pindah ruang"}


@pytest.mark.parametrize(
    ("form", "why"),
    [
        ({"action": "end", "confirm": "true"}, "alasan wajib diisi"),
        ({"action": "explode", "reason": "x"}, "pilih tindakan"),
        ({"action": "admit", "reason": "x", "participant_id": []}, "pilih dulu peserta"),
    ],
)
def test_bulk_refusals_change_nothing(client, room, form, why) -> None:
    s, ids = room["session_id"], room["ids"]
    data = {"csrf_token": CSRF, "participant_id": [ids[4]], **form}
    response = client.post(f"/pengawas/sesi/{s}/massal", data=data)
    assert _flash(response).startswith("!") and why in _flash(response)
    assert [e.reason for e in _audit(str(room["url"]), "attempt.end")] == ["sakit"]  # set-up's


def test_bulk_refuses_a_seat_of_another_room(client, room) -> None:
    import uuid

    s = room["session_id"]
    data = {
        "csrf_token": CSRF,
        "action": "admit",
        "reason": "x",
        "participant_id": [str(uuid.uuid4())],
    }
    response = client.post(f"/pengawas/sesi/{s}/massal", data=data)
    assert "peserta tidak terdaftar di sesi ini" in _flash(response)


def test_bulk_needs_a_csrf_token(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    data = {"action": "end", "reason": "x", "confirm": "true", "participant_id": [ids[4]]}
    assert client.post(f"/pengawas/sesi/{s}/massal", data=data).status_code == 403


def test_the_board_says_its_refusals_in_english_on_an_english_page(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    client.cookies.set("lang", "en")
    refused = client.post(f"/pengawas/sesi/{s}/tutup", data={"csrf_token": CSRF})
    assert _flash(refused) == "!Tick the confirmation to close the session"
    form = {
        "csrf_token": CSRF,
        "action": "end",
        "reason": "power cut",
        "participant_id": [ids[4], ids[5], ids[0]],
        "confirm": "true",
    }
    message = _flash(client.post(f"/pengawas/sesi/{s}/massal", data=form))
    assert "Tests ended and submitted: 2" in message and "refused: 1" in message
    assert "The taker has not started the test" in message and "peserta" not in message


def test_closing_a_session_asks_for_confirmation(client, room) -> None:
    """A closed session cannot be opened again (issue 22: irreversible actions ask first)."""
    s = room["session_id"]
    refused = client.post(f"/pengawas/sesi/{s}/tutup", data={"csrf_token": CSRF})
    assert _flash(refused).startswith("!") and "konfirmasi" in _flash(refused)
    assert _audit(str(room["url"]), "session.close") == []


def test_a_finished_seat_offers_only_the_check_in(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    finished = client.get(f"/pengawas/sesi/{s}/peserta/{ids[8]}").text
    for form in ("/jeda", "/tambah-waktu", "/akhiri", "/reset-login", "/izinkan"):
        assert f'{ids[8]}{form}"' not in finished
    assert f'{ids[8]}/hadir"' in finished
    working = client.get(f"/pengawas/sesi/{s}/peserta/{ids[4]}").text
    assert f'{ids[4]}/jeda"' in working and f'{ids[4]}/akhiri"' in working
    assert f'{ids[4]}/lanjut"' not in working  # not paused


# --- issue 19 (proctor console): pause, resume and extra time for the selected seats --------


def test_bulk_pause_resume_and_extra_time_audit_each_seat_as_the_seat_page_does(
    client, room
) -> None:
    s, ids = room["session_id"], room["ids"]
    url = str(room["url"])
    form = {"csrf_token": CSRF, "reason": "listrik padam"}
    # two working, one already paused, one never logged in
    picked = [ids[4], ids[5], ids[6], ids[0]]
    before = len(_audit(url, "attempt.pause"))
    paused = _flash(
        client.post(
            f"/pengawas/sesi/{s}/massal",
            data={**form, "action": "pause", "participant_id": picked},
        )
    )
    assert not paused.startswith("!") and "Dijeda: 2 peserta" in paused
    assert "tidak berubah: 1" in paused and "ditolak: 1" in paused
    assert "peserta belum memulai tes" in paused
    pauses = _audit(url, "attempt.pause")[before:]
    assert sorted(str(e.target_id) for e in pauses) == sorted([ids[4], ids[5]])
    assert {e.reason for e in pauses} == {"listrik padam"}
    assert all(e.details.get("paused_at") for e in pauses)  # as the seat page's pause

    resumed = _flash(
        client.post(
            f"/pengawas/sesi/{s}/massal",
            data={**form, "action": "resume", "participant_id": picked[:3]},
        )
    )
    assert "Dilanjutkan: 3 peserta" in resumed
    resumes = _audit(url, "attempt.resume")
    assert len(resumes) == 3 and all("credited_seconds" in e.details for e in resumes)

    deadlines = _deadlines(url)
    more = {**form, "action": "extra_time", "minutes": "10", "participant_id": [ids[4], ids[8]]}
    added = _flash(client.post(f"/pengawas/sesi/{s}/massal", data=more))
    assert "Waktu ditambah 10 menit: 1 peserta" in added and "ditolak: 1" in added
    assert _deadlines(url)[ids[4]] - deadlines[ids[4]] == timedelta(minutes=10)
    assert _deadlines(url)[ids[8]] == deadlines[ids[8]]  # finished: untouched
    extra = _audit(url, "attempt.extra_time")
    assert [(str(e.target_id), e.details["minutes"], e.reason) for e in extra] == [
        (ids[4], 10, "listrik padam")
    ]


def _deadlines(url: str) -> dict[str, datetime]:
    engine = make_engine(url)
    with Session(engine) as db:
        found = {str(a.participant_id): a.deadline_at for a in db.scalars(select(Attempt))}
    engine.dispose()
    return found


@pytest.mark.parametrize("minutes", ["", "0", "241", "lima"])
def test_bulk_extra_time_refuses_bad_minutes_once_and_changes_nothing(
    client, room, minutes
) -> None:
    s, ids = room["session_id"], room["ids"]
    data = {
        "csrf_token": CSRF,
        "action": "extra_time",
        "reason": "x",
        "minutes": minutes,
        "participant_id": [ids[4], ids[5]],
    }
    message = _flash(client.post(f"/pengawas/sesi/{s}/massal", data=data))
    assert message.startswith("!") and message.count("1-240") == 1
    assert _audit(str(room["url"]), "attempt.extra_time") == []


def test_bulk_pause_needs_a_reason_and_says_its_outcome_in_english(client, room) -> None:
    s, ids = room["session_id"], room["ids"]
    data = {"csrf_token": CSRF, "action": "pause", "participant_id": [ids[4]]}
    refused = _flash(client.post(f"/pengawas/sesi/{s}/massal", data=data))
    assert refused.startswith("!") and "alasan wajib diisi" in refused
    client.cookies.set("lang", "en")
    done = _flash(client.post(f"/pengawas/sesi/{s}/massal", data={**data, "reason": "power"}))
    assert done.startswith("Paused: 1")


def test_a_paused_seat_offers_one_way_on_and_admission_only_when_awaited(client, room) -> None:
    """Admission lets a logged-in taker past the waiting page; only "Akhiri jeda" restarts a
    paused clock: the seat page no longer shows two "continue" buttons for a paused seat."""
    s, ids = room["session_id"], room["ids"]
    paused = client.get(f"/pengawas/sesi/{s}/peserta/{ids[6]}").text
    assert f'{ids[6]}/lanjut"' in paused and "Akhiri jeda" in paused
    assert f'{ids[6]}/izinkan"' not in paused and "Izinkan" not in paused
    awaiting = client.get(f"/pengawas/sesi/{s}/peserta/{ids[2]}").text
    assert f'{ids[2]}/izinkan"' in awaiting and "Izinkan masuk setelah login" in awaiting
    admitted = client.get(f"/pengawas/sesi/{s}/peserta/{ids[3]}").text
    assert f'{ids[3]}/izinkan"' not in admitted  # already admitted: nothing to do
    client.cookies.set("lang", "en")
    english = client.get(f"/pengawas/sesi/{s}/peserta/{ids[6]}").text
    assert "End the pause" in english and "Admit" not in english


def _left_window_at(url: str, participant_id: str, at) -> None:
    engine = make_engine(url)
    with transaction(make_sessionmaker(engine)) as db:
        attempt = db.scalars(
            select(Attempt).where(Attempt.participant_id == uuid.UUID(participant_id))
        ).one()
        attempt.left_window_count, attempt.left_window_seconds = 2, 14
        attempt.left_window_at = at
    engine.dispose()


def test_the_seat_page_says_pukul_only_before_a_time(client, room) -> None:
    """Today: "pukul 02:44 WITA"; another day: the day in words, never "pukul 2026-12-04"."""
    s, ids, url = room["session_id"], room["ids"], str(room["url"])
    engine = make_engine(url)
    with Session(engine) as db:
        zone = db.get_one(ExamSession, uuid.UUID(str(s))).time_zone
    engine.dispose()
    now, abbreviation = clock.now(), ABBREVIATIONS[zone]
    _left_window_at(url, ids[4], now)
    page = client.get(f"/pengawas/sesi/{s}/peserta/{ids[4]}").text
    hhmm = now.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    assert f"Laporan terakhir pukul {hhmm} {abbreviation}." in page
    assert re.search(r"pukul \d{4}-", page) is None

    earlier = now - timedelta(days=3)
    _left_window_at(url, ids[4], earlier)
    page = client.get(f"/pengawas/sesi/{s}/peserta/{ids[4]}").text
    local = earlier.astimezone(ZoneInfo(zone))
    day = format_date(local.date(), "EEEE, d MMMM y", locale="id")
    assert f"Laporan terakhir pada {day}, {local:%H:%M} {abbreviation}." in page
    assert "pukul" not in page.split('id="left-window"')[1].split("</p>")[0]
    client.cookies.set("lang", "en")
    english = client.get(f"/pengawas/sesi/{s}/peserta/{ids[4]}").text
    day = format_date(local.date(), "EEEE, d MMMM y", locale="en")
    assert f"Last reported on {day}, {local:%H:%M} {abbreviation}." in english
