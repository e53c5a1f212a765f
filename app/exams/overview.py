"""A read-only summary of an event for the CLI and the admin pages."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.exams import repository
from app.kit.timezones import format_local


@dataclass(frozen=True)
class SessionLine:
    code: str
    starts: str
    venue: str
    room: str
    status: str
    token: str
    registered: int
    capacity: int
    forms: int


@dataclass(frozen=True)
class EventOverview:
    code: str
    name: str
    organiser: str
    total_time_minutes: int
    sections: list[tuple[str, str, int, int | None]]  # title, pool, items, minutes
    sessions: list[SessionLine]

    def render_text(self) -> str:
        lines = [f"{self.code} — {self.name} ({self.organiser}), {self.total_time_minutes} menit"]
        for title, pool, items, minutes in self.sections:
            limit = f", {minutes} menit" if minutes else ""
            lines.append(f"  bagian: {title} — {items} butir dari {pool}{limit}")
        for s in self.sessions:
            lines.append(
                f"  sesi {s.code}: {s.starts}, {s.venue} / {s.room}, status {s.status}, "
                f"token {s.token}, peserta {s.registered}/{s.capacity}, formulir {s.forms}"
            )
        return "\n".join(lines)


def event_overview(db: Session, code: str) -> EventOverview | None:
    event = repository.event_by_code(db, code)
    if event is None:
        return None
    registered = Counter(p.session_id for p in repository.participants(db, event.id))
    forms = repository.forms_by_session(db, event.id)
    sessions = [
        SessionLine(
            s.code,
            format_local(s.starts_at, s.time_zone),
            s.venue,
            s.room,
            s.status,
            s.room_token,
            registered[s.id],
            s.capacity,
            forms.get(s.id, 0),
        )
        for s in repository.sessions(db, event.id)
    ]
    sections = [
        (
            s.title,
            s.subtest_code + (f"/{s.theme}" if s.theme else ""),
            s.item_count,
            s.time_limit_minutes,
        )
        for s in repository.sections(db, event.id)
    ]
    return EventOverview(
        event.code, event.name, event.organiser, event.total_time_minutes, sections, sessions
    )
