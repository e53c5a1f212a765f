"""Room control through the service layer, and its effect on the taker's side."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.audit.service import Actor
from app.delivery import errors
from app.delivery import service as delivery
from app.delivery.views import state_view
from app.kit.clock import FrozenClock, use_clock
from app.proctoring import service
from app.proctoring.board import build_board
from app.proctoring.models import AttemptPause
from tests.delivery.factories import OpenExam, open_exam
from tests.statements import recorded

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # session S1 starts 00:00 UTC (08:00 WITA)
ALICE = Actor(None, "pengawas-a", "proctor")
BUDI = Actor(None, "pengawas-b", "proctor")


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path, people=3, section_limits=(20, None))


def taker_started(db: Session, exam: OpenExam, n: int = 0):
    taker, _ = delivery.login(db, exam.nips[n], exam.token, None)
    return taker, delivery.start(db, taker)


def remaining(db: Session, taker, attempt) -> tuple[int | None, int | None]:
    view = state_view(db, taker, attempt)
    return view.remaining_seconds, view.section_remaining_seconds


def first_option(db: Session, taker) -> str:
    _, ref, _ = delivery.open_item(db, taker, 1)
    return ref.option_order[0]


def test_pause_blocks_answering_and_freezes_the_clock(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = taker_started(db_session, exam)
    option = first_option(db_session, taker)
    frozen.advance(minutes=3)
    before = remaining(db_session, taker, attempt)
    assert before == (57 * 60, 17 * 60)
    assert service.pause_seat(db_session, ALICE, exam.session, taker.participant, "sakit").changed
    frozen.advance(minutes=7)
    assert remaining(db_session, taker, attempt) == before  # frozen while paused
    with pytest.raises(errors.AttemptPaused):
        delivery.save_answer(db_session, taker, 1, option, False, seq=1)
    with pytest.raises(errors.AttemptPaused):
        delivery.submit(db_session, taker)
    outcome = service.resume_seat(db_session, ALICE, exam.session, taker.participant, "pulih")
    assert "420 detik" in outcome.message
    assert remaining(db_session, taker, attempt) == before  # same remaining time after resume
    frozen.advance(minutes=1)
    assert remaining(db_session, taker, attempt) == (56 * 60, 16 * 60)
    delivery.save_answer(db_session, taker, 1, option, False, seq=2)


def test_a_paused_attempt_is_not_submitted_when_its_deadline_passes(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = taker_started(db_session, exam)
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "listrik")
    frozen.advance(hours=2)
    assert delivery.submit_expired(db_session) == 0
    assert attempt.status == "in_progress"
    service.resume_seat(db_session, ALICE, exam.session, taker.participant, "listrik kembali")
    assert remaining(db_session, taker, attempt)[0] == 3600


def test_pause_and_resume_are_idempotent_for_two_proctors(
    db_session: Session, exam: OpenExam
) -> None:
    taker, _ = taker_started(db_session, exam)
    assert service.pause_seat(db_session, ALICE, exam.session, taker.participant, "a").changed
    second = service.pause_seat(db_session, BUDI, exam.session, taker.participant, "b")
    assert (second.changed, second.message) == (False, "tes peserta ini sudah dijeda")
    assert service.resume_seat(db_session, BUDI, exam.session, taker.participant, "c").changed
    assert not service.resume_seat(db_session, ALICE, exam.session, taker.participant, "d").changed
    pauses = list(db_session.scalars(select(AttemptPause)))
    assert len(pauses) == 1


def test_actions_need_a_reason(db_session: Session, exam: OpenExam) -> None:
    taker, _ = taker_started(db_session, exam)
    with pytest.raises(service.ActionRefused, match="alasan"):
        service.pause_seat(db_session, ALICE, exam.session, taker.participant, "  ")


def test_room_pause_backdated_to_the_outage_credits_each_seat_its_own_time(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    first, early = taker_started(db_session, exam, 0)
    frozen.advance(minutes=10)
    second, late = taker_started(db_session, exam, 1)  # started 10 minutes later
    frozen.advance(minutes=5)  # 01:15: power fails …
    outage = frozen.current
    frozen.advance(minutes=2)  # … proctor clicks at 01:17, backdating to 01:15
    assert service.pause_room(
        db_session, ALICE, exam.session, "listrik padam", since=outage
    ).changed
    assert early.paused_at == outage and late.paused_at == outage
    frozen.advance(minutes=20)
    service.resume_room(db_session, ALICE, exam.session, "listrik menyala")
    # Each seat gets back exactly its remaining time at the outage: 45 and 55 minutes.
    assert remaining(db_session, first, early)[0] == 45 * 60
    assert remaining(db_session, second, late)[0] == 55 * 60
    credited = {p.credited_seconds for p in db_session.scalars(select(AttemptPause))}
    assert credited == {22 * 60}
    entries = list(db_session.scalars(select(AuditEntry).where(AuditEntry.action == "room.resume")))
    assert list(entries[0].details["credited_seconds"].values()) == [1320, 1320]


def test_backdating_never_goes_before_the_start_or_the_last_resume(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = taker_started(db_session, exam)
    frozen.advance(minutes=5)
    service.pause_room(db_session, ALICE, exam.session, "uji", since=START - timedelta(hours=3))
    assert attempt.paused_at == START  # not before the attempt began
    frozen.advance(minutes=1)
    service.resume_room(db_session, ALICE, exam.session, "uji")
    resumed = frozen.current
    frozen.advance(minutes=4)
    service.pause_seat(
        db_session,
        ALICE,
        exam.session,
        taker.participant,
        "lagi",
        since=resumed - timedelta(minutes=3),
    )
    assert attempt.paused_at == resumed
    with pytest.raises(service.ActionRefused, match="masa depan"):
        service.pause_room(
            db_session, ALICE, exam.session, "x", since=frozen.current + timedelta(minutes=1)
        )


def test_extra_time_goes_to_the_test_and_the_current_section(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = taker_started(db_session, exam)
    service.add_extra_time(db_session, ALICE, exam.session, taker.participant, 10, "disabilitas")
    assert remaining(db_session, taker, attempt) == (70 * 60, 30 * 60)
    board = build_board(db_session, exam.session.id)
    row = next(r for r in board.rows if r.participant_id == taker.participant.id)
    assert row.remaining_seconds == 70 * 60 and row.extra_minutes == 10


def test_reset_login_lets_the_taker_continue_on_another_pc(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = taker_started(db_session, exam)
    option = first_option(db_session, taker)
    delivery.save_answer(db_session, taker, 1, option, True, seq=5)
    with pytest.raises(errors.LoginInUse):
        delivery.login(db_session, exam.nips[0], exam.token, None)
    service.reset_login(db_session, ALICE, exam.session, taker.participant, "PC mati", "PC-17")
    with pytest.raises(errors.NotLoggedIn):
        delivery.authenticate(db_session, "old-cookie-is-gone")
    elsewhere, cookie = delivery.login(db_session, exam.nips[0], exam.token, None)
    assert cookie
    again = delivery.start(db_session, elsewhere)
    assert again.id == attempt.id
    _, ref, _ = delivery.open_item(db_session, elsewhere, 1)
    assert state_view(db_session, elsewhere, again).answered == 1
    row = next(
        r
        for r in build_board(db_session, exam.session.id).rows
        if r.participant_id == taker.participant.id
    )
    assert row.pc_number == "PC-17"


def test_end_attempt_submits_as_the_proctor(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = taker_started(db_session, exam)
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "curang")
    assert service.end_attempt(db_session, ALICE, exam.session, taker.participant, "curang").changed
    assert (attempt.status, attempt.submitted_by, attempt.paused_at) == (
        "submitted",
        "proctor",
        None,
    )
    assert not service.end_attempt(db_session, BUDI, exam.session, taker.participant, "x").changed
    row = next(
        r
        for r in build_board(db_session, exam.session.id).rows
        if r.participant_id == taker.participant.id
    )
    assert row.status == "ended"


def test_check_in_conflict_between_two_proctors_is_shown_not_lost(
    db_session: Session, exam: OpenExam
) -> None:
    taker, _ = taker_started(db_session, exam)
    person = taker.participant
    assert service.check_in(
        db_session, ALICE, exam.session, person, "present", True, "PC-3", 1
    ).changed
    with pytest.raises(service.ActionRefused, match="pengawas lain"):
        service.check_in(db_session, BUDI, exam.session, person, "late", False, "PC-4", 1)
    same = service.check_in(db_session, BUDI, exam.session, person, "present", True, "PC-3", 1)
    assert not same.changed  # the same values: idempotent, no conflict
    assert service.check_in(db_session, BUDI, exam.session, person, "late", True, "PC-3", 2).changed


def test_admission_gates_start_and_resume_after_reset(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, people=1, require_admission=True)
    taker, _ = delivery.login(db_session, exam.nips[0], exam.token, None)
    with pytest.raises(errors.AwaitingAdmission):
        delivery.start(db_session, taker)
    service.admit(db_session, ALICE, exam.session, taker.participant)
    attempt = delivery.start(db_session, taker)
    service.reset_login(db_session, ALICE, exam.session, taker.participant, "pindah PC")
    again, _ = delivery.login(db_session, exam.nips[0], exam.token, None)
    with pytest.raises(errors.AwaitingAdmission):
        delivery.save_answer(db_session, again, 1, "A", False, seq=1)
    row = next(r for r in build_board(db_session, exam.session.id).rows)
    assert "waiting to be admitted" in row.alerts
    service.admit(db_session, BUDI, exam.session, again.participant)
    assert delivery.start(db_session, again).id == attempt.id


def test_token_rotation_keeps_the_old_token_for_a_short_overlap(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    service.set_rotation(db_session, ALICE, exam.session, 15)
    old = service.current_token(db_session, exam.session)
    frozen.advance(minutes=16)
    new = service.current_token(db_session, exam.session)
    assert new != old
    delivery.login(db_session, exam.nips[0], old, None)  # within the overlap
    frozen.advance(minutes=3)
    with pytest.raises(errors.InvalidLogin):
        delivery.login(db_session, exam.nips[1], old, None)
    delivery.login(db_session, exam.nips[1], new, None)


def _beating(db: Session, exam: OpenExam, n: int = 0):
    """A started taker's heartbeat, as the page sends it (hot path when ordinary)."""
    from app.delivery import calls

    taker, token = delivery.login(db, exam.nips[n], exam.token, None)
    delivery.start(db, taker)
    return taker, lambda: calls.beat(db, token, None)


