"""Assigning proctors to exam sessions (CLI and demo; the admin page does the same)."""

from sqlalchemy.orm import Session

from app.accounts import repository as accounts_repository
from app.audit.service import Actor, record
from app.exams import repository as exams_repository
from app.i18n import N_, translate
from app.proctoring import repository
from app.proctoring.models import ProctorAssignment


class AssignmentError(ValueError):
    pass


def assign_proctor(
    db: Session, username: str, event_code: str, session_code: str, by: Actor | None = None
) -> bool:
    """True when a new assignment was made, False when it existed already."""
    user = accounts_repository.user_by_username(db, username.strip().lower())
    if user is None or user.role != "proctor":
        message = N_("'%(username)s' is not a proctor account")
        raise AssignmentError(translate(message, {"username": username}))
    event = exams_repository.event_by_code(db, event_code)
    exam_session = exams_repository.session_by_code(db, event.id, session_code) if event else None
    if exam_session is None:
        message = N_("session %(event)s/%(session)s not found")
        raise AssignmentError(translate(message, {"event": event_code, "session": session_code}))
    if repository.is_assigned(db, user.id, exam_session.id):
        return False
    db.add(ProctorAssignment(user_id=user.id, exam_session_id=exam_session.id))
    record(
        db,
        by or Actor(None, "cli", "admin"),
        "proctor.assign",
        target_type="staff_user",
        target_id=user.id,
        target_label=user.username,
        exam_session_id=exam_session.id,
    )
    db.flush()
    return True
