"""Item response models and EAP ability estimation, vectorised with numpy.

Split as catsim does: item models give response probabilities on a grid of abilities; the
estimator combines them with a prior. Formulas (docs/scoring.md):

    2PL / 3PL:  P(correct | θ) = c + (1 − c) / (1 + exp(−a (θ − b)))          (c = 0 for 2PL)
    GRM:        P*(k | θ) = 1 / (1 + exp(−a (θ − b_k)))  for thresholds b_1 < … < b_m
                P(category j) = P*(j) − P*(j+1), with P*(first) = 1 and P*(past last) = 0
    EAP:        θ̂ = Σ θ_q L(θ_q) φ(θ_q) / Σ L(θ_q) φ(θ_q),
                SE = sqrt(Σ (θ_q − θ̂)² L φ / Σ L φ)   on an evenly spaced quadrature grid.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]

DEFAULT_GRID = np.linspace(-4.0, 4.0, 81)


def p_correct(theta: Array, a: Array, b: Array, c: Array) -> Array:
    """P(correct) for every (θ, item): shape (len(theta), n_items)."""
    z = a[None, :] * (theta[:, None] - b[None, :])
    return c[None, :] + (1.0 - c[None, :]) / (1.0 + np.exp(-z))


def grm_category_probabilities(theta: Array, a: float, thresholds: Array) -> Array:
    """P(category j | θ) for one graded item: shape (len(theta), len(thresholds) + 1)."""
    cumulative = 1.0 / (1.0 + np.exp(-a * (theta[:, None] - thresholds[None, :])))
    ones = np.ones((theta.size, 1))
    zeros = np.zeros((theta.size, 1))
    bounded = np.hstack([ones, cumulative, zeros])
    return bounded[:, :-1] - bounded[:, 1:]


@dataclass(frozen=True)
class Estimate:
    theta: Array  # one per person
    se: Array


def eap(log_likelihood: Array, grid: Array = DEFAULT_GRID) -> Estimate:
    """EAP and posterior SD from log-likelihoods on the grid, shape (persons, len(grid)),
    with a standard normal prior."""
    log_prior = -0.5 * grid**2
    log_post = log_likelihood + log_prior[None, :]
    log_post -= log_post.max(axis=1, keepdims=True)  # avoid underflow for long tests
    weights = np.exp(log_post)
    weights /= weights.sum(axis=1, keepdims=True)
    theta = weights @ grid
    variance = weights @ grid**2 - theta**2
    return Estimate(theta, np.sqrt(np.maximum(variance, 0.0)))


def dichotomous_log_likelihood(
    responses: Array, a: Array, b: Array, c: Array, grid: Array = DEFAULT_GRID
) -> Array:
    """responses: (persons, items) with 1, 0 or NaN (not presented / not answered → ignored)."""
    p = np.clip(p_correct(grid, a, b, c), 1e-12, 1 - 1e-12)  # (grid, items)
    seen = ~np.isnan(responses)
    right = np.where(seen, responses, 0.0)
    wrong = np.where(seen, 1.0 - responses, 0.0)
    return right @ np.log(p).T + wrong @ np.log(1.0 - p).T


def graded_log_likelihood(
    categories: Array, a: Array, thresholds: list[Array], grid: Array = DEFAULT_GRID
) -> Array:
    """categories: (persons, items) with the 0-based category index, or NaN when missing."""
    total = np.zeros((categories.shape[0], grid.size))
    for item in range(categories.shape[1]):
        probs = np.clip(
            grm_category_probabilities(grid, float(a[item]), thresholds[item]), 1e-12, 1
        )
        column = categories[:, item]
        seen = ~np.isnan(column)
        if seen.any():
            total[seen] += np.log(probs[:, column[seen].astype(int)]).T
    return total
