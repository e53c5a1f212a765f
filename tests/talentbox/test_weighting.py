"""Weighted mode's arithmetic: component scales, aggregation, missing components, bands."""

from typing import Any

import pytest

from app.talentbox import weighting
from app.talentbox.settings import Bands, Component, load_settings

SETTINGS = load_settings()
POTENTIAL = SETTINGS.weighted.potential
PERFORMANCE = SETTINGS.weighted.performance
LEVELS = ("rendah", "menengah", "tinggi")


def test_the_default_weights_are_domain_md() -> None:
    assert {k: c.weight for k, c in POTENTIAL.items()} == {
        "competency_assessment": 20,
        "competence_development": 10,
        "job_experience": 10,
        "potency": 25,
        "education_level": 10,
        "field_match": 10,
        "integrity": 15,
    }
    assert {k: c.weight for k, c in PERFORMANCE.items()} == {
        "skp": 60,
        "awards": 15,
        "team_assignments": 15,
        "feedback_360": 10,
    }
    assert (SETTINGS.weighted.bands.high, SETTINGS.weighted.bands.middle) == (80, 60)


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (100, "tinggi"),
        (80, "tinggi"),
        (79.99, "menengah"),
        (60, "menengah"),
        (59.99, "rendah"),
        (0, "rendah"),
    ],
)
def test_bands_at_the_edges(score: float, level: str) -> None:
    assert weighting.band(SETTINGS.weighted.bands, score, LEVELS) == level


def test_bands_are_configurable() -> None:
    assert weighting.band(Bands(high=70, middle=40), 70, LEVELS) == "tinggi"
    with pytest.raises(ValueError):
        Bands(high=50, middle=60)


def test_component_scales() -> None:
    assert weighting.value_points(POTENTIAL["education_level"], "s2") == 80
    assert weighting.value_points(POTENTIAL["competence_development"], "10") == 50  # of 20 JP
    assert weighting.value_points(POTENTIAL["competence_development"], "45") == 100  # capped
    assert weighting.value_points(POTENTIAL["competency_assessment"], "72,5") == 72.5
    for component, raw in (
        (POTENTIAL["education_level"], "SMP"),
        (POTENTIAL["competency_assessment"], "101"),
        (POTENTIAL["job_experience"], "-1"),
        (PERFORMANCE["feedback_360"], "baik"),
    ):
        with pytest.raises(weighting.BadValue):
            weighting.value_points(component, raw)


def test_aggregation_over_a_persons_records() -> None:
    scale: dict[str, Any] = {"label": "x", "weight": 1, "source": "profile"}
    assert weighting.component_score(Component(**scale, aggregate="best"), [40, 90]) == 90
    assert weighting.component_score(Component(**scale, aggregate="worst"), [40, 90]) == 40
    assert weighting.component_score(Component(**scale, aggregate="sum"), [40, 90]) == 100
    assert weighting.component_score(Component(**scale, aggregate="mean"), [40, 90]) == 65
    assert weighting.component_score(Component(**scale), []) is None  # missing, not 0


def test_missing_component_is_reweighted_or_zero() -> None:
    scores = {"skp": 80.0, "awards": 60.0, "team_assignments": 75.0, "feedback_360": None}
    reweighted = weighting.axis_score(PERFORMANCE, scores, "reweight")
    assert reweighted.score == 75.83  # (60·80 + 15·60 + 15·75) / 90
    assert reweighted.missing == ("feedback_360",)
    assert weighting.axis_score(PERFORMANCE, scores, "zero").score == 68.25  # / 100


def test_all_components_full_is_100_and_a_band_edge_is_exact() -> None:
    full = {key: 100.0 for key in PERFORMANCE}
    assert weighting.axis_score(PERFORMANCE, full, "zero").score == 100
    # 60·80 + 15·80 + 15·80 + 10·80 = 80 exactly, whatever the float sums do on the way
    edge = {key: 80.0 for key in PERFORMANCE}
    score = weighting.axis_score(PERFORMANCE, edge, "zero").score
    assert score == 80 and weighting.band(SETTINGS.weighted.bands, score, LEVELS) == "tinggi"
