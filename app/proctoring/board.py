"""The live room board: one row per seat, computed from a fixed number of queries (three).

Display decisions (status words, alerts) are made here, not in templates. Alerts are listed
beside the status, never instead of it, so a paused seat that is also disconnected shows both.
"""

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.delivery.timing import seconds_until
from app.i18n import N_
from app.kit import clock
from app.proctoring import repository
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
    seen_age_seconds: int | None  # at render time, on the server's clock
    deadline: str | None  # ISO, so a form can say which deadline it meant to extend
    alerts: list[str]
    changed_at: datetime

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]
    at: datetime
    totals: dict[str, int] = field(default_factory=dict)


def _status(row: SeatRow, now: datetime) -> str:
    attempt, login = row.attempt, row.login
    if attempt is not None and attempt.status == "submitted":
        return "ended" if attempt.submitted_by == "proctor" else "submitted"
    if attempt is not None and attempt.paused_at is not None:
        return "paused"
    if attempt is not None:
        seen = attempt.last_seen_at
        if seen is None or now - seen > DISCONNECTED_AFTER:
            return "disconnected"
        return "in_progress"
    if row.seat is not None and row.seat.attendance == "absent":
        return "absent"
    if login is None:
        return "not_logged_in"
    if login.needs_admission and login.admitted_at is None:
        return "awaiting_admission"
    return "waiting"


def _alerts(row: SeatRow, status: str, remaining: int | None, now: datetime) -> list[str]:
    alerts = []
    attempt, seat = row.attempt, row.seat
    if attempt is not None and attempt.status == "in_progress":
        seen = attempt.last_seen_at
        if status == "paused" and (seen is None or now - seen > DISCONNECTED_AFTER):
            alerts.append("terputus")
        if remaining is not None and remaining <= LOW_TIME_SECONDS and status != "paused":
            alerts.append("sisa waktu < 5 menit")
        if row.login is None:
            alerts.append("login dibebaskan, belum masuk lagi")
    login = row.login
    awaiting = login is not None and login.needs_admission and not login.admitted_at
    if attempt is not None and awaiting:
        alerts.append("menunggu izin melanjutkan")
    if row.login is not None and (seat is None or seat.attendance in ("unknown", "absent")):
        alerts.append("login tanpa presensi")
    return alerts


def _changed_at(row: SeatRow, now: datetime) -> datetime:
    """When the row last looked different; a seat turning "terputus" counts as a change."""
    stamps = [row.participant.updated_at]
    if row.seat is not None:
        stamps.append(row.seat.updated_at)
    if row.login is not None:
        stamps += [row.login.created_at, row.login.admitted_at]
    if row.attempt is not None:
        a = row.attempt
        stamps += [a.started_at, a.paused_at, a.submitted_at, a.last_seen_at, a.controlled_at]
        if a.last_seen_at is not None:
            stamps.append(a.last_seen_at + DISCONNECTED_AFTER)  # when it turns "terputus"
    stamps.append(row.last_answer_at)
    return max(s for s in stamps if s is not None and s <= now)


def board_row(row: SeatRow, now: datetime, extra_minutes: int = 0) -> BoardRow:
    status = _status(row, now)
    attempt = row.attempt
    remaining = None
    if attempt is not None and attempt.status == "in_progress":
        remaining = seconds_until(attempt.deadline_at, attempt, now)
    return BoardRow(
        participant_id=row.participant.id,
        name=row.participant.name,
        nip=row.participant.nip,
        agency=row.agency.name,
        pc_number=row.seat.pc_number if row.seat else None,
        attendance=row.seat.attendance if row.seat else "unknown",
        id_checked=bool(row.seat and row.seat.id_checked),
        seat_version=row.seat.version if row.seat else 1,
        status=status,
        answered=row.answered,
        total=row.item_count,
        remaining_seconds=remaining,
        paused=status == "paused",
        last_seen=attempt.last_seen_at if attempt else None,
        deadline=attempt.deadline_at.isoformat() if attempt is not None else None,
        seen_age_seconds=(
            int((now - attempt.last_seen_at).total_seconds())
            if attempt is not None and attempt.last_seen_at is not None
            else None
        ),
        alerts=_alerts(row, status, remaining, now)
        + ([f"tambahan waktu {extra_minutes} menit"] if extra_minutes else []),
        changed_at=_changed_at(row, now),
    )


def build_board(
    db: Session,
    exam_session_id: uuid.UUID,
    since: datetime | None = None,
    agency_id: uuid.UUID | None = None,
) -> Board:
    """All rows (or only those changed after `since`) and the room totals."""
    now = clock.now()
    seats = repository.seat_rows(db, exam_session_id, agency_id)
    extra = repository.extra_time_of(db, [s.attempt.id for s in seats if s.attempt is not None])
    rows = [board_row(s, now, extra.get(s.attempt.id, 0) if s.attempt else 0) for s in seats]
    totals = {key: sum(1 for r in rows if r.status == key) for key in STATUS_LABELS}
    totals["all"] = len(rows)
    totals["present"] = sum(1 for r in rows if r.attendance in ("present", "late"))
    if since is not None:
        # One second of overlap: a change in the same instant as the last poll is not lost.
        rows = [r for r in rows if r.changed_at > since - timedelta(seconds=1)]
    return Board(rows, now, totals)
