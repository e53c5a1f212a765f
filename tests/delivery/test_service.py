"""Delivery through the service layer: login, clock, saves, submission, sweeper, sections."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import errors, repository, scoring, service
from app.delivery.models import Answer, AnswerJournal, Attempt
from app.delivery.scoring import score_attempt
from app.delivery.selectors import ItemRef, register_selector, selector_for
from app.delivery.views import state_view
from app.exams.models import Form, FormItem, Participant
from app.kit.clock import FrozenClock, use_clock
from app.kit.secrets_gen import token_digest
from tests.delivery.factories import OpenExam, open_exam
from tests.statements import recorded

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path)


def taker_for(db: Session, exam: OpenExam, n: int = 0) -> service.Taker:
    taker, _ = service.login(db, exam.nips[n], exam.token, None)
    return taker


def started(db: Session, exam: OpenExam, n: int = 0) -> tuple[service.Taker, Attempt]:
    taker = taker_for(db, exam, n)
    return taker, service.start(db, taker)


def option_at(db: Session, taker: service.Taker, position: int, index: int = 0) -> str:
    _, ref, _ = service.open_item(db, taker, position)
    return ref.option_order[index]


# --- login --------------------------------------------------------------------------------


def test_login_accepts_spaced_nip_and_lowercase_token(db_session: Session, exam: OpenExam) -> None:
    nip = exam.nips[0]
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    taker, cookie = service.login(db_session, spaced, exam.token.lower(), None)
    assert cookie and taker.participant.nip == nip
    assert service.authenticate(db_session, cookie).participant.id == taker.participant.id
    assert taker.login.token_hash == token_digest(cookie) != cookie


@pytest.mark.parametrize("bad", ["token", "nip", "closed"])
def test_login_refused_for_wrong_token_nip_or_closed_session(
    db_session: Session, exam: OpenExam, bad: str
) -> None:
    nip, token = exam.nips[0], exam.token
    if bad == "token":
        token = "XXXXXX"
    elif bad == "nip":
        nip = "19780512 200312 1 999"
    else:
        exam.session.status = "prepared"
    with pytest.raises(errors.InvalidLogin):
        service.login(db_session, nip, token, None)


def test_second_browser_is_refused_but_same_browser_logs_in_again(
    db_session: Session, exam: OpenExam
) -> None:
    _, cookie = service.login(db_session, exam.nips[0], exam.token, None)
    with pytest.raises(errors.LoginInUse):
        service.login(db_session, exam.nips[0], exam.token, None)
    with pytest.raises(errors.LoginInUse):
        service.login(db_session, exam.nips[0], exam.token, "another-browser-cookie")
    again, new_cookie = service.login(db_session, exam.nips[0], exam.token, cookie)
    assert cookie is not None
    assert new_cookie is None and again.login.token_hash == token_digest(cookie)


def test_logout_frees_the_login(db_session: Session, exam: OpenExam) -> None:
    taker = taker_for(db_session, exam)
    service.logout(db_session, taker)
    _, cookie = service.login(db_session, exam.nips[0], exam.token, None)
    assert cookie


# --- clock --------------------------------------------------------------------------------


def test_start_sets_the_deadline_and_is_idempotent(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, exam)
    assert attempt.deadline_at == START + timedelta(minutes=60)
    frozen.advance(minutes=5)
    assert service.start(db_session, taker).id == attempt.id
    assert state_view(db_session, taker, attempt).remaining_seconds == 55 * 60


def test_remaining_time_comes_from_the_server_clock(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, exam)
    frozen.advance(seconds=61.5)
    assert state_view(db_session, taker, attempt).remaining_seconds == 3600 - 62


# --- answers ------------------------------------------------------------------------------


def test_save_stores_answer_and_journal(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = started(db_session, exam)
    first, second = option_at(db_session, taker, 1, 0), option_at(db_session, taker, 1, 1)
    service.save_answer(db_session, taker, 1, first, False, seq=10)
    service.save_answer(db_session, taker, 1, second, True, seq=11)
    answer = db_session.get(Answer, (attempt.id, 1))
    assert answer is not None and (answer.option_id, answer.flagged, answer.seq) == (
        second,
        True,
        11,
    )
    journal = list(
        db_session.scalars(
            select(AnswerJournal)
            .where(AnswerJournal.attempt_id == attempt.id)
            .order_by(AnswerJournal.seq)
        )
    )
    assert [(j.old_option_id, j.new_option_id, j.seq) for j in journal] == [
        (None, first, 10),
        (first, second, 11),
    ]
    assert journal[1].old_flagged is False and journal[1].new_flagged is True


def test_retried_and_reordered_saves_never_overwrite_newer_answers(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    a, b = option_at(db_session, taker, 2, 0), option_at(db_session, taker, 2, 1)
    service.save_answer(db_session, taker, 2, b, False, seq=200)
    _, late = service.save_answer(db_session, taker, 2, a, False, seq=150)  # arrives late
    _, retry = service.save_answer(db_session, taker, 2, b, False, seq=200)  # retried
    assert not late.applied and not retry.applied
    assert late.answer.option_id == b
    count = db_session.scalar(select(func.count()).select_from(AnswerJournal))
    assert count == 1


def test_a_newer_tab_wins_over_an_older_tab(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, _ = started(db_session, exam)
    old_tab = service.seq_base()
    frozen.advance(seconds=1)
    new_tab = service.seq_base()
    a, b = option_at(db_session, taker, 1, 0), option_at(db_session, taker, 1, 1)
    service.save_answer(db_session, taker, 1, a, False, seq=new_tab + 1)
    _, stale = service.save_answer(db_session, taker, 1, b, False, seq=old_tab + 5)
    assert not stale.applied and stale.answer.option_id == a


def test_clearing_an_answer_is_a_change_too(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = started(db_session, exam)
    service.save_answer(db_session, taker, 1, option_at(db_session, taker, 1), False, seq=1)
    service.save_answer(db_session, taker, 1, None, False, seq=2)
    answer = db_session.get(Answer, (attempt.id, 1))
    assert answer is not None and answer.option_id is None


def test_forged_option_or_item_is_refused_and_nothing_stored(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    with pytest.raises(errors.InvalidOption):
        service.save_answer(db_session, taker, 1, "F", False, seq=1)  # items have A–D or A–E
    with pytest.raises(errors.ItemNotFound):
        service.save_answer(db_session, taker, 99, "A", False, seq=1)
    with pytest.raises(errors.ItemNotFound):
        service.open_item(db_session, taker, 0)
    assert repository.answers_of(db_session, attempt.id) == {}


def test_answer_within_grace_is_kept_and_after_it_refused(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, exam)
    option = option_at(db_session, taker, 1)
    frozen.current = attempt.deadline_at + timedelta(seconds=2)
    service.save_answer(db_session, taker, 1, option, False, seq=1)
    frozen.current = attempt.deadline_at + timedelta(seconds=3.5)
    with pytest.raises(errors.DeadlinePassed):
        service.save_answer(
            db_session, taker, 2, option_at_unchecked(db_session, attempt, 2), False, seq=2
        )
    assert attempt.status == "submitted" and attempt.submitted_by == "timer"
    assert attempt.submitted_at == attempt.deadline_at
    assert set(repository.answers_of(db_session, attempt.id)) == {1}


def option_at_unchecked(db: Session, attempt: Attempt, position: int) -> str:
    ref = selector_for(attempt).item_at(db, attempt, position)
    assert ref is not None
    return ref.option_order[0]


def test_open_item_remembers_the_position_to_resume_on(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = started(db_session, exam)
    service.open_item(db_session, taker, 4)
    assert state_view(db_session, taker, attempt).current_position == 4


# --- submission and scores ----------------------------------------------------------------


def keyed_right_and_graded_best(db: Session, taker: service.Taker, attempt: Attempt) -> None:
    for ref in selector_for(attempt).all_items(db, attempt):
        version = db.get(ItemVersion, ref.version_id)
        assert version is not None
        if version.scoring == "keyed":
            option = version.key
        else:
            option = max(version.points or {}, key=lambda o: (version.points or {})[o])
        service.save_answer(db, taker, ref.position, option, False, seq=ref.position)


def test_submit_scores_raw_per_subtest_without_any_pass_mark(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    keyed_right_and_graded_best(db_session, taker, attempt)
    service.save_answer(db_session, taker, 1, None, False, seq=1000)  # leave one blank
    service.submit(db_session, taker)
    scores = {s.subtest_code: s for s in repository.scores_of(db_session, attempt.id)}
    assert (scores["verbal"].raw, scores["verbal"].maximum, scores["verbal"].answered) == (2, 3, 2)
    assert (scores["sjt"].raw, scores["sjt"].maximum, scores["sjt"].answered) == (10, 10, 2)
    assert not hasattr(scores["verbal"], "passed")
    assert attempt.submitted_by == "taker"


def test_graded_points_follow_the_chosen_option(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = started(db_session, exam)
    sjt_ref = next(
        r for r in selector_for(attempt).all_items(db_session, attempt) if r.section_position == 2
    )
    version = db_session.get(ItemVersion, sjt_ref.version_id)
    assert version is not None
    points = version.points
    assert points
    worst = min(points, key=lambda o: points[o])
    service.save_answer(db_session, taker, sjt_ref.position, worst, False, seq=1)
    service.submit(db_session, taker)
    scores = {s.subtest_code: s for s in repository.scores_of(db_session, attempt.id)}
    assert scores["sjt"].raw == 1 and scores["verbal"].raw == 0


def test_double_submit_is_harmless_and_nothing_changes_afterwards(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    first = service.submit(db_session, taker).submitted_at
    assert service.submit(db_session, taker).submitted_at == first
    with pytest.raises(errors.AttemptSubmitted):
        service.save_answer(
            db_session, taker, 1, option_at_unchecked(db_session, attempt, 1), False, seq=5
        )


def test_sweeper_submits_expired_attempts_without_a_browser(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    _, expiring = started(db_session, exam, 0)
    frozen.advance(minutes=30)
    _, running = started(db_session, exam, 1)
    frozen.current = expiring.deadline_at + timedelta(seconds=2)
    assert service.submit_expired(db_session) == 0  # still within the grace
    frozen.current = expiring.deadline_at + timedelta(seconds=4)
    assert service.submit_expired(db_session) == 1
    assert (expiring.status, expiring.submitted_by) == ("submitted", "timer")
    assert running.status == "in_progress"
    assert repository.scores_of(db_session, expiring.id)


def test_the_sweeper_wakes_when_the_next_deadline_is_due(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    from app import main

    def factory() -> Session:
        return Session(bind=db_session.connection(), join_transaction_mode="create_savepoint")

    assert main.next_sweep_in(factory, 10) == 10  # nobody running
    _, attempt = started(db_session, exam)
    frozen.current = attempt.deadline_at - timedelta(seconds=4)
    assert main.next_sweep_in(factory, 10) == pytest.approx(4 + 3 + 0.05)
    assert main.next_sweep_in(factory, 5) == 5
    frozen.current = attempt.deadline_at + timedelta(minutes=1)  # overdue: soon, not at once
    assert main.next_sweep_in(factory, 5) == 0.2


def test_a_save_counts_as_seen_for_the_board(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, exam)
    option = option_at(db_session, taker, 1)
    frozen.advance(seconds=20)
    service.save_answer(db_session, taker, 1, option, False, service.seq_base())
    assert attempt.last_seen_at == START + timedelta(seconds=20)


def test_the_sweeper_commits_a_batch_at_a_time(
    db_session: Session, exam: OpenExam, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole room expires at once: batches keep each transaction's row locks short."""
    from app import main

    attempts = [started(db_session, exam, n)[1] for n in range(3)]
    frozen.current = attempts[0].deadline_at + timedelta(seconds=4)
    monkeypatch.setattr(main, "SWEEP_BATCH", 2)
    sessions: list[Session] = []

    def factory() -> Session:
        connection = db_session.connection()
        opened = Session(bind=connection, join_transaction_mode="create_savepoint")
        sessions.append(opened)
        return opened

    assert main.sweep_once(factory) == 3
    assert len(sessions) == 2  # 2, then 1
    db_session.expire_all()
    assert {db_session.get(Attempt, a.id).status for a in attempts} == {"submitted"}


