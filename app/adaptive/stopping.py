"""Stopping rule: the maximum number of items, an exhausted pool, or (after the minimum) a
standard error at or below the target. The section's time limit is delivery's."""

from app.adaptive.rules import AdaptiveRules

MAX_ITEMS, POOL_EXHAUSTED, SE_REACHED = "max_items", "pool_exhausted", "se_reached"


def stop_reason(rules: AdaptiveRules, given: int, se: float, available: int) -> str | None:
    """Why the section ends now, or None when another item follows."""
    if given >= rules.max_items:
        return MAX_ITEMS
    if available == 0:
        return POOL_EXHAUSTED
    if given >= rules.min_items and rules.stop_se is not None and se <= rules.stop_se:
        return SE_REACHED
    return None
