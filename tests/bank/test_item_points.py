"""One rule for an item's points and maximum: the raw score delivery stores at submission and
the one a scoring run computes must agree on every kind of item (docs/scoring.md §1)."""

import uuid

import pytest

from app.delivery.scoring import _Rule
from app.scoring.service import Person, ScoringItem, _subtest_scores


def _item(scoring: str, key: str | None, points: dict[str, int] | None) -> ScoringItem:
    return ScoringItem(uuid.uuid4(), "TKP", scoring, key, points, None)


ITEMS = {
    "keyed": _item("keyed", "B", None),
    "graded": _item("graded", None, {"A": 1, "B": 5, "C": 3}),
    # The bank refuses a graded item without points (docs/question_bank.md), but one stored
    # without them must score the same at submission and in a run, and stop neither.
    "graded without points": _item("graded", None, None),
    "graded with empty points": _item("graded", None, {}),
}


def _at_submission(item: ScoringItem, option: str | None) -> tuple[int, int]:
    rule = _Rule.of(item)
    return (rule.points.get(option, 0) if option is not None else 0), rule.maximum


def _in_a_run(item: ScoringItem, option: str | None) -> tuple[int, int]:
    person = Person(uuid.uuid4(), "submitted", {item.id: option})
    scores = _subtest_scores([person], [item])[person.participant_id]
    return scores["raw"], scores["max"]


@pytest.mark.parametrize("kind", list(ITEMS))
@pytest.mark.parametrize("option", [None, "A", "B", "C", "Z"])
def test_submission_and_run_score_an_item_alike(kind: str, option: str | None) -> None:
    item = ITEMS[kind]
    assert _at_submission(item, option) == _in_a_run(item, option)


def test_an_item_without_points_can_earn_none() -> None:
    # `max` is the most an answer can earn: with no points, nothing (not a point nobody gets).
    for kind in ("graded without points", "graded with empty points"):
        assert _in_a_run(ITEMS[kind], "A") == (0, 0)
    assert _in_a_run(ITEMS["graded"], "B") == (5, 5)
    assert _in_a_run(ITEMS["keyed"], "A") == (0, 1)
