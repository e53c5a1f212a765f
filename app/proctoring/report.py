"""The session report (berita acara): session data, proctors, attendance, incidents and every
pause, extra time, login reset and forced submission with times and reasons."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.audit import repository as audit_repository
from app.exams.models import Event, ExamSession
from app.kit.timezones import format_local
from app.proctoring import repository
from app.proctoring.attendance import AttendanceCounts, group
from app.proctoring.board import BoardRow, build_board
from app.web.labels import label
from app.web.templating import translate

ACTION_LABELS = {
    "session.open": "sesi dibuka",
    "session.close": "sesi ditutup",
    "session.token_rotate": "token diganti",
    "session.cards_issued": "kartu peserta diterbitkan",
    "seat.check_in": "presensi",
    "seat.admit": "izin melanjutkan",
    "attempt.pause": "jeda peserta",
    "attempt.resume": "lanjut peserta",
    "room.pause": "jeda seluruh ruang",
    "room.resume": "lanjut seluruh ruang",
    "attempt.extra_time": "tambahan waktu",
    "seat.reset_login": "login dibebaskan",
    "attempt.end": "tes diakhiri pengawas",
    "room.broadcast": "pesan ke ruang",
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
    incidents = [
        ReportLine(
            format_local(i.at, zone, "%H:%M:%S"),
            names.get(i.participant_id, "-") if i.participant_id else "-",
            f"{_said('incident', i.category)} / {_said('incident', i.subcategory)}",
            "",
            i.note,
            i.author,
        )
        for i in repository.incidents(db, exam_session.id)
    ]
    actions = [
        ReportLine(
            format_local(e.at, zone, "%H:%M:%S"),
            e.target_label if e.target_type == "participant" else "seluruh ruang",
            ACTION_LABELS[e.action],
            _detail(e.details),
            e.reason or "",
            e.actor_username,
        )
        for e in audit_repository.session_entries(db, exam_session.id)
        if e.action in REPORTED
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


def _detail(details: dict) -> str:  # type: ignore[type-arg]
    parts = []
    if "minutes" in details and details["minutes"]:
        parts.append(f"{details['minutes']} menit")
    if "credited_seconds" in details:
        credited = details["credited_seconds"]
        total = sum(credited.values()) if isinstance(credited, dict) else credited
        parts.append(f"waktu dikembalikan {total} detik")
    if details.get("since"):
        parts.append(f"berlaku sejak {details['since']}")
    if "seats" in details:
        parts.append(f"{details['seats']} peserta")
    if details.get("message"):
        parts.append(str(details["message"]))
    if details.get("pc_number"):
        parts.append(f"pindah ke PC {details['pc_number']}")
    return "; ".join(parts)
