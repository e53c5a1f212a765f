"""Room control for proctors: open/close, room token, check-in, admission, pause/resume
(seat and room, backdated), extra time, login reset, ending a seat, broadcasts, incidents.

Every action is idempotent (doing it twice changes nothing the second time and says so) and
goes into the audit log with its reason. Services only flush; the request commits.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.config import get_settings
from app.delivery import core as delivery_core
from app.delivery import repository as delivery_repository
from app.delivery import service as delivery_service
from app.delivery.models import Attempt, Broadcast
from app.exams import repository as exams_repository
from app.exams.models import Event, ExamSession, Participant
from app.exams.preparation import prepare_sessions
from app.i18n import N_, translate
from app.kit import clock
from app.kit.errors import Refusal
from app.kit.secrets_gen import hash_access_code, hash_pin, new_pin, unambiguous_code
from app.proctoring import repository
from app.proctoring.models import (
    INCIDENT_CATEGORIES,
    AttemptPause,
    ExtraTime,
    Incident,
    Seat,
)


class ActionRefused(Refusal):
    status = 409
    code = "action_refused"


class Outcome:
    """What an action did: whether it changed anything, and a catalogue message saying so,
    read in the language of the page it is shown on."""

    __slots__ = ("changed", "message_id", "params")

    def __init__(self, changed: bool, message_id: str, /, **params: object) -> None:
        self.changed, self.message_id, self.params = changed, message_id, params

    @property
    def message(self) -> str:
        return translate(self.message_id, self.params)


def _audit(
    db: Session,
    actor: Actor,
    action: str,
    exam_session: ExamSession,
    participant: Participant | None = None,
    reason: str | None = None,
    **details: Any,
) -> None:
    record(
        db,
        actor,
        action,
        target_type="participant" if participant else "exam_session",
        target_id=participant.id if participant else exam_session.id,
        target_label=f"{participant.name} ({participant.nip})"
        if participant
        else exam_session.code,
        reason=reason,
        exam_session_id=exam_session.id,
        **details,
    )


def _need_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(N_("A reason is required"))
    return reason[:1000]


# --- session and token --------------------------------------------------------------------


RUNS_AT_SITE = N_(
    "This session runs at site %(site)s (it was packaged for that site), so it cannot be "
    "opened here. To run it here after all, an administrator takes it back at the centre "
    "first: proasn sync reclaim %(event)s --sessions %(session)s --reason …"
)


def open_session(db: Session, actor: Actor, exam_session: ExamSession) -> Outcome:
    if exam_session.status == "open":
        return Outcome(False, N_("The session is already open"))
    if exam_session.status == "closed":
        raise ActionRefused(N_("The session is closed and cannot be opened again"))
    event = db.get(Event, exam_session.event_id)
    assert event is not None
    if exam_session.packaged_for:
        # Takers sitting it here and at the site would leave two results that cannot merge.
        raise ActionRefused(
            RUNS_AT_SITE,
            site=exam_session.packaged_for,
            event=event.code,
            session=exam_session.code,
        )
    prepare_sessions(db, event, [exam_session.code])  # forms drawn if they were not yet
    now = clock.now()
    exam_session.status, exam_session.opened_at = "open", now
    exam_session.token_rotated_at = now
    _audit(db, actor, "session.open", exam_session)
    return Outcome(True, N_("Session opened"))


def close_session(db: Session, actor: Actor, exam_session: ExamSession, reason: str) -> Outcome:
    if exam_session.status == "closed":
        return Outcome(False, N_("The session is already closed"))
    running = [
        a for a in repository.attempts_in_session(db, exam_session.id) if a.status == "in_progress"
    ]
    for attempt in running:
        delivery_service.refresh_clock(db, attempt)
    still = [a for a in running if a.status == "in_progress"]
    if still:
        raise ActionRefused(N_("Takers still working: %(n)s; end their tests first"), n=len(still))
    exam_session.status, exam_session.closed_at = "closed", clock.now()
    ended = delivery_repository.end_logins_of_session(db, exam_session.id, clock.now())
    _audit(db, actor, "session.close", exam_session, reason=reason or None, logins_ended=ended)
    return Outcome(True, N_("Session closed"))


def current_token(db: Session, exam_session: ExamSession) -> str:
    """The room token now, rotating it first when automatic rotation is due."""
    minutes = exam_session.token_rotation_minutes
    now = clock.now()
    if minutes and exam_session.status == "open":
        since = exam_session.token_rotated_at or exam_session.opened_at or now
        if now >= since + timedelta(minutes=minutes):
            seen = exam_session.token_rotated_at
            repository.rotate_token_if_unchanged(
                db, exam_session, seen, **_rotation(exam_session, now)
            )
    return exam_session.room_token


def _rotation(exam_session: ExamSession, now: datetime) -> dict[str, object]:
    """A new token; the old one stays valid for the overlap."""
    overlap = timedelta(minutes=get_settings().token_overlap_minutes)
    return {
        "previous_room_token": exam_session.room_token,
        "previous_token_valid_until": now + overlap,
        "room_token": unambiguous_code(get_settings().room_token_length),
        "token_rotated_at": now,
    }


def _rotate(exam_session: ExamSession, now: datetime) -> None:
    for name, value in _rotation(exam_session, now).items():
        setattr(exam_session, name, value)


def rotate_token(db: Session, actor: Actor, exam_session: ExamSession) -> Outcome:
    _rotate(exam_session, clock.now())
    _audit(db, actor, "session.token_rotate", exam_session)
    return Outcome(True, N_("New token made; the old one stays valid a little longer"))


def set_rotation(
    db: Session, actor: Actor, exam_session: ExamSession, minutes: int | None
) -> Outcome:
    if minutes is not None and not 1 <= minutes <= 240:
        raise ActionRefused(N_("Token rotation: 1-240 minutes"))
    if exam_session.token_rotation_minutes == minutes:
        return Outcome(False, N_("The rotation setting did not change"))
    exam_session.token_rotation_minutes = minutes
    exam_session.token_rotated_at = clock.now()
    _audit(db, actor, "session.token_rotation", exam_session, minutes=minutes)
    return Outcome(True, N_("Token rotation set") if minutes else N_("Token rotation turned off"))


# --- seats ------------------------------------------------------------------------------------


SEAT_CHANGED_CHECKED = N_(
    "Another proctor has just changed this seat (attendance %(attendance)s, ID card checked, "
    "PC %(pc)s); check, then save again"
)
SEAT_CHANGED_UNCHECKED = N_(
    "Another proctor has just changed this seat (attendance %(attendance)s, ID card not "
    "checked, PC %(pc)s); check, then save again"
)


def seat_of(db: Session, participant: Participant) -> Seat:
    seat = db.get(Seat, participant.id)
    if seat is None:
        seat = Seat(
            participant_id=participant.id,
            attendance="unknown",
            id_checked=False,
            updated_at=clock.now(),
            version=1,
        )
        db.add(seat)
        db.flush()
    return seat


ATTENDANCE = ("unknown", "present", "late", "absent")


def check_in(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participant: Participant,
    attendance: str,
    id_checked: bool,
    pc_number: str | None,
    seen_version: int,
) -> Outcome:
    """Record attendance; refuses (showing the current values) when another proctor changed
    the seat since this form was shown."""
    if attendance not in ATTENDANCE:
        raise ActionRefused(N_("Unknown attendance status"))
    seat = seat_of(db, participant)
    pc = (pc_number or "").strip()[:16] or None
    new = (attendance, id_checked, pc)
    if (seat.attendance, seat.id_checked, seat.pc_number) == new:
        return Outcome(False, N_("Nothing changed"))
    if seen_version != seat.version:
        conflict = SEAT_CHANGED_CHECKED if seat.id_checked else SEAT_CHANGED_UNCHECKED
        raise ActionRefused(conflict, attendance=seat.attendance, pc=seat.pc_number or "-")
    old = (seat.attendance, seat.id_checked, seat.pc_number)
    seat.attendance, seat.id_checked, seat.pc_number = new
    seat.version += 1
    seat.updated_at = clock.now()
    _audit(db, actor, "seat.check_in", exam_session, participant, old=list(old), new=list(new))
    return Outcome(True, N_("Attendance saved"))


def admit(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participant: Participant,
    reason: str | None = None,
) -> Outcome:
    login = delivery_repository.active_login(db, participant.id)
    if login is None:
        raise ActionRefused(N_("The taker has not logged in"))
    if login.admitted_at is not None or not login.needs_admission:
        return Outcome(False, N_("The taker is already admitted"))
    login.admitted_at = clock.now()
    _audit(db, actor, "seat.admit", exam_session, participant, reason)
    return Outcome(True, N_("The taker may go on"))


# --- the clock: pause, resume, extra time ---------------------------------------------------


def _active_attempt(db: Session, participant: Participant) -> Attempt:
    attempt = delivery_repository.attempt_of(db, participant.id, lock=True)
    if attempt is None:
        raise ActionRefused(N_("The taker has not started the test"))
    delivery_service.refresh_clock(db, attempt)
    if attempt.status != "in_progress":
        raise ActionRefused(N_("This taker's test is already finished"))
    return attempt


def _pause(
    db: Session,
    attempt: Attempt,
    exam_session: ExamSession,
    reason: str,
    since: datetime | None,
    room_wide: bool,
) -> datetime | None:
    """Pause one attempt, backdated to `since` but never before the session start, the
    attempt's start or its last resume. Returns the effective pause time (None if it was
    already paused)."""
    if attempt.paused_at is not None:
        return None
    now = clock.now()
    floors = [exam_session.starts_at, attempt.started_at, repository.last_resume(db, attempt.id)]
    effective = delivery_core.pause_at(since, floors, now)
    attempt.paused_at = effective
    attempt.controlled_at = now  # the board and the open page hear of it
    db.add(
        AttemptPause(
            attempt_id=attempt.id,
            paused_at=effective,
            requested_at=now,
            reason=reason,
            room_wide=room_wide,
        )
    )
    return effective


def _resume(db: Session, attempt: Attempt) -> int | None:
    """Give back exactly the paused time: the same remaining time as when paused."""
    if attempt.paused_at is None:
        return None
    now = clock.now()
    credited = delivery_core.pause_credit(attempt.paused_at, now)
    attempt.deadline_at += credited
    for section in delivery_service.attempt_sections(db, attempt).values():
        if section.closed_at is None and section.deadline_at is not None:
            section.deadline_at += credited
    pause = repository.open_pause(db, attempt.id)
    if pause is not None:
        pause.resumed_at = now
        pause.credited_seconds = round(credited.total_seconds())
    attempt.paused_at = None
    attempt.controlled_at = now
    return round(credited.total_seconds())


def pause_seat(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participant: Participant,
    reason: str,
    since: datetime | None = None,
) -> Outcome:
    reason = _need_reason(reason)
    attempt = _active_attempt(db, participant)
    effective = _pause(db, attempt, exam_session, reason, since, room_wide=False)
    if effective is None:
        return Outcome(False, N_("This taker's test is already paused"))
    _audit(
        db,
        actor,
        "attempt.pause",
        exam_session,
        participant,
        reason,
        paused_at=effective.isoformat(),
    )
    return Outcome(True, N_("Test paused"))


def resume_seat(
    db: Session, actor: Actor, exam_session: ExamSession, participant: Participant, reason: str
) -> Outcome:
    reason = _need_reason(reason)
    attempt = _active_attempt(db, participant)
    credited = _resume(db, attempt)
    if credited is None:
        return Outcome(False, N_("This taker's test is not paused"))
    _audit(
        db, actor, "attempt.resume", exam_session, participant, reason, credited_seconds=credited
    )
    return Outcome(True, N_("Test resumed; %(seconds)s seconds given back"), seconds=credited)


def pause_room(
    db: Session, actor: Actor, exam_session: ExamSession, reason: str, since: datetime | None = None
) -> Outcome:
    """One action for an outage: pause every running seat, optionally from when it began.

    A seat whose time ran out during the outage was submitted by the timer meanwhile: a
    backdated pause reopens it, so the outage is credited to it as well."""
    reason = _need_reason(reason)
    if since is not None and since > clock.now():
        raise ActionRefused(N_("The outage cannot begin in the future"))
    paused = reopened = 0
    for attempt in repository.attempts_in_session(db, exam_session.id, lock=True):
        delivery_service.refresh_clock(db, attempt)
        if since is not None and _ran_out_during_outage(attempt, since):
            _reopen(db, attempt)
            reopened += 1
        if attempt.status == "in_progress" and _pause(
            db, attempt, exam_session, reason, since, room_wide=True
        ):
            paused += 1
    _audit(
        db,
        actor,
        "room.pause",
        exam_session,
        reason=reason,
        seats=paused,
        reopened=reopened,
        since=since.isoformat() if since else None,
    )
    if reopened:
        return Outcome(paused > 0, ROOM_PAUSED_REOPENED, paused=paused, reopened=reopened)
    return Outcome(paused > 0, N_("%(paused)s takers paused"), paused=paused)


ROOM_PAUSED_REOPENED = N_(
    "%(paused)s takers paused (%(reopened)s reopened: their time ran out during the outage)"
)


def _ran_out_during_outage(attempt: Attempt, since: datetime) -> bool:
    return (
        attempt.status == "submitted"
        and attempt.submitted_by == "timer"
        and attempt.deadline_at > since
    )


def _reopen(db: Session, attempt: Attempt) -> None:
    closed_at = attempt.submitted_at
    attempt.status, attempt.submitted_by, attempt.submitted_at = "in_progress", None, None
    for section in delivery_service.attempt_sections(db, attempt).values():
        if section.closed_at == closed_at and section.section_position == attempt.current_section:
            section.closed_at = None
    for score in delivery_repository.scores_of(db, attempt.id):
        db.delete(score)
    db.flush()


def resume_room(db: Session, actor: Actor, exam_session: ExamSession, reason: str) -> Outcome:
    reason = _need_reason(reason)
    credited = {}
    for attempt in repository.attempts_in_session(db, exam_session.id, lock=True):
        if attempt.status == "in_progress":
            seconds = _resume(db, attempt)
            if seconds is not None:
                credited[str(attempt.participant_id)] = seconds
    _audit(db, actor, "room.resume", exam_session, reason=reason, credited_seconds=credited)
    return Outcome(bool(credited), N_("Takers resumed: %(n)s"), n=len(credited))


def add_extra_time(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participant: Participant,
    minutes: int,
    reason: str,
    seen_deadline: str | None = None,
) -> Outcome:
    """More time for the whole test and, if it has its own limit, the current section.

    `seen_deadline` is the deadline the form showed: if it moved meanwhile (another proctor,
    a double click), nothing is added and the proctor is told."""
    reason = _need_reason(reason)
    try:
        extra = delivery_core.extra_time(minutes)
    except ValueError:
        raise ActionRefused(N_("Extra time: 1-240 minutes")) from None
    attempt = _active_attempt(db, participant)
    if seen_deadline is not None and seen_deadline != attempt.deadline_at.isoformat():
        raise ActionRefused(
            N_(
                "This taker's time has just been changed (by another proctor?); "
                "check, then repeat if needed"
            )
        )
    attempt.deadline_at += extra
    attempt.controlled_at = clock.now()
    section = delivery_service.attempt_sections(db, attempt).get(attempt.current_section)
    section_position = None
    if section is not None and section.deadline_at is not None and section.closed_at is None:
        section.deadline_at += extra
        section_position = section.section_position
    db.add(
        ExtraTime(
            attempt_id=attempt.id,
            minutes=minutes,
            section_position=section_position,
            reason=reason,
            at=clock.now(),
        )
    )
    _audit(
        db,
        actor,
        "attempt.extra_time",
        exam_session,
        participant,
        reason,
        minutes=minutes,
        section=section_position,
    )
    return Outcome(True, N_("%(minutes)s minutes added"), minutes=minutes)


# --- logins and ending ----------------------------------------------------------------------


def reset_login(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participant: Participant,
    reason: str,
    pc_number: str | None = None,
) -> Outcome:
    """Free the seat's login (crashed PC, or a move to another PC): answers and time stay.
    Every login of the seat still in use ends (rows from before the database held one). A
    login reset request of the seat (proctoring.reset_requests) is answered by it, and the
    audit row names it."""
    reason = _need_reason(reason)
    now = clock.now()
    ended = delivery_repository.end_logins(db, participant.id, now, "reset by proctor")
    attempt = delivery_repository.attempt_of(db, participant.id)
    if ended and attempt is not None:
        attempt.controlled_at = now  # the open page hears of it and says so
    if pc_number:
        seat = seat_of(db, participant)
        seat.pc_number, seat.version, seat.updated_at = (
            pc_number.strip()[:16],
            seat.version + 1,
            now,
        )
    request = repository.pending_reset_request(db, participant.id)
    if request is not None and request.expires_at > now:
        request.status, request.decided_at, request.decided_by = "approved", now, actor.username
        asked = {"request_id": str(request.id)}
    else:
        asked = {}
    if not ended and not asked:
        return Outcome(False, N_("The taker is not logged in"))
    _audit(
        db,
        actor,
        "seat.reset_login",
        exam_session,
        participant,
        reason,
        pc_number=pc_number,
        **asked,
    )
    return Outcome(True, N_("Login freed; the taker may log in again from another PC"))


def end_attempt(
    db: Session, actor: Actor, exam_session: ExamSession, participant: Participant, reason: str
) -> Outcome:
    reason = _need_reason(reason)
    attempt = delivery_repository.attempt_of(db, participant.id, lock=True)
    if attempt is None:
        raise ActionRefused(N_("The taker has not started the test"))
    delivery_service.refresh_clock(db, attempt)
    if attempt.status == "submitted":
        return Outcome(False, N_("This taker's test is already finished"))
    pause = repository.open_pause(db, attempt.id)
    if pause is not None:
        pause.resumed_at, pause.credited_seconds = clock.now(), 0
    attempt.controlled_at = clock.now()
    delivery_service.force_submit(db, attempt, "proctor")
    _audit(db, actor, "attempt.end", exam_session, participant, reason)
    return Outcome(True, N_("The taker's test was ended and submitted"))


# --- several seats at once ------------------------------------------------------------------

BULK_ACTIONS = ("admit", "pause", "resume", "extra_time", "reset_login", "end")


@dataclass(frozen=True)
class BulkOutcome:
    action: str
    changed: list[str]  # "Name (NIP)" of the seats the action changed
    unchanged: list[str]
    refused: list[tuple[str, ActionRefused]]  # ("Name (NIP)", why)
    minutes: int = 0  # the extra time given, for "extra_time"


def bulk_action(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    participants: list[Participant],
    action: str,
    reason: str,
    confirmed: bool = False,
    minutes: int = 0,
) -> BulkOutcome:
    """One action with one reason on several seats (as ANBK proctors work a room): the seat
    actions themselves, so each seat gets its own audit row as if done on its page; a seat the
    action does not fit (not started, already finished) is refused by name while the others go
    ahead. The per-seat actions refuse before they write, so a refusal leaves nothing half
    done."""
    if action not in BULK_ACTIONS:
        raise ActionRefused(N_("Choose an action for the chosen takers"))
    if not participants:
        raise ActionRefused(N_("First choose takers on the board"))
    reason = _need_reason(reason)
    if action == "end" and not confirmed:
        raise ActionRefused(N_("Tick the confirmation to end the chosen takers' tests"))
    if action == "extra_time":
        try:  # said once, not once per seat
            delivery_core.extra_time(minutes)
        except ValueError:
            raise ActionRefused(N_("Extra time: 1-240 minutes")) from None
    run: Callable[[Participant], Outcome] = {
        "admit": lambda p: admit(db, actor, exam_session, p, reason),
        "pause": lambda p: pause_seat(db, actor, exam_session, p, reason),
        "resume": lambda p: resume_seat(db, actor, exam_session, p, reason),
        # no deadline seen: the proctor chose seats, not a deadline each
        "extra_time": lambda p: add_extra_time(db, actor, exam_session, p, minutes, reason),
        "reset_login": lambda p: reset_login(db, actor, exam_session, p, reason),
        "end": lambda p: end_attempt(db, actor, exam_session, p, reason),
    }[action]
    changed: list[str] = []
    unchanged: list[str] = []
    refused: list[tuple[str, ActionRefused]] = []
    for participant in participants:
        who = f"{participant.name} ({participant.nip})"
        try:
            outcome = run(participant)
        except ActionRefused as exc:
            refused.append((who, exc))
            continue
        (changed if outcome.changed else unchanged).append(who)
    return BulkOutcome(
        action, changed, unchanged, refused, minutes if action == "extra_time" else 0
    )


# --- messages and notes ---------------------------------------------------------------------


# How long a message stands on the pages unless the proctor says otherwise, and the longest.
BROADCAST_MINUTES = 5
MAX_BROADCAST_MINUTES = 120


def broadcast(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    message: str,
    minutes: int = BROADCAST_MINUTES,
) -> Outcome:
    """A message to every taker of the room who began before it, shown with the time it was
    sent for `minutes`: a message that outlives its moment ("20 minutes left") misleads."""
    text = (message or "").strip()
    if not text:
        raise ActionRefused(N_("The message is empty"))
    if not 1 <= minutes <= MAX_BROADCAST_MINUTES:
        raise ActionRefused(
            N_("A message shows for 1–%(most)s minutes"), most=MAX_BROADCAST_MINUTES
        )
    now = clock.now()
    db.add(
        Broadcast(
            exam_session_id=exam_session.id,
            message=text[:500],
            at=now,
            expires_at=now + timedelta(minutes=minutes),
        )
    )
    _audit(db, actor, "room.broadcast", exam_session, message=text[:500], minutes=minutes)
    return Outcome(True, BROADCAST_SENT, minutes=minutes)


BROADCAST_SENT = N_("Message sent to every taker in this room, shown for %(minutes)s minutes")


def add_incident(
    db: Session,
    actor: Actor,
    exam_session: ExamSession,
    category: str,
    subcategory: str,
    note: str,
    participant: Participant | None = None,
) -> Outcome:
    if subcategory not in INCIDENT_CATEGORIES.get(category, ()):
        raise ActionRefused(N_("Unknown incident category"))
    text = (note or "").strip()
    if not text:
        raise ActionRefused(N_("An incident note is required"))
    db.add(
        Incident(
            exam_session_id=exam_session.id,
            participant_id=participant.id if participant else None,
            category=category,
            subcategory=subcategory,
            note=text[:2000],
            at=clock.now(),
            author=actor.username,
        )
    )
    _audit(
        db,
        actor,
        "incident.add",
        exam_session,
        participant,
        text[:2000],
        category=category,
        subcategory=subcategory,
    )
    return Outcome(True, N_("Incident recorded"))


# --- cards ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One participant card as printed: the new access code, and the new login PIN when the
    event asks for one."""

    participant: Participant
    access_code: str
    pin: str | None


