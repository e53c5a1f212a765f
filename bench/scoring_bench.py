"""Scoring and export benchmark: a million attempts of a 100-item form, end to end.

    python -m bench.scoring_bench                  # 1,000,000 persons (about 10 minutes)
    python -m bench.scoring_bench --quick          # 20,000 persons (smoke run, < 1 minute)

Phases, each timed (and the process's RSS high-water mark noted after it):

1. simulate + score: abilities and responses drawn with numpy in chunks of 50,000 persons;
   EAP per subtest with the project's `app.scoring.irt` (3PL and GRM log-likelihoods, `eap`).
2. norm + band: cohort norm (mean and SD per subtest, streamed over the chunks), subtest and
   composite standard scores, stanine, level and near-band-edge, vectorised with numpy; a
   sample is checked against `app.scoring.norms.standardise`, `Bands` and the composite
   functions of `app.scoring.service`, so the numbers are the project's definitions.
3. bulk-load: a fresh database migrated with `app.migrate`, then agencies, event, sessions,
   participants, norm, runs and score records inserted with SQLAlchemy Core in batches.
4. export: `app.exports.service.prepare_export` and the real writers (CSV, NDJSON, XLSX), each
   export in a fresh child process (bench/export_probe.py) so its peak RSS is its own.

The export sizes (10k / 100k / 1M) are separate scoring runs of the same event: run 1 scores
everybody, the others score the first 10k or 100k participants. All exports therefore read the
same tables, indexes and rows; only the row count differs. See bench/README.md.
"""

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import insert, inspect
from sqlalchemy.engine import Engine

from app import migrate
from app.db import make_engine, normalise_database_url
from app.exams.models import Agency, Event, ExamSession, Participant
from app.kit.ids import new_id
from app.scoring import irt, service
from app.scoring.models import Norm, NormEntry, ScoreRecord, ScoringRun
from app.scoring.norms import STANINE_EDGES, Bands, standardise
from app.scoring.settings import load_scoring_settings

Array = NDArray[np.float64]
ROOT = Path(__file__).resolve().parent.parent
SEED = 20261128
CHUNK = 50_000  # persons scored at a time: a 50k × 81 log-likelihood grid is 32 MiB
BATCH = 20_000  # rows per executemany, one transaction each
XLSX_LIMIT = 100_000  # the issue measures XLSX up to 100k rows
SCORING_TARGET_S = 60.0
FLAT_RATIO = 1.5  # "flat": peak RSS at the largest export within 1.5× of the smallest
KEYED_ITEMS = {"figural": 25, "numerik": 25, "verbal": 30}  # 80 keyed 3PL items
GRADED_CODE, GRADED_ITEMS, GRADED_CATEGORIES = "sjt", 20, 5  # 20 GRM items, points 1–5
CODES = sorted([*KEYED_ITEMS, GRADED_CODE])
MIB = 1024 * 1024
console = Console(stderr=True)


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
        estimate = irt.eap(irt.dichotomous_log_likelihood(matrix, params.a, params.b, params.c))
        _store(out[code], rows, matrix.sum(axis=1), estimate)
    categories = responses[GRADED_CODE]
    log_likelihood = irt.graded_log_likelihood(
        categories, form.graded.a, form.graded.thresholds, irt.DEFAULT_GRID
    )
    points = categories + 1  # categories 0–4 are the options worth 1–5 points
    _store(out[GRADED_CODE], rows, points.sum(axis=1), irt.eap(log_likelihood))


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


