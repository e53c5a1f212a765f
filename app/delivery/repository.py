"""All delivery queries."""

import uuid
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.db import insert_for, rows_affected
from app.delivery.models import (
    AdaptiveStep,
    Answer,
    Attempt,
    AttemptScore,
    AttemptSection,
    Broadcast,
    TakerLogin,
)
from app.exams import repository as exams_repository
from app.exams.models import Agency, Event, ExamSession, Form, FormItem, Participant
from app.kit.ids import new_id

# Joins a participant to their login in use (one at a time; revoked ones stay for the audit).
ACTIVE_LOGIN_OF_PARTICIPANT = (
    TakerLogin.participant_id == Participant.id
) & TakerLogin.revoked_at.is_(None)


def login_by_token_hash(db: Session, token_hash: str) -> TakerLogin | None:
    query = select(TakerLogin).where(
        TakerLogin.token_hash == token_hash, TakerLogin.revoked_at.is_(None)
    )
    return db.scalar(query)


# A login as every taker request finds it: the login, its participant, and the event's Safe
# Exam Browser settings (checked on every request of an event that requires it).
LoginFound = tuple[TakerLogin, Participant, dict[str, Any] | None]


def taker_by_token_hash(db: Session, token_hash: str) -> LoginFound | None:
    """The live login, its participant and the event's Safe Exam Browser settings in one
    query: every taker request starts here."""
    query = (
        select(TakerLogin, Participant, Event.safe_exam_browser)
        .join(Participant, Participant.id == TakerLogin.participant_id)
        .join(Event, Event.id == Participant.event_id)
        .where(TakerLogin.token_hash == token_hash, TakerLogin.revoked_at.is_(None))
    )
    row = db.execute(query).first()
    return (row[0], row[1], row[2]) if row else None


def taker_in_context(db: Session, token_hash: str) -> LoginFound | None:
    """taker_by_token_hash, with the participant's session, agency, event and form read in
    the same query and kept for this database session (`event_of`, `form_for`, `identity`):
    a start and the state it returns need them all, and a whole room starts in one minute."""
    query = (
        select(TakerLogin, Participant, ExamSession, Agency, Event, Form)
        .join(Participant, Participant.id == TakerLogin.participant_id)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(Event, Event.id == Participant.event_id)
        .outerjoin(Form, Form.participant_id == Participant.id)
        .where(TakerLogin.token_hash == token_hash, TakerLogin.revoked_at.is_(None))
    )
    row = db.execute(query).first()
    if row is None:
        return None
    login, participant, exam_session, agency, event, form = row
    _remember(db, participant, exam_session, agency, event, form)
    return login, participant, event.safe_exam_browser


def _remember(
    db: Session,
    participant: Participant,
    exam_session: ExamSession,
    agency: Agency,
    event: Event,
    form: Form | None,
) -> None:
    key = (participant.id, participant.session_id, participant.agency_id)
    db.info.setdefault("identity", {})[key] = (exam_session, agency)
    db.info.setdefault("events", {})[event.id] = event
    db.info.setdefault("forms", {})[participant.id] = form


def event_of(db: Session, participant: Participant) -> Event:
    """The participant's event (kept when read with the login)."""
    event: Event | None = db.info.get("events", {}).get(participant.event_id)
    if event is None:
        event = db.get(Event, participant.event_id)
    assert event is not None
    return event


def form_for(db: Session, participant: Participant) -> Form | None:
    """The participant's drawn form (kept when read with the login)."""
    forms: dict[uuid.UUID, Form | None] = db.info.get("forms", {})
    if participant.id in forms:
        return forms[participant.id]
    return exams_repository.form_of(db, participant.id)


def active_login(db: Session, participant_id: uuid.UUID) -> TakerLogin | None:
    query = select(TakerLogin).where(
        TakerLogin.participant_id == participant_id, TakerLogin.revoked_at.is_(None)
    )
    return db.scalar(query)


