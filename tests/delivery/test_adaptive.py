"""Adaptive sections in delivery (issue 21): the next item chosen on the server as the taker
answers, θ and SE stored with each, no going back, the section closing when it stops, and
the stored steps reproducing the sequence exactly."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import make_engine, make_sessionmaker
from app.delivery import adaptive, errors, service
from app.delivery.models import AdaptiveStep, Attempt
from app.delivery.plans import SectionPlan
from app.exams import adaptive_pools
from app.exams import repository as exams_repository
from app.exams.models import AdaptivePool, Form, FormItem
from app.kit.clock import FrozenClock, use_clock
from tests.delivery.adaptive_factories import adaptive_exam, adaptive_section
from tests.delivery.factories import OpenExam

START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(START)) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return adaptive_exam(db_session, tmp_path)


def started(db: Session, exam: OpenExam, n: int = 0) -> tuple[service.Taker, Attempt]:
    taker, _ = service.login(db, exam.nips[n], exam.token, None)
    return taker, service.start(db, taker)


seq = iter(range(10**6, 10**9))


def answer(db: Session, taker: service.Taker, position: int, index: int = 0) -> service.SaveResult:
    _, ref, _ = service.open_item(db, taker, position)
    _, result = service.save_answer(db, taker, position, ref.option_order[index], False, next(seq))
    return result


def through_verbal(db: Session, taker: service.Taker) -> Attempt:
    for position in (1, 2, 3):
        answer(db, taker, position)
    return service.finish_section(db, taker)


def plan_of(db: Session, exam: OpenExam, position: int) -> SectionPlan:
    return next(s for s in service.blueprint_sections(db, exam.event) if s.position == position)


def sit_adaptive(db: Session, taker: service.Taker, attempt: Attempt, index: int = 1) -> list[int]:
    """Answer the adaptive section until it closes (always option `index` of each item);
    returns the positions given."""
    given = []
    while attempt.current_section == 2 and attempt.status == "in_progress":
        position = attempt.current_position
        given.append(position)
        result = answer(db, taker, position, index)
        assert result.next_position == attempt.current_position
    return given


def test_a_form_reserves_the_adaptive_positions_and_the_pool_is_frozen(
    db_session: Session, exam: OpenExam
) -> None:
    form = db_session.scalars(select(Form)).first()
    assert form is not None and form.item_count == 3 + 6 + 2
    positions = db_session.scalars(
        select(FormItem.position).where(FormItem.form_id == form.id).order_by(FormItem.position)
    )
    assert list(positions) == [1, 2, 3, 10, 11]  # 4..9: chosen as the taker answers
    pool = exams_repository.adaptive_pool(db_session, exam.event.id, 2, exam.event.blueprint_hash)
    assert pool is not None and len(pool.items) == 48 and pool.parameters is None
    assert {row[4] for row in pool.items} == {1.0}  # randomesque: no Sympson–Hetter K
    assert [row[1] for row in pool.items] == sorted(row[1] for row in pool.items)


def test_the_next_item_is_chosen_when_the_answer_arrives(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    assert attempt.selector == "adaptive"
    with pytest.raises(errors.ItemNotFound):  # nothing chosen before the section opens
        service.open_item(db_session, taker, 4)
    with pytest.raises(errors.SectionLocked):  # sections are taken in order
        service.open_item(db_session, taker, 10)
    attempt = through_verbal(db_session, taker)
    assert (attempt.current_section, attempt.current_position) == (2, 4)
    with pytest.raises(errors.ItemNotFound):  # not chosen yet
        service.open_item(db_session, taker, 5)
    result = answer(db_session, taker, 4)
    assert (result.next_position, result.section_closed) == (5, False)
    steps = adaptive.steps_of(db_session, attempt.id)
    assert [(s.position, s.step) for s in steps] == [(4, 1), (5, 2)]
    assert steps[0].response in (0, 1) and steps[0].theta is not None
    assert (steps[0].se or 1.0) < 1.0
    assert steps[1].response is None  # the current item


def test_no_going_back_inside_an_adaptive_section(db_session: Session, exam: OpenExam) -> None:
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    _, ref, _ = service.open_item(db_session, taker, 4)
    first = next(seq)
    service.save_answer(db_session, taker, 4, ref.option_order[0], False, first)
    with pytest.raises(errors.ItemNotCurrent):
        service.open_item(db_session, taker, 4)
    with pytest.raises(errors.ItemNotCurrent):  # a change of an answered item
        service.save_answer(db_session, taker, 4, ref.option_order[1], False, next(seq))
    # the same save again (a retry, the offline queue): not applied, where to go next
    _, again = service.save_answer(db_session, taker, 4, ref.option_order[0], False, first)
    assert (again.applied, again.next_position) == (False, 5)
    with pytest.raises(errors.AnswerRequired):  # the next item is chosen from the answer
        service.save_answer(db_session, taker, 5, None, True, next(seq))
    _, batch = service.open_items(db_session, taker, 1, 11)
    assert [ref.position for ref, _, _ in batch] == [5]  # only the current item
    service.heartbeat(db_session, taker, 4)  # a page reporting an answered item
    assert attempt.current_position == 5


def test_the_section_closes_when_it_stops_and_the_next_opens(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    given = sit_adaptive(db_session, taker, attempt)
    # stop_se 0.2 is out of reach in 6 items: the maximum ends it
    assert given == [4, 5, 6, 7, 8, 9]
    assert (attempt.current_section, attempt.current_position) == (3, 10)
    sections = service.attempt_sections(db_session, attempt)
    assert sections[2].closed_at is not None and sections[3].closed_at is None
    steps = adaptive.steps_of(db_session, attempt.id)
    assert all(s.theta is not None and s.se is not None for s in steps)
    assert (steps[-1].se or 1.0) < (steps[0].se or 0.0)


def test_the_se_target_stops_the_section_after_the_minimum(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = adaptive_exam(db_session, tmp_path, sections=[adaptive_section(stop_se=0.99)])
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    assert sit_adaptive(db_session, taker, attempt) == [4, 5, 6]  # min_items 3


def test_an_audit_replay_reproduces_the_sequence_and_finds_a_changed_answer(
    db_session: Session, exam: OpenExam
) -> None:
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    for _ in range(4):
        answer(db_session, taker, attempt.current_position, 1)
    plan = plan_of(db_session, exam, 2)
    replayed = adaptive.replay(db_session, attempt, exam.event, plan)
    steps = adaptive.steps_of(db_session, attempt.id)
    assert replayed.matches, replayed.problem
    assert len(replayed.items) == len(steps) == 5  # four answered and the current one
    assert replayed.thetas == [s.theta for s in steps[:4]]
    db_session.execute(
        update(AdaptiveStep)
        .where(AdaptiveStep.attempt_id == attempt.id, AdaptiveStep.step == 2)
        .values(response=1 - (steps[1].response or 0))
    )
    db_session.expire_all()
    changed = adaptive.replay(db_session, attempt, exam.event, plan)
    assert not changed.matches and changed.problem


def test_a_resume_in_another_session_continues_the_same_sequence(
    db_session: Session, exam: OpenExam
) -> None:
    """Two takers with the same form seed and the same answers get the same items: the
    choice depends on nothing but the stored steps (a reload, a PC swap)."""
    (one, first), (two, second) = started(db_session, exam, 0), started(db_session, exam, 1)
    forms = {f.id: f for f in db_session.scalars(select(Form))}
    forms[second.form_id].seed = forms[first.form_id].seed
    db_session.flush()
    for taker in (one, two):
        through_verbal(db_session, taker)
    for taker in (one, two):
        service.logout(db_session, taker)  # a PC swap: a new login resumes
        again, _ = service.login(db_session, taker.participant.nip, exam.token, None)
        sit_adaptive(db_session, again, service.start(db_session, again))
    codes = [
        [(s.item_version_id, s.option_order, s.theta) for s in adaptive.steps_of(db_session, a.id)]
        for a in (first, second)
    ]
    assert codes[0] == codes[1]


def test_graded_items_are_chosen_and_coded_as_scoring_codes_them(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    exam = adaptive_exam(db_session, tmp_path, sections=[adaptive_section("sjt")])
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    fixed = set(
        db_session.scalars(
            select(FormItem.item_version_id).where(FormItem.form_id == attempt.form_id)
        )
    )
    while attempt.current_section == 2 and attempt.status == "in_progress":
        shown = adaptive.steps_of(db_session, attempt.id)[-1]  # the item on screen
        answer(db_session, taker, attempt.current_position, shown.option_order.index("A"))
    steps = adaptive.steps_of(db_session, attempt.id)
    assert not fixed & {s.item_version_id for s in steps}  # at most once per form
    assert steps[0].excluded and len(steps[0].excluded) == 2  # the sjt section's two items
    # option A of the graded items earns 5 points: the top category (4), wherever it is shown
    assert len(steps) > 1 and {s.response for s in steps} == {4}


def test_sympson_hetter_parameters_are_frozen_with_the_pool(
    db_session: Session, tmp_path: Path, frozen: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(adaptive_pools, "SH_SIMULEES", 120)
    monkeypatch.setattr(adaptive_pools, "SH_ROUNDS", 4)
    section = adaptive_section(exposure={"method": "sympson-hetter", "max_rate": 0.25})
    exam = adaptive_exam(db_session, tmp_path, sections=[section])
    pool = db_session.scalars(select(AdaptivePool)).one()
    k = [row[4] for row in pool.items]
    assert min(k) < 1.0 and max(k) == 1.0
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    sit_adaptive(db_session, taker, attempt)
    replayed = adaptive.replay(db_session, attempt, exam.event, plan_of(db_session, exam, 2))
    assert replayed.matches, replayed.problem


def test_a_named_parameter_set_gives_the_pool_its_parameters(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    """The section chooses by the calibrated estimates of the set it names, not the bank's;
    an item the set lacks is refused at import like one without parameters."""
    from app.bank.models import ItemVersion
    from app.exams.service import EventImportRejected
    from app.scoring.models import ParameterEntry, ParameterSet
    from tests.delivery.factories import open_exam

    calibrated = open_exam(db_session, tmp_path / "calibrated")  # the set's own event
    exam_dir = tmp_path / "adaptive"
    chosen = ParameterSet(
        name="kalibrasi",
        version=1,
        event_id=calibrated.event.id,
        subtests={},
        created_at=START,
        created_by="analis",
    )
    db_session.add(chosen)
    db_session.flush()
    section = adaptive_section(parameters="kalibrasi")
    with pytest.raises(EventImportRejected) as refused:  # the set holds no numerik item
        adaptive_exam(db_session, exam_dir, sections=[section], code="proasn-adaptif")
    assert any(
        "48 butir pool tanpa parameter IRT" in p and "dalam set kalibrasi v1" in p
        for p in refused.value.setup_problems
    ), refused.value.setup_problems
    numerik = db_session.scalars(
        select(ItemVersion).where(ItemVersion.subtest_code == "numerik")
    ).all()
    for version in numerik:
        db_session.add(
            ParameterEntry(
                set_id=chosen.id,
                item_version_id=version.id,
                subtest_code="numerik",
                model="2pl",
                params={"a": 2.0, "b": 0.5},
                se={},
                n=300,
            )
        )
    db_session.flush()
    exam = adaptive_exam(db_session, exam_dir, sections=[section], code="proasn-adaptif")
    pool = exams_repository.adaptive_pool(db_session, exam.event.id, 2, exam.event.blueprint_hash)
    assert pool is not None and pool.parameters == "kalibrasi v1"
    assert {(row[3]["a"], row[3]["b"]) for row in pool.items} == {(2.0, 0.5)}


def test_the_proctor_board_counts_answered_against_the_maximum(
    db_session: Session, exam: OpenExam
) -> None:
    from app.proctoring.board import build_board

    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    answer(db_session, taker, 4)
    answer(db_session, taker, 5)
    row = next(r for r in build_board(db_session, exam.session.id).rows if r.answered)
    assert (row.answered, row.total) == (5, 3 + 6 + 2)  # the adaptive section at its maximum


def test_the_hot_path_serves_drawn_items_and_leaves_adaptive_ones_to_the_orm_path(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    from app.delivery import hot
    from app.delivery.core import Answering

    taker, token = service.login(db_session, exam.nips[0], exam.token, None)
    assert token is not None
    service.start(db_session, taker)
    grace = service.answer_grace()
    _, ref, _ = service.open_item(db_session, taker, 1)
    fixed = Answering(1, ref.option_order[0], False, next(seq))
    assert hot.save_answer(db_session, token, fixed, frozen.current, grace) is not None
    assert hot.open_items(db_session, token, 1, 3, frozen.current, grace) is None  # batches
    through_verbal(db_session, taker)
    _, ref, _ = service.open_item(db_session, taker, 4)
    chosen = Answering(4, ref.option_order[0], False, next(seq))
    assert hot.open_item(db_session, token, 4, frozen.current, grace) is None
    assert hot.save_answer(db_session, token, chosen, frozen.current, grace) is None


def test_raw_scores_count_the_items_given_and_a_scoring_run_reads_them(
    db_session: Session, exam: OpenExam
) -> None:
    """Submission's raw scores cover the adaptive items given; so does a scoring run, which
    reads them from the steps (they are not in the form's table): tests/scoring/
    test_adaptive_scoring.py holds its θ to the stored one."""
    from app.delivery import repository as delivery_repository
    from app.scoring.service import event_scores

    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    given = sit_adaptive(db_session, taker, attempt)
    service.submit(db_session, taker)
    scores = {s.subtest_code: s for s in delivery_repository.scores_of(db_session, attempt.id)}
    assert scores["numerik"].items == scores["numerik"].answered == len(given)
    _, per_subtest = event_scores(db_session, exam.event)
    numerik = per_subtest["numerik"][taker.participant.id]
    assert numerik["items"] == numerik["adaptive_items"] == len(given)
    assert numerik["raw"] == scores["numerik"].raw


def test_the_section_time_closes_an_adaptive_section_too(
    db_session: Session, tmp_path: Path, frozen: FrozenClock
) -> None:
    timed = adaptive_section() | {"time_limit_minutes": 5}
    exam = adaptive_exam(db_session, tmp_path, sections=[timed])
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    answer(db_session, taker, 4)
    frozen.advance(minutes=6)
    with pytest.raises(errors.SectionLocked):  # its time ran out: closed before the save
        answer(db_session, taker, 5)
    assert (attempt.current_section, attempt.current_position) == (3, 10)
    assert len(adaptive.steps_of(db_session, attempt.id)) == 2  # given: two of at most six


def test_the_place_kept_per_worker_is_the_one_every_stored_step_gives(
    db_session: Session, exam: OpenExam
) -> None:
    """After each answer the taker's place kept for the next (engine state, current step)
    is exactly the one read from every stored step, as another worker would read it."""
    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    plan = plan_of(db_session, exam, 2)
    checked = 0
    while attempt.current_section == 2 and attempt.status == "in_progress":
        kept = adaptive.progress(db_session, attempt, exam.event, plan)
        assert kept is adaptive.progress(db_session, attempt, exam.event, plan)  # not read
        assert kept == adaptive.read_progress(db_session, attempt, exam.event, plan)
        assert kept.position == attempt.current_position
        answer(db_session, taker, attempt.current_position, checked % 2)
        checked += 1
    assert checked >= 3


def test_a_kept_place_costs_no_statement_to_confirm(db_session: Session, exam: OpenExam) -> None:
    """The save has just read the section's unanswered step with the attempt locked, so the
    kept place on it is confirmed without reading the step again: the answer writes the step
    and the next one, and reads no step."""
    from sqlalchemy import event as sa_event

    taker, attempt = started(db_session, exam)
    through_verbal(db_session, taker)
    plan = plan_of(db_session, exam, 2)
    kept = adaptive.progress(db_session, attempt, exam.event, plan)
    _, ref, _ = service.open_item(db_session, taker, attempt.current_position)
    statements: list[str] = []
    connection = db_session.connection()

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0].upper())

    sa_event.listen(connection, "before_cursor_execute", seen)
    try:
        done = adaptive.answer(
            db_session,
            attempt,
            exam.event,
            plan,
            ref.position,
            ref.option_order[0],
            datetime.now(UTC),
            ref.version_id,
        )
    finally:
        sa_event.remove(connection, "before_cursor_execute", seen)
    assert kept.position == ref.position and done.next_position == ref.position + 1
    # PostgreSQL: one statement (the update a CTE of the insert); elsewhere the two.
    one = connection.dialect.name == "postgresql"
    assert statements == (["WITH"] if one else ["UPDATE", "INSERT"])


def test_a_worker_without_the_place_chooses_the_same_items(
    db_session: Session, exam: OpenExam
) -> None:
    """Two takers with one form seed and the same answers: one served from the kept place,
    the other as if each answer reached a worker that never served them (a PC swap, a
    restart): the same items, option orders, θ and SE."""
    (one, first), (two, second) = started(db_session, exam, 0), started(db_session, exam, 1)
    forms = {f.id: f for f in db_session.scalars(select(Form))}
    forms[second.form_id].seed = forms[first.form_id].seed
    db_session.flush()
    for taker in (one, two):
        through_verbal(db_session, taker)
    sit_adaptive(db_session, one, first)
    while second.current_section == 2 and second.status == "in_progress":
        adaptive.forget_progress(db_session)
        answer(db_session, two, second.current_position, 1)
    steps = [
        [(s.item_version_id, s.option_order, s.passed, s.theta, s.se) for s in stored]
        for stored in (adaptive.steps_of(db_session, a.id) for a in (first, second))
    ]
    assert len(steps[0]) >= 3 and steps[0] == steps[1]


def test_a_worker_keeps_committed_places_only_and_checks_them(
    fresh_database_url: str, tmp_path: Path, frozen: FrozenClock
) -> None:
    """A place is the worker's once its transaction commits (a rolled-back one is not); a
    place kept before the stored steps moved on (another worker served the taker in between)
    is checked against the last stored step and read again: the sequence replays exactly."""
    engine = make_engine(fresh_database_url)
    try:
        with make_sessionmaker(engine)() as db:
            exam = adaptive_exam(db, tmp_path)
            taker, attempt = started(db, exam)
            through_verbal(db, taker)  # the section opens: its first item chosen
            db.commit()
            opened = adaptive.kept_progress(attempt.id, 2)
            assert opened is not None and opened.step == 1
            savepoint = db.begin_nested()
            answer(db, taker, attempt.current_position, 1)
            savepoint.rollback()
            db.commit()
            assert adaptive.kept_progress(attempt.id, 2) == opened
            answer(db, taker, attempt.current_position, 1)
            db.commit()
            stale = adaptive.kept_progress(attempt.id, 2)
            assert stale is not None and stale.step == 2
            answer(db, taker, attempt.current_position, 0)  # served elsewhere, say
            db.commit()
            adaptive._PROGRESS[(attempt.id, 2)] = stale  # this worker's older place
            sit_adaptive(db, taker, attempt)
            replayed = adaptive.replay(db, attempt, exam.event, plan_of(db, exam, 2))
            assert replayed.matches, replayed.problem
    finally:
        engine.dispose()
