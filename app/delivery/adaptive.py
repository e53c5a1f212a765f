"""Adaptive sections in delivery (issue 21): the server's step when a taker answers.

A form reserves an adaptive section's `max_items` positions and draws nothing for them. When
the section opens, its first item is chosen; when the answer to item n arrives, its response
(keyed: right 1 / wrong 0; graded: the 0-based category, scoring's coding), θ and SE are
stored with it and item n + 1 is chosen at the next position, or the section stops (SE
reached, the maximum given, the pool exhausted; its time is delivery's clock). Each choice
is a row of delivery_adaptive_step; the engine (app/adaptive) is pure and draws its random
numbers from the form's seed and the step (app/kit/seeded.py), so the stored rows with the
section's frozen pool (exam_adaptive_pool) reproduce the sequence exactly: `replay` checks it.

The pool of a section is read once per worker (`FrozenPool`): its arrays, Sympson–Hetter K,
and what choosing needs of each item (option ids, shuffling, points). A taker's place in the
section (`Progress`: the engine's state and the current step) is kept per worker too, once
its transaction has committed, and checked against the section's last stored step (one small
row: its number, item and that it is unanswered) before it is used; otherwise it is rebuilt
from every stored step, as another worker (a PC swap, a restart) does. Steps are only ever
added and answered once, under the attempt's lock, so a committed state whose last step is
still the stored last step is the stored state. An answer then costs that row, the engine's
EAP and choice, one row updated and one added (Core statements: through the unit of work
they were most of the cost; bench/README.md, adaptive delivery).
"""

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session

from app.adaptive import engine
from app.adaptive.engine import PRIOR_SE, PRIOR_THETA, AdaptiveState, Section
from app.adaptive.pool import Array, ItemPool, PoolEntry
from app.adaptive.rules import SYMPSON_HETTER
from app.adaptive.selection import Choice
from app.bank.models import ItemVersion
from app.bank.points import option_points
from app.delivery.models import AdaptiveStep, Attempt
from app.delivery.plans import SectionPlan
from app.exams import repository as exams_repository
from app.exams.event_file import AdaptiveDoc
from app.exams.forms import PoolItem, option_order
from app.exams.models import Event, Form, FormItem
from app.i18n import N_


@dataclass(frozen=True)
class ItemFacts:
    """What choosing and coding an answer need of a pool item."""

    version_id: uuid.UUID
    code: str
    option_ids: tuple[str, ...]
    shuffle_options: bool
    graded: bool
    points: dict[str, int]  # bank.points.option_points


@dataclass(frozen=True)
class FrozenPool:
    pool: ItemPool
    section: Section  # seed 0: each taker's comes from the form
    items: tuple[ItemFacts, ...]  # in pool order
    index: dict[uuid.UUID, int]  # version id → pool index
    code_index: dict[str, int]
    shuffle_options: bool  # the event's setting (part of the blueprint's hash)

    def response(self, item: int, option_id: str) -> int:
        """The engine's response to an answer: keyed 1 / 0; graded: the rank of the option's
        points among the item's point values (scoring's `graded_categories`)."""
        facts = self.items[item]
        earned = facts.points.get(option_id)
        if not facts.graded:
            return 1 if earned else 0
        order = sorted(set(facts.points.values()))
        return order.index(earned) if earned is not None else 0


_POOLS: dict[tuple[uuid.UUID, int, str], FrozenPool] = {}
_LOCK = threading.Lock()


def frozen_pool(db: Session, event: Event, section_position: int) -> FrozenPool:
    """The section's frozen pool under the event's blueprint, read once per worker."""
    key = (event.id, section_position, event.blueprint_hash)
    found = _POOLS.get(key)
    if found is None:
        found = _read_pool(db, event, section_position)
        with _LOCK:
            if len(_POOLS) >= 256:  # pools of past events
                _POOLS.clear()
            _POOLS[key] = found
    return found


def forget_pools() -> None:
    """Drop the pools the worker has read (tests: another server in the same process)."""
    with _LOCK:
        _POOLS.clear()