# --- phase 2: norm and band -------------------------------------------------------------------


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
    composite = sum(weight[c] * subtest[c].z for c in CODES) / weight_sum
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
    near_edge = np.zeros(persons, dtype=bool)
    for edge in bands.edges_z():
        near_edge |= np.abs(composite_std.z - edge) < composite_se_z
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
    entries = {
        code: types.SimpleNamespace(mean=s.mean, sd=s.sd) for code, s in profiles.norm.items()
    }
    per_subtest = {
        code: {
            int(i): {"theta": float(scores[code].theta[i]), "se": float(scores[code].se[i])}
            for i in picked
        }
        for code in CODES
    }
    composite_norm = profiles.norm[service.COMPOSITE]
    for i in picked.tolist():
        for code in CODES:
            expected = standardise(scores[code].theta[i], entries[code].mean, entries[code].sd)
            _assert_same(expected, profiles.subtest[code], i)
        composite = service._composite_raw(i, per_subtest, entries, weights)
        assert abs(composite - profiles.composite[i]) < 1e-9
        expected = standardise(composite, composite_norm.mean, composite_norm.sd)
        _assert_same(expected, profiles.composite_std, i)
        se_z = service._composite_se_z(i, per_subtest, entries, weights, composite_norm.sd)
        assert abs(se_z - profiles.composite_se_z[i]) < 1e-9
        assert bands.level(expected.stanine) == bands.labels[profiles.level[i]]
        assert bands.near_edge(expected.z, se_z) == bool(profiles.near_edge[i])
    return picked.size


def _assert_same(expected: Any, actual: Standardised, i: int) -> None:
    assert abs(expected.z - actual.z[i]) < 1e-9
    assert abs(expected.t - actual.t[i]) < 1e-9
    assert abs(expected.percentile - actual.percentile[i]) < 1e-9
    assert expected.stanine == actual.stanine[i]


# --- phase 3: bulk-load -----------------------------------------------------------------------

AGENCIES = 20
SESSION_SIZE = 1000  # participants per exam session
ESELON = ["II.a", "II.b", "III.a", "III.b", "IV.a", "IV.b"]
# A realistic length for the argon2 hash column; never checked at this level.
ACCESS_CODE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$" + "x" * 22 + "$" + "y" * 43


@dataclass
class LoadResult:
    event_code: str
    runs: dict[int, int]  # export size → run number
    seconds: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def insert_batches(
    engine: Engine,
    table: Any,
    rows: Iterator[dict[str, Any]],
    total: int,
    progress: Progress,
    label: str,
) -> float:
    """executemany in batches of BATCH rows, one transaction per batch."""
    task = progress.add_task(label, total=total)
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            _insert(engine, table, batch)
            progress.advance(task, len(batch))
            batch = []
    if batch:
        _insert(engine, table, batch)
        progress.advance(task, len(batch))
    return time.perf_counter() - started


