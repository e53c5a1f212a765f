"""The generator's own stalls. Every latency is timed by the generator: while its event loop is
held (by its collector, or short of CPU) the replies wait unread and count as slow, a stall of
the client reported as one of the server. A full collection of the generator walked every
taker's kept items and pages and held its loop for 170-340 ms (bench/README.md, "2026-12-04,
afternoon: the generator's own stalls"). So each phase runs with what the generator holds
from before frozen out of its collector's sight, and reports how far its loop fell behind."""

import asyncio
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# The server's thresholds for the young generations: their collections stay short.
from app.main import GC_THRESHOLDS

BEHIND_MS = 20.0  # a loop this late is reported
# Within a phase the generator makes no full collection of its own accord: one walked all the
# phase had allocated (3,000 takers' kept items in the Moodle scenario's 900 s) and held the
# loop for 110-420 ms, each time lined up with a run of "slow" requests (bench/README.md,
# "2026-12-04, evening"). Young collections still run; the next phase begins with a full one.
PHASE_THRESHOLDS = (GC_THRESHOLDS[0], GC_THRESHOLDS[1], 1_000_000)
EVERY = 0.05  # seconds between the probe's wake-ups


@contextmanager
def quiet_collector(collect: bool = True) -> Iterator[None]:
    """For one phase: collect, then freeze what exists (it outlives the phase), so the
    phase's collections walk only what the phase itself allocates. `collect=False` for a
    phase that begins while the work of the one before runs on: a full collection then
    would hold the loop with requests in flight."""
    thresholds = gc.get_threshold()
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(*PHASE_THRESHOLDS)
    try:
        yield
    finally:
        gc.unfreeze()  # the next phase's collect() may reclaim it
        gc.set_threshold(*thresholds)


@dataclass
class LoopLag:
    """Wakes every EVERY seconds and records each wake-up later than BEHIND_MS (the loop was
    held): when, into the phase, and by how much."""

    late: list[tuple[float, float]] = field(default_factory=list)  # (seconds in, ms late)

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        began = loop.time()
        while True:
            asked = loop.time()
            await asyncio.sleep(EVERY)
            behind = (loop.time() - asked - EVERY) * 1000
            if behind > BEHIND_MS:
                self.late.append((asked - began, behind))

    def line(self) -> str:
        if not self.late:
            return f"The generator's loop: never over {BEHIND_MS:.0f} ms late"
        worst = sorted(self.late, key=lambda hold: -hold[1])[:5]
        listed = ", ".join(f"{ms:.0f} ms at {at:.0f} s" for at, ms in sorted(worst))
        return (
            f"The generator's loop: {len(self.late)} times over {BEHIND_MS:.0f} ms late "
            f"(the longest: {listed})"
        )
