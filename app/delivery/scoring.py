"""Raw scores per subtest at submission: 0/1 for keyed items, 1–5 points for graded ones.

There is no pass mark: the result is a profile, computed here as raw and maximum per subtest
and stored with the attempt; standard scores and levels belong to the scoring module.
"""

import threading
import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.bank.points import ScoredItem, item_maximum, option_points
from app.delivery import repository
from app.delivery.models import Answer, Attempt, AttemptScore
from app.delivery.selectors import FixedFormSelector, selector_for
from app.exams.models import Form, FormItem

_V = ItemVersion.__table__
_A = Answer.__table__
_S = AttemptScore.__table__
_FI = FormItem.__table__
_F = Form.__table__
_T = Attempt.__table__


@dataclass
class SubtestTally:
    raw: int = 0
    maximum: int = 0
    answered: int = 0
    items: int = 0


class ScoringKey(ScoredItem, Protocol):
    """A version as far as its score goes (read only: frozen copies qualify)."""

    @property
    def subtest_code(self) -> str: ...


@dataclass(frozen=True)
class _Rule:
    """How one item version scores: its subtest, its maximum and its points per option."""

    subtest: str
    maximum: int
    points: dict[str, int]  # bank.points.option_points: read once per version, not per answer

    @classmethod
    def of(cls, version: "ItemVersion | ScoringKey") -> "_Rule":
        return cls(version.subtest_code, item_maximum(version), option_points(version))


