"""Raw scores per subtest at submission: 0/1 for keyed items, 1–5 points for graded ones.

There is no pass mark: the result is a profile, computed here as raw and maximum per subtest
and stored with the attempt; standard scores and levels belong to the scoring module.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import repository
from app.delivery.models import Answer, Attempt, AttemptScore
from app.delivery.selectors import FixedFormSelector, ItemRef, selector_for
from app.exams.models import FormItem

_V = ItemVersion.__table__
_A = Answer.__table__
_S = AttemptScore.__table__
_FI = FormItem.__table__


@dataclass
class SubtestTally:
    raw: int = 0
    maximum: int = 0
    answered: int = 0
    items: int = 0
    detail: list[list[object]] = field(default_factory=list)


def item_points(version: "ItemVersion | ScoringKey", option_id: str | None) -> int:
    if option_id is None:
        return 0
    if version.scoring == "graded":
        return int((version.points or {}).get(option_id, 0))
    return 1 if option_id == version.key else 0


def item_maximum(version: "ItemVersion | ScoringKey") -> int:
    return max((version.points or {}).values()) if version.scoring == "graded" else 1


class ScoringKey(Protocol):
    subtest_code: str
    scoring: str
    key: str | None
    points: dict[str, int] | None


def _scoring_keys(db: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, ScoringKey]:
    """Only the columns scoring reads: a room's deadline scores hundreds of attempts at once,
    and whole item versions (stems, figures) cost more to load than the scoring itself."""
    found: dict[uuid.UUID, ScoringKey] = {}
    columns = (_V.c.id, _V.c.subtest_code, _V.c.scoring, _V.c.key, _V.c.points)
    for start in range(0, len(ids), 500):
        query = select(*columns).where(_V.c.id.in_(ids[start : start + 500]))
        found.update((row.id, row) for row in db.execute(query))
    return found


@dataclass
class Prefetched:
    """What scoring a batch of attempts reads, in a handful of queries for the whole batch
    (the sweeper scores a room's attempts together at its deadline)."""

    items: dict[uuid.UUID, list[ItemRef]]  # by form
    keys: dict[uuid.UUID, ScoringKey]  # by item version
    answers: dict[uuid.UUID, dict[int, str | None]]  # by attempt: position -> option
    scored: set[uuid.UUID]  # attempts that already have scores (to replace)


def prefetch(db: Session, attempts: list[Attempt]) -> None:
    """Read what `score_attempt` needs for these fixed-form attempts at once; it then reads
    nothing more for them in this database session."""
    fixed = [a for a in attempts if a.selector == FixedFormSelector.name]
    if fixed:
        db.info["scoring"] = read_inputs(db, fixed)


def read_inputs(db: Session, fixed: list[Attempt]) -> Prefetched:
    """What scoring these fixed-form attempts reads, in a handful of queries for them all."""
    form_ids = list({a.form_id for a in fixed})
    attempt_ids = [a.id for a in fixed]
    items: dict[uuid.UUID, list[ItemRef]] = {f: [] for f in form_ids}
    # Ids as text, each distinct one turned into a UUID once: a room's deadline reads 700
    # rows per attempt, and a UUID built per row was a large share of scoring them. Not the
    # option orders either: scoring needs none (bench/load, 700-item forms).
    forms = {rep: f for f in form_ids for rep in (str(f), f.hex)}
    versions_by_text: dict[str, uuid.UUID] = {}
    columns = (cast(_FI.c.form_id, String), _FI.c.position, _FI.c.section_position)
    query = (
        select(*columns, cast(_FI.c.item_version_id, String))
        .where(_FI.c.form_id.in_(form_ids))
        .order_by(_FI.c.form_id, _FI.c.position)
    )
    for form, position, section, version in db.execute(query).tuples():
        version_id = versions_by_text.get(version)
        if version_id is None:
            version_id = versions_by_text[version] = uuid.UUID(version)
        items[forms[form]].append(ItemRef(position, section, version_id, ()))
    versions = list(set(versions_by_text.values()))
    answers: dict[uuid.UUID, dict[int, str | None]] = {a: {} for a in attempt_ids}
    query = select(_A.c.attempt_id, _A.c.position, _A.c.option_id).where(
        _A.c.attempt_id.in_(attempt_ids)
    )
    for attempt_id, position, option in db.execute(query).tuples():
        answers[attempt_id][position] = option
    query = select(_S.c.attempt_id).where(_S.c.attempt_id.in_(attempt_ids)).distinct()
    scored = set(db.scalars(query))
    return Prefetched(items, _scoring_keys(db, versions), answers, scored)


@dataclass(frozen=True)
class _Inputs:
    refs: list[ItemRef]
    keys: dict[uuid.UUID, ScoringKey]
    answers: dict[int, str | None]
    maybe_scored: bool  # scores to replace may exist
    batch: bool  # prefetched: the caller flushes the batch once


def _inputs(db: Session, attempt: Attempt) -> _Inputs:
    ready: Prefetched | None = db.info.get("scoring")
    if ready is not None and attempt.id in ready.answers:
        scored = attempt.id in ready.scored
        items = ready.items[attempt.form_id]
        return _Inputs(items, ready.keys, ready.answers[attempt.id], scored, batch=True)
    if attempt.selector == FixedFormSelector.name:
        # One attempt closed by a request (the page at zero): the batch's reader, for one.
        one = read_inputs(db, [attempt])
        items, answers = one.items[attempt.form_id], one.answers[attempt.id]
        return _Inputs(items, one.keys, answers, attempt.id in one.scored, batch=False)
    refs = selector_for(attempt).all_items(db, attempt)
    keys = _scoring_keys(db, list({r.version_id for r in refs}))
    answered = select(_A.c.position, _A.c.option_id).where(_A.c.attempt_id == attempt.id)
    answers = dict(db.execute(answered).tuples().all())
    return _Inputs(refs, keys, answers, maybe_scored=True, batch=False)


@dataclass(frozen=True)
class _Rule:
    """How one item version scores: its subtest, its maximum and its points per option."""

    subtest: str
    maximum: int
    points: dict[str, int]  # keyed: {key: 1}

    @classmethod
    def of(cls, version: "ItemVersion | ScoringKey") -> "_Rule":
        if version.scoring == "graded":
            points = {k: int(v) for k, v in (version.points or {}).items()}
        else:
            points = {version.key: 1} if version.key else {}
        return cls(version.subtest_code, item_maximum(version), points)


def score_attempt(db: Session, attempt: Attempt) -> list[AttemptScore]:
    """Compute and store the attempt's raw scores (replacing any earlier ones)."""
    given = _inputs(db, attempt)
    rules: dict[uuid.UUID, _Rule] = db.info.setdefault("scoring_rules", {})
    tallies: dict[str, SubtestTally] = defaultdict(SubtestTally)
    answers = given.answers
    for ref in given.refs:
        rule = rules.get(ref.version_id)
        if rule is None:
            rule = rules[ref.version_id] = _Rule.of(given.keys[ref.version_id])
        option = answers.get(ref.position)
        tally = tallies[rule.subtest]
        points = rule.points.get(option, 0) if option is not None else 0
        tally.raw += points
        tally.maximum += rule.maximum
        tally.items += 1
        tally.answered += option is not None
        tally.detail.append([ref.position, option, points])
    old = repository.scores_of(db, attempt.id) if given.maybe_scored else []
    if old:
        for score in old:
            db.delete(score)
        db.flush()  # in one flush the unit of work would insert the new ones first
    scores = [
        AttemptScore(
            attempt_id=attempt.id,
            subtest_code=code,
            raw=t.raw,
            maximum=t.maximum,
            answered=t.answered,
            items=t.items,
            detail=t.detail,
        )
        for code, t in sorted(tallies.items())
    ]
    db.add_all(scores)
    if not given.batch:
        db.flush()
    return scores
