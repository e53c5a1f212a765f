"""The live room board: one row per seat, computed from one query.

Display decisions (status words, alerts) are made here, not in templates. Alerts are listed
beside the status, never instead of it, so a paused seat that is also disconnected shows both.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from app.delivery import core
from app.i18n import N_
from app.kit import clock
from app.proctoring import repository
from app.proctoring.attendance import AttendanceCounts, count_attendance
from app.proctoring.repository import SeatRow

DISCONNECTED_AFTER = timedelta(seconds=45)
LOW_TIME_SECONDS = 300

# English msgids; templates translate them (Indonesian first).
STATUS_LABELS = {
    "not_logged_in": N_("not logged in"),
    "waiting": N_("waiting"),
    "awaiting_admission": N_("awaiting admission"),
    "in_progress": N_("working"),
    "paused": N_("paused"),
    "disconnected": N_("disconnected"),
    "submitted": N_("finished"),
    "ended": N_("ended by the proctor"),
    "absent": N_("absent"),
}

# Alerts ask the proctor to act; English msgids, translated by the templates.
ALERT_DISCONNECTED = N_("disconnected")
ALERT_LOW_TIME = N_("less than 5 minutes left")
ALERT_LOGIN_FREED = N_("login freed, not back in yet")
ALERT_AWAITING = N_("waiting to be admitted")
ALERT_ABSENT_SIGNED_IN = N_("recorded absent, yet logged in")
ALERT_RESET_REQUEST = N_("asks for a login reset")
# Seats whose test is under way: only their contact age means anything.
LIVE = ("in_progress", "paused", "disconnected")


@dataclass(frozen=True)
class BoardRow:
    participant_id: uuid.UUID
    name: str
    nip: str
    agency: str
    pc_number: str | None
    attendance: str
    id_checked: bool
    seat_version: int
    status: str
    answered: int
    total: int
    remaining_seconds: int | None
    paused: bool
    last_seen: datetime | None
    seen_age_seconds: int | None  # at render time, on the server's clock; live seats only
    deadline: str | None  # ISO, so a form can say which deadline it meant to extend
    alerts: list[str]
    changed_at: datetime
    signed_in: bool = False  # logged in or began the test
    extra_minutes: int = 0  # the proctor's extra time
    # Accommodations from the participant file (the deadlines include the extra time).
    extra_time_percent: int = 0
    large_print: bool = False
    reset_request_id: uuid.UUID | None = None  # a login reset request waiting for an answer
    # How often (and how many seconds in all) the test page left the exam window; 0 where
    # the event requires Safe Exam Browser, which keeps the window locked.
    left_window: int = 0
    left_window_seconds: int = 0
    left_window_at: datetime | None = None
    # Logged in and waiting for a proctor's admission (the event requires it): before the
    # test, or after a login reset during it.
    awaiting_admission: bool = False

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class SessionRef:
    """What the board's partials read of the session (its id): a poll loads no session row."""

    id: uuid.UUID


@dataclass(frozen=True)
class Board:
    labels: ClassVar[dict[str, str]] = STATUS_LABELS
    rows: list[BoardRow]
    at: datetime
    totals: dict[str, int] = field(default_factory=dict)
    attendance: AttendanceCounts = AttendanceCounts(0, 0, 0, 0, 0, 0, 0)
    reset_requests: int = 0  # seats asking for a login reset


def _status(row: SeatRow, now: datetime) -> str:
    if row.attempt_id is not None:
        if row.status == "submitted":
            return "ended" if row.submitted_by == "proctor" else "submitted"
        if row.paused_at is not None:
            return "paused"
        seen = row.last_seen_at
        if seen is None or now - seen > DISCONNECTED_AFTER:
            return "disconnected"
        return "in_progress"
    if row.attendance == "absent":
        return "absent"
    if row.login_id is None:
        return "not_logged_in"
    if row.needs_admission and row.admitted_at is None:
        return "awaiting_admission"
    return "waiting"


def _signed_in(row: SeatRow) -> bool:
    return row.login_id is not None or row.attempt_id is not None


def _awaiting(row: SeatRow) -> bool:
    return row.login_id is not None and bool(row.needs_admission) and not row.admitted_at


def _open_request(row: SeatRow, now: datetime) -> uuid.UUID | None:
    """The seat's login reset request still waiting for an answer (one lapsed is not)."""
    request_id: uuid.UUID | None = row.request_id
    if request_id is not None and row.request_expires_at > now:
        return request_id
    return None


