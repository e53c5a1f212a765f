"""The adaptive engine against independent checks: information by numeric differentiation,
the choice by brute force, scoring's EAP, content balance and exposure in simulation, and
replay equality."""

from dataclasses import replace

import numpy as np
import pytest

from app.adaptive import engine, estimation, exposure, selection
from app.adaptive.engine import AdaptiveState, ReplayMismatch, Section
from app.adaptive.pool import ItemPool, PoolEntry
from app.adaptive.rules import AdaptiveRules, Exposure, pool_shortages
from app.psychometrics import irt

NONE = Exposure("none", 1.0)


def keyed_pool(n: int, seed: int = 1, themes: tuple[str, ...] = ("a", "b", "c")) -> ItemPool:
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(n):
        params = {"a": rng.uniform(0.6, 2.0), "b": rng.normal()}
        if i % 2:
            params["c"] = rng.uniform(0.1, 0.25)
        entries.append(PoolEntry(f"K{i:04d}", themes[i % len(themes)], params))
    return ItemPool(entries)


def graded_pool(n: int, seed: int = 2) -> ItemPool:
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(n):
        steps = 2 + i % 3  # 3, 4 or 5 categories side by side
        thresholds = sorted(rng.normal(0, 0.3) + np.linspace(-1.5, 1.5, steps))
        entries.append(
            PoolEntry(f"G{i:04d}", "g", {"a": rng.uniform(0.8, 2), "thresholds": thresholds})
        )
    return ItemPool(entries)


def numeric_information(params: dict, theta: float, h: float = 1e-5) -> float:
    """Σ_k P_k'(θ)² / P_k(θ) with P' by central differences of the category probabilities."""

    def probabilities(t: float) -> np.ndarray:
        at = np.array([t])
        if "thresholds" in params:
            return irt.grm_category_probabilities(at, params["a"], np.array(params["thresholds"]))[
                0
            ]
        p = irt.p_correct(
            at, np.array([params["a"]]), np.array([params["b"]]), np.array([params.get("c", 0.0)])
        )[0, 0]
        return np.array([p, 1 - p])

    slope = (probabilities(theta + h) - probabilities(theta - h)) / (2 * h)
    return float((slope**2 / probabilities(theta)).sum())


def params_of(pool: ItemPool, item: int) -> dict:
    row = pool.within[item]
    if pool.graded[item]:
        return {"a": pool.graded_a[row], "thresholds": list(pool.thresholds[row])}
    return {"a": pool.a[row], "b": pool.b[row], "c": pool.c[row]}


@pytest.mark.parametrize("pool", [keyed_pool(40), graded_pool(30)], ids=["2pl-3pl", "grm"])
def test_information_matches_numeric_differentiation(pool: ItemPool) -> None:
    for theta in (-2.5, -0.7, 0.0, 1.3, 3.0):
        info = pool.information(theta)
        expected = [numeric_information(params_of(pool, i), theta) for i in range(len(pool))]
        assert info == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_scalar_information_agrees_with_the_pool() -> None:
    pool = graded_pool(6)
    theta = np.array([-1.0, 0.5])
    for item in range(len(pool)):
        row = irt.information(params_of(pool, item), theta)
        assert row == pytest.approx([pool.information(-1.0)[item], pool.information(0.5)[item]])


def test_maximum_information_choice_equals_brute_force() -> None:
    pool = keyed_pool(60)
    rules = AdaptiveRules(1, 30, exposure=NONE)
    rng = np.random.default_rng(5)
    for _ in range(25):
        theta = float(rng.normal())
        given = list(rng.choice(len(pool), 10, replace=False))
        choice = selection.choose_item(pool, rules, theta, given, [], seed=1)
        assert choice is not None
        brute = max(
            (i for i in range(len(pool)) if i not in given),
            key=lambda i: numeric_information(params_of(pool, i), theta),
        )
        assert choice.item == brute


def test_theta_and_se_are_scorings_eap() -> None:
    pool = keyed_pool(30)
    items, responses = [3, 7, 11, 20, 25], [1, 0, 1, 1, 0]
    theta, se = estimation.estimate(pool, items, responses)
    matrix = np.full((1, len(pool)), np.nan)
    matrix[0, items] = responses
    rows = pool.within[np.arange(len(pool))]
    scored = irt.eap_exact(
        lambda r, grid: irt.dichotomous_log_likelihood(
            matrix, pool.a[rows], pool.b[rows], pool.c[rows], grid
        ),
        1,
    )
    assert theta == pytest.approx(scored.theta[0], abs=1e-12)
    assert se == pytest.approx(scored.se[0], abs=1e-12)


def simulee(pool: ItemPool, theta: float, seed: int):
    rng = np.random.default_rng(seed)
    return lambda item: pool.simulated_response(item, theta, rng)


def test_content_balance_stays_within_one_item_of_the_target_share() -> None:
    pool = keyed_pool(150)
    shares = {"a": 0.5, "b": 0.3, "c": 0.2}
    rules = AdaptiveRules(30, 30, content=shares, exposure=NONE)
    for seed, theta in enumerate((-1.5, 0.0, 2.0)):
        state = engine.run(Section(pool, rules, seed), simulee(pool, theta, seed))
        assert len(state.given) == 30
        for n in range(1, 31):
            themes = [pool.themes[i] for i in state.given[:n]]
            for theme, share in shares.items():
                assert abs(themes.count(theme) - share * n) < 1


