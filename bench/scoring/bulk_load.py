"""Phase 3 of the scoring benchmark: a fresh database migrated with `app.migrate`, then
agencies, event, sessions, participants, norm, runs and score records inserted with
SQLAlchemy Core in batches."""

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from rich.progress import Progress
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from app import migrate
from app.db import make_engine
from app.exams.models import Agency, Event, ExamSession, Participant
from app.kit.ids import new_id
from app.scoring import service
from app.scoring.models import Norm, NormEntry, ScoreRecord, ScoringRun
from app.scoring.settings import load_scoring_settings
from bench.scoring.form import CODES, SubtestScores, chunks
from bench.scoring.norms import NormStats, Profiles, Standardised

BATCH = 20_000  # rows per executemany, one transaction each
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
