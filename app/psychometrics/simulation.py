"""Responses drawn from the item models (irt.py), for parameter-recovery tests, the item-fit
benchmark and anyone checking an estimator against known truth."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from app.psychometrics import irt

Array = NDArray[np.float64]


def keyed(rng: np.random.Generator, theta: Array, a: Array, b: Array, c: Array) -> Array:
    """Persons × items of 1 (right) and 0 (wrong) under 2PL / 3PL."""
    return (rng.random((theta.size, a.size)) < irt.p_correct(theta, a, b, c)).astype(float)


def graded(
    rng: np.random.Generator, theta: Array, a: Array, thresholds: Array | Sequence[Array]
) -> Array:
    """Persons × items of 0-based categories under the graded response model (`thresholds`:
    one row or array per item)."""
    categories = np.zeros((theta.size, a.size))
    for j in range(a.size):
        cumulative = irt.grm_category_probabilities(theta, a[j], thresholds[j]).cumsum(axis=1)
        categories[:, j] = (rng.random(theta.size)[:, None] > cumulative[:, :-1]).sum(axis=1)
    return categories


def on_drawn_forms(rng: np.random.Generator, responses: Array, per_form: int) -> Array:
    """The responses with NaN for the items not on each person's form of `per_form` items
    (changed in place, and returned)."""
    items = responses.shape[1]
    for row in responses:
        row[rng.choice(items, items - per_form, replace=False)] = np.nan
    return responses
