"""The proctoring tests' world (two rooms, every staff persona logged in) and app."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.db import make_engine, make_sessionmaker, transaction
from app.main import create_app
from tests.proctoring.factories import World, build_world


@pytest.fixture
def world(use_database: str, tmp_path: Path) -> World:
    engine = make_engine(use_database)
    with transaction(make_sessionmaker(engine)) as db:
        built = build_world(db, tmp_path)
    engine.dispose()
    return built


@pytest.fixture
def app(use_database: str):
    application = create_app()
    with TestClient(application):  # runs the lifespan: engine and sessions
        yield application
