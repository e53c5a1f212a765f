"""A taker's request for a login reset, from a browser refused because their login is held by
another (issue 19: a PC that lost its cookie), and the proctor's answer on the board.

The taker proves what a login proves (NIP and room token, limited like logins) and learns
nothing a login refusal does not tell. The browser that asked gets a cookie with which it
may read the request's status, nothing more: once the proctor approves (the existing login
reset, audited with the request), it logs in as before, with NIP and room token.
"""

import secrets
import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from app.audit.service import Actor, record
from app.delivery import errors
from app.delivery import service as delivery_service
from app.exams.models import ExamSession, Participant
from app.i18n import N_, translate
from app.kit import clock
from app.kit.secrets_gen import token_digest
from app.proctoring import repository
from app.proctoring.models import LoginResetRequest
from app.proctoring.service import ActionRefused, Outcome, reset_login
from app.throttle import service as throttle

REQUEST_MINUTES = 15  # a request nobody answered by then lapses; the taker may ask again
APPROVED_REASON = N_("The taker asked for it from another browser")


def ask(
    db: Session,
    nip: str,
    room_token: str,
    waiter_token: str | None,
    user_agent: str | None = None,
    address: str | None = None,
) -> tuple[LoginResetRequest, str | None]:
    """Ask the room's proctor to free this participant's login. Returns the pending request
    and a new waiting-cookie token (None when this browser already waits for it). A second
    request while one is pending makes no second one: the browser asking last waits for it.
    Refuses as a login would: wrong NIP or token (counted), and a login that is free."""
    participant, active, keyed, tried = delivery_service.check_credentials(
        db, nip, room_token, address
    )
    if active is None:
        raise errors.LoginFree()
    throttle.succeeded(db, "taker", keyed, "nip", tried)
    now = clock.now()
    pending = repository.pending_reset_request(db, participant.id)
    if pending is not None and pending.expires_at <= now:
        _lapse(db, pending)
        pending = None
    raw = secrets.token_urlsafe(32)
    if pending is None:
        pending = repository.add_reset_request_if_none_pending(
            db,
            participant_id=participant.id,
            exam_session_id=participant.session_id,
            status="pending",
            created_at=now,
            expires_at=now + timedelta(minutes=REQUEST_MINUTES),
            waiter_hash=token_digest(raw),
            user_agent=(user_agent or "")[:400] or None,
            client_address=address,
        )
        if pending is not None:
            return pending, raw
        pending = repository.pending_reset_request(db, participant.id)  # asked the same instant
        assert pending is not None
    if waiter_token and pending.waiter_hash == token_digest(waiter_token):
        return pending, None
    pending.waiter_hash = token_digest(raw)
    db.flush()
    return pending, raw


def _lapse(db: Session, request: LoginResetRequest) -> None:
    request.status, request.decided_at = "expired", request.expires_at
    db.flush()  # before another pending one is inserted (the unique index)


def status_of(db: Session, waiter_token: str | None) -> LoginResetRequest | None:
    """The request this browser waits for (a lapsed one reads as expired), or None."""
    if not waiter_token:
        return None
    request = repository.reset_request_of_waiter(db, token_digest(waiter_token))
    if request is not None and request.status == "pending" and request.expires_at <= clock.now():
        _lapse(db, request)
    return request


def _pending_in(
    db: Session, exam_session: ExamSession, request_id: uuid.UUID
) -> tuple[LoginResetRequest, Participant] | Outcome:
    """The request if it still waits for an answer; else what to tell the proctor."""
    request = repository.reset_request_in_session(db, exam_session.id, request_id)
    if request is None:
        raise ActionRefused(N_("There is no such login reset request in this session"))
    if request.status == "pending" and request.expires_at <= clock.now():
        _lapse(db, request)
    if request.status == "expired":
        return Outcome(False, N_("This request has lapsed; the taker may ask again"))
    if request.status != "pending":
        return Outcome(False, N_("This request has already been answered"))
    participant = db.get(Participant, request.participant_id)
    assert participant is not None
    return request, participant


def approve(db: Session, actor: Actor, exam_session: ExamSession, request_id: uuid.UUID) -> Outcome:
    """One click on the board: the seat's login reset (audited as one, naming the request)."""
    found = _pending_in(db, exam_session, request_id)
    if isinstance(found, Outcome):
        return found
    _, participant = found
    reset_login(db, actor, exam_session, participant, translate(APPROVED_REASON))  # answers it
    return Outcome(True, N_("Request approved: the taker may log in again"))


def reject(db: Session, actor: Actor, exam_session: ExamSession, request_id: uuid.UUID) -> Outcome:
    found = _pending_in(db, exam_session, request_id)
    if isinstance(found, Outcome):
        return found
    request, participant = found
    request.status, request.decided_at, request.decided_by = "rejected", clock.now(), actor.username
    record(
        db,
        actor,
        "seat.reset_request_reject",
        target_type="participant",
        target_id=participant.id,
        target_label=f"{participant.name} ({participant.nip})",
        exam_session_id=exam_session.id,
        request_id=str(request.id),
    )
    return Outcome(True, N_("Request declined; the login stays where it is"))