def add_login_if_none_active(db: Session, **values: Any) -> TakerLogin | None:
    """Insert a login unless the participant has one in use; None when they do. The unique
    index over active logins decides, so two browsers in the same instant cannot both win;
    ON CONFLICT keeps the transaction usable on PostgreSQL (a failed INSERT would end it)."""
    values.setdefault("id", new_id())
    query = (
        insert_for(db)(TakerLogin)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[TakerLogin.participant_id], index_where=TakerLogin.revoked_at.is_(None)
        )
        .returning(TakerLogin)
    )
    return db.scalar(query)


def end_logins(db: Session, participant_id: uuid.UUID, at: datetime, reason: str) -> int:
    """End every login of the participant still in use; how many were."""
    return _end_live_logins(db, TakerLogin.participant_id == participant_id, at, reason)


def end_logins_after_submission(db: Session, cutoff: datetime, now: datetime) -> int:
    """End the live logins whose attempt was submitted before `cutoff`; how many."""
    finished = select(Attempt.participant_id).where(
        Attempt.status == "submitted", Attempt.submitted_at < cutoff
    )
    return _end_live_logins(db, TakerLogin.participant_id.in_(finished), now, "test submitted")


def end_logins_of_session(db: Session, session_id: uuid.UUID, now: datetime) -> int:
    """End every live login of the session's participants (the session closed); how many."""
    seated = select(Participant.id).where(Participant.session_id == session_id)
    return _end_live_logins(db, TakerLogin.participant_id.in_(seated), now, "session closed")


def _end_live_logins(db: Session, which: Any, at: datetime, reason: str) -> int:
    query = (
        update(TakerLogin)
        .where(TakerLogin.revoked_at.is_(None), which)
        .values(revoked_at=at, revoked_reason=reason)
        .execution_options(synchronize_session="fetch")  # a reset's login may be loaded
    )
    return rows_affected(db, query)


def participant_in_open_session(
    db: Session, nip: str, token: str, now: datetime
) -> tuple[Participant, TakerLogin | None] | None:
    """The participant with this NIP whose exam session is open and shows this room token
    (or showed it until a rotation less than the overlap ago), with their live login if any:
    one query, since a whole room logs in in the same minute."""
    token_matches = (ExamSession.room_token == token) | (
        (ExamSession.previous_room_token == token) & (ExamSession.previous_token_valid_until > now)
    )
    query = (
        select(Participant, TakerLogin, ExamSession, Agency, Event, Form)
        .join(ExamSession, ExamSession.id == Participant.session_id)
        .join(Agency, Agency.id == Participant.agency_id)
        .join(Event, Event.id == Participant.event_id)
        .outerjoin(
            TakerLogin,
            ACTIVE_LOGIN_OF_PARTICIPANT,
        )
        .outerjoin(Form, Form.participant_id == Participant.id)
        .where(Participant.nip == nip, ExamSession.status == "open", token_matches)
    )
    row = db.execute(query).first()
    if row is None:
        return None
    participant, login, exam_session, agency, event, form = row
    _remember(db, participant, exam_session, agency, event, form)  # for the state returned
    return participant, login


def identity(db: Session, participant: Participant) -> tuple[ExamSession, Agency]:
    """The participant's session and agency in one query, once per database session (a start
    and the state it returns both need them)."""
    cache: dict[tuple[uuid.UUID, ...], tuple[ExamSession, Agency]]
    cache = db.info.setdefault("identity", {})
    key = (participant.id, participant.session_id, participant.agency_id)  # a move reads anew
    if key not in cache:
        query = (
            select(ExamSession, Agency)
            .select_from(Participant)
            .join(ExamSession, ExamSession.id == Participant.session_id)
            .join(Agency, Agency.id == Participant.agency_id)
            .where(Participant.id == participant.id)
        )
        cache[key] = db.execute(query).tuples().one()
    return cache[key]


