"""Item selector: maximum Fisher information at the current θ, within the theme furthest
behind its target share, with exposure control.

Content balancing (Kingsbury–Zara): before item n + 1 each theme's deficit is
s_t · (n + 1) − c_t (target share times the items given so far plus this one, less the items
of the theme given); the theme with the largest deficit that still has items is served (ties:
theme name order). Each theme's count then stays within one item of s_t · n.

Exposure control, among the served theme's remaining items in decreasing information:
- randomesque: one of the first k, uniformly;
- Sympson–Hetter: each item in turn is given with probability K_i (its exposure parameter,
  `exposure.sympson_hetter`), else passed over for the rest of this taker's section; when all
  are passed over the most informative is given.
Random numbers come from `SeededStream(seed, "adaptive:<step>")`, so a replay repeats them.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.adaptive.pool import Array, ItemPool
from app.adaptive.rules import RANDOMESQUE, SYMPSON_HETTER, AdaptiveRules
from app.kit.seeded import SeededStream


@dataclass(frozen=True)
class Choice:
    item: int  # pool index
    passed: tuple[int, ...] = ()  # Sympson–Hetter: items drawn against and passed over


def available_mask(
    pool: ItemPool, given: Sequence[int], passed: Sequence[int]
) -> NDArray[np.bool_]:
    mask = np.ones(len(pool), dtype=bool)
    mask[list(given)] = False
    mask[list(passed)] = False
    return mask


def served_theme(
    pool: ItemPool, rules: AdaptiveRules, given: Sequence[int], available: NDArray[np.bool_]
) -> str | None:
    """The theme the next item comes from (None: no content balancing)."""
    if not rules.content:
        return None
    given_counts = pool.theme_counts(pool.theme_ids[np.asarray(given, dtype=np.intp)])
    named = dict(zip(pool.theme_names, given_counts.tolist(), strict=True))
    counts = {theme: named.get(theme, 0) for theme in rules.content}
    step = len(given) + 1
    open_themes = pool.themes_among(available)
    ranked = sorted(rules.content, key=lambda t: (-(rules.content[t] * step - counts[t]), t))
    return next((t for t in ranked if t in open_themes), None)


def candidates(info: Array, mask: NDArray[np.bool_]) -> NDArray[np.intp]:
    """The allowed items in decreasing information (ties: lower index first)."""
    allowed = np.flatnonzero(mask)
    return allowed[np.argsort(-info[allowed], kind="stable")]


def choose_item(
    pool: ItemPool,
    rules: AdaptiveRules,
    theta: float,
    given: Sequence[int],
    passed: Sequence[int],
    seed: int,
    exposure_parameters: Array | None = None,
) -> Choice | None:
    """The next item for a taker at θ who has been given `given` (None: nothing left)."""
    mask = available_mask(pool, given, passed)
    theme = served_theme(pool, rules, given, mask)
    if theme is not None:
        mask &= pool.theme_mask(theme)
    if not mask.any():
        return None
    order = candidates(pool.information(theta), mask)
    stream = SeededStream(seed, f"adaptive:{len(given)}")
    method = rules.exposure.method
    if method == RANDOMESQUE:
        return Choice(int(order[stream.randbelow(min(rules.exposure.top_k, order.size))]))
    if method == SYMPSON_HETTER and exposure_parameters is not None:
        return _sympson_hetter(order, exposure_parameters, stream)
    return Choice(int(order[0]))


def _sympson_hetter(order: NDArray[np.intp], k: Array, stream: SeededStream) -> Choice:
    passed: list[int] = []
    for item in order:
        if k[item] >= 1.0 or stream.random() < k[item]:
            return Choice(int(item), tuple(passed))
        passed.append(int(item))
    return Choice(int(order[0]), tuple(passed[1:]))