def _scores(db: Session, attempt_id: uuid.UUID) -> list[tuple[str, int, int, int, int]]:
    found = repository.scores_of(db, attempt_id)
    return [(s.subtest_code, s.raw, s.maximum, s.answered, s.items) for s in found]


def test_the_sweeper_scores_a_batch_as_one_at_a_time_in_a_fixed_number_of_queries(
    db_session: Session, tmp_path: Path, frozen: FrozenClock, engine: Engine
) -> None:
    exam = open_exam(db_session, tmp_path, people=5)
    pairs = []
    for n in range(5):  # one second apart: the sweeper takes the earliest deadlines first
        pairs.append(started(db_session, exam, n))
        frozen.advance(seconds=1)
    for n, (taker, _) in enumerate(pairs):  # different answers, some items left open
        for position in range(1, 2 + n % 5):
            option = option_at(db_session, taker, position, index=(n + position) % 3)
            service.save_answer(db_session, taker, position, option, False, service.seq_base())
    attempts = [a for _, a in pairs]
    expected = {}
    for attempt in attempts:  # one at a time, as a submit does (then left unscored)
        score_attempt(db_session, attempt)
        expected[attempt.id] = _scores(db_session, attempt.id)
        for old in repository.scores_of(db_session, attempt.id):
            db_session.delete(old)
    db_session.flush()
    frozen.current = attempts[-1].deadline_at + timedelta(seconds=4)
    with recorded(engine) as seen:
        assert service.submit_expired(db_session, limit=2) == 2
        two = len(seen)
        seen.clear()
        assert service.submit_expired(db_session) == 3
        three = len(seen)
    db_session.expire_all()
    for attempt in attempts:
        assert db_session.get(Attempt, attempt.id).status == "submitted"
        assert _scores(db_session, attempt.id) == expected[attempt.id]
    assert two == three  # a batch is a fixed number of statements, whatever its size
    score_attempt(db_session, db_session.get_one(Attempt, attempts[0].id))
    assert _scores(db_session, attempts[0].id) == expected[attempts[0].id]  # replaced


