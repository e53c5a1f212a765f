"""Fixed personas for every role, on an open exam with two sessions."""

import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.accounts.service import create_user, log_in
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import service as delivery_service
from app.exams import repository as exams_repository
from app.exams.models import ExamSession
from app.proctoring.assignments import assign_proctor
from tests.delivery.factories import OpenExam, open_exam

PASSWORD = "kata-sandi-uji-1"
PERSONAS = ("admin", "proctor", "other_proctor", "analyst", "viewer", "other_viewer")


@dataclass
class World:
    exam: OpenExam
    other_session: ExamSession
    staff_tokens: dict[str, str] = field(default_factory=dict)
    taker_tokens: dict[str, str] = field(default_factory=dict)
    participant_ids: list[str] = field(default_factory=list)
    session_id: str = ""  # S1's and S2's ids, as routes take them
    other_session_id: str = ""
    other_token: str = ""  # S2's room token when built
    # set by the fixtures of the tests that need them
    valid: dict[str, str] = field(default_factory=dict)
    api_token: str = ""
    event_code: str = ""
    parameter_set_id: uuid.UUID | None = None
    sessionmaker: Any = None  # a session factory on the world's database


def build_world(db: Session, tmp_path: Path, section_limits=(None, None), **settings: Any) -> World:
    """S1 open with 3 takers of agency 7371; S2 (another room) open with one of 7302.
    `settings`: more event-file keys (open_exam)."""
    exam = open_exam(
        db, tmp_path, people=3, section_limits=section_limits, other_room=True, **settings
    )
    other = exams_repository.session_by_code(db, exam.event.id, "S2")
    assert other is not None
    agencies = exams_repository.agencies_by_code(db, ["7371", "7302"])
    specs = {
        "admin": ("admin", None),
        "proctor": ("proctor", None),
        "other_proctor": ("proctor", None),
        "analyst": ("analyst", None),
        "viewer": ("agency_viewer", agencies["7371"].id),
        "other_viewer": ("agency_viewer", agencies["7302"].id),
    }
    world = World(exam, other, session_id=str(exam.session.id), other_session_id=str(other.id))
    world.other_token = other.room_token or ""
    for name, (role, agency_id) in specs.items():
        create_user(db, name.replace("_", "-"), PASSWORD, role, name, agency_id)
    assign_proctor(db, "proctor", exam.event.code, "S1")
    assign_proctor(db, "other-proctor", exam.event.code, "S2")
    for name in specs:
        _, token = log_in(db, name.replace("_", "-"), PASSWORD, "127.0.0.1")
        world.staff_tokens[name] = token
    for n, key in ((0, "taker"), (1, "other_taker")):
        pin = exam.pins.get(exam.nips[n])
        taker, cookie = delivery_service.login(db, exam.nips[n], exam.token, None, pin=pin)
        assert cookie
        world.taker_tokens[key] = cookie
        world.participant_ids.append(str(taker.participant.id))
    db.flush()
    return world


def world_in(database_url: str, tmp_path: Path) -> World:
    """`build_world` in its own committed transaction (the fixtures of route tests)."""
    engine = make_engine(database_url)
    with transaction(make_sessionmaker(engine)) as db:
        built = build_world(db, tmp_path)
    engine.dispose()
    return built
