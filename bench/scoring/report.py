"""The scoring benchmark's report: the phase, export and target tables (Markdown, on stdout),
the targets themselves, and the console that progress and log lines go to (stderr)."""

import resource
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

SCORING_TARGET_S = 60.0
FLAT_RATIO = 1.5  # "flat": peak RSS at the largest export within 1.5× of the smallest
MIB = 1024 * 1024
console = Console(stderr=True)


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