class RuleCache:
    """Scoring rules by item version id, kept by the worker: a version in a form is frozen
    and never edited again (a change makes a new version), and a room's deadline scores the
    same few hundred versions for every attempt. Read per attempt, they are a query of 700
    ids for each attempt closed by a request, a large share of a deadline's scoring time
    (figures: bench/README.md, "Figures behind the code")."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._rules: dict[str, _Rule] = {}  # by the id's 32 hex digits
        self._lock = threading.Lock()

    def get_many(self, db: Session, ids: Collection[str]) -> dict[str, _Rule]:
        """The rule of each version, by id as hex digits (see `hex_id`): ids as text, since
        a UUID object built and hashed per row of 700 was the larger share of the work."""
        rules = self._rules
        found: dict[str, _Rule] = {}
        for i in ids:
            rule = rules.get(i)  # (one dict read: atomic beside another thread's update)
            if rule is not None:
                found[i] = rule
        missing = [uuid.UUID(i) for i in set(ids) - found.keys()]
        columns = (_V.c.id, _V.c.subtest_code, _V.c.scoring, _V.c.key, _V.c.points, _V.c.frozen_at)
        frozen: dict[str, _Rule] = {}
        for start in range(0, len(missing), 500):
            query = select(*columns).where(_V.c.id.in_(missing[start : start + 500]))
            for row in db.execute(query):
                rule = found[row.id.hex] = _Rule.of(row)
                if row.frozen_at is not None:  # a draft may still change: not kept
                    frozen[row.id.hex] = rule
        if frozen:
            with self._lock:
                if len(rules) + len(frozen) > self.size:
                    rules.clear()  # a bank's worth; clearing now and then is cheap
                rules.update(frozen)
        return found


RULES = RuleCache()


def hex_id(text: str) -> str:
    """An id read as text (PostgreSQL: with dashes; SQLite: 32 hex digits) as 32 hex digits."""
    return text.replace("-", "")


@dataclass
class Prefetched:
    """What scoring a batch of attempts reads, in a handful of queries for the whole batch
    (the sweeper scores a room's attempts together at its deadline)."""

    totals: dict[uuid.UUID, dict[str, list[int]]]  # by form, where the draw stored them
    items: dict[uuid.UUID, list[tuple[int, str]]]  # by form without totals: every item
    rules: dict[str, _Rule]  # by item version id as hex
    # by attempt: position -> (option, version id as hex); only answered positions
    answers: dict[uuid.UUID, dict[int, tuple[str | None, str]]]
    scored: set[uuid.UUID]  # attempts that already have scores (to replace)


def prefetch(db: Session, attempts: list[Attempt]) -> None:
    """Read what `score_attempt` needs for these fixed-form attempts at once; it then reads
    nothing more for them in this database session."""
    fixed = [a for a in attempts if a.selector == FixedFormSelector.name]
    if fixed:
        db.info["scoring"] = read_inputs(db, fixed)


def read_inputs(db: Session, fixed: list[Attempt]) -> Prefetched:
    """What scoring these fixed-form attempts reads, in a handful of queries for them all.

    A form drawn with its subtest totals needs only its answered items' rules: a taker at a
    700-item form's deadline has answered a part of it (bench/load, deadline)."""
    form_ids = list({a.form_id for a in fixed})
    attempt_ids = [a.id for a in fixed]
    query = select(_F.c.id, _F.c.subtest_totals).where(_F.c.id.in_(form_ids))
    totals = {form: stored for form, stored in db.execute(query).tuples() if stored is not None}
    items: dict[uuid.UUID, list[tuple[int, str]]] = {f: [] for f in form_ids if f not in totals}
    versions: set[str] = set()
    if items:
        # Ids as text: a UUID built per row of 700 was a large share of scoring them.
        forms = {rep: items[f] for f in items for rep in (str(f), f.hex)}
        columns = (
            cast(_FI.c.form_id, String),
            _FI.c.position,
            cast(_FI.c.item_version_id, String),
        )
        query = select(*columns).where(_FI.c.form_id.in_(list(items))).order_by(_FI.c.position)
        for form, position, version in db.execute(query).tuples():
            version = hex_id(version)
            versions.add(version)
            forms[form].append((position, version))
    answers: dict[uuid.UUID, dict[int, tuple[str | None, str]]] = {a: {} for a in attempt_ids}
    query = (
        select(_A.c.attempt_id, _A.c.position, _A.c.option_id, cast(_FI.c.item_version_id, String))
        .join(_T, _T.c.id == _A.c.attempt_id)
        .join(_FI, (_FI.c.form_id == _T.c.form_id) & (_FI.c.position == _A.c.position))
        .where(_A.c.attempt_id.in_(attempt_ids))
    )
    for attempt_id, position, option, version in db.execute(query).tuples():
        version = hex_id(version)
        versions.add(version)
        answers[attempt_id][position] = (option, version)
    query = select(_S.c.attempt_id).where(_S.c.attempt_id.in_(attempt_ids)).distinct()
    scored = set(db.scalars(query))
    return Prefetched(totals, items, RULES.get_many(db, versions), answers, scored)


@dataclass(frozen=True)
class _Inputs:
    totals: dict[str, list[int]] | None  # {subtest: [items, maximum]} when the draw kept them
    items: list[tuple[int, str]]  # (position, version id as hex); all items, without totals
    rules: dict[str, _Rule]
    answers: dict[int, tuple[str | None, str]]  # answered position -> (option, version)
    maybe_scored: bool  # scores to replace may exist
    batch: bool  # prefetched: the caller flushes the batch once


def _inputs(db: Session, attempt: Attempt) -> _Inputs:
    ready: Prefetched | None = db.info.get("scoring")
    if ready is not None and attempt.id in ready.answers:
        one, batch = ready, True
    elif attempt.selector == FixedFormSelector.name:
        # One attempt closed by a request (the page at zero): the batch's reader, for one.
        one, batch = read_inputs(db, [attempt]), False
    else:
        refs = selector_for(attempt).all_items(db, attempt)
        items = [(r.position, r.version_id.hex) for r in refs]
        rules = RULES.get_many(db, [version for _, version in items])
        by_position = dict(items)
        answered = select(_A.c.position, _A.c.option_id).where(_A.c.attempt_id == attempt.id)
        answers = {
            position: (option, by_position[position])
            for position, option in db.execute(answered).tuples()
            if position in by_position
        }
        return _Inputs(None, items, rules, answers, maybe_scored=True, batch=False)
    form = attempt.form_id
    return _Inputs(
        one.totals.get(form),
        one.items.get(form, []),
        one.rules,
        one.answers[attempt.id],
        attempt.id in one.scored,
        batch,
    )


def score_attempt(db: Session, attempt: Attempt) -> list[AttemptScore]:
    """Compute and store the attempt's raw scores (replacing any earlier ones)."""
    given = _inputs(db, attempt)
    rules = given.rules
    tallies: dict[str, SubtestTally] = defaultdict(SubtestTally)
    if given.totals is not None:
        for subtest, (items, maximum) in given.totals.items():
            tallies[subtest] = SubtestTally(items=items, maximum=maximum)
    else:
        for _, version in given.items:
            rule = rules[version]
            tally = tallies[rule.subtest]
            tally.maximum += rule.maximum
            tally.items += 1
    for option, version in given.answers.values():
        if option is None:
            continue
        rule = rules[version]
        tally = tallies[rule.subtest]
        tally.raw += rule.points.get(option, 0)
        tally.answered += 1
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
        )
        for code, t in sorted(tallies.items())
    ]
    db.add_all(scores)
    if not given.batch:
        db.flush()
    return scores
