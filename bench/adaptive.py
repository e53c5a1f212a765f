"""Adaptive against fixed on the generated pool (issue 21):

    python -m bench.adaptive [--quick] [--json FILE]

Simulees from N(0, 1) answer by the item models (app.psychometrics.simulation). The fixed form is a
random draw of `fixed_items` items per simulee, as `proasn event prepare` draws a section; its
θ and SE are scoring's EAP. The adaptive section (app.adaptive) takes the same pool with
content balance (equal shares of the subtest's themes), Sympson–Hetter exposure control
(target maximum rate 0.25, its parameters calibrated by simulation first) and stops at the
fixed form's mean SE (at least 5 items, at most the fixed form's length).

Each target (`TARGETS`) is judged in the output: `targets`, `target_met` per figure and
`targets_met` for all; a `--quick` run is a smoke run and says so (`note`).

Figures: `items_ratio` (mean adaptive items / fixed items), `r_fixed`, `r_adaptive` (θ
recovery), `max_exposure`, `content_balance` (the largest gap, in items, between a theme's
count and its share of a simulee's items), and the server CPU of choosing the next item for a
pool of 1,000 items (`select_cpu_ms`, thread CPU time), with the whole step after an answer
(EAP + choice) and a baseline measured in the same rounds: scoring one fixed-form taker's θ
(`irt.eap_exact` over the form), the work the server does per taker anyway.
"""

import argparse
import json
import sys
import time
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from app.adaptive import engine, estimation, exposure
from app.adaptive.engine import Section
from app.adaptive.pool import ItemPool, PoolEntry
from app.adaptive.rules import AdaptiveRules, Exposure
from app.adaptive.selection import Choice
from app.psychometrics import irt, simulation
from question_bank.generators import numerik
from question_bank.generators.pool import POOL_SEED

SEED = 20261203
TIMING_POOL = 1000
MAX_RATE = 0.25
# Issue 21's targets, each a maximum: adaptive items / fixed items, the highest exposure rate,
# and the server CPU of choosing the next item on the 1,000-item pool. Judged on the full
# run: quick mode's 300 simulees put a binomial SD of ~0.025 on each rate, so its highest
# rate may pass 0.25 by chance.
TARGETS = {"items_ratio": 0.6, "max_exposure": MAX_RATE, "select_cpu_ms_median": 2.0}
QUICK_NOTE = "quick: a smoke run with small numbers; the targets are judged on the full run"


@dataclass(frozen=True)
class Sizes:
    pool: int
    fixed_items: int
    simulees: int
    calibration_simulees: int
    rounds: int
    timing_rounds: int


FULL = Sizes(
    pool=1000, fixed_items=40, simulees=1000, calibration_simulees=1000, rounds=8, timing_rounds=30
)
QUICK = Sizes(
    pool=300, fixed_items=20, simulees=300, calibration_simulees=300, rounds=8, timing_rounds=8
)


def generated_pool(items: int) -> ItemPool:
    """The numerik half of `proasn bank generate-pool` (2PL, four themes), as the loader
    would read it."""
    generated = numerik.generate(items, POOL_SEED, "POOL-NUM", digits=5, strict_stems=False)
    return ItemPool([PoolEntry(i["id"], i["theme"], i["irt"]) for i in generated])


def fixed_forms(
    pool: ItemPool, items: int, true_theta: np.ndarray, rng: np.random.Generator
) -> irt.Estimate:
    """Each simulee's own random form of `items` items, scored by scoring's EAP."""
    responses = simulation.keyed(rng, true_theta, pool.a, pool.b, pool.c)
    simulation.on_drawn_forms(rng, responses, items)
    return irt.eap_exact(
        lambda rows, grid: irt.dichotomous_log_likelihood(
            responses[rows], pool.a, pool.b, pool.c, grid
        ),
        true_theta.size,
    )


def content_gap(pool: ItemPool, rules: AdaptiveRules, states: list[engine.AdaptiveState]) -> float:
    gaps = [
        abs([pool.themes[i] for i in s.given].count(theme) - share * len(s.given))
        for s in states
        for theme, share in rules.content.items()
    ]
    return float(max(gaps))


