"""The session report (berita acara): session data, proctors, attendance, incidents and every
pause, extra time, login reset and forced submission with times and reasons."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.models import StaffUser
from app.audit import repository as audit_repository
from app.exams.models import Event, ExamSession
from app.i18n import N_
from app.kit.timezones import format_local
from app.proctoring import repository
from app.proctoring.attendance import AttendanceCounts, group
from app.proctoring.board import BoardRow, build_board
from app.web.labels import label
from app.web.templating import translate

# English msgids; the report is written in the reader's language.
ACTION_LABELS = {
    "session.open": N_("session opened"),
    "session.close": N_("session closed"),
    "session.token_rotate": N_("token changed"),
    "session.cards_issued": N_("participant cards issued"),
    "seat.check_in": N_("check-in"),
    "seat.admit": N_("admitted"),
    "attempt.pause": N_("participant paused"),
    "attempt.resume": N_("participant resumed"),
    "room.pause": N_("whole room paused"),
    "room.resume": N_("whole room resumed"),
    "attempt.extra_time": N_("extra time"),
    "seat.reset_login": N_("login freed"),
    "seat.reset_request_reject": N_("login reset request declined"),
    "seat.pin_reissued": N_("new login PIN issued"),
    "attempt.end": N_("test ended by the proctor"),
    "room.broadcast": N_("message to the room"),
}
REPORTED = {k for k in ACTION_LABELS if k != "seat.check_in"}


@dataclass(frozen=True)
class ReportLine:
    when: str
    who: str
    what: str
    detail: str
    reason: str
    by: str


@dataclass(frozen=True)
class SessionReport:
    exam_session: ExamSession
    event: Event
    starts: str
    proctors: list[str]
    rows: list[BoardRow]
    incidents: list[ReportLine]
    actions: list[ReportLine]
    attendance: AttendanceCounts

    def _in(self, kind: str) -> list[BoardRow]:
        return [r for r in self.rows if group(r.attendance) == kind]

    @property
    def present(self) -> list[BoardRow]:
        return self._in("present")

    @property
    def absent(self) -> list[BoardRow]:
        """Recorded absent: nobody is absent because nobody recorded them."""
        return self._in("absent")

    @property
    def unrecorded(self) -> list[BoardRow]:
        return self._in("unrecorded")

    @property
    def signatures(self) -> list[str]:
        """A signature line per proctor, and never fewer than the two a room has."""
        return self.proctors + [""] * max(0, 2 - len(self.proctors))

    def csv_rows(self) -> list[list[str]]:
        rows = [
            ["presensi", "", r.name, r.nip, r.attendance, f"PC {r.pc_number or '-'}", "", ""]
            for r in self.rows
        ]
        rows += [
            ["kejadian", i.when, i.who, "", i.what, i.detail, i.reason, i.by]
            for i in self.incidents
        ]
        rows += [
            ["tindakan", a.when, a.who, "", a.what, a.detail, a.reason, a.by] for a in self.actions
        ]
        return rows


def _said(kind: str, value: str) -> str:
    """A stored code in words of the reader's language (the report is read and printed)."""
    return translate(label(kind, value))


def session_report(db: Session, exam_session: ExamSession) -> SessionReport:
    zone = exam_session.time_zone
    event = db.get(Event, exam_session.event_id)
    assert event is not None
    board = build_board(db, exam_session.id)
    names = {r.participant_id: f"{r.name} ({r.nip})" for r in board.rows}
    incidents_of = repository.incidents(db, exam_session.id)
    entries = [
        e for e in audit_repository.session_entries(db, exam_session.id) if e.action in REPORTED
    ]
    usernames = {e.actor_username for e in entries} | {i.author for i in incidents_of}
    query = select(StaffUser.username, StaffUser.full_name).where(StaffUser.username.in_(usernames))
    full = {username: name for username, name in db.execute(query).tuples()}
    incidents = [
        ReportLine(
            format_local(i.at, zone, "%H:%M:%S"),
            names.get(i.participant_id, "-") if i.participant_id else "-",
            f"{_said('incident', i.category)} / {_said('incident', i.subcategory)}",
            "",
            i.note,
            full.get(i.author, i.author),
        )
        for i in incidents_of
    ]
    actions = [
        ReportLine(
            format_local(e.at, zone, "%H:%M:%S"),
            (e.target_label or "-")
            if e.target_type == "participant"
            else translate(N_("whole room")),
            translate(ACTION_LABELS[e.action]),
            _detail(e.details, zone),
            e.reason or "",
            full.get(e.actor_username, e.actor_username),
        )
        for e in entries
    ]
    return SessionReport(
        exam_session,
        event,
        format_local(exam_session.starts_at, zone),
        [p.full_name for p in repository.proctors_of(db, exam_session.id)],
        board.rows,
        incidents,
        actions,
        board.attendance,
    )


def _detail(details: dict[str, Any], zone: str) -> str:
    """An action's particulars in the reader's language; times in the room's zone."""
    parts = []
    if "minutes" in details and details["minutes"]:
        parts.append(translate(N_("%(n)s min")) % {"n": details["minutes"]})
    if "credited_seconds" in details:
        credited = details["credited_seconds"]
        total = sum(credited.values()) if isinstance(credited, dict) else credited
        parts.append(translate(N_("%(n)s s of time given back")) % {"n": total})
    if details.get("since"):
        since = details["since"]
        with suppress(ValueError):  # (else as stored)
            since = format_local(datetime.fromisoformat(str(since)), zone, "%H:%M")
        parts.append(translate(N_("counted from %(time)s")) % {"time": since})
    if "seats" in details:
        parts.append(translate(N_("participants: %(n)s")) % {"n": details["seats"]})
    if details.get("message"):
        parts.append(str(details["message"]))
    if details.get("pc_number"):
        parts.append(translate(N_("moved to PC %(pc)s")) % {"pc": details["pc_number"]})
    if details.get("request_id"):
        parts.append(translate(N_("asked for by the taker from another browser")))
    return "; ".join(parts)
