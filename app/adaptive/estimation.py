"""Ability estimator: θ and SE after each answer by the EAP scoring uses
(`irt.eap_exact`: standard normal prior, 321 points over [−8, 8], a dense grid where needed),
so the adaptive section's last θ is the θ its score will report."""

from collections.abc import Sequence

import numpy as np

from app.adaptive.pool import Array, Index, ItemPool
from app.psychometrics import irt


def estimate(pool: ItemPool, items: Sequence[int], responses: Sequence[int]) -> tuple[float, float]:
    """(θ, SE) given the pool indices answered and their responses."""

    def log_likelihood(rows: Index, grid: Array) -> Array:
        return np.repeat(pool.log_likelihood(items, responses, grid), rows.size, axis=0)

    result = irt.eap_exact(log_likelihood, 1)
    return float(result.theta[0]), float(result.se[0])
