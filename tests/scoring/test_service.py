"""Scoring runs on the real database: raw, θ, norms, composite, levels, publishing,
re-scoring and neutralising; item statistics against the worked example in the docs."""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.audit.service import Actor
from app.bank.models import ItemVersion
from app.delivery import service as delivery
from app.delivery.selectors import selector_for
from app.i18n import current_locale
from app.kit.clock import FrozenClock, use_clock
from app.scoring import repository, service
from app.scoring.item_analysis import analyse
from app.scoring.models import NormEntry
from tests.delivery.factories import OpenExam, open_exam

ANALYST = Actor(None, "analis", "analyst")


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))) as c:
        yield c


@pytest.fixture
def exam(db_session: Session, tmp_path: Path, frozen: FrozenClock) -> OpenExam:
    return open_exam(db_session, tmp_path, people=3)


def sit(db: Session, exam: OpenExam, n: int, best: bool, cookie: str | None = None) -> None:
    """Participant n answers every item best (keyed right, graded 5) or worst (wrong, 1)."""
    taker, _ = delivery.login(db, exam.nips[n], exam.token, cookie)
    attempt = delivery.start(db, taker)
    for ref in selector_for(attempt).all_items(db, attempt):
        version = db.get(ItemVersion, ref.version_id)
        assert version is not None
        if version.scoring == "keyed":
            option = version.key if best else next(o for o in ref.option_order if o != version.key)
        else:
            points = version.points or {}
            option = (max if best else min)(points, key=lambda o: points[o])
        delivery.save_answer(db, taker, ref.position, option, False, seq=ref.position)
    delivery.submit(db, taker)


def by_nip(db: Session, run, exam: OpenExam):
    from app.exams.models import Participant

    people = {p.id: p.nip for p in db.scalars(select(Participant))}
    return {people[r.participant_id]: r for r in repository.records(db, run.id)}


def test_scores_against_the_hand_worked_example(db_session: Session, exam: OpenExam) -> None:
    # docs/scoring.md, example 3: A answers everything best, B everything worst, C is absent.
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    run = service.run_scoring(db_session, exam.event, ANALYST)
    records = by_nip(db_session, run, exam)
    a, b, c = (records[n] for n in exam.nips)
    verbal = a.subtests["verbal"]
    assert (verbal["raw"], verbal["max"], verbal["percent"]) == (3, 3, 100.0)
    assert b.subtests["verbal"]["raw"] == 0 and b.subtests["sjt"]["raw"] == 2
    assert a.subtests["sjt"]["raw"] == 10 and a.subtests["sjt"]["max"] == 10
    assert b.subtests["sjt"]["percent"] == 20.0
    assert a.subtests["verbal"]["t"] == pytest.approx(57.0711, abs=1e-4)
    assert b.subtests["verbal"]["t"] == pytest.approx(42.9289, abs=1e-4)
    assert (a.stanine, a.level, b.stanine, b.level) == (6, "menengah", 4, "menengah")
    assert a.composite_t == pytest.approx(57.0711, abs=1e-4)
    assert (c.attempt_status, c.subtests, c.level) == ("not_started", {}, None)
    entries = repository.norm_entries(db_session, run.norm_id)
    assert entries["verbal"].mean == 50 and entries["verbal"].sd == pytest.approx(70.7107, 1e-4)
    assert run.settings["levels"]["labels"] == ["rendah", "menengah", "tinggi"]


def test_irt_items_give_theta_with_standard_error(db_session: Session, exam: OpenExam) -> None:
    db_session.execute(
        update(ItemVersion)
        .where(ItemVersion.subtest_code == "verbal")
        .values(irt={"model": "2pl", "a": 1.2, "b": 0.0})
    )
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    run = service.run_scoring(db_session, exam.event, ANALYST)
    a, b = (by_nip(db_session, run, exam)[n] for n in exam.nips[:2])
    assert a.subtests["verbal"]["theta"] > 0.5 > -0.5 > b.subtests["verbal"]["theta"]
    assert 0.3 < a.subtests["verbal"]["se"] < 1.0
    assert a.subtests["sjt"]["theta"] is None  # sjt items here carry no IRT parameters
    assert repository.norm_entries(db_session, run.norm_id)["verbal"].metric == "theta"


def test_rescoring_makes_a_new_run_and_keeps_the_old_one(
    db_session: Session, exam: OpenExam
) -> None:
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    first = service.run_scoring(db_session, exam.event, ANALYST)
    second = service.run_scoring(db_session, exam.event, ANALYST, norm_id=first.norm_id)
    assert (first.number, second.number) == (1, 2) and second.norm_id == first.norm_id
    assert len(repository.records(db_session, first.id)) == 3
    assert service.publish(db_session, ANALYST, second)
    assert not service.publish(db_session, ANALYST, second)
    assert repository.published_run(db_session, exam.event.id).id == second.id


def test_neutralised_item_is_scored_for_nobody_in_a_new_run(
    db_session: Session, exam: OpenExam
) -> None:
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    first = service.run_scoring(db_session, exam.event, ANALYST)
    a_first = by_nip(db_session, first, exam)[exam.nips[0]]
    taker, _ = delivery.login(db_session, exam.nips[2], exam.token, None)  # any drawn item
    attempt = delivery.start(db_session, taker)
    faulty = selector_for(attempt).all_items(db_session, attempt)[0].version_id
    seen_by_a = any(faulty == ref.version_id for ref in _refs(db_session, exam, 0))
    second = service.neutralise(db_session, ANALYST, exam.event, faulty, "kunci salah")
    a_second = by_nip(db_session, second, exam)[exam.nips[0]]
    assert second.number == 2 and str(faulty) in second.neutralised
    expected = a_first.subtests["verbal"]["max"] - (1 if seen_by_a else 0)
    assert a_second.subtests["verbal"]["max"] == expected
    with pytest.raises(service.ScoringRefused):
        service.neutralise(db_session, ANALYST, exam.event, faulty, " ")