def test_scoring_from_the_draws_totals_equals_scoring_every_item(
    db_session: Session, tmp_path: Path, engine: Engine
) -> None:
    """A form drawn with its subtest totals is scored from its answered items only (the
    deadline scores 1,000 forms of 700 items at once); the result is the same as reading
    every item of the form, as forms drawn before the totals are scored."""
    exam = open_exam(db_session, tmp_path, people=4)
    pairs = [started(db_session, exam, n) for n in range(4)]
    for n, (taker, _) in enumerate(pairs):  # none, some, all answered; one cleared again
        for position in range(1, 1 + (0, 2, 5, 3)[n]):
            option = option_at(db_session, taker, position, index=(n + position) % 3)
            service.save_answer(db_session, taker, position, option, False, service.seq_base())
        if n == 3:
            service.save_answer(db_session, taker, 2, None, False, service.seq_base() + 10)
    for _, attempt in pairs:
        form = db_session.get(Form, attempt.form_id)
        assert form is not None and form.subtest_totals == {"sjt": [2, 10], "verbal": [3, 3]}
        with recorded(engine) as seen:
            score_attempt(db_session, attempt)
        every_item = [q for q in seen if "FROM exam_form_item" in q and "delivery_answer" not in q]
        assert every_item == []
        from_totals = _scores(db_session, attempt.id)
        form.subtest_totals = None  # as a form drawn before the totals
        db_session.flush()
        score_attempt(db_session, attempt)
        assert _scores(db_session, attempt.id) == from_totals
    assert sum(s[3] for s in _scores(db_session, pairs[3][1].id)) == 2  # the cleared one not