def _alerts(row: SeatRow, status: str, remaining: int | None, now: datetime) -> list[str]:
    """Only what asks for the proctor's action: a board where every seat carries a badge is a
    board nobody reads (a login with attendance not yet recorded is counted in the totals)."""
    alerts = []
    if row.attempt_id is not None and row.status == "in_progress":
        seen = row.last_seen_at
        if status == "paused" and (seen is None or now - seen > DISCONNECTED_AFTER):
            alerts.append(ALERT_DISCONNECTED)
        if remaining is not None and remaining <= LOW_TIME_SECONDS and status != "paused":
            alerts.append(ALERT_LOW_TIME)
        if row.login_id is None:
            alerts.append(ALERT_LOGIN_FREED)
    if row.attempt_id is not None and _awaiting(row):
        alerts.append(ALERT_AWAITING)
    if row.attendance == "absent" and _signed_in(row):
        alerts.append(ALERT_ABSENT_SIGNED_IN)
    if _open_request(row, now) is not None:
        alerts.append(ALERT_RESET_REQUEST)
    return alerts


def _changed_at(row: SeatRow, now: datetime) -> datetime:
    """When the row last looked different; a seat turning "terputus" counts as a change."""
    stamps = [row.participant_updated_at, row.seat_updated_at, row.last_answer_at]
    stamps += [row.request_at, row.request_expires_at, row.request_decided_at]
    if row.login_id is not None:
        stamps += [row.login_created_at, row.admitted_at]
    if row.attempt_id is not None:
        stamps += [row.started_at, row.paused_at, row.submitted_at, row.controlled_at]
        stamps.append(row.left_window_at)
        if row.last_seen_at is not None:
            # when it turns "terputus"
            stamps += [row.last_seen_at, row.last_seen_at + DISCONNECTED_AFTER]
    latest: datetime = max(s for s in stamps if s is not None and s <= now)
    return latest


def board_row(
    row: SeatRow, now: datetime, status: str | None = None, changed: datetime | None = None
) -> BoardRow:
    status = status or _status(row, now)
    in_progress = row.attempt_id is not None and row.status == "in_progress"
    remaining = core.seconds_left(row.deadline_at, now, row.paused_at) if in_progress else None
    seen = row.last_seen_at
    return BoardRow(
        participant_id=row.participant_id,
        name=row.name,
        nip=row.nip,
        agency=row.agency,
        pc_number=row.pc_number,
        attendance=row.attendance or "unknown",
        id_checked=bool(row.id_checked),
        seat_version=row.seat_version or 1,
        status=status,
        answered=row.answered or 0,
        total=row.item_count or 0,
        remaining_seconds=remaining,
        paused=status == "paused",
        last_seen=seen,
        deadline=row.deadline_at.isoformat() if row.attempt_id is not None else None,
        seen_age_seconds=(
            int((now - seen).total_seconds()) if seen is not None and status in LIVE else None
        ),
        alerts=_alerts(row, status, remaining, now),
        changed_at=changed or _changed_at(row, now),
        signed_in=_signed_in(row),
        extra_minutes=row.extra_minutes or 0,
        extra_time_percent=row.extra_time_percent or 0,
        large_print=bool(row.large_print),
        reset_request_id=_open_request(row, now),
        awaiting_admission=_awaiting(row),
        **_window_leaves(row),
    )


def _window_leaves(row: SeatRow) -> dict[str, Any]:
    """The page's reports of leaving the exam window; none shown under Safe Exam Browser."""
    if row.attempt_id is None or row.exam_browser or not row.left_window_count:
        return {}
    return {
        "left_window": row.left_window_count,
        "left_window_seconds": row.left_window_seconds,
        "left_window_at": row.left_window_at,
    }


def build_board(
    db: Session,
    exam_session_id: uuid.UUID,
    since: datetime | None = None,
    agency_id: uuid.UUID | None = None,
) -> Board:
    """All rows (or only those changed after `since`) and the room totals.

    Every seat's status counts in the totals, but a poll builds rows only for the seats that
    changed: most of an open room's seats look the same as three seconds ago."""
    now = clock.now()
    seats = repository.seat_rows(db, exam_session_id, agency_id)
    statuses = [_status(s, now) for s in seats]
    totals = dict.fromkeys(STATUS_LABELS, 0)
    for status in statuses:
        totals[status] += 1
    totals["all"] = len(seats)
    attendance = count_attendance((s.attendance, _signed_in(s)) for s in seats)
    asking = sum(1 for s in seats if _open_request(s, now) is not None)
    # One second of overlap: a change in the same instant as the last poll is not lost.
    after = since - timedelta(seconds=1) if since is not None else None
    rows = []
    for seat, status in zip(seats, statuses, strict=True):
        changed = _changed_at(seat, now)
        if after is None or changed > after:
            rows.append(board_row(seat, now, status, changed))
    return Board(rows, now, totals, attendance, asking)