def test_a_message_shows_when_it_was_sent_and_expires_as_chosen(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, beat = _beating(db_session, exam)
    frozen.advance(minutes=2)  # 09:02 WITA
    assert service.broadcast(db_session, ALICE, exam.session, "Istirahat", minutes=3).changed
    db_session.flush()  # the pages read it in their own requests, after the commit
    frozen.advance(seconds=30)
    news = beat().broadcast
    assert news is not None and news.message == "Istirahat"
    assert news.sent_at == "09:02 WITA" and news.expires_in == 150  # the room's zone
    frozen.advance(seconds=150)
    assert beat().broadcast is None  # expired: gone from every page


def test_a_message_lasts_five_minutes_unless_the_proctor_says_otherwise(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, beat = _beating(db_session, exam)
    service.broadcast(db_session, ALICE, exam.session, "Harap tenang")
    db_session.flush()
    assert beat().broadcast.expires_in == 300
    for minutes in (0, 121):
        with pytest.raises(service.ActionRefused, match="1–120 menit"):
            service.broadcast(db_session, ALICE, exam.session, "x", minutes=minutes)
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "room.broadcast")
    ).one()
    assert entry.details["minutes"] == 5


def test_a_message_sent_before_the_takers_start_is_never_shown(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, early = _beating(db_session, exam, 0)
    frozen.advance(minutes=1)
    service.broadcast(db_session, ALICE, exam.session, "Mulai sekarang", minutes=30)
    db_session.flush()
    frozen.advance(minutes=1)
    _, late = _beating(db_session, exam, 1)
    assert early().broadcast is not None
    assert late().broadcast is None  # started after it was sent
    # The ORM path (a paused attempt's heartbeat) keeps the same rule.
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "cek")
    db_session.flush()
    paused = early()
    assert paused.status == "paused" and paused.broadcast is not None
    assert paused.broadcast.sent_at == "09:01 WITA"


