"""Which items the test page asks for, and when: its prefetch policy.

The page keeps the items around the one it shows, so moving between them costs no request
and works offline. Its first batch comes with the page (`page_batch`: built in the page's own
transaction, one request fewer per page load when a whole room presses "Mulai tes"); later
ones are fetched from `/ujian/paket-soal`. taker.js implements `batches_for` (reading the
numbers from the page's data attributes); bench/load's page client plans its requests with
this function, and tests/browser/test_page_requests.py fails when a real Chromium page sends
other requests than the client's script.
"""

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Prefetch:
    batch: int = 22  # items per request: the one behind, the one shown and 20 ahead
    refill: int = 10  # fetch the next batch when one of the next 10 items is missing
    signal_delay: float = 0.0  # seconds before the page opens its signal stream


PREFETCH = Prefetch()

# Each page load draws its refill point in this range. With one fixed point a room that
# pressed "Mulai tes" together asks for its second batches together too, all within a few
# seconds: a stall for everyone (bench/README.md, "Steady 2,000: the one stall, found").
# Drawn from 6..14, the same room's refills spread over ~9 answers and stay apart after.
# At 6 the page still has five items ahead in hand when it asks: a minute or more of work
# if the LAN drops that request.
REFILL_RANGE = (6, 14)


def for_page_load(
    rng: random.Random | None = None, signal_delay: float = 0.0, rush: bool = True
) -> Prefetch:
    """The policy of one page load: the batch size, a refill point of its own, and when its
    signal stream opens: in a `rush` of page loads between half `signal_delay` and all of it
    (config.py says why), otherwise at once."""
    draw = rng or _RANDOM
    low, high = REFILL_RANGE
    waits = rush and signal_delay > 0
    delay = round(draw.uniform(signal_delay / 2, signal_delay), 1) if waits else 0.0
    return Prefetch(PREFETCH.batch, draw.randint(low, high), delay)


_RANDOM = random.Random()  # noqa: S311 - spreading load, not a secret


class PageLoads:
    """The test pages this worker built lately. Only a rush (a room pressing "Mulai tes"
    together) delays the pages' signal streams: a page loaded alone (a late arrival, a
    reload, a resumed login) hears of a proctor's pause at once."""

    WINDOW = 10.0  # seconds looked back

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._times: deque[float] = deque()

    def rush(self, pages: int) -> bool:
        """Count this page load; whether more than `pages` were built within `WINDOW`."""
        now = self._clock()
        self._times.append(now)
        while self._times[0] < now - self.WINDOW:
            self._times.popleft()
        return len(self._times) > pages


PAGE_LOADS = PageLoads()  # per worker process: each sees its share of a room


def batches_for(
    position: int,
    first: int,
    last: int,
    have: Callable[[int], bool],
    policy: Prefetch = PREFETCH,
) -> list[tuple[int, int]]:
    """The batches (first, last position) to ask for when the page shows `position`, given
    which positions it has or has asked for already. `first`..`last`: the positions the page
    may show (the open section, or the whole form)."""
    behind = max(first, position - 1)
    fresh = behind < position and not have(behind) and not have(min(last, position + 1))
    if not have(position) or fresh:  # a jump, or a page just loaded: all around is missing
        return [(behind, min(last, behind + policy.batch - 1))]
    batches = []
    for ahead in range(position + 1, min(last, position + policy.refill) + 1):
        if not have(ahead):
            batches.append((ahead, min(last, ahead + policy.batch - 1)))
            break
    if behind < position and not have(behind):
        batches.append((max(first, position - policy.batch + 1), behind))
    return batches


def page_batch(
    position: int, first: int, last: int, policy: Prefetch = PREFETCH
) -> tuple[int, int] | None:
    """The batch a page just loaded at `position` would ask for first, holding only the item
    it shows: the page carries it, so its load sends no batch request. One at most:
    `batches_for` asks for two only when the page holds some items already. None when there is
    nothing around the item to keep (an adaptive section's page: `first` == `last`)."""
    wanted = batches_for(position, first, last, lambda p: p == position, policy)
    return wanted[0] if wanted else None
