"""What an answer to an item earns, and the most it can earn: the one rule that submission
(`delivery/scoring.py`), form drawing (`exams/preparation.py`), scoring runs, item analysis
and the research export all use (docs/scoring.md §1)."""

from typing import Protocol


class ScoredItem(Protocol):
    """An item version as far as scoring goes (a version, a corrected copy, a row)."""

    @property
    def scoring(self) -> str: ...  # keyed | graded

    @property
    def key(self) -> str | None: ...

    @property
    def points(self) -> dict[str, int] | None: ...


def option_points(item: ScoredItem) -> dict[str, int]:
    """The points of each option that earns any (every other option earns 0): a keyed item's
    key 1, a graded item's options their own points."""
    if item.scoring == "graded":
        return {option: int(value) for option, value in (item.points or {}).items()}
    return {item.key: 1} if item.key else {}


def item_points(item: ScoredItem, option: str | None) -> int:
    """What choosing `option` earns (None: unanswered, 0)."""
    if option is None:
        return 0
    return option_points(item).get(option, 0)


def item_maximum(item: ScoredItem) -> int:
    """The most an answer can earn: 1 for a keyed item, its best option's points for a graded
    one. A graded item without points (the bank refuses one) earns nothing, so its maximum is
    0: a maximum nobody can reach would only pull the subtest's percent down."""
    if item.scoring != "graded":
        return 1
    return max(option_points(item).values(), default=0)
