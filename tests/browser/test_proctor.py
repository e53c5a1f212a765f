"""A proctor and a taker in two browser contexts: the proctor watches the board update,
pauses, resumes, adds time and resets the login; the taker sees each effect."""

import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.accounts.models import StaffUser
from app.accounts.service import create_user
from app.db import make_engine
from app.proctoring.assignments import assign_proctor
from app.proctoring.models import ProctorAssignment
from tests.browser.test_taker import log_in_and_start, ready, wait_saved
from tests.delivery.factories import open_exam

PASSWORD = "kata-sandi-pengawas"


def proctor_login(page: Page, session_id: str) -> None:
    page.goto(f"/staf/masuk?next=/pengawas/sesi/{session_id}")
    page.fill("#username", "pengawas1")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Sesi S1")


def seat_row(page: Page):
    return page.locator("#board-rows tr").first


def act_on_seat(page: Page, session_id: str, participant_id: str, form: str, **fields: str) -> None:
    page.goto(f"/pengawas/sesi/{session_id}/peserta/{participant_id}")
    selector = f'form[action$="/{form}"]'
    for name, value in fields.items():
        page.fill(f"{selector} [name={name}]", value)
    page.click(f"{selector} button")
    expect(page.locator(".flash")).to_be_visible()


def clock_seconds(page: Page) -> int:
    parts = [int(x) for x in page.locator("#clock").inner_text().split(":")]
    return sum(v * 60**i for i, v in enumerate(reversed(parts)))


def test_proctor_controls_a_taker_live(live_server, new_page, tmp_path: Path) -> None:
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        create_user(db, "pengawas1", PASSWORD, "proctor", "Pengawas Satu")
        assign_proctor(db, "pengawas1", exam.event.code, "S1")
        from app.exams.repository import participants_in_session

        [person] = participants_in_session(db, exam.session.id)
        return exam.nips[0], exam.token, str(exam.session.id), str(person.id)

    server, (nip, token, session_id, participant_id) = live_server(seed)
    proctor = new_page(server.url)
    proctor_login(proctor, session_id)
    expect(seat_row(proctor)).to_contain_text("belum login")

    taker = new_page(server.url)
    log_in_and_start(taker, nip, token)
    taker.keyboard.press("b")
    wait_saved(taker)
    # The board updates by itself (poll every 3 s).
    expect(seat_row(proctor)).to_contain_text("mengerjakan", timeout=8000)
    expect(seat_row(proctor)).to_contain_text("1 / 5", timeout=8000)

    act_on_seat(proctor, session_id, participant_id, "jeda", reason="peserta ke toilet")
    expect(taker.locator("#paused")).to_be_visible(timeout=8000)
    taker.wait_for_timeout(600)
    frozen_at = clock_seconds(taker)
    taker.wait_for_timeout(2500)
    assert clock_seconds(taker) == frozen_at  # the clock stands still while paused
    expect(taker.locator("#item input[type=radio]").first).to_be_disabled()

    act_on_seat(proctor, session_id, participant_id, "lanjut", reason="kembali")
    expect(taker.locator("#paused")).to_be_hidden(timeout=8000)
    assert abs(clock_seconds(taker) - frozen_at) <= 2

    act_on_seat(
        proctor, session_id, participant_id, "tambah-waktu", minutes="10", reason="gangguan PC"
    )
    expect(taker.locator("#clock")).to_have_text(re.compile(r"^1:0\d:\d\d$"), timeout=8000)

    act_on_seat(
        proctor, session_id, participant_id, "reset-login", reason="pindah PC", pc_number="PC-12"
    )
    expect(taker.locator("#warning")).to_contain_text("Anda telah keluar", timeout=8000)

    other_pc = new_page(server.url)
    other_pc.goto("/ujian")
    other_pc.fill("#nip", nip)
    other_pc.fill("#token", token)
    other_pc.click("button[type=submit]")
    expect(other_pc).to_have_url(re.compile(r"/ujian/soal/1$"))
    ready(other_pc)
    expect(other_pc.locator("#item input[type=radio]").nth(1)).to_be_checked()
    assert clock_seconds(other_pc) > 60 * 60  # the extra time came along

    proctor.goto(f"/pengawas/sesi/{session_id}")
    expect(seat_row(proctor)).to_contain_text("PC-12")
    report = proctor.goto(f"/pengawas/sesi/{session_id}/berita-acara")
    assert report is not None
    for text in ("jeda peserta", "peserta ke toilet", "tambahan waktu", "login dibebaskan"):
        expect(proctor.locator("body")).to_contain_text(text)


def test_bulk_end_keeps_ticks_across_polls_and_pages_pass_axe(
    live_server, new_page, tmp_path: Path
) -> None:
    """Tick two working seats, let a poll swap one of them (the tick survives), end both
    with one reason; the board, attendance list and berita acara have no serious axe
    violation."""
    from app.audit.service import Actor
    from app.db import make_engine
    from app.exams.models import ExamSession, Participant
    from app.proctoring import service
    from tests.browser.axe import axe_serious
    from tests.proctoring.test_attendance import build_room

    server, room = live_server(lambda db: build_room(db, tmp_path))
    s, ids = room["session_id"], room["ids"]
    page = new_page(server.url, bypass_csp=True)  # only to inject axe-core
    page.goto(f"/staf/masuk?next=/pengawas/sesi/{s}")
    page.fill("#username", "admin")
    page.fill("#password", "kata-sandi-uji-1")
    page.click("button[type=submit]")
    expect(page.locator("#board-totals")).to_be_visible()
    assert axe_serious(page) == []
    for n in (4, 5):
        page.check(f"#seat-{ids[n]} input.pick")

    engine = make_engine(server.database_url)  # another proctor records seat 4's PC
    with Session(engine) as db, db.begin():
        exam_session = db.get(ExamSession, uuid.UUID(s))
        person = db.get(Participant, uuid.UUID(ids[4]))
        assert exam_session is not None and person is not None
        seat = service.seat_of(db, person)
        actor = Actor(None, "pengawas-b", "proctor")
        service.check_in(db, actor, exam_session, person, "late", True, "PC-09", seat.version)
    engine.dispose()
    expect(page.locator(f"#seat-{ids[4]}")).to_contain_text("PC-09", timeout=8000)
    expect(page.locator(f"#seat-{ids[4]} input.pick")).to_be_checked()

    page.select_option("#bulk-action", "end")
    page.fill("#bulk-reason", "listrik padam")
    page.check("#bulk-form input[name=confirm]")
    page.click("#bulk-form button")
    expect(page.locator(".flash")).to_contain_text("Tes diakhiri dan dikumpulkan: 2 peserta")
    for n in (4, 5):
        expect(page.locator(f"#seat-{ids[n]}")).to_contain_text("diakhiri pengawas")
    page.goto(f"/pengawas/sesi/{s}/daftar-hadir")
    assert axe_serious(page) == []
    page.goto(f"/pengawas/sesi/{s}/berita-acara")
    expect(page.locator("h1")).to_contain_text("Berita acara")
    assert axe_serious(page) == []


# --- issue 19: a pause shows at once, messages are never stale ------------------------------


def _room(tmp_path: Path, people: int = 1):
    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=people, total_minutes=60)
        create_user(db, "pengawas1", PASSWORD, "proctor", "Pengawas Satu")
        assign_proctor(db, "pengawas1", exam.event.code, "S1")
        from app.exams.repository import participants_in_session

        people_ids = [str(p.id) for p in participants_in_session(db, exam.session.id)]
        return exam.nips, exam.token, str(exam.session.id), people_ids

    return seed


