"""The calls the exam page repeats while a taker works (and the taker API's), each answered
by the hot path when it can (`hot`: the ordinary case in a few Core statements) and by the
ORM path in `service` otherwise, which refuses or closes as `core`'s rules say. An adaptive
section's items, saves and batches always take the ORM path: a save there chooses the next
item (delivery/adaptive.py), work the hot path's few statements do not do. The choice is
made here, never in routes; both paths give the same replies (tests/delivery/test_core.py,
test_hot.py).
"""

import uuid
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from app.delivery import core, errors, hot, plans, prefetch, repository, service
from app.delivery.content import Content, ItemView, item_view
from app.delivery.core import Answering, WindowLeaves
from app.delivery.models import Answer
from app.delivery.plans import SectionPlan
from app.delivery.service import (
    answer_grace,
    authenticate,
    blueprint_sections,
    facts_of,
    form_of,
    heartbeat,
    open_item,
    open_items,
    record_window_leaves,
    remaining,
    save_answer,
)
from app.kit import clock


@dataclass(frozen=True)
class ItemReply:
    item: ItemView
    total_items: int
    remaining: tuple[int | None, int | None]  # (whole test, section) seconds


@dataclass(frozen=True)
class ItemsReply:
    items: list[ItemView]
    total_items: int
    intros: dict[int, SectionPlan]  # sections introduced at a position of the batch


@dataclass(frozen=True)
class SaveReply:
    option_id: str | None
    flagged: bool
    seq: int
    applied: bool
    remaining: tuple[int | None, int | None]
    broadcast: hot.Notice | None  # the proctor's latest message this page may show
    # An adaptive section's save (service.SaveResult): where the page goes next.
    next_position: int | None = None
    section_closed: bool = False
    submitted: bool = False  # the test's last adaptive section stopped: the test is submitted


@dataclass(frozen=True)
class BeatReply:
    status: str  # not_started | in_progress | paused | submitted
    remaining: tuple[int | None, int | None]
    current_section: int
    broadcast: hot.Notice | None


# A page asks for at most this many items at once (its prefetch batch).
MAX_BATCH = 25


def start(db: Session, token: str | None) -> int:
    """ "Mulai tes": the position the test page opens at. A whole room presses it in the
    same minute: the ordinary case (no attempt yet, a fixed-form event) takes the hot path's
    one read and inserts; anything else the ORM path, which returns a started attempt as it
    is or refuses as core's rules say."""
    fast = hot.start(db, token, clock.now())
    if fast is not None:
        return fast
    return service.start(db, authenticate(db, token, with_context=True)).current_position


def read_item(db: Session, token: str | None, position: int) -> ItemReply:
    """Item `position`, made the item to resume on (the taker API's item read)."""
    now = clock.now()
    fast = hot.open_item(db, token, position, now, answer_grace())
    if fast is not None:
        view = item_view(fast.ref, fast.content, fast.answer)
        return ItemReply(view, fast.snapshot.row.item_count, fast.snapshot.clock())
    attempt, ref, version = open_item(db, authenticate(db, token), position)
    # One row, not the attempt's answers: the cost must not grow with a 700-item form.
    answer = db.get(Answer, (attempt.id, position))
    view = item_view(ref, Content.of_version(version), answer)
    return ItemReply(view, form_of(db, attempt).item_count, remaining(db, attempt))


@dataclass(frozen=True)
class PageReply:
    """The test page at one item: what it shows once per page load."""

    item: ItemView
    name: str
    nip: str
    total_items: int
    remaining: tuple[int | None, int | None]
    current_section: int
    sequential: bool
    sections: list[SectionPlan]
    marks: dict[int, tuple[str | None, bool]]  # position → (option id, flagged)
    attempt_id: uuid.UUID  # names the page's own keeping (options struck out) per attempt
    large_print: bool
    # The event requires Safe Exam Browser: the window is locked, the page reports no leaves.
    exam_browser: bool = False
    # The items of the page's first batch (prefetch.page_batch): the page carries them, so
    # its load sends no batch request. Empty in an adaptive section (one item at a time).
    kept: list[ItemView] = field(default_factory=list)


def read_page(db: Session, token: str | None, position: int) -> PageReply:
    """The test page at item `position`, made the item to resume on: the item, the clock,
    the sections, every answer's mark for the grid (the page keeps it up to date) and the
    items of the page's first batch (prefetch.page_batch), read in the same transaction."""
    fast = _page_by_hot_path(db, token, position)
    return fast if fast is not None else _page_by_orm(db, token, position)


def _page_by_hot_path(db: Session, token: str | None, position: int) -> PageReply | None:
    fast = hot.open_item(db, token, position, clock.now(), answer_grace(), page=True)
    if fast is None:
        return None
    row = fast.snapshot.row
    sections = _as_drawn(
        db, plans.sections_of(db, row.event_id, row.blueprint_hash), row.form_id, row.item_count
    )
    sequential = bool(row.has_sections)
    span = _page_batch(sections, row.current_section, sequential, position, row.item_count)
    kept = [] if span is None else hot.page_items(db, fast, *span)
    return PageReply(
        item_view(fast.ref, fast.content, fast.answer),
        row.name,
        row.nip,
        row.item_count,
        fast.snapshot.clock(),
        row.current_section,
        sequential,
        sections,
        repository.answer_marks(db, row.attempt_id) if row.answered else {},
        row.attempt_id,
        bool(row.large_print),
        bool(row.safe_exam_browser),
        [item_view(ref, content, answer) for ref, content, answer in kept],
    )


