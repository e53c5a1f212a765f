"""The load bench's own stalls: its loop's lateness is reported, and its collector does not walk
what the phases before it left behind."""

import asyncio
import gc
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from app.main import GC_THRESHOLDS
from bench.load.lag import LoopLag, quiet_collector


@contextmanager
def full_collections() -> Iterator[list[int]]:
    """The full collections (generation 2) that start inside the block, one entry each."""
    seen_full: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start" and info["generation"] == 2:
            seen_full.append(1)

    gc.callbacks.append(seen)
    try:
        yield seen_full
    finally:
        gc.callbacks.remove(seen)


def test_a_held_loop_is_reported_with_when_and_how_long() -> None:
    lag = LoopLag()

    async def phase() -> None:
        probe = asyncio.create_task(lag.run())
        await asyncio.sleep(0.12)
        time.sleep(0.15)  # the loop held, as by a full collection
        await asyncio.sleep(0.12)
        probe.cancel()

    # A loop of its own in a thread: in the whole suite the browser tests' loop runs in this one.
    with ThreadPoolExecutor(1) as other:
        other.submit(asyncio.run, phase()).result()
    holds = [(at, ms) for at, ms in lag.late if ms >= 100]  # (a busy machine adds small ones)
    assert len(holds) == 1
    at, ms = holds[0]
    assert 0.05 <= at <= 0.2
    assert ms <= 1000
    assert f"{ms:.0f} ms at 0 s" in lag.line()


def test_a_loop_never_held_says_so() -> None:
    assert LoopLag().line() == "The generator's loop: never over 20 ms late"


def test_a_phase_freezes_what_exists_and_gives_it_back_after() -> None:
    before = gc.get_threshold()
    kept = [{"item": n} for n in range(1000)]  # what earlier phases hold
    with quiet_collector():
        assert gc.get_freeze_count() >= len(kept)
        assert gc.get_threshold()[:2] == GC_THRESHOLDS[:2]  # the server's young generations
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def test_a_phase_begun_while_work_runs_on_does_not_collect() -> None:
    """A full collection at the start of the steady window held the generator's loop with
    2,000 takers' requests in flight (the window's first-second transient)."""
    with full_collections() as collections:
        with quiet_collector(collect=False):
            pass
        assert collections == []
        with quiet_collector():
            pass
        assert collections == [1]


def test_within_a_phase_the_generator_makes_no_full_collection_of_its_own_accord() -> None:
    """Full collections of what a long phase allocated held the loop for 110-420 ms (the
    Moodle scenario's runs of slow requests lined up with each)."""
    with full_collections() as full, quiet_collector():
        full.clear()  # (its own collect() at the start)
        kept = []
        for n in range(3_000_000):  # garbage for 30 gen1 collections, and survivors
            cycle: list = []
            cycle.append(cycle)
            if n % 50 == 0:
                kept.append(cycle)
        assert full == []