def _as_proctor(server, session_id: str, participant_id: str, action: str) -> None:
    """A proctor's action on the seat, committed when this returns (as the console does)."""
    from app.audit.service import Actor
    from app.db import make_engine
    from app.exams.models import ExamSession, Participant
    from app.proctoring import service

    engine = make_engine(server.database_url)
    with Session(engine) as db, db.begin():
        room = db.get_one(ExamSession, uuid.UUID(session_id))
        person = db.get_one(Participant, uuid.UUID(participant_id))
        act = service.pause_seat if action == "pause" else service.resume_seat
        assert act(db, Actor(None, "pengawas1", "proctor"), room, person, "uji").changed
    engine.dispose()


def test_a_pause_stops_an_active_pages_clock_within_two_seconds(
    live_server, new_page, tmp_path: Path
) -> None:
    """No heartbeat within the test: only the pushed signal can tell the page."""
    server, (nips, token, session_id, (person,)) = live_server(
        _room(tmp_path), heartbeat_seconds=120
    )
    taker = new_page(server.url)
    log_in_and_start(taker, nips[0], token)
    taker.keyboard.press("b")
    wait_saved(taker)
    taker.wait_for_timeout(500)  # the page's signal stream is open

    _as_proctor(server, session_id, person, "pause")
    expect(taker.locator("#paused")).to_be_visible(timeout=2000)
    frozen_at = clock_seconds(taker)
    taker.wait_for_timeout(2200)
    assert clock_seconds(taker) == frozen_at  # stopped, not counting on
    expect(taker.locator("#item input[type=radio]").first).to_be_disabled()

    _as_proctor(server, session_id, person, "resume")
    expect(taker.locator("#paused")).to_be_hidden(timeout=2000)
    assert abs(clock_seconds(taker) - frozen_at) <= 2
    taker.wait_for_timeout(1500)
    assert clock_seconds(taker) < frozen_at  # counting again


def test_a_save_refused_for_a_pause_shows_the_pause_not_the_network(
    live_server, new_page, tmp_path: Path
) -> None:
    """The page has not heard of the pause (its stream cut, no heartbeat due): its next
    answer is refused with 423 and the page shows the pause at once; the answer waits for
    the resume, never "waiting for the network"."""
    server, (nips, token, session_id, (person,)) = live_server(
        _room(tmp_path), heartbeat_seconds=120
    )
    taker = new_page(server.url)
    taker.route("**/api/v1/taker/signals*", lambda route: route.abort())
    log_in_and_start(taker, nips[0], token)
    taker.keyboard.press("b")
    wait_saved(taker)

    _as_proctor(server, session_id, person, "pause")
    taker.wait_for_timeout(1500)
    expect(taker.locator("#paused")).to_be_hidden()  # it cannot know yet
    taker.keyboard.press("c")
    expect(taker.locator("#paused")).to_be_visible(timeout=1500)
    status = taker.locator("#save-status")
    expect(status).to_have_attribute("data-state", "paused")
    expect(status).to_contain_text("dijeda")
    expect(status).not_to_contain_text("jaringan")
    taker.wait_for_timeout(500)  # the heartbeat it sent brings the server's stopped clock
    frozen_at = clock_seconds(taker)
    taker.wait_for_timeout(2200)
    assert clock_seconds(taker) == frozen_at

    taker.unroute("**/api/v1/taker/signals*")  # the stream reconnects by itself
    taker.wait_for_timeout(3500)
    _as_proctor(server, session_id, person, "resume")
    expect(taker.locator("#paused")).to_be_hidden(timeout=3000)
    wait_saved(taker)  # the held answer went through after the resume
    expect(taker.locator("#item input[type=radio]").nth(2)).to_be_checked()


def _send_message(proctor: Page, session_id: str, text: str, minutes: str | None = None) -> None:
    proctor.goto(f"/pengawas/sesi/{session_id}")
    form = f'form[action$="/{session_id}/pesan"]'
    proctor.fill(f"{form} [name=message]", text)
    if minutes is not None:
        proctor.fill(f"{form} [name=minutes]", minutes)
    proctor.click(f"{form} button")
    expect(proctor.locator(".flash")).to_contain_text("pesan dikirim")


