"""Retention purge: what goes, in what order, what is never touched, batches all-or-nothing,
and the audit log keeping counts only."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from app.audit.models import AuditEntry
from app.audit.service import Actor
from app.cli import app as cli
from app.delivery.models import Answer, AnswerJournal, Attempt, PurgedAttempt, TakerLogin
from app.exams.models import Participant
from app.kit.clock import FrozenClock, use_clock
from app.privacy import purge as purge_module
from app.privacy import repository
from app.privacy.purge import run_purge
from app.privacy.retention import Retention, RetentionInvalid, load_retention
from app.scoring import repository as scoring_repository
from app.scoring import service as scoring
from app.scoring.models import ScoreRecord, ScoringRun
from app.scoring.selfview import SelfViewRefused, own_results
from tests.privacy.factories import PUBLISHED_AT, scored_world, session_of
from tests.scoring.test_service import ANALYST

PURGER = Actor(None, "cli:dpo", "analyst")
LATER = PUBLISHED_AT + timedelta(days=31 * 25)  # past the 24-month default for answers


@pytest.fixture
def frozen():
    with use_clock(FrozenClock(PUBLISHED_AT)) as c:
        yield c


def counts(url: str) -> dict[str, int]:
    with session_of(url) as db:
        return {
            name: db.scalar(select(func.count()).select_from(model)) or 0
            for name, model in (
                ("answers", Answer),
                ("journal", AnswerJournal),
                ("attempts", Attempt),
                ("records", ScoreRecord),
                ("logins", TakerLogin),
                ("purged", PurgedAttempt),
            )
        }


def at_later(frozen: FrozenClock) -> None:
    frozen.advance(seconds=(LATER - frozen.now()).total_seconds())


def test_dry_run_reports_and_removes_nothing(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    world = scored_world(fresh_database_url, tmp_path)
    before = counts(world.url)
    at_later(frozen)
    report = run_purge(lambda: session_of(world.url), Retention(), PURGER, dry_run=True)
    answers = next(k for k in report.kinds if k.kind == "answers")
    assert answers.counts["attempts"] == 2 and answers.counts["answers"] == before["answers"] > 0
    assert answers.counts["journal"] == before["journal"] > 0
    assert counts(world.url) == before
    with session_of(world.url) as db:
        assert db.scalar(select(func.count()).where(AuditEntry.action == "privacy.purge")) == 0


def test_answers_go_after_their_period_and_scores_stay(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    world = scored_world(fresh_database_url, tmp_path)
    before = counts(world.url)
    frozen.advance(days=365)  # within the period: nothing goes
    report = run_purge(lambda: session_of(world.url), Retention(), PURGER)
    assert report.failed is None and counts(world.url) == before
    at_later(frozen)
    report = run_purge(lambda: session_of(world.url), Retention(), PURGER)
    after = counts(world.url)
    assert report.failed is None
    assert (after["answers"], after["journal"], after["logins"], after["purged"]) == (0, 0, 0, 2)
    assert (after["attempts"], after["records"]) == (before["attempts"], before["records"])
    with session_of(world.url) as db:
        rows = list(db.scalars(select(AuditEntry).where(AuditEntry.action == "privacy.purge")))
        answers = [r for r in rows if r.target_label == "answers/attempts"]
        assert answers and answers[0].details["removed"]["journal"] == before["journal"]
        logged = " ".join(f"{r.target_label} {r.details} {r.reason}" for r in rows)
        assert not any(nip in logged for nip in world.nips)  # counts only, never a NIP
        event = db.scalar(select(Participant.event_id))
        from app.exams.models import Event

        with pytest.raises(scoring.ScoringRefused, match="retensi"):
            scoring.run_scoring(db, db.get_one(Event, event), ANALYST)
    again = run_purge(lambda: session_of(world.url), Retention(), PURGER)
    assert next(k for k in again.kinds if k.kind == "answers").counts == {}  # idempotent


def test_the_journal_still_refuses_deletes_outside_the_purge(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    world = scored_world(fresh_database_url, tmp_path)
    with pytest.raises(DBAPIError, match="append-only"), session_of(world.url) as db:
        db.execute(text("DELETE FROM delivery_answer_journal"))
    with pytest.raises(DBAPIError, match="append-only"), session_of(world.url) as db:
        db.execute(text("UPDATE delivery_answer_journal SET position = 1"))
    assert counts(world.url)["journal"] > 0


def test_unpublished_or_rescoring_events_are_never_touched(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    world = scored_world(fresh_database_url, tmp_path, publish=False)
    before = counts(world.url)
    at_later(frozen)
    report = run_purge(
        lambda: session_of(world.url),
        Retention(answers_months=12, talentbox_months=12, identity_months=24),
        PURGER,
    )
    assert counts(world.url) == before
    answers = next(k for k in report.kinds if k.kind == "answers")
    assert answers.held_back["events_not_published"] == 1
    with session_of(world.url) as db:  # published, then a newer unpublished run (re-scoring)
        from app.exams.models import Event

        event = db.scalar(select(Event))
        assert event is not None
        runs = scoring_repository.runs(db, event.id)
        scoring.publish(db, ANALYST, runs[0])
        frozen.advance(days=1)
        scoring.run_scoring(db, event, ANALYST)
    rescoring = counts(world.url)
    frozen.advance(days=31 * 25)
    retention = Retention(answers_months=12, talentbox_months=12, identity_months=24)
    run_purge(lambda: session_of(world.url), retention, PURGER)
    assert counts(world.url) == rescoring and rescoring["answers"] == before["answers"]


def test_a_failing_batch_is_rolled_back_whole_and_stops_the_purge(
    fresh_database_url: str, tmp_path: Path, frozen, monkeypatch
) -> None:
    world = scored_world(fresh_database_url, tmp_path)
    calls = []
    real = repository.delete_answers

    def second_fails(db, ids, now):
        calls.append(ids)
        real(db, ids, now)  # the deletes run, then the batch fails: all of it must roll back
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(repository, "delete_answers", second_fails)
    at_later(frozen)
    report = run_purge(lambda: session_of(world.url), Retention(batch_size=1), PURGER)
    assert (
        report.failed and "disk full" in report.failed and "answers/attempts (1)" in report.failed
    )
    after = counts(world.url)
    assert after["purged"] == 1  # the first batch stands, the second left nothing behind
    with session_of(world.url) as db:
        kept = db.scalars(select(Answer.attempt_id).distinct()).all()
        assert kept == [calls[1][0]]
        assert db.scalar(select(func.count()).where(AuditEntry.action == "privacy.purge")) == 1
    assert purge_module.KINDS[0] == "answers"  # answers first, before anything else


def test_identity_is_pseudonymised_last_unless_the_talent_box_still_names_the_run(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    from app.talentbox.models import PotencyImport, PotencyRow

    world = scored_world(fresh_database_url, tmp_path)
    with session_of(world.url) as db:
        run = db.scalar(select(ScoringRun))
        batch = PotencyImport(
            file_name="skor.csv",
            checksum="x",
            scoring_run_ids=[str(run.id)],
            rows=1,
            imported_at=PUBLISHED_AT + timedelta(days=31 * 20),
            imported_by="analis",
        )
        db.add(batch)
        db.flush()
        db.add(
            PotencyRow(
                import_id=batch.id,
                nip=world.nips[0],
                name="Peserta 1",
                agency_code="7371",
                agency_name="Kota",
                position="Kepala",
                eselon="IV.a",
                event_code=world.event_code,
                scoring_run_id=str(run.id),
                potency_level="tinggi",
                composite_percentile=60.0,
            )
        )
    with session_of(world.url) as db:  # an accommodation may tell of a disability
        from sqlalchemy import update

        db.execute(update(Participant).values(extra_time_percent=25, large_print=True))
    # While the talent box's row (imported 20 months after publication) is within its period,
    # it names the run: identity is held back.
    retention = Retention(answers_months=12, talentbox_months=12, identity_months=24)
    at_later(frozen)
    report = run_purge(lambda: session_of(world.url), retention, PURGER)
    identity = next(k for k in report.kinds if k.kind == "identity")
    assert identity.held_back["events_named_by_talentbox"] == 1 and identity.counts == {}
    # Once the row's period is over it goes, and identity, planned after it, goes in the same
    # run (an outside check found it needed a second run: everything was planned first).
    frozen.advance(days=31 * 8)
    report = run_purge(lambda: session_of(world.url), retention, PURGER)
    identity = next(k for k in report.kinds if k.kind == "identity")
    talentbox = next(k for k in report.kinds if k.kind == "talentbox")
    assert talentbox.counts == {"potency_rows": 1}
    assert talentbox.held_back["runs_not_released"] == 0
    assert identity.held_back["events_named_by_talentbox"] == 0
    # the two who sat; the third never began and the session is still open: they may still sit
    assert identity.counts == {"registrations_pseudonymised": 2}
    with session_of(world.url) as db:
        from sqlalchemy import update

        from app.exams.models import ExamSession

        db.execute(update(ExamSession).values(status="closed"))
    report = run_purge(lambda: session_of(world.url), retention, PURGER)
    identity = next(k for k in report.kinds if k.kind == "identity")
    assert identity.counts == {"registrations_pseudonymised": 1}  # closed: nobody sits now
    with session_of(world.url) as db:
        people = list(db.scalars(select(Participant)))
        assert not {p.nip for p in people} & set(world.nips)
        assert {p.name for p in people} == {"(dipseudonimkan)"}
        assert {(p.extra_time_percent, p.large_print) for p in people} == {(0, False)}
        assert db.scalar(select(func.count()).select_from(ScoreRecord)) == 3  # scores stay
        with pytest.raises(SelfViewRefused):
            own_results(db, world.nips[0], world.codes[world.nips[0]], "10.0.0.1")


def test_retention_file_errors_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "retention.yaml"
    bad.write_text("answers_months: 0\nbatch_size: 10\n")
    with pytest.raises(RetentionInvalid, match="answers_months"):
        load_retention(bad)
    bad.write_text("answers_months: 36\nidentity_months: 24\n")
    with pytest.raises(RetentionInvalid, match="identity_months must be at least"):
        load_retention(bad)
    bad.write_text("answer_months: 12\n")
    with pytest.raises(RetentionInvalid, match="answer_months"):
        load_retention(bad)
    assert load_retention().answers_months == 24  # the shipped file is valid


def test_cli_purge_dry_run_then_real_with_a_report(
    use_database: str, tmp_path: Path, frozen
) -> None:
    world = scored_world(use_database, tmp_path)
    at_later(frozen)
    runner = CliRunner()
    dry = runner.invoke(cli, ["data", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "answers" in dry.output and "akan dihapus" in dry.output
    assert counts(world.url)["purged"] == 0
    out = tmp_path / "laporan.json"
    real = runner.invoke(cli, ["data", "purge", "--report", str(out)])
    assert real.exit_code == 0, real.output
    assert counts(world.url)["purged"] == 2
    import json

    report = json.loads(out.read_text())
    assert report["kinds"][0]["removed"]["attempts"] == 2
    bad = tmp_path / "r.yaml"
    bad.write_text("batch_size: 0\n")
    refused = runner.invoke(cli, ["data", "purge", "--retention", str(bad)])
    assert refused.exit_code == 2 and "batch_size" in refused.output


def test_answers_the_publication_does_not_cover_are_kept(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    """An outside check found that retention counted from the event's publication for every
    attempt of the event, so answers of a session held after the results were published (or
    still running) could go at the next purge. Only attempts submitted by the publication go."""
    from sqlalchemy import update

    world = scored_world(fresh_database_url, tmp_path)
    with session_of(world.url) as db:
        late, running = list(db.scalars(select(Attempt.id).order_by(Attempt.id)))[:2]
        db.execute(
            update(Attempt)
            .where(Attempt.id == late)
            .values(submitted_at=PUBLISHED_AT + timedelta(days=1))
        )
        db.execute(
            update(Attempt)
            .where(Attempt.id == running)
            .values(status="in_progress", submitted_at=None)
        )
        kept = {
            a: db.scalar(select(func.count()).where(Answer.attempt_id == a))
            for a in (late, running)
        }
    assert all(kept.values())
    at_later(frozen)
    report = run_purge(lambda: session_of(world.url), Retention(), PURGER)
    assert report.failed is None
    with session_of(world.url) as db:
        for attempt, answers in kept.items():
            assert db.scalar(select(func.count()).where(Answer.attempt_id == attempt)) == answers
            assert db.get(PurgedAttempt, attempt) is None


def test_an_identity_whose_test_the_publication_does_not_cover_is_kept(
    fresh_database_url: str, tmp_path: Path, frozen
) -> None:
    """An outside check found a running attempt's kept answers linked to nobody: identity went
    for every registration of the event. It goes only where the test is covered."""
    from sqlalchemy import update

    world = scored_world(fresh_database_url, tmp_path)
    with session_of(world.url) as db:
        running = db.scalar(select(Attempt.id).order_by(Attempt.id))
        db.execute(
            update(Attempt)
            .where(Attempt.id == running)
            .values(status="in_progress", submitted_at=None)
        )
        owner = db.scalar(select(Attempt.participant_id).where(Attempt.id == running))
    at_later(frozen)
    frozen.advance(days=31 * 120)  # past the identity period too
    report = run_purge(lambda: session_of(world.url), Retention(), PURGER)
    assert report.failed is None
    with session_of(world.url) as db:
        person = db.get(Participant, owner)
        assert person is not None and person.nip in world.nips  # still linked
        assert db.scalar(select(func.count()).where(Answer.attempt_id == running))
