"""Scoring and export benchmark: a million attempts of a 100-item form, end to end.

    python -m bench.scoring                  # 1,000,000 persons (about 10 minutes)
    python -m bench.scoring --quick          # 20,000 persons (smoke run, < 1 minute)

Phases, each timed (and the process's RSS high-water mark noted after it), one module each:

1. simulate + score (form.py): abilities and responses drawn with numpy in chunks of 50,000
   persons; EAP per subtest with the project's `app.psychometrics.irt` (3PL and GRM
   log-likelihoods, `eap`).
2. norm + band (norms.py): cohort norm (mean and SD per subtest, streamed over the chunks),
   subtest and composite standard scores, stanine, level and near-band-edge, vectorised with
   numpy; a sample is checked against `app.scoring.norms.standardise`, `Bands` and the
   composite functions of `app.scoring.service`, so the numbers are the project's definitions.
3. bulk-load (bulk_load.py): a fresh database migrated with `app.migrate`, then agencies,
   event, sessions, participants, norm, runs and score records inserted with SQLAlchemy Core
   in batches.
4. export (exports.py): `app.exports.service.prepare_export` and the real writers (CSV,
   NDJSON, XLSX), each export in a fresh child process (bench/export_probe.py) so its peak
   RSS is its own.

The tables and the targets are in report.py. The export sizes (10k / 100k / 1M) are separate
scoring runs of the same event: run 1 scores everybody, the others score the first 10k or
100k participants. All exports therefore read the same tables, indexes and rows; only the row
count differs. See bench/README.md.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import inspect

from app.db import make_engine, normalise_database_url
from app.scoring.settings import load_scoring_settings
from bench.scoring.bulk_load import bulk_load
from bench.scoring.exports import run_exports
from bench.scoring.form import simulate_and_score
from bench.scoring.norms import check_against_project, norm_and_band
from bench.scoring.report import (
    Phase,
    console,
    export_table,
    peak_rss_mib,
    phase_table,
    target_table,
    targets,
)

SEED = 20261128


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