def test_a_message_shows_its_time_can_be_closed_expires_and_skips_late_starters(
    live_server, new_page, tmp_path: Path
) -> None:
    server, (nips, token, session_id, _) = live_server(
        _room(tmp_path, people=2), heartbeat_seconds=120
    )
    proctor = new_page(server.url)
    proctor_login(proctor, session_id)
    expect(proctor.locator('[name=minutes][id="message-minutes"]')).to_have_value("5")
    early = new_page(server.url)
    log_in_and_start(early, nips[0], token)
    early.wait_for_timeout(500)

    _send_message(proctor, session_id, "Harap tenang, ruang sebelah ujian")
    box = early.locator("#broadcast")
    expect(box).to_be_visible(timeout=2000)  # pushed, not at the next heartbeat
    expect(box).to_contain_text("Harap tenang")
    expect(early.locator("#broadcast-time")).to_have_text(re.compile(r"^\d\d:\d\d WITA?$"))
    early.click("#broadcast-close")
    expect(box).to_be_hidden()
    early.keyboard.press("b")  # a save's reply carries the message again: it stays closed
    wait_saved(early)
    expect(box).to_be_hidden()

    _send_message(proctor, session_id, "Sisa waktu 20 menit", minutes="1")
    expect(early.locator("#broadcast-text")).to_have_text("Sisa waktu 20 menit", timeout=2000)
    server.shift_clock(55)  # the server's clock: 5 s of the minute left
    early.keyboard.press("c")
    wait_saved(early)
    expect(box).to_be_visible()
    expect(box).to_be_hidden(timeout=8000)  # the page counts its 5 s down by itself
    early.keyboard.press("d")
    wait_saved(early)
    expect(box).to_be_hidden()  # and the server no longer sends it

    _send_message(proctor, session_id, "Pesan sebelum peserta kedua mulai", minutes="30")
    expect(early.locator("#broadcast-text")).to_contain_text("sebelum", timeout=2000)
    late = new_page(server.url)
    log_in_and_start(late, nips[1], token)
    late.keyboard.press("b")
    wait_saved(late)
    late.wait_for_timeout(1000)
    expect(late.locator("#broadcast")).to_be_hidden()  # sent before this taker began


# --- issue 19 (proctor console): pause, end the pause, add time for the selected seats ------


def test_bulk_pause_add_time_and_resume_reach_the_takers_pages(
    live_server, new_page, tmp_path: Path
) -> None:
    """Two working seats ticked on the board: one pause, one extra time, one end of the pause,
    each with one reason; the open test page shows each within seconds."""

    def seed(db: Session):
        from app.delivery import service as delivery

        nips, token, session_id, people = _room(tmp_path, people=2)(db)
        taker, _ = delivery.login(db, nips[1], token, None)  # the second seat works elsewhere
        delivery.start(db, taker)
        return nips, token, session_id, people

    server, (nips, token, session_id, people) = live_server(seed)
    taker = new_page(server.url)
    log_in_and_start(taker, nips[0], token)
    taker.keyboard.press("b")
    wait_saved(taker)
    proctor = new_page(server.url)
    proctor_login(proctor, session_id)

    def bulk(action: str, reason: str, flash: str, minutes: str = "") -> None:
        for person in people:
            proctor.check(f"#seat-{person} input.pick")
        proctor.select_option("#bulk-action", action)
        proctor.fill("#bulk-reason", reason)
        if minutes:
            proctor.fill("#bulk-minutes", minutes)
        proctor.click("#bulk-form button")
        expect(proctor.locator(".flash")).to_contain_text(flash)

    expect(proctor.locator("#bulk-action option[value=pause]")).to_have_text("Jeda")
    bulk("pause", "listrik padam", "Dijeda: 2 peserta")
    for person in people:
        expect(proctor.locator(f"#seat-{person}")).to_contain_text("dijeda")
    expect(taker.locator("#paused")).to_be_visible(timeout=4000)
    taker.wait_for_timeout(600)
    frozen_at = clock_seconds(taker)

    bulk("extra_time", "listrik padam", "Waktu ditambah 10 menit: 2 peserta", minutes="10")
    bulk("resume", "listrik menyala", "Dilanjutkan: 2 peserta")
    expect(taker.locator("#paused")).to_be_hidden(timeout=4000)
    expect(taker.locator("#clock")).to_have_text(re.compile(r"^1:0\d:\d\d$"), timeout=4000)
    assert abs(clock_seconds(taker) - (frozen_at + 600)) <= 3
    for person in people:
        expect(proctor.locator(f"#seat-{person}")).to_contain_text("+10 menit")