def issue_cards(db: Session, actor: Actor, exam_session: ExamSession) -> list[Card]:
    """New personal access codes (and login PINs, when the event asks for them) for the
    session's participant cards.

    Both are stored only as hashes, so printing the cards issues them: a reprint makes new
    ones and the old cards stop working (the audit log says when and by whom)."""
    length = get_settings().access_code_length
    with_pin = _event_of(db, exam_session).login_pin
    cards = []
    for participant in exams_repository.participants_in_session(db, exam_session.id):
        code = unambiguous_code(length)
        participant.access_code_hash = hash_access_code(code)
        pin = new_pin() if with_pin else None
        if pin is not None:
            participant.login_pin_hash = hash_pin(pin)
        cards.append(Card(participant, code, pin))
    _audit(db, actor, "session.cards_issued", exam_session, count=len(cards), pins=with_pin)
    return cards


def reissue_pin(
    db: Session, actor: Actor, exam_session: ExamSession, participant: Participant, reason: str
) -> str:
    """A new login PIN for one seat (a lost card, a PIN seen by someone else); the old one
    stops working. Shown once to the proctor, who writes it on the card."""
    reason = _need_reason(reason)
    if not _event_of(db, exam_session).login_pin:
        raise ActionRefused(N_("This event asks for no login PIN"))
    pin = new_pin()
    participant.login_pin_hash = hash_pin(pin)
    _audit(db, actor, "seat.pin_reissued", exam_session, participant, reason)
    return pin


def _event_of(db: Session, exam_session: ExamSession) -> Event:
    event = db.get(Event, exam_session.event_id)
    assert event is not None
    return event


def participant_or_refuse(
    db: Session, exam_session: ExamSession, participant_id: uuid.UUID
) -> Participant:
    participant = repository.participant_in_session(db, exam_session.id, participant_id)
    if participant is None:
        raise ActionRefused(N_("The taker is not registered in this session"))
    return participant
