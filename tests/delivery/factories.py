"""An open exam session with prepared forms, ready for takers."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams import repository as exams_repository
from app.exams.models import Event, ExamSession
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from tests.bank.factories import bank_of
from tests.exams.factories import event_data, event_doc, participant, rows, valid_nip


@dataclass
class OpenExam:
    event: Event
    session: ExamSession
    nips: list[str]
    pins: dict[str, str] = field(default_factory=dict)  # NIP → login PIN (login_pin events)

    @property
    def token(self) -> str:
        return self.session.room_token


def open_exam(
    db: Session,
    tmp_path: Path,
    people: int = 3,
    total_minutes: int = 60,
    section_limits: tuple[int | None, int | None] = (None, None),
    show_results: bool = False,
    other_room: bool = False,
    require_admission: bool = False,
    **settings: Any,
) -> OpenExam:
    """Bank with verbal (keyed) and sjt (graded) items; blueprint 3 verbal + 2 sjt.
    `settings`: more event-file keys (safe_exam_browser, login_pin)."""
    import_bank(db, load_bank(bank_of(tmp_path / "bank", verbal=12, sjt=8)))
    data: dict[str, Any] = event_data(
        show_results_to_takers=show_results, require_admission=require_admission, **settings
    )
    data["blueprint"]["total_time_minutes"] = total_minutes
    for room in data["sessions"]:  # room and seats for everyone asked for
        room["capacity"] = max(room["capacity"], people + 1)
    for agency in data["agencies"]:
        agency["seats"] = max(agency["seats"], people + 1)
    for section, limit in zip(data["blueprint"]["sections"], section_limits, strict=True):
        section["time_limit_minutes"] = limit
    people_rows = [participant(n) for n in range(1, people + 1)]
    if other_room:  # one participant of another agency in another room (S2)
        people_rows.append(participant(people + 1, "S2", agency="7302"))
    report = import_event(db, event_doc(**data), rows(*people_rows))
    event = exams_repository.event_by_code(db, data["code"])
    assert event is not None
    prepare_sessions(db, event, ["S1", "S2"] if other_room else ["S1"])
    if other_room:
        other = exams_repository.session_by_code(db, event.id, "S2")
        assert other is not None
        other.status = "open"
    exam_session = exams_repository.session_by_code(db, event.id, "S1")
    assert exam_session is not None
    exam_session.status = "open"
    db.flush()
    pins = {c.nip: c.pin for c in report.issued_codes if c.pin}
    return OpenExam(event, exam_session, [valid_nip(n) for n in range(1, people + 1)], pins)


def committed_exam(database_url: str, tmp_path: Path, **options: Any) -> OpenExam:
    """open_exam(**options) committed to `database_url` for a live app to read; the NIPs and
    the room token kept readable after the session closes."""
    from app.db import make_engine, make_sessionmaker, transaction

    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as db:
        created = open_exam(db, tmp_path, **options)
        token, nips = created.token, created.nips
    engine.dispose()
    created.nips, created.session.room_token = nips, token
    return created