def _read_pool(db: Session, event: Event, section_position: int) -> FrozenPool:
    row = exams_repository.adaptive_pool(db, event.id, section_position, event.blueprint_hash)
    if row is None:
        raise LookupError(f"no frozen pool for section {section_position} of {event.code}")
    pool = ItemPool([PoolEntry(code, theme, params) for _, code, theme, params, _ in row.items])
    pool.prepare()
    by_code = {code: (uuid.UUID(hex=v), k) for v, code, _, _, k in row.items}
    ids = [by_code[code][0] for code in pool.codes]
    versions = {v.id: v for v in db.scalars(select(ItemVersion).where(ItemVersion.id.in_(ids)))}
    items = tuple(
        ItemFacts(
            i,
            code,
            tuple(o["id"] for o in versions[i].options),
            versions[i].shuffle_options,
            versions[i].scoring == "graded",
            option_points(versions[i]),
        )
        for i, code in zip(ids, pool.codes, strict=True)
    )
    rules = AdaptiveDoc.model_validate(row.settings).rules()
    k: Array | None = None
    if rules.exposure.method == SYMPSON_HETTER:
        k = np.array([by_code[code][1] for code in pool.codes], dtype=float)
    return FrozenPool(
        pool,
        Section(pool, rules, 0, k),
        items,
        {i: n for n, i in enumerate(ids)},
        {code: n for n, code in enumerate(pool.codes)},
        event.shuffle_options,
    )


def section_seed(form_seed: int, section_position: int) -> int:
    """A taker's seed for one adaptive section: the form's, told apart per section."""
    return form_seed * 1000 + section_position


_S = AdaptiveStep.__table__
_STEPS = (
    select(
        _S.c.position,
        _S.c.step,
        _S.c.item_version_id,
        _S.c.response,
        _S.c.theta,
        _S.c.se,
        _S.c.passed,
        _S.c.excluded,
    )
    .where(_S.c.attempt_id == bindparam("attempt_id"))
    .where(_S.c.section_position == bindparam("section_position"))
    .order_by(_S.c.step)
)
_ANSWERED = (
    update(_S)
    .where(_S.c.attempt_id == bindparam("the_attempt"), _S.c.position == bindparam("the_position"))
    .values(
        response=bindparam("new_response"),
        theta=bindparam("new_theta"),
        se=bindparam("new_se"),
        answered_at=bindparam("new_answered_at"),
    )
)
_ADD_STEP = insert(_S)
# PostgreSQL: the answered step's update as a data-modifying CTE of the next step's insert.
# The two touch different rows; PostgreSQL runs the CTE whether or not the insert reads it.
# The insert's parameters are named apart ("next_…"): a parameter named as a column would
# also be taken as one more column for the CTE's update to set.
_STEP_COLUMNS = (
    "attempt_id",
    "position",
    "section_position",
    "step",
    "item_version_id",
    "option_order",
    "passed",
    "excluded",
    "chosen_at",
)
_ANSWERED_AND_NEXT = (
    insert(_S)
    .values({name: bindparam(f"next_{name}") for name in _STEP_COLUMNS})
    .add_cte(_ANSWERED.returning(_S.c.step).cte("answered"))
)
_SEED = select(Form.seed).where(Form.id == bindparam("form_id"))


@dataclass(frozen=True)
class StepRow:
    """A stored step as choosing reads it."""

    position: int
    step: int
    item_version_id: uuid.UUID
    response: int | None
    theta: float | None
    se: float | None
    passed: list[str]
    excluded: list[str] | None


@dataclass(frozen=True)
class Sitting:
    """One attempt in one adaptive section: the engine's section with the taker's seed, and
    the steps stored so far."""

    plan: SectionPlan
    frozen: FrozenPool
    section: Section
    form_seed: int
    steps: list[StepRow]

    def state(self, answered_only: bool = True) -> AdaptiveState:
        """The engine's state from the stored steps (the unanswered current one's item left
        out, its passed-over items kept: they were passed before it was chosen)."""
        index, codes = self.frozen.index, self.frozen.code_index
        answered = [s for s in self.steps if s.response is not None]
        passed = [codes[c] for s in self.steps for c in (s.excluded or []) + list(s.passed)]
        last = answered[-1] if answered else None
        return AdaptiveState(
            given=tuple(index[s.item_version_id] for s in answered),
            responses=tuple(int(s.response) for s in answered if s.response is not None),
            passed=tuple(passed),
            theta=float(last.theta) if last and last.theta is not None else PRIOR_THETA,
            se=float(last.se) if last and last.se is not None else PRIOR_SE,
            history=tuple((float(s.theta or 0.0), float(s.se or 0.0)) for s in answered),
        )


