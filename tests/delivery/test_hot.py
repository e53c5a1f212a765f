"""The hot path (app/delivery/hot.py) answers ordinary item reads, saves and heartbeats exactly
as the ORM path in delivery.service does, with fewer statements, and hands everything else
back to it (returns None, having written nothing)."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.delivery import calls, content, errors, hot, service
from app.delivery.core import Answering
from app.delivery.models import Answer, AnswerJournal, Attempt, AttemptSection, TakerLogin
from app.exams.models import Form, FormItem, Participant
from app.kit import clock
from app.kit.clock import FrozenClock, use_clock
from tests.delivery.factories import OpenExam, open_exam
from tests.statements import recorded

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(START)) as c:
        yield c


def login(db: Session, exam: OpenExam, n: int = 0) -> tuple[service.Taker, str]:
    taker, raw = service.login(db, exam.nips[n], exam.token, None)
    assert raw is not None
    return taker, raw


def started(db: Session, exam: OpenExam, n: int = 0) -> tuple[service.Taker, str, Attempt]:
    taker, raw = login(db, exam, n)
    return taker, raw, service.start(db, taker)


def item(db: Session, raw: str | None, position: int) -> hot.ItemRead | None:
    return hot.open_item(db, raw, position, clock.now(), service.answer_grace())


def save(
    db: Session,
    raw: str | None,
    position: int,
    option_id: str | None,
    flagged: bool,
    seq: int,
    shown: bool = False,
) -> hot.Saved | None:
    answering = Answering(position, option_id, flagged, seq, shown)
    return hot.save_answer(db, raw, answering, clock.now(), service.answer_grace())


def beat(db: Session, raw: str | None, position: int | None) -> hot.Snapshot | None:
    return hot.heartbeat(db, raw, position, clock.now(), service.answer_grace())


def fresh(db: Session, attempt: Attempt) -> Attempt:
    """The attempt as stored (the hot path writes past the ORM's identity map)."""
    db.expire_all()
    found = db.get(Attempt, attempt.id)
    assert found is not None
    return found


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path)


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    with recorded(engine) as seen:
        yield seen