def _insert(engine: Engine, table: Any, batch: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        connection.execute(insert(table), batch)


def participant_rows(
    ids: list[Any], event_id: Any, sessions: list[Any], agencies: list[Any], now: datetime
) -> Iterator[dict[str, Any]]:
    for i, participant_id in enumerate(ids):
        yield {
            "id": participant_id,
            "event_id": event_id,
            "session_id": sessions[i // SESSION_SIZE],
            "agency_id": agencies[i % AGENCIES],
            "nip": str(198_000_000_000_000_000 + i),  # 18 digits, unique
            "name": f"Peserta Uji {i:07d}",
            "position": "Analis Kebijakan Ahli Muda",
            "eselon": ESELON[i % len(ESELON)],
            "access_code_hash": ACCESS_CODE_HASH,
            "created_at": now,
            "updated_at": now,
        }


def record_rows(
    run_id: Any,
    participant_ids: list[Any],
    scores: dict[str, SubtestScores],
    profiles: Profiles,
    labels: tuple[str, str, str],
    count: int,
) -> Iterator[dict[str, Any]]:
    """Score records with the service's fields and rounding, built a chunk at a time from the
    arrays (tolist() per chunk keeps the per-row work in plain Python floats)."""
    for rows in chunks(count, BATCH):
        per_code = {
            code: _subtest_columns(scores[code], profiles.subtest[code], rows) for code in CODES
        }
        composite = np.round(profiles.composite[rows], 6).tolist()
        composite_t = np.round(profiles.composite_std.t[rows], 4).tolist()
        composite_pct = np.round(profiles.composite_std.percentile[rows], 4).tolist()
        se_z = np.round(profiles.composite_se_z[rows], 6).tolist()
        stanine = profiles.composite_std.stanine[rows].tolist()
        level = profiles.level[rows].tolist()
        near = profiles.near_edge[rows].tolist()
        for j, i in enumerate(range(rows.start, rows.stop)):
            yield {
                "id": new_id(),
                "run_id": run_id,
                "participant_id": participant_ids[i],
                "attempt_status": "submitted",
                "subtests": {code: _subtest_json(per_code[code], j) for code in CODES},
                "composite": composite[j],
                "composite_t": composite_t[j],
                "composite_percentile": composite_pct[j],
                "composite_se_z": se_z[j],
                "stanine": stanine[j],
                "level": labels[level[j]],
                "near_band_edge": near[j],
            }


def _subtest_columns(s: SubtestScores, std: Standardised, rows: slice) -> dict[str, Any]:
    return {
        "raw": s.raw[rows].tolist(),
        "max": s.maximum,
        "answered": s.items,  # every simulated person answers every item
        "items": s.items,
        "percent": np.round(100.0 * s.raw[rows] / s.maximum, 4).tolist(),
        "theta": s.theta[rows].tolist(),
        "se": s.se[rows].tolist(),
        "z": np.round(std.z[rows], 6).tolist(),
        "t": np.round(std.t[rows], 4).tolist(),
        "percentile": np.round(std.percentile[rows], 4).tolist(),
    }


def _subtest_json(columns: dict[str, Any], j: int) -> dict[str, Any]:
    return {k: v[j] if isinstance(v, list) else v for k, v in columns.items()}


def bulk_load(
    url: str,
    scores: dict[str, SubtestScores],
    profiles: Profiles,
    export_sizes: list[int],
    progress: Progress,
) -> LoadResult:
    persons = profiles.composite.size
    engine = make_engine(url)
    started = time.perf_counter()
    migrate.upgrade(url)
    result = LoadResult(event_code=f"BENCH-{persons}", runs={})
    result.seconds["migrate"] = time.perf_counter() - started
    settings = load_scoring_settings()
    now = datetime.now(UTC)
    agencies = [new_id() for _ in range(AGENCIES)]
    sessions = [new_id() for _ in range(math.ceil(persons / SESSION_SIZE))]
    event_id, norm_id = new_id(), new_id()
    started = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            insert(Agency),
            [
                {"id": a, "code": f"I{k:03d}", "name": f"Instansi {k}"}
                for k, a in enumerate(agencies)
            ],
        )
        connection.execute(insert(Event), [_event_row(event_id, result.event_code, now)])
        connection.execute(
            insert(ExamSession), [_session_row(s, event_id, k, now) for k, s in enumerate(sessions)]
        )
        connection.execute(insert(Norm), [_norm_row(norm_id, result.event_code, now)])
        connection.execute(insert(NormEntry), _norm_entry_rows(norm_id, profiles.norm))
    result.seconds["parents"] = time.perf_counter() - started
    participant_ids = [new_id() for _ in range(persons)]
    result.rows["participants"] = persons
    result.seconds["participants"] = insert_batches(
        engine,
        Participant.__table__,
        participant_rows(participant_ids, event_id, sessions, agencies, now),
        persons,
        progress,
        "load participants",
    )
    # Run 1 scores everybody; each smaller export size gets a run of its own over the first
    # `size` participants, so every export reads the same tables with only the count changed.
    run_settings = {  # what service.run_scoring records, the subtest list included
        "composite_weights": settings.composite_weights,
        "levels": settings.levels.model_dump(mode="json"),
        "subtests": sorted(CODES),
    }
    labels = settings.levels.labels
    sizes = sorted({min(s, persons) for s in export_sizes} | {persons}, reverse=True)
    for number, size in enumerate(sizes, start=1):
        run_id = new_id()
        with engine.begin() as connection:
            connection.execute(
                insert(ScoringRun), [_run_row(run_id, event_id, norm_id, number, run_settings, now)]
            )
        key = "records" if size == persons else f"records (run {number}, {size:,})"
        result.rows[key] = size
        result.seconds[key] = insert_batches(
            engine,
            ScoreRecord.__table__,
            record_rows(run_id, participant_ids, scores, profiles, labels, size),
            size,
            progress,
            f"load records run {number}",
        )
        result.runs[size] = number
    engine.dispose()
    return result


def _event_row(event_id: Any, code: str, now: datetime) -> dict[str, Any]:
    return {
        "id": event_id,
        "code": code,
        "name": "Uji kinerja penilaian",
        "organiser": "bench",
        "time_zone": "Asia/Jakarta",
        "show_results_to_takers": False,
        "require_admission": False,
        "total_time_minutes": 120,
        "shuffle_items": True,
        "shuffle_options": True,
        "blueprint_hash": "0" * 64,
        "created_at": now,
        "updated_at": now,
    }


def _session_row(session_id: Any, event_id: Any, k: int, now: datetime) -> dict[str, Any]:
    return {
        "id": session_id,
        "event_id": event_id,
        "code": f"S{k:05d}",
        "venue": "Kantor Regional",
        "room": f"Ruang {k % 10}",
        "time_zone": "Asia/Jakarta",
        "starts_at": now - timedelta(days=1),
        "capacity": SESSION_SIZE,
        "room_token": "BENCH0",
        "status": "closed",
    }


def _norm_row(norm_id: Any, event_code: str, now: datetime) -> dict[str, Any]:
    return {
        "id": norm_id,
        "name": f"{event_code} kohort",
        "version": 1,
        "source": "cohort",
        "description": "bench",
        "created_at": now,
        "created_by": "bench",
    }


def _norm_entry_rows(norm_id: Any, norm: dict[str, NormStats]) -> list[dict[str, Any]]:
    return [
        {
            "id": new_id(),
            "norm_id": norm_id,
            "subtest_code": code,
            "metric": "composite" if code == service.COMPOSITE else "theta",
            "mean": stats.mean,
            "sd": stats.sd,
            "n": stats.n,
        }
        for code, stats in norm.items()
    ]


def _run_row(
    run_id: Any, event_id: Any, norm_id: Any, number: int, settings: Any, now: datetime
) -> dict[str, Any]:
    return {
        "id": run_id,
        "event_id": event_id,
        "number": number,
        "norm_id": norm_id,
        "settings": settings,
        "neutralised": [],
        "note": "bench",
        "created_at": now,
        "created_by": "bench",
        "published_at": None,
        "published_by": None,
    }


# --- phase 4: exports -------------------------------------------------------------------------


def export_in_child(
    url: str, event: str, run: int, fmt: str, trace: bool, stream_only: bool = False
) -> dict[str, Any]:
    """One export in a fresh process (bench/export_probe.py): its peak RSS is its own."""
    job = {"url": url, "event": event, "run": run, "format": fmt}
    job |= {"trace": trace, "stream_only": stream_only}
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.export_probe", json.dumps(job)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"export {fmt} run {run} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run_exports(
    url: str, load: LoadResult, export_sizes: list[int], trace: bool
) -> list[dict[str, Any]]:
    results = []
    for size in sorted(export_sizes):
        # stream-only = diagnostic: prepare_export's scan of the whole run replaced by a
        # one-row query, to tell the writers' memory from that scan's (export_probe.py).
        jobs = [("csv", False), ("ndjson", False)]
        jobs += [("xlsx", False)] if size <= XLSX_LIMIT else []
        jobs += [("csv", True)]
        jobs += [("xlsx", True)] if size <= XLSX_LIMIT else []
        for fmt, stream_only in jobs:
            label = f"{fmt}{' stream-only' if stream_only else ''} {size:,} rows"
            with console.status(f"export {label} (child process)"):
                result = export_in_child(
                    url, load.event_code, load.runs[size], fmt, trace, stream_only
                )
            console.log(
                f"export {label}: {result['seconds']:.1f} s, "
                f"peak RSS {result['peak_rss_mib']:.0f} MiB"
            )
            results.append(result)
    return results


# --- report -----------------------------------------------------------------------------------


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Phase:
    name: str
    seconds: float
    rows: int
    peak_mib: float | None = None  # RSS high-water mark of the process that ran it


def table(title: str, columns: list[str]) -> Table:
    result = Table(title=title, box=box.MARKDOWN, title_justify="left")
    for k, column in enumerate(columns):
        result.add_column(column, justify="left" if k == 0 else "right")
    return result


def phase_table(phases: list[Phase]) -> Table:
    result = table("Phases", ["phase", "time (s)", "rows", "rows/s", "peak RSS (MiB)"])
    for p in phases:
        peak = f"{p.peak_mib:,.0f}" if p.peak_mib is not None else ""
        rate = f"{p.rows / p.seconds:,.0f}" if p.seconds > 0 else ""
        result.add_row(p.name, f"{p.seconds:.1f}", f"{p.rows:,}", rate, peak)
    return result


def export_table(results: list[dict[str, Any]]) -> Table:
    columns = ["export", "rows", "time (s)", "rows/s", "MiB out", "prepare (s)"]
    columns += ["RSS start", "peak after prepare", "max RSS while streaming", "peak RSS"]
    if any(r["traced_peak_mib"] is not None for r in results):
        columns.append("tracemalloc peak")
    result = table("Exports (memory in MiB, each export in a fresh process)", columns)
    for r in results:
        cells = [
            r["format"],
            f"{r['rows']:,}",
            f"{r['seconds']:.1f}",
            f"{r['rows'] / r['seconds']:,.0f}",
            f"{r['bytes'] / MIB:,.1f}",
            f"{r['prepare_seconds']:.1f}",
            f"{r['rss_start_mib']:.0f}",
            f"{r['peak_after_prepare_mib']:.0f}",
            f"{r['stream_max_rss_mib']:.0f}",
            f"{r['peak_rss_mib']:.0f}",
        ]
        if r["traced_peak_mib"] is not None:
            cells.append(f"{r['traced_peak_mib']:.1f}")
        result.add_row(*cells)
    return result


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    ok: bool
    diagnostic: bool = False  # shown, but not one of the targets


def targets(persons: int, scoring_seconds: float, exports: list[dict[str, Any]]) -> list[Target]:
    scope = "" if persons == 1_000_000 else f" (target is for 1,000,000; ran {persons:,})"
    found = [
        Target(
            f"score + norm + band under {SCORING_TARGET_S:.0f} s{scope}",
            f"{scoring_seconds:.1f} s",
            scoring_seconds < SCORING_TARGET_S,
        )
    ]
    for fmt in ("csv", "ndjson", "xlsx", "csv stream-only", "xlsx stream-only"):
        runs = sorted((r for r in exports if r["format"] == fmt), key=lambda r: r["rows"])
        if len(runs) < 2:
            continue
        small, large = runs[0], runs[-1]
        ratio = large["peak_rss_mib"] / small["peak_rss_mib"]
        diagnostic = "stream-only" in fmt
        note = " (diagnostic, not the project's path)" if diagnostic else ""
        sizes = f"{small['rows']:,} → {large['rows']:,}"
        found.append(
            Target(
                f"{fmt} peak RSS flat {sizes} (≤ {FLAT_RATIO}×){note}",
                f"{small['peak_rss_mib']:.0f} → {large['peak_rss_mib']:.0f} MiB = {ratio:.2f}×",
                ratio <= FLAT_RATIO,
                diagnostic,
            )
        )
    return found


def target_table(found: list[Target]) -> Table:
    result = table("Targets", ["target", "measured", "result"])
    for t in found:
        result.add_row(t.name, t.measured, "PASS" if t.ok else "FAIL")
    return result


# --- main -------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=None, help="default 1,000,000")
    parser.add_argument("--quick", action="store_true", help="20,000 persons, exports 1k/5k/20k")
    parser.add_argument(
        "--export-sizes", type=lambda s: [int(x) for x in s.split(",")], default=None
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="load and export on this PostgreSQL database instead of SQLite (it must be "
        "empty: the bench migrates it and leaves its rows there)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the SQLite database here")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also trace Python allocations in exports"
    )
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.persons = args.persons or (20_000 if args.quick else 1_000_000)
    if args.export_sizes is None:
        quick_sizes = [1_000, 5_000, 20_000]
        full_sizes = [10_000, 100_000, 1_000_000]
        args.export_sizes = quick_sizes if args.quick else full_sizes
    args.export_sizes = sorted({min(s, args.persons) for s in args.export_sizes})
    return args


