"""Item response models and EAP ability estimation, vectorised with numpy.

Split as catsim does: item models give response probabilities on a grid of abilities; the
estimator combines them with a prior. Formulas (docs/scoring.md):

    2PL / 3PL:  P(correct | θ) = c + (1 − c) / (1 + exp(−a (θ − b)))          (c = 0 for 2PL)
    GRM:        P*(k | θ) = 1 / (1 + exp(−a (θ − b_k)))  for thresholds b_1 < … < b_m
                P(category j) = P*(j) − P*(j+1), with P*(first) = 1 and P*(past last) = 0
    EAP:        θ̂ = Σ θ_q L(θ_q) φ(θ_q) / Σ L(θ_q) φ(θ_q),
                SE = sqrt(Σ (θ_q − θ̂)² L φ / Σ L φ)   on an evenly spaced quadrature grid.

`eap_exact` is what scoring uses: the sums on 321 points over [−8, 8] (step 0.05), checked
against every other point (step 0.1); where the two disagree by more than 1e-4, again on a
dense grid over that posterior's support. An even grid integrates a smooth, fast-decaying
posterior almost exactly once it holds a few points per posterior SD (the error falls like
exp(−2π²σ²/h²)); what the former 81 points on [−4, 4] got wrong was mostly the range: an
all-correct pattern on a long subtest has its posterior beyond 4 (θ 3.54 instead of 3.75,
SE 0.32 instead of 0.48). The dense grid is for posteriors narrower than the step and for
cliffs (all wrong on a very long 3PL subtest). Tests hold it to a brute-force integral
(8,001 points on [−8, 8]) within 1e-3.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
Index = NDArray[np.intp]  # row numbers

# Every person's posterior on 321 points over [−8, 8] (step 0.05), and on every other one of
# them (step 0.1): where the two EAPs agree within TOLERANCE the finer one stands; elsewhere
# (a posterior too narrow for the step, or with a cliff: all wrong on a long 3PL subtest)
# a dense grid over the posterior's own support decides.
HALF_GRID = np.linspace(-8.0, 8.0, 321)
DEFAULT_GRID = HALF_GRID
TOLERANCE = 1e-4
DENSE_STEP = 0.004  # at most, and at most a tenth of the posterior SD
SUPPORT_LOG_RATIO = 40.0  # the support: where the posterior is within e^-40 of its peak


def p_correct(theta: Array, a: Array, b: Array, c: Array) -> Array:
    """P(correct) for every (θ, item): shape (len(theta), n_items)."""
    z = a[None, :] * (theta[:, None] - b[None, :])
    return c[None, :] + (1.0 - c[None, :]) / (1.0 + np.exp(-z))


def log_p_correct(theta: Array, a: Array, b: Array, c: Array) -> tuple[Array, Array]:
    """log P(correct) and log P(wrong), shape (len(theta), n_items), without clipping: far
    out on a wide grid 1 − P is smaller than any clip would keep."""
    z = a[None, :] * (theta[:, None] - b[None, :])
    log_sigmoid, log_sigmoid_minus = -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)
    with np.errstate(divide="ignore"):
        log_c = np.log(c)[None, :]  # −inf for 2PL items: then log P is log σ(z)
    log_right = np.logaddexp(log_c, np.log1p(-c)[None, :] + log_sigmoid)
    log_wrong = np.log1p(-c)[None, :] + log_sigmoid_minus
    return log_right, log_wrong


def grm_category_probabilities(theta: Array, a: float, thresholds: Array) -> Array:
    """P(category j | θ) for one graded item: shape (len(theta), len(thresholds) + 1)."""
    return np.exp(grm_log_probabilities(theta, a, thresholds))


def grm_log_probabilities(theta: Array, a: float, thresholds: Array) -> Array:
    """log P(category j | θ), shape (len(theta), len(thresholds) + 1), without cancellation:
    σ(x) − σ(y) = σ(x) σ(−y) (1 − e^(y − x)) for x > y, in logs."""
    z = a * (theta[:, None] - thresholds[None, :])  # z_1 > z_2 > … (thresholds ascending)
    n = theta.size
    log_upper = np.hstack([np.zeros((n, 1)), -np.logaddexp(0.0, -z)])  # log σ(z_j), σ(+∞) = 1
    log_lower = np.hstack([-np.logaddexp(0.0, z), np.zeros((n, 1))])  # log σ(−z_{j+1})
    gaps = np.diff(thresholds)  # z_j − z_{j+1} = a (b_{j+1} − b_j)
    log_spread = np.concatenate([[0.0], np.log(-np.expm1(-a * gaps)), [0.0]])
    log_probabilities: Array = log_upper + log_lower + log_spread[None, :]
    return log_probabilities


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
    # centred, not E[θ²] − θ̂²: that difference loses digits when the posterior is narrow
    variance = np.einsum("pq,pq->p", weights, (grid[None, :] - theta[:, None]) ** 2)
    return Estimate(theta, np.sqrt(np.maximum(variance, 0.0)))


# log-likelihoods of some persons (row indices) on a grid: shape (len(rows), len(grid))
LogLikelihood = Callable[[Index, Array], Array]


def eap_exact(log_likelihood: LogLikelihood, persons: int, block: int = 8192) -> Estimate:
    """EAP θ and SE as exact as a dense integral over [−8, 8] (see the module's note), a
    block of persons at a time (memory stays ~block × 321 floats per array)."""
    parts = [
        _eap_exact_rows(log_likelihood, np.arange(start, min(start + block, persons)))
        for start in range(0, persons, block)
    ]
    if not parts:
        return Estimate(np.zeros(0), np.zeros(0))
    return Estimate(np.concatenate([p.theta for p in parts]), np.concatenate([p.se for p in parts]))


def _eap_exact_rows(log_likelihood: LogLikelihood, rows: Index) -> Estimate:
    log_lik = log_likelihood(rows, HALF_GRID)
    fine, coarse = eap(log_lik, HALF_GRID), eap(log_lik[:, ::2], HALF_GRID[::2])
    theta, se = fine.theta.copy(), fine.se.copy()
    unsure = (np.abs(fine.theta - coarse.theta) > TOLERANCE) | (
        np.abs(fine.se - coarse.se) > TOLERANCE
    )
    if not unsure.any():
        return Estimate(theta, se)
    log_post = log_lik[unsure] - 0.5 * HALF_GRID[None, :] ** 2
    alive = log_post >= log_post.max(axis=1, keepdims=True) - SUPPORT_LOG_RATIO
    step = float(HALF_GRID[1] - HALF_GRID[0])
    low = HALF_GRID[np.argmax(alive, axis=1)] - step
    high = HALF_GRID[HALF_GRID.size - 1 - np.argmax(alive[:, ::-1], axis=1)] + step
    local = np.arange(rows.size)
    for group in _runs_by_support(local[unsure], low, high):
        members = group.rows
        dense = min(DENSE_STEP, float(np.min(se[members])) / 10)
        lo, hi = max(-8.0, group.low), min(8.0, group.high)
        grid = np.linspace(lo, hi, int(np.ceil((hi - lo) / dense)) + 1)
        refined = eap(log_likelihood(rows[members], grid), grid)
        theta[members], se[members] = refined.theta, refined.se
    return Estimate(theta, se)


@dataclass(frozen=True)
class _Run:
    rows: Index
    low: float
    high: float


def _runs_by_support(rows: Index, low: Array, high: Array, slack: float = 0.5) -> list[_Run]:
    """Persons whose supports start and end within `slack` of each other share one grid."""
    order = np.lexsort((high, low))
    runs: list[_Run] = []
    start = 0
    for end in range(1, order.size + 1):
        first = order[start]
        if (
            end == order.size
            or low[order[end]] - low[first] > slack
            or abs(high[order[end]] - high[first]) > slack
        ):
            members = order[start:end]
            runs.append(_Run(rows[members], float(low[members].min()), float(high[members].max())))
            start = end
    return runs


def dichotomous_log_likelihood(
    responses: Array, a: Array, b: Array, c: Array, grid: Array = DEFAULT_GRID
) -> Array:
    """responses: (persons, items) with 1, 0 or NaN (not presented / not answered → ignored)."""
    log_right, log_wrong = log_p_correct(grid, a, b, c)  # (grid, items)
    seen = ~np.isnan(responses)
    right = np.where(seen, responses, 0.0)
    wrong = np.where(seen, 1.0 - responses, 0.0)
    return right @ log_right.T + wrong @ log_wrong.T


def graded_log_likelihood(
    categories: Array, a: Array, thresholds: list[Array], grid: Array = DEFAULT_GRID
) -> Array:
    """categories: (persons, items) with the 0-based category index, or NaN when missing.
    One matrix product: the persons' one-hot categories (persons × items·categories) times
    every category's log-probability on the grid (a loop of per-item fancy indexing cost
    persons × grid per item)."""
    logs = [
        grm_log_probabilities(grid, float(a[item]), thresholds[item])
        for item in range(len(thresholds))
    ]
    offsets = np.cumsum([0] + [log.shape[1] for log in logs])
    table = np.hstack(logs) if logs else np.zeros((grid.size, 0))  # grid × items·categories
    chosen = np.zeros((categories.shape[0], int(offsets[-1])))
    for item in range(categories.shape[1]):
        column = categories[:, item]
        seen = np.flatnonzero(~np.isnan(column))
        chosen[seen, offsets[item] + column[seen].astype(int)] = 1.0
    return chosen @ table.T


def information(params: dict[str, Any], theta: Array) -> Array:
    """One item's Fisher information at each θ (bank parameters: {a, b[, c]} or {a,
    thresholds}); `keyed_information` and `graded_information` hold the formulas."""
    a = np.array([float(params["a"])])
    if "thresholds" in params:
        thresholds = np.asarray(params["thresholds"], dtype=float)[None, :]
        return graded_information(theta, a, thresholds)[:, 0]
    b = np.array([float(params["b"])])
    return keyed_information(theta, a, b, np.array([float(params.get("c", 0.0))]))[:, 0]


def keyed_information(theta: Array, a: Array, b: Array, c: Array) -> Array:
    """Fisher information of 2PL / 3PL items, shape (len(theta), n_items):
    a² (1 − P) / P · ((P − c) / (1 − c))²."""
    p = p_correct(theta, a, b, c)
    return a[None, :] ** 2 * (1.0 - p) / p * ((p - c[None, :]) / (1.0 - c[None, :])) ** 2


def graded_information(theta: Array, a: Array, thresholds: Array) -> Array:
    """Fisher information of graded items, shape (len(theta), n_items): Σ_k P'_k² / P_k with
    P'_k = a (P*_k (1 − P*_k) − P*_{k+1} (1 − P*_{k+1})). `thresholds` is items × m, an item
    with fewer thresholds padded with +inf (P* = 0 there: its extra categories add nothing);
    `padded_thresholds` builds it."""
    with np.errstate(over="ignore"):
        z = a[None, :, None] * (theta[:, None, None] - thresholds[None, :, :])
        star = 1.0 / (1.0 + np.exp(-z))  # (θ, items, m)
    ones, zeros = np.ones(star.shape[:2] + (1,)), np.zeros(star.shape[:2] + (1,))
    bounded = np.concatenate([ones, star, zeros], axis=2)
    slope = bounded * (1.0 - bounded)
    derivative = a[None, :, None] * (slope[..., :-1] - slope[..., 1:])
    probability = np.maximum(bounded[..., :-1] - bounded[..., 1:], 1e-300)
    total: Array = (derivative**2 / probability).sum(axis=2)
    return total


def padded_thresholds(thresholds: list[Array]) -> Array:
    """Graded items' thresholds as one items × (most thresholds) array, padded with +inf."""
    width = max((t.size for t in thresholds), default=0)
    table = np.full((len(thresholds), width), np.inf)
    for row, values in enumerate(thresholds):
        table[row, : values.size] = values
    return table
