"""All proctoring queries. The board is read in a fixed number of queries, whatever the
number of seats or rooms."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, exists, func, select, text, update
from sqlalchemy.orm import Session

from app.accounts.models import StaffLogin, StaffUser
from app.db import insert_for, rows_affected
from app.delivery.models import Attempt, Broadcast, TakerLogin
from app.delivery.repository import ACTIVE_LOGIN_OF_PARTICIPANT
from app.exams.models import Agency, Event, ExamSession, Form, Participant
from app.kit.ids import new_id
from app.proctoring.models import (
    AttemptPause,
    ExtraTime,
    Incident,
    LoginResetRequest,
    ProctorAssignment,
    Seat,
)

# A staff login, its account and whether it may see one session, in one statement (built once).
_WATCH_GRANT = (
    select(
        StaffLogin.expires_at,
        StaffLogin.last_seen_at,
        StaffUser.active,
        StaffUser.role,
        exists()
        .where(
            ProctorAssignment.user_id == StaffLogin.user_id,
            ProctorAssignment.exam_session_id == bindparam("the_session"),
        )
        .label("assigned"),
        exists().where(ExamSession.id == bindparam("the_session")).label("session_exists"),
    )
    .join(StaffUser, StaffUser.id == StaffLogin.user_id)
    .where(StaffLogin.token_hash == bindparam("the_token"), StaffLogin.revoked_at.is_(None))
)


def watch_grant(db: Session, token_hash: str, exam_session_id: uuid.UUID) -> Row[Any] | None:
    """(expires_at, last_seen_at, active, role, assigned, session_exists) of the live login
    behind `token_hash`, or None."""
    params = {"the_token": token_hash, "the_session": exam_session_id}
    return db.connection().execute(_WATCH_GRANT, params).first()


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


def sessions_of_agency(db: Session, agency_id: uuid.UUID | None) -> list[ExamSession]:
    """The sessions where the agency has participants."""
    session_ids = select(Participant.session_id).where(Participant.agency_id == agency_id)
    query = select(ExamSession).where(ExamSession.id.in_(session_ids))
    return list(db.scalars(query.order_by(ExamSession.starts_at)))


def sessions_by_start(db: Session) -> list[ExamSession]:
    return list(db.scalars(select(ExamSession).order_by(ExamSession.starts_at)))


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


# One seat per row, flat, from one Core query: the board is polled every few seconds by every
# open room page, and building ORM entities (or bundles) per seat was most of a poll's CPU.
# Columns (None where the seat, login or attempt row does not exist): participant_id, name,
# nip, participant_updated_at, extra_time_percent, large_print, agency; seat_id, attendance,
# pc_number, id_checked, seat_version, seat_updated_at; login_id, needs_admission,
# admitted_at, login_created_at; attempt_id, status, submitted_by, deadline_at, paused_at,
# last_seen_at, started_at, submitted_at, controlled_at, left_window_count,
# left_window_seconds, left_window_at; exam_browser (the event's Safe Exam Browser
# settings); item_count, answered, last_answer_at, extra_minutes; request_id, request_at,
# request_expires_at (a pending login reset request), request_decided_at (when the last one
# was answered).
SeatRow = Row[Any]


def _per_attempt(aggregate: Any, attempt_id: Any) -> Any:
    """An aggregate over the attempt's own rows (a correlated subquery on an indexed column)."""
    return select(aggregate).where(attempt_id == Attempt.id).correlate(Attempt).scalar_subquery()


# When the seat's last login reset request was answered: the row changes then.
_REQUEST_DECIDED = (
    select(func.max(LoginResetRequest.decided_at))
    .where(LoginResetRequest.participant_id == Participant.id)
    .correlate(Participant)
    .scalar_subquery()
)

