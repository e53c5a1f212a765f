"""The server's clock, injectable so timer tests need not sleep.

Everything that asks "what time is it" goes through `now()`; tests swap the clock with
`use_clock(FrozenClock(...))`.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, TypeVar


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    current: datetime = field(default_factory=lambda: datetime(2026, 12, 1, 1, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class OffsetFileClock:
    """System time plus an offset (seconds) read from a file.

    For live-server timer tests only (a server in another process cannot share a
    FrozenClock): the test writes "600" to jump ten minutes ahead. Enabled by
    PROASN_CLOCK_OFFSET_FILE; the server logs a warning when it is on.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._stamp: float | None = None
        self._offset = 0.0

    def now(self) -> datetime:
        try:
            stamp = os.stat(self.path).st_mtime_ns
            if stamp != self._stamp:
                with open(self.path) as handle:
                    self._offset = float(handle.read().strip() or 0)
                self._stamp = stamp
        except (OSError, ValueError):
            pass
        return datetime.now(UTC) + timedelta(seconds=self._offset)


_clock: Clock = SystemClock()


def now() -> datetime:
    return _clock.now()


def install_clock(clock: Clock) -> None:
    """Replace the process-wide clock (the app factory does this for OffsetFileClock)."""
    global _clock
    _clock = clock


AnyClock = TypeVar("AnyClock", bound=Clock)


@contextmanager
def use_clock(clock: AnyClock) -> Iterator[AnyClock]:
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous
