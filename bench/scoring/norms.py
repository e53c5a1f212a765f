"""Phase 2 of the scoring benchmark: the cohort norm (streamed over the chunks), subtest and
composite standard scores, stanine, level and near-band-edge, vectorised with numpy; and the
check of a sample against the project's scalar definitions (`app.scoring.norms`, `Bands`,
the composite functions of `app.scoring.service`)."""

import math
import time
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from app.scoring import service
from app.scoring.models import NormEntry
from app.scoring.norms import STANINE_EDGES, Bands, standardise
from bench.scoring.form import CODES, Array, SubtestScores, chunks


@dataclass
class Moments:
    """Streaming count, mean and sum of squared deviations (Chan et al.'s pairwise update),
    so the norm needs one pass over the chunks and no copy of all values."""

    n: int = 0
    mean: float = 0.0
    m2: float = 0.0

    def add(self, values: Array) -> None:
        n_b = values.size
        if n_b == 0:
            return
        mean_b = float(values.mean())
        m2_b = float(((values - mean_b) ** 2).sum())
        total = self.n + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / total
        self.m2 += m2_b + delta**2 * self.n * n_b / total
        self.n = total

    @property
    def sd(self) -> float:
        return math.sqrt(self.m2 / (self.n - 1))  # n − 1, as the project's norms


_erf = np.frompyfunc(math.erf, 1, 1)  # exactly math.erf, as norms.normal_cdf uses


def percentile(z: Array) -> Array:
    """100 · Φ(z) with math.erf element-wise: 5M calls cost about half a second, and the
    result is bit-identical to app.scoring.norms.normal_cdf (no numpy erf approximation)."""
    return 100.0 * 0.5 * (1.0 + _erf(z / math.sqrt(2)).astype(np.float64))


def stanines(z: Array) -> NDArray[np.int64]:
    return 1 + (z[:, None] >= np.array(STANINE_EDGES)[None, :]).sum(axis=1)


@dataclass
class Standardised:
    z: Array
    t: Array
    percentile: Array
    stanine: NDArray[np.int64]


def standardise_many(values: Array, mean: float, sd: float) -> Standardised:
    """Vectorised app.scoring.norms.standardise."""
    z = (values - mean) / sd
    return Standardised(z, 50 + 10 * z, percentile(z), stanines(z))


@dataclass
class NormStats:
    mean: float
    sd: float
    n: int


@dataclass
class Profiles:
    """Everything a score record stores beyond the raw subtest scores."""

    norm: dict[str, NormStats]  # per subtest code and service.COMPOSITE
    subtest: dict[str, Standardised]
    composite: Array
    composite_std: Standardised
    composite_se_z: Array
    level: NDArray[np.int64]  # index into the band labels
    near_edge: NDArray[np.bool_]
    seconds: float = 0.0


def norm_and_band(
    scores: dict[str, SubtestScores], weights: dict[str, float], bands: Bands
) -> Profiles:
    started = time.perf_counter()
    persons = scores[CODES[0]].theta.size
    norm: dict[str, NormStats] = {}
    for code in CODES:  # pass 1: subtest norms, streamed over the chunks
        moments = Moments()
        for rows in chunks(persons):
            moments.add(scores[code].theta[rows])
        norm[code] = NormStats(moments.mean, moments.sd, moments.n)
    subtest = {c: standardise_many(scores[c].theta, norm[c].mean, norm[c].sd) for c in CODES}
    weight = {c: weights.get(c, 0.0) for c in CODES}
    weight_sum = sum(weight.values())
    # Composite = weighted mean of subtest z (service._composite_raw); everyone has every
    # subtest here, so the weights need no per-person re-normalisation.
    composite = sum((weight[c] * subtest[c].z for c in CODES), np.zeros(persons)) / weight_sum
    moments = Moments()
    for rows in chunks(persons):  # pass 2: the composite norm
        moments.add(composite[rows])
    norm[service.COMPOSITE] = NormStats(moments.mean, moments.sd, moments.n)
    composite_std = standardise_many(composite, moments.mean, moments.sd)
    se_parts = sum((weight[c] * scores[c].se / norm[c].sd) ** 2 for c in CODES)
    composite_se_z = np.sqrt(se_parts) / weight_sum / moments.sd
    level = np.where(
        composite_std.stanine >= bands.lowest_high,
        2,
        np.where(composite_std.stanine >= bands.lowest_middle, 1, 0),
    )
    near_edge = other_level_chance(composite_std.z, composite_se_z, bands) >= (
        bands.near_edge_chance
    )
    return Profiles(
        norm,
        subtest,
        composite,
        composite_std,
        composite_se_z,
        level,
        near_edge,
        seconds=time.perf_counter() - started,
    )


def other_level_chance(z: Array, se_z: Array, bands: Bands) -> Array:
    """Bands.other_level_chance over arrays: the true z outside the observed z's band."""
    low, high = bands.edges_z()
    below = np.where(z < low, -np.inf, np.where(z < high, low, high))
    above = np.where(z < low, low, np.where(z < high, high, np.inf))
    return 1.0 - (ndtr((above - z) / se_z) - ndtr((below - z) / se_z))


def check_against_project(
    scores: dict[str, SubtestScores],
    profiles: Profiles,
    weights: dict[str, float],
    bands: Bands,
    sample: int = 2000,
) -> int:
    """Assert that the vectorised numbers equal the project's scalar definitions on a random
    sample (and the streamed norm equals numpy's over all values). Returns the sample size."""
    for code in CODES:
        values = scores[code].theta
        assert abs(profiles.norm[code].mean - float(np.mean(values))) < 1e-9
        assert abs(profiles.norm[code].sd - float(np.std(values, ddof=1))) < 1e-9
    persons = profiles.composite.size
    picked = np.random.default_rng(1).choice(persons, size=min(sample, persons), replace=False)
    entries = {code: NormEntry(mean=s.mean, sd=s.sd) for code, s in profiles.norm.items()}
    per_subtest = {
        code: {
            uuid.UUID(int=int(i)): {
                "theta": float(scores[code].theta[i]),
                "se": float(scores[code].se[i]),
            }
            for i in picked
        }
        for code in CODES
    }
    composite_norm = profiles.norm[service.COMPOSITE]
    for i in picked.tolist():
        for code in CODES:
            expected = standardise(scores[code].theta[i], entries[code].mean, entries[code].sd)
            _assert_same(expected, profiles.subtest[code], i)
        composite = service._composite_raw(uuid.UUID(int=i), per_subtest, entries, weights)
        assert composite is not None
        assert abs(composite - profiles.composite[i]) < 1e-9
        expected = standardise(composite, composite_norm.mean, composite_norm.sd)
        _assert_same(expected, profiles.composite_std, i)
        se_z = service._composite_se_z(
            uuid.UUID(int=i), per_subtest, entries, weights, composite_norm.sd
        )
        assert se_z is not None
        assert abs(se_z - profiles.composite_se_z[i]) < 1e-9
        assert bands.level(expected.stanine) == bands.labels[profiles.level[i]]
        assert bands.near_edge(expected.z, se_z) == bool(profiles.near_edge[i])
    return picked.size


def _assert_same(expected: Any, actual: Standardised, i: int) -> None:
    assert abs(expected.z - actual.z[i]) < 1e-9
    assert abs(expected.t - actual.t[i]) < 1e-9
    assert abs(expected.percentile - actual.percentile[i]) < 1e-9
    assert expected.stanine == actual.stanine[i]
