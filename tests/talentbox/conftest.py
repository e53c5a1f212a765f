"""The scored world of the scoring tests is the talent box's input too; `app` serves it."""

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from tests.scoring.test_exports import scored  # noqa: F401 - shared fixture


@pytest.fixture
def app(use_database: str):
    application = create_app()
    with TestClient(application):
        yield application
