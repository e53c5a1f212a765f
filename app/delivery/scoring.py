"""Raw scores per subtest at submission: 0/1 for keyed items, 1–5 points for graded ones.

There is no pass mark: the result is a profile, computed here as raw and maximum per subtest
and stored with the attempt; standard scores and levels belong to the scoring module.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.bank import repository as bank_repository
from app.bank.models import ItemVersion
from app.delivery import repository
from app.delivery.models import Attempt, AttemptScore
from app.delivery.selectors import selector_for


@dataclass
class SubtestTally:
    raw: int = 0
    maximum: int = 0
    answered: int = 0
    items: int = 0
    detail: list[list[object]] = field(default_factory=list)


def item_points(version: ItemVersion, option_id: str | None) -> int:
    if option_id is None:
        return 0
    if version.scoring == "graded":
        return int((version.points or {}).get(option_id, 0))
    return 1 if option_id == version.key else 0


def item_maximum(version: ItemVersion) -> int:
    return max((version.points or {}).values()) if version.scoring == "graded" else 1


def score_attempt(db: Session, attempt: Attempt) -> list[AttemptScore]:
    """Compute and store the attempt's raw scores (replacing any earlier ones)."""
    refs = selector_for(attempt).all_items(db, attempt)
    versions = bank_repository.versions_by_id(db, [r.version_id for r in refs])
    answers = repository.answers_of(db, attempt.id)
    tallies: dict[str, SubtestTally] = defaultdict(SubtestTally)
    for ref in refs:
        version = versions[ref.version_id]
        answer = answers.get(ref.position)
        option = answer.option_id if answer else None
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