def attempt_of(
    db: Session, participant_id: uuid.UUID, lock: bool = False, skip_locked: bool = False
) -> Attempt | None:
    """`lock` serialises writers of one attempt (a save racing the sweeper's submit) on
    PostgreSQL; SQLite serialises all writers anyway. `skip_locked`: None rather than wait
    for a row another transaction holds."""
    query = select(Attempt).where(Attempt.participant_id == participant_id)
    if lock:
        # What the lock guards is read again even when the attempt is already loaded: the
        # journal chain continues from the head stored now, not from an earlier read.
        query = query.with_for_update(skip_locked=skip_locked).execution_options(
            populate_existing=True
        )
    return db.scalar(query)


def sections_of(db: Session, attempt_id: uuid.UUID) -> dict[int, AttemptSection]:
    query = select(AttemptSection).where(AttemptSection.attempt_id == attempt_id)
    return {s.section_position: s for s in db.scalars(query)}


def answers_of(db: Session, attempt_id: uuid.UUID) -> dict[int, Answer]:
    query = select(Answer).where(Answer.attempt_id == attempt_id)
    return {a.position: a for a in db.scalars(query)}


def answers_between(db: Session, attempt_id: uuid.UUID, first: int, last: int) -> dict[int, Answer]:
    query = select(Answer).where(
        Answer.attempt_id == attempt_id, Answer.position.between(first, last)
    )
    return {a.position: a for a in db.scalars(query)}


def versions_by_id(db: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, ItemVersion]:
    if not ids:
        return {}
    query = select(ItemVersion).where(ItemVersion.id.in_(ids))
    return {v.id: v for v in db.scalars(query)}


def answer_marks(db: Session, attempt_id: uuid.UUID) -> dict[int, tuple[str | None, bool]]:
    """(option id, flagged) by position: what the page's item grid shows."""
    query = select(Answer.position, Answer.option_id, Answer.flagged).where(
        Answer.attempt_id == attempt_id
    )
    return {p: (o, f) for p, o, f in db.execute(query).tuples()}


def section_bounds(db: Session, form_id: uuid.UUID) -> dict[int, tuple[int, int]]:
    """(first, last) position of each section in a drawn form."""
    query = (
        select(FormItem.section_position, func.min(FormItem.position), func.max(FormItem.position))
        .where(FormItem.form_id == form_id)
        .group_by(FormItem.section_position)
    )
    return {s: (a, b) for s, a, b in db.execute(query).tuples()}


def answer_counts(db: Session, attempt_id: uuid.UUID) -> tuple[int, int]:
    """(answered, flagged) in one aggregate query."""
    query = select(
        func.count(Answer.option_id),
        func.coalesce(func.sum(case((Answer.flagged, 1), else_=0)), 0),
    ).where(Answer.attempt_id == attempt_id)
    answered, flagged = db.execute(query).one()
    return int(answered), int(flagged)


def expired_attempt_ids(db: Session, cutoff: datetime, limit: int | None = None) -> list[uuid.UUID]:
    """In-progress, unpaused attempts whose deadline is before `cutoff` (at most `limit`)."""
    query = (
        select(Attempt.id)
        .where(
            Attempt.status == "in_progress",
            Attempt.paused_at.is_(None),
            Attempt.deadline_at < cutoff,
        )
        .order_by(Attempt.deadline_at)
        .limit(limit)
        .with_for_update(skip_locked=True)  # several app workers may sweep at once
    )
    return list(db.scalars(query))


def attempts_by_id(db: Session, ids: list[uuid.UUID]) -> list[Attempt]:
    """The attempts, read anew (`ids` were just locked: what the session holds may be old)."""
    query = (
        select(Attempt)
        .where(Attempt.id.in_(ids))
        .order_by(Attempt.deadline_at)
        .execution_options(populate_existing=True)
    )
    return list(db.scalars(query))