def sitting(db: Session, attempt: Attempt, event: Event, plan: SectionPlan) -> Sitting:
    frozen = frozen_pool(db, event, plan.position)
    conn = db.connection()
    form_seed = conn.execute(_SEED, {"form_id": attempt.form_id}).scalar_one()
    where = {"attempt_id": attempt.id, "section_position": plan.position}
    steps = [StepRow(*row) for row in conn.execute(_STEPS, where)]
    return Sitting(plan, frozen, _taker_section(frozen, form_seed, plan), form_seed, steps)


def _taker_section(frozen: FrozenPool, form_seed: int, plan: SectionPlan) -> Section:
    seed = section_seed(form_seed, plan.position)
    return Section(frozen.pool, frozen.section.rules, seed, frozen.section.exposure_parameters)


@dataclass(frozen=True)
class Progress:
    """A taker's place in one adaptive section: the engine's state (the answered steps; the
    passed-over items of every step, the current one's included) and the current step, chosen
    and not answered yet (`step` 0: none)."""

    frozen: FrozenPool
    form_id: uuid.UUID
    form_seed: int
    state: AdaptiveState
    step: int
    position: int | None
    item_version_id: uuid.UUID | None


def read_progress(db: Session, attempt: Attempt, event: Event, plan: SectionPlan) -> Progress:
    """The taker's place from every stored step of the section (no cache)."""
    here = sitting(db, attempt, event, plan)
    last = here.steps[-1] if here.steps else None
    current = last if last is not None and last.response is None else None
    return Progress(
        here.frozen,
        attempt.form_id,
        here.form_seed,
        here.state(),
        current.step if current else 0,
        current.position if current else None,
        current.item_version_id if current else None,
    )


# Committed places per worker, most recently used last: (attempt id, section position) →
# Progress. A session's own, not yet committed, wait in its `info` under _PENDING.
_PROGRESS: OrderedDict[tuple[uuid.UUID, int], Progress] = OrderedDict()
_PROGRESS_LIMIT = 20_000  # a few rooms' takers; an entry is a few kilobytes
_PENDING = "adaptive_progress"
_LAST_STEP = (
    select(_S.c.step, _S.c.item_version_id, _S.c.response)
    .where(_S.c.attempt_id == bindparam("attempt_id"))
    .where(_S.c.section_position == bindparam("section_position"))
    .order_by(_S.c.step.desc())
    .limit(1)
)


def _pending(db: Session) -> dict[tuple[uuid.UUID, int], Progress | None]:
    found: dict[tuple[uuid.UUID, int], Progress | None] = db.info.setdefault(_PENDING, {})
    return found


@orm_events.listens_for(Session, "after_commit")
def _committed(db: Session) -> None:
    if db.in_nested_transaction():  # a savepoint released: its outer transaction decides
        return
    pending = db.info.pop(_PENDING, None)
    if not pending:
        return
    with _LOCK:
        for key, progress in pending.items():
            if progress is None:
                _PROGRESS.pop(key, None)
                continue
            _PROGRESS[key] = progress
            _PROGRESS.move_to_end(key)
        while len(_PROGRESS) > _PROGRESS_LIMIT:
            _PROGRESS.popitem(last=False)


@orm_events.listens_for(Session, "after_rollback")
@orm_events.listens_for(Session, "after_soft_rollback")
def _rolled_back(db: Session, *_: object) -> None:
    db.info.pop(_PENDING, None)


def forget_progress(db: Session | None = None) -> None:
    """Drop every place the worker keeps, and the session's (tests: another worker)."""
    with _LOCK:
        _PROGRESS.clear()
    if db is not None:
        db.info.pop(_PENDING, None)


def kept_progress(attempt_id: uuid.UUID, section_position: int) -> Progress | None:
    """The worker's committed place for the taker, if it keeps one."""
    return _PROGRESS.get((attempt_id, section_position))


def progress(
    db: Session,
    attempt: Attempt,
    event: Event,
    plan: SectionPlan,
    current: tuple[int, uuid.UUID] | None = None,
) -> Progress:
    """The taker's place: this session's own, or the worker's committed one if the section's
    last stored step is still its current step; else read from every stored step.

    `current`: the (position, item version) this transaction has just read as the section's
    unanswered step, with the attempt locked. Steps are only added after the one before is
    answered, under that lock, so an unanswered step is the last: a kept place on it needs no
    statement to confirm it."""
    key = (attempt.id, plan.position)
    frozen = frozen_pool(db, event, plan.position)
    pending = _pending(db)
    kept = pending[key] if key in pending else _PROGRESS.get(key)
    if kept is not None and kept.frozen is frozen and kept.form_id == attempt.form_id:
        if current is not None:
            if kept.step and (kept.position, kept.item_version_id) == current:
                return kept
            return read_progress(db, attempt, event, plan)
        where = {"attempt_id": attempt.id, "section_position": plan.position}
        last = db.connection().execute(_LAST_STEP, where).one_or_none()
        if (
            last is not None
            and kept.step
            and last.step == kept.step
            and last.item_version_id == kept.item_version_id
            and last.response is None
        ):
            return kept
    return read_progress(db, attempt, event, plan)