def test_close_session_refuses_while_takers_work(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker_started(db_session, exam)
    with pytest.raises(service.ActionRefused, match="masih mengerjakan"):
        service.close_session(db_session, ALICE, exam.session, "")
    frozen.advance(hours=2)
    assert service.close_session(db_session, ALICE, exam.session, "").changed
    assert exam.session.status == "closed"


def test_every_action_is_audited_with_reason(db_session: Session, exam: OpenExam) -> None:
    taker, _ = taker_started(db_session, exam)
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "alasan jeda")
    service.add_incident(
        db_session, ALICE, exam.session, "environment", "power", "padam", taker.participant
    )
    entries = list(db_session.scalars(select(AuditEntry).order_by(AuditEntry.at)))
    pause = next(e for e in entries if e.action == "attempt.pause")
    assert (pause.actor_username, pause.reason, pause.exam_session_id) == (
        "pengawas-a",
        "alasan jeda",
        exam.session.id,
    )
    assert taker.participant.nip in (pause.target_label or "")
    assert any(e.action == "incident.add" for e in entries)


def test_audit_log_refuses_update_and_delete(db_session: Session, exam: OpenExam) -> None:
    taker, _ = taker_started(db_session, exam)
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "x")
    db_session.flush()
    for statement in ("UPDATE audit_log SET reason = 'diubah'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement))


def count_queries(db: Session, action) -> int:
    with recorded(db.connection()) as statements:
        action()
    return len(statements)


def test_board_costs_the_same_queries_for_few_and_many_seats(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    small = open_exam(db_session, tmp_path / "a", people=3)
    for n in range(3):
        taker, _ = taker_started(db_session, small, n)
    db_session.flush()
    few = count_queries(db_session, lambda: build_board(db_session, small.session.id))
    assert few <= 4
    from app.exams.models import ExamSession

    big_session = db_session.get(ExamSession, small.session.id)
    assert big_session is not None
    big_session.capacity = 200
    from app.exams.service import import_event
    from tests.exams.factories import event_data, event_doc, participant, rows

    data = event_data()
    data["blueprint"]["sections"][0]["time_limit_minutes"] = None
    data["sessions"][0]["capacity"] = 200
    for agency in data["agencies"]:
        agency["seats"] = 200
    import_event(db_session, event_doc(**data), rows(*[participant(n) for n in range(1, 101)]))
    many = count_queries(db_session, lambda: build_board(db_session, small.session.id))
    board = build_board(db_session, small.session.id)
    assert len(board.rows) == 100 and many == few


def test_a_second_extra_time_with_a_stale_form_is_refused(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = taker_started(db_session, exam)
    shown = attempt.deadline_at.isoformat()  # what both proctors' forms carry
    service.add_extra_time(db_session, ALICE, exam.session, taker.participant, 5, "a", shown)
    with pytest.raises(service.ActionRefused, match="baru diubah"):
        service.add_extra_time(db_session, BUDI, exam.session, taker.participant, 5, "b", shown)
    assert remaining(db_session, taker, attempt)[0] == 65 * 60


def test_paused_taker_cannot_read_ahead(db_session: Session, exam: OpenExam) -> None:
    taker, _ = taker_started(db_session, exam)
    service.pause_seat(db_session, ALICE, exam.session, taker.participant, "jeda")
    with pytest.raises(errors.AttemptPaused):
        delivery.open_item(db_session, taker, 2)


def test_report_shows_a_taker_who_sat_without_check_in_as_unrecorded_not_absent(
    db_session: Session, exam: OpenExam
) -> None:
    """Attendance is what a proctor recorded (issue 22): a taker who sat unrecorded is listed
    as not recorded, marked as having sat; nobody is absent until someone records it."""
    from app.proctoring.report import session_report

    taker_started(db_session, exam, 0)  # sat, but nobody ticked the attendance
    report = session_report(db_session, exam.session)
    assert report.present == [] and report.absent == []
    assert len(report.unrecorded) == 3
    assert [r.signed_in for r in report.unrecorded].count(True) == 1
    assert report.attendance.unrecorded_signed_in == 1


def test_backdated_room_pause_reopens_a_seat_whose_time_ran_out_in_the_outage(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = taker_started(db_session, exam)
    frozen.advance(minutes=58)
    outage = frozen.current  # power fails with 2 minutes left
    frozen.advance(minutes=5)
    delivery.submit_expired(db_session)  # the sweeper ran during the outage
    assert (attempt.status, attempt.submitted_by) == ("submitted", "timer")
    outcome = service.pause_room(db_session, ALICE, exam.session, "listrik padam", since=outage)
    assert "1 dibuka kembali" in outcome.message
    assert attempt.status == "in_progress" and attempt.paused_at == outage
    frozen.advance(minutes=10)
    service.resume_room(db_session, ALICE, exam.session, "listrik menyala")
    assert remaining(db_session, taker, attempt)[0] == 120
    _, ref, _ = delivery.open_item(db_session, taker, 4)  # the open (second) section
    delivery.save_answer(db_session, taker, 4, ref.option_order[0], False, seq=9)


def test_two_boards_finding_a_rotation_due_make_one_new_token(
    fresh_database_url: str, tmp_path: Path, frozen: FrozenClock
) -> None:
    """Two proctors' boards (or two workers) read the session, then both find the automatic
    rotation due: one new token, and the token on the room's screen stays valid."""
    from app.db import make_engine, make_sessionmaker, transaction
    from app.exams.models import ExamSession

    engine = make_engine(fresh_database_url)
    factory = make_sessionmaker(engine)
    with transaction(factory) as db:
        exam = open_exam(db, tmp_path, people=2)
        service.set_rotation(db, ALICE, exam.session, 15)
        session_id, shown = exam.session.id, exam.session.room_token
    frozen.advance(minutes=16)
    first, second = factory(), factory()
    try:
        seen_by_first = first.get_one(ExamSession, session_id)
        seen_by_second = second.get_one(ExamSession, session_id)
        second.commit()  # the second board's read ended (a request of its own)
        token_one = service.current_token(first, seen_by_first)
        first.commit()
        token_two = service.current_token(second, seen_by_second)
        second.commit()
    finally:
        first.close()
        second.close()
    with transaction(factory) as db:
        now = db.get(ExamSession, session_id)
        assert token_one == token_two == now.room_token != shown
        assert now.previous_room_token == shown
        delivery.login(db, exam.nips[0], shown, None)  # the screen's token, within the overlap
    engine.dispose()


def test_a_board_poll_reads_progress_from_the_attempts_not_their_answers(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, engine
) -> None:
    """The board shows each seat's items answered and re-sends a row when an answer is
    saved, from the attempt's own columns: counting every seat's answers on each poll (every
    3 s, every open room) cost the database more with every answer given."""
    taker, _ = taker_started(db_session, exam)
    _, ref, _ = delivery.open_item(db_session, taker, 2)
    delivery.save_answer(db_session, taker, 1, first_option(db_session, taker), False, seq=5)
    delivery.save_answer(db_session, taker, 2, ref.option_order[1], False, seq=6)
    frozen.advance(seconds=10)
    db_session.flush()
    with recorded(engine) as statements:
        board = build_board(db_session, exam.session.id, since=START + timedelta(seconds=5))
    assert not [s for s in statements if "delivery_answer" in s], statements
    assert board.rows == []  # nothing changed since
    frozen.advance(seconds=5)
    delivery.save_answer(db_session, taker, 2, None, False, seq=7)  # taken back
    db_session.flush()
    rows = build_board(db_session, exam.session.id, since=START + timedelta(seconds=12)).rows
    assert [(r.participant_id, r.answered) for r in rows] == [(taker.participant.id, 1)]
