"""Percentiles, Markdown tables and the issue's gates."""

import math
from collections import Counter
from dataclasses import dataclass, field

from bench.load.clients import SLOW_MS, Recorder


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an unsorted list."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Usage:
    """What one phase cost: CPU of the generator, the server and PostgreSQL, server memory."""

    seconds: float
    generator_cpu: float
    server_cpu: float
    postgres_cpu: float
    server_rss_peak: int
    connections_peak: int | None = None  # the server's PostgreSQL connections (None: SQLite)

    def line(self) -> str:
        pct = lambda cpu: f"{100 * cpu / self.seconds:.0f} %" if self.seconds else "-"  # noqa: E731
        connections = (
            f"; the server's PostgreSQL connections: peak {self.connections_peak}"
            if self.connections_peak is not None
            else ""
        )
        return (
            f"CPU over {self.seconds:.0f} s: generator {pct(self.generator_cpu)} of a core, "
            f"server {pct(self.server_cpu)}, PostgreSQL {pct(self.postgres_cpu)}; "
            f"server RSS peak {self.server_rss_peak / 2**20:.0f} MiB{connections}"
        )


@dataclass
class Gate:
    text: str
    measured: str
    passed: bool


@dataclass
class PhaseResult:
    title: str
    recorder: Recorder
    usage: Usage | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    header: list[str] = field(default_factory=list)
    phases: list[PhaseResult] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(p.recorder.error_count for p in self.phases)

    def gate(self, text: str, measured: str, passed: bool) -> None:
        self.gates.append(Gate(text, measured, passed))

    def render(self) -> str:
        lines = [*self.header, ""]
        for phase in self.phases:
            lines += render_phase(phase)
        lines += ["### Gates", "", "| gate | measured | result |", "|---|---|---|"]
        for g in self.gates:
            lines.append(f"| {g.text} | {g.measured} | {'PASS' if g.passed else 'FAIL'} |")
        return "\n".join(lines)


def render_phase(phase: PhaseResult) -> list[str]:
    rec = phase.recorder
    lines = [
        f"### {phase.title}",
        "",
        "| step | requests | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for step, values in rec.samples.items():
        lines.append(
            f"| {step} | {len(values):,} | {len(values) / rec.seconds:,.1f} "
            f"| {percentile(values, 50):.1f} | {percentile(values, 95):.1f} "
            f"| {percentile(values, 99):.1f} | {max(values):.1f} |"
        )
    lines.append("")
    if rec.slow:
        lines.append(slow_line(rec.slow, rec.seconds))
    if phase.usage:
        lines.append(phase.usage.line())
    for note in phase.notes:
        lines.append(note)
    if rec.expected:
        lines.append(
            "Expected refusals: " + ", ".join(f"{k} ×{v}" for k, v in rec.expected.items())
        )
    if rec.errors:
        lines.append(f"**Errors: {rec.error_count}**")
        for key, count in rec.errors.most_common(10):
            lines.append(f"- {key} ×{count}: {rec.error_examples.get(key, '')!r}")
    else:
        lines.append("Errors: 0")
    lines.append("")
    return lines


def slow_line(started: list[float], seconds: float) -> str:
    """When in the phase the requests over SLOW_MS started, as runs of consecutive seconds
    (the five largest): a tail packed into a few runs is a stall, not per-request cost."""
    per_second = Counter(int(t) for t in started)
    runs: list[tuple[int, int, int]] = []  # first second, last second, requests
    for second in sorted(per_second):
        if runs and second == runs[-1][1] + 1:
            first, _, count = runs[-1]
            runs[-1] = (first, second, count + per_second[second])
        else:
            runs.append((second, second, per_second[second]))
    largest = sorted(sorted(runs, key=lambda r: -r[2])[:5])
    shown = ", ".join(f"{a}–{b} s: {n:,}" if a != b else f"{a} s: {n:,}" for a, b, n in largest)
    return (
        f"Requests over {SLOW_MS} ms: {len(started):,}, started in {len(per_second)} of the "
        f"{seconds:.0f} seconds, in {len(runs)} runs (largest: {shown})"
    )