def _keep(db: Session, attempt: Attempt, plan: SectionPlan, kept: Progress | None) -> None:
    """This session's new place for the taker, kept for the worker when it commits."""
    _pending(db)[(attempt.id, plan.position)] = kept


def open_section(
    db: Session, attempt: Attempt, event: Event, plan: SectionPlan, now: datetime
) -> int | None:
    """Choose the section's first item (once: a section already begun keeps its items);
    returns the position to show, or None when nothing can be chosen."""
    here = sitting(db, attempt, event, plan)
    if here.steps:
        return here.steps[-1].position
    excluded = _held_elsewhere(db, attempt, here.frozen, plan.position)
    start = AdaptiveState(passed=tuple(here.frozen.code_index[c] for c in excluded))
    chosen = _choose(
        db, attempt, here.frozen, plan, here.form_seed, here.section, start, now, excluded
    )
    _keep(db, attempt, plan, chosen)
    return chosen.position if chosen else None


def _held_elsewhere(
    db: Session, attempt: Attempt, frozen: FrozenPool, section_position: int
) -> list[str]:
    """The pool's items the form holds outside this section (drawn in a fixed section, or
    given in an earlier adaptive one): an item appears at most once per form."""
    drawn = select(FormItem.item_version_id).where(FormItem.form_id == attempt.form_id)
    given = select(AdaptiveStep.item_version_id).where(
        AdaptiveStep.attempt_id == attempt.id,
        AdaptiveStep.section_position != section_position,
    )
    held = set(db.scalars(drawn)) | set(db.scalars(given))
    return sorted(frozen.items[frozen.index[v]].code for v in held if v in frozen.index)


def _choose(
    db: Session,
    attempt: Attempt,
    frozen: FrozenPool,
    plan: SectionPlan,
    form_seed: int,
    section: Section,
    state: AdaptiveState,
    now: datetime,
    excluded: list[str] | None = None,
) -> Progress | None:
    """Choose and store the next step; returns the taker's place with it current."""
    chosen = _next_step(attempt, frozen, plan, form_seed, section, state, now, excluded)
    if chosen is None:
        return None
    db.connection().execute(_ADD_STEP, chosen[1])
    return chosen[0]


def _next_step(
    attempt: Attempt,
    frozen: FrozenPool,
    plan: SectionPlan,
    form_seed: int,
    section: Section,
    state: AdaptiveState,
    now: datetime,
    excluded: list[str] | None = None,
) -> tuple[Progress, dict[str, Any]] | None:
    """The next step chosen: the taker's place with it current, and its row to insert."""
    choice = engine.next_choice(section, state)
    if choice is None:
        return None
    facts = frozen.items[choice.item]
    step = len(state.given) + 1
    position = plan.first_position + step - 1
    order = option_order(
        form_seed,
        PoolItem(facts.version_id, facts.code, facts.option_ids, facts.shuffle_options),
        frozen.shuffle_options,
    )
    row = {
        "attempt_id": attempt.id,
        "position": position,
        "section_position": plan.position,
        "step": step,
        "item_version_id": facts.version_id,
        "option_order": list(order),
        "passed": [frozen.items[i].code for i in choice.passed],
        "excluded": excluded,
        "chosen_at": now,
    }
    state = replace(state, passed=state.passed + choice.passed)
    place = Progress(frozen, attempt.form_id, form_seed, state, step, position, facts.version_id)
    return place, row


@dataclass(frozen=True)
class Answered:
    theta: float
    se: float
    next_position: int | None  # None: the section stops here
    stop_reason: str | None


