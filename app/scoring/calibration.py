"""Item calibration from response data: marginal maximum likelihood by EM (Bock–Aitkin) for
2PL and 3PL items, with a Beta prior on the 3PL's lower asymptote c.

    E-step: each person's posterior over Q quadrature nodes θ_q (normal prior N(0, 1)) given
            the current item parameters; expected counts per item and node:
            n_jq = Σ_i post_iq · [i saw j],  r_jq = Σ_i post_iq · [i answered j right].
    M-step: per item, Fisher scoring on Σ_q r_jq ln P_j(θ_q) + (n_jq − r_jq) ln(1 − P_j(θ_q))
            (+ ln Beta(c; 5, 17) for 3PL), all items at once (batched 2×2 / 3×3 solves).

Standard errors are the square roots of the diagonal of the inverse expected information of
the M-step at convergence (the complete-data information with the final posteriors: it
understates them somewhat, as EM's own information does; stated so in the report).
The scale is the calibration sample's: θ ~ N(0, 1) in this group (linking to the bank's scale
is a separate step). Items not presented to a person are missing, not wrong.
"""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from app.psychometrics import irt

Array = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
NODES = np.linspace(-5.0, 5.0, 41)
C_PRIOR = (5.0, 17.0)  # Beta(5, 17): mean 0.23, the guessing rate of a 4–5 option item
BOUNDS = {"a": (0.05, 5.0), "b": (-6.0, 6.0), "c": (1e-4, 0.6)}


@dataclass(frozen=True)
class Calibration:
    model: str  # 2pl | 3pl
    a: Array
    b: Array
    c: Array
    se_a: Array
    se_b: Array
    se_c: Array  # zeros for 2PL
    iterations: int
    converged: bool
    log_likelihood: float  # marginal, at the final parameters


def calibrate(
    responses: Array, model: str = "2pl", max_iterations: int = 500, tolerance: float = 1e-4
) -> Calibration:
    """`responses`: persons × items with 1, 0 or NaN (not presented)."""
    if model not in ("2pl", "3pl"):
        raise ValueError("model is 2pl or 3pl")
    seen = ~np.isnan(responses)
    right = np.where(seen, responses, 0.0)
    items = responses.shape[1]
    a, c = np.ones(items), np.full(items, 0.2 if model == "3pl" else 0.0)
    facility = np.clip(right.sum(0) / np.maximum(seen.sum(0), 1), 0.02, 0.98)
    b = -np.log(facility / (1 - facility)) / 1.7  # a start from each item's facility
    log_prior = -0.5 * NODES**2
    converged, iterations = False, 0
    while iterations < max_iterations:
        iterations += 1
        post, _ = _posterior(right, seen, a, b, c, log_prior)
        n, r = post.T @ seen.astype(float), post.T @ right  # nodes × items
        new_a, new_b, new_c = _m_step(n, r, a, b, c, model)
        change = max(np.abs(new_a - a).max(), np.abs(new_b - b).max(), np.abs(new_c - c).max())
        a, b, c = new_a, new_b, new_c
        if change < tolerance:
            converged = True
            break
    post, marginal = _posterior(right, seen, a, b, c, log_prior)
    n, r = post.T @ seen.astype(float), post.T @ right
    se = _standard_errors(n, r, a, b, c, model)
    return Calibration(model, a, b, c, *se, iterations, converged, marginal)


def _posterior(
    right: Array, seen: BoolArray, a: Array, b: Array, c: Array, log_prior: Array
) -> tuple[Array, float]:
    """The persons' posteriors on the nodes and the marginal log-likelihood."""
    responses = np.where(seen, right, np.nan)
    log_post = irt.dichotomous_log_likelihood(responses, a, b, c, NODES) + log_prior[None, :]
    top = log_post.max(axis=1, keepdims=True)
    weights = np.exp(log_post - top)
    total = weights.sum(axis=1, keepdims=True)
    post = weights / total
    normaliser = np.log(np.exp(log_prior).sum())
    return post, float((np.log(total[:, 0]) + top[:, 0] - normaliser).sum())


