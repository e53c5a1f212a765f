"""A read-only summary of an event for the CLI and the admin pages."""

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.exams import repository
from app.i18n import N_, translate
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


EVENT_LINE = N_("%(code)s — %(name)s (%(organiser)s), %(minutes)s minutes")
SECTION = N_("section: %(title)s — %(items)s items from %(pool)s")
TIMED_SECTION = N_("section: %(title)s — %(items)s items from %(pool)s, %(minutes)s minutes")
ADAPTIVE_SECTION = N_("section: %(title)s — adaptive, at most %(items)s items from %(pool)s")
TIMED_ADAPTIVE_SECTION = N_(
    "section: %(title)s — adaptive, at most %(items)s items from %(pool)s, %(minutes)s minutes"
)
SESSION_LINE = N_(
    "session %(code)s: %(starts)s, %(venue)s / %(room)s, status %(status)s, token %(token)s, "
    "participants %(registered)s/%(capacity)s, forms %(forms)s"
)


@dataclass(frozen=True)
class EventOverview:
    code: str
    name: str
    organiser: str
    total_time_minutes: int
    # title, pool, items (an adaptive section's maximum), minutes, adaptive
    sections: list[tuple[str, str, int, int | None, bool]]
    sessions: list[SessionLine]

    def render_text(self) -> str:
        event = {"code": self.code, "name": self.name, "organiser": self.organiser}
        lines = [translate(EVENT_LINE, event | {"minutes": self.total_time_minutes})]
        for title, pool, items, minutes, adaptive in self.sections:
            section = {"title": title, "items": items, "pool": pool, "minutes": minutes}
            if adaptive:
                line = TIMED_ADAPTIVE_SECTION if minutes else ADAPTIVE_SECTION
            else:
                line = TIMED_SECTION if minutes else SECTION
            lines.append("  " + translate(line, section))
        for s in self.sessions:
            session: dict[str, object] = {
                "code": s.code,
                "starts": s.starts,
                "venue": s.venue,
                "room": s.room,
            }
            session |= {"status": s.status, "token": s.token, "registered": s.registered}
            session |= {"capacity": s.capacity, "forms": s.forms}
            lines.append("  " + translate(SESSION_LINE, session))
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
            s.mode == "adaptive",
        )
        for s in repository.sections(db, event.id)
    ]
    return EventOverview(
        event.code, event.name, event.organiser, event.total_time_minutes, sections, sessions
    )