def answer(
    db: Session,
    attempt: Attempt,
    event: Event,
    plan: SectionPlan,
    position: int,
    option_id: str,
    now: datetime,
    version_id: uuid.UUID | None = None,
) -> Answered:
    """Record the answer to the section's current item (at `position`; `version_id`: its
    item as the caller read it, unanswered, with the attempt locked), θ and SE after it, and
    choose the next item, unless the section stops here."""
    current = (position, version_id) if version_id is not None else None
    here = progress(db, attempt, event, plan, current)
    assert here.position == position and here.item_version_id is not None
    frozen = here.frozen
    section = _taker_section(frozen, here.form_seed, plan)
    item = frozen.index[here.item_version_id]
    response = frozen.response(item, option_id)
    after = engine.answered(section, here.state, Choice(item), response)
    answered = {
        "the_attempt": attempt.id,
        "the_position": position,
        "new_response": response,
        "new_theta": after.theta,
        "new_se": after.se,
        "new_answered_at": now,
    }
    reason = engine.stop_reason(section, after)
    chosen = None
    if reason is None:
        chosen = _next_step(attempt, frozen, plan, here.form_seed, section, after, now)
    following = chosen[0] if chosen else None
    conn = db.connection()
    if chosen is None:
        conn.execute(_ANSWERED, answered)
    elif conn.dialect.name == "postgresql":  # one round trip: the step answered, the next
        following_row = {f"next_{name}": value for name, value in chosen[1].items()}
        conn.execute(_ANSWERED_AND_NEXT, answered | following_row)
    else:
        conn.execute(_ANSWERED, answered)
        conn.execute(_ADD_STEP, chosen[1])
    _keep(db, attempt, plan, following)
    if following is None and reason is None:
        reason = "pool_exhausted"
    return Answered(after.theta, after.se, following.position if following else None, reason)


@dataclass(frozen=True)
class Replayed:
    """An audit replay of one adaptive section: the items the engine chooses again from the
    stored answers, and whether they, their θ and SE are exactly the stored ones."""

    section_position: int
    items: list[str]  # item codes in order
    thetas: list[float]
    ses: list[float]
    matches: bool
    # What differs: a catalogue message (English msgid) and its parameters.
    problem: str | None = None
    problem_params: dict[str, Any] = field(default_factory=dict)


# What an audit replay finds (app/i18n catalogue; printed by `proasn event replay-adaptive`).
REPLAY_OTHER_ITEM = N_("item %(step)s: stored %(stored)s, the engine chooses %(chosen)s")
REPLAY_OTHER_THETA = N_("θ / SE differ from the stored ones")
REPLAY_OTHER_CURRENT = N_("item %(step)s: the engine chooses another")


def replay(db: Session, attempt: Attempt, event: Event, plan: SectionPlan) -> Replayed:
    """Choose the section's items again from its seed, frozen pool and stored responses."""
    here = sitting(db, attempt, event, plan)
    frozen = here.frozen
    excluded = (here.steps[0].excluded or []) if here.steps else []
    start = AdaptiveState(passed=tuple(frozen.code_index[c] for c in excluded))
    answered = [s for s in here.steps if s.response is not None]
    items = [frozen.index[s.item_version_id] for s in answered]
    responses = [int(s.response) for s in answered if s.response is not None]
    codes = [frozen.items[i].code for i in items]
    try:
        state = engine.replay(here.section, items, responses, start)
    except engine.ReplayMismatch as exc:
        found = {"step": exc.step, "stored": exc.stored, "chosen": exc.chosen or "-"}
        return Replayed(plan.position, codes, [], [], False, REPLAY_OTHER_ITEM, found)
    thetas = [t for t, _ in state.history]
    ses = [s for _, s in state.history]
    stored = [(s.theta, s.se) for s in answered]
    problem, params = None, {}
    if stored != list(state.history):
        problem = REPLAY_OTHER_THETA
    elif len(here.steps) > len(answered):  # the current item: chosen again the same?
        again = engine.next_choice(here.section, state)
        if again is None or frozen.items[again.item].version_id != here.steps[-1].item_version_id:
            problem, params = REPLAY_OTHER_CURRENT, {"step": len(here.steps)}
        else:
            codes.append(frozen.items[again.item].code)
    return Replayed(plan.position, codes, thetas, ses, problem is None, problem, params)


def steps_of(db: Session, attempt_id: uuid.UUID) -> list[AdaptiveStep]:
    """Every adaptive step of an attempt, in the form's order (reports, tests)."""
    query = (
        select(AdaptiveStep)
        .where(AdaptiveStep.attempt_id == attempt_id)
        .order_by(AdaptiveStep.position)
        .execution_options(populate_existing=True)  # written by Core statements
    )
    return list(db.scalars(query))