def test_item_is_what_the_orm_path_shows(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, raw, attempt = started(db_session, exam)
    _, ref, _ = service.open_item(db_session, taker, 2)
    service.save_answer(db_session, taker, 2, ref.option_order[1], True, service.seq_base() + 1)
    frozen.advance(seconds=70)

    fast = item(db_session, raw, 2)
    assert fast is not None
    attempt, ref, version = service.open_item(db_session, taker, 2)
    answer = db_session.get(Answer, (attempt.id, 2))
    slow = content.item_view(ref, content.Content.of_version(version), answer)
    assert content.item_view(fast.ref, fast.content, fast.answer) == slow
    assert slow.option_id == ref.option_order[1] and slow.flagged
    assert fast.snapshot.clock() == service.remaining(db_session, attempt) == (3530, None)
    assert fast.snapshot.row.item_count == 5


def test_item_moves_the_resume_position(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, raw, attempt = started(db_session, exam)
    assert item(db_session, raw, 4) is not None
    assert fresh(db_session, attempt).current_position == 4


def test_saves_write_the_same_rows_as_the_orm_path(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    """The same sequence of saves (new, changed, replayed, stale) by two takers, one through
    each path: equal answers, equal journals, equal replies."""
    slow_taker, _, slow_attempt = started(db_session, exam, 0)
    _, raw, fast_attempt = started(db_session, exam, 1)
    base = service.seq_base()
    steps = [
        (1, 0, False, 1),
        (1, 1, True, 2),
        (1, 2, False, 2),
        (1, 3, False, 1),
        (3, None, True, 3),
    ]
    slow_replies, fast_replies = [], []
    for position, index, flagged, seq in steps:
        frozen.advance(seconds=5)
        _, ref, _ = service.open_item(db_session, slow_taker, position)
        option = None if index is None else ref.option_order[index]
        _, result = service.save_answer(
            db_session, slow_taker, position, option, flagged, base + seq
        )
        a = result.answer
        slow_replies.append((a.option_id, a.flagged, a.seq, result.applied))
        fast_ref = item(db_session, raw, position)
        assert fast_ref is not None
        fast_option = None if index is None else fast_ref.ref.option_order[index]
        saved = save(db_session, raw, position, fast_option, flagged, base + seq)
        assert saved is not None
        fast_replies.append((saved.option_id, saved.flagged, saved.seq, saved.applied))
    assert [r[1:] for r in fast_replies] == [r[1:] for r in slow_replies]
    assert [r[3] for r in fast_replies] == [True, True, False, False, True]

    def stored(attempt: Attempt) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        db_session.expire_all()
        answers = db_session.scalars(
            select(Answer).where(Answer.attempt_id == attempt.id).order_by(Answer.position)
        )
        journal = db_session.scalars(
            select(AnswerJournal)
            .where(AnswerJournal.attempt_id == attempt.id)
            .order_by(AnswerJournal.seq)
        )
        return (
            [(a.position, a.option_id is None, a.flagged, a.seq, a.answered_at) for a in answers],
            [
                (j.position, j.old_option_id is None, j.new_option_id is None, j.old_flagged)
                + (j.new_flagged, j.seq, j.recorded_at, j.login_id is not None)
                for j in journal
            ],
        )

    assert stored(fast_attempt) == stored(slow_attempt)
    assert len(stored(fast_attempt)[1]) == 3  # replayed and stale saves leave no journal row


def test_save_refuses_foreign_options_and_future_sequences(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, raw, attempt = started(db_session, exam)
    with pytest.raises(errors.InvalidOption):
        save(db_session, raw, 1, "Z", False, service.seq_base() + 1)
    with pytest.raises(errors.InvalidSequence):
        save(db_session, raw, 1, None, False, service.seq_base() + 2 * service.SEQ_SPAN)
    assert db_session.get(Answer, (attempt.id, 1)) is None


def test_heartbeat_writes_last_seen_at_most_every_15_s_and_follows_the_page(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, raw, attempt = started(db_session, exam)
    frozen.advance(seconds=10)
    assert beat(db_session, raw, None) is not None
    assert fresh(db_session, attempt).last_seen_at == START  # written at start, 10 s ago
    frozen.advance(seconds=6)
    beaten = beat(db_session, raw, 3)
    assert beaten is not None and beaten.broadcast() is None
    stored = fresh(db_session, attempt)
    assert stored.last_seen_at == START + timedelta(seconds=16)
    assert stored.current_position == 3


def test_saves_and_item_reads_keep_the_boards_last_seen_fresh(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    """An answering page sends no heartbeats, so its saves and reads must count as seen."""
    _, raw, attempt = started(db_session, exam)
    frozen.advance(seconds=16)
    assert save(db_session, raw, 1, None, True, service.seq_base()) is not None
    assert fresh(db_session, attempt).last_seen_at == START + timedelta(seconds=16)
    frozen.advance(seconds=10)  # not yet due: no write
    assert item(db_session, raw, 1) is not None
    assert fresh(db_session, attempt).last_seen_at == START + timedelta(seconds=16)
    frozen.advance(seconds=6)
    assert item(db_session, raw, 1) is not None
    assert fresh(db_session, attempt).last_seen_at == START + timedelta(seconds=32)


def test_a_saved_answer_costs_two_statements_on_postgresql_five_on_sqlite(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, statements: list[str]
) -> None:
    """A save: one locked read (login, attempt with its journal head, section, form item),
    then on PostgreSQL one statement (the stored answer, the journal, the answer's write,
    the attempt's new head), elsewhere four; an item: one read and its answer (content comes
    from the worker's cache)."""
    _, raw, _ = started(db_session, exam)
    assert item(db_session, raw, 1) is not None  # content now cached, position 1
    option = item(db_session, raw, 1)
    assert option is not None
    statements.clear()
    assert item(db_session, raw, 1) is not None
    assert len(statements) == 2, statements
    statements.clear()
    saved = save(db_session, raw, 1, option.ref.option_order[0], False, service.seq_base())
    assert saved is not None and saved.applied
    assert len(statements) == (2 if db_session.get_bind().dialect.name == "postgresql" else 5)


# --- what goes to the ORM path ------------------------------------------------------------


def _paused(db: Session, attempt: Attempt, frozen: FrozenClock) -> None:
    attempt.paused_at = START
    db.flush()


def _submitted(db: Session, attempt: Attempt, frozen: FrozenClock) -> None:
    service.force_submit(db, attempt)
    db.flush()


def _deadline_passed(db: Session, attempt: Attempt, frozen: FrozenClock) -> None:
    frozen.advance(minutes=60, seconds=4)  # one second past the 3-s grace


def _login_revoked(db: Session, attempt: Attempt, frozen: FrozenClock) -> None:
    db.execute(update(TakerLogin).values(revoked_at=START))


@pytest.mark.parametrize(
    "make_unusual",
    [_paused, _submitted, _deadline_passed, _login_revoked],
    ids=lambda f: f.__name__,
)
def test_unusual_attempts_go_to_the_orm_path_untouched(
    db_session: Session,
    exam: OpenExam,
    frozen: FrozenClock,
    make_unusual: Callable[[Session, Attempt, FrozenClock], None],
) -> None:
    _, raw, attempt = started(db_session, exam)
    make_unusual(db_session, attempt, frozen)
    before = (attempt.current_position, attempt.last_seen_at)
    frozen.advance(seconds=20)
    assert item(db_session, raw, 2) is None
    assert save(db_session, raw, 2, None, True, service.seq_base()) is None
    assert beat(db_session, raw, 2) is None
    stored = fresh(db_session, attempt)
    assert (stored.current_position, stored.last_seen_at) == before
    assert db_session.get(Answer, (attempt.id, 2)) is None


def test_a_deadline_within_the_grace_is_still_ordinary(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    """As in the ORM path: a save already on the wire at zero is accepted for 3 s."""
    _, raw, _ = started(db_session, exam)
    frozen.advance(minutes=60, seconds=2)
    saved = save(db_session, raw, 1, None, True, service.seq_base())
    assert saved is not None and saved.snapshot.clock() == (0, None)


def test_no_attempt_no_cookie_or_unknown_position_go_to_the_orm_path(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, raw = login(db_session, exam)
    assert beat(db_session, raw, None) is None  # not started
    service.start(db_session, taker)
    assert beat(db_session, None, None) is None
    assert beat(db_session, "not-a-token", None) is None
    assert item(db_session, raw, 6) is None  # a 5-item form
    assert save(db_session, raw, 0, None, False, service.seq_base()) is None


def test_awaiting_admission_goes_to_the_orm_path(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, require_admission=True)
    taker, raw = login(db_session, exam)
    taker.login.admitted_at = START
    attempt = service.start(db_session, taker)
    assert item(db_session, raw, 1) is not None
    taker.login.admitted_at = None  # e.g. a login reset needing a fresh admission
    db_session.flush()
    assert item(db_session, raw, 1) is None
    assert attempt.status == "in_progress"


def test_timed_sections_only_the_open_one_and_its_clock(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, section_limits=(20, 30))
    taker, raw, attempt = started(db_session, exam)
    frozen.advance(minutes=5)
    fast = item(db_session, raw, 1)
    assert fast is not None and fast.snapshot.clock() == (55 * 60, 15 * 60)
    assert fast.snapshot.clock() == service.remaining(db_session, attempt)
    assert item(db_session, raw, 4) is None  # section 2: locked (the ORM path says so)
    with pytest.raises(errors.SectionLocked):
        service.open_item(db_session, taker, 4)
    frozen.advance(minutes=15, seconds=4)  # section 1 ran out: the ORM path moves on
    assert beat(db_session, raw, None) is None


def test_the_hot_statements_are_cacheable() -> None:
    """SQLAlchemy compiles a statement without a cache key on every call (~1 ms: a save on
    PostgreSQL cost twice as much with its dialect's INSERT, which has none)."""
    prebuilt = [hot._READ_FOR_SAVE, hot._READ_ITEM, hot._ANSWER, hot._SET_ANSWER]
    prebuilt += [*hot._SAVE_ON_POSTGRESQL.values(), *hot._TOUCH.values()]
    assert all(statement._generate_cache_key() is not None for statement in prebuilt)


def test_a_batch_is_what_the_orm_path_shows_in_three_statements(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, statements: list[str]
) -> None:
    """The page's prefetch: the login's snapshot, the batch's form items and their answers
    (content from the worker's cache), whatever the form's length and the answers given;
    the ORM path shows the same items."""
    taker, raw, _ = started(db_session, exam)
    now, grace = clock.now(), service.answer_grace()
    assert hot.open_items(db_session, raw, 1, 5, now, grace) is not None  # content cached
    for position in (1, 2, 4):
        option = item(db_session, raw, position)
        assert option is not None
        save(db_session, raw, position, option.ref.option_order[0], position == 4, 10 + position)
    frozen.advance(seconds=20)
    now = clock.now()
    statements.clear()
    fast = hot.open_items(db_session, raw, 2, 4, now, grace)
    assert fast is not None
    assert len(statements) == 4, statements  # snapshot, items, answers, last-seen
    assert all("BETWEEN" in s for s in statements[1:3])
    _, slow = service.open_items(db_session, taker, 2, 4)
    as_fast = [content.item_view(r, c, a) for r, c, a in fast.items]
    as_slow = [content.item_view(r, content.Content.of_version(v), a) for r, v, a in slow]
    assert as_fast == as_slow and [v.position for v in as_fast] == [2, 3, 4]
    assert [(v.option_id is not None, v.flagged) for v in as_fast] == [
        (True, False),
        (False, False),
        (True, True),
    ]


def test_a_batch_is_not_a_visit(db_session: Session, exam: OpenExam, frozen: FrozenClock) -> None:
    _, raw, attempt = started(db_session, exam)
    assert item(db_session, raw, 2) is not None
    now, grace = clock.now(), service.answer_grace()
    assert hot.open_items(db_session, raw, 3, 5, now, grace) is not None
    assert fresh(db_session, attempt).current_position == 2


def test_a_batch_holds_only_the_open_sections_items(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, section_limits=(20, 30))
    _, raw, _ = started(db_session, exam)
    batch = hot.open_items(db_session, raw, 2, 5, clock.now(), service.answer_grace())
    assert batch is not None and [ref.position for ref, _, _ in batch.items] == [2, 3]


def test_the_batch_statements_are_cacheable() -> None:
    prebuilt = [hot._READ_FOR_BATCH, hot._ITEMS_BETWEEN, hot._ANSWERS_BETWEEN]
    assert all(statement._generate_cache_key() is not None for statement in prebuilt)


def test_the_test_page_carries_its_first_batch_as_the_orm_path_does_in_two_statements_more(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, statements: list[str]
) -> None:
    """The test page's read (calls.read_page) holds the batch the page would ask for first
    (prefetch.page_batch), read with the page's snapshot: the batch's form items and their
    answers, whatever the form's length; the ORM path gives the same page."""
    taker, raw, _ = started(db_session, exam)
    option = item(db_session, raw, 3)
    assert option is not None
    save(db_session, raw, 3, option.ref.option_order[1], True, service.seq_base() + 1)
    assert calls._page_by_hot_path(db_session, raw, 1) is not None  # content, plans cached
    frozen.advance(seconds=20)
    statements.clear()
    fast = calls._page_by_hot_path(db_session, raw, 1)
    assert fast is not None
    # snapshot, the item's answer, last-seen, the batch's items and answers, the grid's marks
    assert len(statements) == 6, statements
    assert sum("BETWEEN" in s for s in statements) == 2  # bounded by the batch
    assert [v.position for v in fast.kept] == [2, 3, 4, 5]  # prefetch.page_batch(1, 1, 5)
    assert [(v.option_id is not None, v.flagged) for v in fast.kept][1] == (True, True)
    assert fast.kept == calls.read_items(db_session, raw, 2, 5).items  # /ujian/paket-soal's
    db_session.expire_all()
    assert calls._page_by_orm(db_session, raw, 1) == fast


def test_the_test_page_carries_only_the_open_sections_items_on_both_paths(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, section_limits=(20, 30))
    _, raw, _ = started(db_session, exam)
    fast = calls._page_by_hot_path(db_session, raw, 2)
    assert fast is not None and [v.position for v in fast.kept] == [1, 2, 3]
    db_session.expire_all()
    assert calls._page_by_orm(db_session, raw, 2) == fast


# --- "Mulai tes" ------------------------------------------------------------------------------


def _attempt_rows(db: Session, participant_nip: str) -> tuple[dict[str, Any], list[Any]]:
    """An attempt's columns (but what names it) and its sections' timing, as stored."""
    db.expire_all()
    attempt = db.scalar(select(Attempt).join(Participant).where(Participant.nip == participant_nip))
    assert attempt is not None
    skip = {"id", "participant_id", "form_id"}
    names = [column.key for column in Attempt.__table__.columns]
    columns = {c: getattr(attempt, c) for c in names if c not in skip}
    sections = [
        (s.section_position, s.started_at, s.deadline_at, s.closed_at)
        for s in db.scalars(
            select(AttemptSection)
            .where(AttemptSection.attempt_id == attempt.id)
            .order_by(AttemptSection.section_position)
        )
    ]
    return columns, sections


@pytest.mark.parametrize("limits", [(None, None), (10, 20)], ids=["free", "timed sections"])
def test_a_start_writes_the_same_rows_as_the_orm_path(
    db_session: Session,
    tmp_path: Path,
    frozen: FrozenClock,
    statements: list[str],
    limits: tuple[int | None, int | None],
) -> None:
    """The hot start (calls.start's ordinary case) and service.start leave the same attempt
    behind, extra time applied to the test and the first timed section: one read and one
    insert per row."""
    exam = open_exam(db_session, tmp_path, total_minutes=40, section_limits=limits)
    for nip in exam.nips[:2]:
        person = db_session.scalar(select(Participant).where(Participant.nip == nip))
        assert person is not None
        person.extra_time_percent = 25
    db_session.flush()
    _, by_orm = login(db_session, exam, 0)
    _, by_hot = login(db_session, exam, 1)
    service.start(db_session, service.authenticate(db_session, by_orm))
    db_session.flush()
    statements.clear()
    assert hot.start(db_session, by_hot, clock.now()) == 1
    assert len(statements) == (3 if limits[0] else 2), statements
    hot_rows, orm_rows = (
        _attempt_rows(db_session, exam.nips[1]),
        _attempt_rows(db_session, exam.nips[0]),
    )
    assert hot_rows == orm_rows
    columns, sections = hot_rows
    assert columns["deadline_at"] == START + timedelta(minutes=50)
    assert columns["status"] == "in_progress" and columns["current_position"] == 1
    if limits[0]:
        assert sections == [(1, START, START + timedelta(minutes=13), None)]
    else:
        assert sections == []
    # Pressed again (the back button): the attempt as it is, by the ORM path.
    frozen.advance(minutes=2)
    assert hot.start(db_session, by_hot, clock.now()) is None
    assert calls.start(db_session, by_hot) == 1
    assert _attempt_rows(db_session, exam.nips[1]) == hot_rows


def _awaiting(db: Session, tmp_path: Path) -> tuple[str, type | None]:
    exam = open_exam(db, tmp_path, require_admission=True)
    return login(db, exam)[1], errors.AwaitingAdmission


def _room_closed(db: Session, tmp_path: Path) -> tuple[str, type | None]:
    exam = open_exam(db, tmp_path)
    raw = login(db, exam)[1]
    exam.session.status = "closed"
    db.flush()
    return raw, errors.SessionNotOpen


def _no_form(db: Session, tmp_path: Path) -> tuple[str, type | None]:
    exam = open_exam(db, tmp_path)
    raw = login(db, exam)[1]
    person = db.scalar(select(Participant).where(Participant.nip == exam.nips[0]))
    assert person is not None
    db.execute(delete(FormItem).where(FormItem.form_id.in_(_form_ids(db, person.id))))
    db.execute(delete(Form).where(Form.participant_id == person.id))
    return raw, errors.NoForm


def _form_ids(db: Session, participant_id: Any) -> Any:
    return select(Form.id).where(Form.participant_id == participant_id)


def _exam_browser(db: Session, tmp_path: Path) -> tuple[str, type | None]:
    exam = open_exam(db, tmp_path)
    raw = login(db, exam)[1]  # then the event comes to require it
    exam.event.safe_exam_browser = {"config_keys": ["a" * 64], "quit_url": None}
    db.flush()
    return raw, errors.ExamBrowserRequired


def _adaptive(db: Session, tmp_path: Path) -> tuple[str, type | None]:
    from tests.delivery.adaptive_factories import adaptive_exam

    exam = adaptive_exam(db, tmp_path, verbal_first=False)
    return login(db, exam)[1], None  # starts, on the chosen first item


@pytest.mark.parametrize(
    "case",
    [_awaiting, _room_closed, _no_form, _exam_browser, _adaptive],
    ids=["awaiting admission", "room closed", "no form", "exam browser", "adaptive"],
)
def test_unusual_starts_go_to_the_orm_path_untouched(
    db_session: Session,
    tmp_path: Path,
    frozen: FrozenClock,
    statements: list[str],
    case: Callable[[Session, Path], tuple[str, type | None]],
) -> None:
    """The hot start writes nothing and leaves these to service.start, which refuses (or,
    in an adaptive event, chooses the first item)."""
    raw, refusal = case(db_session, tmp_path)
    db_session.flush()
    statements.clear()
    assert hot.start(db_session, raw, clock.now()) is None
    assert not [s for s in statements if not s.lstrip().upper().startswith("SELECT")]
    if refusal is None:
        assert calls.start(db_session, raw) >= 1
        assert db_session.scalar(select(Attempt.selector)) == "adaptive"
    else:
        with pytest.raises(refusal):
            calls.start(db_session, raw)
        assert db_session.scalar(select(Attempt.id)) is None


def test_a_test_page_before_any_answer_reads_none_in_two_statements(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, statements: list[str]
) -> None:
    """A room's first pages: the snapshot says no answer is stored, so neither the item's
    answer, the batch's answers nor the grid's marks are read; after a save they are."""
    _, raw, _ = started(db_session, exam)
    assert calls._page_by_hot_path(db_session, raw, 1) is not None  # content, plans cached
    statements.clear()
    first = calls._page_by_hot_path(db_session, raw, 1)
    assert first is not None and first.marks == {}
    assert len(statements) == 2, statements  # the snapshot, the batch's form items
    assert first.kept == calls.read_items(db_session, raw, 2, 5).items
    option = item(db_session, raw, 2)
    assert option is not None
    save(db_session, raw, 2, option.ref.option_order[0], False, service.seq_base() + 1)
    statements.clear()
    after = calls._page_by_hot_path(db_session, raw, 1)
    assert after is not None and after.marks == {2: (option.ref.option_order[0], False)}
    assert after.kept[0].option_id == option.ref.option_order[0]
    # + the item's answer, the batch's and the marks; and the item to resume on (was 2)
    assert len(statements) == 6, statements


def test_saves_keep_the_boards_progress_on_both_paths(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    """Every accepted save keeps the attempt's count of items answered and the time of its
    last save (the proctor board reads them instead of counting answers): a first choice
    adds one, a change none, a choice taken back takes one away, a stale save nothing."""
    slow_taker, _, slow_attempt = started(db_session, exam, 0)
    _, raw, fast_attempt = started(db_session, exam, 1)
    base = service.seq_base()
    steps = [  # position, option index (None: no choice), flagged, seq, answered after
        (1, 0, False, 1, 1),
        (1, 1, False, 2, 1),
        (2, 0, False, 3, 2),
        (1, None, False, 4, 1),
        (2, None, False, 2, 1),  # stale: refused, nothing changes
        (3, None, True, 5, 1),  # flagged only
    ]
    last_applied = None
    for position, index, flagged, seq, answered in steps:
        frozen.advance(seconds=5)
        _, ref, _ = service.open_item(db_session, slow_taker, position)
        option = None if index is None else ref.option_order[index]
        _, result = service.save_answer(
            db_session, slow_taker, position, option, flagged, base + seq
        )
        fast_ref = item(db_session, raw, position)
        assert fast_ref is not None
        fast_option = None if index is None else fast_ref.ref.option_order[index]
        saved = save(db_session, raw, position, fast_option, flagged, base + seq)
        assert saved is not None and saved.applied == result.applied
        if result.applied:
            last_applied = clock.now()
        for attempt in (slow_attempt, fast_attempt):
            stored = fresh(db_session, attempt)
            assert (stored.answered_count, stored.last_answer_at) == (answered, last_applied)
    chosen = db_session.scalar(
        select(func.count(Answer.option_id)).where(Answer.attempt_id == fast_attempt.id)
    )
    assert chosen == 1