def _page_by_orm(db: Session, token: str | None, position: int) -> PageReply:
    taker = authenticate(db, token)
    attempt, ref, version = open_item(db, taker, position)
    answer = db.get(Answer, (attempt.id, position))
    event = repository.event_of(db, taker.participant)
    form = form_of(db, attempt)
    sections = _as_drawn(db, blueprint_sections(db, event), form.id, form.item_count)
    sequential = facts_of(db, attempt).sequential
    span = _page_batch(sections, attempt.current_section, sequential, position, form.item_count)
    kept = [] if span is None else open_items(db, taker, *span)[1]
    return PageReply(
        item_view(ref, Content.of_version(version), answer),
        taker.participant.name,
        taker.participant.nip,
        form.item_count,
        remaining(db, attempt),
        attempt.current_section,
        sequential,
        sections,
        repository.answer_marks(db, attempt.id),
        attempt.id,
        taker.participant.large_print,
        bool(event.safe_exam_browser),
        [item_view(r, Content.of_version(v), a) for r, v, a in kept],
    )


def _page_batch(
    sections: list[SectionPlan],
    current_section: int,
    sequential: bool,
    position: int,
    item_count: int,
) -> tuple[int, int] | None:
    """The first and last position of the batch the page carries."""
    first, last = plans.page_span(sections, current_section, sequential, position, item_count)
    return prefetch.page_batch(position, first, last)


def _as_drawn(
    db: Session, sections: list[SectionPlan], form_id: uuid.UUID, item_count: int
) -> list[SectionPlan]:
    """The sections' positions in the form: the blueprint's, unless the blueprint changed
    after the form was drawn (then as the form holds them)."""
    if sum(s.item_count for s in sections) == item_count:
        return sections
    bounds = repository.section_bounds(db, form_id)
    return [
        replace(s, first_position=bounds[s.position][0], last_position=bounds[s.position][1])
        for s in sections
        if s.position in bounds
    ]


def read_items(db: Session, token: str | None, first: int, last: int) -> ItemsReply:
    """The reachable items at `first`..`last` (at most MAX_BATCH), for the page to keep: a
    prefetch, so the item to resume on stays. Its cost depends on the batch, never on the
    form's length or the answers given."""
    if not 1 <= first <= last or last - first >= MAX_BATCH:
        raise errors.InvalidBatch()
    now = clock.now()
    fast = hot.open_items(db, token, first, last, now, answer_grace())
    if fast is not None:
        row = fast.snapshot.row
        views = [item_view(ref, content, answer) for ref, content, answer in fast.items]
        sections = plans.sections_of(db, row.event_id, row.blueprint_hash)
        return ItemsReply(views, row.item_count, plans.introduced_at(sections))
    taker = authenticate(db, token)
    attempt, found = open_items(db, taker, first, last)
    views = [item_view(ref, Content.of_version(v), answer) for ref, v, answer in found]
    sections = blueprint_sections(db, repository.event_of(db, taker.participant))
    return ItemsReply(views, form_of(db, attempt).item_count, plans.introduced_at(sections))


def save(
    db: Session, token: str | None, answering: Answering, left: WindowLeaves | None = None
) -> SaveReply:
    """Store an answer (save_answer), and the leaves of the exam window the page reports
    with it; the reply carries what a heartbeat's does."""
    now = clock.now()
    fast = hot.save_answer(db, token, answering, now, answer_grace())
    if fast is not None:
        snap = fast.snapshot
        record_window_leaves(db, snap.attempt_id, left)
        return SaveReply(
            fast.option_id, fast.flagged, fast.seq, fast.applied, snap.clock(), snap.broadcast()
        )
    taker = authenticate(db, token)
    attempt, result = save_answer(
        db,
        taker,
        answering.position,
        answering.option_id,
        answering.flagged,
        answering.seq,
        answering.shown,
    )
    answer = result.answer
    record_window_leaves(db, attempt.id, left)
    news = hot.latest_notice(db, taker.participant.session_id, attempt.started_at, clock.now())
    time_left = remaining(db, attempt)
    return SaveReply(
        answer.option_id,
        answer.flagged,
        answer.seq,
        result.applied,
        time_left,
        news,
        result.next_position,
        result.section_closed,
        result.submitted,
    )


def beat(
    db: Session, token: str | None, position: int | None, left: WindowLeaves | None = None
) -> BeatReply:
    """The page's heartbeat (heartbeat): the clock, the status and the proctor's news; and
    the leaves of the exam window it reports."""
    now = clock.now()
    fast = hot.heartbeat(db, token, position, now, answer_grace())
    if fast is not None:
        row = fast.row
        record_window_leaves(db, fast.attempt_id, left)
        return BeatReply("in_progress", fast.clock(), row.current_section, fast.broadcast())
    taker = authenticate(db, token)
    attempt = heartbeat(db, taker, position)
    started = attempt.started_at if attempt is not None else None
    news = hot.latest_notice(db, taker.participant.session_id, started, clock.now())
    if attempt is None:
        return BeatReply("not_started", (None, None), 1, news)
    record_window_leaves(db, attempt.id, left)
    facts = facts_of(db, attempt)
    if core.run_out(facts, clock.now(), answer_grace()) == "test":
        status = "submitted"  # its time is up, and another transaction is closing it
    else:
        paused = facts.status == "in_progress" and facts.paused_at is not None
        status = "paused" if paused else facts.status
    return BeatReply(status, remaining(db, attempt), attempt.current_section, news)
