"""A tiny, stable pseudo-random stream for drawing forms from a stored seed.

Python's `random` documents that its shuffle/sample algorithms may change between versions,
and numpy's Generator makes no cross-version stream promise for every method either. A form
must be reproducible from its seed years later, so the stream here is BLAKE2b over
(seed, counter): the same seed gives the same draws on any Python or platform.
"""

import hashlib
from collections.abc import MutableSequence, Sequence
from typing import TypeVar

T = TypeVar("T")


class SeededStream:
    def __init__(self, seed: int, label: str = "") -> None:
        self._key = f"{seed}:{label}".encode()
        self._counter = 0

    def _next_u64(self) -> int:
        block = hashlib.blake2b(
            self._counter.to_bytes(8, "big"), key=self._key[:64], digest_size=8
        ).digest()
        self._counter += 1
        return int.from_bytes(block, "big")

    def randbelow(self, n: int) -> int:
        """Uniform integer in [0, n), by rejection sampling (no modulo bias)."""
        if n <= 0:
            raise ValueError("n must be positive")
        limit = (1 << 64) - ((1 << 64) % n)
        while True:
            value = self._next_u64()
            if value < limit:
                return value % n

    def random(self) -> float:
        """Uniform float in [0, 1) with 53 random bits."""
        return (self._next_u64() >> 11) / (1 << 53)

    def shuffle(self, items: MutableSequence[T]) -> None:
        """Fisher-Yates in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.randbelow(i + 1)
            items[i], items[j] = items[j], items[i]

    def sample(self, population: Sequence[T], k: int) -> list[T]:
        """k distinct elements in draw order (partial Fisher-Yates)."""
        if k > len(population):
            raise ValueError("sample larger than population")
        pool = list(population)
        for i in range(k):
            j = i + self.randbelow(len(pool) - i)
            pool[i], pool[j] = pool[j], pool[i]
        return pool[:k]
