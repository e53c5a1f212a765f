"""Queries of the personal-data duties: retention candidates and their removal, one person's
records. This package composes the domains: it reads the exam, delivery and scoring tables;
none of those imports it. The talent box's tables are its own business (app/privacy/holders.py)."""

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from app.accounts.models import LoginAttempt, StaffLogin
from app.db import rows_affected
from app.delivery.models import (
    Answer,
    AnswerJournal,
    Attempt,
    AttemptSection,
    PurgedAttempt,
    TakerLogin,
)
from app.exams.models import Agency, Event, ExamSession, Participant
from app.privacy.models import IdentityCorrection, PseudonymisedParticipant
from app.scoring.models import Norm, ScoreRecord, ScoringRun, SelfViewLogin
from app.throttle.models import ThrottleFailure, ThrottleKey

# --- events whose results are settled -------------------------------------------------------


def settled_events(db: Session) -> list[tuple[Event, datetime]]:
    """Events with published results and no newer unpublished run (a re-scoring under way
    needs the answers), each with its latest publication time."""
    latest = (
        select(ScoringRun.event_id, func.max(ScoringRun.published_at).label("published"))
        .where(ScoringRun.published_at.is_not(None))
        .group_by(ScoringRun.event_id)
        .subquery()
    )
    pending = exists().where(
        ScoringRun.event_id == latest.c.event_id,
        ScoringRun.published_at.is_(None),
        ScoringRun.created_at > latest.c.published,
    )
    query = (
        select(Event, latest.c.published)
        .join(latest, latest.c.event_id == Event.id)
        .where(~pending)
        .order_by(latest.c.published, Event.code)
    )
    return [(event, published) for event, published in db.execute(query).tuples()]


def unsettled_event_count(db: Session) -> int:
    """Events the purge leaves alone because their results are not (all) published."""
    return db.execute(select(func.count(Event.id))).scalar_one() - len(settled_events(db))


# --- answers -------------------------------------------------------------------------------


def attempts_to_purge(db: Session, published: dict[uuid.UUID, datetime]) -> list[uuid.UUID]:
    """Attempts of these events (event -> its latest publication) that the publication
    covers: submitted by then. An attempt still running, or submitted later (a session of the
    event held after the results were published), keeps its answers: no result stands on
    them yet."""
    found: list[uuid.UUID] = []
    for event_id, at in published.items():
        query = (
            select(Attempt.id)
            .join(Participant, Participant.id == Attempt.participant_id)
            .where(Participant.event_id == event_id)
            .where(Attempt.status == "submitted", Attempt.submitted_at <= at)
            .where(~exists().where(PurgedAttempt.attempt_id == Attempt.id))
            .order_by(Attempt.id)
        )
        found += db.scalars(query)
    return sorted(found)


def answer_counts(db: Session, attempt_ids: Sequence[uuid.UUID]) -> dict[str, int]:
    people = select(Attempt.participant_id).where(Attempt.id.in_(attempt_ids))
    return {
        "attempts": len(attempt_ids),
        "answers": _count(db, Answer, Answer.attempt_id.in_(attempt_ids)),
        "journal": _count(db, AnswerJournal, AnswerJournal.attempt_id.in_(attempt_ids)),
        "section_timings": _count(db, AttemptSection, AttemptSection.attempt_id.in_(attempt_ids)),
        "taker_logins": _count(db, TakerLogin, TakerLogin.participant_id.in_(people)),
    }


def delete_answers(db: Session, attempt_ids: Sequence[uuid.UUID], now: datetime) -> None:
    """Answers, journal (which the trigger lets go only once the attempt is listed as purged),
    section timings and taker logins of these attempts."""
    db.execute(insert(PurgedAttempt), [{"attempt_id": a, "purged_at": now} for a in attempt_ids])
    people = select(Attempt.participant_id).where(Attempt.id.in_(attempt_ids))
    db.execute(delete(AnswerJournal).where(AnswerJournal.attempt_id.in_(attempt_ids)))
    db.execute(delete(Answer).where(Answer.attempt_id.in_(attempt_ids)))
    db.execute(delete(AttemptSection).where(AttemptSection.attempt_id.in_(attempt_ids)))
    db.execute(delete(TakerLogin).where(TakerLogin.participant_id.in_(people)))


# --- technical logs --------------------------------------------------------------------------

TECHNICAL_LOGS: dict[str, Any] = {
    "staff_logins": (StaffLogin, StaffLogin.expires_at),
    "staff_login_attempts": (LoginAttempt, LoginAttempt.at),
    "selfview_logins": (SelfViewLogin, SelfViewLogin.expires_at),
    "throttle_failures": (ThrottleFailure, ThrottleFailure.at),
    "throttle_keys": (ThrottleKey, ThrottleKey.touched_at),
}


def old_log_ids(db: Session, table: str, before: datetime) -> list[Any]:
    model, column = TECHNICAL_LOGS[table]
    primary = model.__mapper__.primary_key[0]
    return list(db.scalars(select(primary).where(column < before).order_by(primary)))


def delete_log_rows(db: Session, table: str, ids: Sequence[Any]) -> int:
    model, _ = TECHNICAL_LOGS[table]
    primary = model.__mapper__.primary_key[0]
    return rows_affected(db, delete(model).where(primary.in_(ids)))


# --- identity --------------------------------------------------------------------------------