def sections_of_many(
    db: Session, attempt_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[int, AttemptSection]]:
    found: dict[uuid.UUID, dict[int, AttemptSection]] = {}
    query = select(AttemptSection).where(AttemptSection.attempt_id.in_(attempt_ids))
    for section in db.scalars(query):
        found.setdefault(section.attempt_id, {})[section.section_position] = section
    return found


def earliest_deadline(db: Session) -> datetime | None:
    """The earliest deadline of an in-progress, unpaused attempt (deadline_at is indexed).
    Sections' own deadlines are left to the requests that reach them and to the next round."""
    query = select(func.min(Attempt.deadline_at)).where(
        Attempt.status == "in_progress", Attempt.paused_at.is_(None)
    )
    return db.scalar(query)


def scores_of(db: Session, attempt_id: uuid.UUID) -> list[AttemptScore]:
    query = (
        select(AttemptScore)
        .where(AttemptScore.attempt_id == attempt_id)
        .order_by(AttemptScore.subtest_code)
    )
    return list(db.scalars(query))


class PageOf(NamedTuple):
    """What an open test page listens to: its room, its attempt, the event's Safe Exam
    Browser settings, and when a proctor last acted on the attempt or wrote to the room."""

    session_id: uuid.UUID
    attempt_id: uuid.UUID
    exam_browser: dict[str, Any] | None
    changed_at: datetime | None


def page_of(db: Session, token_hash: str) -> PageOf | None:
    """The page of a live login's running attempt, in one statement."""
    last_message = (
        select(func.max(Broadcast.at))
        .where(Broadcast.exam_session_id == Participant.session_id)
        .scalar_subquery()
    )
    row = db.execute(
        select(
            Participant.session_id,
            Attempt.id,
            Event.safe_exam_browser,
            Attempt.controlled_at,
            last_message,
        )
        .join(TakerLogin, TakerLogin.participant_id == Participant.id)
        .join(Attempt, Attempt.participant_id == Participant.id)
        .join(Event, Event.id == Participant.event_id)
        .where(TakerLogin.token_hash == token_hash, TakerLogin.revoked_at.is_(None))
        .where(Attempt.status == "in_progress")
    ).first()
    if row is None:
        return None
    changes = [at for at in (row[3], row[4]) if at is not None]
    return PageOf(row[0], row[1], row[2], max(changes) if changes else None)


def add_window_leaves(
    db: Session, attempt_id: uuid.UUID, count: int, seconds: int, at: datetime
) -> None:
    """Count leaves of the exam window in the database (no read first: two replies of one
    page never lose each other's report)."""
    db.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id)
        .values(
            left_window_count=Attempt.left_window_count + count,
            left_window_seconds=Attempt.left_window_seconds + seconds,
            left_window_at=at,
        )
        .execution_options(synchronize_session=False)
    )


def page_signals_since(db: Session, since: datetime) -> list[tuple[str, uuid.UUID, datetime]]:
    """What open pages must hear of since `since`: ("attempt", id, when) for a proctor's
    action on an attempt, ("room", exam session id, when) for a message to a room. Two
    indexed range reads, whatever the number of takers."""
    acted = db.execute(
        select(Attempt.id, Attempt.controlled_at).where(Attempt.controlled_at > since)
    )
    told = db.execute(select(Broadcast.exam_session_id, Broadcast.at).where(Broadcast.at > since))
    return [("attempt", i, at) for i, at in acted] + [("room", i, at) for i, at in told]


def attempts_with_steps(db: Session, event: Event, nip: str | None = None) -> list[Attempt]:
    """The event's attempts that were given adaptive items (one participant's: `nip`)."""
    query = (
        select(Attempt)
        .join(Participant, Participant.id == Attempt.participant_id)
        .where(Participant.event_id == event.id)
        .where(Attempt.id.in_(select(AdaptiveStep.attempt_id).distinct()))
        .order_by(Participant.nip)
    )
    if nip is not None:
        query = query.where(Participant.nip == nip)
    return list(db.scalars(query))