def _derivatives(a: Array, b: Array, c: Array, model: str) -> tuple[Array, Array]:
    """P and dP/d(a, b[, c]) on the nodes: arrays nodes × items (× parameters)."""
    z = a[None, :] * (NODES[:, None] - b[None, :])
    s = 1.0 / (1.0 + np.exp(-z))
    p = c[None, :] + (1 - c[None, :]) * s
    slope = (1 - c[None, :]) * s * (1 - s)
    parts = [slope * (NODES[:, None] - b[None, :]), -slope * a[None, :]]
    if model == "3pl":
        parts.append(1 - s)
    return np.clip(p, 1e-9, 1 - 1e-9), np.stack(parts, axis=-1)


def _information(
    n: Array, r: Array, a: Array, b: Array, c: Array, model: str
) -> tuple[Array, Array]:
    p, dp = _derivatives(a, b, c, model)
    weight = (r - n * p) / (p * (1 - p))
    gradient = np.einsum("qj,qjk->jk", weight, dp)
    fisher = np.einsum("qj,qjk,qjl->jkl", n / (p * (1 - p)), dp, dp)
    if model == "3pl":
        alpha, beta = C_PRIOR
        gradient[:, 2] += (alpha - 1) / c - (beta - 1) / (1 - c)
        fisher[:, 2, 2] += (alpha - 1) / c**2 + (beta - 1) / (1 - c) ** 2
    return gradient, fisher


def _m_step(
    n: Array, r: Array, a: Array, b: Array, c: Array, model: str
) -> tuple[Array, Array, Array]:
    """A few Fisher-scoring steps per item (all items together), kept inside BOUNDS."""
    for _ in range(5):
        gradient, fisher = _information(n, r, a, b, c, model)
        ridge = 1e-6 * np.eye(fisher.shape[-1])[None, :, :]
        step = np.linalg.solve(fisher + ridge, gradient[:, :, None])[:, :, 0]
        step = np.clip(step, -1.0, 1.0)  # no leap past the region the expansion describes
        a = np.clip(a + step[:, 0], *BOUNDS["a"])
        b = np.clip(b + step[:, 1], *BOUNDS["b"])
        if model == "3pl":
            c = np.clip(c + step[:, 2], *BOUNDS["c"])
        if np.abs(step).max() < 1e-6:
            break
    return a, b, c


def _standard_errors(
    n: Array, r: Array, a: Array, b: Array, c: Array, model: str
) -> tuple[Array, Array, Array]:
    _, fisher = _information(n, r, a, b, c, model)
    covariance = np.linalg.inv(fisher + 1e-9 * np.eye(fisher.shape[-1])[None, :, :])
    se = np.sqrt(np.maximum(np.diagonal(covariance, axis1=1, axis2=2), 0.0))
    se_c = se[:, 2] if model == "3pl" else np.zeros(a.size)
    return se[:, 0], se[:, 1], se_c


@dataclass(frozen=True)
class GradedCalibration:
    a: Array  # items
    thresholds: Array  # items × (categories − 1), ascending per item
    se_a: Array
    se_thresholds: Array
    iterations: int
    converged: bool


def calibrate_graded(
    categories: Array, n_categories: int, max_iterations: int = 500, tolerance: float = 1e-4
) -> GradedCalibration:
    """The graded response model by the same EM: `categories` persons × items with the
    0-based category chosen, or NaN (not presented / unanswered); every item has
    `n_categories` categories (items with another count are calibrated in their own call)."""
    persons, items = categories.shape
    seen = ~np.isnan(categories)
    onehot = np.zeros((persons, items, n_categories))
    rows, cols = np.nonzero(seen)
    onehot[rows, cols, categories[rows, cols].astype(int)] = 1.0
    a = np.ones(items)
    cumulative = np.cumsum(onehot.sum(axis=0), axis=1)[:, :-1] / np.maximum(seen.sum(0), 1)[:, None]
    thresholds = np.log(np.clip(cumulative, 0.02, 0.98) / (1 - np.clip(cumulative, 0.02, 0.98)))
    thresholds = _ordered(thresholds / 1.7)  # a start from the category shares
    log_prior = -0.5 * NODES**2
    converged, iterations = False, 0
    while iterations < max_iterations:
        iterations += 1
        post = _graded_posterior(categories, a, thresholds, log_prior)
        counts = np.einsum("pq,pjk->qjk", post, onehot)  # nodes × items × categories
        new_a, new_t = _graded_m_step(counts, a, thresholds)
        change = max(np.abs(new_a - a).max(), np.abs(new_t - thresholds).max())
        a, thresholds = new_a, new_t
        if change < tolerance:
            converged = True
            break
    post = _graded_posterior(categories, a, thresholds, log_prior)
    counts = np.einsum("pq,pjk->qjk", post, onehot)
    _, fisher = _graded_information(counts, a, thresholds)
    covariance = np.linalg.inv(fisher + 1e-9 * np.eye(fisher.shape[-1])[None, :, :])
    se = np.sqrt(np.maximum(np.diagonal(covariance, axis1=1, axis2=2), 0.0))
    return GradedCalibration(a, thresholds, se[:, 0], se[:, 1:], iterations, converged)


