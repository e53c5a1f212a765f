"""What a taker sees, computed once for both the JSON API and the HTML pages."""

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from app.delivery import core, repository
from app.delivery import service as delivery_service
from app.delivery.calls import PageReply
from app.delivery.models import Attempt, AttemptSection
from app.delivery.plans import SectionPlan, page_span
from app.delivery.selectors import selector_for
from app.delivery.service import Taker, seq_base
from app.exams.models import Form
from app.kit import clock
from app.kit.timezones import format_local

# The font step (-1 … 4, chosen with A− / A+) a large-print participant's pages start at;
# they may still change it.
LARGE_PRINT_FONT_STEP = 3

GridState = Literal["answered", "flagged", "empty"]


@dataclass(frozen=True)
class SectionView:
    position: int
    title: str
    first_position: int
    last_position: int
    time_limit_minutes: int | None
    instructions: str | None
    state: str  # open | closed | upcoming | free
    adaptive: bool = False


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
    total_time_minutes: int
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
    # Accommodations (the times above already include the extra time).
    extra_time_percent: int = 0
    large_print: bool = False

    @property
    def unanswered(self) -> int:
        return self.total_items - self.answered

    @property
    def any_adaptive(self) -> bool:
        return any(s.adaptive for s in self.sections)

    @property
    def font_start(self) -> int:
        return LARGE_PRINT_FONT_STEP if self.large_print else 0


def state_view(db: Session, taker: Taker, attempt: Attempt | None) -> StateView:
    participant = taker.participant
    extra = participant.extra_time_percent
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
        total_time_minutes=core.allowed_minutes(event.total_time_minutes, extra),
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
                _allowed(s.time_limit_minutes, extra),
                s.instructions,
                _section_state(s.position, attempt, attempt_sections),
                s.adaptive,
            )
            for s in sections
        ],
        seq_base=seq_base(),
        show_results=event.show_results_to_takers,
        scores=_scores(db, attempt) if event.show_results_to_takers else [],
        extra_time_percent=extra,
        large_print=participant.large_print,
    )


def _allowed(limit_minutes: int | None, extra_time_percent: int) -> int | None:
    if limit_minutes is None:
        return None
    return core.allowed_minutes(limit_minutes, extra_time_percent)


def _status(attempt: Attempt | None) -> str:
    if attempt is None:
        return "not_started"
    if attempt.status == "in_progress" and attempt.paused_at is not None:
        return "paused"
    return attempt.status


def _section_state(
    position: int, attempt: Attempt | None, attempt_sections: dict[int, AttemptSection]
) -> str:
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


def grid(db: Session, attempt: Attempt) -> list[tuple[int, int, GridState]]:
    """(position, section, state) for every item: answered | flagged | empty. Built once per
    page load (the page keeps it up to date itself), from columns, not entities."""
    marks = repository.answer_marks(db, attempt.id)
    cells = []
    for ref in selector_for(attempt).all_items(db, attempt):
        option_id, flagged = marks.get(ref.position, (None, False))
        state: GridState
        if flagged:
            state = "flagged"
        elif option_id is not None:
            state = "answered"
        else:
            state = "empty"
        cells.append((ref.position, ref.section_position, state))
    return cells


# --- the test page ------------------------------------------------------------------------


@dataclass(frozen=True)
class TestPage:
    """What the test page shows once per page load (the item itself aside)."""

    name: str
    nip: str
    total_items: int
    remaining_seconds: int | None
    section_remaining_seconds: int | None
    seq_base: int
    current_section: int
    free: bool  # no timed sections: every item may be opened
    first: int  # the positions the page may show
    last: int
    intro: SectionPlan | None  # the section the shown item opens, with its instructions
    section: SectionPlan  # the shown item's (named above every item)
    sections: list[SectionPlan]  # their names, for the items the page shows itself
    grid: Markup
    strike_key: str  # localStorage key of the options struck out, per attempt
    large_print: bool = False
    # The shown item is in an adaptive section: the page shows it alone (no going back) and
    # asks for the next item once its answer is saved.
    adaptive: bool = False

    @property
    def section_number(self) -> int:
        return self.sections.index(self.section) + 1

    @property
    def font_start(self) -> int:
        return LARGE_PRINT_FONT_STEP if self.large_print else 0


def test_page(reply: PageReply, locked_title: str) -> TestPage:
    sections = reply.sections
    current = next(s for s in sections if s.position == reply.current_section)
    free = not reply.sequential
    position = reply.item.position
    owner = next(s for s in sections if s.first_position <= position <= s.last_position)
    adaptive = owner.adaptive and not free
    first, last = page_span(
        sections, reply.current_section, reply.sequential, position, reply.total_items
    )
    return TestPage(
        name=reply.name,
        nip=reply.nip,
        total_items=reply.total_items,
        remaining_seconds=reply.remaining[0],
        section_remaining_seconds=reply.remaining[1],
        seq_base=seq_base(),
        current_section=current.position,
        free=free,
        first=first,
        last=last,
        intro=owner if position == owner.first_position else None,
        section=owner,
        sections=sections,
        grid=grid_html(sections, reply.marks, current.position, free, position, locked_title),
        strike_key=f"proasn-struck-{reply.attempt_id.hex}",
        large_print=reply.large_print,
        adaptive=adaptive,
    )


def grid_html(
    sections: list[SectionPlan],
    marks: dict[int, tuple[str | None, bool]],
    current_section: int,
    free: bool,
    shown: int,
    locked_title: str,
) -> Markup:
    """The grid's cells (answered | flagged | empty; a section not open is locked), built
    here and not in the template: 700 cells through Jinja are a measurable share of every
    page load, and a whole room loads its first page in the same minute (figures:
    bench/README.md, "Figures behind the code"). That first page has no answer yet and its
    grid is the room's: kept per worker."""
    if not marks:
        return _blank_grid(tuple(sections), current_section, free, shown, locked_title)
    return _grid_html(sections, marks, current_section, free, shown, locked_title)


@lru_cache(maxsize=64)  # ~40 KB each for a 700-item form
def _blank_grid(
    sections: tuple[SectionPlan, ...],
    current_section: int,
    free: bool,
    shown: int,
    locked_title: str,
) -> Markup:
    return _grid_html(list(sections), {}, current_section, free, shown, locked_title)


def _grid_html(
    sections: list[SectionPlan],
    marks: dict[int, tuple[str | None, bool]],
    current_section: int,
    free: bool,
    shown: int,
    locked_title: str,
) -> Markup:
    title = escape(locked_title)
    cells = []
    for section in sections:
        open_ = free or section.position == current_section
        for position in range(section.first_position, section.last_position + 1):
            option_id, flagged = marks.get(position, (None, False))
            state = "flagged" if flagged else "answered" if option_id is not None else "empty"
            if section.adaptive and position != shown:
                # Only the items given: answered ones, with no way back to them.
                if position in marks:
                    cells.append(f'<li><span class="cell locked {state}">{position}</span></li>')
                continue
            if open_:
                here = ' aria-current="page"' if position == shown else ""
                cells.append(
                    f'<li><a href="/ujian/soal/{position}" data-nav="{position}" '
                    f'class="cell {state}"{here}>{position}</a></li>'
                )
            else:
                cells.append(
                    f'<li><span class="cell locked {state}" title="{title}">{position}</span></li>'
                )
    return Markup("".join(cells))  # noqa: S704 (numbers, fixed words and an escaped title)
