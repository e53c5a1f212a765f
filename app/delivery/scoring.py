"""Raw scores per subtest at submission: 0/1 for keyed items, 1–5 points for graded ones.

There is no pass mark: the result is a profile, computed here as raw and maximum per subtest
and stored with the attempt; standard scores and levels belong to the scoring module.
"""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.bank.models import ItemVersion
from app.delivery import repository
from app.delivery.models import Answer, Attempt, AttemptScore
from app.delivery.selectors import selector_for

_V = ItemVersion.__table__
_A = Answer.__table__


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


def score_attempt(db: Session, attempt: Attempt) -> list[AttemptScore]:
    """Compute and store the attempt's raw scores (replacing any earlier ones)."""
    refs = selector_for(attempt).all_items(db, attempt)
    versions = _scoring_keys(db, list({r.version_id for r in refs}))
    answered = select(_A.c.position, _A.c.option_id).where(_A.c.attempt_id == attempt.id)
    answers = dict(db.execute(answered).tuples().all())
    tallies: dict[str, SubtestTally] = defaultdict(SubtestTally)
    for ref in refs:
        version = versions[ref.version_id]
        option = answers.get(ref.position)
        tally = tallies[version.subtest_code]
        points = item_points(version, option)
        tally.raw += points
        tally.maximum += item_maximum(version)
        tally.items += 1
        tally.answered += option is not None
        tally.detail.append([ref.position, option, points])
    for old in repository.scores_of(db, attempt.id):
        db.delete(old)
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
    db.flush()
    return scores
