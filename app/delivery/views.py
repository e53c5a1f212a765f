"""What a taker sees, computed once for both the JSON API and the HTML pages."""

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.delivery import core, repository
from app.delivery import service as delivery_service
from app.delivery.models import Attempt
from app.delivery.selectors import selector_for
from app.delivery.service import Taker, seq_base
from app.exams.models import Form
from app.kit import clock
from app.kit.timezones import format_local


@dataclass(frozen=True)
class SectionView:
    position: int
    title: str
    first_position: int
    last_position: int
    time_limit_minutes: int | None
    instructions: str | None
    state: str  # open | closed | upcoming | free


@dataclass(frozen=True)
class ScoreView:
    subtest: str
    raw: int
    maximum: int
    answered: int


@dataclass(frozen=True)
class StateView:
    status: str
    name: str
    nip: str
    agency: str
    session_code: str
    venue: str
    room: str
    session_start: str
    event_name: str
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    current_position: int
    current_section: int
    total_items: int
    answered: int
    flagged: int
    sections: list[SectionView]
    seq_base: int
    show_results: bool
    scores: list[ScoreView] = field(default_factory=list)

    @property
    def unanswered(self) -> int:
        return self.total_items - self.answered


def state_view(db: Session, taker: Taker, attempt: Attempt | None) -> StateView:
    participant = taker.participant
    exam_session, agency = repository.identity(db, participant)
    event = repository.event_of(db, participant)
    sections = delivery_service.blueprint_sections(db, event)
    # The attempt's form is in the session already after a start (no second query).
    if attempt is not None:
        form = db.get(Form, attempt.form_id)
    else:
        form = repository.form_for(db, participant)
    total = form.item_count if form else 0
    answered = flagged = 0
    remaining: int | None = None
    section_remaining: int | None = None
    attempt_sections = {}
    if attempt is not None:
        answered, flagged = repository.answer_counts(db, attempt.id)
        attempt_sections = delivery_service.attempt_sections(db, attempt)
        facts = delivery_service.facts_of(db, attempt)
        remaining, section_remaining = core.remaining(facts, clock.now())
    return StateView(
        status=_status(attempt),
        name=participant.name,
        nip=participant.nip,
        agency=agency.name,
        session_code=exam_session.code,
        venue=exam_session.venue,
        room=exam_session.room,
        session_start=format_local(exam_session.starts_at, exam_session.time_zone),
        event_name=event.name,
        remaining_seconds=remaining,
        section_remaining_seconds=section_remaining,
        current_position=attempt.current_position if attempt else 1,
        current_section=attempt.current_section if attempt else sections[0].position,
        total_items=total,
        answered=answered,
        flagged=flagged,
        sections=[
            SectionView(
                s.position,
                s.title,
                s.first_position,
                s.last_position,
                s.time_limit_minutes,
                s.instructions,
                _section_state(s.position, attempt, attempt_sections),
            )
            for s in sections
        ],
        seq_base=seq_base(),
        show_results=event.show_results_to_takers,
        scores=_scores(db, attempt) if event.show_results_to_takers else [],
    )


def _status(attempt: Attempt | None) -> str:
    if attempt is None:
        return "not_started"
    if attempt.status == "in_progress" and attempt.paused_at is not None:
        return "paused"
    return attempt.status


def _section_state(position: int, attempt: Attempt | None, attempt_sections) -> str:  # type: ignore[no-untyped-def]
    if not attempt_sections:
        return "free"
    section = attempt_sections.get(position)
    if section is None:
        return "upcoming"
    return "closed" if section.closed_at is not None else "open"


def _scores(db: Session, attempt: Attempt | None) -> list[ScoreView]:
    if attempt is None or attempt.status != "submitted":
        return []
    return [
        ScoreView(s.subtest_code, s.raw, s.maximum, s.answered)
        for s in repository.scores_of(db, attempt.id)
    ]


def grid(db: Session, attempt: Attempt) -> list[tuple[int, int, str]]:
    """(position, section, state) for every item: answered | flagged | empty. Built once per
    page load (the page keeps it up to date itself), from columns, not entities."""
    marks = repository.answer_marks(db, attempt.id)
    cells = []
    for ref in selector_for(attempt).all_items(db, attempt):
        option_id, flagged = marks.get(ref.position, (None, False))
        if flagged:
            state = "flagged"
        elif option_id is not None:
            state = "answered"
        else:
            state = "empty"
        cells.append((ref.position, ref.section_position, state))
    return cells
