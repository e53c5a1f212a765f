"""An adaptive section's settings, and whether a pool can meet them.

The pool check is a necessary condition, exact in what it asks: every taker who reaches the
maximum takes `max_items` items, so the exposure rates of the pool's items sum to
`max_items`; with none above `max_rate` the pool needs at least ⌈max_items / max_rate⌉ items,
and a theme with target share s at least ⌈s · max_items / max_rate⌉. Randomesque top-k gives
every taker's first item (all start at the prior) from the same k items, so one of them is
shown to at least 1/k of the takers: k must reach ⌈1 / max_rate⌉.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

RANDOMESQUE: Final = "randomesque"
SYMPSON_HETTER: Final = "sympson-hetter"
NO_CONTROL: Final = "none"
EXPOSURE_METHODS = (RANDOMESQUE, SYMPSON_HETTER, NO_CONTROL)


@dataclass(frozen=True)
class Exposure:
    method: str = SYMPSON_HETTER
    max_rate: float = 0.25
    top_k: int = 5  # randomesque only

    def __post_init__(self) -> None:
        if self.method not in EXPOSURE_METHODS:
            raise ValueError(f"exposure method must be one of {', '.join(EXPOSURE_METHODS)}")


@dataclass(frozen=True)
class AdaptiveRules:
    min_items: int
    max_items: int
    stop_se: float | None = None  # stop once SE ≤ this (after min_items)
    content: Mapping[str, float] = field(default_factory=dict)  # theme → target share
    exposure: Exposure = field(default_factory=Exposure)


def minimum_top_k(max_rate: float) -> int:
    return math.ceil(1.0 / max_rate - 1e-9)


def items_needed(max_items: int, max_rate: float, share: float = 1.0) -> int:
    """The fewest items a pool (or a theme with this share) needs for the exposure target."""
    return math.ceil(share * max_items / max_rate - 1e-9)


@dataclass(frozen=True)
class PoolShortage:
    field: str  # the blueprint field a fix would change
    message: str


def pool_shortages(
    rules: AdaptiveRules, items_per_theme: Mapping[str | None, int]
) -> list[PoolShortage]:
    """Why a pool with these item counts per theme cannot meet the rules (empty when it can)."""
    rate = rules.exposure.max_rate if rules.exposure.method != NO_CONTROL else 1.0
    problems = []
    total, needed = sum(items_per_theme.values()), items_needed(rules.max_items, rate)
    if total < needed:
        problems.append(
            PoolShortage(
                "adaptive.max_items",
                f"bank memiliki {total} butir untuk pool ini; {rules.max_items} butir maksimum "
                f"dengan laju paparan maksimum {rate:g} memerlukan sedikitnya {needed}",
            )
        )
    for theme, share in rules.content.items():
        have, needed = items_per_theme.get(theme, 0), items_needed(rules.max_items, rate, share)
        if have < needed:
            problems.append(
                PoolShortage(
                    f"adaptive.content.{theme}",
                    f"tema {theme!r} memiliki {have} butir; porsi {share:g} dari "
                    f"{rules.max_items} butir dengan laju paparan maksimum {rate:g} "
                    f"memerlukan sedikitnya {needed}",
                )
            )
    if rules.exposure.method == RANDOMESQUE and rules.exposure.top_k < minimum_top_k(rate):
        problems.append(
            PoolShortage(
                "adaptive.exposure.top_k",
                f"top_k {rules.exposure.top_k}: butir pertama setiap peserta dipilih dari "
                f"{rules.exposure.top_k} butir yang sama, jadi laju paparan ≥ "
                f"1/{rules.exposure.top_k}; laju {rate:g} memerlukan top_k ≥ {minimum_top_k(rate)}",
            )
        )
    return problems
