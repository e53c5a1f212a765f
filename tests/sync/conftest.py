"""A central server and two sites with S1 packaged for Makassar and S2 for Jayapura, and the
day's clock (tests/sync/factories.py builds the servers)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.kit.clock import FrozenClock, use_clock
from tests.sync.factories import World, build_world

PLAN = {"S1": [1, 2], "S2": [3]}
DAY = datetime(2026, 12, 1, 0, 5, tzinfo=UTC)  # S1 starts 08:00 WITA = 00:00 UTC


@pytest.fixture
def world(databases, tmp_path: Path) -> Iterator[World]:
    with use_clock(FrozenClock(DAY - timedelta(days=1))):
        built = build_world(databases, tmp_path, ("makassar", "jayapura"), PLAN)
        built.load("makassar", built.package("makassar", "S1"))
        built.load("jayapura", built.package("jayapura", "S2"))
    yield built
    for server in (built.central, *built.sites.values()):
        databases.drop(server.url)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    with use_clock(FrozenClock(DAY)) as frozen:
        yield frozen
