"""An open exam session whose blueprint holds an adaptive section (issue 21)."""

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.exams import repository as exams_repository
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from tests.bank.factories import graded_item, keyed_item, write_bank
from tests.delivery.factories import OpenExam
from tests.exams.factories import event_data, event_doc, participant, rows, valid_nip

THEMES = ("deret angka", "aritmetika")


def adaptive_bank(root: Path, numerik: int = 48, sjt: int = 24) -> Path:
    """Verbal items for a fixed section; numerik (2PL, two themes, spread difficulties) and
    sjt (graded, GRM) items with parameters for adaptive ones."""
    items = [keyed_item(f"V{i:04d}", i) for i in range(1, 13)]
    for n in range(numerik):
        irt = {"model": "2pl", "a": round(0.8 + 0.02 * (n % 20), 3), "b": round(-2.4 + 0.1 * n, 3)}
        items.append(
            keyed_item(f"N{n + 1:04d}", 1000 + n, subtest="numerik", theme=THEMES[n % 2], irt=irt)
        )
    for n in range(sjt):
        shift = -1.2 + 0.1 * n
        irt = {
            "model": "grm",
            "a": round(0.9 + 0.03 * n, 3),
            "thresholds": [round(shift + t, 3) for t in (-1.5, -0.5, 0.5, 1.5)],
        }
        items.append(graded_item(f"S{n + 1:04d}", 2000 + n, irt=irt))
    return write_bank(root, items)


def adaptive_section(subtest: str = "numerik", **settings: Any) -> dict[str, Any]:
    adaptive: dict[str, Any] = {
        "min_items": 3,
        "max_items": 6,
        "stop_se": 0.2,
        "exposure": {"method": "randomesque", "max_rate": 0.25, "top_k": 4},
    }
    if subtest == "numerik":
        adaptive["content"] = {THEMES[0]: 0.5, THEMES[1]: 0.5}
    adaptive.update(settings)
    return {
        "title": f"{subtest.capitalize()} adaptif",
        "subtest": subtest,
        "mode": "adaptive",
        "adaptive": adaptive,
        "instructions": "Butir berikutnya dipilih dari jawaban Anda.",
    }


def adaptive_exam(
    db: Session,
    tmp_path: Path,
    people: int = 2,
    sections: list[dict[str, Any]] | None = None,
    total_minutes: int = 60,
    code: str = "proasn-uji",
    verbal_first: bool = True,
    sjt_last: bool = True,
) -> OpenExam:
    """Verbal (3 fixed items; `verbal_first`), then the adaptive section(s), then sjt (2 fixed
    items; `sjt_last`)."""
    import_bank(db, load_bank(adaptive_bank(tmp_path / "bank")))
    data: dict[str, Any] = event_data(code=code)
    data["blueprint"]["total_time_minutes"] = total_minutes
    data["blueprint"]["sections"] = [
        *([{"title": "Verbal", "subtest": "verbal", "items": 3}] if verbal_first else []),
        *(sections or [adaptive_section()]),
        *([{"title": "Situasional", "subtest": "sjt", "items": 2}] if sjt_last else []),
    ]
    for room in data["sessions"]:
        room["capacity"] = max(room["capacity"], people + 1)
    for agency in data["agencies"]:
        agency["seats"] = max(agency["seats"], people + 1)
    import_event(db, event_doc(**data), rows(*[participant(n) for n in range(1, people + 1)]))
    event = exams_repository.event_by_code(db, data["code"])
    assert event is not None
    prepare_sessions(db, event, ["S1"])
    exam_session = exams_repository.session_by_code(db, event.id, "S1")
    assert exam_session is not None
    exam_session.status = "open"
    db.flush()
    return OpenExam(event, exam_session, [valid_nip(n) for n in range(1, people + 1)])
