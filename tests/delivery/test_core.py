"""The rules of a running attempt (app/delivery/core.py), and both ways of reading an attempt
held to them: for every situation below, the hot path answers exactly when core calls the
request ordinary, and the ORM path refuses with exactly core's refusal."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.delivery import calls, core, errors, hot, service
from app.delivery.core import Answering, AttemptFacts
from app.delivery.models import Attempt
from app.delivery.selectors import selector_for
from app.kit import clock
from app.kit.clock import FrozenClock, use_clock
from app.proctoring.board import board_row
from tests.delivery.factories import OpenExam, open_exam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
GRACE = timedelta(seconds=3)
RUNNING = AttemptFacts(
    status="in_progress",
    submitted_by=None,
    deadline_at=START + timedelta(minutes=60),
    paused_at=None,
    current_section=1,
    section_deadline_at=None,
    sequential=False,
)


# --- the clock --------------------------------------------------------------------------------


def test_remaining_counts_down_and_stands_still_while_paused() -> None:
    assert core.remaining(RUNNING, START + timedelta(seconds=70)) == (3530, None)
    paused = replace(RUNNING, paused_at=START + timedelta(minutes=10))
    assert core.remaining(paused, START + timedelta(minutes=50)) == (3000, None)
    assert core.remaining(RUNNING, START + timedelta(hours=2)) == (0, None)


def test_a_sections_clock_never_outlasts_the_tests() -> None:
    timed = replace(RUNNING, sequential=True, section_deadline_at=START + timedelta(minutes=20))
    assert core.remaining(timed, START + timedelta(minutes=5)) == (55 * 60, 15 * 60)
    squeezed = replace(timed, deadline_at=START + timedelta(minutes=10))
    assert core.remaining(squeezed, START + timedelta(minutes=5)) == (300, 300)


def test_what_has_run_out_only_counts_past_the_grace_and_not_while_paused() -> None:
    deadline = RUNNING.deadline_at
    assert core.run_out(RUNNING, deadline + GRACE, GRACE) is None
    assert core.run_out(RUNNING, deadline + GRACE + timedelta(seconds=1), GRACE) == "test"
    section = replace(RUNNING, section_deadline_at=START + timedelta(minutes=20))
    assert core.run_out(section, START + timedelta(minutes=20, seconds=4), GRACE) == "section"
    paused = replace(RUNNING, paused_at=START)
    assert core.run_out(paused, deadline + timedelta(hours=1), GRACE) is None
    submitted = replace(RUNNING, status="submitted", submitted_by="taker")
    assert core.run_out(submitted, deadline + timedelta(hours=1), GRACE) is None


def test_pause_is_backdated_within_its_floors_and_resume_gives_it_back() -> None:
    now = START + timedelta(minutes=30)
    started, resumed = START + timedelta(minutes=1), START + timedelta(minutes=20)
    assert core.pause_at(None, [START, started, None], now) == now
    assert core.pause_at(START + timedelta(minutes=25), [START, started], now) == now - timedelta(
        minutes=5
    )
    assert core.pause_at(START, [START, started, resumed], now) == resumed  # not before a resume
    assert core.pause_at(now + timedelta(hours=1), [START], now) == now  # never in the future
    assert core.pause_credit(now - timedelta(seconds=90), now) == timedelta(seconds=90)


def test_extra_time_is_1_to_240_minutes() -> None:
    assert core.extra_time(15) == timedelta(minutes=15)
    for minutes in (0, 241, -5):
        with pytest.raises(ValueError):
            core.extra_time(minutes)


def test_extra_time_as_a_percentage_is_rounded_up_to_a_whole_minute() -> None:
    assert core.allowed_minutes(240) == core.allowed_minutes(240, 0) == 240
    assert core.allowed_minutes(240, 25) == 300
    assert core.allowed_minutes(30, 25) == 38  # 37.5
    assert core.allowed_minutes(10, 1) == 11  # 10.1
    assert core.allowed_minutes(45, 100) == 90


def test_the_board_shows_the_same_remaining_time_as_the_taker() -> None:
    from types import SimpleNamespace

    from app.proctoring.repository import SEAT_ROW_FIELDS

    paused_at = START + timedelta(minutes=10)
    given: dict[str, Any] = dict(
        participant_id=None, name="A", nip="1", agency="X", pc_number=None, attendance="present",
        id_checked=True, seat_version=1, answered=0, item_count=5, attempt_id=1,
        status="in_progress", deadline_at=RUNNING.deadline_at, paused_at=paused_at,
        last_seen_at=START, login_id=1, needs_admission=False, admitted_at=None, seat_id=1,
        extra_minutes=0, extra_time_percent=0, large_print=False,
    )  # fmt: skip
    row: Any = SimpleNamespace(**(dict.fromkeys(SEAT_ROW_FIELDS) | given))  # the rest: none
    now = START + timedelta(minutes=40)
    board = board_row(row, now, status="paused", changed=now)
    taker = core.remaining(replace(RUNNING, paused_at=paused_at), now)
    assert board.remaining_seconds == taker[0] == 50 * 60


# --- what a taker may do ----------------------------------------------------------------------


def test_refusals_in_order() -> None:
    later = RUNNING.deadline_at + timedelta(minutes=1)
    waiting = replace(RUNNING, awaiting_admission=True, paused_at=START)
    assert core.refusal(waiting, START, "read") is errors.AwaitingAdmission
    by_timer = replace(RUNNING, status="submitted", submitted_by="timer")
    assert core.refusal(by_timer, later, "answer") is errors.DeadlinePassed
    assert core.refusal(by_timer, later, "read") is errors.AttemptSubmitted
    by_taker = replace(RUNNING, status="submitted", submitted_by="taker")
    assert core.refusal(by_taker, later, "answer") is errors.AttemptSubmitted
    assert core.refusal(replace(RUNNING, paused_at=START), START, "read") is errors.AttemptPaused
    assert core.refusal(RUNNING, START, "answer") is None


def test_items_and_answers() -> None:
    timed = replace(RUNNING, sequential=True, current_section=2)
    assert core.item_refusal(timed, 1) is errors.SectionLocked
    assert core.item_refusal(timed, 2) is None
    assert core.item_refusal(RUNNING, 2) is None
    assert core.item_refusal(RUNNING, None) is errors.ItemNotFound
    base = core.seq_base(START)
    assert core.answer_refusal("Z", ("A", "B"), base, START) is errors.InvalidOption
    assert core.answer_refusal(None, ("A",), base + 2 * core.SEQ_SPAN, START) is (
        errors.InvalidSequence
    )
    assert core.answer_refusal("B", ("A", "B"), base + 1, START) is None


# --- both paths, one rule ---------------------------------------------------------------------


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


@dataclass
class Seat:
    taker: service.Taker
    raw: str
    attempt: Attempt


def _seat(db: Session, exam: OpenExam, n: int) -> Seat:
    taker, raw = service.login(db, exam.nips[n], exam.token, None)
    assert raw is not None
    if taker.login.needs_admission:
        taker.login.admitted_at = START
    return Seat(taker, raw, service.start(db, taker))


# Each situation is made for both seats alike: the first is asked through the hot path, the
# second through the ORM path.
Make = Callable[[Session, list[Seat], FrozenClock], None]


def _ordinary(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    frozen.advance(minutes=5)


def _paused(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    for seat in seats:
        seat.attempt.paused_at = START + timedelta(minutes=1)
    frozen.advance(minutes=5)


def _submitted_by_taker(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    for seat in seats:
        service.submit(db, seat.taker)


def _within_the_grace(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    frozen.advance(minutes=60, seconds=2)


def _past_the_deadline(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    frozen.advance(minutes=60, seconds=4)  # not swept yet: the request closes it


def _swept_by_the_timer(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    frozen.advance(minutes=60, seconds=4)
    service.submit_expired(db)


def _awaiting_admission(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    for seat in seats:
        seat.taker.login.needs_admission, seat.taker.login.admitted_at = True, None


def _section_run_out(db: Session, seats: list[Seat], frozen: FrozenClock) -> None:
    frozen.advance(minutes=20, seconds=4)  # section 1 (20 min) is over: section 2 opens


SITUATIONS: list[Make] = [
    _ordinary,
    _paused,
    _submitted_by_taker,
    _within_the_grace,
    _past_the_deadline,
    _swept_by_the_timer,
    _awaiting_admission,
    _section_run_out,
]
POSITIONS = (1, 4, 9)  # section 1, section 2 (locked while section 1 runs), none (5 items)


def _predicted(db: Session, seat: Seat, purpose: core.Purpose, position: int) -> type | None:
    """Core's verdict on the attempt once its clock is brought up to date: a refusal, or
    None."""
    attempt = db.get(Attempt, seat.attempt.id)
    assert attempt is not None
    service.refresh_clock(db, attempt)
    facts = service.facts_of(db, attempt, seat.taker.login)
    refused = core.refusal(facts, clock.now(), purpose)
    if refused is not None:
        return refused
    ref = selector_for(attempt).item_at(db, attempt, position)
    return core.item_refusal(facts, ref.section_position if ref else None)


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("make", SITUATIONS, ids=lambda f: f.__name__.strip("_"))
def test_both_paths_follow_core(
    db_session: Session, tmp_path: Path, frozen: FrozenClock, make: Make, position: int
) -> None:
    exam = open_exam(db_session, tmp_path, people=2, section_limits=(20, None))
    fast_seat, slow_seat = _seat(db_session, exam, 0), _seat(db_session, exam, 1)
    make(db_session, [fast_seat, slow_seat], frozen)
    db_session.flush()
    now, grace = clock.now(), service.answer_grace()
    db_session.expire_all()
    attempt = db_session.get(Attempt, fast_seat.attempt.id)
    assert attempt is not None
    facts = service.facts_of(db_session, attempt, fast_seat.taker.login)
    ref = selector_for(attempt).item_at(db_session, attempt, position)
    item_section = ref.section_position if ref else None
    option = ref.option_order[0] if ref else None

    purposes: tuple[tuple[Literal["read", "answer"], int], ...] = (
        ("read", 0),
        ("answer", service.seq_base() + 1),
    )
    for purpose, seq in purposes:
        fast: object
        ordinary = core.ordinary(facts, now, grace, purpose, item_section)
        if purpose == "read":
            fast = hot.open_item(db_session, fast_seat.raw, position, now, grace)
        else:
            answering = Answering(position, option, False, seq)
            fast = hot.save_answer(db_session, fast_seat.raw, answering, now, grace)
        assert (fast is not None) == ordinary, (purpose, facts)

        expected = _predicted(db_session, slow_seat, purpose, position)
        raised = None
        try:
            if purpose == "read":
                service.open_item(db_session, slow_seat.taker, position)
            else:
                service.save_answer(db_session, slow_seat.taker, position, option, False, seq)
        except errors.DeliveryError as exc:
            raised = type(exc)
        assert raised is expected, (purpose, facts)
        if ordinary:  # what the hot path answers, the ORM path answers too
            assert expected is None


def test_a_refused_save_counts_as_seen_on_both_paths(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    """An invalid option is refused, but the page that sent it is there: last-seen is
    written by both paths alike (the hot path wrote nothing before)."""
    exam = open_exam(db_session, tmp_path, people=2)
    fast_seat, slow_seat = _seat(db_session, exam, 0), _seat(db_session, exam, 1)
    frozen.advance(seconds=16)
    now, grace = clock.now(), service.answer_grace()
    with pytest.raises(errors.InvalidOption):
        answering = Answering(1, "Z", False, service.seq_base() + 1)
        hot.save_answer(db_session, fast_seat.raw, answering, now, grace)
    with pytest.raises(errors.InvalidOption):
        service.save_answer(db_session, slow_seat.taker, 1, "Z", False, service.seq_base() + 1)
    db_session.flush()
    db_session.expire_all()
    seen = [db_session.get(Attempt, s.attempt.id).last_seen_at for s in (fast_seat, slow_seat)]
    assert seen == [now, now]


def test_a_stale_save_counts_as_seen_and_a_shown_item_is_resumed_on_both_paths(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, people=2)
    seats = [_seat(db_session, exam, 0), _seat(db_session, exam, 1)]
    base = service.seq_base()
    now, grace = clock.now(), service.answer_grace()
    hot.save_answer(db_session, seats[0].raw, Answering(2, None, True, base + 5), now, grace)
    service.save_answer(db_session, seats[1].taker, 2, None, True, base + 5)
    frozen.advance(seconds=16)
    now = clock.now()
    fast = hot.save_answer(
        db_session, seats[0].raw, Answering(3, None, True, base + 1, shown=True), now, grace
    )
    slow = service.save_answer(db_session, seats[1].taker, 3, None, True, base + 1, shown=True)
    assert fast is not None and fast.applied and slow[1].applied
    stale = Answering(2, None, False, base + 4)  # older than the stored one: not applied
    frozen.advance(seconds=16)
    now = clock.now()
    fast = hot.save_answer(db_session, seats[0].raw, stale, now, grace)
    slow = service.save_answer(db_session, seats[1].taker, 2, None, False, base + 4)
    assert fast is not None and not fast.applied and not slow[1].applied
    db_session.flush()
    db_session.expire_all()
    stored = [db_session.get(Attempt, s.attempt.id) for s in seats]
    assert [(a.last_seen_at, a.current_position) for a in stored] == [(now, 3), (now, 3)]


def test_the_page_calls_choose_the_path_inside_the_service(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    """calls.read_item / save / beat answer alike whichever path ran: a paused attempt
    (ORM) and a running one (hot) give the same clock the board shows."""
    exam = open_exam(db_session, tmp_path, people=1)
    seat = _seat(db_session, exam, 0)
    frozen.advance(minutes=10)
    running = calls.read_item(db_session, seat.raw, 2)
    db_session.execute(
        update(Attempt).where(Attempt.id == seat.attempt.id).values(paused_at=clock.now())
    )
    frozen.advance(minutes=10)
    beat = calls.beat(db_session, seat.raw, 2)
    assert beat.status == "paused" and beat.remaining == running.remaining == (50 * 60, None)