def database_url(args: argparse.Namespace, workdir: Path) -> str:
    if not args.postgres:
        return f"sqlite:///{workdir / 'bench.db'}"
    url = normalise_database_url(args.postgres)
    engine = make_engine(url)
    tables = inspect(engine).get_table_names()
    engine.dispose()
    if tables:
        raise SystemExit(f"refusing: {args.postgres} is not empty ({len(tables)} tables)")
    return url


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    url = database_url(args, workdir)
    settings = load_scoring_settings()
    weights = {k: float(v) for k, v in settings.composite_weights.items()}
    bands = settings.levels.bands()
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=console
    )
    with progress:
        scored = simulate_and_score(args.persons, args.seed, progress)
        peak_scoring = peak_rss_mib()
        profiles = norm_and_band(scored.scores, weights, bands)
        peak_norm = peak_rss_mib()
        checked = check_against_project(scored.scores, profiles, weights, bands)
        load = bulk_load(url, scored.scores, profiles, args.export_sizes, progress)
        peak_load = peak_rss_mib()
    console.log(f"vectorised norms equal the project's on {checked:,} sampled persons")
    exports = run_exports(url, load, args.export_sizes, args.tracemalloc)
    n = args.persons
    phases = [
        Phase("simulate responses", scored.simulate_seconds, n),
        Phase("score (EAP, 4 subtests)", scored.score_seconds, n, peak_scoring),
        Phase("norm + band", profiles.seconds, n, peak_norm),
        Phase("migrate (empty database)", load.seconds["migrate"], 0),
    ]
    phases += [Phase(f"load {k}", load.seconds[k], rows) for k, rows in load.rows.items()]
    phases[-1].peak_mib = peak_load
    scoring_seconds = scored.score_seconds + profiles.seconds
    print(
        f"\nProASN scoring bench: {n:,} persons × 100 items, seed {args.seed}, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    print(
        "θ recovery, first chunk (r with true θ): "
        + ", ".join(f"{c} {r:.3f}" for c, r in scored.recovery.items())
    )
    console_out = Console(width=200)
    found = targets(n, scoring_seconds, exports)
    for t in (phase_table(phases), export_table(exports), target_table(found)):
        console_out.print(t)
        console_out.print()
    return {
        "persons": n,
        "backend": "postgresql" if args.postgres else "sqlite",
        "phases": [p.__dict__ for p in phases],
        "exports": exports,
        "scoring_seconds": scoring_seconds,
        "recovery": scored.recovery,
        "targets": [t.__dict__ for t in found],
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        figures = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="proasn-bench-") as workdir:
            figures = run(args, Path(workdir))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    missed = [t for t in figures["targets"] if not t["ok"] and not t["diagnostic"]]
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