def _version_reads(engine: Engine, run: Callable[[], object]) -> int:
    with recorded(engine) as seen:
        run()
    return len([q for q in seen if "FROM bank_item_version" in q])


def test_a_frozen_versions_scoring_rule_is_kept_by_the_worker_a_drafts_is_read_again(
    db_session: Session, exam: OpenExam, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each attempt closed by a request (the page at zero) read its 700 versions' rules
    (bench/load, deadline); versions in a form are frozen, so the worker keeps their rules.
    A version not frozen may still be edited in place: its rule is read every time."""
    monkeypatch.setattr(scoring, "RULES", scoring.RuleCache())  # this test's worker
    taker, attempt = started(db_session, exam, 0)
    option = option_at(db_session, taker, 1, index=0)
    service.save_answer(db_session, taker, 1, option, False, service.seq_base())
    assert _version_reads(engine, lambda: score_attempt(db_session, attempt)) == 1
    assert _version_reads(engine, lambda: score_attempt(db_session, attempt)) == 0

    monkeypatch.setattr(scoring, "RULES", scoring.RuleCache())
    first = db_session.scalars(
        select(FormItem.item_version_id).where(
            FormItem.form_id == attempt.form_id, FormItem.position == 1
        )
    ).one()
    db_session.execute(update(ItemVersion).values(frozen_at=None))  # drafts, for contrast
    other = "B" if option == "A" else "A"
    for key, points in ((option, 1), (other, 0)):
        db_session.execute(update(ItemVersion).where(ItemVersion.id == first).values(key=key))
        assert _version_reads(engine, lambda: score_attempt(db_session, attempt)) == 1
        subtest = db_session.get(ItemVersion, first).subtest_code
        raw = {code: raw for code, raw, *_ in _scores(db_session, attempt.id)}
        assert raw[subtest] == points


def test_blueprint_sections_are_kept_per_worker_until_the_blueprint_changes(
    db_session: Session, exam: OpenExam
) -> None:
    """A whole room's logins and starts read them; an event's sections change only with its
    blueprint, and a re-import writes both together."""
    from app.exams import repository as exams_repository

    first = service.blueprint_sections(db_session, exam.event)
    assert [s.title for s in first] == [
        s.title for s in exams_repository.sections(db_session, exam.event.id)
    ]
    stored = exams_repository.sections(db_session, exam.event.id)[0]
    stored.title = "Verbal (baru)"
    db_session.flush()
    assert service.blueprint_sections(db_session, exam.event)[0].title == first[0].title  # kept
    exam.event.blueprint_hash = "0" * 64  # what a re-import with another blueprint does
    assert service.blueprint_sections(db_session, exam.event)[0].title == "Verbal (baru)"


# --- sections with their own time limits --------------------------------------------------


@pytest.fixture
def timed_exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path, total_minutes=30, section_limits=(10, None))


def test_sections_with_limits_are_taken_in_order(db_session: Session, timed_exam: OpenExam) -> None:
    taker, attempt = started(db_session, timed_exam)
    service.open_item(db_session, taker, 3)
    with pytest.raises(errors.SectionLocked):
        service.open_item(db_session, taker, 4)
    view = state_view(db_session, taker, attempt)
    assert [s.state for s in view.sections] == ["open", "upcoming"]
    assert view.section_remaining_seconds == 600 and view.remaining_seconds == 1800


def test_expired_section_moves_on_from_its_deadline(
    db_session: Session, timed_exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, timed_exam)
    frozen.advance(minutes=12)
    view = state_view(db_session, taker, service.start(db_session, taker))
    assert view.current_section == 2 and view.current_position == 4
    assert [s.state for s in view.sections] == ["closed", "open"]
    # The second section started when the first ran out, not when the taker came back.
    sections = repository.sections_of(db_session, attempt.id)
    assert sections[2].started_at == START + timedelta(minutes=10)
    with pytest.raises(errors.SectionLocked):
        service.save_answer(
            db_session, taker, 1, option_at_unchecked(db_session, attempt, 1), False, seq=9
        )


def test_finishing_a_section_early(
    db_session: Session, timed_exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, timed_exam)
    frozen.advance(minutes=2)
    service.finish_section(db_session, taker)
    assert attempt.current_section == 2
    service.finish_section(db_session, taker)  # last section: that is the submission
    assert (attempt.status, attempt.submitted_by) == ("submitted", "taker")


def test_section_warning_clock_never_exceeds_the_test(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = open_exam(db_session, tmp_path, total_minutes=12, section_limits=(10, None))
    taker, attempt = started(db_session, exam)
    frozen.advance(minutes=9)
    service.finish_section(db_session, taker)
    view = state_view(db_session, taker, attempt)
    assert view.remaining_seconds == 180 and view.section_remaining_seconds is None


def test_extra_time_stretches_the_whole_test_and_each_timed_section(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    """25 % more of 40 minutes is 50; of a 10-minute section 13 (12.5, rounded up), of a
    20-minute one 25: set at the start and as each section opens, so the hot path (which
    only reads the stored deadlines) and the ORM path agree."""
    from app.delivery import calls, hot

    exam = open_exam(db_session, tmp_path, total_minutes=40, section_limits=(10, 20))
    person = db_session.scalar(select(Participant).where(Participant.nip == exam.nips[0]))
    assert person is not None
    person.extra_time_percent = 25
    db_session.flush()
    taker, token = service.login(db_session, exam.nips[0], exam.token, None)
    assert token is not None
    before = state_view(db_session, taker, None)  # the instructions page
    assert before.total_time_minutes == 50 and before.extra_time_percent == 25
    assert [s.time_limit_minutes for s in before.sections] == [13, 25]
    attempt = service.start(db_session, taker)
    assert attempt.deadline_at == START + timedelta(minutes=50)
    assert repository.sections_of(db_session, attempt.id)[1].deadline_at == START + timedelta(
        minutes=13
    )
    assert service.remaining(db_session, attempt) == (50 * 60, 13 * 60)
    frozen.advance(minutes=14)  # section 1 ran out at 13; section 2 opened then, for 25
    assert calls.read_item(db_session, token, 4).remaining == (36 * 60, 24 * 60)
    sections = repository.sections_of(db_session, attempt.id)
    assert sections[2].started_at == START + timedelta(minutes=13)
    assert sections[2].deadline_at == START + timedelta(minutes=38)
    fast = hot.open_item(db_session, token, 4, frozen.now(), service.answer_grace())
    assert fast is not None  # the hot path reads the stored deadlines: the same clock
    assert fast.snapshot.clock() == service.remaining(db_session, attempt) == (36 * 60, 24 * 60)

    _, plain = started(db_session, exam, 1)  # no accommodation: the blueprint's times
    assert plain.deadline_at == START + timedelta(minutes=54)  # started at minute 14
    assert service.remaining(db_session, plain) == (40 * 60, 10 * 60)


# --- a second item selector ---------------------------------------------------------------


class ReverseSelector:
    """Serves the form back to front: proves delivery only talks to the selector."""

    def __init__(self) -> None:
        from app.delivery.selectors import FixedFormSelector

        self.inner = FixedFormSelector()

    def total_items(self, db: Session, attempt: Attempt) -> int:
        return self.inner.total_items(db, attempt)

    def item_at(self, db: Session, attempt: Attempt, position: int) -> ItemRef | None:
        total = self.total_items(db, attempt)
        if not 1 <= position <= total:
            return None
        ref = self.inner.item_at(db, attempt, total + 1 - position)
        assert ref is not None
        return ItemRef(position, ref.section_position, ref.version_id, ref.option_order)

    def all_items(self, db: Session, attempt: Attempt) -> list[ItemRef]:
        return self.items_between(db, attempt, 1, self.total_items(db, attempt))

    def items_between(self, db: Session, attempt: Attempt, first: int, last: int) -> list[ItemRef]:
        return [r for p in range(first, last + 1) if (r := self.item_at(db, attempt, p))]


def test_attempt_runs_through_another_selector(db_session: Session, exam: OpenExam) -> None:
    register_selector("reverse-test", ReverseSelector)
    taker, attempt = started(db_session, exam)
    attempt.selector = "reverse-test"
    _, ref, version = service.open_item(db_session, taker, 1)
    assert version.subtest_code == "sjt"  # the form's last item comes first
    service.save_answer(db_session, taker, 1, ref.option_order[0], False, seq=1)
    service.submit(db_session, taker)
    scores = {s.subtest_code: s for s in repository.scores_of(db_session, attempt.id)}
    assert scores["sjt"].answered == 1 and scores["verbal"].answered == 0


def test_answer_journal_refuses_update_and_delete(db_session: Session, exam: OpenExam) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    taker, _ = started(db_session, exam)
    service.save_answer(db_session, taker, 1, option_at(db_session, taker, 1), False, seq=1)
    db_session.flush()
    for statement in (
        "UPDATE delivery_answer_journal SET seq = 0",
        "DELETE FROM delivery_answer_journal",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db_session.begin_nested():
            db_session.execute(text(statement))


def count_statements(db: Session, action) -> int:
    with recorded(db.connection()) as statements:
        action()
        db.flush()
    _last_statements[:] = [s.split("\n")[0][:90] for s in statements]
    return len(statements)


_last_statements: list[str] = []


def test_an_answer_save_costs_a_fixed_handful_of_statements(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    """Hot path: login and participant (what authentication reads), attempt (locked),
    sections, form item, answer, then the journal and answer writes and the attempt's
    journal head — the same whatever the form's length or the number of answers already
    stored."""
    exam = open_exam(db_session, tmp_path, people=1, section_limits=(20, None))
    taker, _ = started(db_session, exam)
    options = [option_at(db_session, taker, p) for p in (1, 2, 3)]
    db_session.expire_all()  # a fresh request: nothing in the identity map or caches
    db_session.info.clear()
    first = count_statements(
        db_session, lambda: service.save_answer(db_session, taker, 1, options[0], False, seq=1)
    )
    db_session.expire_all()
    db_session.info.clear()
    later = count_statements(
        db_session, lambda: service.save_answer(db_session, taker, 3, options[2], True, seq=2)
    )
    assert first == later <= 9, _last_statements


def test_heartbeats_record_last_seen_at_most_every_15_seconds(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    taker, attempt = started(db_session, exam)
    service.heartbeat(db_session, taker)
    first = attempt.last_seen_at
    frozen.advance(seconds=10)
    service.heartbeat(db_session, taker)
    assert attempt.last_seen_at == first and not db_session.dirty  # read-only: no write
    frozen.advance(seconds=5)
    service.heartbeat(db_session, taker)
    assert attempt.last_seen_at == START + timedelta(seconds=15)


def test_authenticating_a_taker_request_is_one_statement(
    db_session: Session, exam: OpenExam
) -> None:
    """Every taker API call starts here: the login and its participant in one query."""
    taker, cookie = service.login(db_session, exam.nips[0], exam.token, None)
    db_session.expire_all()
    found: list[service.Taker] = []
    assert (
        count_statements(db_session, lambda: found.append(service.authenticate(db_session, cookie)))
        == 1
    )
    assert found[0].participant.nip == exam.nips[0] and found[0].login.id == taker.login.id
