"""A room's PCs checked before the test (`/ujian/cek`): the technician's reports, kept per PC.

No login: a report is keyed by the room token the proctor gives the technician, so nobody
without it can write into a room's list; wrong tokens are limited per address like taker
logins (app/throttle), and a room holds at most `MAX_PCS_PER_ROOM` PCs.
"""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.exams.models import ExamSession
from app.i18n import N_
from app.kit import clock
from app.kit.errors import Refusal
from app.readiness import repository, rules
from app.readiness.models import PcCheck
from app.throttle import service as throttle

# Rooms hold about 30 to 100 PCs; room for spares and relabelled ones, not for a flood.
MAX_PCS_PER_ROOM = 300
MAX_LABEL = 32


class ReportRefused(Refusal):
    status = 422
    code = "report_refused"


class UnknownRoom(ReportRefused):
    status, code = 401, "unknown_room"
    message_id = N_("Unknown room token, or the room's session is closed. Ask the proctor.")


class TooManyTries(ReportRefused):
    status, code = 429, "too_many_attempts"
    message_id = N_("Too many wrong room tokens. Please wait a moment and try again.")

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after


@dataclass(frozen=True)
class Reported:
    check: PcCheck
    exam_session: ExamSession


def pc_label(typed: str) -> str:
    """The label as stored: spaces trimmed, printable only; refused when empty or long."""
    label = "".join(c for c in typed.strip() if c.isprintable())
    if not label:
        raise ReportRefused(N_("Type this PC's label, e.g. PC-07"))
    if len(label) > MAX_LABEL:
        raise ReportRefused(N_("A PC label has at most %(n)s characters"), n=MAX_LABEL)
    return label


def room_of(db: Session, room_token: str, address: str | None) -> ExamSession:
    """The session whose room token this is; a wrong one is counted against the address."""
    keyed = throttle.keys("readiness", address=address)
    try:
        tried = throttle.check(db, "readiness", keyed)
    except throttle.Throttled as exc:
        raise TooManyTries(exc.retry_after) from None
    token = "".join(room_token.split()).upper()
    found = repository.sessions_showing(db, token, clock.now()) if token else []
    if len(found) != 1:  # two open rooms showing one token: too rare to guess which
        throttle.failed(db, "readiness", keyed, tried)
        raise UnknownRoom()
    return found[0]


def report(
    db: Session,
    room_token: str,
    typed_label: str,
    measured: rules.Measurements,
    seb: bool,
    user_agent: str | None = None,
    address: str | None = None,
) -> Reported:
    """Judge and keep one PC's check (a new check of the same label replaces the last)."""
    label = pc_label(typed_label)
    exam_session = room_of(db, room_token, address)
    now = clock.now()
    results = rules.judge(measured, exam_session.time_zone, seb, now)
    check = repository.pc_check(db, exam_session.id, label)
    if check is None:
        if repository.pc_count(db, exam_session.id) >= MAX_PCS_PER_ROOM:
            raise ReportRefused(N_("This room already holds %(n)s checked PCs"), n=MAX_PCS_PER_ROOM)
        check = PcCheck(exam_session_id=exam_session.id, pc_label=label)
        db.add(check)
    check.checked_at, check.results, check.passed = now, results, rules.passed(results)
    check.user_agent = (user_agent or "")[:400] or None
    check.client_address = address
    db.flush()
    return Reported(check, exam_session)
