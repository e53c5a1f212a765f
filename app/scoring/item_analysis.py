"""Item and test statistics per subtest of an event, with Moodle's quiz-statistics
definitions (written out with a worked example in docs/scoring.md).

With randomly drawn forms each item is seen by a subset of the takers, so every item figure
reports its own n, and the test reliability uses the average number of items a taker saw.
"""

import math
from dataclasses import dataclass

import numpy as np

DUBIOUS_EFFICIENCY = 15.0  # percent


@dataclass(frozen=True)
class ItemStats:
    key: str  # item code (and version)
    n: int
    facility: float  # % of the maximum score
    sd: float  # of the item score as a fraction of its maximum
    discrimination: float | None  # % : correlation with the rest of the test
    efficiency: float | None  # % : discrimination relative to its maximum possible
    dubious: bool


@dataclass(frozen=True)
class SummaryStats:
    n: int
    mean: float
    median: float
    sd: float
    skewness: float | None
    kurtosis: float | None
    alpha: float | None
    error_ratio: float | None
    sem: float | None


def _cov(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.cov(x, y, ddof=1)[0, 1])


def item_stats(key: str, scores: np.ndarray, maximum: float, rest: np.ndarray) -> ItemStats:
    """`scores`: the item's score for each taker who saw it; `rest`: their test total minus it."""
    n = scores.size
    # An item that can earn nothing (a graded item stored without points) has facility 0.
    fraction = scores / maximum if maximum else np.zeros_like(scores)
    sd = float(np.std(fraction, ddof=1)) if n > 1 else 0.0
    discrimination = efficiency = None
    if n > 2 and np.std(scores) > 0 and np.std(rest) > 0:
        discrimination = 100 * float(np.corrcoef(scores, rest)[0, 1])
        best = _cov(np.sort(scores), np.sort(rest))
        efficiency = 100 * _cov(scores, rest) / best if best > 0 else None
    dubious = efficiency is not None and efficiency < DUBIOUS_EFFICIENCY
    return ItemStats(
        key,
        n,
        100 * float(np.mean(fraction)),
        sd,
        discrimination,
        efficiency,
        dubious or (discrimination is not None and discrimination < 0),
    )


def summary_stats(
    totals: np.ndarray, item_variances: list[float], items_per_taker: float
) -> SummaryStats:
    n = totals.size
    sd = float(np.std(totals, ddof=1)) if n > 1 else 0.0
    skewness = kurtosis = alpha = None
    if n > 2 and sd > 0:
        z = (totals - totals.mean()) / sd
        skewness = n / ((n - 1) * (n - 2)) * float(np.sum(z**3))
        if n > 3:
            kurtosis = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * float(np.sum(z**4)) - 3 * (
                n - 1
            ) ** 2 / ((n - 2) * (n - 3))
        k = items_per_taker
        if k > 1 and item_variances:
            alpha = k / (k - 1) * (1 - k * float(np.mean(item_variances)) / sd**2)
    error_ratio = sem = None
    if alpha is not None and alpha < 1:
        error_ratio = 100 * math.sqrt(max(0.0, 1 - alpha))
        sem = sd * math.sqrt(max(0.0, 1 - alpha))
    return SummaryStats(
        n,
        float(np.mean(totals)) if n else 0.0,
        float(np.median(totals)) if n else 0.0,
        sd,
        skewness,
        kurtosis,
        alpha,
        error_ratio,
        sem,
    )


def analyse(
    matrix: np.ndarray, maxima: np.ndarray, keys: list[str]
) -> tuple[list[ItemStats], SummaryStats]:
    """`matrix`: takers × items scores with NaN where an item was not on the taker's form."""
    seen = ~np.isnan(matrix)
    totals = np.nansum(matrix, axis=1)
    items = []
    variances = []
    for col, key in enumerate(keys):
        rows = seen[:, col]
        scores = matrix[rows, col]
        items.append(item_stats(key, scores, float(maxima[col]), totals[rows] - scores))
        if scores.size > 1:
            variances.append(float(np.var(scores, ddof=1)))
    per_taker = float(seen.sum(axis=1).mean()) if matrix.size else 0.0
    return items, summary_stats(totals, variances, per_taker)