_SEAT_ROWS = (
    select(
        Participant.id.label("participant_id"),
        Participant.name,
        Participant.nip,
        Participant.updated_at.label("participant_updated_at"),
        Participant.extra_time_percent,
        Participant.large_print,
        Agency.name.label("agency"),
        Seat.participant_id.label("seat_id"),
        Seat.attendance,
        Seat.pc_number,
        Seat.id_checked,
        Seat.version.label("seat_version"),
        Seat.updated_at.label("seat_updated_at"),
        TakerLogin.id.label("login_id"),
        TakerLogin.needs_admission,
        TakerLogin.admitted_at,
        TakerLogin.created_at.label("login_created_at"),
        Attempt.id.label("attempt_id"),
        Attempt.status,
        Attempt.submitted_by,
        Attempt.deadline_at,
        Attempt.paused_at,
        Attempt.last_seen_at,
        Attempt.started_at,
        Attempt.submitted_at,
        Attempt.controlled_at,
        Attempt.left_window_count,
        Attempt.left_window_seconds,
        Attempt.left_window_at,
        Event.safe_exam_browser.label("exam_browser"),
        Form.item_count,
        # Kept by every save: counting each seat's answers on every poll grew with them.
        Attempt.answered_count.label("answered"),
        Attempt.last_answer_at,
        _per_attempt(func.sum(ExtraTime.minutes), ExtraTime.attempt_id).label("extra_minutes"),
        LoginResetRequest.id.label("request_id"),
        LoginResetRequest.created_at.label("request_at"),
        LoginResetRequest.expires_at.label("request_expires_at"),
        _REQUEST_DECIDED.label("request_decided_at"),
    )
    .join(Agency, Agency.id == Participant.agency_id)
    .join(Event, Event.id == Participant.event_id)
    .outerjoin(Seat, Seat.participant_id == Participant.id)
    .outerjoin(TakerLogin, ACTIVE_LOGIN_OF_PARTICIPANT)
    .outerjoin(Attempt, Attempt.participant_id == Participant.id)
    .outerjoin(Form, Form.participant_id == Participant.id)
    .outerjoin(
        LoginResetRequest,
        (LoginResetRequest.participant_id == Participant.id)
        & (LoginResetRequest.status == "pending"),
    )
    .order_by(Participant.name, Participant.nip)
)
_IN_SESSION = Participant.session_id == bindparam("the_session")
# The names a seat row carries (tests build rows of their own with them).
SEAT_ROW_FIELDS: tuple[str, ...] = tuple(str(column.key) for column in _SEAT_ROWS.selected_columns)
_SEAT_ROWS_OF = {
    False: _SEAT_ROWS.where(_IN_SESSION),
    True: _SEAT_ROWS.where(_IN_SESSION, Participant.agency_id == bindparam("the_agency")),
}


def seat_rows(
    db: Session, exam_session_id: uuid.UUID, agency_id: uuid.UUID | None = None
) -> list[SeatRow]:
    """Every seat of a session (or of one agency's participants in it) with its login,
    attempt, progress and extra time: one query, whatever the number of seats."""
    query = _SEAT_ROWS_OF[agency_id is not None]
    params = {"the_session": exam_session_id, "the_agency": agency_id}
    return list(db.connection().execute(query, params))


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
    changed = rows_affected(db, query) == 1
    db.refresh(exam_session)  # the token now, whoever rotated it
    return changed


# --- login reset requests -----------------------------------------------------------------


def pending_reset_request(db: Session, participant_id: uuid.UUID) -> LoginResetRequest | None:
    query = select(LoginResetRequest).where(
        LoginResetRequest.participant_id == participant_id, LoginResetRequest.status == "pending"
    )
    return db.scalar(query)


def add_reset_request_if_none_pending(db: Session, **values: Any) -> LoginResetRequest | None:
    """Insert a pending request unless the participant has one; None when they do (the
    unique index over pending requests decides, as for logins)."""
    values.setdefault("id", new_id())
    query = (
        insert_for(db)(LoginResetRequest)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[LoginResetRequest.participant_id],
            # as written in the index: a bound parameter would not infer it on PostgreSQL
            index_where=text("status = 'pending'"),
        )
        .returning(LoginResetRequest)
    )
    return db.scalar(query)


def reset_request_of_waiter(db: Session, waiter_hash: str) -> LoginResetRequest | None:
    query = select(LoginResetRequest).where(LoginResetRequest.waiter_hash == waiter_hash)
    return db.scalar(query)


def reset_request_in_session(
    db: Session, exam_session_id: uuid.UUID, request_id: uuid.UUID
) -> LoginResetRequest | None:
    request = db.get(LoginResetRequest, request_id)
    if request is None or request.exam_session_id != exam_session_id:
        return None
    return request
