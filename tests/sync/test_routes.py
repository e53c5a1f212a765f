"""The centre's page of site deliveries (`/analis/lokasi`): per event and packaged session,
complete / partial / missing; analysts and administrators only."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.accounts.service import create_user, log_in
from app.config import Settings
from app.kit.clock import FrozenClock
from app.main import create_app
from app.sync.views import deliveries
from tests.sync.factories import World
from tests.sync.test_results import load, open_room, results, sit, submit_and_close

PERSONAS = {"analis": "analyst", "admin2": "admin", "pengawas9": "proctor"}


@pytest.fixture
def centre(world: World, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = {}
    with world.central.db() as db:
        for name, role in PERSONAS.items():
            create_user(db, name, "sandi-rahasia-12", role, name.title())
            tokens[role] = log_in(db, name, "sandi-rahasia-12", "127.0.0.1")[1]
    settings = Settings(database_url=world.central.url, sweeper_seconds=3600)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        yield client, tokens


def page(centre: tuple[TestClient, dict[str, str]], role: str | None):
    client, tokens = centre
    client.cookies.clear()
    if role is not None:
        client.cookies.set("proasn_staff", tokens[role])
    return client.get("/analis/lokasi")


def statuses(world: World) -> dict[str, tuple[str, str, int]]:
    with world.central.db() as db:
        found = deliveries(db)
    assert [e.code for e in found] == ["proasn-uji"]
    return {s.code: (s.site, s.status, s.attempts) for s in found[0].sessions}


def test_each_session_is_missing_then_partial_then_complete(
    world: World, clock: FrozenClock, centre: tuple[TestClient, dict[str, str]]
) -> None:
    assert statuses(world) == {"S1": ("makassar", "missing", 0), "S2": ("jayapura", "missing", 0)}
    makassar = world.sites["makassar"]
    token = open_room(makassar, "S1")
    sit(makassar, token, 1, answers=2, submit=True)
    sit(makassar, token, 2, answers=1, submit=False)
    load(world, results(world, "makassar"))
    assert statuses(world)["S1"] == ("makassar", "partial", 1)
    clock.advance(minutes=10)
    submit_and_close(makassar, "S1", 2)
    load(world, results(world, "makassar"))
    assert statuses(world) == {
        "S1": ("makassar", "complete", 2),
        "S2": ("jayapura", "missing", 0),
    }

    shown = page(centre, "analyst")
    assert shown.status_code == 200
    assert "makassar" in shown.text and "jayapura" in shown.text
    assert "lengkap" in shown.text and "belum ada" in shown.text  # Indonesian first
    assert page(centre, "admin").status_code == 200


def test_only_analysts_and_administrators_see_it(
    world: World, centre: tuple[TestClient, dict[str, str]]
) -> None:
    assert page(centre, "proctor").status_code == 403
    outsider = page(centre, None)
    assert outsider.status_code == 303 and "/staf/masuk" in outsider.headers["location"]
