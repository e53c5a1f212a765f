"""Mantel–Haenszel DIF against the worked example in docs/scoring.md and a simulation."""

import numpy as np
import pytest

from app.scoring import dif


def example() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """docs/scoring.md, example: two strata of 100; reference 20/30 and 40/10 right/wrong,
    focal 10/40 and 30/20."""
    cells = [(1, False, 1, 20), (1, False, 0, 30), (1, True, 1, 10), (1, True, 0, 40)]
    cells += [(2, False, 1, 40), (2, False, 0, 10), (2, True, 1, 30), (2, True, 0, 20)]
    strata, focal, right = [], [], []
    for stratum, is_focal, answer, count in cells:
        strata += [stratum] * count
        focal += [is_focal] * count
        right += [answer] * count
    return np.array(right, dtype=float), np.array(focal), np.array(strata)


def test_the_worked_example() -> None:
    result = dif.mantel_haenszel(*example())
    assert (result.n_reference, result.n_focal) == (100, 100)
    assert result.alpha == pytest.approx(16 / 6)
    assert result.delta == pytest.approx(-2.3050, abs=1e-4)
    assert result.chi2 == pytest.approx(8.5093, abs=1e-4)
    assert result.se_delta == pytest.approx(0.7585, abs=1e-4)
    assert result.ets == "C"


def test_groups_under_the_minimum_are_not_classified() -> None:
    right, focal, strata = example()
    result = dif.mantel_haenszel(right, focal, strata, min_group=101)
    assert result.ets is None and result.delta is None and result.n_focal == 100


@pytest.mark.parametrize(
    ("delta", "se", "chi2", "expected"),
    [
        (-0.9, 0.1, 50.0, "A"),
        (-1.2, 0.1, 2.0, "A"),
        (-1.2, 0.1, 20.0, "B"),
        (-1.6, 0.5, 20.0, "B"),
        (-1.6, 0.2, 20.0, "C"),
        (1.7, 0.3, 20.0, "C"),
    ],
)
def test_the_ets_classes(delta: float, se: float, chi2: float, expected: str) -> None:
    assert dif.ets_class(delta, se, chi2) == expected


def test_a_simulated_item_with_dif_is_class_c_and_fair_items_are_not() -> None:
    rng = np.random.default_rng(11)
    n, items = 1500, 30
    focal = np.arange(2 * n) >= n
    theta = rng.normal(0, 1, 2 * n)  # the same ability distribution in both groups
    a, b = rng.uniform(0.8, 1.6, items), rng.uniform(-1.5, 1.5, items)
    shift = np.zeros((2 * n, items))
    shift[focal, 0] = 1.0  # item 0 is one logit harder for the focal group
    p = 1 / (1 + np.exp(-a * (theta[:, None] - b - shift)))
    responses = (rng.random(p.shape) < p).astype(float)
    totals = responses.sum(axis=1)
    results = [dif.mantel_haenszel(responses[:, i], focal, totals) for i in range(items)]
    assert results[0].ets == "C" and results[0].delta is not None and results[0].delta < -1.5
    assert sum(r.ets == "C" for r in results[1:]) == 0
    assert sum(r.ets == "A" for r in results[1:]) >= 25


def test_groups_from_the_nip_and_the_agency_code() -> None:
    assert dif.sex_of("198001012006042001") == 2 and dif.sex_of("198001012006041001") == 1
    assert dif.sex_of("198001012006043001") is None
    assert dif.province_of("7371") == "73" and dif.province_of("73") == "73"
    assert dif.province_of("KEMENKEU") is None and dif.province_of("737101") is None


def test_region_dif_names_the_province_that_differs_most() -> None:
    rng = np.random.default_rng(5)
    n = 600
    provinces = ["73"] * n + ["31"] * n + ["32"] * n + [None] * 50
    theta = rng.normal(0, 1, len(provinces))
    b = np.where(np.array([p == "31" for p in provinces]), 1.2, 0.0)
    right = (rng.random(theta.size) < 1 / (1 + np.exp(-(theta - b)))).astype(float)
    strata = np.round(theta * 2)  # a stand-in matching score
    worst = dif.by_region(right, provinces, strata)
    assert worst is not None and worst.province == "31" and worst.dif.ets in ("B", "C")
