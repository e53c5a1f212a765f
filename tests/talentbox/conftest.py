"""The scored world of the scoring tests is the talent box's input too."""

from tests.scoring.test_exports import scored  # noqa: F401 - shared fixture