def _refs(db: Session, exam: OpenExam, n: int):
    from app.delivery import repository as delivery_repository
    from app.exams.models import Participant

    participant = db.scalar(select(Participant).where(Participant.nip == exam.nips[n]))
    attempt = delivery_repository.attempt_of(db, participant.id)
    assert attempt is not None
    return selector_for(attempt).all_items(db, attempt)


def test_scoring_nothing_is_refused(db_session: Session, exam: OpenExam) -> None:
    with pytest.raises(service.ScoringRefused, match="belum ada tes") as refused:
        service.run_scoring(db_session, exam.event, ANALYST)
    # The same refusal reads in English on an English page; its code does not change.
    expected = f"No finished test to score in {exam.event.code} yet"
    assert refused.value.message_in("en") == expected
    token = current_locale.set("en")
    try:
        assert refused.value.message == expected and refused.value.code == "scoring_refused"
    finally:
        current_locale.reset(token)


def test_frozen_norm_does_not_move_with_new_results(
    db_session: Session, exam: OpenExam, frozen: FrozenClock
) -> None:
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    first = service.run_scoring(db_session, exam.event, ANALYST)
    before = {
        e.subtest_code: (e.mean, e.sd)
        for e in db_session.scalars(select(NormEntry).where(NormEntry.norm_id == first.norm_id))
    }
    frozen.advance(minutes=1)
    sit(db_session, exam, 2, best=True)
    service.run_scoring(db_session, exam.event, ANALYST, norm_id=first.norm_id)
    after = {
        e.subtest_code: (e.mean, e.sd)
        for e in db_session.scalars(select(NormEntry).where(NormEntry.norm_id == first.norm_id))
    }
    assert before == after


def test_item_statistics_match_the_worked_example() -> None:
    # docs/scoring.md, example 4: four takers, three keyed items.
    matrix = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)
    items, summary = analyse(matrix, np.ones(3), ["I1", "I2", "I3"])
    assert [round(i.facility, 2) for i in items] == [75.0, 50.0, 25.0]
    assert items[0].discrimination == pytest.approx(52.22, abs=0.01)
    assert items[1].discrimination == pytest.approx(70.71, abs=0.01)
    assert items[0].efficiency == pytest.approx(100.0)
    assert (summary.n, summary.mean, summary.median) == (4, 1.5, 1.5)
    assert summary.sd == pytest.approx(1.2910, abs=1e-4)
    assert summary.skewness == pytest.approx(0.0) and summary.kurtosis == pytest.approx(-1.2)
    assert summary.alpha == pytest.approx(0.75)
    assert summary.error_ratio == pytest.approx(50.0) and summary.sem == pytest.approx(
        0.6455, abs=1e-4
    )


def test_items_seen_by_a_subset_report_their_own_n() -> None:
    matrix = np.array([[1, np.nan], [0, 1], [1, 0], [np.nan, 1]], dtype=float)
    items, _ = analyse(matrix, np.ones(2), ["a", "b"])
    assert [i.n for i in items] == [3, 3]


def test_a_negatively_discriminating_item_is_flagged() -> None:
    matrix = np.array([[0, 1, 1], [0, 1, 1], [1, 0, 0], [1, 0, 1]], dtype=float)
    items, _ = analyse(matrix, np.ones(3), ["x", "y", "z"])
    discrimination = items[0].discrimination
    assert items[0].dubious and discrimination is not None and discrimination < 0


def test_run_is_audited(db_session: Session, exam: OpenExam) -> None:
    from app.audit.models import AuditEntry

    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    service.run_scoring(db_session, exam.event, ANALYST)
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "scoring.run"))
    assert entry is not None and entry.details["participants"] == 3


def test_a_corrected_key_rescores_into_a_new_run(db_session: Session, exam: OpenExam) -> None:
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    first = service.run_scoring(db_session, exam.event, ANALYST)
    ref = next(
        r
        for r in _refs(db_session, exam, 0)
        if db_session.get_one(ItemVersion, r.version_id).scoring == "keyed"
    )
    version = db_session.get(ItemVersion, ref.version_id)
    assert version is not None
    other = next(o["id"] for o in version.options if o["id"] != version.key)
    second = service.correct_key(db_session, ANALYST, exam.event, version, other, "kunci salah")
    before = by_nip(db_session, first, exam)[exam.nips[0]].subtests["verbal"]["raw"]
    after = by_nip(db_session, second, exam)[exam.nips[0]].subtests["verbal"]["raw"]
    assert (second.number, after) == (2, before - 1)
    assert version.key != other  # the stored item version itself is untouched
    with pytest.raises(service.ScoringRefused):
        service.correct_key(db_session, ANALYST, exam.event, version, "Z", "x")


def test_cohort_norm_of_one_eselon_level(db_session: Session, exam: OpenExam) -> None:
    sit(db_session, exam, 0, best=True)
    sit(db_session, exam, 1, best=False)
    with pytest.raises(service.ScoringRefused, match="norma tidak dapat dibuat"):
        service.run_scoring(db_session, exam.event, ANALYST, cohort_eselon="III")
    run = service.run_scoring(db_session, exam.event, ANALYST, cohort_eselon="IV")
    from app.scoring.models import Norm

    assert db_session.get(Norm, run.norm_id).name.endswith("kohort eselon IV")
