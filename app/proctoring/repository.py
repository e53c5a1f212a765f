"""All proctoring queries. The board is read in a fixed number of queries, whatever the
number of seats or rooms."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Bundle, Session

from app.accounts.models import StaffUser
from app.delivery.models import Answer, Attempt, TakerLogin
from app.exams.models import Agency, Event, ExamSession, Form, Participant
from app.proctoring.models import (
    AttemptPause,
    Broadcast,
    ExtraTime,
    Incident,
    ProctorAssignment,
    Seat,
)


def is_assigned(db: Session, user_id: uuid.UUID, exam_session_id: uuid.UUID) -> bool:
    query = select(ProctorAssignment.id).where(
        ProctorAssignment.user_id == user_id,
        ProctorAssignment.exam_session_id == exam_session_id,
    )
    return db.scalar(query) is not None


def sessions_visible_to(db: Session, user: StaffUser) -> list[tuple[ExamSession, Event]]:
    query = select(ExamSession, Event).join(Event, Event.id == ExamSession.event_id)
    if user.role == "proctor":
        assigned = select(ProctorAssignment.exam_session_id).where(
            ProctorAssignment.user_id == user.id
        )
        query = query.where(ExamSession.id.in_(assigned))
    elif user.role != "admin":
        return []
    return list(db.execute(query.order_by(ExamSession.starts_at, ExamSession.code)).tuples())


def proctors_of(db: Session, exam_session_id: uuid.UUID) -> list[StaffUser]:
    query = (
        select(StaffUser)
        .join(ProctorAssignment, ProctorAssignment.user_id == StaffUser.id)
        .where(ProctorAssignment.exam_session_id == exam_session_id)
        .order_by(StaffUser.username)
    )
    return list(db.scalars(query))


def assignments(db: Session) -> list[tuple[ProctorAssignment, StaffUser, ExamSession]]:
    query = (
        select(ProctorAssignment, StaffUser, ExamSession)
        .join(StaffUser, StaffUser.id == ProctorAssignment.user_id)
        .join(ExamSession, ExamSession.id == ProctorAssignment.exam_session_id)
        .order_by(ExamSession.starts_at, StaffUser.username)
    )
    return list(db.execute(query).tuples())


@dataclass(frozen=True)
class SeatRow:
    """One seat's columns that the board reads, as rows (not ORM objects: building five
    entities per seat was a third of a board poll's CPU). None where there is no such row."""

    participant: Row[Any]  # id, name, nip, updated_at
    agency: Row[Any]  # name
    seat: Row[Any] | None  # attendance, pc_number, id_checked, version, updated_at
    login: Row[Any] | None  # needs_admission, admitted_at, created_at
    attempt: Row[Any] | None  # the attempt's columns below
    item_count: int
    answered: int
    last_answer_at: datetime | None


_P = Bundle(
    "participant", Participant.id, Participant.name, Participant.nip, Participant.updated_at
)
_AG = Bundle("agency", Agency.name)
_SEAT = Bundle(
    "seat",
    Seat.participant_id,
    Seat.attendance,
    Seat.pc_number,
    Seat.id_checked,
    Seat.version,
    Seat.updated_at,
)
_LOGIN = Bundle(
    "login",
    TakerLogin.id,
    TakerLogin.needs_admission,
    TakerLogin.admitted_at,
    TakerLogin.created_at,
)
_ATTEMPT = Bundle(
    "attempt",
    Attempt.id,
    Attempt.status,
    Attempt.submitted_by,
    Attempt.deadline_at,
    Attempt.paused_at,
    Attempt.last_seen_at,
    Attempt.started_at,
    Attempt.submitted_at,
    Attempt.controlled_at,
)