def scoring_runs_of(db: Session, event_ids: Sequence[uuid.UUID]) -> dict[str, uuid.UUID]:
    """The scoring runs of these events (run id as text, as an imported row names it) →
    their event."""
    query = select(ScoringRun.id, ScoringRun.event_id).where(ScoringRun.event_id.in_(event_ids))
    return {str(run_id): event_id for run_id, event_id in db.execute(query).tuples()}


def participants_to_pseudonymise(
    db: Session, published: dict[uuid.UUID, datetime]
) -> list[uuid.UUID]:
    """Registrations of these events (event -> its latest publication) whose test the
    publication covers (submitted by then), or who never began one in a session now closed.
    Anyone whose test still runs, ended later, or who may still sit keeps their identity (an
    outside check found a running attempt's kept answers linked to nobody)."""
    found: list[uuid.UUID] = []
    for event_id, at in published.items():
        covered = exists().where(
            Attempt.participant_id == Participant.id,
            Attempt.status == "submitted",
            Attempt.submitted_at <= at,
        )
        never_sat = and_(
            ~exists().where(Attempt.participant_id == Participant.id),
            exists().where(
                ExamSession.id == Participant.session_id, ExamSession.status == "closed"
            ),
        )
        query = (
            select(Participant.id)
            .where(Participant.event_id == event_id, or_(covered, never_sat))
            .where(~exists().where(PseudonymisedParticipant.participant_id == Participant.id))
            .order_by(Participant.id)
        )
        found += db.scalars(query)
    return sorted(found)


def pseudonymise(db: Session, participant_ids: Sequence[uuid.UUID], now: datetime) -> int:
    """Replace name, NIP, position and access code, clear the accommodations (they may tell
    of a disability); drop corrections (they hold old names) and taker logins. Scores, forms
    and attempts stay, unlinked from the person."""
    for participant in db.scalars(select(Participant).where(Participant.id.in_(participant_ids))):
        participant.nip = pseudonym_of(participant.id)
        participant.name = "(dipseudonimkan)"
        participant.position = ""
        participant.access_code_hash = ""  # no access code verifies against it
        participant.extra_time_percent = 0
        participant.large_print = False
        participant.updated_at = now
    db.execute(
        delete(IdentityCorrection).where(IdentityCorrection.participant_id.in_(participant_ids))
    )
    db.execute(delete(TakerLogin).where(TakerLogin.participant_id.in_(participant_ids)))
    rows = [{"participant_id": p, "pseudonymised_at": now} for p in participant_ids]
    db.execute(insert(PseudonymisedParticipant), rows)
    db.flush()
    return len(participant_ids)


def pseudonym_of(participant_id: uuid.UUID) -> str:
    """18 characters, never a valid NIP (starts with letters), unique per registration."""
    return "PS" + participant_id.hex[-16:]


# --- one person ------------------------------------------------------------------------------


def registrations(
    db: Session, nip: str, participant_ids: Sequence[uuid.UUID] | None = None
) -> list[tuple[Participant, Event, Agency, ExamSession]]:
    query = (
        select(Participant, Event, Agency, ExamSession)
        .join(Event, Event.id == Participant.event_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .where(Participant.nip == nip)
        .order_by(ExamSession.starts_at)
    )
    if participant_ids is not None:
        query = query.where(Participant.id.in_(participant_ids))
    return [(p, e, a, s) for p, e, a, s in db.execute(query).tuples()]


def attempt_of(db: Session, participant_id: uuid.UUID) -> tuple[Attempt | None, datetime | None]:
    query = (
        select(Attempt, PurgedAttempt.purged_at)
        .outerjoin(PurgedAttempt, PurgedAttempt.attempt_id == Attempt.id)
        .where(Attempt.participant_id == participant_id)
    )
    row = db.execute(query).first()
    return (row[0], row[1]) if row else (None, None)


def answer_count(db: Session, attempt_id: uuid.UUID) -> int:
    return _count(db, Answer, Answer.attempt_id == attempt_id)


def answers_of(db: Session, attempt_id: uuid.UUID) -> list[tuple[int, str | None, bool, datetime]]:
    """(position, option, flagged, answered at) of each answer the attempt still holds."""
    query = (
        select(Answer.position, Answer.option_id, Answer.flagged, Answer.answered_at)
        .where(Answer.attempt_id == attempt_id)
        .order_by(Answer.position)
    )
    return [tuple(row) for row in db.execute(query)]


def published_record(
    db: Session, participant: Participant
) -> tuple[ScoringRun, Norm, ScoreRecord] | None:
    query = (
        select(ScoringRun, Norm, ScoreRecord)
        .join(Norm, Norm.id == ScoringRun.norm_id)
        .join(ScoreRecord, ScoreRecord.run_id == ScoringRun.id)
        .where(ScoringRun.event_id == participant.event_id)
        .where(ScoringRun.published_at.is_not(None))
        .where(ScoreRecord.participant_id == participant.id)
        .order_by(ScoringRun.published_at.desc())
        .limit(1)
    )
    row = db.execute(query).first()
    return (row[0], row[1], row[2]) if row else None


def corrections(db: Session, participant_id: uuid.UUID) -> list[IdentityCorrection]:
    query = (
        select(IdentityCorrection)
        .where(IdentityCorrection.participant_id == participant_id)
        .order_by(IdentityCorrection.corrected_at)
    )
    return list(db.scalars(query))


def _count(db: Session, model: Any, condition: Any) -> int:
    return db.scalar(select(func.count()).select_from(model).where(condition)) or 0
