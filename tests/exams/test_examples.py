"""docs/examples imports cleanly against the sample bank: the docs stay true to the code."""

from pathlib import Path

from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams import repository
from app.exams.event_file import read_event_file
from app.exams.participant_file import read_participant_file
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event

ROOT = Path(__file__).resolve().parents[2]


def test_documented_example_event_imports_and_prepares(db_session: Session) -> None:
    import_bank(db_session, load_bank(ROOT / "question_bank" / "sample"))
    doc = read_event_file(ROOT / "docs" / "examples" / "event.yaml")
    rows = read_participant_file(ROOT / "docs" / "examples" / "participants.csv")
    report = import_event(db_session, doc, rows)
    assert report.participants_created == 5
    assert event_accommodations(db_session) == {"198007222005012011": (25, True)}
    event = repository.event_by_code(db_session, doc.code)
    assert event is not None
    drawn = prepare_sessions(db_session, event)
    assert drawn.forms_drawn == {"S1": 3, "S2": 2}


def event_accommodations(db: Session) -> dict[str, tuple[int, bool]]:
    """The participants with an accommodation (the example file gives one)."""
    from sqlalchemy import select

    from app.exams.models import Participant

    people = db.scalars(select(Participant))
    return {
        p.nip: (p.extra_time_percent, p.large_print)
        for p in people
        if p.extra_time_percent or p.large_print
    }