def seat_rows(
    db: Session, exam_session_id: uuid.UUID, agency_id: uuid.UUID | None = None
) -> list[SeatRow]:
    """Every seat of a session with its login, attempt and progress: two queries."""
    query = (
        select(_P, _AG, _SEAT, _LOGIN, _ATTEMPT, Form.item_count)
        .join(Agency, Agency.id == Participant.agency_id)
        .outerjoin(Seat, Seat.participant_id == Participant.id)
        .outerjoin(
            TakerLogin,
            (TakerLogin.participant_id == Participant.id) & TakerLogin.revoked_at.is_(None),
        )
        .outerjoin(Attempt, Attempt.participant_id == Participant.id)
        .outerjoin(Form, Form.participant_id == Participant.id)
        .where(Participant.session_id == exam_session_id)
        .order_by(Participant.name, Participant.nip)
    )
    if agency_id is not None:
        query = query.where(Participant.agency_id == agency_id)
    rows = list(db.execute(query).tuples())
    progress = _progress(db, exam_session_id)
    return [
        SeatRow(
            p,
            agency,
            seat if seat.participant_id is not None else None,
            login if login.id is not None else None,
            attempt if attempt.id is not None else None,
            count or 0,
            *progress.get(attempt.id, (0, None)),
        )
        for p, agency, seat, login, attempt, count in rows
    ]


def _progress(db: Session, exam_session_id: uuid.UUID) -> dict:  # type: ignore[type-arg]
    query = (
        select(Answer.attempt_id, func.count(Answer.option_id), func.max(Answer.answered_at))
        .join(Attempt, Attempt.id == Answer.attempt_id)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.session_id == exam_session_id)
        .group_by(Answer.attempt_id)
    )
    return {attempt_id: (count, last) for attempt_id, count, last in db.execute(query).tuples()}


def attempts_in_session(
    db: Session, exam_session_id: uuid.UUID, lock: bool = False
) -> list[Attempt]:
    query = (
        select(Attempt)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.session_id == exam_session_id)
    )
    if lock:
        query = query.with_for_update()
    return list(db.scalars(query))


def open_pause(db: Session, attempt_id: uuid.UUID) -> AttemptPause | None:
    query = select(AttemptPause).where(
        AttemptPause.attempt_id == attempt_id, AttemptPause.resumed_at.is_(None)
    )
    return db.scalar(query)


def last_resume(db: Session, attempt_id: uuid.UUID) -> datetime | None:
    query = select(func.max(AttemptPause.resumed_at)).where(AttemptPause.attempt_id == attempt_id)
    return db.scalar(query)


def pauses_in_session(db: Session, exam_session_id: uuid.UUID) -> list[AttemptPause]:
    query = (
        select(AttemptPause)
        .join(Attempt, Attempt.id == AttemptPause.attempt_id)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.session_id == exam_session_id)
        .order_by(AttemptPause.paused_at)
    )
    return list(db.scalars(query))


def extra_time_of(db: Session, attempt_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    query = (
        select(ExtraTime.attempt_id, func.sum(ExtraTime.minutes))
        .where(ExtraTime.attempt_id.in_(attempt_ids))
        .group_by(ExtraTime.attempt_id)
    )
    return {a: int(m) for a, m in db.execute(query).tuples()}


def broadcasts(db: Session, exam_session_id: uuid.UUID) -> list[Broadcast]:
    query = (
        select(Broadcast).where(Broadcast.exam_session_id == exam_session_id).order_by(Broadcast.at)
    )
    return list(db.scalars(query))


def incidents(db: Session, exam_session_id: uuid.UUID) -> list[Incident]:
    query = (
        select(Incident).where(Incident.exam_session_id == exam_session_id).order_by(Incident.at)
    )
    return list(db.scalars(query))


def participant_in_session(
    db: Session, exam_session_id: uuid.UUID, participant_id: uuid.UUID
) -> Participant | None:
    participant = db.get(Participant, participant_id)
    if participant is None or participant.session_id != exam_session_id:
        return None
    return participant


def rotate_token_if_unchanged(
    db: Session, exam_session: ExamSession, seen_rotated_at: datetime | None, **values: object
) -> bool:
    """Compare-and-set: rotate only if nobody rotated since `seen_rotated_at` was read, so two
    boards (or workers) finding a rotation due at once make one new token, not two."""
    query = (
        update(ExamSession)
        .where(ExamSession.id == exam_session.id)
        .where(
            ExamSession.token_rotated_at.is_(None)
            if seen_rotated_at is None
            else ExamSession.token_rotated_at == seen_rotated_at
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    changed = db.execute(query).rowcount == 1
    db.refresh(exam_session)  # the token now, whoever rotated it
    return changed
