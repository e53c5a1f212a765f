"""The worked example of docs/scoring.md §10, run through the engine: every figure the page
prints is asserted here as printed, so the page cannot drift from the code."""

import numpy as np

from app.adaptive import engine, selection
from app.adaptive.engine import AdaptiveState, Section
from app.adaptive.pool import ItemPool, PoolEntry
from app.adaptive.rules import AdaptiveRules, Exposure
from app.exams.event_file import AdaptiveDoc
from app.kit.seeded import SeededStream

POOL = ItemPool(
    [
        PoolEntry("A1", "aritmetika", {"a": 1.0, "b": -1.0}),
        PoolEntry("A2", "aritmetika", {"a": 1.5, "b": 0.0}),
        PoolEntry("A3", "aritmetika", {"a": 1.2, "b": 1.0, "c": 0.2}),
        PoolEntry("D1", "deret", {"a": 0.8, "b": -0.5}),
        PoolEntry("D2", "deret", {"a": 1.4, "b": 0.5}),
        PoolEntry("D3", "deret", {"a": 1.8, "b": 1.2}),
    ]
)
CONTENT = {"aritmetika": 0.5, "deret": 0.5}
RULES = AdaptiveRules(3, 5, 0.75, CONTENT, Exposure("none", 1.0))
ANSWERS = {"A2": 1, "D3": 0, "A1": 1}  # right, wrong, right


def information(theta: float) -> dict[str, float]:
    return {c: round(float(i), 4) for c, i in zip(POOL.codes, POOL.information(theta), strict=True)}


def test_the_worked_example_of_selection_and_stopping() -> None:
    section = Section(POOL, RULES, seed=7)
    state = AdaptiveState()
    printed = [
        # (θ, SE) before the step, the theme served, every item's information, the choice
        (
            (0.0, 1.0),
            "aritmetika",
            {"A1": 0.1966, "A2": 0.5625, "A3": 0.1232, "D1": 0.1538, "D2": 0.4346, "D3": 0.3004},
            "A2",
        ),
        (
            (0.5302, 0.8479),
            "deret",
            {"A1": 0.1463, "A2": 0.4822, "A3": 0.197, "D1": 0.1356, "D2": 0.4898, "D3": 0.5746},
            "D3",
        ),
        (
            (0.2511, 0.7328),
            "aritmetika",
            {"A1": 0.173, "A2": 0.543, "A3": 0.1588, "D1": 0.1464, "D2": 0.4754, "D3": 0.4208},
            "A1",
        ),
    ]
    for theta_se, theme, info, chosen in printed:
        assert (round(state.theta, 4), round(state.se, 4)) == theta_se
        assert engine.stop_reason(section, state) is None
        available = selection.available_mask(POOL, state.given, state.passed)
        assert selection.served_theme(POOL, RULES, state.given, available) == theme
        assert information(state.theta) == info
        choice = engine.next_choice(section, state)
        assert choice is not None and POOL.codes[choice.item] == chosen
        state = engine.answered(section, state, choice, ANSWERS[chosen])
    # after the third answer: SE 0.6960 ≤ 0.75 with min_items reached
    assert (round(state.theta, 4), round(state.se, 4)) == (0.3726, 0.696)
    assert engine.stop_reason(section, state) == "se_reached"
    assert engine.next_choice(section, state) is None
    # after two answers SE 0.7328 was ≤ 0.75 too, but min_items is 3
    assert state.history[1][1] <= 0.75


def test_the_worked_example_with_exposure_control() -> None:
    # Sympson–Hetter, K(A2) = 0.5, the others 1, seed 4: the first draw is 0.542 ≥ 0.5, so
    # A2 is passed over (for the rest of the section) and A1, next in information, is given
    # (K = 1: no draw).
    sympson_hetter = AdaptiveRules(3, 5, 0.75, CONTENT, Exposure("sympson-hetter", 0.25))
    k = [1.0, 0.5, 1.0, 1.0, 1.0, 1.0]

    assert round(SeededStream(4, "adaptive:0").random(), 3) == 0.542
    choice = engine.next_choice(Section(POOL, sympson_hetter, 4, np.array(k)), AdaptiveState())
    assert choice is not None
    assert (POOL.codes[choice.item], [POOL.codes[i] for i in choice.passed]) == ("A1", ["A2"])
    # randomesque, top_k 3, seed 4: the draw is 1 of {0, 1, 2}, the second of A2, A1, A3
    randomesque = AdaptiveRules(3, 5, 0.75, CONTENT, Exposure("randomesque", 0.34, 3))
    assert SeededStream(4, "adaptive:0").randbelow(3) == 1
    choice = engine.next_choice(Section(POOL, randomesque, 4), AdaptiveState())
    assert choice is not None and POOL.codes[choice.item] == "A1"


def test_randomesque_without_top_k_takes_the_smallest_allowed_k() -> None:
    # docs/exam_setup.md: ⌈1 / max_rate⌉, 4 at 0.25 and 3 at 0.34
    def k(exposure: dict) -> int:
        doc = AdaptiveDoc.model_validate({"min_items": 1, "max_items": 5, "exposure": exposure})
        return doc.rules().exposure.top_k

    assert k({"method": "randomesque"}) == 4
    assert k({"method": "randomesque", "max_rate": 0.34}) == 3
    assert k({"method": "randomesque", "max_rate": 0.2}) == 5
