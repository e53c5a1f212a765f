"""Standard scores against a norm: z, T = 50 + 10 z, percentile, stanine, level bands.

Percentiles use the normal distribution of the norm (Φ(z)), stanines the standard z
boundaries ±0.25, ±0.75, ±1.25, ±1.75 (docs/scoring.md).
"""

import math
from dataclasses import dataclass

STANINE_EDGES = (-1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75)


@dataclass(frozen=True)
class Standard:
    z: float
    t: float
    percentile: float
    stanine: int


def standardise(value: float, mean: float, sd: float) -> Standard:
    if sd <= 0:
        raise ValueError("norm SD must be positive")
    z = (value - mean) / sd
    return Standard(z, 50 + 10 * z, 100 * normal_cdf(z), stanine(z))


def normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def stanine(z: float) -> int:
    return 1 + sum(z >= edge for edge in STANINE_EDGES)


NEAR_EDGE_CHANCE = 1 / 3


@dataclass(frozen=True)
class Bands:
    """Potency level from the composite's stanine: e.g. 1–3 rendah, 4–6 menengah, 7–9 tinggi."""

    labels: tuple[str, str, str]
    lowest_middle: int  # first stanine of the middle band
    lowest_high: int
    near_edge_chance: float = NEAR_EDGE_CHANCE

    def level(self, stanine_value: int) -> str:
        if stanine_value >= self.lowest_high:
            return self.labels[2]
        if stanine_value >= self.lowest_middle:
            return self.labels[1]
        return self.labels[0]

    def edges_z(self) -> tuple[float, float]:
        return STANINE_EDGES[self.lowest_middle - 2], STANINE_EDGES[self.lowest_high - 2]

    def other_level_chance(self, z: float, se_z: float) -> float:
        """The chance that the true composite z lies outside the band of the observed one,
        taking the true z as normal around z with SD se_z (both edges of the middle band)."""
        low, high = self.edges_z()
        below, above = (
            (-math.inf, low) if z < low else (low, high) if z < high else (high, math.inf)
        )
        return 1.0 - (normal_cdf((above - z) / se_z) - normal_cdf((below - z) / se_z))

    def near_edge(self, z: float, se_z: float) -> bool:
        """The measurement does not settle the level: another level has at least
        `near_edge_chance` (default 1 in 3, i.e. the level shown is at most twice as likely
        as another). A band edge merely within one SE marked most rows of a short test, where
        the neighbouring level was a 16 % chance: no signal (issue 22)."""
        return se_z > 0 and self.other_level_chance(z, se_z) >= self.near_edge_chance