def test_stopping_rules() -> None:
    pool = keyed_pool(120)
    by_se = engine.run(
        Section(pool, AdaptiveRules(3, 40, 0.45, exposure=NONE), 1), simulee(pool, 0.2, 1)
    )
    assert by_se.se <= 0.45 < by_se.history[-2][1]
    assert engine.stop_reason(Section(pool, AdaptiveRules(3, 40, 0.45), 1), by_se) == "se_reached"
    at_least = engine.run(
        Section(pool, AdaptiveRules(20, 40, 0.9, exposure=NONE), 1), simulee(pool, 0.2, 1)
    )
    assert len(at_least.given) == 20  # SE 0.9 came long before
    at_most = engine.run(
        Section(pool, AdaptiveRules(3, 12, 0.01, exposure=NONE), 1), simulee(pool, 0.2, 1)
    )
    assert len(at_most.given) == 12
    tiny = keyed_pool(5)
    assert (
        len(
            engine.run(
                Section(tiny, AdaptiveRules(1, 10, exposure=NONE), 1), simulee(tiny, 0, 1)
            ).given
        )
        == 5
    )


def test_graded_items_are_chosen_and_recover_theta() -> None:
    pool = graded_pool(80)
    rules = AdaptiveRules(10, 25, exposure=NONE)
    truth = np.linspace(-2, 2, 15)
    estimates = [
        engine.run(Section(pool, rules, j), simulee(pool, t, j)).theta for j, t in enumerate(truth)
    ]
    assert np.corrcoef(truth, estimates)[0, 1] > 0.9


def test_randomesque_spreads_the_first_item_over_the_top_k() -> None:
    pool = keyed_pool(100)
    rules = AdaptiveRules(1, 1, exposure=Exposure("randomesque", 0.25, 4))
    firsts = [
        engine.next_choice(Section(pool, rules, seed), AdaptiveState()) for seed in range(400)
    ]
    counts = np.bincount([c.item for c in firsts if c], minlength=len(pool))
    top = selection.candidates(pool.information(0.0), np.ones(len(pool), dtype=bool))[:4]
    assert set(np.flatnonzero(counts)) == set(top)
    assert counts.max() / 400 < 0.32  # 1/4 each, give or take sampling


def test_sympson_hetter_keeps_exposure_at_or_below_the_target() -> None:
    pool = keyed_pool(150, seed=3)
    rules = AdaptiveRules(10, 10, exposure=Exposure("sympson-hetter", 0.3))
    section = Section(pool, rules, 0)
    free = exposure.simulate(section, 200, seed=11)
    assert free.exposure_rates().max() > 0.9  # everybody's first item is the same
    k = exposure.sympson_hetter(section, 200, seed=21, rounds=6)
    checked = exposure.simulate(replace(section, exposure_parameters=k), 300, seed=99)
    assert checked.exposure_rates().max() <= 0.3


def test_replay_reproduces_the_sequence_and_a_resume_continues_it_exactly() -> None:
    pool = keyed_pool(150, seed=4)
    rules = AdaptiveRules(
        5, 25, 0.3, {"a": 0.4, "b": 0.3, "c": 0.3}, Exposure("sympson-hetter", 0.3)
    )
    k = np.where(np.arange(len(pool)) % 3 == 0, 0.4, 1.0)  # plenty of passing over
    section = Section(pool, rules, 123456789, k)
    live = engine.run(section, simulee(pool, 0.8, 7))
    assert live.passed  # Sympson–Hetter's draws are part of what must replay
    again = engine.replay(section, live.given, live.responses)
    assert again == live
    half = engine.replay(section, live.given[:9], live.responses[:9])
    answers = dict(zip(live.given, live.responses, strict=True))
    assert engine.run(section, answers.__getitem__, half) == live
    # an item the first run did not give is answered wrong
    other_seed = engine.run(replace(section, seed=5), lambda item: answers.get(item, 0))
    assert other_seed.given != live.given
    tampered = (live.given[1],) + live.given[1:]
    with pytest.raises(ReplayMismatch, match="item 1"):
        engine.replay(section, tampered, live.responses)


def test_pool_shortages_name_the_field() -> None:
    rules = AdaptiveRules(
        10, 40, content={"a": 0.5, "b": 0.5}, exposure=Exposure("sympson-hetter", 0.25)
    )
    assert pool_shortages(rules, {"a": 80, "b": 80}) == []
    [short] = pool_shortages(rules, {"a": 81, "b": 79})
    assert short.field == "adaptive.content.b"
    assert "sedikitnya 80" in short.message
    assert [s.field for s in pool_shortages(rules, {"a": 10, "b": 10})] == [
        "adaptive.max_items",
        "adaptive.content.a",
        "adaptive.content.b",
    ]
    randomesque = AdaptiveRules(10, 40, exposure=Exposure("randomesque", 0.25, 3))
    assert [s.field for s in pool_shortages(randomesque, {None: 500})] == [
        "adaptive.exposure.top_k"
    ]
