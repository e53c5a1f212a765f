"""One taker's adaptive section, a step at a time, and its replay.

The state is what a delivery would store with the attempt: the items given, the responses,
the items Sympson–Hetter passed over, and θ / SE after the last answer. `next_choice` and
`answered` are pure; `replay` folds the stored responses through them, so a resume, a reload
or an audit reproduces the same items, θ and SE exactly (given the same seed, pool and
exposure parameters).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from app.adaptive import estimation, selection, stopping
from app.adaptive.pool import Array, ItemPool
from app.adaptive.rules import AdaptiveRules
from app.adaptive.selection import Choice

PRIOR_THETA, PRIOR_SE = 0.0, 1.0  # the start rule: the first item at the prior's mean


@dataclass(frozen=True)
class AdaptiveState:
    given: tuple[int, ...] = ()
    responses: tuple[int, ...] = ()
    passed: tuple[int, ...] = ()
    theta: float = PRIOR_THETA
    se: float = PRIOR_SE
    history: tuple[tuple[float, float], ...] = field(default=())  # (θ, SE) after each answer


@dataclass(frozen=True)
class Section:
    """The section's fixed inputs: a taker's seed with the pool, rules and exposure
    parameters (Sympson–Hetter's K per item, or None)."""

    pool: ItemPool
    rules: AdaptiveRules
    seed: int
    exposure_parameters: Array | None = None


def stop_reason(section: Section, state: AdaptiveState) -> str | None:
    available = len(section.pool) - len(state.given) - len(state.passed)
    return stopping.stop_reason(section.rules, len(state.given), state.se, available)


def next_choice(section: Section, state: AdaptiveState) -> Choice | None:
    """The next item, or None when the section stops here."""
    if stop_reason(section, state) is not None:
        return None
    return selection.choose_item(
        section.pool,
        section.rules,
        state.theta,
        state.given,
        state.passed,
        section.seed,
        section.exposure_parameters,
    )


def answered(
    section: Section, state: AdaptiveState, choice: Choice, response: int
) -> AdaptiveState:
    """The state after the chosen item was answered: θ and SE by EAP over every answer."""
    given, responses = state.given + (choice.item,), state.responses + (response,)
    theta, se = estimation.estimate(section.pool, given, responses)
    return AdaptiveState(
        given, responses, state.passed + choice.passed, theta, se, state.history + ((theta, se),)
    )


Responder = Callable[[int], int]  # pool index → response


def run(section: Section, respond: Responder, state: AdaptiveState | None = None) -> AdaptiveState:
    """Give items until the stopping rule says so (from `state`, a resume, or the start)."""
    state = state or AdaptiveState()
    while (choice := next_choice(section, state)) is not None:
        state = answered(section, state, choice, respond(choice.item))
    return state


class ReplayMismatch(ValueError):
    """The stored item at `step` (1-based) is not the one the engine chooses again."""

    def __init__(self, step: int, stored: str, chosen: str | None) -> None:
        super().__init__(f"item {step}: stored {stored}, the engine chooses {chosen}")
        self.step, self.stored, self.chosen = step, stored, chosen


def replay(
    section: Section,
    items: Sequence[int],
    responses: Sequence[int],
    start: AdaptiveState | None = None,
) -> AdaptiveState:
    """Rebuild the state from a stored sequence, checking that every item is the one the
    engine chooses again; raise ReplayMismatch at the first that is not. `start`: the state
    before the first item (delivery's: the pool items the form holds elsewhere, passed)."""
    state = start or AdaptiveState()
    for step, (item, response) in enumerate(zip(items, responses, strict=True), start=1):
        choice = next_choice(section, state)
        if choice is None or choice.item != item:
            got = None if choice is None else section.pool.codes[choice.item]
            raise ReplayMismatch(step, section.pool.codes[item], got)
        state = answered(section, state, choice, response)
    return state
