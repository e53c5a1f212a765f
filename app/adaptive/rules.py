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

from app.i18n import N_, translate

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
                translate(
                    N_(
                        "the bank has %(total)s items for this pool; %(max)s items at most with "
                        "a maximum exposure rate of %(rate)s need at least %(needed)s"
                    ),
                    {"total": total, "max": rules.max_items, "rate": f"{rate:g}", "needed": needed},
                ),
            )
        )
    for theme, share in rules.content.items():
        have, needed = items_per_theme.get(theme, 0), items_needed(rules.max_items, rate, share)
        if have < needed:
            problems.append(
                PoolShortage(
                    f"adaptive.content.{theme}",
                    translate(
                        N_(
                            "theme %(theme)s has %(have)s items; a share of %(share)s of "
                            "%(max)s items with a maximum exposure rate of %(rate)s needs at "
                            "least %(needed)s"
                        ),
                        {
                            "theme": repr(theme),
                            "have": have,
                            "share": f"{share:g}",
                            "max": rules.max_items,
                            "rate": f"{rate:g}",
                            "needed": needed,
                        },
                    ),
                )
            )
    if rules.exposure.method == RANDOMESQUE and rules.exposure.top_k < minimum_top_k(rate):
        problems.append(
            PoolShortage(
                "adaptive.exposure.top_k",
                translate(
                    N_(
                        "top_k %(k)s: every taker's first item is chosen from the same %(k)s "
                        "items, so the exposure rate is ≥ 1/%(k)s; a rate of %(rate)s needs "
                        "top_k ≥ %(needed)s"
                    ),
                    {"k": rules.exposure.top_k, "rate": f"{rate:g}", "needed": minimum_top_k(rate)},
                ),
            )
        )
    return problems
