"""Talent-box benchmark: place 1,000,000 officials (time and peak memory).

    python -m bench.talentbox_bench                 # 1,000,000 officials (about 10 minutes)
    python -m bench.talentbox_bench --quick         # 20,000 officials (smoke run, < 1 minute)

Set-up (not measured): a fresh database migrated with `app.migrate`; a potency import of N
rows (levels and percentiles drawn with numpy), an SKP import of N rows for the period (2 % of
the NIPs on one side only, both ways), and a profile file of 3 records per official (half
verified, a quarter unverified, a quarter rejected). Loaded with SQLAlchemy Core in batches.

Measured phases, each in a child process of its own so its peak RSS is its own:

- baseline: the I/O floor. Reads the same two inputs sorted by NIP and writes one placement
  row per official with the same bulk insert, but with no rules (a fixed box);
- simple: `app.talentbox.placement.place`, simple mode;
- weighted: the same in weighted mode with the profile records (re-weighting).

Reported: seconds, officials per second, the ratio to the baseline, and the peak RSS; the
simple run is also repeated on a tenth of the officials to show that memory does not grow with
the number placed. See bench/README.md.
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert

from app import migrate
from app.audit.service import Actor
from app.db import make_engine, make_sessionmaker, transaction
from app.kit import clock
from app.kit.ids import new_id
from app.talentbox import placement, repository
from app.talentbox.models import (
    PerformanceImport,
    PerformanceRow,
    Placement,
    PlacementRun,
    PotencyImport,
    PotencyRow,
    ProfileImport,
    ProfileRecord,
)

SEED = 20261128
BIRTH0 = date(1965, 1, 1).toordinal()
BATCH = 10_000
PERIOD = 2026
ACTOR = Actor(None, "bench", "analyst")
LEVELS = ("rendah", "menengah", "tinggi")
PREDICATES = ("Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang")
PROFILE = (
    ("education_level", ("S1", "S2", "S3")),
    ("awards", ("instansi", "provinsi", "nasional")),
    ("competency_assessment", ("55", "70", "85")),
)


def nip(n: int) -> str:
    """A valid, unique NIP per official: 999 sequence numbers per birth date."""
    born = date.fromordinal(BIRTH0 + n // 999)
    return f"{born:%Y%m%d}199501{1 + n % 2}{1 + n % 999:03d}"


def populate(url: str, people: int) -> dict[str, str]:
    """The three imports; returns their ids."""
    migrate.upgrade(url)
    engine = make_engine(url)
    rng = np.random.default_rng(SEED)
    ids = {"potency": new_id(), "performance": new_id(), "profile": new_id()}
    with transaction(make_sessionmaker(engine)) as db:
        now = clock.now()
        meta = {"imported_at": now, "imported_by": "bench", "checksum": "0" * 64, "rows": people}
        db.add(
            PotencyImport(id=ids["potency"], file_name="bench.csv", scoring_run_ids=["r"], **meta)
        )
        db.add(PerformanceImport(id=ids["performance"], file_name="skp.csv", **meta))
        db.add(ProfileImport(id=ids["profile"], file_name="profil.csv", **meta))
        db.flush()
        shift = people // 50  # 2 % only on one side, each way
        for start in range(0, people, BATCH):
            numbers = range(start, min(start + BATCH, people))
            percentiles = rng.uniform(1, 99, len(numbers))
            predicate = rng.integers(0, 5, len(numbers))
            choice = rng.integers(0, 3, (len(numbers), 3))
            status = rng.integers(0, 4, (len(numbers), 3))
            db.execute(
                insert(PotencyRow),
                [
                    {
                        "import_id": ids["potency"],
                        "nip": nip(n),
                        "name": f"Pejabat {n}",
                        "agency_code": f"{3300 + n % 35}",
                        "agency_name": f"Kabupaten {n % 35}",
                        "position": "Kepala Bidang",
                        "eselon": ("II.b", "III.a", "IV.a")[n % 3],
                        "event_code": "PROASN-2026",
                        "scoring_run_id": "r",
                        "potency_level": LEVELS[min(2, int(p // 34))],
                        "composite_percentile": round(float(p), 1),
                    }
                    for n, p in zip(numbers, percentiles, strict=True)
                ],
            )
            db.execute(
                insert(PerformanceRow),
                [
                    {
                        "import_id": ids["performance"],
                        "nip": nip(n + shift),
                        "period": PERIOD,
                        "predicate": PREDICATES[int(k)],
                        "rating_results": None,
                        "rating_behaviour": None,
                    }
                    for n, k in zip(numbers, predicate, strict=True)
                ],
            )
            db.execute(
                insert(ProfileRecord),
                [
                    {
                        "import_id": ids["profile"],
                        "row_number": 3 * n + j + 2,
                        "nip": nip(n),
                        "component": PROFILE[j][0],
                        "value": PROFILE[j][1][int(choice[i, j])],
                        "description": "",
                        "status": ("verified", "verified", "unverified", "rejected")[
                            int(status[i, j])
                        ],
                        "status_by": None,
                        "status_at": None,
                        "status_note": "",
                    }
                    for i, n in enumerate(numbers)
                    for j in range(3)
                ],
            )
            print(f"  loaded {min(start + BATCH, people):,}/{people:,}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    engine.dispose()
    return {k: str(v) for k, v in ids.items()}


def baseline(db, ids: dict[str, str]) -> int:
    """Same reads and bulk writes as a run, no rules: the floor any placement pays."""
    import uuid

    run = PlacementRun(
        number=repository.next_run_number(db),
        mode="simple",
        period=PERIOD,
        potency_import_id=uuid.UUID(ids["potency"]),
        performance_import_id=uuid.UUID(ids["performance"]),
        inputs={},
        settings={},
        only_potency=[],
        only_performance=[],
        created_at=clock.now(),
        created_by="bench",
        note="baseline",
    )
    db.add(run)
    db.flush()
    streams = [
        repository.potency_stream(db, run.potency_import_id),
        repository.performance_stream(db, run.performance_import_id, PERIOD),
    ]
    batch, written = [], 0
    for person, groups in placement.merge_by_nip(streams):
        if groups[0] and groups[1]:
            p = groups[0][0]
            batch.append(
                {
                    "run_id": run.id,
                    "nip": person,
                    "name": p.name,
                    "agency_code": p.agency_code,
                    "agency_name": p.agency_name,
                    "eselon": p.eselon,
                    "potential_level": "menengah",
                    "performance_level": "sesuai",
                    "predicate": groups[1][0].predicate,
                    "box": 5,
                    "groups": [],
                    "recommendation": "",
                    "components": {},
                }
            )
        if len(batch) >= placement.BATCH:
            db.execute(insert(Placement), batch)
            written += len(batch)
            batch.clear()
    if batch:
        db.execute(insert(Placement), batch)
        written += len(batch)
    return written


def child(url: str, phase: str, ids: dict[str, str]) -> dict[str, Any]:
    """One measured phase (run in its own process)."""
    import uuid

    engine = make_engine(url)
    started = time.perf_counter()
    with transaction(make_sessionmaker(engine)) as db:
        if phase == "baseline":
            placed = baseline(db, ids)
        else:
            options = placement.RunOptions(
                mode="weighted" if phase == "weighted" else "simple",
                profile_import_id=uuid.UUID(ids["profile"]) if phase == "weighted" else None,
            )
            run = placement.place(
                db,
                ACTOR,
                uuid.UUID(ids["potency"]),
                uuid.UUID(ids["performance"]),
                PERIOD,
                options=options,
            )
            placed = sum(repository.box_counts(db, run.id).values())
    seconds = time.perf_counter() - started
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB → MiB on Linux
    return {"phase": phase, "placed": placed, "seconds": seconds, "peak_rss_mib": peak}


def measure(url: str, phase: str, ids: dict[str, str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.talentbox_bench", "--child", phase, "--url", url]
    command += ["--ids", json.dumps(ids)]
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        sys.exit(f"phase {phase} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 officials")
    parser.add_argument("--postgres", help="an empty PostgreSQL database URL (default: SQLite)")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--ids", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.child, json.loads(args.ids))))
        return
    people = 20_000 if args.quick else args.people
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        for size in (people // 10, people):
            url = args.postgres if args.postgres and size == people else None
            url = url or f"sqlite:///{workdir}/talentbox-{size}.db"
            started = time.perf_counter()
            ids = populate(url, size)
            print(f"set-up {size:,}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
            phases = ("baseline", "simple", "weighted") if size == people else ("simple",)
            for phase in phases:
                result = measure(url, phase, ids) | {"officials": size}
                print(f"  {phase}: {result['seconds']:.1f} s", file=sys.stderr)
                results.append(result)
    report(results, people, "PostgreSQL" if args.postgres else "SQLite")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


def report(results: list[dict[str, Any]], people: int, backend: str) -> None:
    floor = next(r for r in results if r["phase"] == "baseline")
    print(f"\n### Placement of {people:,} officials ({backend})\n")
    print("| phase | officials | placed | seconds | placed/s | × baseline | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        ratio = f"{r['seconds'] / floor['seconds']:.2f}" if r["officials"] == people else "–"
        print(
            f"| {r['phase']} | {r['officials']:,} | {r['placed']:,} | {r['seconds']:.1f} "
            f"| {r['placed'] / r['seconds']:,.0f} | {ratio} | {r['peak_rss_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
