"""Weighted mode: each axis is a weighted mean of 0-100 component scores (DOMAIN.md weights,
config/talentbox.yaml), banded by the configurable 80 / 60 bands.

Plain functions over plain values, so the 1,000,000-official placement and the tests use the
same code.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import fmean
from typing import Literal

from app.talentbox.settings import Bands, Component
from app.web.templating import N_, translate

MissingPolicy = Literal["reweight", "zero"]
MISSING_POLICIES: tuple[MissingPolicy, ...] = ("reweight", "zero")
POLICIES: dict[str, MissingPolicy] = {p: p for p in MISSING_POLICIES}  # checks a stored one


NOT_A_CHOICE = N_("'%(text)s' is not one of: %(choices)s")


class BadValue(ValueError):
    """A profile record's value that its component cannot score."""


def value_points(component: Component, raw: str) -> float:
    """One record's value on the component's 0-100 scale."""
    text = " ".join(str(raw).strip().split())
    if component.categories is not None:
        for word, points in component.categories.items():
            if word.lower() == text.lower():
                return points
        choices = ", ".join(component.categories)
        raise BadValue(translate(NOT_A_CHOICE, {"text": text, "choices": choices}))
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise BadValue(translate(N_("'%(text)s' is not a number"), {"text": text})) from None
    if number < 0:
        raise BadValue(translate(N_("the value may not be negative")))
    if component.full_at is not None:
        return min(100.0, 100.0 * number / component.full_at)
    if number > 100:
        raise BadValue(translate(N_("the score must be 0-100")))
    return number


def component_score(component: Component, points: list[float]) -> float | None:
    """A person's score on one component from their records' points; None = missing."""
    if not points:
        return None
    match component.aggregate:
        case "best":
            return max(points)
        case "worst":
            return min(points)
        case "sum":
            return min(100.0, sum(points))
        case "mean":
            return fmean(points)


@dataclass(frozen=True)
class AxisScore:
    score: float
    missing: tuple[str, ...]  # component keys with no data for this person


def axis_score(
    components: dict[str, Component], scores: Mapping[str, float | None], policy: MissingPolicy
) -> AxisScore:
    """Weighted mean, rounded to two decimals (the rounded score is the one banded and shown).

    reweight: a missing component's weight is shared among the present ones;
    zero: a missing component counts as 0 with its full weight.
    """
    values = {key: value for key in components if (value := scores.get(key)) is not None}
    missing = tuple(key for key in components if key not in values)
    present = {key: c for key, c in components.items() if key in values}
    weights = present if policy == "reweight" else components
    total = sum(c.weight for c in weights.values())
    if total == 0:
        return AxisScore(0.0, missing)
    earned = sum(c.weight * values[key] for key, c in present.items())
    return AxisScore(round(earned / total, 2), missing)


def band(bands: Bands, score: float, levels: tuple[str, str, str]) -> str:
    """levels = (low, middle, high): e.g. ("rendah", "menengah", "tinggi")."""
    if score >= bands.high:
        return levels[2]
    if score >= bands.middle:
        return levels[1]
    return levels[0]
