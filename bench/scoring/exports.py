"""Phase 4 of the scoring benchmark: `app.exports.service.prepare_export` and the real
writers (CSV, NDJSON, XLSX), each export in a fresh child process (bench/export_probe.py) so
its peak RSS is its own."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.scoring.bulk_load import LoadResult
from bench.scoring.report import console

ROOT = Path(__file__).resolve().parents[2]  # the repository: the probe runs as bench.export_probe
XLSX_LIMIT = 100_000  # the issue measures XLSX up to 100k rows


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
