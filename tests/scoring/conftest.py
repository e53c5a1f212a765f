"""Fixtures the scoring test modules share: a scored world and the app."""

from tests.scoring.test_exports import app, scored  # noqa: F401 - shared fixtures