def compare(sizes: Sizes, seed: int) -> dict[str, Any]:
    pool = generated_pool(sizes.pool)
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=sizes.simulees)
    fixed = fixed_forms(pool, sizes.fixed_items, truth, rng)
    target_se = float(fixed.se.mean())
    rules = AdaptiveRules(
        min_items=5,
        max_items=sizes.fixed_items,
        stop_se=target_se,
        content={t: 1 / len(pool.theme_names) for t in pool.theme_names},
        exposure=Exposure("sympson-hetter", MAX_RATE),
    )
    section = Section(pool, rules, seed)
    started = time.perf_counter()
    k = exposure.sympson_hetter(section, sizes.calibration_simulees, seed + 1, sizes.rounds)
    calibration_s = time.perf_counter() - started
    run = exposure.simulate(replace(section, exposure_parameters=k), sizes.simulees, seed + 1000)
    lengths = np.array([len(s.given) for s in run.states])
    adaptive_theta = np.array([s.theta for s in run.states])
    adaptive_se = np.array([s.se for s in run.states])
    return {
        "pool_items": sizes.pool,
        "fixed_items": sizes.fixed_items,
        "simulees": sizes.simulees,
        "fixed_mean_se": round(target_se, 4),
        "adaptive_mean_items": round(float(lengths.mean()), 2),
        "adaptive_mean_se": round(float(adaptive_se.mean()), 4),
        "reached_target_share": round(float((adaptive_se <= target_se).mean()), 4),
        "items_ratio": round(float(lengths.mean()) / sizes.fixed_items, 4),
        "r_fixed": round(float(np.corrcoef(truth, fixed.theta)[0, 1]), 4),
        "r_adaptive": round(float(np.corrcoef(run.true_theta, adaptive_theta)[0, 1]), 4),
        "max_exposure": round(float(run.exposure_rates().max()), 4),
        "items_never_used": int((run.given == 0).sum()),
        "content_balance": round(content_gap(pool, rules, run.states), 4),
        "sympson_hetter_items_limited": int((k < 1).sum()),
        "calibration_seconds": round(calibration_s, 1),
    }


def _cpu_ms(call, repeat: int) -> float:
    start = time.thread_time_ns()
    for _ in range(repeat):
        call()
    return (time.thread_time_ns() - start) / repeat / 1e6


def _step(taker: Section, state: engine.AdaptiveState, choice: Choice) -> None:
    """What the server does when an answer arrives: EAP over the answers, then the choice."""
    engine.next_choice(taker, engine.answered(taker, state, choice, 1))


def timing(sizes: Sizes, seed: int) -> dict[str, Any]:
    """CPU per call on a 1,000-item pool, at states real simulees passed through."""
    pool = generated_pool(TIMING_POOL)
    rules = AdaptiveRules(
        5, 40, 0.3, {t: 0.25 for t in pool.theme_names}, Exposure("sympson-hetter", MAX_RATE)
    )
    k = np.where(np.arange(len(pool)) % 4 == 0, 0.5, 1.0)  # some passing over, as calibrated
    section = Section(pool, rules, seed, k)
    rng = np.random.default_rng(seed)
    takers = []  # (the taker's section, their state halfway through)
    for j, theta in enumerate(rng.normal(size=10)):
        taker = replace(section, seed=seed + j)

        def respond(i: int, t: float = float(theta)) -> int:
            return pool.simulated_response(i, t, rng)

        final = engine.run(taker, respond)
        half = len(final.given) // 2
        takers.append((taker, engine.replay(taker, final.given[:half], final.responses[:half])))
    fixed_items = list(rng.choice(len(pool), 40, replace=False))
    fixed_responses = list((rng.random(40) < 0.6).astype(int))
    select, step, baseline = [], [], []
    for _ in range(sizes.timing_rounds):
        for taker, state in takers:
            choice = engine.next_choice(taker, state)
            assert choice is not None
            select.append(_cpu_ms(partial(engine.next_choice, taker, state), 5))
            step.append(_cpu_ms(partial(_step, taker, state, choice), 5))
            baseline.append(
                _cpu_ms(lambda: estimation.estimate(pool, fixed_items, fixed_responses), 5)
            )
    select_ms, step_ms, base_ms = (np.array(x) for x in (select, step, baseline))
    return {
        "timing_pool_items": TIMING_POOL,
        "select_cpu_ms_median": round(float(np.median(select_ms)), 4),
        "select_cpu_ms_p99": round(float(np.percentile(select_ms, 99)), 4),
        "step_cpu_ms_median": round(float(np.median(step_ms)), 4),
        "step_cpu_ms_p99": round(float(np.percentile(step_ms, 99)), 4),
        "baseline_cpu_ms_median": round(float(np.median(base_ms)), 4),
        "select_vs_baseline": round(float(np.median(select_ms / base_ms)), 3),
        "step_vs_baseline": round(float(np.median(step_ms / base_ms)), 3),
    }


def judged(figures: dict[str, Any], quick: bool) -> dict[str, Any]:
    """Whether each target is met (`target_met`) and all of them (`targets_met`); a quick
    run says that its verdict is not the one that counts."""
    met = {key: bool(figures[key] <= limit) for key, limit in TARGETS.items()}
    verdict: dict[str, Any] = {
        "targets": dict(TARGETS),
        "target_met": met,
        "targets_met": all(met.values()),
    }
    if quick:
        verdict["note"] = QUICK_NOTE
    return verdict


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small numbers (CI, < 1 minute)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--simulees", type=int, help="override the number of simulees")
    parser.add_argument("--rounds", type=int, help="override Sympson–Hetter's rounds")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.simulees:
        sizes = replace(sizes, simulees=args.simulees, calibration_simulees=args.simulees)
    if args.rounds:
        sizes = replace(sizes, rounds=args.rounds)
    figures = {"quick": args.quick, "seed": args.seed, "max_rate_target": MAX_RATE}
    figures |= compare(sizes, args.seed)
    figures |= timing(sizes, args.seed)
    figures |= judged(figures, args.quick)
    text = json.dumps(figures, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