def _graded_posterior(categories: Array, a: Array, thresholds: Array, log_prior: Array) -> Array:
    log_lik = irt.graded_log_likelihood(categories, a, list(thresholds), NODES)
    log_post = log_lik + log_prior[None, :]
    weights = np.exp(log_post - log_post.max(axis=1, keepdims=True))
    posterior: Array = weights / weights.sum(axis=1, keepdims=True)
    return posterior


def _graded_derivatives(a: Array, thresholds: Array) -> tuple[Array, Array]:
    """P(category k) and its derivatives by (a, b_1 … b_m): nodes × items × K (× 1 + m)."""
    m = thresholds.shape[1]
    gap = NODES[:, None, None] - thresholds[None, :, :]  # nodes × items × m
    star = 1.0 / (1.0 + np.exp(-a[None, :, None] * gap))  # P*_1 … P*_m
    q, j = star.shape[:2]
    ones, zeros = np.ones((q, j, 1)), np.zeros((q, j, 1))
    bounded = np.concatenate([ones, star, zeros], axis=2)  # P*_0 = 1 … P*_{m+1} = 0
    p = np.clip(bounded[:, :, :-1] - bounded[:, :, 1:], 1e-12, 1.0)
    slope = star * (1 - star)  # dP*/dz
    d_star = np.zeros((q, j, m + 2, 1 + m))  # derivative of each bounded P* by (a, b…)
    d_star[:, :, 1:-1, 0] = slope * gap
    for k in range(m):
        d_star[:, :, k + 1, 1 + k] = -slope[:, :, k] * a[None, :]
    dp = d_star[:, :, :-1, :] - d_star[:, :, 1:, :]
    return p, dp


def _graded_information(counts: Array, a: Array, thresholds: Array) -> tuple[Array, Array]:
    p, dp = _graded_derivatives(a, thresholds)
    gradient = np.einsum("qjk,qjkl->jl", counts / p, dp)
    total = counts.sum(axis=2)  # expected takers at each node
    fisher = np.einsum("qj,qjk,qjkl,qjkm->jlm", total, 1.0 / p, dp, dp)
    return gradient, fisher


def _graded_m_step(counts: Array, a: Array, thresholds: Array) -> tuple[Array, Array]:
    for _ in range(5):
        gradient, fisher = _graded_information(counts, a, thresholds)
        ridge = 1e-6 * np.eye(fisher.shape[-1])[None, :, :]
        step = np.clip(np.linalg.solve(fisher + ridge, gradient[:, :, None])[:, :, 0], -1, 1)
        a = np.clip(a + step[:, 0], *BOUNDS["a"])
        thresholds = _ordered(np.clip(thresholds + step[:, 1:], *BOUNDS["b"]))
        if np.abs(step).max() < 1e-6:
            break
    return a, thresholds


def _ordered(thresholds: Array, gap: float = 0.05) -> Array:
    """Ascending thresholds at least `gap` apart (equal ones would give a category no room)."""
    result = np.sort(thresholds, axis=1)
    for k in range(1, result.shape[1]):
        result[:, k] = np.maximum(result[:, k], result[:, k - 1] + gap)
    return result
