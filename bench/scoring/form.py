"""Phase 1 of the scoring benchmark: the 100-item form, the simulated responses, and their
scores (raw, EAP θ and SE per subtest) with the project's `app.psychometrics.irt`, a chunk of
persons at a time."""

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from rich.progress import Progress

from app.psychometrics import irt

Array = NDArray[np.float64]
CHUNK = 50_000  # persons scored at a time: a 50k × 81 log-likelihood grid is 32 MiB
KEYED_ITEMS = {"figural": 25, "numerik": 25, "verbal": 30}  # 80 keyed 3PL items
GRADED_CODE, GRADED_ITEMS, GRADED_CATEGORIES = "sjt", 20, 5  # 20 GRM items, points 1–5
CODES = sorted([*KEYED_ITEMS, GRADED_CODE])


# --- the form ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyedParams:
    a: Array
    b: Array
    c: Array


@dataclass(frozen=True)
class GradedParams:
    a: Array
    thresholds: list[Array]


@dataclass(frozen=True)
class Form:
    keyed: dict[str, KeyedParams]
    graded: GradedParams


def make_form(rng: np.random.Generator) -> Form:
    """Plausible item parameters: discriminations around 1.2, difficulties N(0, 1), guessing
    around 0.2 (five options); GRM thresholds spread around an item location."""
    keyed = {
        code: KeyedParams(
            a=np.clip(rng.lognormal(0.2, 0.25, n), 0.5, 2.5),
            b=rng.normal(0.0, 1.0, n),
            c=rng.uniform(0.1, 0.25, n),
        )
        for code, n in KEYED_ITEMS.items()
    }
    steps = np.linspace(-1.5, 1.5, GRADED_CATEGORIES - 1)
    graded = GradedParams(
        a=rng.uniform(0.8, 2.0, GRADED_ITEMS),
        thresholds=[
            np.sort(rng.normal(0.0, 0.5) + steps + rng.normal(0.0, 0.1, steps.size))
            for _ in range(GRADED_ITEMS)
        ],
    )
    return Form(keyed, graded)


# --- phase 1: simulate and score --------------------------------------------------------------


@dataclass
class SubtestScores:
    """One subtest's results for every person (the fields a score record stores)."""

    raw: NDArray[np.int32]
    maximum: int
    items: int
    theta: Array
    se: Array


def empty_scores(persons: int) -> dict[str, SubtestScores]:
    sizes = {**KEYED_ITEMS, GRADED_CODE: GRADED_ITEMS}
    return {
        code: SubtestScores(
            raw=np.zeros(persons, np.int32),
            maximum=n * (GRADED_CATEGORIES if code == GRADED_CODE else 1),
            items=n,
            theta=np.zeros(persons),
            se=np.zeros(persons),
        )
        for code, n in sizes.items()
    }


def simulate_abilities(rng: np.random.Generator, n: int, rho: float = 0.5) -> dict[str, Array]:
    """N(0, 1) abilities per subtest, correlated through a general factor (as potency
    subtests are), so the composite has a realistic spread."""
    general = rng.standard_normal(n)
    return {
        code: math.sqrt(rho) * general + math.sqrt(1 - rho) * rng.standard_normal(n)
        for code in CODES
    }


def simulate_keyed(rng: np.random.Generator, theta: Array, params: KeyedParams) -> Array:
    """0/1 responses from the 3PL model (the project's p_correct)."""
    p = irt.p_correct(theta, params.a, params.b, params.c)
    return (rng.random(p.shape) < p).astype(np.float64)


def simulate_graded(rng: np.random.Generator, theta: Array, params: GradedParams) -> Array:
    """0-based categories from the GRM category probabilities (the project's model)."""
    categories = np.empty((theta.size, params.a.size))
    for item in range(params.a.size):
        probs = irt.grm_category_probabilities(
            theta, float(params.a[item]), params.thresholds[item]
        )
        cumulative = probs.cumsum(axis=1)[:, :-1]
        categories[:, item] = (rng.random(theta.size)[:, None] > cumulative).sum(axis=1)
    return categories


def score_chunk(
    form: Form, responses: dict[str, Array], out: dict[str, SubtestScores], rows: slice
) -> None:
    """Raw score and EAP θ/SE per subtest, as app.scoring.service does it (θ, SE rounded to 6
    decimals, the stored precision the norm is computed from)."""
    for code, params in form.keyed.items():
        matrix = responses[code]

        def log_likelihood(
            people: irt.Index, grid: Array, m: Array = matrix, p: KeyedParams = params
        ) -> Array:
            return irt.dichotomous_log_likelihood(m[people], p.a, p.b, p.c, grid)

        estimate = irt.eap_exact(log_likelihood, matrix.shape[0])
        _store(out[code], rows, matrix.sum(axis=1), estimate)
    categories = responses[GRADED_CODE]
    estimate = irt.eap_exact(
        lambda people, grid: irt.graded_log_likelihood(
            categories[people], form.graded.a, form.graded.thresholds, grid
        ),
        categories.shape[0],
    )
    points = categories + 1  # categories 0–4 are the options worth 1–5 points
    _store(out[GRADED_CODE], rows, points.sum(axis=1), estimate)


def _store(scores: SubtestScores, rows: slice, raw: Array, estimate: irt.Estimate) -> None:
    scores.raw[rows] = raw
    scores.theta[rows] = np.round(estimate.theta, 6)
    scores.se[rows] = np.round(estimate.se, 6)


@dataclass
class ScoringResult:
    scores: dict[str, SubtestScores]
    simulate_seconds: float
    score_seconds: float
    recovery: dict[str, float]  # correlation of θ̂ with the true θ in the first chunk


def chunks(total: int, size: int = CHUNK) -> Iterator[slice]:
    for start in range(0, total, size):
        yield slice(start, min(start + size, total))


def simulate_and_score(persons: int, seed: int, progress: Progress) -> ScoringResult:
    rng = np.random.default_rng(seed)
    form = make_form(rng)
    scores = empty_scores(persons)
    simulate_seconds = score_seconds = 0.0
    recovery: dict[str, float] = {}
    task = progress.add_task("simulate + score", total=persons)
    for rows in chunks(persons):
        started = time.perf_counter()
        abilities = simulate_abilities(rng, rows.stop - rows.start)
        responses = {
            code: simulate_keyed(rng, abilities[code], p) for code, p in form.keyed.items()
        }
        responses[GRADED_CODE] = simulate_graded(rng, abilities[GRADED_CODE], form.graded)
        simulated = time.perf_counter()
        score_chunk(form, responses, scores, rows)
        score_seconds += time.perf_counter() - simulated
        simulate_seconds += simulated - started
        if not recovery:
            recovery = {
                c: float(np.corrcoef(abilities[c], scores[c].theta[rows])[0, 1]) for c in CODES
            }
        progress.advance(task, rows.stop - rows.start)
    return ScoringResult(scores, simulate_seconds, score_seconds, recovery)
