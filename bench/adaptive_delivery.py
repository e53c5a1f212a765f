"""Choosing the next item in the delivery path (issue 21's gate: ≤ 2 ms of server CPU for a
pool of 1,000 items):

    python -m bench.adaptive_delivery [--quick] [--json FILE] [--workdir DIR] [--postgres URL]

A migrated SQLite database (or, with --postgres, a PostgreSQL database `<name>_bench_<pid>`
created beside URL's and dropped at the end), the generated pool (`proasn bank generate-pool`:
1,000 numerik items, 2PL, four themes), an event whose only section is adaptive over them (5–40
items, stop at SE 0.30, equal theme shares, Sympson–Hetter at 0.25: its K frozen with the pool
by `proasn event prepare`). Simulees from N(0, 1) log in, start and answer by the item model,
each save a transaction of its own as a request's is. Measured per answer, in thread CPU time:
`delivery.adaptive.answer` (the taker's place in the section, EAP over the answers, the choice,
the new step written and flushed) — the next item's cost — and the whole save (authentication,
the attempt under its lock, the answer and journal row, that step, the commit).
"""

import argparse
import gc
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app import migrate
from app.bank.loader import load_bank
from app.bank.service import import_bank
from app.db import make_engine, make_sessionmaker, transaction
from app.delivery import adaptive, service
from app.exams import adaptive_pools
from app.exams import repository as exams_repository
from app.exams.event_file import EventDoc
from app.exams.preparation import prepare_sessions
from app.exams.service import import_event
from app.kit.clock import FrozenClock, use_clock
from app.main import tune_collector
from bench.load.__main__ import postgres_database
from question_bank.generators.pool import write_pool
from tests.exams.factories import event_data, participant, rows

SEED = 20261205
THEMES = ["deret angka", "aritmetika", "perbandingan dan persentase", "soal cerita"]


@dataclass(frozen=True)
class Sizes:
    bank_items: int  # half of them numerik: the pool
    takers: int
    simulees: int  # Sympson–Hetter's calibration, per round


FULL = Sizes(bank_items=2000, takers=30, simulees=500)
QUICK = Sizes(bank_items=400, takers=4, simulees=60)


def _event(takers: int) -> EventDoc:
    data = event_data()
    data["blueprint"]["total_time_minutes"] = 240
    data["blueprint"]["sections"] = [
        {
            "title": "Numerik adaptif",
            "subtest": "numerik",
            "mode": "adaptive",
            "adaptive": {
                "min_items": 5,
                "max_items": 40,
                "stop_se": 0.3,
                "content": dict.fromkeys(THEMES, 0.25),
                "exposure": {"method": "sympson-hetter", "max_rate": 0.25},
            },
        }
    ]
    data["sessions"][0]["capacity"] = takers + 1
    for agency in data["agencies"]:
        agency["seats"] = takers + 1
    return EventDoc.model_validate(data)


def _timed(function: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.thread_time_ns()
        result = function(*args, **kwargs)
        into.append((time.thread_time_ns() - started) / 1e6)
        return result

    return wrapper


def run(sizes: Sizes, workdir: Path, seed: int, url: str | None = None) -> dict[str, Any]:
    url = url or f"sqlite:///{workdir / 'adaptive.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    write_pool(workdir / "pool", sizes.bank_items)
    rng = np.random.default_rng(seed)
    kept, adaptive_pools.SH_SIMULEES = adaptive_pools.SH_SIMULEES, sizes.simulees
    try:
        token, nips, pool_items, freeze_s = _prepare(factory, workdir / "pool", sizes.takers)
    finally:
        adaptive_pools.SH_SIMULEES = kept
    choose_ms: list[float] = []
    save_ms: list[float] = []
    lengths = []
    thresholds = gc.get_threshold()
    tune_collector()  # as a server's worker runs: the collector tuned once loaded
    original = adaptive.answer
    adaptive.answer = _timed(original, choose_ms)  # service calls it through the module
    try:
        for nip in nips:
            lengths.append(_sit(factory, nip, token, float(rng.normal()), rng, save_ms))
    finally:
        adaptive.answer = original
        gc.unfreeze()  # the process may go on (tests call main)
        gc.set_threshold(*thresholds)
    engine.dispose()
    choose, save = np.array(choose_ms), np.array(save_ms)
    return {
        "backend": "PostgreSQL" if url.startswith("postgresql") else "SQLite",
        "pool_items": pool_items,
        "takers": sizes.takers,
        "answers": int(choose.size),
        "mean_items": round(float(np.mean(lengths)), 2),
        "pool_freeze_seconds": round(freeze_s, 1),
        "choose_cpu_ms_median": round(float(np.median(choose)), 3),
        "choose_cpu_ms_p99": round(float(np.percentile(choose, 99)), 3),
        "save_cpu_ms_median": round(float(np.median(save)), 3),
        "save_cpu_ms_p99": round(float(np.percentile(save, 99)), 3),
    }


def _prepare(factory: Any, pool: Path, takers: int) -> tuple[str, list[str], int, float]:
    """The bank, the event and its forms (the pool frozen); the room opened."""
    with transaction(factory) as db:
        import_bank(db, load_bank(pool))
        import_event(db, _event(takers), rows(*[participant(n) for n in range(1, takers + 1)]))
        event = exams_repository.event_by_code(db, "proasn-uji")
        assert event is not None
        started = time.perf_counter()
        prepare_sessions(db, event, ["S1"])
        freeze_s = time.perf_counter() - started
        room = exams_repository.session_by_code(db, event.id, "S1")
        assert room is not None
        room.status = "open"
        nips = [p.nip for p in exams_repository.participants(db, event.id)]
        return room.room_token, nips, len(adaptive.frozen_pool(db, event, 1).items), freeze_s


def _sit(
    factory: Any, nip: str, token: str, theta: float, rng: np.random.Generator, save_ms: list[float]
) -> int:
    """One simulee's section, each save in its own transaction; returns the items given."""
    with transaction(factory) as db:
        taker, cookie = service.login(db, nip, token, None)
        attempt = service.start(db, taker)
        position = attempt.current_position
    assert cookie is not None
    seq, given = 10**15, 0
    while True:
        with transaction(factory) as db:
            taker = service.authenticate(db, cookie)
            _, ref, version = service.open_item(db, taker, position)
            irt = version.irt or {}
            right = rng.random() < 1 / (1 + np.exp(-irt["a"] * (theta - irt["b"])))
            option = version.key if right else next(o for o in ref.option_order if o != version.key)
        seq += 1
        with transaction(factory) as db:
            started = time.thread_time_ns()
            taker = service.authenticate(db, cookie)
            attempt, result = service.save_answer(db, taker, position, option, False, seq)
            db.commit()
            save_ms.append((time.thread_time_ns() - started) / 1e6)
        given += 1
        if result.section_closed or result.next_position is None:
            return given
        position = result.next_position


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small numbers (tests)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--workdir", type=Path, help="keep the database here")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server to use: the bench creates (and afterwards drops) the "
        "database <name>_bench_<pid> beside it",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    url = postgres_database(args.postgres, True) if args.postgres else None
    try:
        with tempfile.TemporaryDirectory() as scratch, use_clock(FrozenClock(_now())):
            workdir = args.workdir or Path(scratch)
            workdir.mkdir(parents=True, exist_ok=True)
            figures = {"quick": args.quick, "seed": args.seed} | run(sizes, workdir, args.seed, url)
    finally:
        if args.postgres:
            postgres_database(args.postgres, False)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return figures


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 12, 1, 0, 30, tzinfo=UTC)


if __name__ == "__main__":
    main(sys.argv[1:])
