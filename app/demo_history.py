"""A finished demo session (yesterday, 30 simulated officials) so the analyst pages of the demo
have scores, θ with SE, levels and item statistics to show. Simulated answers follow each
item's own (illustrative) IRT parameters from a fixed seed; nothing here runs outside the demo."""

from datetime import date, datetime, timedelta

import numpy as np
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import repository as delivery_repository
from app.delivery.models import Answer, Attempt
from app.delivery.scoring import score_attempt
from app.delivery.selectors import FixedFormSelector, selector_for
from app.exams import repository as exams_repository
from app.exams.models import Event, ExamSession
from app.psychometrics.irt import grm_category_probabilities, p_correct

SIMULATED = 30
SEED = 20261127


def simulated_participants(
    first_row: int, session_code: str
) -> list[tuple[str, str, str, str, str]]:
    """(nip, name, agency, position, eselon) for the simulated officials, always the same."""
    people = []
    for n in range(SIMULATED):
        birth = date(1968, 1, 1) + timedelta(days=263 * n)
        nip = f"{birth:%Y%m%d}{birth.year + 24}{(n % 12) + 1:02d}{1 + n % 2}{n + 101:03d}"
        agency = "3404" if n % 2 else "7371"
        eselon = ("II.b", "III.a", "III.b", "IV.a", "IV.b")[n % 5]
        people.append((nip, f"Pejabat Simulasi {n + 1:02d}", agency, "Kepala Bidang", eselon))
    return people


def simulate_finished_session(db: Session, event: Event, exam_session: ExamSession) -> int:
    """Attempts for everyone in the session who has none yet; returns how many were made."""
    rng = np.random.default_rng(SEED)
    made = 0
    for participant in exams_repository.participants_in_session(db, exam_session.id):
        if delivery_repository.attempt_of(db, participant.id) is not None:
            continue
        form = exams_repository.form_of(db, participant.id)
        if form is None:
            continue
        started = exam_session.starts_at + timedelta(minutes=int(rng.integers(0, 5)))
        attempt = Attempt(
            participant_id=participant.id,
            form_id=form.id,
            selector=FixedFormSelector.name,
            status="in_progress",
            started_at=started,
            deadline_at=started + timedelta(minutes=event.total_time_minutes),
            current_position=1,
            current_section=1,
            last_seen_at=started,
        )
        db.add(attempt)
        db.flush()
        _answer_all(db, attempt, float(rng.normal()), rng, started)
        attempt.status, attempt.submitted_by = "submitted", "taker"
        attempt.submitted_at = started + timedelta(minutes=int(rng.integers(15, 29)))
        score_attempt(db, attempt)
        made += 1
    exam_session.status = "closed"
    return made


def _answer_all(
    db: Session, attempt: Attempt, theta: float, rng: np.random.Generator, at: datetime
) -> None:
    for ref in selector_for(attempt).all_items(db, attempt):
        version = db.get(ItemVersion, ref.version_id)
        assert version is not None
        option = _simulated_option(version, theta, rng)
        attempt.answered_count += option is not None  # as a save keeps it
        attempt.last_answer_at = at
        db.add(
            Answer(
                attempt_id=attempt.id,
                position=ref.position,
                option_id=option,
                flagged=False,
                seq=ref.position,
                answered_at=at,
            )
        )


def _simulated_option(version: ItemVersion, theta: float, rng: np.random.Generator) -> str | None:
    if rng.random() < 0.03:  # a few items left unanswered, as in real rooms
        return None
    irt = version.irt or {}
    options = [o["id"] for o in version.options]
    if version.scoring == "keyed":
        p = float(
            p_correct(
                np.array([theta]),
                np.array([irt.get("a", 1.0)]),
                np.array([irt.get("b", 0.0)]),
                np.array([irt.get("c", 0.0)]),
            )[0, 0]
        )
        if rng.random() < p:
            return version.key
        return str(rng.choice([o for o in options if o != version.key]))
    points = version.points or {}
    levels = sorted(set(points.values()))
    thresholds = np.array(irt.get("thresholds", np.linspace(-1.5, 1.5, len(levels) - 1)))
    probs = grm_category_probabilities(np.array([theta]), float(irt.get("a", 1.0)), thresholds)[0]
    level = levels[int(rng.choice(len(levels), p=probs / probs.sum()))]
    return str(rng.choice([o for o in options if points[o] == level]))
