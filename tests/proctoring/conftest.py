"""The proctoring tests' world (two rooms, every staff persona logged in) and app."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.proctoring.factories import World, world_in


@pytest.fixture
def world(use_database: str, tmp_path: Path) -> World:
    return world_in(use_database, tmp_path)


@pytest.fixture
def app(use_database: str):
    application = create_app()
    with TestClient(application):  # runs the lifespan: engine and sessions
        yield application
