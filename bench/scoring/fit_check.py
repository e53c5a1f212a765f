"""`python -m bench.scoring.fit_check`: how often S-X² flags items that fit (data simulated
from the model, drawn forms), and how long calibration and the fit take; figures in
bench/README.md ("Item fit")."""

import time

import numpy as np

from app.psychometrics import simulation
from app.scoring import calibration, item_fit


def rates(p_values: list[float | None]) -> str:
    values = np.array([p for p in p_values if p is not None])
    low, lower = 100 * (values < 0.05).mean(), 100 * (values < 0.01).mean()
    return f"{values.size} fitting items, p < 0.05 {low:.1f} %, p < 0.01 {lower:.1f} %"


def dichotomous(replications: int = 5) -> None:
    p_values, em, fit = [], [], []
    for seed in range(replications):
        rng = np.random.default_rng(100 + seed)
        persons, items, per_form = 2000, 50, 40
        a, b = rng.uniform(0.7, 2.0, items), rng.normal(0, 1, items)
        theta = rng.normal(0, 1, persons)
        right = simulation.on_drawn_forms(
            rng, simulation.keyed(rng, theta, a, b, np.zeros(items)), per_form
        )
        began = time.perf_counter()
        estimate = calibration.calibrate(right, "2pl")
        em.append(time.perf_counter() - began)
        began = time.perf_counter()
        fits = item_fit.s_x2(right, estimate.a, estimate.b, estimate.c, calibration.NODES, 2)
        fit.append(time.perf_counter() - began)
        p_values += [f.p_value for f in fits]
    print(f"2PL: {rates(p_values)}; EM {np.median(em):.2f} s, S-X² {np.median(fit):.2f} s")


def graded(replications: int = 5) -> None:
    p_values, fit = [], []
    for seed in range(replications):
        rng = np.random.default_rng(200 + seed)
        persons, items, kinds = 2000, 20, 5
        a = rng.uniform(0.8, 2.0, items)
        thresholds = np.sort(rng.normal(0, 1, (items, kinds - 1)), axis=1)
        theta = rng.normal(0, 1, persons)
        categories = simulation.on_drawn_forms(
            rng, simulation.graded(rng, theta, a, thresholds), items - 4
        )
        estimate = calibration.calibrate_graded(categories, kinds)
        began = time.perf_counter()
        fits = item_fit.s_x2_graded(categories, estimate.a, estimate.thresholds, calibration.NODES)
        fit.append(time.perf_counter() - began)
        p_values += [f.p_value for f in fits]
    print(f"GRM: {rates(p_values)}; S-X² {np.median(fit):.2f} s")


if __name__ == "__main__":
    dichotomous()
    graded()