def test_a_board_whose_login_ended_or_room_was_taken_stops_and_says_so(
    live_server, new_page, tmp_path: Path
) -> None:
    """After "Keluar" in another tab (or the room given to someone else) the board went on
    looking live: its polls were sent to the login page and ignored, its rows stayed as
    they were while the remaining times and "since last contact" went on counting."""

    def seed(db: Session):
        exam = open_exam(db, tmp_path, people=1, total_minutes=60)
        for name in ("pengawas1", "pengawas2"):
            create_user(db, name, PASSWORD, "proctor", name)
            assign_proctor(db, name, exam.event.code, "S1")
        return exam.nips[0], exam.token, str(exam.session.id)

    server, (nip, token, session_id) = live_server(seed)
    first = new_page(server.url)
    proctor_login(first, session_id)
    second = new_page(server.url)
    second.goto(f"/staf/masuk?next=/pengawas/sesi/{session_id}")
    second.fill("#username", "pengawas2")
    second.fill("#password", PASSWORD)
    second.click("button[type=submit]")
    expect(second.locator("h1")).to_contain_text("Sesi S1")
    for board in (first, second):
        expect(board.locator("#board-ended-login")).to_be_hidden()
        expect(board.locator("#board-ended-forbidden")).to_be_hidden()

    # The first proctor logs out in another tab; the second loses the room.
    other_tab = first.context.new_page()
    other_tab.goto(f"/pengawas/sesi/{session_id}")
    other_tab.click("form[action='/staf/keluar'] button")
    engine = make_engine(server.database_url)
    with engine.begin() as connection:
        connection.execute(
            delete(ProctorAssignment).where(
                ProctorAssignment.user_id.in_(
                    select(StaffUser.id).where(StaffUser.username == "pengawas2")
                )
            )
        )
    engine.dispose()

    ended = first.locator("#board-ended-login")
    expect(ended).to_be_visible(timeout=8000)
    expect(ended).to_contain_text("Login Anda telah berakhir")
    again = ended.locator("a")
    assert again.get_attribute("href") == f"/staf/masuk?next=/pengawas/sesi/{session_id}"
    taken = second.locator("#board-ended-forbidden")
    expect(taken).to_be_visible(timeout=8000)
    expect(taken).to_contain_text("tidak lagi dalam pengawasan Anda")

    # A taker starts now: neither board shows it, and neither pretends to be live.
    taker = new_page(server.url)
    log_in_and_start(taker, nip, token)
    first.wait_for_timeout(3500)
    for board in (first, second):
        expect(seat_row(board)).to_contain_text("belum login")
        expect(board.locator("#board.board-ended")).to_have_count(1)

    # Logging in again from the note brings the live board back.
    again.click()
    first.fill("#username", "pengawas1")
    first.fill("#password", PASSWORD)
    first.click("button[type=submit]")
    expect(first.locator("h1")).to_contain_text("Sesi S1")
    expect(seat_row(first)).to_contain_text("mengerjakan", timeout=8000)
    expect(first.locator("#board-ended-login")).to_be_hidden()
