"""What a taker sees, computed once for both the JSON API and the HTML pages."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import repository
from app.delivery import service as delivery_service
from app.delivery.models import Attempt
from app.delivery.selectors import ItemRef, selector_for
from app.delivery.service import Taker, seq_base
from app.delivery.timing import effective_deadline, seconds_until
from app.exams.models import Form
from app.kit import clock
from app.kit.timezones import format_local

LABELS = "ABCDEF"


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


@dataclass(frozen=True)
class OptionView:
    option_id: str
    label: str
    text: str | None
    has_figure: bool


@dataclass(frozen=True)
class ItemView:
    position: int
    section_position: int
    stem: str
    has_figure: bool
    options: list[OptionView]
    option_id: str | None
    flagged: bool
    answer_seq: int | None


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
    remaining = section_remaining = None
    attempt_sections = {}
    if attempt is not None:
        answered, flagged = repository.answer_counts(db, attempt.id)
        attempt_sections = delivery_service.attempt_sections(db, attempt)
        now = clock.now()
        remaining = seconds_until(attempt.deadline_at, attempt, now)
        current = attempt_sections.get(attempt.current_section)
        if current is not None and current.deadline_at is not None:
            section_remaining = seconds_until(effective_deadline(attempt, current), attempt, now)
    bounds = _section_bounds(form, sections)
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
                *bounds[s.position],
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


def _section_bounds(form: Form | None, sections) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """First and last position of each section (sections hold consecutive positions)."""
    bounds, first = {}, 1
    for s in sections:
        bounds[s.position] = (first, first + s.item_count - 1)
        first += s.item_count
    return bounds


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


@dataclass(frozen=True)
class Content:
    """An item version as the taker sees it (figures only as present or not). Versions in a
    form are never edited (a change makes a new version), so a worker may keep these."""

    stem: str
    has_figure: bool
    options: dict[str, tuple[str | None, bool]]  # id → (text, has a figure)

    @classmethod
    def of(cls, stem: str, figure_svg: str | None, options: list[dict[str, Any]]) -> "Content":
        by_id = {o["id"]: (o.get("text"), bool(o.get("figure_svg"))) for o in options}
        return cls(stem, bool(figure_svg), by_id)

    @classmethod
    def of_version(cls, version: ItemVersion) -> "Content":
        return cls.of(version.stem, version.figure_svg, version.options)


class StoredAnswer(Protocol):
    option_id: str | None
    flagged: bool
    seq: int


def item_view(ref: ItemRef, content: Content, answer: StoredAnswer | None) -> ItemView:
    return ItemView(
        position=ref.position,
        section_position=ref.section_position,
        stem=content.stem,
        has_figure=content.has_figure,
        options=[
            OptionView(option_id, LABELS[i], *content.options[option_id])
            for i, option_id in enumerate(ref.option_order)
        ],
        option_id=answer.option_id if answer else None,
        flagged=answer.flagged if answer else False,
        answer_seq=answer.seq if answer else None,
    )


def grid(db: Session, attempt: Attempt) -> list[tuple[int, int, str]]:
    """(position, section, state) for every item: answered | flagged | empty."""
    answers = repository.answers_of(db, attempt.id)
    cells = []
    for ref in selector_for(attempt).all_items(db, attempt):
        answer = answers.get(ref.position)
        if answer is not None and answer.flagged:
            state = "flagged"
        elif answer is not None and answer.option_id is not None:
            state = "answered"
        else:
            state = "empty"
        cells.append((ref.position, ref.section_position, state))
    return cells
